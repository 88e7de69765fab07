// The scheduling framework: parsed pods and nodes (PodInfo, NodeInfo), the per-cycle cluster
// Snapshot, plugin result codes, the plugin interfaces (PreFilter, Filter, PreScore, Score with
// NormalizeScore) and a Profile that runs them for one pod, in the spirit of upstream's
// pkg/scheduler/framework. Nothing here talks to the API: the Scheduler (scheduler.h) feeds it.
//
// Thread safety: PodInfo and NodeInfo are immutable once shared (the cache replaces a NodeInfo
// with a modified copy, so a Snapshot taken for one cycle never changes under it). A Profile is
// used by one scheduling thread at a time.
#pragma once
#include <any>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "apimachinery/node_matching.h"
#include "apimachinery/selectors.h"
#include "common/json.h"

namespace skiff::scheduler {

using ObjectPtr = std::shared_ptr<const json::object>;

// ---- result codes (docs/style.md habit 3: each code says what the queue does next) ----
enum class Code {
  kSuccess,
  // An internal error: the pod is retried with backoff, no FailedScheduling reasons counted.
  kError,
  // The node does not fit now, but could once other pods go away (preemption may help).
  kUnschedulable,
  // The node does not fit and preempting pods on it would not change that (affinity, taints).
  kUnschedulableAndUnresolvable,
  // The plugin has nothing to do for this pod; its later extension points are skipped.
  kSkip,
};

class PluginStatus {
 public:
  PluginStatus() = default;
  static PluginStatus success() { return {}; }
  static PluginStatus skip() { return PluginStatus(Code::kSkip, {}); }
  static PluginStatus error(std::string msg) { return PluginStatus(Code::kError, {std::move(msg)}); }
  static PluginStatus unschedulable(std::vector<std::string> reasons) {
    return PluginStatus(Code::kUnschedulable, std::move(reasons));
  }
  static PluginStatus unresolvable(std::vector<std::string> reasons) {
    return PluginStatus(Code::kUnschedulableAndUnresolvable, std::move(reasons));
  }
  PluginStatus(Code c, std::vector<std::string> reasons) : code_(c), reasons_(std::move(reasons)) {}

  Code code() const { return code_; }
  bool ok() const { return code_ == Code::kSuccess; }
  bool is_skip() const { return code_ == Code::kSkip; }
  bool is_rejected() const {
    return code_ == Code::kUnschedulable || code_ == Code::kUnschedulableAndUnresolvable;
  }
  const std::vector<std::string>& reasons() const { return reasons_; }
  std::string message() const;  // reasons joined by ", "
  const std::string& plugin() const { return plugin_; }
  PluginStatus& with_plugin(std::string p) {
    plugin_ = std::move(p);
    return *this;
  }

 private:
  Code code_ = Code::kSuccess;
  std::vector<std::string> reasons_;
  std::string plugin_;  // the plugin that failed the pod (for requeueing hints)
};

// ---- resources ----
struct Resource {
  int64_t milli_cpu = 0;
  int64_t memory = 0;
  int64_t ephemeral_storage = 0;
  int64_t allowed_pod_number = 0;
  std::map<std::string, int64_t> scalar;  // extended resources, hugepages-*

  // From a ResourceList object ({"cpu":"100m","memory":"1Gi",...}); unparseable values are 0.
  static Resource from_list(const json::value* list);
  void add(const Resource& o);
  void sub(const Resource& o);
  void set_max(const Resource& o);  // element-wise max
  bool is_zero() const;
  int64_t get(const std::string& name) const;  // by API name: "cpu" (milli), "memory", ...
};

// Taints, tolerations and node selector terms (Taint, Toleration, NodeSelectorTerm,
// RequiredNodeAffinity) are apimachinery/node_matching.h's, shared with the controllers.

// ---- pod affinity terms ----
struct PodInfo;
struct AffinityTerm {
  LabelSelector selector;
  std::set<std::string> namespaces;  // empty + !all_namespaces = the owner pod's namespace
  bool all_namespaces = false;       // namespaceSelector: {}
  std::string topology_key;
  bool matches(const PodInfo& pod) const;
};
struct WeightedAffinityTerm {
  AffinityTerm term;
  int32_t weight = 0;
};

struct HostPort {
  std::string ip;  // "0.0.0.0" when unset
  std::string protocol;
  int32_t port = 0;
  bool conflicts(const HostPort& o) const;
};

struct TopologySpreadConstraint {
  int32_t max_skew = 1;
  std::string topology_key;
  bool do_not_schedule = true;  // whenUnsatisfiable
  LabelSelector selector;
  int32_t min_domains = 1;
  bool honor_node_affinity = true;  // nodeAffinityPolicy (default Honor)
  bool honor_node_taints = false;   // nodeTaintsPolicy (default Ignore)
  // System default constraints only: the pods counted are those of this controller (uid), in
  // place of the selector upstream builds from the pod's ReplicaSet/StatefulSet/Service.
  std::string same_controller;
  bool matches(const PodInfo& p) const;
};

// A pod with everything the plugins need parsed once.
struct PodInfo {
  ObjectPtr pod;
  std::string ns, name, uid, key;  // key: "ns/name"
  std::string node_name;           // spec.nodeName
  std::string scheduler_name;
  std::map<std::string, std::string> labels;
  int32_t priority = 0;
  std::string preemption_policy;  // PreemptLowerPriority (default) or Never
  std::chrono::system_clock::time_point created{};
  bool terminating = false;
  bool terminal = false;  // phase Succeeded or Failed: holds no resources

