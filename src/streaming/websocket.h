// WebSocket (RFC 6455), server side: the opening handshake and the frame codec. The kubelet's
// streaming endpoints speak it for kubectl >= 1.31 (exec/attach: v5.channel.k8s.io,
// port-forward: an SPDY/3.1 byte stream tunnelled in binary messages).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/http.h"

namespace skiff::streaming {

// True for a GET with "Connection: Upgrade" and "Upgrade: websocket".
bool is_websocket_request(const net::Request& req);
// The Sec-WebSocket-Accept value for a Sec-WebSocket-Key (base64 of SHA-1 of key + GUID).
std::string websocket_accept(std::string_view key);
// The first protocol of `supported` (in that order of preference) that the client offered in
// Sec-WebSocket-Protocol; empty when none.
std::string negotiate_subprotocol(const net::Request& req, const std::vector<std::string>& supported);
// The raw "HTTP/1.1 101 Switching Protocols" response accepting req with `protocol`.
std::string websocket_upgrade_response(const net::Request& req, const std::string& protocol);

enum class Opcode : uint8_t {
  kContinuation = 0,
  kText = 1,
  kBinary = 2,
  kClose = 8,
  kPing = 9,
  kPong = 10,
};

struct Frame {
  bool fin = true;
  Opcode opcode = Opcode::kBinary;
  std::string payload;  // unmasked
};

// An unmasked frame (server to client), or a masked one when `mask` is given (client to server).
std::string encode_frame(Opcode op, std::string_view payload, bool fin = true,
                         const uint8_t* mask = nullptr);
// A close frame's payload: the status code (1000 = normal) and a reason.
std::string close_payload(uint16_t code, std::string_view reason = {});

// Incremental frame decoder. A server requires masked frames from clients (RFC 6455 5.1).
class FrameDecoder {
 public:
  explicit FrameDecoder(bool require_mask, size_t max_payload = 16 << 20)
      : require_mask_(require_mask), max_payload_(max_payload) {}
  void feed(std::string_view data) { buf_.append(data); }
  // The next complete frame; nullopt when more bytes are needed or on a protocol error
  // (then error() is non-empty and the connection should be closed with code 1002).
  std::optional<Frame> next();
  const std::string& error() const { return error_; }

 private:
  const bool require_mask_;
  const size_t max_payload_;
  std::string buf_;
  std::string error_;
};

// Reassembles fragmented data messages and separates control frames.
class MessageAssembler {
 public:
  enum class Kind { kNone, kMessage, kPing, kPong, kClose, kError };
  struct Event {
    Kind kind = Kind::kNone;
    Opcode opcode = Opcode::kBinary;  // of a kMessage
    std::string payload;
  };
  // Feeds one frame; returns what it completes (kNone for a non-final fragment).
  Event on_frame(Frame f);

 private:
  bool in_message_ = false;
  Opcode opcode_ = Opcode::kBinary;
  std::string data_;
};

}  // namespace skiff::streaming
