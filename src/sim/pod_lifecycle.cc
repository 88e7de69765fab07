#include "sim/pod_lifecycle.h"

#include <charconv>
#include <string>

namespace skiff::sim {
namespace {

std::string restart_policy(const json::object& pod) {
  return get_string(pod, {"spec", "restartPolicy"}, "Always");
}

std::string started_at(const json::value& cs, const std::string& fallback) {
  std::string t = get_string(cs, {"state", "running", "startedAt"});
  return t.empty() ? fallback : t;
}

}  // namespace

std::optional<std::chrono::milliseconds> pod_run_duration(const json::object& pod,
                                                          std::chrono::milliseconds dflt) {
  const std::string policy = restart_policy(pod);
  if (policy != "Never" && policy != "OnFailure") return std::nullopt;
  std::string v = get_string(pod, {"metadata", "annotations", kRunDurationAnnotation});
  if (!v.empty())
    if (auto d = parse_duration(v); d && d->count() >= 0) return *d;
  return dflt;
}

int pod_exit_code(const json::object& pod) {
  std::string v = get_string(pod, {"metadata", "annotations", kExitCodeAnnotation});
  int code = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), code);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size() || code < 0 || code > 255)
    return 0;
  return code;
}

std::optional<Clock::time_point> pod_running_since(const json::object& pod) {
  std::optional<Clock::time_point> latest;
  const json::value* cs = find_path(pod, {"status", "containerStatuses"});
  if (!cs || !cs->is_array()) return latest;
  for (const auto& c : cs->get_array()) {
    auto t = parse_rfc3339(get_string(c, {"state", "running", "startedAt"}));
    if (t && (!latest || *t > *latest)) latest = t;
  }
  return latest;
}

bool exit_restarts(const json::object& pod, int code) {
  return code != 0 && restart_policy(pod) == "OnFailure";
}

json::object finished_pod_status(const json::object& pod, int code, Clock::time_point now) {
  const std::string ts = format_rfc3339(now);
  const std::string pod_start = get_string(pod, {"status", "startTime"}, ts);
  const bool restart = exit_restarts(pod, code);
  json::array statuses;
  if (const json::value* cs = find_path(pod, {"status", "containerStatuses"}); cs && cs->is_array())
    for (const auto& c : cs->get_array()) {
      if (!c.is_object()) continue;
      json::object s = c.as_object();
      json::object terminated{{"exitCode", code},
                              {"reason", code == 0 ? "Completed" : "Error"},
                              {"startedAt", started_at(c, pod_start)},
                              {"finishedAt", ts},
                              {"containerID", get_string(c, {"containerID"})}};
      if (restart) {
        s["restartCount"] = get_int(c, {"restartCount"}, 0) + 1;
        s["lastState"] = json::object{{"terminated", std::move(terminated)}};
        s["state"] = json::object{{"running", json::object{{"startedAt", ts}}}};
      } else {
        s["ready"] = false;
        s["started"] = false;
        s["state"] = json::object{{"terminated", std::move(terminated)}};
      }
      statuses.push_back(std::move(s));
    }
  json::object status{{"containerStatuses", std::move(statuses)}};
  if (restart) return json::object{{"status", std::move(status)}};

  status["phase"] = code == 0 ? "Succeeded" : "Failed";
  json::array conds;
  if (const json::value* cs = find_path(pod, {"status", "conditions"}); cs && cs->is_array())
    for (const auto& c : cs->get_array()) {
      if (!c.is_object()) continue;
      json::object cond = c.as_object();
      const std::string type = get_string(c, {"type"});
      if (type == "Ready" || type == "ContainersReady" || type == "PodReadyToStartContainers") {
        if (get_string(c, {"status"}) != "False") cond["lastTransitionTime"] = ts;
        cond["status"] = "False";
        if (type != "PodReadyToStartContainers") cond["reason"] = "PodCompleted";
      }
      conds.push_back(std::move(cond));
    }
  status["conditions"] = std::move(conds);
  return json::object{{"status", std::move(status)}};
}

}  // namespace skiff::sim
