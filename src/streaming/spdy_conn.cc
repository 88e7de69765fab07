// SpdyConn of streaming/spdy_conn.h.
#include "streaming/spdy_conn.h"

#include <sstream>

#include "common/log.h"
#include "streaming/websocket.h"

namespace skiff::streaming {

bool SpdyConn::send(std::string b) {
  return loop_.send(tunnel_ ? encode_frame(Opcode::kBinary, b) : std::move(b));
}

bool SpdyConn::reply(uint32_t id) {
  std::lock_guard<std::mutex> lk(mu_);
  return send(codec_.syn_reply(id, {}));
}

// DATA, RST_STREAM, GOAWAY and PING frames use no compression state: no lock, so a sender
// blocked by backpressure in IoLoop::send never holds up the loop thread.
bool SpdyConn::data(uint32_t id, std::string_view d, bool fin) {
  return send(SpdyCodec::data(id, d, fin ? kSpdyFlagFin : 0));
}

bool SpdyConn::rst(uint32_t id, uint32_t status) {
  return send(SpdyCodec::rst_stream(id, status));
}

bool SpdyConn::goaway() {
  return send(SpdyCodec::goaway(0));
}

void SpdyConn::run(const std::function<bool(SpdyFrame&)>& on_frame) {
  FrameDecoder ws(true);
  MessageAssembler assembler;
  auto on_spdy = [&](std::string_view bytes) {
    codec_.feed(bytes);
    while (auto f = codec_.next()) {
      if (f->type == SpdyType::kPing) {
        send(SpdyCodec::ping(f->stream_id));
        continue;
      }
      if (f->type == SpdyType::kSettings || f->type == SpdyType::kWindowUpdate) continue;
      if (!on_frame(*f)) return false;
    }
    if (!codec_.error().empty()) {
      SKIFF_LOG(DEBUG) << "spdy: " << codec_.error();
      return false;
    }
    return true;
  };
  loop_.run([&](std::string_view bytes) {
    if (!tunnel_) return on_spdy(bytes);
    ws.feed(bytes);
    while (auto f = ws.next()) {
      auto ev = assembler.on_frame(std::move(*f));
      using K = MessageAssembler::Kind;
      if (ev.kind == K::kPing) {
        loop_.send(encode_frame(Opcode::kPong, ev.payload));
      } else if (ev.kind == K::kClose) {
        loop_.send(encode_frame(Opcode::kClose, close_payload(1000)));
        return false;
      } else if (ev.kind == K::kError) {
        return false;
      } else if (ev.kind == K::kMessage && !on_spdy(ev.payload)) {
        return false;
      }
    }
    return ws.error().empty();
  });
}

std::vector<std::string> offered_stream_protocols(const net::Request& req) {
  std::vector<std::string> out;
  std::istringstream is(req.header("x-stream-protocol-version"));
  std::string v;
  while (std::getline(is, v, ',')) {
    while (!v.empty() && v.front() == ' ') v.erase(v.begin());
    while (!v.empty() && v.back() == ' ') v.pop_back();
    if (!v.empty()) out.push_back(v);
  }
  return out;
}

std::string spdy_upgrade_response(const std::string& protocol) {
  return "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n"
         "X-Stream-Protocol-Version: " +
         protocol + "\r\n\r\n";
}

}  // namespace skiff::streaming
