#include "agent/pod_worker.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "agent/container_spec.h"
#include "agent/env.h"
#include "agent/logs.h"
#include "api/resources.h"
#include "common/log.h"
#include "common/time.h"

namespace skiff::agent {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

std::vector<const json::object*> containers_of(const json::object& pod, const char* field) {
  std::vector<const json::object*> out;
  if (const auto* list = find_path(pod, {"spec", field}); list && list->is_array())
    for (const auto& c : list->get_array())
      if (c.is_object()) out.push_back(&c.get_object());
  return out;
}

std::string read_small(const std::string& path, size_t max) {
  std::ifstream in(path, std::ios::binary);
  std::string s(max, '\0');
  in.read(s.data(), static_cast<std::streamsize>(max));
  s.resize(static_cast<size_t>(in.gcount()));
  return s;
}

// The last `lines` lines (at most `max` bytes) of a CRI log as plain text: the fallback
// termination message of terminationMessagePolicy FallbackToLogsOnError.
std::string log_tail_text(const std::string& path, size_t lines, size_t max) {
  std::ifstream in(path);
  std::vector<std::string> all;
  LogLine line;
  for (std::string l; std::getline(in, l);)
    if (parse_cri_line(l, &line)) all.emplace_back(line.text);
  std::string out;
  for (size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i)
    out += all[i] + "\n";
  return out.size() > max ? out.substr(out.size() - max) : out;
}

std::string restart_policy(const json::object& pod) {
  return get_string(pod, {"spec", "restartPolicy"}, "Always");
}

std::chrono::seconds pod_grace(const json::object& pod) {
  return std::chrono::seconds(get_int(pod, {"spec", "terminationGracePeriodSeconds"}, 30));
}

}  // namespace

PodWorker::PodWorker(NodeContext& ctx, json::object pod)
    : ctx_(ctx),
      uid_(get_string(pod, {"metadata", "uid"})),
      dir_(ctx.pod_dir(uid_)),
      volumes_(dir_),
      pod_(std::move(pod)) {}

PodWorker::~PodWorker() {
  stop();
}

void PodWorker::start() {
  thread_ = std::thread([this] { run(); });
}

void PodWorker::update(json::object pod) {
  std::lock_guard lock(mu_);
  pod_ = std::move(pod);
  dirty_ = true;
  cv_.notify_all();
}

void PodWorker::removed() {
  std::lock_guard lock(mu_);
  removed_ = true;
  dirty_ = true;
  cv_.notify_all();
}

void PodWorker::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

std::optional<PodWorker::ContainerInfo> PodWorker::container(const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = info_.find(name);
  if (it == info_.end()) return std::nullopt;
  return it->second;
}

std::string PodWorker::netns() const {
  std::lock_guard lock(mu_);
  return netns_;
}

json::object PodWorker::pod() const {
  std::lock_guard lock(mu_);
  return pod_;
}

void PodWorker::wake_at(Steady::time_point t) {
  if (t < next_wake_) next_wake_ = t;
}

void PodWorker::publish_info() {
  std::lock_guard lock(mu_);
  info_.clear();
  for (const auto& [name, r] : runs_)
    info_[name] = ContainerInfo{r.id, r.log_path, r.previous_log,
                                !r.id.empty() && r.terminated.empty()};
  netns_ = sandbox_.netns;
}

ExecFn PodWorker::exec_in(const std::string& id) const {
  return [this, id](const std::vector<std::string>& cmd, std::chrono::milliseconds timeout,
                    std::string* output, bool* timed_out) {
    runtime::ExecResult res;
    if (!ctx_.runtime->exec_sync(id, cmd, timeout, &res).ok()) return -1;
    *output = res.out + res.err;
    *timed_out = res.timed_out;
    return res.exit_code;
  };
}

PodFacts PodWorker::facts() const {
  return PodFacts{ctx_.options.node_name, ctx_.host_ip, pod_ip_, ctx_.allocatable()};
}

ObjectGetter PodWorker::object_getter() const {
  return [this](const std::string& res, const std::string& ns, const std::string& name) {
    return ctx_.client->get(core_resource(res), ns, name);
  };
}

TokenRequester PodWorker::token_requester() const {
  return [this](const std::string& ns, const std::string& sa, const json::object& request) {
    return ctx_.client->post_subresource(core_resource("serviceaccounts"), ns, sa, "token", request);
  };
}

ContainerRun& PodWorker::run_for(const std::string& name, bool init) {
  auto& r = runs_[name];
  if (r.name.empty()) {
    r.name = name;
    r.init = init;
  }
  return r;
}

