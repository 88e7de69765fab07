#include "api/resources.h"

namespace skiff::api {
namespace {
const std::vector<std::string> kAll = {"create", "delete", "deletecollection", "get",
                                       "list",   "patch",  "update",           "watch"};
const std::vector<std::string> kGPU = {"get", "patch", "update"};

Subresource status(const std::string& g, const std::string& v, const std::string& kind) {
  return {"status", g, v, kind, kGPU};
}
Subresource scale() { return {"scale", "autoscaling", "v1", "Scale", kGPU}; }

std::vector<ResourceInfo> build() {
  std::vector<ResourceInfo> r;
  auto add = [&](std::string g, std::string v, std::string res, std::string singular,
                 std::string kind, bool ns, std::vector<std::string> shorts,
                 std::vector<std::string> cats, std::vector<Subresource> subs,
                 std::vector<std::string> verbs = kAll) {
    r.push_back(ResourceInfo{std::move(g), std::move(v), std::move(res), std::move(singular),
                             std::move(kind), ns, std::move(verbs), std::move(shorts),
                             std::move(cats), std::move(subs)});
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
  return "/registry/" + (group.empty() ? std::string("core") : group) + "/" + resource + "/";
}

const std::vector<ResourceInfo>& all_resources() {
  static const std::vector<ResourceInfo> kResources = build();
  return kResources;
}

std::vector<const ResourceInfo*> served_resources() {
  std::vector<const ResourceInfo*> out;
  for (const auto& r : all_resources()) out.push_back(&r);
  return out;
}

uint64_t registry_generation() { return 0; }

const ResourceInfo* find_resource(std::string_view group, std::string_view version,
                                  std::string_view resource) {
  for (const auto& r : all_resources())
    if (r.group == group && r.version == version && r.resource == resource) return &r;
  return nullptr;
}

const ResourceInfo* find_kind(std::string_view group, std::string_view version,
                              std::string_view kind) {
  for (const auto& r : all_resources())
    if (r.group == group && r.version == version && r.kind == kind) return &r;
  return nullptr;
}

std::vector<GroupVersions> served_groups() {
  std::vector<GroupVersions> out;
  for (const auto& r : all_resources()) {
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
