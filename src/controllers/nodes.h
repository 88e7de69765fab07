// Controllers around nodes and voluntary/involuntary disruption:
//  - NodeLifecycleController (upstream's node lifecycle controller with its NoExecute taint
//    manager): marks nodes whose kubelet stopped heartbeating (Lease and Ready condition older
//    than the grace period) Ready=Unknown, keeps the condition taints (not-ready, unreachable,
//    pressure, unschedulable) in step with the conditions, marks their pods not ready and evicts
//    pods from nodes with NoExecute taints they do not tolerate (or after tolerationSeconds).
//  - DisruptionController: PodDisruptionBudget status (expected/healthy pods, disruptionsAllowed),
//    the budget pods/eviction (src/apiserver/eviction.cc) spends.
//  - PodGCController: deletes pods bound to nodes that no longer exist, terminated pods beyond a
//    threshold, unscheduled pods being deleted and terminating pods on out-of-service nodes.
// The pure decision logic (NoExecute evictions, node conditions, PDB arithmetic) is declared
// here too and unit-tested in tests/controllers/nodes_logic_test.cc.
#pragma once
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "apimachinery/node_matching.h"
#include "common/time.h"
#include "controllers/controllers.h"

namespace skiff::controllers {

inline constexpr const char* kTaintNotReady = "node.kubernetes.io/not-ready";
inline constexpr const char* kTaintUnreachable = "node.kubernetes.io/unreachable";
inline constexpr const char* kTaintUnschedulable = "node.kubernetes.io/unschedulable";
inline constexpr const char* kTaintOutOfService = "node.kubernetes.io/out-of-service";

// ---- pure logic: the NoExecute taint manager ----
// (Taint, Toleration and their matching are apimachinery/node_matching.h's.)

// What the taint manager does with a pod on a node with these taints: evict now (a NoExecute
// taint is not tolerated, or a toleration's time is up), at a time, or never.
struct NoExecuteDecision {
  bool evict_now = false;
  std::optional<Clock::time_point> evict_at;  // set when tolerated for a limited time
};
// A taint without time_added counts from `now` (the controller fills in when it first saw it).
NoExecuteDecision noexecute_decision(const std::vector<Taint>& taints,
                                     const std::vector<Toleration>& tolerations,
                                     Clock::time_point now);

// ---- pure logic: node conditions and condition taints ----

// The node's conditions with Ready, MemoryPressure, DiskPressure and PIDPressure set to
// Unknown (reason NodeStatusUnknown; missing ones added with NodeStatusNeverUpdated), as
// upstream does when the kubelet stopped posting status. `changed` reports whether any moved.
json::array conditions_unknown(const json::array& conditions, Clock::time_point now,
                               bool* changed);
// The status ("True", "False", "Unknown", "" when absent) of a condition in a node or pod.
std::string condition_status(const json::object& obj, std::string_view type);
// The node's taints with the controller-owned ones (not-ready/unreachable NoSchedule and
// NoExecute, memory/disk/pid-pressure, network-unavailable and unschedulable NoSchedule) made to
// match its conditions and spec.unschedulable; other taints stay in place. timeAdded is set on
// the NoExecute taints added. `changed` reports whether the result differs from the input.
json::array reconcile_condition_taints(const json::object& node, Clock::time_point now,
                                       bool* changed);

// ---- pure logic: PodDisruptionBudget arithmetic ----

// Whether expectedPods comes from the pods' controllers' scale (maxUnavailable, or a percentage
// minAvailable) rather than from the number of matching pods.
bool pdb_needs_scale(const json::object& pdb);
// desiredHealthy for `expected` pods: minAvailable (an int, or a percentage of expected rounded
// up) or expected - maxUnavailable (percentage rounded up); never negative.
int64_t pdb_desired_healthy(const json::object& pdb, int64_t expected);
// Upstream: currentHealthy - desiredHealthy, and 0 when that or expected is not positive.
int64_t pdb_disruptions_allowed(int64_t current_healthy, int64_t desired_healthy,
                                int64_t expected);
// How long an eviction recorded in status.disruptedPods waits for the pod's deletion to show
// before the pod counts again (upstream's DeletionTimeout).
inline constexpr std::chrono::minutes kDisruptedPodTimeout{2};

// ---- pure logic: pod GC ----

// The terminated (Succeeded/Failed, not being deleted) pods beyond `threshold`, oldest
// (creationTimestamp, then name) first; none when threshold <= 0.
std::vector<client::ObjectPtr> terminated_pods_to_gc(const std::vector<client::ObjectPtr>& pods,
                                                     int64_t threshold);

// ---- controllers ----

// Runs tick() on its own thread until stop(); tick returns how long to wait before the next.
// Subclasses must call stop() in their destructors (the thread calls their tick()).
class PeriodicController : public Controller {
 public:
  explicit PeriodicController(std::string name) : name_(std::move(name)) {}
  ~PeriodicController() override;
  void run() override;
  void stop() override;

 protected:
  virtual std::chrono::milliseconds tick() = 0;

 private:
  std::string name_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

class NodeLifecycleController : public PeriodicController {
 public:
  NodeLifecycleController(client::Client& c, InformerFactory& inf, const ControllerOptions& o);
  ~NodeLifecycleController() override { stop(); }

 protected:
  std::chrono::milliseconds tick() override;

 private:
  // Node health: when this controller last saw the heartbeat (lease renewTime or the Ready
  // condition's lastHeartbeatTime) change, on its own clock as upstream (no clock skew).
  struct Probe {
    std::string lease_renew, ready_heartbeat;
    std::chrono::steady_clock::time_point observed;
  };
  // Returns the node as written (or as it was when nothing needed writing).
  json::object update_health(const json::object& node, std::chrono::steady_clock::time_point now);
  void mark_pods_not_ready(const std::vector<client::ObjectPtr>& pods);
  void evict(const json::object& pod, const std::string& node);

  client::Client& client_;
  client::Informer& nodes_;
  client::Informer& leases_;
  client::Informer& pods_;
  std::chrono::milliseconds grace_, period_;
  std::map<std::string, Probe> probes_;  // by node name; only the tick thread touches it
  // First sight of NoExecute taints without timeAdded, by "node\x1fkey\x1feffect" (tick thread).
  std::map<std::string, Clock::time_point> taint_seen_;
};

class DisruptionController : public QueueController {
 public:
  DisruptionController(client::Client& c, InformerFactory& inf, int workers = 2);

 protected:
  Status sync(const std::string& key) override;

 private:
  void enqueue_for_pod(const json::object& pod);
  // Sum of the scale of the controllers of `pods` (ReplicaSet/Deployment/StatefulSet), or an
  // error naming a pod without a controller that has a scale.
  Result<int64_t> expected_from_scale(const std::vector<client::ObjectPtr>& pods);

  client::Client& client_;
  client::Informer& pdbs_;
  client::Informer& pods_;
  client::Informer& replicasets_;
  client::Informer& deployments_;
  client::Informer& statefulsets_;
};

class PodGCController : public PeriodicController {
 public:
  PodGCController(client::Client& c, InformerFactory& inf, const ControllerOptions& o);
  ~PodGCController() override { stop(); }

 protected:
  std::chrono::milliseconds tick() override;

 private:
  void force_delete(const json::object& pod, const char* reason, const std::string& message);

  client::Client& client_;
  client::Informer& pods_;
  client::Informer& nodes_;
  std::chrono::milliseconds period_;
  int64_t terminated_threshold_;
};

}  // namespace skiff::controllers
