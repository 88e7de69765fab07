// The scheduler's cache: every node and the pods counted on it, bound (from the informer) or
// assumed (chosen by this scheduler, binding still in flight). Assuming counts a pod on its
// node at once, so the next cycle sees the node's resources taken before the bind returns and
// two pods never overbook a node; a failed bind forgets the pod. An assumed pod whose bind
// finished but whose bound version never arrives expires after a TTL (upstream: 30 s... here
// the same default).
//
// Thread safety: all methods lock mu_. NodeInfos are copy-on-write, so snapshot() is O(nodes)
// and the snapshot stays valid while the cache changes.
#pragma once
#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "scheduler/framework.h"

namespace skiff::scheduler {

class Cache {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  explicit Cache(std::chrono::milliseconds assumed_ttl = std::chrono::seconds(30));

  void add_node(ObjectPtr node);  // add or update
  void remove_node(const std::string& name);

  // A pod with spec.nodeName (from the informer). Confirms an assumed pod of the same uid.
  // Terminal pods (Succeeded/Failed) hold no resources and are removed instead.
  void add_or_update_pod(PodInfoPtr pod);
  void remove_pod(const std::string& uid);

  // `pod` must carry node_name = the chosen node.
  void assume(PodInfoPtr pod);
  void finish_binding(const std::string& uid);  // starts the assumed pod's TTL
  void forget(const std::string& uid);          // bind failed: release the node's resources
  bool is_assumed(const std::string& uid) const;
  bool has_pod(const std::string& uid) const;
  // Drops assumed pods whose TTL passed (bound, but the informer never confirmed them).
  void cleanup_expired(TimePoint now = std::chrono::steady_clock::now());

  Snapshot snapshot() const;
  size_t node_count() const;

 private:
  struct PodState {
    PodInfoPtr pod;
    bool assumed = false;
    bool binding_finished = false;
    TimePoint deadline{};
  };
  std::shared_ptr<NodeInfo> mutable_node_locked(const std::string& name);
  void remove_pod_locked(const std::string& uid);
  void add_images_locked(const NodeInfo& n, int delta);

  std::chrono::milliseconds assumed_ttl_;
  mutable std::mutex mu_;
  // State below is protected by mu_.
  std::map<std::string, std::shared_ptr<const NodeInfo>> nodes_;  // by node name
  std::map<std::string, PodState> pods_;                          // by uid
  std::map<std::string, int> image_num_nodes_;
};

}  // namespace skiff::scheduler
