// The in-tree plugins, with upstream's names, failure reasons and default score weights.
// Each is a stateless object (per-cycle data lives in CycleState), safe to share.
#pragma once
#include <memory>

#include "scheduler/framework.h"

namespace skiff::scheduler {

// Failure reasons exactly as upstream words them (they appear in FailedScheduling events).
inline constexpr const char* kReasonUnschedulable = "node(s) were unschedulable";
inline constexpr const char* kReasonNodeName = "node(s) didn't match the requested node name";
inline constexpr const char* kReasonNodeAffinity = "node(s) didn't match Pod's node affinity/selector";
inline constexpr const char* kReasonNodePorts =
    "node(s) didn't have free ports for the requested pod ports";
inline constexpr const char* kReasonTooManyPods = "Too many pods";
inline constexpr const char* kReasonAffinity = "node(s) didn't match pod affinity rules";
inline constexpr const char* kReasonAntiAffinity = "node(s) didn't match pod anti-affinity rules";
inline constexpr const char* kReasonExistingAntiAffinity =
    "node(s) didn't satisfy existing pods anti-affinity rules";
inline constexpr const char* kReasonSpread = "node(s) didn't match pod topology spread constraints";
inline constexpr const char* kReasonSpreadMissingLabel =
    "node(s) didn't match pod topology spread constraints (missing required label)";

std::shared_ptr<Plugin> make_node_unschedulable();  // Filter
std::shared_ptr<Plugin> make_node_name();           // Filter
std::shared_ptr<Plugin> make_node_affinity();       // Filter (selector + required), Score (preferred)
std::shared_ptr<Plugin> make_taint_toleration();    // Filter (NoSchedule/NoExecute), Score (PreferNoSchedule)
std::shared_ptr<Plugin> make_node_ports();          // PreFilter, Filter
std::shared_ptr<Plugin> make_node_resources_fit();  // PreFilter, Filter, Score (LeastAllocated)
std::shared_ptr<Plugin> make_balanced_allocation(); // PreScore, Score
std::shared_ptr<Plugin> make_image_locality();      // Score
std::shared_ptr<Plugin> make_inter_pod_affinity();  // PreFilter, Filter, PreScore, Score
std::shared_ptr<Plugin> make_pod_topology_spread(); // PreFilter, Filter, PreScore, Score

}  // namespace skiff::scheduler
