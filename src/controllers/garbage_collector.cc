#include "controllers/garbage_collector.h"

#include <map>
#include <set>

#include "common/log.h"

namespace skiff::controllers {
namespace {
using client::ObjectPtr;


// The watched resource of an ownerReference's apiVersion and kind, or nullptr.
const api::ResourceInfo* resource_for_kind(const std::string& api_version, const std::string& kind) {
  auto slash = api_version.find('/');
  std::string group = slash == std::string::npos ? "" : api_version.substr(0, slash);
  std::string version = slash == std::string::npos ? api_version : api_version.substr(slash + 1);
  const api::ResourceInfo* r = api::find_kind(group, version, kind);
  if (!r) return nullptr;
  for (const auto& [g, res] : kGcResources)
    if (r->group == g && r->resource == res) return r;
  return nullptr;
}

bool has_finalizer(const json::object& o, const char* f) {
  const json::value* fs = find_path(o, {"metadata", "finalizers"});
  if (!fs || !fs->is_array()) return false;
  for (const auto& v : fs->as_array())
    if (v.is_string() && v.as_string() == f) return true;
  return false;
}
}  // namespace

GarbageCollector::GarbageCollector(client::Client& c, InformerFactory& inf,
                                   std::chrono::milliseconds period)
    : client_(c), period_(period) {
  for (const auto& [g, r] : kGcResources) watched_.push_back({&resource(g, r), &inf.get(g, r)});
}

GarbageCollector::~GarbageCollector() { stop(); }

void GarbageCollector::run() {
  thread_ = std::thread([this] {
    std::unique_lock lk(mu_);
    while (!stopping_) {
      cv_.wait_for(lk, period_, [this] { return stopping_; });
      if (stopping_) break;
      lk.unlock();
      try {
        scan_once();
      } catch (const std::exception& e) {
        SKIFF_LOG(WARN) << "garbage collector: " << e.what();
      }
      lk.lock();
    }
  });
}

void GarbageCollector::stop() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void GarbageCollector::scan_once() {
  struct Entry {
    ObjectPtr obj;
    const api::ResourceInfo* r;
  };
  std::vector<Entry> objs;
  for (const auto& [r, inf] : watched_)
    for (const auto& o : inf->list()) objs.push_back({o, r});
  std::map<std::string, const Entry*> by_uid;
  for (const auto& e : objs) by_uid[uid_of(*e.obj)] = &e;

  // Dependents by owner uid.
  std::map<std::string, std::vector<const Entry*>> dependents;
  for (const auto& e : objs) {
    const json::value* refs = find_path(*e.obj, {"metadata", "ownerReferences"});
    if (!refs || !refs->is_array()) continue;
    for (const auto& r : refs->as_array()) dependents[get_string(r, {"uid"})].push_back(&e);
  }

  // Finalizers of owners being deleted.
  for (const auto& e : objs) {
    const json::object& o = *e.obj;
    if (!find_path(o, {"metadata", "deletionTimestamp"})) continue;
    const std::string uid = uid_of(o);
    auto deps_it = dependents.find(uid);
    const std::vector<const Entry*> none;
    const auto& deps = deps_it == dependents.end() ? none : deps_it->second;
    const char* fin = nullptr;
    if (has_finalizer(o, "orphan")) {
      fin = "orphan";
      bool ok = true;
      for (const Entry* d : deps) {
        json::array refs;
        for (const auto& r : find_path(*d->obj, {"metadata", "ownerReferences"})->as_array())
          if (get_string(r, {"uid"}) != uid) refs.push_back(r);
        auto p = client_.patch(*d->r, ns_of(*d->obj), name_of(*d->obj),
                               "application/merge-patch+json",
                               json::object{{"metadata", json::object{{"ownerReferences", refs}}}});
        if (!p && p.error().code != 404) ok = false;
      }
      if (!ok) continue;
    } else if (has_finalizer(o, "foregroundDeletion")) {
      fin = "foregroundDeletion";
      if (!deps.empty()) {
        for (const Entry* d : deps) {
          if (find_path(*d->obj, {"metadata", "deletionTimestamp"})) continue;
          auto r = client_.remove(*d->r, ns_of(*d->obj), name_of(*d->obj),
                                  json::object{{"propagationPolicy", "Foreground"}});
          if (!r && r.error().code != 404) {
            SKIFF_LOG(INFO) << "gc: delete " << name_of(*d->obj) << ": " << r.error().message;
          }
        }
        continue;  // the finalizer goes once the dependents are gone
      }
    }
    if (!fin) continue;
    json::array fins;
    for (const auto& f : find_path(o, {"metadata", "finalizers"})->as_array())
      if (!(f.is_string() && f.as_string() == fin)) fins.push_back(f);
    auto p = client_.patch(*e.r, ns_of(o), name_of(o), "application/merge-patch+json",
                           json::object{{"metadata", json::object{{"finalizers", fins}}}});
    if (!p && p.error().code != 404) {
      SKIFF_LOG(INFO) << "gc: remove finalizer from " << name_of(o) << ": " << p.error().message;
    }
  }

  // Background: dependents all of whose owners are gone.
  for (const auto& e : objs) {
    const json::object& o = *e.obj;
    if (find_path(o, {"metadata", "deletionTimestamp"})) continue;
    const json::value* refs = find_path(o, {"metadata", "ownerReferences"});
    if (!refs || !refs->is_array() || refs->as_array().empty()) continue;
    bool all_missing = true;
    for (const auto& r : refs->as_array()) {
      const std::string ruid = get_string(r, {"uid"});
      const api::ResourceInfo* ri =
          resource_for_kind(get_string(r, {"apiVersion"}), get_string(r, {"kind"}));
      if (!ri || by_uid.count(ruid)) {
        all_missing = false;
        break;
      }
      // Not in the cache: make sure with the API (the cache may be behind a new owner).
      auto g = client_.get(*ri, ri->namespaced ? ns_of(o) : "", get_string(r, {"name"}));
      if (g ? uid_of(*g) == ruid : g.error().code != 404) {
        all_missing = false;
        break;
      }
    }
    if (!all_missing) continue;
    SKIFF_LOG(INFO) << "gc: deleting " << ns_of(o) << "/" << name_of(o) << " (owners gone)";
    auto r = client_.remove(*e.r, ns_of(o), name_of(o),
                            json::object{{"propagationPolicy", "Background"}});
    if (!r && r.error().code != 404) {
      SKIFF_LOG(INFO) << "gc: delete " << name_of(o) << ": " << r.error().message;
    }
  }
}

}  // namespace skiff::controllers
