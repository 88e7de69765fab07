// PodTopologySpread: DoNotSchedule constraints as a filter (skew = matching pods in the node's
// domain + self - the global minimum must not exceed maxSkew) and ScheduleAnyway constraints as
// a score (fewer matching pods in the domain scores higher), as upstream. Pods without
// constraints get the system defaults (PodInfo::from_json); for those, as upstream, a node
// lacking a topology key is still scored on the keys it has.
#include <algorithm>
#include <cmath>
#include <map>

#include "scheduler/plugins.h"

namespace skiff::scheduler {
namespace {

constexpr const char* kHostnameKey = "kubernetes.io/hostname";

const std::string* label(const NodeInfo& n, const std::string& key) {
  auto it = n.labels.find(key);
  return it == n.labels.end() ? nullptr : &it->second;
}

int64_t count_matching(const NodeInfo& n, const TopologySpreadConstraint& c, const std::string& ns) {
  int64_t k = 0;
  for (const auto& p : n.pods)
    if (!p->terminating && p->ns == ns && c.matches(*p)) ++k;
  return k;
}

bool has_all_keys(const NodeInfo& n, const std::vector<const TopologySpreadConstraint*>& cs) {
  return std::all_of(cs.begin(), cs.end(),
                     [&](const TopologySpreadConstraint* c) { return label(n, c->topology_key); });
}

bool node_included(const TopologySpreadConstraint& c, const PodInfo& pod, const NodeInfo& n) {
  if (c.honor_node_affinity && !pod.matches_node_selector(n.labels, n.name)) return false;
  if (c.honor_node_taints &&
      find_untolerated(n.taints, pod.tolerations, {"NoSchedule", "NoExecute"}))
    return false;
  return true;
}

struct FilterState {
  std::vector<const TopologySpreadConstraint*> constraints;
  std::vector<std::map<std::string, int64_t>> counts;  // per constraint: domain -> matching pods
};

struct ScoreState {
  std::vector<const TopologySpreadConstraint*> constraints;
  std::vector<std::map<std::string, int64_t>> counts;  // per constraint (non-hostname keys)
  std::vector<double> weights;                          // log(domains + 2)
  bool require_all_keys = true;  // false for system defaults (upstream's requireAllTopologies)
};

class PodTopologySpread final : public PreFilterPlugin,
                                public FilterPlugin,
                                public PreScorePlugin,
                                public ScorePlugin {
 public:
  std::string name() const override { return "PodTopologySpread"; }

  PluginStatus pre_filter(CycleState& state, const PodInfo& pod, const Snapshot& snap) override {
    FilterState fs;
    for (const auto& c : pod.spread_constraints)
      if (c.do_not_schedule) fs.constraints.push_back(&c);
    if (fs.constraints.empty()) return PluginStatus::skip();
    fs.counts.resize(fs.constraints.size());
    for (const auto& n : snap.nodes) {
      if (!has_all_keys(*n, fs.constraints)) continue;
      for (size_t i = 0; i < fs.constraints.size(); ++i) {
        const auto& c = *fs.constraints[i];
        if (!node_included(c, pod, *n)) continue;
        fs.counts[i][*label(*n, c.topology_key)] += count_matching(*n, c, pod.ns);
      }
    }
    state.write(kFilterKey, std::move(fs));
    return PluginStatus::success();
  }

  PluginStatus filter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override {
    const auto* fs = state.read<FilterState>(kFilterKey);
    if (!fs) return PluginStatus::error("PodTopologySpread: no PreFilter state");
    for (size_t i = 0; i < fs->constraints.size(); ++i) {
      const auto& c = *fs->constraints[i];
      const std::string* v = label(node, c.topology_key);
      if (!v) return PluginStatus::unresolvable({kReasonSpreadMissingLabel});
      const auto& counts = fs->counts[i];
      int64_t min_match = 0;
      if (static_cast<int64_t>(counts.size()) >= c.min_domains && !counts.empty()) {
        min_match = INT64_MAX;
        for (const auto& [d, k] : counts) min_match = std::min(min_match, k);
      }
      auto it = counts.find(*v);
      int64_t match = it == counts.end() ? 0 : it->second;
      int64_t self = c.matches(pod) ? 1 : 0;
      if (match + self - min_match > c.max_skew) return PluginStatus::unschedulable({kReasonSpread});
    }
    return PluginStatus::success();
  }

  PluginStatus pre_score(CycleState& state, const PodInfo& pod, const Snapshot& snap,
                         const std::vector<const NodeInfo*>& feasible) override {
    ScoreState ss;
    for (const auto& c : pod.spread_constraints)
      if (!c.do_not_schedule) ss.constraints.push_back(&c);
    if (ss.constraints.empty()) return PluginStatus::skip();
    ss.require_all_keys = !pod.spread_system_defaulted;
    size_t nc = ss.constraints.size();
    ss.counts.resize(nc);
    std::vector<int64_t> domains(nc, 0);
    int64_t hostname_domains = 0;
    for (const NodeInfo* n : feasible) {
      if (ss.require_all_keys && !has_all_keys(*n, ss.constraints)) continue;
      if (label(*n, kHostnameKey)) ++hostname_domains;
      for (size_t i = 0; i < nc; ++i) {
        const auto& key = ss.constraints[i]->topology_key;
        if (key == kHostnameKey || !label(*n, key)) continue;
        if (ss.counts[i].emplace(*label(*n, key), 0).second) ++domains[i];
      }
    }
    for (size_t i = 0; i < nc; ++i) {
      int64_t d = ss.constraints[i]->topology_key == kHostnameKey ? hostname_domains : domains[i];
      ss.weights.push_back(std::log(static_cast<double>(d + 2)));
    }
    for (const auto& n : snap.nodes) {
      if (ss.require_all_keys && !has_all_keys(*n, ss.constraints)) continue;
      for (size_t i = 0; i < nc; ++i) {
        const auto& c = *ss.constraints[i];
        if (c.topology_key == kHostnameKey || !label(*n, c.topology_key) || !node_included(c, pod, *n))
          continue;
        auto it = ss.counts[i].find(*label(*n, c.topology_key));
        if (it == ss.counts[i].end()) continue;  // a domain no feasible node is in
        it->second += count_matching(*n, c, pod.ns);
      }
    }
    state.write(kScoreKey, std::move(ss));
    return PluginStatus::success();
  }

  int64_t score(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override {
    const auto* ss = state.read<ScoreState>(kScoreKey);
    if (!ss) return 0;
    if (ss->require_all_keys && !has_all_keys(node, ss->constraints)) return kInvalidScore;
    double s = 0;
    for (size_t i = 0; i < ss->constraints.size(); ++i) {
      const auto& c = *ss->constraints[i];
      if (!label(node, c.topology_key)) continue;  // system defaults: the keys the node has
      int64_t cnt;
      if (c.topology_key == kHostnameKey) {
        cnt = count_matching(node, c, pod.ns);
      } else {
        auto it = ss->counts[i].find(*label(node, c.topology_key));
        cnt = it == ss->counts[i].end() ? 0 : it->second;
      }
      s += static_cast<double>(cnt) * ss->weights[i] + static_cast<double>(c.max_skew - 1);
    }
    return static_cast<int64_t>(std::llround(s));
  }

  void normalize_score(const CycleState&, const PodInfo&, std::vector<int64_t>& s) const override {
    int64_t mn = INT64_MAX, mx = 0;
    for (int64_t v : s) {
      if (v == kInvalidScore) continue;
      mn = std::min(mn, v);
      mx = std::max(mx, v);
    }
    for (auto& v : s) {
      if (v == kInvalidScore) v = 0;
      else if (mx == 0) v = kMaxNodeScore;
      else v = kMaxNodeScore * (mx + mn - v) / mx;
    }
  }

 private:
  static constexpr int64_t kInvalidScore = -1;
  static constexpr const char* kFilterKey = "PodTopologySpread/filter";
  static constexpr const char* kScoreKey = "PodTopologySpread/score";
};

}  // namespace

std::shared_ptr<Plugin> make_pod_topology_spread() { return std::make_shared<PodTopologySpread>(); }

}  // namespace skiff::scheduler
