// Streaming exec: the process's stdio are the caller's file descriptors, or a pseudo-terminal.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "runtime/status.h"

namespace skiff::runtime {

struct ExecIO {
  // Used as the process's stdin/stdout/stderr; -1 means /dev/null. Ignored with a TTY (the
  // runtime connects the terminal to all three).
  int stdin_fd = -1, stdout_fd = -1, stderr_fd = -1;
  bool tty = false;
  std::vector<std::string> env;  // extra "NAME=value" for the process
  // With a TTY: called once with the terminal's master end as soon as the runtime hands it over
  // (before the exit). The callee owns the fd: it copies data in both directions (in its own
  // threads; this call must return promptly), resizes with TIOCSWINSZ and closes it.
  std::function<void(int master_fd)> on_tty;
};

// Runs `runtime_argv` (a complete `<runtime> ... exec [--tty [--console-socket S]] id cmd...`;
// with a TTY and no console socket, the runtime gets a terminal of ours as stdio) and
// waits for it; *exit_code is the process's exit code (126/127 and the runtime's own codes when
// the runtime fails). Used by Runtime::exec.
Status exec_streaming(const std::vector<std::string>& runtime_argv, const std::string& hide_mount,
                      const std::string& console_socket, const ExecIO& io, int* exit_code);

}  // namespace skiff::runtime
