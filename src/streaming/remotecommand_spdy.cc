// Exec and attach over SPDY/3.1 with v4.channel.k8s.io (kubectl <= 1.30, and newer ones when
// the WebSocket upgrade fails): the client opens one SPDY stream per standard stream, named by
// its `streamType` header (error, stdin, stdout, stderr, resize); the command starts once all
// the streams the options call for exist. The exit Status goes on the error stream as in v4
// over WebSocket.
#include <thread>

#include "common/json.h"
#include "common/log.h"
#include "streaming/remotecommand.h"
#include "streaming/spdy_conn.h"

namespace skiff::streaming {

void serve_remote_command_spdy(net::Request& req, net::ResponseWriter& w,
                               const RemoteCommandOptions& opts,
                               const RemoteCommandHandler& handler) {
  bool v4 = false;
  for (const auto& p : offered_stream_protocols(req))
    if (p == "v4.channel.k8s.io") v4 = true;
  if (!v4) {
    json::object st{{"kind", "Status"}, {"apiVersion", "v1"}, {"metadata", json::object{}},
                    {"status", "Failure"}, {"reason", "Forbidden"}, {"code", 403},
                    {"message", "unable to upgrade: unable to negotiate protocol: client supports [" +
                                    req.header("x-stream-protocol-version") +
                                    "], server supports [v4.channel.k8s.io]"}};
    w.respond(403, "application/json", json::serialize(st));
    return;
  }
  net::RawStream* s = w.hijack();
  if (!s || !s->write_all(spdy_upgrade_response("v4.channel.k8s.io"))) return;

  IoLoop loop(*s);
  SpdyConn conn(loop, false);
  // Stream ids by channel (0 stdin ... 4 resize); 0 = not opened. Written on the loop thread
  // before the worker starts, read-only afterwards.
  uint32_t ids[5] = {0, 0, 0, 0, 0};
  auto sender = [&](int ch, std::string_view d) {
    return ch >= 0 && ch < 5 && ids[ch] != 0 && conn.data(ids[ch], d);
  };
  RemoteCommandSession session(opts, sender);
  std::thread worker;
  std::string resize_buf;

  auto all_streams = [&] {
    return ids[3] && (!opts.stdin || ids[0]) && (!opts.stdout || ids[1]) &&
           (!opts.stderr || ids[2]) && (!opts.tty || ids[4]);
  };
  conn.run([&](SpdyFrame& f) {
    if (f.type == SpdyType::kSynStream) {
      static const char* kTypes[] = {"stdin", "stdout", "stderr", "error", "resize"};
      std::string type = f.header("streamtype");
      int ch = -1;
      for (int i = 0; i < 5; ++i)
        if (type == kTypes[i]) ch = i;
      if (ch < 0 || worker.joinable()) {
        conn.rst(f.stream_id, 1 /* PROTOCOL_ERROR */);
        return true;
      }
      ids[ch] = f.stream_id;
      conn.reply(f.stream_id);
      if (all_streams()) {
        worker = std::thread([&] {
          ExitStatus st;
          try {
            st = handler(session);
          } catch (const std::exception& e) {
            st.internal_error = true;
            st.message = std::string("error executing command in container: ") + e.what();
          }
          for (int ch : {1, 2})
            if (ids[ch]) conn.fin(ids[ch]);
          conn.data(ids[3], exit_status_json(st), true);
          loop.finish();
        });
      }
    } else if (f.type == SpdyType::kData) {
      if (f.stream_id == ids[0] && ids[0]) {
        session.deliver_stdin(f.data);
        if (f.fin()) session.close_stdin();
      } else if (f.stream_id == ids[4] && ids[4]) {
        resize_buf += f.data;  // a JSON object per resize, newline-separated
        size_t nl;
        while ((nl = resize_buf.find('\n')) != std::string::npos) {
          json::value v;
          std::string err;
          if (parse_json(resize_buf.substr(0, nl), v, err) && v.is_object())
            session.deliver_resize({static_cast<uint16_t>(get_int(v, {"Width"})),
                                    static_cast<uint16_t>(get_int(v, {"Height"}))});
          resize_buf.erase(0, nl + 1);
        }
      }
    } else if (f.type == SpdyType::kRstStream) {
      if (f.stream_id == ids[0]) session.close_stdin();
    } else if (f.type == SpdyType::kGoaway) {
      return false;
    }
    return true;
  });
  session.end();
  if (worker.joinable()) worker.join();
}

}  // namespace skiff::streaming
