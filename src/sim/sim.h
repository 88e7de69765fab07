// `skiff sim`: hollow nodes. Registers N Node objects and acts as their kubelet without
// containers: renews each node's Lease in kube-node-lease, refreshes the Ready condition, turns
// pods bound to its nodes Running (addresses from the node's podCIDR, ready containers), ends
// the ones meant to finish (restartPolicy Never/OnFailure, pod_lifecycle.h) and completes their
// graceful deletion. Stopping it stops the heartbeats and leaves the nodes, so
// the control plane sees dead machines. One process carries thousands of nodes (docs/sim.md).
#pragma once
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "client/client.h"
#include "client/informer.h"
#include "sim/objects.h"

namespace skiff::sim {

// The sim's work, reusable in tests: the client and the configuration are the only inputs.
// Thread safety: start() once from one thread; stop() from any thread, any time (also while
// start() is still registering nodes); stats() from any thread.
class HollowNodes {
 public:
  // `client` must outlive this object. The config is taken as validated (parse_sim_flags).
  HollowNodes(client::Client& client, SimConfig cfg);
  ~HollowNodes();  // stop()
  HollowNodes(const HollowNodes&) = delete;
  HollowNodes& operator=(const HollowNodes&) = delete;

  // Starts the heartbeats, registers every node and its Lease (blocking, logging progress
  // every few seconds), then starts the pod informer and workers. Fails on errors that retrying
  // does not cure (bad credentials, a rejected Node) or when stopped meanwhile.
  Status start();
  // Stops every thread promptly; deletes nothing.
  void stop();

  struct Stats {
    int64_t nodes_registered = 0;
    int64_t lease_renewals = 0;
    int64_t heartbeat_errors = 0;
    int64_t pods_started = 0;
    int64_t pods_deleted = 0;
    int64_t pods_finished = 0;  // container exits written (pod_lifecycle.h), restarts included
    int64_t pod_ips = 0;  // pods holding an address now
  };
  Stats stats() const;
  const AddressPlan& plan() const { return plan_; }
  // The node index of a node name of ours, or -1.
  int node_index(const std::string& name) const;

 private:
  struct NodeState {
    std::string name;
    std::string uid;
    std::string internal_ip;
    Clock::time_point since{};        // the conditions' lastTransitionTime
    Clock::time_point last_status{};  // last Ready heartbeat written (heartbeat thread only)
    std::chrono::steady_clock::time_point registered_at{};  // for --pod-cidr-wait
  };
  enum class Outcome { kDone, kRetry };

  Status register_node(int index);
  Status ensure_lease(int index);
  void heartbeat_loop(int shard);
  void heartbeat(int index);
  void pod_sync_loop();
  void worker_loop();
  Outcome reconcile(const std::string& key);
  // A Running pod meant to finish: waits (add_after) for its run to end, then exits it.
  Outcome run_pod(const std::string& key, const json::object& pod, std::chrono::milliseconds run);
  void forget_pod(const std::string& key);  // drops pending_ and finish_at_ entries
  int pod_node(const json::object& pod) const;
  // Sleeps until `deadline` or stop; false when stopped.
  bool sleep_until(std::chrono::steady_clock::time_point deadline);
  void report_loop();
  // The node's podCIDR became known: its block is set and the pods waiting for it are queued.
  void adopt_pod_cidr(int index, const std::string& cidr);
  // Nodes still without a podCIDR --pod-cidr-wait after registration get the plan's block.
  void cidr_fallback_loop();
  void set_own_pod_cidr(int index);

  client::Client& client_;
  const SimConfig cfg_;
  const AddressPlan plan_;
  const std::string boot_id_;
  std::unordered_map<std::string, int> index_;  // node name -> index; const after construction
  // nodes_[i] is written by the thread registering node i before registered_[i] is set
  // (release); heartbeat threads read it after seeing registered_[i] (acquire).
  std::vector<NodeState> nodes_;
  std::unique_ptr<std::atomic<bool>[]> registered_;
  IpAllocator ips_;
  client::WorkQueue queue_;

  std::mutex cidr_mu_;  // taken before ips_'s own mutex
  // Pods bound to a node whose podCIDR is not known yet, by node index; queued again by
  // adopt_pod_cidr(). Guarded by cidr_mu_ (together with setting a node's block, so no pod
  // misses its wake-up).
  std::unordered_map<int, std::unordered_set<std::string>> waiting_cidr_;

  std::atomic<bool> stop_{false};
  std::mutex wait_mu_;
  std::condition_variable wait_cv_;  // woken by stop() and by the end of the initial sync
  bool pods_ready_ = false;          // guarded by wait_mu_: existing pod IPs are reserved

  std::mutex pending_mu_;
  // Pods bound but not yet started, and since when (for --pod-start-delay). Guarded by pending_mu_.
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> pending_;
  // When the containers of Running pods meant to finish exit (only those pods: restartPolicy
  // Always pods never enter it). Guarded by pending_mu_.
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> finish_at_;

  std::atomic<int64_t> nodes_registered_{0}, lease_renewals_{0}, heartbeat_errors_{0},
      pods_started_{0}, pods_deleted_{0}, pods_finished_{0};

  std::mutex life_mu_;
  // Guarded by life_mu_. The informer is declared before the threads that read it and is
  // stopped before they are joined.
  std::unique_ptr<client::Informer> informer_;       // pods
  std::unique_ptr<client::Informer> node_informer_;  // nodes: their spec.podCIDR
  std::vector<std::thread> threads_;
  bool started_ = false;
};

}  // namespace skiff::sim
