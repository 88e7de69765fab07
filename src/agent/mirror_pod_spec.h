// What a mirror pod looks like (upstream: pkg/kubelet/pod/mirror_client.go and the static pod
// manifests kubeadm writes): the pod the node agent creates in the API for each cluster
// component that runs inside its process, and the status it writes for it. Pure functions, so
// the health -> Ready mapping is tested without a cluster (tests/agent/mirror_pods_test.cc).
#pragma once
#include <chrono>
#include <string>
#include <vector>

#include "common/health.h"
#include "common/json.h"

namespace skiff::agent {

inline constexpr const char* kMirrorAnnotation = "kubernetes.io/config.mirror";
inline constexpr const char* kHashAnnotation = "kubernetes.io/config.hash";
inline constexpr const char* kSourceAnnotation = "kubernetes.io/config.source";
inline constexpr const char* kSeenAnnotation = "kubernetes.io/config.seen";
inline constexpr const char* kMirrorNamespace = "kube-system";

// True when `pod` carries kubernetes.io/config.mirror: the API's copy of a component the node
// runs itself. The agent never runs such a pod.
bool is_mirror_pod(const json::object& pod);

// kube-apiserver, kube-controller-manager, kube-scheduler (tier control-plane), kube-proxy,
// kube-flannel (node components).
bool is_control_plane_component(const std::string& component);

struct MirrorFacts {
  std::string component;              // "kube-scheduler"
  std::string node_name, node_uid;    // the owner
  std::string host_ip;
  std::vector<std::string> command;   // the process the component runs in (its argv)
};

// "<component>-<node>".
std::string mirror_pod_name(const MirrorFacts& f);
// The image string shown for a component: "skiff.invalid/<component>:<skiff version>" (never
// pulled: the .invalid domain cannot resolve, and the agent does not run mirror pods).
std::string mirror_image(const std::string& component);
// The pod to create: metadata (labels, annotations with the spec's hash, an ownerReference to
// the Node), spec (one container named after the component, hostNetwork, nodeName,
// priorityClassName system-node-critical, toleration of every NoExecute taint).
json::object mirror_pod(const MirrorFacts& f);
// config.hash of what mirror_pod() builds; a live pod whose config.mirror differs (an older
// agent's, or edited) is replaced.
std::string mirror_hash(const MirrorFacts& f);

// The status the agent writes: Running, hostIP/podIP = the node's address, startTime and the
// container's startedAt = the component's start, Ready/ContainersReady and the container's
// ready from `health`. Transition times are kept from `old_status` while a condition holds.
json::object mirror_status(const MirrorFacts& f, const health::Report& health,
                           const json::object& old_status, std::chrono::system_clock::time_point now);

}  // namespace skiff::agent
