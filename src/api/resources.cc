#include "api/resources.h"

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <shared_mutex>

namespace skiff::api {
namespace {
const std::vector<std::string> kAll = {"create", "delete", "deletecollection", "get",
                                       "list",   "patch",  "update",           "watch"};
const std::vector<std::string> kGPU = {"get", "patch", "update"};

Subresource status(const std::string& g, const std::string& v, const std::string& kind) {
  return {"status", g, v, kind, kGPU};
}
Subresource scale() { return {"scale", "autoscaling", "v1", "Scale", kGPU}; }

// The versions of apps kinds that tutorials and old charts still use, stored as apps/v1 and
// converted (api/conversion.h). Decision: they are served although upstream removed them in
// 1.16, each response with the deprecation warning upstream's lifecycle gives them. They carry
// no short names and no categories (`kubectl get deploy` is not ambiguous, `kubectl get all`
// lists each kind once) and come after every other group in discovery, so clients resolve
// "deployments" to apps/v1.
template <class Add>
void add_legacy_versions(std::vector<ResourceInfo>& r, Add add) {
  struct Legacy {
    const char* group;
    const char* version;
    const char* resource;
    const char* deprecated;
  };
  const Legacy legacy[] = {
      {"apps", "v1beta2", "controllerrevisions", "1.9"}, {"apps", "v1beta2", "daemonsets", "1.9"},
      {"apps", "v1beta2", "deployments", "1.9"},         {"apps", "v1beta2", "replicasets", "1.9"},
      {"apps", "v1beta2", "statefulsets", "1.9"},        {"apps", "v1beta1", "controllerrevisions", "1.8"},
      {"apps", "v1beta1", "deployments", "1.8"},         {"apps", "v1beta1", "statefulsets", "1.8"},
      {"extensions", "v1beta1", "daemonsets", "1.8"},    {"extensions", "v1beta1", "deployments", "1.8"},
      {"extensions", "v1beta1", "replicasets", "1.8"},
  };
  const size_t hubs = r.size();
  for (const auto& l : legacy) {
    const ResourceInfo* hub = nullptr;
    for (size_t i = 0; i < hubs; ++i)
      if (r[i].group == "apps" && r[i].resource == l.resource) hub = &r[i];
    std::vector<Subresource> subs;
    for (const auto& s : hub->subresources) {
      subs.push_back(s);
      if (s.name == "status") subs.back().group = l.group, subs.back().version = l.version;
    }
    const std::string kind = hub->kind;  // `add` may move the table
    add(l.group, l.version, hub->resource, hub->singular, kind, true, std::vector<std::string>{},
        std::vector<std::string>{}, std::move(subs));
    r.back().deprecation = std::string(l.group) + "/" + l.version + " " + kind +
                           " is deprecated in v" + l.deprecated +
                           "+, unavailable in v1.16+; use apps/v1 " + kind;
  }
}

std::vector<ResourceInfo> build() {
  std::vector<ResourceInfo> r;
  auto add = [&](std::string g, std::string v, std::string res, std::string singular,
                 std::string kind, bool ns, std::vector<std::string> shorts,
                 std::vector<std::string> cats, std::vector<Subresource> subs,
                 std::vector<std::string> verbs = kAll) {
    ResourceInfo e;
    e.group = std::move(g);
    e.version = std::move(v);
    e.resource = std::move(res);
    e.singular = std::move(singular);
    e.kind = std::move(kind);
    e.namespaced = ns;
    e.verbs = std::move(verbs);
    e.short_names = std::move(shorts);
    e.categories = std::move(cats);
    e.subresources = std::move(subs);
    r.push_back(std::move(e));
  };
  // core/v1
  add("", "v1", "bindings", "binding", "Binding", true, {}, {}, {}, {"create"});
  add("", "v1", "configmaps", "configmap", "ConfigMap", true, {"cm"}, {}, {});
  add("", "v1", "endpoints", "endpoints", "Endpoints", true, {"ep"}, {}, {});
  add("", "v1", "events", "event", "Event", true, {"ev"}, {}, {});
  add("", "v1", "limitranges", "limitrange", "LimitRange", true, {"limits"}, {}, {});
  add("", "v1", "namespaces", "namespace", "Namespace", false, {"ns"}, {},
      {{"finalize", "", "v1", "Namespace", {"update"}}, status("", "v1", "Namespace")},
      {"create", "delete", "get", "list", "patch", "update", "watch"});
  add("", "v1", "nodes", "node", "Node", false, {"no"}, {},
      {{"proxy", "", "v1", "NodeProxyOptions",
        {"create", "delete", "get", "head", "patch", "update"}},
       status("", "v1", "Node")});
  add("", "v1", "persistentvolumeclaims", "persistentvolumeclaim", "PersistentVolumeClaim", true,
      {"pvc"}, {}, {status("", "v1", "PersistentVolumeClaim")});
  add("", "v1", "persistentvolumes", "persistentvolume", "PersistentVolume", false, {"pv"}, {},
      {status("", "v1", "PersistentVolume")});
  add("", "v1", "pods", "pod", "Pod", true, {"po"}, {"all"},
      {{"attach", "", "v1", "PodAttachOptions", {"create", "get"}},
       {"binding", "", "v1", "Binding", {"create"}},
       {"eviction", "policy", "v1", "Eviction", {"create"}},
       {"exec", "", "v1", "PodExecOptions", {"create", "get"}},
       {"log", "", "v1", "Pod", {"get"}},
       {"portforward", "", "v1", "PodPortForwardOptions", {"create", "get"}},
       {"proxy", "", "v1", "PodProxyOptions",
        {"create", "delete", "get", "head", "patch", "update"}},
       status("", "v1", "Pod")});
  add("", "v1", "resourcequotas", "resourcequota", "ResourceQuota", true, {"quota"}, {},
      {status("", "v1", "ResourceQuota")});
  add("", "v1", "secrets", "secret", "Secret", true, {}, {}, {});
  add("", "v1", "serviceaccounts", "serviceaccount", "ServiceAccount", true, {"sa"}, {},
      {{"token", "authentication.k8s.io", "v1", "TokenRequest", {"create"}}});
  add("", "v1", "services", "service", "Service", true, {"svc"}, {"all"},
      {{"proxy", "", "v1", "ServiceProxyOptions",
        {"create", "delete", "get", "head", "patch", "update"}},
       status("", "v1", "Service")});
  // apps/v1
  add("apps", "v1", "controllerrevisions", "controllerrevision", "ControllerRevision", true, {},
      {}, {});
  add("apps", "v1", "daemonsets", "daemonset", "DaemonSet", true, {"ds"}, {"all"},
      {status("apps", "v1", "DaemonSet")});
  add("apps", "v1", "deployments", "deployment", "Deployment", true, {"deploy"}, {"all"},
      {scale(), status("apps", "v1", "Deployment")});
  add("apps", "v1", "replicasets", "replicaset", "ReplicaSet", true, {"rs"}, {"all"},
      {scale(), status("apps", "v1", "ReplicaSet")});
  add("apps", "v1", "statefulsets", "statefulset", "StatefulSet", true, {"sts"}, {"all"},
      {scale(), status("apps", "v1", "StatefulSet")});
  // batch/v1
  add("batch", "v1", "cronjobs", "cronjob", "CronJob", true, {"cj"}, {"all"},
      {status("batch", "v1", "CronJob")});
  add("batch", "v1", "jobs", "job", "Job", true, {}, {"all"}, {status("batch", "v1", "Job")});
  // coordination.k8s.io/v1
  add("coordination.k8s.io", "v1", "leases", "lease", "Lease", true, {}, {}, {});
  // discovery.k8s.io/v1
  add("discovery.k8s.io", "v1", "endpointslices", "endpointslice", "EndpointSlice", true, {}, {},
      {});
  // events.k8s.io/v1
  add("events.k8s.io", "v1", "events", "event", "Event", true, {"ev"}, {}, {});
  // policy/v1
  add("policy", "v1", "poddisruptionbudgets", "poddisruptionbudget", "PodDisruptionBudget", true,
      {"pdb"}, {}, {status("policy", "v1", "PodDisruptionBudget")});
  // scheduling.k8s.io/v1
  add("scheduling.k8s.io", "v1", "priorityclasses", "priorityclass", "PriorityClass", false,
      {"pc"}, {}, {});
  // apiextensions.k8s.io/v1
  add("apiextensions.k8s.io", "v1", "customresourcedefinitions", "customresourcedefinition",
      "CustomResourceDefinition", false, {"crd", "crds"}, {"api-extensions"},
      {status("apiextensions.k8s.io", "v1", "CustomResourceDefinition")});
  add_legacy_versions(r, add);
  return r;
}
}  // namespace

bool ResourceInfo::has_subresource(std::string_view name) const {
  return subresource(name) != nullptr;
}
const Subresource* ResourceInfo::subresource(std::string_view name) const {
  for (const auto& s : subresources)
    if (s.name == name) return &s;
  return nullptr;
}
std::string ResourceInfo::key_prefix() const {
  if (storage) return storage->key_prefix();
  return "/registry/" + (group.empty() ? std::string("core") : group) + "/" + resource + "/";
}

namespace {
// Built-ins whose `storage` points into the same table (set once the vector stops growing).
std::vector<ResourceInfo> build_linked() {
  auto r = build();
  for (auto& e : r)
    if (!e.deprecation.empty())
      for (const auto& h : r)
        if (h.group == "apps" && h.version == "v1" && h.resource == e.resource) e.storage = &h;
  return r;
}

// Run-time entries: never freed (pointers handed out stay valid); `current` is what is served.
struct Dynamic {
  std::shared_mutex mu;
  std::deque<std::unique_ptr<ResourceInfo>> arena;               // GUARDED_BY(mu)
  std::map<std::string, std::vector<const ResourceInfo*>> owners;  // GUARDED_BY(mu)
  std::vector<const ResourceInfo*> current;                      // GUARDED_BY(mu)
  std::atomic<uint64_t> generation{0};
};
Dynamic& dynamic() {
  static Dynamic d;
  return d;
}
}  // namespace

const std::vector<ResourceInfo>& all_resources() {
  static const std::vector<ResourceInfo> kResources = build_linked();
  return kResources;
}

void register_resources(const std::string& owner, std::vector<ResourceInfo> resources,
                        const std::string& storage_version) {
  auto& d = dynamic();
  std::unique_lock lock(d.mu);
  std::vector<const ResourceInfo*> mine;
  size_t first = d.arena.size();
  for (auto& r : resources) {
    d.arena.push_back(std::make_unique<ResourceInfo>(std::move(r)));
    mine.push_back(d.arena.back().get());
  }
  if (!storage_version.empty())
    for (size_t i = first; i < d.arena.size(); ++i)
      for (size_t j = first; j < d.arena.size(); ++j)
        if (i != j && d.arena[j]->version == storage_version &&
            d.arena[j]->resource == d.arena[i]->resource && d.arena[i]->version != storage_version)
          d.arena[i]->storage = d.arena[j].get();
  if (mine.empty()) d.owners.erase(owner);
  else d.owners[owner] = std::move(mine);
  d.current.clear();
  for (const auto& [_, v] : d.owners) d.current.insert(d.current.end(), v.begin(), v.end());
  d.generation.fetch_add(1);
}

std::vector<const ResourceInfo*> served_resources() {
  std::vector<const ResourceInfo*> out;
  for (const auto& r : all_resources()) out.push_back(&r);
  auto& d = dynamic();
  std::shared_lock lock(d.mu);
  out.insert(out.end(), d.current.begin(), d.current.end());
  return out;
}

uint64_t registry_generation() { return dynamic().generation.load(); }

const ResourceInfo* find_resource(std::string_view group, std::string_view version,
                                  std::string_view resource) {
  for (const auto& r : all_resources())
    if (r.group == group && r.version == version && r.resource == resource) return &r;
  if (dynamic().generation.load() == 0) return nullptr;
  auto& d = dynamic();
  std::shared_lock lock(d.mu);
  for (const auto* r : d.current)
    if (r->group == group && r->version == version && r->resource == resource) return r;
  return nullptr;
}

const ResourceInfo* find_kind(std::string_view group, std::string_view version,
                              std::string_view kind) {
  for (const auto& r : all_resources())
    if (r.group == group && r.version == version && r.kind == kind) return &r;
  if (dynamic().generation.load() == 0) return nullptr;
  auto& d = dynamic();
  std::shared_lock lock(d.mu);
  for (const auto* r : d.current)
    if (r->group == group && r->version == version && r->kind == kind) return r;
  return nullptr;
}

std::vector<GroupVersions> served_groups() {
  std::vector<GroupVersions> out;
  for (const auto* rp : served_resources()) {
    const auto& r = *rp;
    GroupVersions* gv = nullptr;
    for (auto& g : out)
      if (g.group == r.group) gv = &g;
    if (!gv) {
      out.push_back({r.group, {}});
      gv = &out.back();
    }
    bool have = false;
    for (const auto& v : gv->versions) have = have || v == r.version;
    if (!have) gv->versions.push_back(r.version);
  }
  return out;
}
}  // namespace skiff::api
