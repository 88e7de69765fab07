// Which pods may run on which nodes, as the scheduler, the DaemonSet controller and the node
// lifecycle controller's taint manager all decide it: taints against tolerations (upstream's
// core/v1 Toleration.ToleratesTaint) and node selector terms, spec.nodeSelector and required
// node affinity (upstream's component-helpers/scheduling/corev1/nodeaffinity).
//
// Parse once, match many times: the scheduler keeps the parsed structures in its PodInfo and
// NodeInfo and matches them against every node of a cycle. All types are plain values.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/time.h"

namespace skiff {

// ---- taints and tolerations ----

struct Taint {
  std::string key, value, effect;  // effect: NoSchedule, PreferNoSchedule, NoExecute
  // timeAdded (set on NoExecute taints); absent when unset or unparseable.
  std::optional<Clock::time_point> time_added = std::nullopt;
};

struct Toleration {
  std::string key, op = "Equal", value, effect;  // op: Equal (also when empty) or Exists
  std::optional<int64_t> seconds = std::nullopt;  // tolerationSeconds; absent = forever

  // Upstream's ToleratesTaint: an empty effect matches every effect, an empty key with Exists
  // matches every taint, Equal compares values; an empty key with Equal (invalid, the API
  // rejects it) and unknown operators tolerate nothing.
  bool tolerates(const Taint& t) const;
};

// A Node's spec.taints / a pod's spec.tolerations (null or not an array: none).
std::vector<Taint> parse_taints(const json::value* taints);
std::vector<Toleration> parse_tolerations(const json::value* tolerations);

// The first taint with one of `effects` that no toleration tolerates, or nullptr.
const Taint* find_untolerated(const std::vector<Taint>& taints,
                              const std::vector<Toleration>& tolerations,
                              std::initializer_list<std::string_view> effects);

// ---- node selector terms (nodeSelector, nodeAffinity) ----

// A JSON object's string members as a map (labels, nodeSelector); null or not an object: empty.
std::map<std::string, std::string> string_map(const json::value* object);

struct NodeSelectorRequirement {
  std::string key, op;  // In, NotIn, Exists, DoesNotExist, Gt, Lt
  std::vector<std::string> values;
  // `value`: the label's (or field's) value, null when the node has no such label. Gt and Lt
  // compare one base-10 int64 value with the label's; anything unparseable does not match.
  bool matches(const std::string* value) const;
};

struct NodeSelectorTerm {
  std::vector<NodeSelectorRequirement> match_expressions;  // on labels
  std::vector<NodeSelectorRequirement> match_fields;       // metadata.name only
  // All requirements ANDed; a term with no requirements matches nothing (upstream).
  bool matches(const std::map<std::string, std::string>& labels, const std::string& name) const;
};
NodeSelectorTerm parse_node_selector_term(const json::value& term);

// Upstream's RequiredNodeAffinity: a pod's spec.nodeSelector (every pair must be a node label)
// and its requiredDuringSchedulingIgnoredDuringExecution node affinity (terms ORed; present with
// no terms matches no node).
struct RequiredNodeAffinity {
  std::map<std::string, std::string> node_selector;
  std::vector<NodeSelectorTerm> terms;
  bool has_affinity = false;  // requiredDuringSchedulingIgnoredDuringExecution is set

  static RequiredNodeAffinity from_pod_spec(const json::object& spec);
  bool matches(const std::map<std::string, std::string>& labels, const std::string& name) const;
};

}  // namespace skiff
