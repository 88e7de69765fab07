// Running helper programs (crun, runc, ip, nsenter) and reading their output, with an optional
// private mount namespace that hides a cgroup2 mount (this host's crun workaround).
#pragma once
#include <sys/types.h>
#include <chrono>
#include <string>
#include <vector>

namespace skiff::runtime {

struct CommandResult {
  int exit_code = -1;  // 128+signal when killed by a signal; -1 when it could not be started
  bool timed_out = false;
  std::string out, err;
};

struct CommandOptions {
  std::chrono::milliseconds timeout{30000};  // SIGKILL after it
  std::string hide_mount;  // when set: run in a private mount namespace with this unmounted
  std::string input;       // written to stdin (then closed)
};

// Runs argv[0] (an absolute path) with argv. Never throws; reaps the child.
CommandResult run_command(const std::vector<std::string>& argv, const CommandOptions& opts = {});

// The absolute path of a host tool ("ip", "nft", "nsenter") from the system bin directories, or
// the bare name when none has it (run_command then reports it could not start).
std::string find_tool(const char* name);
// What a failed command said: its stderr (else stdout) without the trailing newline, or
// "exit N" when it said nothing.
std::string command_error(const CommandResult& r);

// The async-signal-safe part of the hybrid-cgroup workaround, for use between fork and exec:
// unshare(CLONE_NEWNS), make everything private, detach `mount_point`. Returns 0 or -errno.
int enter_private_mount_ns_without(const char* mount_point);

// Starts a child that shares our memory until it execs or exits (clone with CLONE_VM and
// CLONE_VFORK, as glibc's posix_spawn does), so no page tables are copied: a fork of the large,
// many-threaded agent costs tens of milliseconds, this a fraction of one. The calling thread
// waits until the child has exec'd or exited. In the child, signal handlers are reset to the
// default and the caller's signal mask is restored before `fn` runs; `fn` may only make system
// calls on memory prepared before (no allocation, no locks) and must end in execve or _exit.
// Returns the child's pid, or -1 with errno set.
pid_t spawn_child_raw(int (*fn)(void*), void* arg);
template <typename F>
pid_t spawn_child(F& fn) {
  return spawn_child_raw([](void* p) { return (*static_cast<F*>(p))(); }, &fn);
}

}  // namespace skiff::runtime
