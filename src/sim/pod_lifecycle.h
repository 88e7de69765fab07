// How hollow nodes end pods that are meant to finish (Job pods): a pod whose restartPolicy is
// Never or OnFailure runs for --pod-run-duration (or its sim.skiff.dev/run-duration annotation),
// then its containers exit with code 0 (or sim.skiff.dev/exit-code). The kubelet's rules then
// apply: exit 0, or any exit under Never, makes the pod Succeeded or Failed; a non-zero exit
// under OnFailure restarts the containers (restartCount + 1) and the pod keeps running.
// restartPolicy Always (the default) pods never finish. Pure functions, unit-tested in
// tests/sim/pod_lifecycle_test.cc.
#pragma once
#include <chrono>
#include <optional>

#include "common/json.h"
#include "common/time.h"

namespace skiff::sim {

inline constexpr const char* kRunDurationAnnotation = "sim.skiff.dev/run-duration";
inline constexpr const char* kExitCodeAnnotation = "sim.skiff.dev/exit-code";

// How long the pod's containers run before they exit (the annotation when it parses, else
// `dflt`), or nullopt when they never do (restartPolicy Always or unset).
std::optional<std::chrono::milliseconds> pod_run_duration(const json::object& pod,
                                                          std::chrono::milliseconds dflt);
// The exit code the pod's containers end with: the annotation (0..255), else 0.
int pod_exit_code(const json::object& pod);
// When the containers' current run started: the latest state.running.startedAt, if any.
std::optional<Clock::time_point> pod_running_since(const json::object& pod);
// Whether exit `code` restarts the pod's containers rather than ending the pod.
bool exit_restarts(const json::object& pod, int code);
// The merge patch of pods/<p>/status for the containers exiting with `code` at `now`: a terminal
// phase with terminated container states and Ready=False (reason PodCompleted), or, when
// exit_restarts(), containers running again with restartCount + 1 and lastState terminated.
json::object finished_pod_status(const json::object& pod, int code, Clock::time_point now);

}  // namespace skiff::sim
