// The scheduler's cache: every node and the pods counted on it, bound (from the informer) or
// assumed (chosen by this scheduler, binding still in flight). Assuming counts a pod on its
// node at once, so the next cycle sees the node's resources taken before the bind returns and
// two pods never overbook a node; a failed bind forgets the pod. An assumed pod whose bind
// finished but whose bound version never arrives expires after a TTL (upstream: 30 s... here
// the same default).
//
// Thread safety: all methods lock mu_. NodeInfos are copy-on-write, so snapshot() is O(nodes)
// and the snapshot stays valid while the cache changes. update_snapshot() brings one
// long-lived Snapshot up to date in O(nodes changed since its last call), as upstream's
// UpdateSnapshot does; the scheduling thread calls it once per cycle.
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
  // Refreshes `snap` (a Snapshot only this call writes) to the cache's current state. Only one
  // such Snapshot per Cache: the record of changed nodes is consumed by the call.
  void update_snapshot(Snapshot& snap);
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
  void count_pod_locked(const PodInfo& pod, int delta);
  void rebuild_list_locked() const;

  std::chrono::milliseconds assumed_ttl_;
  mutable std::mutex mu_;
  // State below is protected by mu_.
  std::map<std::string, std::shared_ptr<const NodeInfo>> nodes_;  // by node name
  std::map<std::string, PodState> pods_;                          // by uid
  std::map<std::string, int> image_num_nodes_;
  uint64_t images_generation_ = 1;  // bumped when image_num_nodes_ changes
  int64_t pods_with_affinity_ = 0, pods_with_required_anti_affinity_ = 0;  // in pods_
  // nodes_ with a Node object, in name order, and each one's index; rebuilt (lazily, by the
  // const snapshot() too) when that set changes, else kept in step by mutable_node_locked.
  mutable std::vector<NodeInfoPtr> list_;
  mutable std::map<std::string, size_t> list_index_;
  mutable bool list_stale_ = true;
  mutable uint64_t list_generation_ = 0;  // bumped by each rebuild
  mutable std::vector<size_t> changed_;   // list_ indices changed since update_snapshot()
};

}  // namespace skiff::scheduler
