// The patch strategies of the built-in kinds, transcribed from the struct tags of upstream's
// k8s.io/api types (core/v1, apps/v1, batch/v1, policy/v1, ...) and metav1.ObjectMeta.
//
// Each shared type (ObjectMeta, PodSpec, Container, ...) is described once and referenced from
// every place that embeds it, so adding a kind is one line in Schema's constructor.
#include "patch/strategy_table.h"

namespace skiff {
namespace patch_internal {
namespace {

// Field builders, named after the struct tags they stand for.
// `patchStrategy:"merge" patchMergeKey:"<key>"` on a list of structs.
FieldDesc merge_by(std::string key, const TypeDesc* elem = nullptr) {
  FieldDesc f;
  f.strategy.merge = true;
  f.strategy.merge_key = std::move(key);
  f.type = elem;
  return f;
}
// `patchStrategy:"merge,retainKeys" patchMergeKey:"<key>"`.
FieldDesc merge_retain_by(std::string key, const TypeDesc* elem = nullptr) {
  FieldDesc f = merge_by(std::move(key), elem);
  f.strategy.retain_keys = true;
  return f;
}
// `patchStrategy:"merge"` on a list of primitives: set union.
FieldDesc merge_set() {
  FieldDesc f;
  f.strategy.merge = true;
  return f;
}
// `patchStrategy:"retainKeys"` on a struct (a union whose other members a patch clears).
FieldDesc retain_keys(const TypeDesc* type = nullptr) {
  FieldDesc f;
  f.strategy.retain_keys = true;
  f.type = type;
  return f;
}
// `patchStrategy:"replace"`: the patch's value replaces the field's.
FieldDesc replace() {
  FieldDesc f;
  f.strategy.replace = true;
  return f;
}
// No strategy of its own; leads to a type that has some.
FieldDesc of(const TypeDesc* type) {
  FieldDesc f;
  f.type = type;
  return f;
}

struct Schema {
  // metav1
  TypeDesc object_meta, conditions_status;
  // core/v1
  TypeDesc container, pod_spec, pod_template_spec, pod_status, service_spec, service_status,
      node_spec, node_status, service_account;
  // apps/v1, batch/v1, policy/v1, storage/v1
  TypeDesc template_spec, deployment_spec, job_spec, job_template_spec, cron_job_spec, pdb_spec,
      csi_node_spec;

  // Root types by "group/Kind".
  std::map<std::string, TypeDesc, std::less<>> kinds;

