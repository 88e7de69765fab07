// NodeResourcesFit (filter + LeastAllocated score), NodeResourcesBalancedAllocation and
// ImageLocality, with upstream's formulas.
#include <algorithm>
#include <cmath>
#include <map>

#include "scheduler/plugins.h"

namespace skiff::scheduler {
namespace {

class NodeResourcesFit final : public PreFilterPlugin, public FilterPlugin, public ScorePlugin {
 public:
  std::string name() const override { return "NodeResourcesFit"; }
  PluginStatus pre_filter(CycleState&, const PodInfo&, const Snapshot&) override {
    return PluginStatus::success();
  }
  PluginStatus filter(const CycleState&, const PodInfo& pod, const NodeInfo& node) const override {
    std::vector<std::string> reasons;
    const Resource& alloc = node.allocatable;
    const Resource& used = node.requested;
    if (static_cast<int64_t>(node.pods.size()) + 1 > alloc.allowed_pod_number)
      reasons.push_back(kReasonTooManyPods);
    const Resource& req = pod.requests;
    if (!req.is_zero()) {
      if (req.milli_cpu > 0 && req.milli_cpu > alloc.milli_cpu - used.milli_cpu)
        reasons.push_back("Insufficient cpu");
      if (req.memory > 0 && req.memory > alloc.memory - used.memory)
        reasons.push_back("Insufficient memory");
      if (req.ephemeral_storage > 0 &&
          req.ephemeral_storage > alloc.ephemeral_storage - used.ephemeral_storage)
        reasons.push_back("Insufficient ephemeral-storage");
      for (const auto& [name, v] : req.scalar) {
        if (v <= 0) continue;
        if (v > alloc.get(name) - used.get(name)) reasons.push_back("Insufficient " + name);
      }
    }
    if (reasons.empty()) return PluginStatus::success();
    return PluginStatus::unschedulable(std::move(reasons));
  }
  // LeastAllocated over cpu and memory (weight 1 each), on requests with scoring defaults.
  int64_t score(const CycleState&, const PodInfo& pod, const NodeInfo& node) const override {
    auto least = [](int64_t requested, int64_t capacity) -> int64_t {
      if (capacity == 0 || requested > capacity) return 0;
      return (capacity - requested) * kMaxNodeScore / capacity;
    };
    int64_t cpu = least(node.non_zero_cpu + pod.non_zero_cpu, node.allocatable.milli_cpu);
    int64_t mem = least(node.non_zero_mem + pod.non_zero_mem, node.allocatable.memory);
    return (cpu + mem) / 2;
  }
};

class BalancedAllocation final : public PreScorePlugin, public ScorePlugin {
 public:
  std::string name() const override { return "NodeResourcesBalancedAllocation"; }
  PluginStatus pre_score(CycleState&, const PodInfo& pod, const Snapshot&,
                         const std::vector<const NodeInfo*>&) override {
    if (pod.requests.milli_cpu == 0 && pod.requests.memory == 0) return PluginStatus::skip();
    return PluginStatus::success();
  }
  int64_t score(const CycleState&, const PodInfo& pod, const NodeInfo& node) const override {
    std::vector<double> fractions;
    auto add = [&](int64_t requested, int64_t alloc) {
      if (alloc == 0) return;
      double f = static_cast<double>(requested) / static_cast<double>(alloc);
      fractions.push_back(f > 1 ? 1 : f);
    };
    add(node.requested.milli_cpu + pod.requests.milli_cpu, node.allocatable.milli_cpu);
    add(node.requested.memory + pod.requests.memory, node.allocatable.memory);
    double std = 0;
    if (fractions.size() == 2) {
      std = std::abs((fractions[0] - fractions[1]) / 2);
    } else if (fractions.size() > 2) {
      double mean = 0;
      for (double f : fractions) mean += f;
      mean /= static_cast<double>(fractions.size());
      double sum = 0;
      for (double f : fractions) sum += (f - mean) * (f - mean);
      std = std::sqrt(sum / static_cast<double>(fractions.size()));
    }
    return static_cast<int64_t>((1 - std) * static_cast<double>(kMaxNodeScore));
  }
};

class ImageLocality final : public PreScorePlugin, public ScorePlugin {
 public:
  std::string name() const override { return "ImageLocality"; }
  // The share of nodes holding each of the pod's images (upstream scales an image's size by
  // it, so an image present everywhere does not pull every pod to the same node).
  PluginStatus pre_score(CycleState& state, const PodInfo& pod, const Snapshot& snap,
                         const std::vector<const NodeInfo*>&) override {
    if (pod.images.empty() || snap.nodes.empty()) return PluginStatus::skip();
    std::map<std::string, double> spread;
    for (const auto& img : pod.images) {
      int n = 0;
      if (auto it = snap.image_num_nodes.find(img); it != snap.image_num_nodes.end()) {
        n = it->second;
      } else if (!snap.images_indexed && snap.image_num_nodes.empty()) {
        for (const auto& node : snap.nodes) n += node->image_sizes.count(img) ? 1 : 0;
      }
      spread[img] = static_cast<double>(n) / static_cast<double>(snap.nodes.size());
    }
    state.write(kStateKey, std::move(spread));
    return PluginStatus::success();
  }
  int64_t score(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override {
    constexpr int64_t kMb = 1024 * 1024;
    constexpr int64_t kMin = 23 * kMb, kMaxPerContainer = 1000 * kMb;
    const auto* spread = state.read<std::map<std::string, double>>(kStateKey);
    if (!spread || pod.images.empty()) return 0;
    int64_t sum = 0;
    for (const auto& img : pod.images) {
      auto it = node.image_sizes.find(img);
      if (it == node.image_sizes.end()) continue;
      auto f = spread->find(img);
      double frac = f == spread->end() ? 0.0 : f->second;
      sum += static_cast<int64_t>(static_cast<double>(it->second) * frac);
    }
    int64_t max = kMaxPerContainer * static_cast<int64_t>(pod.images.size());
    sum = std::clamp(sum, kMin, max);
    return kMaxNodeScore * (sum - kMin) / (max - kMin);
  }

 private:
  static constexpr const char* kStateKey = "ImageLocality/spread";
};

}  // namespace

std::shared_ptr<Plugin> make_node_resources_fit() { return std::make_shared<NodeResourcesFit>(); }
std::shared_ptr<Plugin> make_balanced_allocation() { return std::make_shared<BalancedAllocation>(); }
std::shared_ptr<Plugin> make_image_locality() { return std::make_shared<ImageLocality>(); }

}  // namespace skiff::scheduler
