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
  return copy;
}

void Cache::add_images_locked(const NodeInfo& n, int delta) {
  if (!n.node) return;
  for (const auto& [img, size] : n.image_sizes) {
    int& c = image_num_nodes_[img];
    c += delta;
    if (c <= 0) image_num_nodes_.erase(img);
  }
}

void Cache::add_node(ObjectPtr node) {
  std::lock_guard lk(mu_);
  std::string name = get_string(*node, {"metadata", "name"});
  if (auto it = nodes_.find(name); it != nodes_.end()) add_images_locked(*it->second, -1);
  auto n = mutable_node_locked(name);
  n->set_node(std::move(node));
  add_images_locked(*n, +1);
}

void Cache::remove_node(const std::string& name) {
  std::lock_guard lk(mu_);
  auto it = nodes_.find(name);
  if (it == nodes_.end()) return;
  add_images_locked(*it->second, -1);
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
  Snapshot s;
  s.nodes.reserve(nodes_.size());
  for (const auto& [name, n] : nodes_)
    if (n->node) s.nodes.push_back(n);
  s.image_num_nodes = image_num_nodes_;
  return s;
}

size_t Cache::node_count() const {
  std::lock_guard lk(mu_);
  return nodes_.size();
}

}  // namespace skiff::scheduler