  Schema() {
    object_meta = {{"ownerReferences", merge_by("uid")}, {"finalizers", merge_set()}};
    // The `status` of the many types whose only strategy is conditions merged by type.
    conditions_status = {{"conditions", merge_by("type")}};

    // Container and EphemeralContainer (EphemeralContainerCommon) share these tags.
    container = {{"ports", merge_by("containerPort")},
                 {"env", merge_by("name")},
                 {"volumeMounts", merge_by("mountPath")},
                 {"volumeDevices", merge_by("devicePath")}};
    pod_spec = {{"volumes", merge_retain_by("name")},
                {"initContainers", merge_by("name", &container)},
                {"containers", merge_by("name", &container)},
                {"ephemeralContainers", merge_by("name", &container)},
                {"imagePullSecrets", merge_by("name")},
                {"hostAliases", merge_by("ip")},
                {"topologySpreadConstraints", merge_by("topologyKey")},
                {"schedulingGates", merge_by("name")},
                {"resourceClaims", merge_retain_by("name")},
                {"evictionResponders", merge_by("name")}};
    pod_template_spec = {{"metadata", of(&object_meta)}, {"spec", of(&pod_spec)}};
    pod_status = {{"conditions", merge_by("type")},
                  {"hostIPs", merge_by("ip")},
                  {"podIPs", merge_by("ip")},
                  {"resourceClaimStatuses", merge_retain_by("name")},
                  {"nodeAllocatableResourceClaimStatuses", merge_by("resourceClaimName")}};
    service_spec = {{"ports", merge_by("port")}};
    node_spec = {{"podCIDRs", merge_set()}};
    node_status = {{"conditions", merge_by("type")}, {"addresses", merge_by("type")}};
    service_account = {{"secrets", merge_by("name")}};

    // ReplicaSet, StatefulSet, DaemonSet and ReplicationController specs: a pod template.
    template_spec = {{"template", of(&pod_template_spec)}};
    deployment_spec = {{"template", of(&pod_template_spec)}, {"strategy", retain_keys()}};
    job_spec = {{"template", of(&pod_template_spec)}};
    job_template_spec = {{"metadata", of(&object_meta)}, {"spec", of(&job_spec)}};
    cron_job_spec = {{"jobTemplate", of(&job_template_spec)}};
    pdb_spec = {{"selector", replace()}};
    csi_node_spec = {{"drivers", merge_by("name")}};

    // core/v1
    kind("", "Pod", {{"spec", of(&pod_spec)}, {"status", of(&pod_status)}});
    kind("", "PodTemplate", {{"template", of(&pod_template_spec)}});
    kind("", "ReplicationController",
         {{"spec", of(&template_spec)}, {"status", of(&conditions_status)}});
    kind("", "Service", {{"spec", of(&service_spec)}, {"status", of(&conditions_status)}});
    kind("", "Node", {{"spec", of(&node_spec)}, {"status", of(&node_status)}});
    kind("", "Namespace", {{"status", of(&conditions_status)}});
    kind("", "PersistentVolumeClaim", {{"status", of(&conditions_status)}});
    kind("", "ServiceAccount", {{"secrets", merge_by("name")}});
    kind("", "ComponentStatus", {{"conditions", merge_by("type")}});
    for (const char* k : {"Endpoints", "ConfigMap", "Secret", "Event", "LimitRange",
                          "ResourceQuota", "PersistentVolume", "Binding"})
      kind("", k, {});
    // apps/v1
    kind("apps", "Deployment", {{"spec", of(&deployment_spec)}, {"status", of(&conditions_status)}});
    for (const char* k : {"ReplicaSet", "StatefulSet", "DaemonSet"})
      kind("apps", k, {{"spec", of(&template_spec)}, {"status", of(&conditions_status)}});
    kind("apps", "ControllerRevision", {});
    // batch/v1
    kind("batch", "Job", {{"spec", of(&job_spec)}, {"status", of(&conditions_status)}});
    kind("batch", "CronJob", {{"spec", of(&cron_job_spec)}});
    // policy/v1
    kind("policy", "PodDisruptionBudget",
         {{"spec", of(&pdb_spec)}, {"status", of(&conditions_status)}});
    // autoscaling/v2
    kind("autoscaling", "HorizontalPodAutoscaler", {{"status", of(&conditions_status)}});
    // storage.k8s.io/v1
    kind("storage.k8s.io", "CSINode", {{"spec", of(&csi_node_spec)}});
    // Kinds whose only patch metadata is their ObjectMeta.
    for (auto [group, k] : std::initializer_list<std::pair<const char*, const char*>>{
             {"discovery.k8s.io", "EndpointSlice"},
             {"coordination.k8s.io", "Lease"},
             {"events.k8s.io", "Event"},
             {"rbac.authorization.k8s.io", "Role"},
             {"rbac.authorization.k8s.io", "ClusterRole"},
             {"rbac.authorization.k8s.io", "RoleBinding"},
             {"rbac.authorization.k8s.io", "ClusterRoleBinding"},
             {"networking.k8s.io", "Ingress"},
             {"networking.k8s.io", "IngressClass"},
             {"networking.k8s.io", "NetworkPolicy"},
             {"storage.k8s.io", "StorageClass"},
             {"storage.k8s.io", "CSIDriver"},
             {"storage.k8s.io", "VolumeAttachment"},
             {"scheduling.k8s.io", "PriorityClass"},
             {"certificates.k8s.io", "CertificateSigningRequest"}})
      kind(group, k, {});
  }

  // Registers a kind's root type; every kind has ObjectMeta as `metadata`.
  void kind(std::string_view group, std::string_view k, TypeDesc root) {
    root.fields.emplace("metadata", of(&object_meta));
    kinds.insert_or_assign(std::string(group) + "/" + std::string(k), std::move(root));
  }
};

const Schema& schema() {
  static const Schema s;
  return s;
}

}  // namespace

const TypeDesc* root_type(std::string_view group, std::string_view kind) {
  if (group == "core") group = "";
  const auto& kinds = schema().kinds;
  auto it = kinds.find(std::string(group) + "/" + std::string(kind));
  return it == kinds.end() ? nullptr : &it->second;
}

}  // namespace patch_internal

FieldStrategy field_strategy(std::string_view group, std::string_view kind,
                             const std::vector<std::string>& path) {
  const patch_internal::TypeDesc* type = patch_internal::root_type(group, kind);
  const patch_internal::FieldDesc* field = nullptr;
  for (const auto& name : path) {
    if (!type) return {};
    field = type->field(name);
    if (!field) return {};
    type = field->type;
  }
  return field ? field->strategy : FieldStrategy{};
}

}  // namespace skiff
