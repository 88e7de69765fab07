// The container runtime interface the kubelet uses: create/start/stop/remove containers from a
// ContainerSpec, read their state (exit code, OOM kill), run commands in them. One
// implementation drives crun or runc through their CLI (make_oci_runtime); tests may fake it.
//
// Lifecycle: create (bundle written, runtime `create`, a monitor process captures the output
// into the CRI log file) -> start -> [exits, or stop: SIGTERM, grace, SIGKILL] -> remove.
// Containers keep running when the kubelet exits; a new Runtime over the same root_dir sees
// them again (list + state), so the kubelet re-adopts instead of re-creating.
//
// Thread safety: all methods may be called concurrently for different ids; calls for one id
// must be serialized by the caller (the kubelet's per-pod worker does that).
#pragma once
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "runtime/bundle.h"
#include "runtime/exec.h"
#include "runtime/host.h"
#include "runtime/status.h"

namespace skiff::runtime {

struct RuntimeOptions {
  // Our data: <root_dir>/state is the OCI runtime's --root, <root_dir>/containers/<id> holds
  // each bundle, pid file, exit file and overlay mount point.
  std::string root_dir;
  std::string runtime;  // "crun", "runc", or "" for crun when present else runc
  // Absolute parent of container cgroups when a spec has none; default
  // "<host.self_cgroup>/skiff" so containers stay inside the limits the kubelet runs under.
  std::string cgroup_parent;
};

enum class ContainerStatus { kCreated, kRunning, kExited, kUnknown };
const char* to_string(ContainerStatus s);

struct ContainerState {
  std::string id;
  ContainerStatus status = ContainerStatus::kUnknown;
  int pid = 0;             // init's pid while created/running
  int exit_code = -1;      // when exited; 128+N for signal N; -1 when unknown (monitor lost)
  bool oom_killed = false; // the container's cgroup saw an OOM kill
  std::chrono::system_clock::time_point finished_at{};
  std::string log_path;
  std::string cgroup_path;
};

struct ExecResult {
  int exit_code = -1;
  bool timed_out = false;
  std::string out, err;
};

class Runtime {
 public:
  virtual ~Runtime() = default;
  virtual std::string name() const = 0;     // "crun" or "runc"
  virtual std::string version() const = 0;  // e.g. "1.8.1", for nodeInfo.containerRuntimeVersion

  // Writes the bundle and creates the container (not yet started). Output lines go to
  // `log_path` in CRI format. AlreadyExists when `id` is in use.
  virtual Status create(const std::string& id, const ContainerSpec& spec,
                        const std::string& log_path) = 0;
  virtual Status start(const std::string& id) = 0;
  virtual Status state(const std::string& id, ContainerState* out) = 0;
  virtual Status kill(const std::string& id, int signal) = 0;
  // SIGTERM, then SIGKILL once `grace` has passed; returns when the container has exited.
  virtual Status stop(const std::string& id, std::chrono::milliseconds grace) = 0;
  // Stops (SIGKILL) if needed and deletes everything: runtime state, cgroup, overlay mount,
  // bundle. The log file is kept (the kubelet rotates and removes logs). NotFound when unknown.
  virtual Status remove(const std::string& id) = 0;
  // Runs a command in the running container and collects its output (probes, kubectl exec
  // without a TTY).
  virtual Status exec_sync(const std::string& id, const std::vector<std::string>& args,
                           std::chrono::milliseconds timeout, ExecResult* out) = 0;
  // Runs a command with streamed stdio or a TTY (kubectl exec/attach); blocks until it exits.
  virtual Status exec(const std::string& id, const std::vector<std::string>& args,
                      const ExecIO& io, int* exit_code) = 0;
  virtual std::vector<std::string> list() = 0;  // ids under root_dir
};

// nullptr (with *error set) when no usable runtime is installed.
std::unique_ptr<Runtime> make_oci_runtime(const RuntimeOptions& options, const HostInfo& host,
                                          Status* error = nullptr);

}  // namespace skiff::runtime
