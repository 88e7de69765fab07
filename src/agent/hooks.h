// Container lifecycle hooks (upstream: pkg/kubelet/lifecycle/handlers.go): postStart and preStop
// handlers of kind exec, httpGet (from the node, as a probe) and sleep.
#pragma once
#include <chrono>
#include <string>

#include "agent/probes.h"
#include "common/json.h"

namespace skiff::agent {

// Runs `handler` (the lifecycle.postStart or .preStop object) within `timeout`. Returns "" on
// success, else what failed (for the FailedPostStartHook / FailedPreStopHook event).
std::string run_hook(const json::object& handler, const json::object& container,
                     const std::string& pod_ip, const ExecFn& exec,
                     std::chrono::milliseconds timeout);

}  // namespace skiff::agent
