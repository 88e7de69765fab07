// CustomResourceDefinition registration, status and cleanup (see crd_controller.h).
#include "apiserver/crd_controller.h"

#include <algorithm>

#include "api/kinds_apiextensions.h"
#include "apiserver/object_store.h"
#include "common/log.h"
#include "common/time.h"

namespace skiff::apiserver {
namespace {

const api::ResourceInfo& crd_resource() {
  return *api::find_resource("apiextensions.k8s.io", "v1", "customresourcedefinitions");
}

json::object condition(const std::string& type, bool status, const std::string& reason,
                       const std::string& message, const json::object* old_status) {
  std::string st = status ? "True" : "False";
  std::string when = now_rfc3339();
  if (old_status)
    if (const auto* cs = old_status->if_contains("conditions"); cs && cs->is_array())
      for (const auto& c : cs->get_array())
        if (get_string(c, {"type"}) == type && get_string(c, {"status"}) == st)
          when = get_string(c, {"lastTransitionTime"});
  return json::object{{"type", type}, {"status", st}, {"lastTransitionTime", when},
                      {"reason", reason}, {"message", message}};
}

bool has_finalizer(const json::object& crd) {
  if (const auto* f = find_path(crd, {"metadata", "finalizers"}); f && f->is_array())
    for (const auto& e : f->get_array())
      if (e.is_string() && e.get_string() == kCrdCleanupFinalizer) return true;
  return false;
}

}  // namespace

void CrdController::start() {
  int64_t rev = resync();
  thread_ = std::thread([this, rev] { run(rev); });
}

void CrdController::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

int64_t CrdController::resync() {
  ListParams p;
  auto list = objects_.list(crd_resource(), "", p);
  if (!list) {
    SKIFF_LOG(WARN) << "listing CustomResourceDefinitions: " << list.error().message;
    return 0;
  }
  std::set<std::string> seen;
  // Oldest first: on a name conflict the CRD that came first keeps its names.
  std::sort(list->items.begin(), list->items.end(), [](const json::object& a, const json::object& b) {
    return get_string(a, {"metadata", "creationTimestamp"}) < get_string(b, {"metadata", "creationTimestamp"});
  });
  for (auto& o : list->items) {
    auto name = get_string(o, {"metadata", "name"});
    seen.insert(name);
    crds_[name] = std::move(o);
  }
  for (auto it = crds_.begin(); it != crds_.end();)
    if (!seen.count(it->first)) {
      api::register_resources(it->first, {});
      registered_.erase(it->first);
      it = crds_.erase(it);
    } else {
      ++it;
    }
  std::vector<std::string> names;
  for (const auto& [n, _] : crds_) names.push_back(n);
  for (const auto& n : names) sync(n);
  auto rv = ObjectStore::parse_resource_version(list->resource_version);
  return rv ? *rv : 0;
}

void CrdController::run(int64_t rev) {
  for (bool first = true; !stop_; first = false) {
    if (!first) rev = resync();  // start() has just listed them
    ListParams p;
    p.resource_version = std::to_string(rev);
    auto w = objects_.watch(crd_resource(), "", p, false);
    if (!w) {
      SKIFF_LOG(WARN) << "watching CustomResourceDefinitions: " << w.error().message;
      for (int i = 0; i < 10 && !stop_; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    bool closed = false;
    while (!stop_ && !closed) {
      auto events = (*w)->next(std::chrono::milliseconds(terminating_.empty() ? 500 : 200), &closed);
      for (auto& ev : events) {
        json::object obj = std::move(ev.object);
        const std::string* text = !ev.raw.empty() ? &ev.raw : ev.cached_raw.get();
        if (obj.empty() && text && !text->empty()) {
          json::value v;
          std::string err;
          if (!parse_json(*text, v, err) || !v.is_object()) continue;
          obj = std::move(v.get_object());
        }
        auto name = get_string(obj, {"metadata", "name"});
        if (name.empty()) continue;
        if (ev.type == "DELETED") {
          crds_.erase(name);
          terminating_.erase(name);
          registered_.erase(name);
          api::register_resources(name, {});
          // The watch cache of its objects goes too (a CRD made again starts afresh).
          std::string group = get_string(obj, {"spec", "group"});
          std::string plural = get_string(obj, {"spec", "names", "plural"});
          if (!group.empty() && !plural.empty()) objects_.forget("/registry/" + group + "/" + plural + "/");
          SKIFF_LOG(INFO) << "CustomResourceDefinition " << name << " removed";
          // A CRD whose names conflicted with this one may be accepted now.
          std::vector<std::string> names;
          for (const auto& [n, _] : crds_) names.push_back(n);
          for (const auto& n : names) sync(n);
          continue;
        }
        if (ev.type != "ADDED" && ev.type != "MODIFIED") continue;
        crds_[name] = std::move(obj);
        sync(name);
      }
      for (auto t : std::vector<std::string>(terminating_.begin(), terminating_.end()))
        if (crds_.count(t)) sync(t);
    }
  }
}

void CrdController::sync(const std::string& name) {
  auto it = crds_.find(name);
  if (it == crds_.end()) return;
  const json::object& crd = it->second;
  const auto* spec_v = crd.if_contains("spec");
  if (!spec_v || !spec_v->is_object()) return;
  const json::object& spec = spec_v->get_object();

  if (find_path(crd, {"metadata", "deletionTimestamp"})) {
    terminating_.insert(name);
    if (!has_finalizer(crd)) return;
    if (delete_objects(crd)) {
      remove_finalizer(name);
      terminating_.erase(name);
    }
    return;
  }

  // Names: a plural or kind that another (older) CRD of the group already has is refused.
  const std::string group = get_string(spec, {"group"});
  const std::string plural = get_string(spec, {"names", "plural"});
  const std::string kind = get_string(spec, {"names", "kind"});
  std::string reason = "NoConflicts", message = "no conflicts found";
  bool accepted = true;
  for (const auto& [other, o] : crds_) {
    if (other == name || get_string(o, {"spec", "group"}) != group) continue;
    if (get_string(o, {"metadata", "creationTimestamp"}) > get_string(crd, {"metadata", "creationTimestamp"}))
      continue;
    if (get_string(o, {"status", "acceptedNames", "plural"}) == plural) {
      accepted = false, reason = "PluralConflict", message = "\"" + plural + "\" is already in use";
    } else if (get_string(o, {"status", "acceptedNames", "kind"}) == kind) {
      accepted = false, reason = "KindConflict", message = "\"" + kind + "\" is already in use";
    }
  }
  if (accepted) {
    for (const auto& r : api::all_resources())
      if (r.group == group && r.resource == plural)
        accepted = false, reason = "PluralConflict", message = "\"" + plural + "\" is already in use";
  }
  if (accepted) {
    std::string key = json::serialize(spec);
    if (registered_[name] != key) {
      auto res = api::crd_resources(crd);
      api::register_resources(name, std::move(res.resources), res.storage_version);
      registered_[name] = key;
      SKIFF_LOG(INFO) << "CustomResourceDefinition " << name << " serving " << group << "/" << plural;
    }
  }
  write_status(name, crd, accepted, reason, message);
}

void CrdController::write_status(const std::string& name, const json::object& crd, bool accepted,
                                 const std::string& reason, const std::string& message) {
  const json::object* old = nullptr;
  if (const auto* s = crd.if_contains("status"); s && s->is_object()) old = &s->get_object();
  json::object status = old ? *old : json::object{};
  const auto* names = find_path(crd, {"spec", "names"});
  if (accepted && names) status["acceptedNames"] = *names;
  else if (!status.contains("acceptedNames")) status["acceptedNames"] = json::object{{"plural", ""}, {"kind", ""}};
  json::array conds;
  conds.push_back(condition("NamesAccepted", accepted, reason, message, old));
  conds.push_back(condition("Established", accepted, accepted ? "InitialNamesAccepted" : "NotAccepted",
                            accepted ? "the initial names have been accepted" : "not all names are accepted",
                            old));
  status["conditions"] = std::move(conds);
  json::array stored;
  if (const auto* sv = old ? old->if_contains("storedVersions") : nullptr; sv && sv->is_array())
    stored = sv->get_array();
  std::string storage;
  if (const auto* vs = find_path(crd, {"spec", "versions"}); vs && vs->is_array())
    for (const auto& v : vs->get_array())
      if (const auto* st = find_path(v, {"storage"}); st && st->is_bool() && st->get_bool())
        storage = get_string(v, {"name"});
  bool have = false;
  for (const auto& v : stored) have = have || (v.is_string() && v.get_string() == storage);
  if (!have && !storage.empty()) stored.push_back(json::value(storage));
  status["storedVersions"] = std::move(stored);
  if (old && json::value(status) == json::value(*old)) return;
  auto res = objects_.guaranteed_update(
      crd_resource(), "", name, "status",
      [&](const json::object& cur) -> Result<json::object> {
        json::object out = cur;
        out["status"] = status;
        ensure_object(out, "metadata").erase("resourceVersion");
        return out;
      },
      {});
  if (!res && res.error().code != 404) {
    SKIFF_LOG(WARN) << "CustomResourceDefinition " << name << ": writing status: " << res.error().message;
  }
}

bool CrdController::delete_objects(const json::object& crd) {
  const std::string group = get_string(crd, {"spec", "group"});
  const std::string plural = get_string(crd, {"spec", "names", "plural"});
  const api::ResourceInfo* r = nullptr;
  for (const auto* cand : api::served_resources())
    if (cand->group == group && cand->resource == plural && !cand->storage) r = cand;
  if (!r) return true;  // never served (names not accepted): nothing was stored through it
  ListParams p;
  p.limit = 500;
  auto page = objects_.list(*r, "", p);
  if (!page) {
    SKIFF_LOG(WARN) << "deleting " << plural << "." << group << ": " << page.error().message;
    return false;
  }
  if (page->items.empty() && page->raw_items.empty()) return true;
  DeleteOptions opts;
  for (const auto& o : page->items) {
    auto res = objects_.remove(*r, get_string(o, {"metadata", "namespace"}), get_string(o, {"metadata", "name"}), opts);
    if (!res && res.error().code != 404) {
      SKIFF_LOG(WARN) << "deleting " << plural << "." << group << " " << get_string(o, {"metadata", "name"})
                      << ": " << res.error().message;
    }
  }
  return false;  // the next pass confirms the list is empty
}

void CrdController::remove_finalizer(const std::string& name) {
  auto res = objects_.guaranteed_update(
      crd_resource(), "", name, "",
      [&](const json::object& cur) -> Result<json::object> {
        json::object out = cur;
        auto& meta = ensure_object(out, "metadata");
        json::array kept;
        if (const auto* f = meta.if_contains("finalizers"); f && f->is_array())
          for (const auto& e : f->get_array())
            if (!(e.is_string() && e.get_string() == kCrdCleanupFinalizer)) kept.push_back(e);
        meta["finalizers"] = std::move(kept);
        meta.erase("resourceVersion");
        return out;
      },
      {});
  if (!res && res.error().code != 404) {
    SKIFF_LOG(WARN) << "CustomResourceDefinition " << name << ": removing its finalizer: " << res.error().message;
  }
}

}  // namespace skiff::apiserver