void PodWorker::run() {
  load_state();
  publish_info();
  bool deleted = false;
  while (true) {
    json::object pod;
    bool removed;
    {
      std::unique_lock lock(mu_);
      cv_.wait_until(lock, next_wake_, [&] { return dirty_ || stopping_; });
      if (stopping_) break;
      dirty_ = false;
      pod = pod_;
      removed = removed_;
    }
    next_wake_ = Steady::now() + 1s;  // exits are noticed within a second
    try {
      if (removed) {
        if (!terminated_) terminate(pod, std::min(pod_grace(pod), std::chrono::seconds(2)));
        cleanup();
        break;
      }
      if (find_path(pod, {"metadata", "deletionTimestamp"})) {
        if (!terminated_) {
          auto grace = std::chrono::seconds(get_int(pod, {"metadata", "deletionGracePeriodSeconds"},
                                                    pod_grace(pod).count()));
          terminate(pod, grace);
          publish_status(pod);
          cleanup();
        }
        if (!deleted) deleted = finalize_delete(pod);
        next_wake_ = Steady::now() + 5s;
        continue;
      }
      sync(pod);
      publish_info();
      publish_status(pod);
    } catch (const std::exception& e) {
      SKIFF_LOG(WARN) << "pod " << get_string(pod, {"metadata", "namespace"}) << "/"
                      << get_string(pod, {"metadata", "name"}) << ": " << e.what();
      next_wake_ = Steady::now() + 2s;
    }
  }
  finished_ = true;
}

void PodWorker::sync(const json::object& pod) {
  if (start_time_.empty()) start_time_ = now_rfc3339();
  if (!phase_.empty()) return;  // Succeeded or Failed: nothing runs any more
  // The agent is stopping: containers are left as they are, for the next agent to adopt. (The
  // permits around create and start make this exact; this saves the work before them.)
  if (ctx_.start_gate.closed()) return;
  const auto now = Steady::now();
  std::string err;
  if (!sandbox_ready_) {
    if (!ensure_sandbox(ctx_, pod, &sandbox_, &err)) {
      if (err != last_mount_error_)
        ctx_.event(pod, "Warning", "FailedCreatePodSandBox",
                   "Failed to create pod sandbox: " + err);
      last_mount_error_ = err;
      next_wake_ = now + 3s;
      return;
    }
    sandbox_ready_ = true;
    last_mount_error_.clear();
    pod_ip_ = sandbox_.ip;
  }
  if (volumes_at_ == Steady::time_point{} || now - volumes_at_ > 10s) {
    if (!volumes_.set_up(pod, facts(), object_getter(), &err, token_requester())) {
      if (err != last_mount_error_)
        ctx_.event(pod, "Warning", "FailedMount", "MountVolume.SetUp failed: " + err);
      last_mount_error_ = err;
      if (volumes_at_ == Steady::time_point{}) {
        next_wake_ = now + 2s;
        return;
      }
    } else {
      volumes_at_ = now;
      last_mount_error_.clear();
    }
  }
  for (const auto* c : containers_of(pod, "initContainers")) {
    auto& r = run_for(get_string(*c, {"name"}), true);
    if (!r.done) step(pod, *c, r);
    if (!r.done) {
      save_state();
      return;
    }
    if (get_int(r.terminated, {"exitCode"}) != 0) {
      phase_ = "Failed";  // an init container failed and restartPolicy is Never
      save_state();
      return;
    }
  }
  bool all_done = true, all_ok = true;
  for (const auto* c : containers_of(pod, "containers")) {
    auto& r = run_for(get_string(*c, {"name"}), false);
    step(pod, *c, r);
    all_done = all_done && r.done;
    all_ok = all_ok && r.done && get_int(r.terminated, {"exitCode"}) == 0;
  }
  if (all_done && !runs_.empty()) phase_ = all_ok ? "Succeeded" : "Failed";
  save_state();
}

