// Facts about a pod that the API server, the controllers and the node agent all need, computed
// in one place so they agree: the QoS class (status.qosClass, the agent's oom_score_adj) and
// readiness (the Ready condition: eviction, ReplicaSets, endpoints).
#pragma once
#include <string>

#include "common/json.h"

namespace skiff::api {

// upstream's GetPodQOS over containers and initContainers, cpu and memory only, positive
// quantities only:
//   BestEffort  no container requests or limits cpu or memory;
//   Guaranteed  every container limits both cpu and memory, and the pod's requests (summed over
//               its containers) equal its limits for each resource requested, compared as
//               quantities ("1" and "1000m" are equal);
//   Burstable   otherwise.
// Unparseable quantities count as absent (validation refuses them earlier).
std::string pod_qos_class(const json::object& pod);

// The pod's condition of this type in status.conditions, or nullptr.
const json::object* pod_condition(const json::object& pod, const char* type);
// Whether the Ready condition is True.
bool is_pod_ready(const json::object& pod);

}  // namespace skiff::api
