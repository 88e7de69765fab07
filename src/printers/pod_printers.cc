// The pod table: upstream printPod's Ready / Status / Restarts logic, including init and
// restartable ("sidecar") init containers, and the wide IP / Node / Nominated Node / Readiness
// Gates cells.
#include <map>

#include "printers/printing.h"

namespace skiff::api::printing {
namespace {

bool is_restartable_init(const json::value* container) {
  return container && str(container, {"restartPolicy"}) == "Always";
}

bool has_condition_true(const json::array& conditions, std::string_view type) {
  for (const auto& c : conditions)
    if (str(&c, {"type"}) == type && str(&c, {"status"}) == "True") return true;
  return false;
}

// The finishedAt of a container status's last termination, if any.
std::optional<Clock::time_point> last_terminated(const json::value& status) {
  const auto* term = at(&status, {"lastState", "terminated"});
  if (!term || !term->is_object()) return std::nullopt;
  return timestamp(at(term, {"finishedAt"}));
}

void keep_latest(std::optional<Clock::time_point>& latest, std::optional<Clock::time_point> t) {
  if (t && (!latest || *latest < *t)) latest = t;
}

std::string terminated_reason(const json::value* term, std::string_view prefix) {
  std::string reason = str(term, {"reason"});
  if (!reason.empty()) return std::string(prefix) + reason;
  int64_t signal = num(term, {"signal"});
  if (signal != 0) return std::string(prefix) + "Signal:" + std::to_string(signal);
  return std::string(prefix) + "ExitCode:" + std::to_string(num(term, {"exitCode"}));
}

json::array pod_cells(const json::object& pod, Clock::time_point now) {
  const json::value* spec = at(pod, {"spec"});
  const json::value* status = at(pod, {"status"});
  const auto& conditions = arr(status, {"conditions"});

  int64_t restarts = 0, sidecar_restarts = 0;
  int64_t total = static_cast<int64_t>(arr(spec, {"containers"}).size());
  int64_t ready = 0;
  std::optional<Clock::time_point> last_restart, last_sidecar_restart;

  std::string phase = str(status, {"phase"});
  std::string reason = phase;
  if (!str(status, {"reason"}).empty()) reason = str(status, {"reason"});
  for (const auto& c : conditions)
    if (str(&c, {"type"}) == "PodScheduled" && str(&c, {"reason"}) == "SchedulingGated")
      reason = "SchedulingGated";

  const auto& init_specs = arr(spec, {"initContainers"});
  std::map<std::string, const json::value*> init_by_name;
  for (const auto& c : init_specs) {
    init_by_name[str(&c, {"name"})] = &c;
    if (is_restartable_init(&c)) ++total;
  }
  auto init_spec = [&](const json::value& st) -> const json::value* {
    auto it = init_by_name.find(str(&st, {"name"}));
    return it == init_by_name.end() ? nullptr : it->second;
  };

  bool initializing = false;
  const auto& init_statuses = arr(status, {"initContainerStatuses"});
  for (size_t i = 0; i < init_statuses.size(); ++i) {
    const auto& cs = init_statuses[i];
    restarts += num(&cs, {"restartCount"});
    keep_latest(last_restart, last_terminated(cs));
    bool restartable = is_restartable_init(init_spec(cs));
    if (restartable) {
      sidecar_restarts += num(&cs, {"restartCount"});
      keep_latest(last_sidecar_restart, last_terminated(cs));
    }
    const auto* terminated = at(&cs, {"state", "terminated"});
    const auto* waiting = at(&cs, {"state", "waiting"});
    if (terminated && !terminated->is_object()) terminated = nullptr;
    if (waiting && !waiting->is_object()) waiting = nullptr;
    if (terminated && num(terminated, {"exitCode"}) == 0) continue;
    if (restartable && flag(&cs, {"started"})) {
      if (flag(&cs, {"ready"})) ++ready;
      continue;
    }
    if (terminated) {
      reason = terminated_reason(terminated, "Init:");
    } else if (waiting && !str(waiting, {"reason"}).empty() &&
               str(waiting, {"reason"}) != "PodInitializing") {
      reason = "Init:" + str(waiting, {"reason"});
    } else {
      reason = "Init:" + std::to_string(i) + "/" + std::to_string(init_specs.size());
    }
    initializing = true;
    break;
  }

  if (!initializing || has_condition_true(conditions, "Initialized")) {
    restarts = sidecar_restarts;
    last_restart = last_sidecar_restart;
    bool has_running = false;
    const auto& statuses = arr(status, {"containerStatuses"});
    for (size_t n = statuses.size(); n-- > 0;) {
      const auto& cs = statuses[n];
      restarts += num(&cs, {"restartCount"});
      keep_latest(last_restart, last_terminated(cs));
      const auto* terminated = at(&cs, {"state", "terminated"});
      const auto* waiting = at(&cs, {"state", "waiting"});
      const auto* running = at(&cs, {"state", "running"});
      if (terminated && !terminated->is_object()) terminated = nullptr;
      if (waiting && !waiting->is_object()) waiting = nullptr;
      if (running && !running->is_object()) running = nullptr;
      if (waiting && !str(waiting, {"reason"}).empty()) {
        reason = str(waiting, {"reason"});
      } else if (terminated) {
        reason = terminated_reason(terminated, "");
      } else if (flag(&cs, {"ready"}) && running) {
        has_running = true;
        ++ready;
      }
    }
    // Back to "Running" when a container still runs after another completed.
    if (reason == "Completed" && has_running)
      reason = has_condition_true(conditions, "Ready") ? "Running" : "NotReady";
  }

  bool deleting = at(pod, {"metadata", "deletionTimestamp"}) &&
                  !at(pod, {"metadata", "deletionTimestamp"})->is_null();
  if (deleting && str(status, {"reason"}) == "NodeLost") {
    reason = "Unknown";
  } else if (deleting && phase != "Failed" && phase != "Succeeded") {
    reason = "Terminating";
  }

  std::string restarts_cell = std::to_string(restarts);
  if (restarts != 0 && last_restart) restarts_cell += " (" + since(last_restart, now) + " ago)";

  std::string ip;
  const auto& ips = arr(status, {"podIPs"});
  if (!ips.empty()) ip = str(&ips[0], {"ip"});
  if (ip.empty()) ip = str(status, {"podIP"});
  std::string node = str(spec, {"nodeName"});
  std::string nominated = str(status, {"nominatedNodeName"});

  std::string gates = "<none>";
  const auto& readiness_gates = arr(spec, {"readinessGates"});
  if (!readiness_gates.empty()) {
    int64_t true_count = 0;
    for (const auto& g : readiness_gates) {
      std::string type = str(&g, {"conditionType"});
      for (const auto& c : conditions) {
        if (str(&c, {"type"}) != type) continue;
        if (str(&c, {"status"}) == "True") ++true_count;
        break;
      }
    }
    gates = std::to_string(true_count) + "/" + std::to_string(readiness_gates.size());
  }

  return json::array{name_of(pod),
                     std::to_string(ready) + "/" + std::to_string(total),
                     reason,
                     restarts_cell,
                     age(pod, now),
                     ip.empty() ? "<none>" : ip,
                     node.empty() ? "<none>" : node,
                     nominated.empty() ? "<none>" : nominated,
                     gates};
}

}  // namespace

void add_pod_printers(std::vector<Printer>& out) {
  out.push_back(
      {"",
       "pods",
       {name_col(),
        col("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
        col("Status", "string", "The aggregate status of the containers in this pod."),
        col("Restarts", "string",
            "The number of times the containers in this pod have been restarted and when the "
            "last container in this pod has restarted."),
        age_col(), col("IP", "string", kDescPodIP, 1), col("Node", "string", kDescPodNodeName, 1),
        col("Nominated Node", "string", kDescPodNominatedNodeName, 1),
        col("Readiness Gates", "string", kDescPodReadinessGates, 1)},
       pod_cells});
}

}  // namespace skiff::api::printing