void PodWorker::step(const json::object& pod, const json::object& spec, ContainerRun& r) {
  if (!r.id.empty() && r.terminated.empty()) {
    runtime::ContainerState st;
    auto s = ctx_.runtime->state(r.id, &st);
    if (!s.ok()) {
      on_exit(pod, spec, r,
              json::object{{"exitCode", 137},
                           {"reason", "ContainerStatusUnknown"},
                           {"message", "The container could not be located"},
                           {"startedAt", r.started_at},
                           {"finishedAt", now_rfc3339()}});
    } else if (st.status == runtime::ContainerStatus::kExited) {
      json::object t{{"exitCode", st.exit_code < 0 ? 137 : st.exit_code},
                     {"startedAt", r.started_at},
                     {"finishedAt", format_rfc3339(st.finished_at == decltype(st.finished_at){}
                                                       ? std::chrono::system_clock::now()
                                                       : st.finished_at)},
                     {"containerID", ctx_.runtime->name() + "://" + r.id}};
      t["reason"] = st.oom_killed ? "OOMKilled" : st.exit_code == 0 ? "Completed" : "Error";
      // The termination message: the file the container wrote, else (policy
      // FallbackToLogsOnError, failed) the end of its log.
      std::string msg = read_small(dir_ + "/termination/" + r.id, 4096);
      if (msg.empty() && st.exit_code != 0 &&
          get_string(spec, {"terminationMessagePolicy"}) == "FallbackToLogsOnError")
        msg = log_tail_text(r.log_path, 80, 2048);
      if (!msg.empty()) t["message"] = msg;
      on_exit(pod, spec, r, t);
    } else if (st.status == runtime::ContainerStatus::kCreated) {
      // An earlier agent created it and stopped before starting it.
      if (auto permit = ctx_.start_gate.enter())
        if (!ctx_.runtime->start(r.id).ok()) ctx_.runtime->kill(r.id, 9);
      return;
    } else {
      if (!r.init) run_probes(pod, spec, r);
      return;
    }
  }
  if (r.done || !r.id.empty()) return;
  const auto now = Steady::now();
  if (now < r.backoff_until) {
    auto left = std::chrono::duration_cast<std::chrono::seconds>(r.backoff_until - now);
    r.waiting_reason = "CrashLoopBackOff";
    r.waiting_message = "back-off " + std::to_string(std::max<int64_t>(left.count(), 1)) +
                        "s restarting failed container=" + r.name +
                        " pod=" + get_string(pod, {"metadata", "name"}) + "_" +
                        get_string(pod, {"metadata", "namespace"}) + "(" + uid_ + ")";
    wake_at(r.backoff_until);
    return;
  }
  if (now < r.retry_at) {
    if (r.waiting_reason == "ErrImagePull") {
      r.waiting_reason = "ImagePullBackOff";
      r.waiting_message = "Back-off pulling image \"" + get_string(spec, {"image"}) + "\"";
      ctx_.event(pod, "Normal", "BackOff", r.waiting_message, r.field_path());
    }
    wake_at(r.retry_at);
    return;
  }
  start_container(pod, spec, r);
}

void PodWorker::on_exit(const json::object& pod, const json::object& spec, ContainerRun& r,
                        const json::object& term) {
  r.terminated = term;
  r.ready = r.started = false;
  r.liveness.reset();
  r.readiness.reset();
  r.startup.reset();
  r.probes_made = false;
  int64_t code = get_int(term, {"exitCode"});
  std::string policy = restart_policy(pod);
  bool restart = r.init ? policy != "Never" && code != 0
                        : policy == "Always" || (policy == "OnFailure" && code != 0);
  if (!restart) {
    r.done = true;
    save_state();
    return;
  }
  // The exited container becomes the previous one (kubectl logs --previous); the one before
  // it goes, with its log.
  if (!r.previous_id.empty()) {
    ctx_.runtime->remove(r.previous_id);
    std::error_code ec;
    fs::remove_all(dir_ + "/rootfs/" + r.previous_id, ec);
    fs::remove(dir_ + "/termination/" + r.previous_id, ec);
    if (!r.previous_log.empty()) fs::remove(r.previous_log, ec);
  }
  r.previous_id = r.id;
  r.previous_log = r.log_path;
  r.last_terminated = term;
  r.terminated = {};
  r.id.clear();
  auto started = parse_rfc3339(r.started_at);
  auto finished = parse_rfc3339(get_string(term, {"finishedAt"}));
  if (started && finished && *finished - *started > 10min) r.crashes = 0;
  ++r.crashes;
  // Upstream's back-off (10 s doubling to 5 min), except that the first two restarts are
  // immediate: a container that dies at once has then been restarted twice before the pod
  // shows CrashLoopBackOff (docs/agent.md).
  std::chrono::seconds delay{0};
  if (r.crashes > 2) delay = std::min<std::chrono::seconds>(10s * (1 << std::min(r.crashes - 3, 5)), 300s);
  r.backoff_until = Steady::now() + delay;
  if (delay.count() > 0)
    ctx_.event(pod, "Warning", "BackOff",
               "Back-off restarting failed container " + r.name + " in pod " +
                   get_string(pod, {"metadata", "name"}) + "_" +
                   get_string(pod, {"metadata", "namespace"}) + "(" + uid_ + ")",
               r.field_path());
  r.waiting_reason = delay.count() > 0 ? "CrashLoopBackOff" : "ContainerCreating";
  r.waiting_message.clear();
  save_state();
}

}  // namespace skiff::agent
