// PodWorker: starting one container attempt (image, environment, mounts, spec, create, start,
// postStart) and running its probes.
#include <filesystem>
#include <fstream>

#include "agent/container_spec.h"
#include "agent/env.h"
#include "agent/hooks.h"
#include "agent/pod_worker.h"
#include "agent/service_env.h"
#include "api/resources.h"
#include "common/log.h"
#include "common/time.h"
#include "images/system_image.h"

namespace skiff::agent {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

images::PullPolicy pull_policy(const json::object& spec) {
  std::string p = get_string(spec, {"imagePullPolicy"}, "IfNotPresent");
  if (p == "Always") return images::PullPolicy::kAlways;
  if (p == "Never") return images::PullPolicy::kNever;
  return images::PullPolicy::kIfNotPresent;
}

bool mounts_path(const std::vector<runtime::MountSpec>& m, const std::string& dst) {
  for (const auto& x : m)
    if (x.destination == dst) return true;
  return false;
}

std::string seconds_text(Steady::duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3fs", std::chrono::duration<double>(d).count());
  return buf;
}

}  // namespace

bool PodWorker::start_container(const json::object& pod, const json::object& spec,
                                ContainerRun& r) {
  const std::string image_ref = get_string(spec, {"image"});
  const auto policy = pull_policy(spec);
  const std::string fp = r.field_path();
  images::Image img;
  // The system image (skiff's own binary, images/system_image.h) is built here, on first use,
  // rather than at every agent start: the binary with its debug info is ~200 MB, and most
  // agents (every single-node test server) never run a system pod.
  if (image_ref == images::system_image_ref() && !ctx_.images->get(image_ref, img).ok()) {
    r.waiting_reason = "ContainerCreating";
    auto st = images::ensure_system_image(*ctx_.images, ctx_.options.data_dir + "/tmp");
    if (!st.ok()) {
      SKIFF_LOG(WARN) << "agent: " << st.message;
    }
  }
  bool present = ctx_.images->get(image_ref, img).ok();
  if (policy == images::PullPolicy::kNever && !present) {
    r.waiting_reason = "ErrImageNeverPull";
    r.waiting_message = "Container image \"" + image_ref +
                        "\" is not present with pull policy of Never";
    ctx_.event(pod, "Warning", "ErrImageNeverPull", r.waiting_message, fp);
    r.retry_at = Steady::now() + 10s;
    return false;
  }
  if (present && policy != images::PullPolicy::kAlways) {
    ctx_.event(pod, "Normal", "Pulled",
               "Container image \"" + image_ref + "\" already present on machine", fp);
  } else {
    ctx_.event(pod, "Normal", "Pulling", "Pulling image \"" + image_ref + "\"", fp);
    r.waiting_reason = "ContainerCreating";
    auto t0 = Steady::now();
    auto st = ctx_.images->ensure(image_ref, policy, img);
    if (!st.ok()) {
      ++r.pull_failures;
      r.waiting_reason = "ErrImagePull";
      r.waiting_message = st.message;
      ctx_.event(pod, "Warning", "Failed",
                 "Failed to pull image \"" + image_ref + "\": " + st.message, fp);
      ctx_.event(pod, "Warning", "Failed", "Error: ErrImagePull", fp);
      auto delay = std::min<std::chrono::seconds>(10s * (1 << std::min(r.pull_failures - 1, 5)), 300s);
      // A reference that can never resolve still retries, as upstream does, but slowly.
      r.retry_at = Steady::now() + delay;
      return false;
    }
    r.pull_failures = 0;
    ctx_.event(pod, "Normal", "Pulled",
               "Successfully pulled image \"" + image_ref + "\" in " +
                   seconds_text(Steady::now() - t0) + ". Image size: " + std::to_string(img.size) +
                   " bytes.",
               fp);
  }
  auto config_error = [&](const std::string& msg) {
    r.waiting_reason = "CreateContainerConfigError";
    r.waiting_message = msg;
    ctx_.event(pod, "Warning", "Failed", "Error: " + msg, fp);
    r.retry_at = Steady::now() + 2s;
    return false;
  };
  // Service variables come after the image's, before the container's own.
  auto items = [this](const std::string& ns) {
    std::vector<json::object> out;
    if (auto l = ctx_.client->list(core_resource("services"), ns))
      if (const auto* a = find_path(*l, {"items"}); a && a->is_array())
        for (const auto& i : a->get_array())
          if (i.is_object()) out.push_back(i.get_object());
    return out;
  };
  const std::string ns = get_string(pod, {"metadata", "namespace"}, "default");
  auto default_services = items("default");
  auto base = img.config.env;
  for (auto& e : service_env(services_for_pod(pod, ns == "default" ? default_services : items(ns),
                                              default_services)))
    base.push_back(std::move(e));
  std::vector<std::string> env;
  EnvError env_err;
  if (!container_env(pod, spec, facts(), base, object_getter(), &env, &env_err))
    return config_error(env_err.message);
  std::vector<runtime::MountSpec> mounts;
  std::string err;
  if (!volumes_.mounts(pod, spec, &mounts, &err)) return config_error(err);
  for (const auto& m : sandbox_.etc_mounts)
    if (!mounts_path(mounts, m.destination)) mounts.push_back(m);

  const int attempt = r.attempt + 1;
  const std::string id = uid_ + "_" + r.name + "_" + std::to_string(attempt);
  std::error_code ec;
  const std::string layer = dir_ + "/rootfs/" + id;
  fs::create_directories(layer + "/upper", ec);
  fs::create_directories(layer + "/work", ec);
  fs::create_directories(dir_ + "/termination", ec);
  const std::string term_file = dir_ + "/termination/" + id;
  std::ofstream(term_file, std::ios::trunc).close();
  std::string term_path = get_string(spec, {"terminationMessagePath"}, "/dev/termination-log");
  if (!mounts_path(mounts, term_path))
    mounts.push_back({term_path, "bind", term_file, {"rbind", "rprivate"}});

  SpecInputs in;
  in.pod = &pod;
  in.container = &spec;
  in.image = &img;
  in.env = env;
  in.mounts = mounts;
  in.netns = sandbox_.netns;
  in.ipcns = sandbox_.ipcns;
  in.upper_dir = layer + "/upper";
  in.work_dir = layer + "/work";
  in.node_memory_bytes = 0;
  runtime::ContainerSpec cs;
  if (!build_container_spec(in, &cs, &err)) return config_error(err);

  // Held from create through start: an agent that begins to stop waits for both, and after
  // that nothing creates or starts a container (start_gate.h).
  auto permit = ctx_.start_gate.enter();
  if (!permit) return false;
  const std::string log = dir_ + "/logs/" + r.name + "/" + std::to_string(attempt) + ".log";
  auto st = ctx_.runtime->create(id, cs, log);
  if (st.is_already_exists()) {  // left by an agent that died before recording it
    ctx_.runtime->remove(id);
    st = ctx_.runtime->create(id, cs, log);
  }
  if (!st.ok()) {
    r.waiting_reason = "CreateContainerError";
    r.waiting_message = st.message();
    ctx_.event(pod, "Warning", "Failed", "Error: " + st.message(), fp);
    ++r.crashes;
    r.retry_at = Steady::now() + std::min<std::chrono::seconds>(10s * (1 << std::min(r.crashes, 5)), 300s);
    return false;
  }
  ctx_.event(pod, "Normal", "Created", "Created container " + r.name, fp);
  r.attempt = attempt;
  r.id = id;
  r.log_path = log;
  r.image_id = img.repo_digest();
  r.terminated = {};
  r.started_at = now_rfc3339();
  r.started_steady = Steady::now();
  save_state();
  st = ctx_.runtime->start(id);
  if (!st.ok()) {
    ctx_.event(pod, "Warning", "Failed", "Error: failed to start container \"" + r.name +
                                             "\": " + st.message(), fp);
    ctx_.runtime->kill(id, 9);
    on_exit(pod, spec, r,
            json::object{{"exitCode", 128},
                         {"reason", "StartError"},
                         {"message", st.message()},
                         {"startedAt", r.started_at},
                         {"finishedAt", now_rfc3339()},
                         {"containerID", ctx_.runtime->name() + "://" + id}});
    return false;
  }
  permit = {};
  ctx_.event(pod, "Normal", "Started", "Started container " + r.name, fp);
  r.waiting_reason.clear();
  r.waiting_message.clear();
  // Without startup and readiness probes a running container is started and ready at once
  // (reported with this sync's status, not a round trip later).
  r.started = !find_path(spec, {"startupProbe"});
  r.ready = r.started && !find_path(spec, {"readinessProbe"}) && !r.init;
  if (const auto* h = find_path(spec, {"lifecycle", "postStart"}); h && h->is_object()) {
    std::string failed = run_hook(h->get_object(), spec, pod_ip_, exec_in(id), 30s);
    if (!failed.empty()) {
      ctx_.event(pod, "Warning", "FailedPostStartHook", "PostStartHook failed: " + failed, fp);
      ctx_.event(pod, "Normal", "Killing", "FailedPostStartHook: stopping container " + r.name, fp);
      ctx_.runtime->stop(id, 2s);
    }
  }
  return true;
}

