#include "scheduler/cache.h"

namespace skiff::scheduler {

Cache::Cache(std::chrono::milliseconds assumed_ttl) : assumed_ttl_(assumed_ttl) {}

std::shared_ptr<NodeInfo> Cache::mutable_node_locked(const std::string& name) {
  auto it = nodes_.find(name);
  std::shared_ptr<NodeInfo> copy;
  if (it == nodes_.end()) {
    copy = std::make_shared<NodeInfo>();
    copy->name = name;
  } else {
    copy = std::make_shared<NodeInfo>(*it->second);
  }
  nodes_[name] = copy;
  // The caller modifies `copy` before it unlocks mu_, so list_ may point at it already.
  if (auto li = list_index_.find(name); !list_stale_ && li != list_index_.end()) {
    list_[li->second] = copy;
    changed_.push_back(li->second);
    if (changed_.size() > 2 * list_.size() + 64) list_stale_ = true;  // nobody is consuming
  }
  return copy;
}

void Cache::rebuild_list_locked() const {
  list_.clear();
  list_index_.clear();
  changed_.clear();
  for (const auto& [name, n] : nodes_)
    if (n->node) {
      list_index_[name] = list_.size();
      list_.push_back(n);
    }
  list_stale_ = false;
  ++list_generation_;
}

void Cache::count_pod_locked(const PodInfo& pod, int delta) {
  if (pod.has_pod_affinity()) pods_with_affinity_ += delta;
  if (!pod.required_anti_affinity.empty()) pods_with_required_anti_affinity_ += delta;
}

void Cache::add_images_locked(const NodeInfo& n, int delta) {
  if (!n.node) return;
  for (const auto& [img, size] : n.image_sizes) {
    int& c = image_num_nodes_[img];
    c += delta;
    ++images_generation_;
    if (c <= 0) image_num_nodes_.erase(img);
  }
}

void Cache::add_node(ObjectPtr node) {
  std::lock_guard lk(mu_);
  std::string name = get_string(*node, {"metadata", "name"});
  if (auto it = nodes_.find(name); it != nodes_.end()) add_images_locked(*it->second, -1);
  auto n = mutable_node_locked(name);
  if (!list_index_.count(name)) list_stale_ = true;  // a node joins the list
  n->set_node(std::move(node));
  add_images_locked(*n, +1);
}

void Cache::remove_node(const std::string& name) {
  std::lock_guard lk(mu_);
  auto it = nodes_.find(name);
  if (it == nodes_.end()) return;
  add_images_locked(*it->second, -1);
  list_stale_ = true;  // the node leaves the list
  if (it->second->pods.empty()) {
    nodes_.erase(it);
    return;
  }
  // Pods still name the node: keep their accounting until they are deleted (upstream too).
  auto n = mutable_node_locked(name);
  n->node.reset();
}

void Cache::remove_pod_locked(const std::string& uid) {
  auto it = pods_.find(uid);
  if (it == pods_.end()) return;
  const std::string node = it->second.pod->node_name;
  count_pod_locked(*it->second.pod, -1);
  pods_.erase(it);
  auto nit = nodes_.find(node);
  if (nit == nodes_.end()) return;
  auto n = mutable_node_locked(node);
  n->remove_pod(uid);
  if (!n->node && n->pods.empty()) nodes_.erase(node);
}

void Cache::add_or_update_pod(PodInfoPtr pod) {
  std::lock_guard lk(mu_);
  remove_pod_locked(pod->uid);
  if (pod->terminal || pod->node_name.empty()) return;
  auto n = mutable_node_locked(pod->node_name);
  n->add_pod(pod);
  count_pod_locked(*pod, +1);
  pods_[pod->uid] = PodState{pod, false, false, {}};
}

void Cache::remove_pod(const std::string& uid) {
  std::lock_guard lk(mu_);
  remove_pod_locked(uid);
}

void Cache::assume(PodInfoPtr pod) {
  std::lock_guard lk(mu_);
  remove_pod_locked(pod->uid);
  auto n = mutable_node_locked(pod->node_name);
  n->add_pod(pod);
  count_pod_locked(*pod, +1);
  pods_[pod->uid] = PodState{pod, true, false, {}};
}

void Cache::finish_binding(const std::string& uid) {
  std::lock_guard lk(mu_);
  auto it = pods_.find(uid);
  if (it == pods_.end() || !it->second.assumed) return;
  it->second.binding_finished = true;
  it->second.deadline = std::chrono::steady_clock::now() + assumed_ttl_;
}

void Cache::forget(const std::string& uid) {
  std::lock_guard lk(mu_);
  auto it = pods_.find(uid);
  if (it == pods_.end() || !it->second.assumed) return;
  remove_pod_locked(uid);
}

bool Cache::is_assumed(const std::string& uid) const {
  std::lock_guard lk(mu_);
  auto it = pods_.find(uid);
  return it != pods_.end() && it->second.assumed;
}

bool Cache::has_pod(const std::string& uid) const {
  std::lock_guard lk(mu_);
  return pods_.count(uid) > 0;
}

void Cache::cleanup_expired(TimePoint now) {
  std::lock_guard lk(mu_);
  std::vector<std::string> expired;
  for (const auto& [uid, st] : pods_)
    if (st.assumed && st.binding_finished && st.deadline <= now) expired.push_back(uid);
  for (const auto& uid : expired) remove_pod_locked(uid);
}

Snapshot Cache::snapshot() const {
  std::lock_guard lk(mu_);
  if (list_stale_) rebuild_list_locked();
  Snapshot s;
  s.nodes = list_;
  s.image_num_nodes = image_num_nodes_;
  s.images_indexed = true;
  s.pods_with_affinity = pods_with_affinity_;
  s.pods_with_required_anti_affinity = pods_with_required_anti_affinity_;
  return s;
}

void Cache::update_snapshot(Snapshot& s) {
  std::lock_guard lk(mu_);
  if (list_stale_) rebuild_list_locked();
  if (s.cache_generation != list_generation_ || s.nodes.size() != list_.size()) {
    s.nodes = list_;
    s.cache_generation = list_generation_;
  } else {
    for (size_t i : changed_) s.nodes[i] = list_[i];
  }
  changed_.clear();
  if (s.images_generation != images_generation_) {
    s.image_num_nodes = image_num_nodes_;
    s.images_generation = images_generation_;
  }
  s.images_indexed = true;
  s.pods_with_affinity = pods_with_affinity_;
  s.pods_with_required_anti_affinity = pods_with_required_anti_affinity_;
}

size_t Cache::node_count() const {
  std::lock_guard lk(mu_);
  return nodes_.size();
}

}  // namespace skiff::scheduler
