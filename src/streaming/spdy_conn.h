// SpdyConn: the server side of one SPDY/3.1 connection on an IoLoop, either on the upgraded
// HTTP connection itself or tunnelled in WebSocket binary messages (kubectl >= 1.31's
// port-forward: subprotocol "SPDY/3.1+portforward.k8s.io"). Sends are thread-safe; frames are
// decoded on the loop thread.
#pragma once
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "net/http.h"
#include "streaming/io_loop.h"
#include "streaming/spdy.h"

namespace skiff::streaming {

class SpdyConn {
 public:
  SpdyConn(IoLoop& loop, bool websocket_tunnel) : loop_(loop), tunnel_(websocket_tunnel) {}

  bool reply(uint32_t id);  // SYN_REPLY without headers
  bool data(uint32_t id, std::string_view d, bool fin = false);
  bool fin(uint32_t id) { return data(id, {}, true); }
  bool rst(uint32_t id, uint32_t status = 5 /* CANCEL */);
  bool goaway();

  // Runs the loop (on the calling thread): decodes frames, answers PINGs (and WebSocket pings
  // and closes when tunnelled) and hands every other frame to on_frame, which returns false to
  // stop reading. Returns when the peer is gone, on a protocol error or after loop.finish().
  void run(const std::function<bool(SpdyFrame&)>& on_frame);

 private:
  bool send(std::string spdy_bytes);  // wraps in a WebSocket message when tunnelled
  IoLoop& loop_;
  const bool tunnel_;
  // Guards codec_'s compressor: a header block is compressed and queued in one step, so the
  // zlib state follows the wire order. SYN_REPLYs are sent from the loop thread only.
  std::mutex mu_;
  SpdyCodec codec_;  // its decoder is used by run() only, on the loop thread
};

// Comma- (or line-) separated X-Stream-Protocol-Version values of a request.
std::vector<std::string> offered_stream_protocols(const net::Request& req);
// The raw 101 response of a SPDY upgrade with the negotiated stream protocol.
std::string spdy_upgrade_response(const std::string& protocol);

}  // namespace skiff::streaming
