// Container probes (upstream: pkg/kubelet/prober): exec, httpGet, tcpSocket and grpc-less
// checks with upstream's defaults (periodSeconds 10, timeoutSeconds 1, successThreshold 1,
// failureThreshold 3, initialDelaySeconds 0). A ProbeWorker tracks one probe of one container:
// when it is due and what its result is after the thresholds.
#pragma once
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "common/json.h"

namespace skiff::agent {

enum class ProbeResult { kSuccess, kFailure, kUnknown };

struct ProbeOutcome {
  ProbeResult result = ProbeResult::kUnknown;
  std::string message;  // for the Unhealthy event, e.g. "Liveness probe failed: HTTP probe
                        // failed with statuscode: 500" (the caller adds the probe kind)
};

// Runs a command in the container: exit code (or -1 when it could not run), output, timed out.
using ExecFn = std::function<int(const std::vector<std::string>& cmd,
                                 std::chrono::milliseconds timeout, std::string* output,
                                 bool* timed_out)>;

// Runs one probe attempt of `probe` (the container's livenessProbe/readinessProbe/startupProbe
// object) against a pod at `pod_ip` (httpGet without host and tcpSocket connect there from the
// node; named ports resolve against `container`'s ports). httpGet: success for 200-399, with
// scheme HTTP or HTTPS (certificate not verified), path, httpHeaders, User-Agent
// "kube-probe/1.31"; redirects are not followed (a 3xx is success, as upstream's non-local
// redirect). exec: exit 0 is success. tcpSocket: a completed connect is success.
ProbeOutcome run_probe(const json::object& probe, const json::object& container,
                       const std::string& pod_ip, const ExecFn& exec);

// Timing and thresholds of one probe of one container run (reset when the container restarts).
class ProbeWorker {
 public:
  // `probe` is the probe object; `initial` is the result before the first run (liveness and
  // startup: Success, readiness: Failure, as upstream).
  ProbeWorker(const json::object& probe, ProbeResult initial);
  // Whether an attempt is due at `now` for a container started at `started`.
  bool due(std::chrono::steady_clock::time_point now,
           std::chrono::steady_clock::time_point started) const;
  // When the next attempt is due (for the worker's sleep).
  std::chrono::steady_clock::time_point next_due(
      std::chrono::steady_clock::time_point started) const;
  // Records an attempt made at `now`; returns true when the thresholded result changed.
  bool record(ProbeResult r, std::chrono::steady_clock::time_point now);
  ProbeResult result() const { return result_; }
  std::chrono::milliseconds timeout() const { return timeout_; }

 private:
  std::chrono::milliseconds period_, timeout_, initial_delay_;
  int success_threshold_, failure_threshold_;
  ProbeResult result_;
  int successes_ = 0, failures_ = 0;
  bool ran_ = false;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace skiff::agent
