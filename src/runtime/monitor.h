// The per-container monitor: a small detached process (like conmon) that outlives the kubelet.
// It runs `<runtime> create` as its child with the container's stdout/stderr on pipes, becomes
// the container's parent (PR_SET_CHILD_SUBREAPER; the runtime's create exits and its init is
// re-parented to us), writes every output line to the CRI log file, reaps the container (and
// anything re-parented to it), and records the exit code and OOM kill in a small file.
//
// It is our own binary exec'd again (/proc/self/exe) as `skiff-monitor <container id>`: that
// is what `ps` shows (and its comm), not a copy of the agent's command line, and it starts as a
// small process instead of a fork of the large, many-threaded agent. Its arguments come on its
// stdin, so the command line stays just the name and the container. The program's main() hands
// such a start to monitor_main() (is_monitor_command), as skiff's does.
//
// Files (written atomically):
//   exit_file: "<exit code> <oom 0|1> <finished unix ns>\n", 128+N for a death by signal N.
//   log_path:  "<RFC 3339 nano UTC> stdout|stderr F|P <text>\n" per line, as kubelets write.
#pragma once
#include <string>
#include <vector>

#include "runtime/status.h"

namespace skiff::runtime {

// argv[0] of a monitor; also its comm (at most 15 characters).
inline constexpr const char* kMonitorName = "skiff-monitor";

struct MonitorArgs {
  std::string container_id;              // shown in its command line
  std::string exe = "/proc/self/exe";    // a program whose main() calls monitor_main
  std::vector<std::string> create_argv;  // absolute path first; must write `pid_file`
  std::string hide_mount;                // hybrid cgroups + crun: the cgroup2 mount to hide
  std::string pid_file;
  std::string exit_file;
  std::string log_path;
  std::string oom_file;  // v1 memory.oom_control or v2 memory.events; "" to skip OOM detection
};

// Starts the monitor and waits until the runtime's create has finished. On success the
// container is in the "created" state and `*pid` is its init's pid. On failure nothing runs
// any more; the message carries the exit code (the runtime's own log says why).
// `*monitor_pid` (optional) is the monitor's own pid.
Status spawn_monitor(const MonitorArgs& args, int* pid, int* monitor_pid = nullptr);

// True when argv0 names the monitor (its base name is kMonitorName).
bool is_monitor_command(const char* argv0);
// The monitor process: reads its MonitorArgs from stdin, reports to spawn_monitor on fd 3,
// detaches and runs until the container has exited and its output is logged. Returns only on
// a start that did not come from spawn_monitor (the exit code to use).
int monitor_main(int argc, char** argv);
// Whether `pid` is the monitor of container `id` (by its command line): a pid file can outlive
// its process, and the pid be reused.
bool is_monitor_of(int pid, const std::string& id);

// Formats t (unix nanoseconds) as 2006-01-02T15:04:05.000000000Z into buf[31]; returns length.
// Async-signal-safe (no locale, no time zone, no allocation).
int format_rfc3339_nano(long long unix_ns, char* buf);

}  // namespace skiff::runtime
