// The ServiceAccount admission plugin (see admission.h): the account a pod runs as, and the
// kube-api-access volume that carries its credentials.
#include "apiserver/admission.h"
#include "apiserver/stored_object.h"
#include "common/uuid.h"

namespace skiff::apiserver {

// Upstream's ServiceAccount admission plugin, on create: a pod runs as `default` unless it
// names an account (spec.serviceAccount is the deprecated mirror of serviceAccountName), takes
// the account's imagePullSecrets when it has none, and gets the account's credentials as a
// projected volume kube-api-access-<5 random> (a bound token refreshed by the kubelet, the
// cluster CA from the kube-root-ca.crt ConfigMap, the namespace) mounted read-only at
// /var/run/secrets/kubernetes.io/serviceaccount in every container and init container that
// does not mount something there already; automountServiceAccountToken: false on the pod, else
// on the account, turns that off. Mirror pods (static pods the kubelet reports) are left alone.
// Decision: unlike upstream, a missing account is not refused: a pod created right after its
// namespace would otherwise race the ServiceAccount controller; its token request fails (and
// the pod waits in ContainerCreating) until the account exists.
void Admission::admit_service_account(json::object& pod) {
  if (find_path(pod, {"metadata", "annotations", "kubernetes.io/config.mirror"})) return;
  json::object& spec = ensure_object(pod, "spec");
  std::string name = get_string(spec, {"serviceAccountName"});
  if (name.empty()) name = get_string(spec, {"serviceAccount"});
  if (name.empty()) name = "default";
  spec["serviceAccountName"] = name;
  spec["serviceAccount"] = name;

  std::optional<json::object> sa;
  const auto* sar = api::find_resource("", "v1", "serviceaccounts");
  auto got = store_.get(sar->key_prefix() + get_string(pod, {"metadata", "namespace"}) + "/" + name);
  if (got.code == storage::Code::kOk)
    if (auto decoded = decode_stored_object(got.kv)) sa = std::move(*decoded);
  if (sa) {
    const json::value* pull = find_path(spec, {"imagePullSecrets"});
    const json::value* sa_pull = find_path(*sa, {"imagePullSecrets"});
    if ((!pull || !pull->is_array() || pull->get_array().empty()) && sa_pull && sa_pull->is_array() &&
        !sa_pull->get_array().empty())
      spec["imagePullSecrets"] = *sa_pull;
  }
  const json::value* automount = spec.if_contains("automountServiceAccountToken");
  if (!automount && sa) automount = sa->if_contains("automountServiceAccountToken");
  if (automount && automount->is_bool() && !automount->get_bool()) return;
  mount_service_account_token(spec);
}

void Admission::mount_service_account_token(json::object& spec) {
  static constexpr const char* kMountPath = "/var/run/secrets/kubernetes.io/serviceaccount";
  std::string volume;
  auto& volumes = ensure_array(spec, "volumes");
  for (const auto& v : volumes)
    if (get_string(v, {"name"}).starts_with("kube-api-access-")) volume = get_string(v, {"name"});
  const bool had_volume = !volume.empty();
  if (!had_volume) volume = "kube-api-access-" + random_suffix(5);
  bool needed = false;
  for (const char* list : {"initContainers", "containers"}) {
    auto* cs = spec.if_contains(list);
    if (!cs || !cs->is_array()) continue;
    for (auto& c : cs->get_array()) {
      if (!c.is_object()) continue;
      auto& mounts = ensure_array(c.get_object(), "volumeMounts");
      bool taken = false;
      for (const auto& m : mounts) taken = taken || get_string(m, {"mountPath"}) == kMountPath;
      if (taken) continue;
      mounts.push_back(
          json::object{{"name", volume}, {"readOnly", true}, {"mountPath", kMountPath}});
      needed = true;
    }
  }
  if (had_volume || !needed) {
    if (volumes.empty()) spec.erase("volumes");
    return;
  }
  json::array sources{
      json::object{{"serviceAccountToken",
                    json::object{{"expirationSeconds", 3607}, {"path", "token"}}}},
      json::object{{"configMap",
                    json::object{{"name", "kube-root-ca.crt"},
                                 {"items", json::array{json::object{{"key", "ca.crt"},
                                                                    {"path", "ca.crt"}}}}}}},
      json::object{{"downwardAPI",
                    json::object{{"items",
                                  json::array{json::object{
                                      {"path", "namespace"},
                                      {"fieldRef", json::object{{"apiVersion", "v1"},
                                                                {"fieldPath",
                                                                 "metadata.namespace"}}}}}}}}}};
  volumes.push_back(json::object{
      {"name", volume},
      {"projected", json::object{{"sources", std::move(sources)}, {"defaultMode", 420}}}});
}

}  // namespace skiff::apiserver
