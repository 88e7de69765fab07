// InterPodAffinity: required affinity / anti-affinity of the incoming pod, existing pods'
// required anti-affinity against it (filter), and preferred terms both ways (score), per
// topology domain (the value of the term's topologyKey label on the node), as upstream.
#include <algorithm>
#include <map>

#include "scheduler/plugins.h"

namespace skiff::scheduler {
namespace {

using TopologyPair = std::pair<std::string, std::string>;
using PairCounts = std::map<TopologyPair, int64_t>;

const std::string* label(const NodeInfo& n, const std::string& key) {
  auto it = n.labels.find(key);
  return it == n.labels.end() ? nullptr : &it->second;
}

struct FilterState {
  PairCounts existing_anti;  // domains where an existing pod's anti-affinity forbids the pod
  PairCounts affinity;       // domains with pods matching all of the pod's affinity terms
  PairCounts anti;           // domains with pods matching one of the pod's anti-affinity terms
};

class InterPodAffinity final : public PreFilterPlugin,
                               public FilterPlugin,
                               public PreScorePlugin,
                               public ScorePlugin {
 public:
  std::string name() const override { return "InterPodAffinity"; }

  PluginStatus pre_filter(CycleState& state, const PodInfo& pod, const Snapshot& snap) override {
    FilterState fs;
    if (snap.pods_with_required_anti_affinity == 0 && pod.required_affinity.empty() &&
        pod.required_anti_affinity.empty())
      return PluginStatus::skip();  // nothing to count: spare the scan over every node
    for (const auto& n : snap.nodes) {
      if (n->pods_with_required_anti_affinity == 0) continue;
      for (const auto& p : n->pods)
        for (const auto& t : p->required_anti_affinity)
          if (const std::string* v = label(*n, t.topology_key); v && t.matches(pod))
            ++fs.existing_anti[{t.topology_key, *v}];
    }
    if (pod.required_affinity.empty() && pod.required_anti_affinity.empty() &&
        fs.existing_anti.empty())
      return PluginStatus::skip();
    for (const auto& n : snap.nodes) {
      for (const auto& p : n->pods) {
        if (!pod.required_affinity.empty() &&
            std::all_of(pod.required_affinity.begin(), pod.required_affinity.end(),
                        [&](const AffinityTerm& t) { return t.matches(*p); })) {
          for (const auto& t : pod.required_affinity)
            if (const std::string* v = label(*n, t.topology_key)) ++fs.affinity[{t.topology_key, *v}];
        }
        for (const auto& t : pod.required_anti_affinity)
          if (const std::string* v = label(*n, t.topology_key); v && t.matches(*p))
            ++fs.anti[{t.topology_key, *v}];
      }
    }
    state.write(kFilterKey, std::move(fs));
    return PluginStatus::success();
  }

  PluginStatus filter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override {
    const auto* fs = state.read<FilterState>(kFilterKey);
    if (!fs) return PluginStatus::error("InterPodAffinity: no PreFilter state");
    if (!satisfies_affinity(*fs, pod, node))
      return PluginStatus::unresolvable({kReasonAffinity});
    for (const auto& t : pod.required_anti_affinity) {
      const std::string* v = label(node, t.topology_key);
      if (v && count(fs->anti, t.topology_key, *v) > 0)
        return PluginStatus::unschedulable({kReasonAntiAffinity});
    }
    for (const auto& [pair, c] : fs->existing_anti) {
      const std::string* v = label(node, pair.first);
      if (c > 0 && v && *v == pair.second)
        return PluginStatus::unschedulable({kReasonExistingAntiAffinity});
    }
    return PluginStatus::success();
  }

  PluginStatus pre_score(CycleState& state, const PodInfo& pod, const Snapshot& snap,
                         const std::vector<const NodeInfo*>&) override {
    bool has_preferred = !pod.preferred_affinity.empty() || !pod.preferred_anti_affinity.empty();
    bool any_existing =
        snap.pods_with_affinity >= 0
            ? snap.pods_with_affinity > 0
            : std::any_of(snap.nodes.begin(), snap.nodes.end(),
                          [](const NodeInfoPtr& n) { return n->pods_with_affinity > 0; });
    if (!has_preferred && !any_existing) return PluginStatus::skip();
    PairCounts scores;
    auto add = [&](const NodeInfo& n, const std::string& key, int64_t w) {
      if (const std::string* v = label(n, key)) scores[{key, *v}] += w;
    };
    constexpr int64_t kHardPodAffinityWeight = 1;
    for (const auto& n : snap.nodes) {
      if (!has_preferred && n->pods_with_affinity == 0) continue;
      for (const auto& p : n->pods) {
        for (const auto& wt : pod.preferred_affinity)
          if (wt.term.matches(*p)) add(*n, wt.term.topology_key, wt.weight);
        for (const auto& wt : pod.preferred_anti_affinity)
          if (wt.term.matches(*p)) add(*n, wt.term.topology_key, -wt.weight);
        if (!p->has_pod_affinity()) continue;
        for (const auto& t : p->required_affinity)
          if (t.matches(pod)) add(*n, t.topology_key, kHardPodAffinityWeight);
        for (const auto& wt : p->preferred_affinity)
          if (wt.term.matches(pod)) add(*n, wt.term.topology_key, wt.weight);
        for (const auto& wt : p->preferred_anti_affinity)
          if (wt.term.matches(pod)) add(*n, wt.term.topology_key, -wt.weight);
      }
    }
    state.write(kScoreKey, std::move(scores));
    return PluginStatus::success();
  }

  int64_t score(const CycleState& state, const PodInfo&, const NodeInfo& node) const override {
    const auto* scores = state.read<PairCounts>(kScoreKey);
    if (!scores) return 0;
    int64_t s = 0;
    for (const auto& [pair, w] : *scores)
      if (const std::string* v = label(node, pair.first); v && *v == pair.second) s += w;
    return s;
  }

  void normalize_score(const CycleState&, const PodInfo&, std::vector<int64_t>& s) const override {
    if (s.empty()) return;
    auto [mn, mx] = std::minmax_element(s.begin(), s.end());
    int64_t lo = *mn, diff = *mx - *mn;
    for (auto& v : s) v = diff > 0 ? kMaxNodeScore * (v - lo) / diff : 0;
  }

 private:
  static int64_t count(const PairCounts& m, const std::string& k, const std::string& v) {
    auto it = m.find({k, v});
    return it == m.end() ? 0 : it->second;
  }
  static bool satisfies_affinity(const FilterState& fs, const PodInfo& pod, const NodeInfo& node) {
    bool pods_exist = true;
    for (const auto& t : pod.required_affinity) {
      const std::string* v = label(node, t.topology_key);
      if (!v) return false;
      if (count(fs.affinity, t.topology_key, *v) <= 0) pods_exist = false;
    }
    if (pods_exist) return true;
    // The first pod of a group that selects itself may go anywhere with the topology labels.
    return fs.affinity.empty() &&
           std::all_of(pod.required_affinity.begin(), pod.required_affinity.end(),
                       [&](const AffinityTerm& t) { return t.matches(pod); });
  }

  static constexpr const char* kFilterKey = "InterPodAffinity/filter";
  static constexpr const char* kScoreKey = "InterPodAffinity/score";
};

}  // namespace

std::shared_ptr<Plugin> make_inter_pod_affinity() { return std::make_shared<InterPodAffinity>(); }

}  // namespace skiff::scheduler
