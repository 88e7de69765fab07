// One pod on this node: a thread that drives its containers toward the spec (upstream: the pod
// worker + kuberuntime's SyncPod) and reports what it sees as the pod's status.
//
// Per sync: sandbox (network, IPC, /etc files) -> volumes -> init containers in order -> the
// containers; exits are noticed by polling the runtime (the monitor's exit file makes that
// cheap), restarts follow restartPolicy with back-off, probes run on their periods. A pod being
// deleted is stopped within its grace period (preStop hooks, SIGTERM, SIGKILL), its resources
// are removed, and the API object is then deleted for good.
//
// State that must survive an agent restart (which container is current, restart counts, the
// last termination) is kept in <pod dir>/state.json; containers are never created twice for one
// attempt because their runtime ids are "<pod uid>_<container>_<attempt>".
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "agent/context.h"
#include "agent/env.h"
#include "agent/probes.h"
#include "agent/sandbox.h"
#include "agent/volumes.h"

namespace skiff::agent {

using Steady = std::chrono::steady_clock;

// One container name of the pod across its attempts.
struct ContainerRun {
  std::string name;
  bool init = false;
  int attempt = -1;            // of the current (or last) container; -1 = none created yet
  std::string id;              // the current runtime container, "" when none
  std::string log_path;        // of the current (or last) attempt
  std::string previous_log;    // of the attempt before (kubectl logs --previous)
  std::string previous_id;     // its runtime container, kept until the next restart
  std::string image_id;        // resolved image (repo digest)
  std::string started_at;      // RFC 3339
  json::object terminated;     // state.terminated of the current attempt once it exited
  json::object last_terminated;
  bool done = false;           // exited and will not run again (or an init container succeeded)

  // "spec.containers{name}" or "spec.initContainers{name}", for events.
  std::string field_path() const {
    return std::string(init ? "spec.initContainers{" : "spec.containers{") + name + "}";
  }

  // Not persisted.
  std::string waiting_reason = "ContainerCreating", waiting_message;
  Steady::time_point backoff_until{};
  int crashes = 0;             // consecutive failures, for the back-off
  Steady::time_point started_steady{};
  bool ready = false, started = false;
  std::unique_ptr<ProbeWorker> liveness, readiness, startup;
  bool probes_made = false;    // for the current attempt
  int pull_failures = 0;
  Steady::time_point retry_at{};  // image pull / config error back-off
};

class PodWorker {
 public:
  PodWorker(NodeContext& ctx, json::object pod);
  ~PodWorker();
  PodWorker(const PodWorker&) = delete;
  PodWorker& operator=(const PodWorker&) = delete;

  void start();
  // The informer saw a new version of the pod.
  void update(json::object pod);
  // The pod is gone from the API: stop and remove everything.
  void removed();
  // Stop the thread, leaving containers running (agent shutdown).
  void stop();
  bool finished() const { return finished_; }

  // For the kubelet server.
  struct ContainerInfo {
    std::string id, log_path, previous_log;
    bool running = false;
  };
  std::optional<ContainerInfo> container(const std::string& name) const;
  std::string netns() const;
  json::object pod() const;
  std::string uid() const { return uid_; }

 private:
  void run();
  void sync(const json::object& pod);
  void terminate(const json::object& pod, std::chrono::seconds grace);
  void cleanup();
  bool finalize_delete(const json::object& pod);  // false: retry later
  void step(const json::object& pod, const json::object& spec, ContainerRun& r);
  bool start_container(const json::object& pod, const json::object& spec, ContainerRun& r);
  void on_exit(const json::object& pod, const json::object& spec, ContainerRun& r,
               const json::object& terminated);
  void run_probes(const json::object& pod, const json::object& spec, ContainerRun& r);
  void publish_status(const json::object& pod);
  void load_state();
  void save_state();
  void wake_at(Steady::time_point t);
  ContainerRun& run_for(const std::string& name, bool init);
  // Runs commands in container `id` (probes and hooks).
  ExecFn exec_in(const std::string& id) const;
  // What env and volumes resolve fieldRefs and configMap/secret references against.
  PodFacts facts() const;
  ObjectGetter object_getter() const;
  TokenRequester token_requester() const;

  NodeContext& ctx_;
  const std::string uid_, dir_;
  PodVolumes volumes_;

  mutable std::mutex mu_;  // guards the fields up to the blank line
  std::condition_variable cv_;
  json::object pod_;
  bool dirty_ = true, removed_ = false, stopping_ = false;
  std::map<std::string, ContainerInfo> info_;  // what the kubelet server may look at
  std::string netns_;

  // Worker thread only.
  std::map<std::string, ContainerRun> runs_;
  void publish_info();
  std::thread thread_;
  std::atomic<bool> finished_{false};
  Steady::time_point next_wake_{};
  PodSandbox sandbox_;
  bool sandbox_ready_ = false;
  Steady::time_point volumes_at_{};
  std::string last_status_, last_mount_error_, last_saved_;
  std::string phase_;          // "", or Succeeded/Failed once terminal
  std::string pod_ip_;
  std::string start_time_;     // when this agent first took the pod up (status.startTime)
  bool terminated_ = false;    // containers stopped for deletion
};

}  // namespace skiff::agent
