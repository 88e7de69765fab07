// serve_remote_command and RemoteCommandSession of streaming/remotecommand.h, WebSocket
// transport (channel protocols of k8s.io/apimachinery/pkg/util/httpstream/wsstream).
//
// Each binary message is one channel byte and a payload: 0 stdin, 1 stdout, 2 stderr, 3 error
// (the exit Status, JSON), 4 resize ({"Width":w,"Height":h}); v5 adds 255 = close signal, whose
// payload names the channel the client will not write again (stdin).
#include "streaming/remotecommand.h"

#include <cctype>
#include <thread>

#include "common/json.h"
#include "common/log.h"
#include "streaming/io_loop.h"
#include "streaming/websocket.h"

namespace skiff::streaming {
namespace {

constexpr int kStdin = 0, kStdout = 1, kStderr = 2, kError = 3, kResize = 4, kClose = 255;
const std::vector<std::string> kWebSocketProtocols = {"v5.channel.k8s.io", "v4.channel.k8s.io"};

bool truthy(const std::string& v) { return v == "1" || v == "true" || v == "True"; }

void respond_error(net::ResponseWriter& w, int code, const std::string& reason,
                   const std::string& message) {
  json::object st{{"kind", "Status"},     {"apiVersion", "v1"}, {"metadata", json::object{}},
                  {"status", "Failure"},  {"message", message}, {"reason", reason},
                  {"code", code}};
  w.respond(code, "application/json", json::serialize(st));
}

}  // namespace

RemoteCommandOptions parse_remote_command_options(const net::Request& req) {
  RemoteCommandOptions o;
  auto range = req.query.equal_range("command");
  for (auto it = range.first; it != range.second; ++it) o.command.push_back(it->second);
  o.stdin = truthy(req.query_param("stdin")) || truthy(req.query_param("input"));
  o.stdout = truthy(req.query_param("stdout")) || truthy(req.query_param("output"));
  o.stderr = truthy(req.query_param("stderr")) || truthy(req.query_param("error"));
  o.tty = truthy(req.query_param("tty"));
  if (o.tty) o.stderr = false;  // a terminal merges stderr into stdout
  return o;
}

std::string exit_status_json(const ExitStatus& st) {
  json::object s{{"metadata", json::object{}}};
  if (st.internal_error) {
    std::string msg = "Internal error occurred: " + st.message;
    s["status"] = "Failure";
    s["message"] = msg;
    s["reason"] = "InternalError";
    s["details"] = json::object{{"causes", json::array{json::object{{"message", st.message}}}}};
    s["code"] = 500;
  } else if (st.code != 0) {
    s["status"] = "Failure";
    s["message"] = st.message.empty()
                       ? "command terminated with non-zero exit code: exit status " +
                             std::to_string(st.code)
                       : st.message;
    s["reason"] = "NonZeroExitCode";
    s["details"] = json::object{
        {"causes", json::array{json::object{{"reason", "ExitCode"},
                                            {"message", std::to_string(st.code)}}}}};
  } else {
    s["status"] = "Success";
  }
  return json::serialize(s);
}

long RemoteCommandSession::read_stdin(char* buf, size_t n) {
  std::unique_lock<std::mutex> lk(mu_);
  cv_.wait(lk, [&] { return !stdin_.empty() || stdin_closed_ || ended_; });
  if (stdin_.empty()) return 0;
  size_t k = std::min(n, stdin_.size());
  std::copy_n(stdin_.data(), k, buf);
  stdin_.erase(0, k);
  return static_cast<long>(k);
}

bool RemoteCommandSession::write_stdout(std::string_view data) {
  return data.empty() || (!ended() && send_(kStdout, data));
}

bool RemoteCommandSession::write_stderr(std::string_view data) {
  return data.empty() || (!ended() && send_(opts_.tty ? kStdout : kStderr, data));
}

std::optional<TerminalSize> RemoteCommandSession::next_resize() {
  std::unique_lock<std::mutex> lk(mu_);
  cv_.wait(lk, [&] { return !resizes_.empty() || ended_; });
  if (resizes_.empty()) return std::nullopt;
  TerminalSize ts = resizes_.front();
  resizes_.pop_front();
  return ts;
}

bool RemoteCommandSession::ended() const {
  std::lock_guard<std::mutex> lk(mu_);
  return ended_;
}

void RemoteCommandSession::deliver_stdin(std::string_view data) {
  std::lock_guard<std::mutex> lk(mu_);
  if (stdin_closed_) return;
  stdin_.append(data);
  cv_.notify_all();
}

void RemoteCommandSession::close_stdin() {
  std::lock_guard<std::mutex> lk(mu_);
  stdin_closed_ = true;
  cv_.notify_all();
}

void RemoteCommandSession::deliver_resize(TerminalSize ts) {
  std::lock_guard<std::mutex> lk(mu_);
  resizes_.push_back(ts);
  cv_.notify_all();
}

void RemoteCommandSession::end() {
  std::lock_guard<std::mutex> lk(mu_);
  ended_ = true;
  cv_.notify_all();
}

void serve_remote_command(net::Request& req, net::ResponseWriter& w,
                          const RemoteCommandHandler& handler) {
  RemoteCommandOptions opts = parse_remote_command_options(req);
  if (!opts.stdin && !opts.stdout && !opts.stderr)
    return respond_error(w, 400, "BadRequest",
                         "you must specify at least 1 of stdin, stdout, stderr");
  std::string upgrade = req.header("upgrade");
  for (auto& c : upgrade) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (upgrade == "spdy/3.1") return serve_remote_command_spdy(req, w, opts, handler);
  if (!is_websocket_request(req)) {
    if (!req.header("upgrade").empty())
      return respond_error(w, 400, "BadRequest",
                           "unsupported upgrade to " + req.header("upgrade") +
                               ": use websocket or SPDY/3.1");
    return respond_error(w, 400, "BadRequest", "Upgrade request required");
  }
  std::string proto = negotiate_subprotocol(req, kWebSocketProtocols);
  if (proto.empty())
    return respond_error(w, 400, "BadRequest",
                         "unable to negotiate a WebSocket subprotocol: the client offered \"" +
                             req.header("sec-websocket-protocol") + "\", the server supports " +
                             "v5.channel.k8s.io and v4.channel.k8s.io");
  const bool v5 = proto == "v5.channel.k8s.io";
  net::RawStream* s = w.hijack();
  if (!s) return respond_error(w, 500, "InternalError", "cannot take over the connection");
  if (!s->write_all(websocket_upgrade_response(req, proto))) return;

  IoLoop loop(*s);
  auto send_channel = [&loop](int ch, std::string_view data) {
    std::string msg(1, static_cast<char>(ch));
    msg.append(data);
    return loop.send(encode_frame(Opcode::kBinary, msg));
  };
  RemoteCommandSession session(opts, send_channel);
  // An empty message on the lowest writable channel tells the client the streams are ready.
  send_channel(opts.stdout ? kStdout : opts.stderr ? kStderr : kError, {});

  std::thread worker([&] {
    ExitStatus st;
    try {
      st = handler(session);
    } catch (const std::exception& e) {
      st.internal_error = true;
      st.message = std::string("error executing command in container: ") + e.what();
    }
    send_channel(kError, exit_status_json(st));
    loop.send(encode_frame(Opcode::kClose, close_payload(1000)));
    loop.finish();
  });

  FrameDecoder decoder(true);
  MessageAssembler assembler;
  bool close_sent = false;
  loop.run([&](std::string_view data) {
    decoder.feed(data);
    while (auto f = decoder.next()) {
      auto ev = assembler.on_frame(std::move(*f));
      using K = MessageAssembler::Kind;
      if (ev.kind == K::kPing) {
        loop.send(encode_frame(Opcode::kPong, ev.payload));
      } else if (ev.kind == K::kClose) {
        if (!close_sent && !loop.ended()) loop.send(encode_frame(Opcode::kClose, close_payload(1000)));
        close_sent = true;
        return false;
      } else if (ev.kind == K::kError) {
        SKIFF_LOG(DEBUG) << "exec: websocket: " << ev.payload;
        return false;
      } else if (ev.kind == K::kMessage && !ev.payload.empty()) {
        int ch = static_cast<uint8_t>(ev.payload[0]);
        std::string_view body = std::string_view(ev.payload).substr(1);
        if (ch == kStdin && opts.stdin) {
          session.deliver_stdin(body);
        } else if (ch == kResize) {
          json::value v;
          std::string err;
          if (parse_json(std::string(body), v, err) && v.is_object())
            session.deliver_resize({static_cast<uint16_t>(get_int(v, {"Width"})),
                                    static_cast<uint16_t>(get_int(v, {"Height"}))});
        } else if (ch == kClose && v5 && !body.empty() &&
                   static_cast<uint8_t>(body[0]) == kStdin) {
          session.close_stdin();
        }
      }
    }
    if (!decoder.error().empty()) {
      SKIFF_LOG(DEBUG) << "exec: websocket: " << decoder.error();
      return false;
    }
    return true;
  });
  session.end();  // wakes the handler's blocked reads; it should stop its command
  worker.join();
}

}  // namespace skiff::streaming