void PodWorker::run_probes(const json::object& pod, const json::object& spec, ContainerRun& r) {
  auto probe_of = [&](const char* f) -> const json::object* {
    const auto* p = find_path(spec, {f});
    return p && p->is_object() ? &p->get_object() : nullptr;
  };
  const auto now = Steady::now();
  if (r.started_steady == Steady::time_point{}) r.started_steady = now;  // adopted
  if (!r.probes_made) {
    r.probes_made = true;
    if (const auto* p = probe_of("startupProbe"))
      r.startup = std::make_unique<ProbeWorker>(*p, ProbeResult::kUnknown);
    if (const auto* p = probe_of("livenessProbe"))
      r.liveness = std::make_unique<ProbeWorker>(*p, ProbeResult::kSuccess);
    if (const auto* p = probe_of("readinessProbe"))
      r.readiness = std::make_unique<ProbeWorker>(*p, ProbeResult::kUnknown);
  }
  const ExecFn exec = exec_in(r.id);
  const std::string fp = r.field_path();
  // One attempt of `w`; true when the container must be restarted.
  auto attempt = [&](ProbeWorker& w, const char* field, const char* kind) {
    if (!w.due(now, r.started_steady)) {
      wake_at(w.next_due(r.started_steady));
      return false;
    }
    auto out = run_probe(*probe_of(field), spec, pod_ip_, exec);
    if (out.result == ProbeResult::kFailure)
      ctx_.event(pod, "Warning", "Unhealthy", std::string(kind) + " probe failed: " + out.message, fp);
    w.record(out.result, Steady::now());
    wake_at(w.next_due(r.started_steady));
    return w.result() == ProbeResult::kFailure;
  };
  auto restart = [&](const char* kind) {
    // A stopping agent restarts nothing; the next one probes the container again.
    if (ctx_.start_gate.closed()) return;
    ctx_.event(pod, "Normal", "Killing",
               "Container " + r.name + " failed " + kind + " probe, will be restarted", fp);
    auto grace = std::chrono::seconds(get_int(pod, {"spec", "terminationGracePeriodSeconds"}, 30));
    ctx_.runtime->stop(r.id, grace);
    next_wake_ = Steady::now();  // notice the exit and restart at once
  };
  if (r.startup && r.startup->result() != ProbeResult::kSuccess) {
    r.started = r.ready = false;
    if (attempt(*r.startup, "startupProbe", "Startup")) restart("startup");
    if (r.startup && r.startup->result() != ProbeResult::kSuccess) return;
  }
  r.started = true;
  if (r.liveness && attempt(*r.liveness, "livenessProbe", "Liveness")) {
    restart("liveness");
    return;
  }
  if (r.readiness) {
    attempt(*r.readiness, "readinessProbe", "Readiness");
    r.ready = r.readiness->result() == ProbeResult::kSuccess;
  } else {
    r.ready = true;
  }
}

}  // namespace skiff::agent
