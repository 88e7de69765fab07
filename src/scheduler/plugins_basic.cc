// NodeUnschedulable, NodeName, NodeAffinity (with nodeSelector), TaintToleration, NodePorts;
// and the default profile that strings all plugins together.
#include <algorithm>

#include "scheduler/plugins.h"

namespace skiff::scheduler {
namespace {

class NodeUnschedulable final : public FilterPlugin {
 public:
  std::string name() const override { return "NodeUnschedulable"; }
  PluginStatus filter(const CycleState&, const PodInfo& pod, const NodeInfo& node) const override {
    if (!node.unschedulable) return PluginStatus::success();
    Taint t{"node.kubernetes.io/unschedulable", "", "NoSchedule"};
    for (const auto& tol : pod.tolerations)
      if (tol.tolerates(t)) return PluginStatus::success();
    return PluginStatus::unresolvable({kReasonUnschedulable});
  }
};

class NodeName final : public FilterPlugin {
 public:
  std::string name() const override { return "NodeName"; }
  PluginStatus filter(const CycleState&, const PodInfo& pod, const NodeInfo& node) const override {
    if (pod.node_name.empty() || pod.node_name == node.name) return PluginStatus::success();
    return PluginStatus::unresolvable({kReasonNodeName});
  }
};

class NodeAffinity final : public FilterPlugin, public PreScorePlugin, public ScorePlugin {
 public:
  std::string name() const override { return "NodeAffinity"; }
  PluginStatus filter(const CycleState&, const PodInfo& pod, const NodeInfo& node) const override {
    if (pod.matches_node_selector(node.labels, node.name)) return PluginStatus::success();
    return PluginStatus::unresolvable({kReasonNodeAffinity});
  }
  PluginStatus pre_score(CycleState&, const PodInfo& pod, const Snapshot&,
                         const std::vector<const NodeInfo*>&) override {
    return pod.preferred_node_terms.empty() ? PluginStatus::skip() : PluginStatus::success();
  }
  int64_t score(const CycleState&, const PodInfo& pod, const NodeInfo& node) const override {
    int64_t s = 0;
    for (const auto& [weight, term] : pod.preferred_node_terms)
      if (weight != 0 && term.matches(node.labels, node.name)) s += weight;
    return s;
  }
  void normalize_score(const CycleState&, const PodInfo&, std::vector<int64_t>& s) const override {
    default_normalize_score(s, false);
  }
};

class TaintToleration final : public FilterPlugin, public ScorePlugin {
 public:
  std::string name() const override { return "TaintToleration"; }
  PluginStatus filter(const CycleState&, const PodInfo& pod, const NodeInfo& node) const override {
    const Taint* t = find_untolerated(node.taints, pod.tolerations, {"NoSchedule", "NoExecute"});
    if (!t) return PluginStatus::success();
    return PluginStatus::unresolvable(
        {"node(s) had untolerated taint {" + t->key + ": " + t->value + "}"});
  }
  // Counts PreferNoSchedule taints not tolerated by tolerations with that (or no) effect.
  int64_t score(const CycleState&, const PodInfo& pod, const NodeInfo& node) const override {
    int64_t n = 0;
    for (const auto& t : node.taints) {
      if (t.effect != "PreferNoSchedule") continue;
      bool ok = std::any_of(pod.tolerations.begin(), pod.tolerations.end(), [&](const Toleration& tol) {
        return (tol.effect.empty() || tol.effect == "PreferNoSchedule") && tol.tolerates(t);
      });
      if (!ok) ++n;
    }
    return n;
  }
  void normalize_score(const CycleState&, const PodInfo&, std::vector<int64_t>& s) const override {
    default_normalize_score(s, true);
  }
};

class NodePorts final : public PreFilterPlugin, public FilterPlugin {
 public:
  std::string name() const override { return "NodePorts"; }
  PluginStatus pre_filter(CycleState&, const PodInfo& pod, const Snapshot&) override {
    return pod.host_ports.empty() ? PluginStatus::skip() : PluginStatus::success();
  }
  PluginStatus filter(const CycleState&, const PodInfo& pod, const NodeInfo& node) const override {
    for (const auto& want : pod.host_ports)
      for (const auto& used : node.used_ports)
        if (want.conflicts(used)) return PluginStatus::unschedulable({kReasonNodePorts});
    return PluginStatus::success();
  }
};

}  // namespace

std::shared_ptr<Plugin> make_node_unschedulable() { return std::make_shared<NodeUnschedulable>(); }
std::shared_ptr<Plugin> make_node_name() { return std::make_shared<NodeName>(); }
std::shared_ptr<Plugin> make_node_affinity() { return std::make_shared<NodeAffinity>(); }
std::shared_ptr<Plugin> make_taint_toleration() { return std::make_shared<TaintToleration>(); }
std::shared_ptr<Plugin> make_node_ports() { return std::make_shared<NodePorts>(); }

// upstream's default plugin order (filters run in this order) and score weights.
std::unique_ptr<Profile> Profile::make_default(std::string scheduler_name) {
  auto p = std::make_unique<Profile>(std::move(scheduler_name));
  p->add(make_node_unschedulable());
  p->add(make_node_name());
  p->add(make_taint_toleration(), 3);
  p->add(make_node_affinity(), 2);
  p->add(make_node_ports());
  p->add(make_node_resources_fit(), 1);
  p->add(make_pod_topology_spread(), 2);
  p->add(make_inter_pod_affinity(), 2);
  p->add(make_balanced_allocation(), 1);
  p->add(make_image_locality(), 1);
  return p;
}

}  // namespace skiff::scheduler
