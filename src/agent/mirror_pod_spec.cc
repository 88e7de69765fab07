#include "agent/mirror_pod_spec.h"
#include "agent/pod_condition.h"

#include "common/time.h"
#include "common/version.h"
#include "images/digest.h"

namespace skiff::agent {

bool is_mirror_pod(const json::object& pod) {
  const auto* a = find_path(pod, {"metadata", "annotations", kMirrorAnnotation});
  return a != nullptr;
}

bool is_control_plane_component(const std::string& c) {
  return c == "kube-apiserver" || c == "kube-controller-manager" || c == "kube-scheduler";
}

std::string mirror_pod_name(const MirrorFacts& f) { return f.component + "-" + f.node_name; }

std::string mirror_image(const std::string& component) {
  return "skiff.invalid/" + component + ":" + kSkiffVersion;
}

namespace {
// kubeadm's labels for control-plane pods; the DaemonSet labels of upstream's kube-proxy and
// flannel for the node components.
json::object labels_of(const std::string& c) {
  if (is_control_plane_component(c)) return {{"component", c}, {"tier", "control-plane"}};
  if (c == "kube-proxy") return {{"k8s-app", "kube-proxy"}};
  if (c == "kube-flannel") return {{"app", "flannel"}, {"tier", "node"}};
  return {{"component", c}};
}

// The pod without the annotations that depend on it (hash) or on time (seen).
json::object base_pod(const MirrorFacts& f) {
  json::array command;
  for (const auto& a : f.command) command.push_back(json::string(a));
  json::object container{{"name", f.component},
                         {"image", mirror_image(f.component)},
                         {"imagePullPolicy", "Never"},
                         {"command", std::move(command)}};
  return json::object{
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata",
       json::object{{"name", mirror_pod_name(f)},
                    {"namespace", kMirrorNamespace},
                    {"labels", labels_of(f.component)},
                    {"annotations", json::object{{kSourceAnnotation, "file"}}}}},
      {"spec", json::object{{"nodeName", f.node_name},
                            {"hostNetwork", true},
                            {"priorityClassName", "system-node-critical"},
                            {"restartPolicy", "Always"},
                            {"tolerations", json::array{json::object{{"operator", "Exists"},
                                                                     {"effect", "NoExecute"}}}},
                            {"containers", json::array{std::move(container)}}}}};
}
}  // namespace

std::string mirror_hash(const MirrorFacts& f) {
  // Upstream hashes the pod with md5 (32 hex digits); the same length from SHA-256 here.
  std::string d = images::sha256_digest(json::serialize(base_pod(f)));
  return d.substr(d.find(':') + 1, 32);
}

json::object mirror_pod(const MirrorFacts& f) {
  json::object pod = base_pod(f);
  std::string hash = mirror_hash(f);
  auto& md = pod["metadata"].as_object();
  auto& ann = md["annotations"].as_object();
  ann[kHashAnnotation] = hash;
  ann[kMirrorAnnotation] = hash;
  ann[kSeenAnnotation] = format_rfc3339_micro(Clock::now());
  // As upstream's mirror client: the Node owns its mirror pods (podgc removes them with it).
  md["ownerReferences"] = json::array{json::object{{"apiVersion", "v1"},
                                                   {"kind", "Node"},
                                                   {"name", f.node_name},
                                                   {"uid", f.node_uid},
                                                   {"controller", true}}};
  return pod;
}


json::object mirror_status(const MirrorFacts& f, const health::Report& health,
                           const json::object& old_status, std::chrono::system_clock::time_point now) {
  const std::string t = format_rfc3339(now);
  const std::string started = health.started.time_since_epoch().count() > 0
                                  ? format_rfc3339(health.started)
                                  : get_string(old_status, {"startTime"}, t);
  const bool ready = health.healthy;
  const std::string why = "ContainersNotReady",
                    msg = "containers with unready status: [" + f.component + "]";
  json::array conds{
      pod_condition(old_status, "PodReadyToStartContainers", true, t),
      pod_condition(old_status, "Initialized", true, t),
      ready ? pod_condition(old_status, "Ready", true, t) : pod_condition(old_status, "Ready", false, t, why, msg),
      ready ? pod_condition(old_status, "ContainersReady", true, t)
            : pod_condition(old_status, "ContainersReady", false, t, why, msg),
      pod_condition(old_status, "PodScheduled", true, t)};
  json::object container{{"name", f.component},
                         {"image", mirror_image(f.component)},
                         {"imageID", ""},
                         {"ready", ready},
                         {"started", true},
                         {"restartCount", 0},
                         {"state", json::object{{"running", json::object{{"startedAt", started}}}}}};
  return json::object{{"phase", "Running"},
                      {"conditions", std::move(conds)},
                      {"hostIP", f.host_ip},
                      {"hostIPs", json::array{json::object{{"ip", f.host_ip}}}},
                      {"podIP", f.host_ip},
                      {"podIPs", json::array{json::object{{"ip", f.host_ip}}}},
                      {"startTime", started},
                      {"qosClass", "BestEffort"},
                      {"containerStatuses", json::array{std::move(container)}}};
}

}  // namespace skiff::agent
