// The namespace controller (upstream pkg/controller/namespace): once a namespace is Terminating
// it deletes every object of every namespaced resource type the server serves (propagation
// Background), reports what is left in the namespace's deletion conditions, and when nothing
// is left removes the `kubernetes` finalizer through namespaces/NAME/finalize; the API server
// then deletes the namespace. Objects held by finalizers keep the namespace until they go.
#include <algorithm>

#include "common/log.h"
#include "common/time.h"
#include "controllers/services.h"

namespace skiff::controllers {
namespace {
using client::ObjectPtr;
constexpr const char* kFinalizer = "kubernetes";

struct CondSpec {
  const char* type;
  const char* ok_reason;
  const char* ok_message;
};
// Upstream's order and "ok" variants (status False).
constexpr CondSpec kConditions[] = {
    {"NamespaceDeletionDiscoveryFailure", "ResourcesDiscovered",
     "All resources successfully discovered"},
    {"NamespaceDeletionGroupVersionParsingFailure", "ParsedGroupVersions",
     "All legacy kube types successfully parsed"},
    {"NamespaceDeletionContentFailure", "ContentDeleted",
     "All content successfully deleted, may be waiting on finalization"},
    {"NamespaceContentRemaining", "ContentRemoved", "All content successfully removed"},
    {"NamespaceFinalizersRemaining", "ContentRemoved", "All content successfully removed"},
};

std::string join_sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

bool has_spec_finalizer(const json::object& ns) {
  const json::value* f = find_path(ns, {"spec", "finalizers"});
  if (!f || !f->is_array()) return false;
  for (const auto& v : f->as_array())
    if (v.is_string() && v.as_string() == kFinalizer) return true;
  return false;
}

bool has_verb(const api::ResourceInfo& r, const char* verb) {
  return std::find(r.verbs.begin(), r.verbs.end(), verb) != r.verbs.end();
}
}  // namespace

json::array namespace_conditions(const json::array& old_conditions, const NamespaceContent& c,
                                 const std::string& now) {
  // The failing variants (status True); absent = ok.
  std::map<std::string, std::pair<std::string, std::string>> failing;
  if (!c.discovery_errors.empty())
    failing["NamespaceDeletionDiscoveryFailure"] = {
        "DiscoveryFailed", "Discovery failed for some groups, " +
                               std::to_string(c.discovery_errors.size()) +
                               " failing: " + join_sorted(c.discovery_errors)};
  if (!c.delete_errors.empty())
    failing["NamespaceDeletionContentFailure"] = {
        "ContentDeletionFailed", "Failed to delete all resource types, " +
                                     std::to_string(c.delete_errors.size()) +
                                     " remaining: " + join_sorted(c.delete_errors)};
  std::vector<std::string> remaining, finalizers;
  for (const auto& [r, n] : c.remaining)
    if (n > 0) remaining.push_back(r + " has " + std::to_string(n) + " resource instances");
  for (const auto& [f, n] : c.finalizers)
    if (n > 0) finalizers.push_back(f + " in " + std::to_string(n) + " resource instances");
  if (!remaining.empty())
    failing["NamespaceContentRemaining"] = {"SomeResourcesRemain",
                                            "Some resources are remaining: " + join_sorted(remaining)};
  if (!finalizers.empty())
    failing["NamespaceFinalizersRemaining"] = {
        "SomeFinalizerRemain", "Some finalizers are remaining: " + join_sorted(finalizers)};

  json::array out = old_conditions;
  for (const auto& spec : kConditions) {
    auto f = failing.find(spec.type);
    const std::string status = f == failing.end() ? "False" : "True";
    const std::string reason = f == failing.end() ? spec.ok_reason : f->second.first;
    const std::string message = f == failing.end() ? spec.ok_message : f->second.second;
    json::object* old = nullptr;
    for (auto& o : out)
      if (o.is_object() && get_string(o, {"type"}) == spec.type) old = &o.as_object();
    if (!old) {
      out.push_back(json::object{{"type", spec.type},
                                 {"status", status},
                                 {"lastTransitionTime", now},
                                 {"reason", reason},
                                 {"message", message}});
      continue;
    }
    if (get_string(*old, {"status"}) != status) (*old)["lastTransitionTime"] = now;
    (*old)["status"] = status;
    (*old)["reason"] = reason;
    (*old)["message"] = message;
  }
  return out;
}

NamespaceController::NamespaceController(client::Client& c, InformerFactory& inf, int workers)
    : QueueController("namespace", workers), client_(c), namespaces_(inf.get("", "namespaces")) {
  auto key = [this](const ObjectPtr& o) {
    if (find_path(*o, {"metadata", "deletionTimestamp"})) enqueue(name_of(*o));
  };
  namespaces_.add_handlers(
      client::Handlers{key, [key](const ObjectPtr&, const ObjectPtr& o) { key(o); }, nullptr});
}

NamespaceContent NamespaceController::delete_content(const std::string& ns) {
  NamespaceContent c;
  const json::object opts{{"kind", "DeleteOptions"},
                          {"apiVersion", "v1"},
                          {"propagationPolicy", "Background"}};
  // Every served resource, the CRDs' too (this process's registry: a controller manager in
  // another process sees only the built-in kinds).
  for (const auto* rp : api::served_resources()) {
    const auto& r = *rp;
    if (r.storage || !r.namespaced || !has_verb(r, "delete") || !has_verb(r, "list")) continue;
    const std::string what = r.resource + "." + r.group;
    auto list = client_.list(r, ns);
    if (!list) {
      c.delete_errors.push_back(what + ": " + list.error().message);
      continue;
    }
    auto items = [](const json::object& l) {
      const json::value* v = l.if_contains("items");
      return v && v->is_array() ? v->as_array() : json::array{};
    };
    json::array objs = items(*list);
    if (objs.empty()) continue;
    bool pending = std::any_of(objs.begin(), objs.end(), [](const json::value& o) {
      return !find_path(o, {"metadata", "deletionTimestamp"});
    });
    if (pending) {
      bool ok = false;
      if (has_verb(r, "deletecollection")) {
        auto res = client_.request("DELETE", client::Client::path_for(r, ns),
                                   json::serialize(opts));
        ok = static_cast<bool>(res);
        if (!res && res.error().code != 405)
          c.delete_errors.push_back(what + ": " + res.error().message);
      }
      if (!ok)
        for (const auto& o : objs) {
          if (find_path(o, {"metadata", "deletionTimestamp"})) continue;
          auto res = client_.remove(r, ns, get_string(o, {"metadata", "name"}), opts);
          if (!res && res.error().code != 404) {
            c.delete_errors.push_back(what + ": " + res.error().message);
            break;
          }
        }
      list = client_.list(r, ns);
      if (!list) {
        c.delete_errors.push_back(what + ": " + list.error().message);
        continue;
      }
      objs = items(*list);
    }
    if (objs.empty()) continue;
    c.remaining[what] += static_cast<int64_t>(objs.size());
    for (const auto& o : objs)
      if (const json::value* f = find_path(o, {"metadata", "finalizers"}); f && f->is_array())
        for (const auto& name : f->as_array())
          if (name.is_string()) ++c.finalizers[std::string(name.as_string())];
  }
  return c;
}

Status NamespaceController::sync(const std::string& name) {
  ObjectPtr cached = namespaces_.get(name);
  if (!cached || !find_path(*cached, {"metadata", "deletionTimestamp"})) return ok_status();
  const auto& nsr = resource("", "namespaces");
  auto live = client_.get(nsr, "", name);
  if (!live) return live.error().code == 404 ? ok_status() : Status(live.error());
  json::object ns = std::move(*live);
  if (!find_path(ns, {"metadata", "deletionTimestamp"}) || !has_spec_finalizer(ns))
    return ok_status();  // not deleting after all, or already finalized

  NamespaceContent content = delete_content(name);
  json::array old_conds;
  if (const json::value* v = find_path(ns, {"status", "conditions"}); v && v->is_array())
    old_conds = v->as_array();
  json::array conds = namespace_conditions(old_conds, content, format_rfc3339(Clock::now()));
  bool phase_ok = get_string(ns, {"status", "phase"}) == "Terminating";
  if (!phase_ok || canonical_json(conds) != canonical_json(old_conds)) {
    json::object& st = ensure_object(ns, "status");
    st["phase"] = "Terminating";
    st["conditions"] = std::move(conds);
    auto r = client_.update(nsr, "", name, ns, "status");
    if (!r) return r.error().code == 404 ? ok_status() : Status(r.error());
    ns = std::move(*r);
  }
  if (!content.delete_errors.empty() || !content.discovery_errors.empty())
    return ApiError::internal("namespace " + name + ": content deletion failed");
  if (!content.remaining.empty()) {
    queue_.add_after(name, kRecheck);
    return ok_status();
  }
  json::array kept;
  for (const auto& v : find_path(ns, {"spec", "finalizers"})->as_array())
    if (!(v.is_string() && v.as_string() == kFinalizer)) kept.push_back(v);
  ensure_object(ns, "spec")["finalizers"] = std::move(kept);
  auto r = client_.update(nsr, "", name, ns, "finalize");
  if (!r && r.error().code != 404) return r.error();
  SKIFF_LOG(INFO) << "namespace controller: " << name << " is empty, finalized";
  return ok_status();
}

}  // namespace skiff::controllers
