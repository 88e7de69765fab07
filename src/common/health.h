// Liveness of the components one process runs (kube-apiserver, kube-scheduler,
// kube-controller-manager, kube-proxy, kube-flannel inside `skiff server` / `skiff agent`), as
// their mirror pods' Ready condition shows it (src/agent/mirror_pods.h, docs/agent.md).
//
// A component has sources: loops or states that each report on their own. A loop beats with a
// max age (the scheduler's scheduling loop: every pass, at most 5 s apart); a state reports ok
// or failed and stays until the next report (max age 0: the flannel backend's routes). The
// component is healthy when it has at least one source and every source is fresh and ok; a
// component that stops on purpose forgets its source, so "no source" reads "not running".
//
// Thread safety: every function may be called from any thread (one mutex inside).
#pragma once
#include <chrono>
#include <string>
#include <string_view>

namespace skiff::health {
using Steady = std::chrono::steady_clock;

// `source` of `component` is alive and ok; a loop must beat again within max_age (0: no limit).
void beat(std::string_view component, std::string_view source, std::chrono::milliseconds max_age,
          Steady::time_point now = Steady::now());
// `source` of `component` failed (e.g. a route could not be programmed), with why.
void fail(std::string_view component, std::string_view source, std::string_view message,
          Steady::time_point now = Steady::now());
// `source` stopped on purpose (a scheduler that lost its lease, a controller being stopped).
void forget(std::string_view component, std::string_view source);

struct Report {
  bool running = false;  // at least one source reports
  bool healthy = false;
  std::string message;   // why not healthy ("" when healthy)
  // Wall time of the component's first report in this process (epoch when it never reported).
  std::chrono::system_clock::time_point started;
};
Report check(std::string_view component, Steady::time_point now = Steady::now());

// Tests only: forgets everything.
void reset_for_test();

}  // namespace skiff::health
