// Running helper programs (crun, runc, ip, nsenter) and reading their output, with an optional
// private mount namespace that hides a cgroup2 mount (this host's crun workaround).
#pragma once
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

// The async-signal-safe part of the hybrid-cgroup workaround, for use between fork and exec:
// unshare(CLONE_NEWNS), make everything private, detach `mount_point`. Returns 0 or -errno.
int enter_private_mount_ns_without(const char* mount_point);

}  // namespace skiff::runtime
