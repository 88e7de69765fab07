// PodWorker: stopping a pod (preStop hooks, SIGTERM, SIGKILL after the grace period), removing
// everything it had on the node, finishing the API deletion, and the state file that lets a new
// agent re-adopt the pod's containers.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "agent/hooks.h"
#include "agent/pod_worker.h"
#include "api/resources.h"
#include "common/log.h"
#include "common/time.h"

namespace skiff::agent {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

const json::object* container_spec(const json::object& pod, const std::string& name) {
  for (const char* field : {"initContainers", "containers"})
    if (const auto* list = find_path(pod, {"spec", field}); list && list->is_array())
      for (const auto& c : list->get_array())
        if (c.is_object() && get_string(c, {"name"}) == name) return &c.get_object();
  return nullptr;
}

}  // namespace

void PodWorker::terminate(const json::object& pod, std::chrono::seconds grace) {
  const auto deadline = Steady::now() + grace;
  std::vector<std::thread> stoppers;
  for (auto& [name, r] : runs_) {
    if (r.id.empty() || !r.terminated.empty()) continue;
    runtime::ContainerState st;
    if (!ctx_.runtime->state(r.id, &st).ok() || st.status == runtime::ContainerStatus::kExited)
      continue;
    ctx_.event(pod, "Normal", "Killing", "Stopping container " + name, r.field_path());
    json::object hook, spec;
    if (const auto* s = container_spec(pod, name)) {
      spec = *s;
      if (const auto* h = find_path(*s, {"lifecycle", "preStop"}); h && h->is_object())
        hook = h->get_object();
    }
    std::string fp = r.field_path();
    stoppers.emplace_back([this, id = r.id, hook, spec, deadline, pod, fp] {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now());
      if (!hook.empty() && left > 0ms) {
        std::string failed = run_hook(hook, spec, pod_ip_, exec_in(id), left);
        if (!failed.empty())
          ctx_.event(pod, "Warning", "FailedPreStopHook", "PreStopHook failed: " + failed, fp);
      }
      left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now());
      ctx_.runtime->stop(id, std::max(left, 0ms));
    });
  }
  for (auto& t : stoppers) t.join();
  // Record how they ended, for the last status the API sees.
  for (auto& [name, r] : runs_) {
    if (r.id.empty() || !r.terminated.empty()) continue;
    runtime::ContainerState st;
    ctx_.runtime->state(r.id, &st);
    r.terminated = json::object{{"exitCode", st.exit_code < 0 ? 137 : st.exit_code},
                                {"reason", st.exit_code == 0 ? "Completed" : "Error"},
                                {"startedAt", r.started_at},
                                {"finishedAt", now_rfc3339()},
                                {"containerID", ctx_.runtime->name() + "://" + r.id}};
    r.ready = r.started = false;
    r.done = true;
  }
  terminated_ = true;
  publish_info();
}

void PodWorker::cleanup() {
  for (auto& [name, r] : runs_) {
    for (const auto* id : {&r.id, &r.previous_id})
      if (!id->empty()) {
        auto st = ctx_.runtime->remove(*id);
        if (!st.ok() && !st.is_not_found()) {
          SKIFF_LOG(WARN) << "pod " << uid_ << ": remove container " << *id << ": " << st.message();
        }
      }
  }
  std::string err;
  if (!volumes_.tear_down(&err)) {
    SKIFF_LOG(WARN) << "pod " << uid_ << ": volumes: " << err;
  }
  teardown_sandbox(ctx_, uid_);
  std::error_code ec;
  fs::remove_all(dir_, ec);
  if (ec) {
    SKIFF_LOG(WARN) << "pod " << uid_ << ": remove " << dir_ << ": " << ec.message();
  }
  runs_.clear();
  sandbox_ready_ = false;
  publish_info();
}

// The containers are gone: the API object may go too (upstream: the status manager's final
// delete with grace period 0, guarded by the UID so a new pod of the same name is not hit).
bool PodWorker::finalize_delete(const json::object& pod) {
  json::object opts{{"kind", "DeleteOptions"},
                    {"apiVersion", "v1"},
                    {"gracePeriodSeconds", 0},
                    {"preconditions", json::object{{"uid", uid_}}}};
  auto res = ctx_.client->remove(core_resource("pods"),
                                 get_string(pod, {"metadata", "namespace"}),
                                 get_string(pod, {"metadata", "name"}), opts);
  if (!res && res.error().code != 404 && res.error().code != 409) {
    SKIFF_LOG(WARN) << "pod " << get_string(pod, {"metadata", "name"})
                    << ": final delete: " << res.error().message << " (retrying)";
    return false;
  }
  return true;
}

void PodWorker::save_state() {
  json::array list;
  for (const auto& [name, r] : runs_) {
    list.push_back(json::object{{"name", r.name},
                                {"init", r.init},
                                {"attempt", r.attempt},
                                {"id", r.id},
                                {"logPath", r.log_path},
                                {"previousLog", r.previous_log},
                                {"previousID", r.previous_id},
                                {"imageID", r.image_id},
                                {"startedAt", r.started_at},
                                {"terminated", r.terminated},
                                {"lastTerminated", r.last_terminated},
                                {"done", r.done}});
  }
  json::object doc{{"uid", uid_}, {"phase", phase_}, {"containers", std::move(list)}};
  std::string text = json::serialize(doc);
  if (text == last_saved_) return;  // a sync that changed nothing writes nothing
  std::error_code ec;
  fs::create_directories(dir_, ec);
  std::string tmp = dir_ + "/state.json.tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    if (!out) return;
  }
  if (std::rename(tmp.c_str(), (dir_ + "/state.json").c_str()) == 0) last_saved_ = std::move(text);
}

void PodWorker::load_state() {
  std::ifstream in(dir_ + "/state.json");
  if (!in) return;
  std::stringstream ss;
  ss << in.rdbuf();
  json::value v;
  std::string err;
  if (!parse_json(ss.str(), v, err) || !v.is_object()) {
    SKIFF_LOG(WARN) << "pod " << uid_ << ": unreadable state.json: " << err;
    return;
  }
  phase_ = get_string(v, {"phase"});
  if (const auto* list = find_path(v, {"containers"}); list && list->is_array()) {
    for (const auto& c : list->get_array()) {
      ContainerRun& r = runs_[get_string(c, {"name"})];
      r.name = get_string(c, {"name"});
      const auto* init = find_path(c, {"init"});
      r.init = init && init->is_bool() && init->get_bool();
      r.attempt = static_cast<int>(get_int(c, {"attempt"}, -1));
      r.id = get_string(c, {"id"});
      r.log_path = get_string(c, {"logPath"});
      r.previous_log = get_string(c, {"previousLog"});
      r.previous_id = get_string(c, {"previousID"});
      r.image_id = get_string(c, {"imageID"});
      r.started_at = get_string(c, {"startedAt"});
      if (const auto* t = find_path(c, {"terminated"}); t && t->is_object()) r.terminated = t->get_object();
      if (const auto* t = find_path(c, {"lastTerminated"}); t && t->is_object())
        r.last_terminated = t->get_object();
      const auto* done = find_path(c, {"done"});
      r.done = done && done->is_bool() && done->get_bool();
      r.waiting_reason = r.id.empty() ? "ContainerCreating" : "";
    }
  }
  SKIFF_LOG(INFO) << "pod " << uid_ << ": re-adopted " << runs_.size() << " container(s)";
}

}  // namespace skiff::agent
