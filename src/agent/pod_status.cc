// PodWorker: the pod's status as upstream's kubelet computes it (generateAPIPodStatus,
// getPhase, the pod conditions) and its write to pods/<name>/status.
#include "agent/container_spec.h"
#include "agent/pod_condition.h"
#include "agent/pod_worker.h"
#include "api/pod_helpers.h"
#include "api/resources.h"
#include "common/log.h"
#include "common/time.h"

namespace skiff::agent {
namespace {

json::object container_status(const NodeContext& ctx, const json::object& spec,
                              const ContainerRun& r) {
  json::object s{{"name", r.name},
                 {"image", get_string(spec, {"image"})},
                 {"imageID", r.image_id},
                 {"ready", r.ready},
                 {"started", r.started},
                 {"restartCount", std::max(r.attempt, 0)}};
  if (!r.id.empty()) s["containerID"] = ctx.runtime->name() + "://" + r.id;
  json::object state;
  if (!r.id.empty() && !r.terminated.empty()) {
    state["terminated"] = r.terminated;
  } else if (!r.id.empty() && r.waiting_reason.empty()) {
    state["running"] = json::object{{"startedAt", r.started_at}};
  } else {
    json::object w{{"reason", r.waiting_reason.empty() ? "ContainerCreating" : r.waiting_reason}};
    if (!r.waiting_message.empty()) w["message"] = r.waiting_message;
    state["waiting"] = std::move(w);
  }
  s["state"] = std::move(state);
  s["lastState"] = r.last_terminated.empty()
                       ? json::object{}
                       : json::object{{"terminated", r.last_terminated}};
  return s;
}

// Upstream's getPhase for the regular containers.
std::string phase_of(const json::array& statuses, size_t expected, const std::string& policy,
                     bool initialized) {
  if (!initialized) return "Pending";
  int running = 0, waiting = 0, stopped = 0, succeeded = 0;
  for (const auto& s : statuses) {
    if (find_path(s, {"state", "running"})) ++running;
    else if (find_path(s, {"state", "terminated"})) {
      ++stopped;
      if (get_int(s, {"state", "terminated", "exitCode"}) == 0) ++succeeded;
    } else if (find_path(s, {"lastState", "terminated"})) ++stopped;
    else ++waiting;
  }
  if (waiting > 0 || statuses.size() < expected) return "Pending";
  if (running > 0) return "Running";
  if (stopped > 0) {
    if (policy == "Always") return "Running";
    if (stopped == succeeded) return "Succeeded";
    if (policy == "Never") return "Failed";
    return "Running";
  }
  return "Pending";
}

json::object condition(const json::object& old_status, const std::string& type, bool ok,
                       const std::string& reason = "", const std::string& message = "") {
  return pod_condition(old_status, type, ok, now_rfc3339(), reason, message);
}

std::string go_list(const std::vector<std::string>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? " " : "") + v[i];
  return s + "]";
}

}  // namespace

void PodWorker::publish_status(const json::object& pod) {
  json::object old_status;
  if (const auto* s = find_path(pod, {"status"}); s && s->is_object()) old_status = s->get_object();
  json::array init_statuses, statuses;
  std::vector<std::string> uninitialized, unready;
  bool initialized = true;
  for (const char* field : {"initContainers", "containers"}) {
    const auto* list = find_path(pod, {"spec", field});
    if (!list || !list->is_array()) continue;
    bool init = std::string_view(field) == "initContainers";
    for (const auto& cv : list->get_array()) {
      if (!cv.is_object()) continue;
      std::string name = get_string(cv, {"name"});
      auto it = runs_.find(name);
      ContainerRun placeholder;
      placeholder.name = name;
      placeholder.init = init;
      if (init && !initialized) placeholder.waiting_reason = "PodInitializing";
      const ContainerRun& r = it == runs_.end() ? placeholder : it->second;
      auto cs = container_status(ctx_, cv.get_object(), r);
      if (init) {
        bool ok = r.done && get_int(r.terminated, {"exitCode"}) == 0;
        if (!ok) {
          initialized = false;
          uninitialized.push_back(name);
        }
        init_statuses.push_back(std::move(cs));
      } else {
        if (!initialized && it == runs_.end())
          cs["state"] = json::object{{"waiting", json::object{{"reason", "PodInitializing"}}}};
        if (!r.ready) unready.push_back(name);
        statuses.push_back(std::move(cs));
      }
    }
  }
  size_t expected = 0;
  if (const auto* l = find_path(pod, {"spec", "containers"}); l && l->is_array())
    expected = l->get_array().size();
  std::string phase = phase_.empty() ? phase_of(statuses, expected,
                                                get_string(pod, {"spec", "restartPolicy"}, "Always"),
                                                initialized)
                                     : phase_;
  bool terminal = phase == "Succeeded" || phase == "Failed";
  json::array conds;
  conds.push_back(condition(old_status, "PodReadyToStartContainers", sandbox_ready_));
  conds.push_back(initialized ? condition(old_status, "Initialized", true)
                              : condition(old_status, "Initialized", false,
                                          "ContainersNotInitialized",
                                          "containers with incomplete status: " + go_list(uninitialized)));
  bool ready = unready.empty() && !terminal && !terminated_;
  std::string why = terminal ? "PodCompleted" : "ContainersNotReady";
  std::string msg = terminal ? "" : "containers with unready status: " + go_list(unready);
  conds.push_back(ready ? condition(old_status, "ContainersReady", true)
                        : condition(old_status, "ContainersReady", false, why, msg));
  conds.push_back(ready ? condition(old_status, "Ready", true)
                        : condition(old_status, "Ready", false, why, msg));
  // Conditions others own (PodScheduled, DisruptionTarget, readiness gates) are kept.
  if (const auto* old = find_path(old_status, {"conditions"}); old && old->is_array())
    for (const auto& c : old->get_array()) {
      auto t = get_string(c, {"type"});
      if (t != "PodReadyToStartContainers" && t != "Initialized" && t != "ContainersReady" &&
          t != "Ready")
        conds.push_back(c);
    }
  json::object status{{"phase", phase},
                      {"conditions", std::move(conds)},
                      {"hostIP", ctx_.host_ip},
                      {"hostIPs", json::array{json::object{{"ip", ctx_.host_ip}}}},
                      {"qosClass", api::pod_qos_class(pod)},
                      {"containerStatuses", std::move(statuses)}};
  if (!init_statuses.empty()) status["initContainerStatuses"] = std::move(init_statuses);
  if (!pod_ip_.empty()) {
    status["podIP"] = pod_ip_;
    status["podIPs"] = json::array{json::object{{"ip", pod_ip_}}};
  }
  status["startTime"] = get_string(old_status, {"startTime"},
                                   start_time_.empty() ? now_rfc3339() : start_time_);
  std::string text = json::serialize(status);
  if (text == last_status_) return;
  auto res = ctx_.client->patch(core_resource("pods"),
                                get_string(pod, {"metadata", "namespace"}),
                                get_string(pod, {"metadata", "name"}),
                                "application/merge-patch+json", json::object{{"status", status}},
                                "status");
  if (res) {
    last_status_ = text;
  } else if (res.error().code != 404) {
    SKIFF_LOG(WARN) << "pod " << get_string(pod, {"metadata", "name"})
                    << ": status update: " << res.error().message;
    wake_at(Steady::now() + std::chrono::seconds(1));
  }
}

}  // namespace skiff::agent