  Resource requests;         // what NodeResourcesFit compares (init containers as upstream)
  int64_t non_zero_cpu = 0;  // requests with upstream's defaults for unset (100m, 200Mi),
  int64_t non_zero_mem = 0;  // used by the scoring plugins
  std::vector<HostPort> host_ports;
  std::vector<std::string> images;  // normalized ("nginx" -> "nginx:latest")

  RequiredNodeAffinity required_node_affinity;  // spec.nodeSelector and required node affinity
  std::vector<std::pair<int32_t, NodeSelectorTerm>> preferred_node_terms;
  std::vector<Toleration> tolerations;

  std::vector<AffinityTerm> required_affinity, required_anti_affinity;
  std::vector<WeightedAffinityTerm> preferred_affinity, preferred_anti_affinity;
  std::vector<TopologySpreadConstraint> spread_constraints;
  bool spread_system_defaulted = false;  // spread_constraints are the system defaults
  std::string controller_uid;            // metadata.ownerReferences[controller=true].uid

  static std::shared_ptr<const PodInfo> from_json(ObjectPtr pod);
  bool has_pod_affinity() const {
    return !required_affinity.empty() || !required_anti_affinity.empty() ||
           !preferred_affinity.empty() || !preferred_anti_affinity.empty();
  }
  // nodeSelector and required node affinity both match the node.
  bool matches_node_selector(const std::map<std::string, std::string>& labels,
                             const std::string& node_name) const {
    return required_node_affinity.matches(labels, node_name);
  }
};
using PodInfoPtr = std::shared_ptr<const PodInfo>;

std::string normalize_image(const std::string& image);

// A node with the pods the scheduler counts on it (bound and assumed). Copy to modify.
struct NodeInfo {
  ObjectPtr node;  // null while only pods name this node (the node object is not known yet)
  std::string name;
  std::map<std::string, std::string> labels;
  std::vector<Taint> taints;
  bool unschedulable = false;
  Resource allocatable;
  std::map<std::string, int64_t> image_sizes;  // normalized image name -> sizeBytes

  std::vector<PodInfoPtr> pods;
  Resource requested;  // sum of pods' requests; allowed_pod_number unused (pods.size())
  int64_t non_zero_cpu = 0, non_zero_mem = 0;
  std::vector<HostPort> used_ports;
  int pods_with_affinity = 0, pods_with_required_anti_affinity = 0;

  void set_node(ObjectPtr node);
  void add_pod(PodInfoPtr pod);
  bool remove_pod(const std::string& uid);  // false when not found
  bool has_pod(const std::string& uid) const;
};
using NodeInfoPtr = std::shared_ptr<const NodeInfo>;

// The cluster as one scheduling cycle sees it: immutable for the cycle.
struct Snapshot {
  std::vector<NodeInfoPtr> nodes;  // only nodes whose Node object is known
  std::map<std::string, int> image_num_nodes;  // normalized image -> nodes having it
  bool images_indexed = false;  // image_num_nodes is complete (else plugins count by scanning)
  // Pods (on any node) with any pod (anti-)affinity term / a required anti-affinity term,
  // so InterPodAffinity can skip its scans over every node; -1 = not counted (scan).
  int64_t pods_with_affinity = -1;
  int64_t pods_with_required_anti_affinity = -1;
  // Which cache state this snapshot mirrors (Cache::update_snapshot; 0 = none).
  uint64_t cache_generation = 0;
  uint64_t images_generation = 0;
  void index_images();
  const NodeInfo* find(const std::string& name) const;
};

// Per-cycle scratch space where PreFilter/PreScore leave data for Filter/Score.
class CycleState {
 public:
  void write(const std::string& key, std::any v) { data_[key] = std::move(v); }
  template <typename T>
  const T* read(const std::string& key) const {
    auto it = data_.find(key);
    return it == data_.end() ? nullptr : std::any_cast<T>(&it->second);
  }
  // PreFilter's Skip skips that plugin's Filter; PreScore's Skip its Score.
  void skip_filter(const std::string& plugin) { skip_filter_.insert(plugin); }
  bool filter_skipped(const std::string& plugin) const { return skip_filter_.count(plugin) > 0; }
  void skip_score(const std::string& plugin) { skip_score_.insert(plugin); }
  bool score_skipped(const std::string& plugin) const { return skip_score_.count(plugin) > 0; }

