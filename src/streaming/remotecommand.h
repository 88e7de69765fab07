// The kubelet side of exec and attach (upstream: k8s.io/kubelet/pkg/cri/streaming/remotecommand):
// serve_remote_command() negotiates the stream protocol with the client (through the API
// server's proxy), then runs a handler that sees stdin, stdout, stderr and terminal resizes as
// a RemoteCommandSession and returns the command's exit status.
//
// Transports: WebSocket with v5.channel.k8s.io (stdin close signal) or v4.channel.k8s.io
// (kubectl >= 1.31), and SPDY/3.1 with v4.channel.k8s.io (kubectl <= 1.30).
#pragma once
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/http.h"

namespace skiff::streaming {

struct RemoteCommandOptions {
  std::vector<std::string> command;  // exec only: the `command` query parameters
  bool stdin = false, stdout = false, stderr = false, tty = false;
};
// Reads the options from the query (stdin=true|1, ..., command=... repeated).
RemoteCommandOptions parse_remote_command_options(const net::Request& req);

struct TerminalSize {
  uint16_t width = 0, height = 0;
};

struct ExitStatus {
  int code = 0;          // 0 = success
  std::string message;   // for a failure without an exit code (e.g. "container not found")
  bool internal_error = false;  // the command did not run: `message` says why
};

// The handler's view of one exec/attach. All methods are thread-safe: a handler typically
// copies stdin on one thread and stdout/stderr on others.
class RemoteCommandSession {
 public:
  using Sender = std::function<bool(int channel, std::string_view data)>;
  RemoteCommandSession(RemoteCommandOptions opts, Sender send)
      : opts_(std::move(opts)), send_(std::move(send)) {}
  const RemoteCommandOptions& options() const { return opts_; }

  // Blocks for stdin bytes; 0 once the client closed stdin or the session ended.
  long read_stdin(char* buf, size_t n);
  // false once the client is gone.
  bool write_stdout(std::string_view data);
  bool write_stderr(std::string_view data);
  // Blocks for the next terminal resize; nullopt once the session ended.
  std::optional<TerminalSize> next_resize();
  // True once the client is gone: a handler should stop its command.
  bool ended() const;

  // Transport side.
  void deliver_stdin(std::string_view data);
  void close_stdin();
  void deliver_resize(TerminalSize ts);
  void end();

 private:
  const RemoteCommandOptions opts_;
  const Sender send_;
  mutable std::mutex mu_;  // guards the fields below
  std::condition_variable cv_;
  std::string stdin_;
  bool stdin_closed_ = false;
  std::deque<TerminalSize> resizes_;
  bool ended_ = false;
};

using RemoteCommandHandler = std::function<ExitStatus(RemoteCommandSession&)>;

// Serves one exec/attach request: answers the upgrade on w (taking over the connection), runs
// `handler` on a new thread while this one does the connection's I/O, sends the exit status,
// closes, and returns once the handler has returned. Requests that are no upgrade get 400.
void serve_remote_command(net::Request& req, net::ResponseWriter& w,
                          const RemoteCommandHandler& handler);

// The SPDY/3.1 transport of serve_remote_command (remotecommand_spdy.cc).
void serve_remote_command_spdy(net::Request& req, net::ResponseWriter& w,
                               const RemoteCommandOptions& opts,
                               const RemoteCommandHandler& handler);

// The metav1.Status JSON of an exit status, as sent on the error channel (v4 and v5).
std::string exit_status_json(const ExitStatus& st);

}  // namespace skiff::streaming
