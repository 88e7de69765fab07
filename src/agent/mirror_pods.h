// MirrorPods: the node agent's mirror pods (upstream: the kubelet's static pods and its mirror
// client). The cluster's components that run inside this process (kube-apiserver,
// kube-controller-manager and kube-scheduler in `skiff server`; kube-proxy and kube-flannel
// wherever the agent runs them) each get a pod `<component>-<node>` in kube-system, created
// through the API with the node's credentials, so `kubectl get pods -n kube-system` shows what
// runs the cluster (docs/agent.md, "Mirror pods").
//
// One thread: every 10 s (kProbePeriod) it probes each component (kube-apiserver: GET /readyz
// with the node's client; the others: common/health.h) and writes the pod's status when it
// changed; at once on a change of a mirror pod (from the agent's pod informer) it recreates a
// pod that is missing or being deleted (new uid), replaces one whose config.mirror hash differs
// from ours (an older agent's, or an edited spec: delete, then create, as upstream), and deletes
// mirror pods on this node of components it does not run. Stopping leaves the pods (as
// upstream); podgc removes them with the Node.
#pragma once
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "agent/context.h"
#include "agent/mirror_pod_spec.h"

namespace skiff::agent {

class MirrorPods {
 public:
  static constexpr std::chrono::seconds kProbePeriod{10};
  static constexpr std::chrono::milliseconds kRecreateDelay{1000};

  MirrorPods(NodeContext& ctx, std::vector<std::string> components);
  ~MirrorPods();
  void start();
  void stop();  // the pods stay in the API
  // From the node's pod informer: a mirror pod was added or changed, or was deleted.
  void observe(const json::object& pod);
  void deleted(const json::object& pod);
  // The component log file `kubectl logs` serves for container `container` of pod ns/name, or
  // nullopt when that is not one of our mirror pods' containers.
  std::optional<std::string> log_path(const std::string& ns, const std::string& name,
                                      const std::string& container) const;

 private:
  void loop();
  void sync(bool probe);
  void sync_one(const std::string& component, const json::object* live);
  health::Report probe(const std::string& component);
  MirrorFacts facts(const std::string& component) const;

  NodeContext& ctx_;
  const std::vector<std::string> components_;
  std::vector<std::string> command_;  // this process's argv, shown as each container's command
  std::thread thread_;

  mutable std::mutex mu_;  // guards the fields below
  std::condition_variable cv_;
  bool stopping_ = false, dirty_ = true;
  std::map<std::string, json::object> live_;  // mirror pods on this node by name, as last seen
  std::set<std::string> deleted_uids_;        // late events of pods we deleted are ignored
  // Only the thread uses these:
  std::string node_uid_;
  std::map<std::string, health::Report> health_;       // by component, from the last probe
  std::map<std::string, std::chrono::steady_clock::time_point> hold_until_;  // recreate after
  std::map<std::string, json::object> written_;  // by pod uid: the status last written
};

}  // namespace skiff::agent