 private:
  std::map<std::string, std::any> data_;
  std::set<std::string> skip_filter_, skip_score_;
};

// ---- plugin interfaces ----
constexpr int64_t kMaxNodeScore = 100;

class Plugin {
 public:
  virtual ~Plugin() = default;
  virtual std::string name() const = 0;
};
class PreFilterPlugin : public virtual Plugin {
 public:
  // Unschedulable here fails the pod on every node with these reasons; Skip skips its Filter.
  virtual PluginStatus pre_filter(CycleState& state, const PodInfo& pod, const Snapshot& snap) = 0;
};
class FilterPlugin : public virtual Plugin {
 public:
  virtual PluginStatus filter(const CycleState& state, const PodInfo& pod,
                              const NodeInfo& node) const = 0;
};
class PreScorePlugin : public virtual Plugin {
 public:
  // `feasible`: the nodes that passed the filters. Skip skips this plugin's Score.
  virtual PluginStatus pre_score(CycleState& state, const PodInfo& pod, const Snapshot& snap,
                                 const std::vector<const NodeInfo*>& feasible) = 0;
};
class ScorePlugin : public virtual Plugin {
 public:
  virtual int64_t score(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const = 0;
  // Maps raw scores (index-aligned with the feasible nodes) into [0, kMaxNodeScore].
  virtual void normalize_score(const CycleState& state, const PodInfo& pod,
                               std::vector<int64_t>& scores) const {}
};
// upstream's helper: scale to [0, 100] by the maximum; reverse = 100 - that.
void default_normalize_score(std::vector<int64_t>& scores, bool reverse);

// ---- a scheduling attempt's outcome ----
struct FitError {
  int num_all_nodes = 0;
  std::map<std::string, PluginStatus> node_status;  // node name -> rejecting status
  std::string pre_filter_msg;   // set when a PreFilter rejected the pod on every node
  std::string post_filter_msg;  // the preemption part ("preemption: 0/3 nodes are ...")
  // "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match ... ." as upstream
  std::string message() const;
};

struct ScheduleResult {
  Code code = Code::kSuccess;  // kSuccess, kUnschedulable(AndUnresolvable) or kError
  std::string node;            // on success
  int evaluated_nodes = 0, feasible_nodes = 0;
  FitError fit;                // when unschedulable
  std::string error;           // when kError
};

// How many feasible nodes a cycle looks for before it stops filtering (upstream's
// numFeasibleNodesToFind): every node below 100; else `percentage` of them (0 = adaptive:
// 50% - nodes/125, at least 5%), and never fewer than 100.
int num_feasible_nodes_to_find(int num_all_nodes, int percentage = 0);

// A named set of plugins (one per schedulerName) and the cycle that runs them.
class Profile {
 public:
  explicit Profile(std::string scheduler_name) : scheduler_name_(std::move(scheduler_name)) {}
  // Upstream's default plugins and score weights.
  static std::unique_ptr<Profile> make_default(std::string scheduler_name);

  // Registers the plugin at every extension point it implements; weight applies to its Score.
  void add(std::shared_ptr<Plugin> plugin, int64_t score_weight = 1);
  const std::string& scheduler_name() const { return scheduler_name_; }
  // upstream's percentageOfNodesToScore (1..100; 0 = adaptive, see num_feasible_nodes_to_find).
  void set_percentage_of_nodes_to_score(int p) { percentage_of_nodes_to_score_ = p; }

  // PreFilter -> Filter (nodes from a rotating start, until num_feasible_nodes_to_find pass)
  // -> PreScore -> Score/Normalize -> pick the best node (ties
  // broken at random). On failure also computes the preemption message (without preempting).
  ScheduleResult schedule(const PodInfo& pod, const Snapshot& snap);

  // Runs PreFilter and Filter for one node; used by schedule() and the preemption dry run.
  PluginStatus run_filters(CycleState& state, const PodInfo& pod, const NodeInfo& node) const;
  PluginStatus run_pre_filters(CycleState& state, const PodInfo& pod, const Snapshot& snap) const;

 private:
  std::string post_filter_message(const PodInfo& pod, const Snapshot& snap,
                                  const FitError& fit) const;

  std::string scheduler_name_;
  std::vector<std::shared_ptr<Plugin>> plugins_;
  std::vector<PreFilterPlugin*> pre_filters_;
  std::vector<FilterPlugin*> filters_;
  std::vector<PreScorePlugin*> pre_scores_;
  std::vector<std::pair<ScorePlugin*, int64_t>> scores_;
  uint64_t rng_state_ = 0x9E3779B97F4A7C15ull;
  int percentage_of_nodes_to_score_ = 0;
  size_t next_start_node_index_ = 0;  // where the next cycle starts filtering (upstream too)
};

}  // namespace skiff::scheduler
