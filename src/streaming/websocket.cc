// The WebSocket handshake and frame codec of streaming/websocket.h.
#include "streaming/websocket.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <cctype>
#include <sstream>

#include "common/base64.h"

namespace skiff::streaming {
namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.erase(s.begin());
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
  return s;
}

std::vector<std::string> split_list(const std::string& v) {
  std::vector<std::string> out;
  std::istringstream is(v);
  std::string item;
  while (std::getline(is, item, ','))
    if (auto t = trim(item); !t.empty()) out.push_back(t);
  return out;
}

}  // namespace

bool is_websocket_request(const net::Request& req) {
  if (req.method != "GET") return false;
  bool upgrade = false;
  for (const auto& t : split_list(lower(req.header("connection"))))
    if (t == "upgrade") upgrade = true;
  return upgrade && lower(req.header("upgrade")) == "websocket";
}

std::string websocket_accept(std::string_view key) {
  std::string s(key);
  s += "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(s.data()), s.size(), digest);
  return base64_encode(std::string_view(reinterpret_cast<const char*>(digest), SHA_DIGEST_LENGTH));
}

std::string negotiate_subprotocol(const net::Request& req,
                                  const std::vector<std::string>& supported) {
  auto offered = split_list(req.header("sec-websocket-protocol"));
  for (const auto& s : supported)
    for (const auto& o : offered)
      if (o == s) return s;
  return {};
}

std::string websocket_upgrade_response(const net::Request& req, const std::string& protocol) {
  std::string r =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: " +
      websocket_accept(trim(req.header("sec-websocket-key"))) + "\r\n";
  if (!protocol.empty()) r += "Sec-WebSocket-Protocol: " + protocol + "\r\n";
  return r + "\r\n";
}

std::string encode_frame(Opcode op, std::string_view payload, bool fin, const uint8_t* mask) {
  std::string f;
  f += static_cast<char>((fin ? 0x80 : 0) | static_cast<uint8_t>(op));
  uint8_t m = mask ? 0x80 : 0;
  size_t n = payload.size();
  if (n < 126) {
    f += static_cast<char>(m | n);
  } else if (n <= 0xffff) {
    f += static_cast<char>(m | 126);
    f += static_cast<char>(n >> 8);
    f += static_cast<char>(n & 0xff);
  } else {
    f += static_cast<char>(m | 127);
    for (int i = 7; i >= 0; --i) f += static_cast<char>((static_cast<uint64_t>(n) >> (8 * i)) & 0xff);
  }
  if (!mask) return f.append(payload);
  f.append(reinterpret_cast<const char*>(mask), 4);
  size_t at = f.size();
  f.append(payload);
  for (size_t i = 0; i < n; ++i) f[at + i] = static_cast<char>(f[at + i] ^ mask[i % 4]);
  return f;
}

std::string close_payload(uint16_t code, std::string_view reason) {
  std::string p;
  p += static_cast<char>(code >> 8);
  p += static_cast<char>(code & 0xff);
  return p.append(reason.substr(0, 123));
}

std::optional<Frame> FrameDecoder::next() {
  if (!error_.empty() || buf_.size() < 2) return std::nullopt;
  auto b = [&](size_t i) { return static_cast<uint8_t>(buf_[i]); };
  uint8_t b0 = b(0), b1 = b(1);
  if (b0 & 0x70) {
    error_ = "reserved bits set (no extension was negotiated)";
    return std::nullopt;
  }
  uint8_t op = b0 & 0x0f;
  bool control = op & 0x08;
  if (!(op <= 2 || (op >= 8 && op <= 10))) {
    error_ = "unknown opcode " + std::to_string(op);
    return std::nullopt;
  }
  bool masked = b1 & 0x80;
  if (require_mask_ && !masked) {
    error_ = "unmasked client frame";
    return std::nullopt;
  }
  uint64_t len = b1 & 0x7f;
  size_t at = 2;
  if (len == 126) {
    if (buf_.size() < 4) return std::nullopt;
    len = (uint64_t{b(2)} << 8) | b(3);
    at = 4;
  } else if (len == 127) {
    if (buf_.size() < 10) return std::nullopt;
    len = 0;
    for (size_t i = 0; i < 8; ++i) len = (len << 8) | b(2 + i);
    at = 10;
  }
  if (control && (len > 125 || !(b0 & 0x80))) {
    error_ = "invalid control frame";
    return std::nullopt;
  }
  if (len > max_payload_) {
    error_ = "frame too large";
    return std::nullopt;
  }
  uint8_t key[4] = {0, 0, 0, 0};
  if (masked) {
    if (buf_.size() < at + 4) return std::nullopt;
    for (int i = 0; i < 4; ++i) key[i] = b(at + i);
    at += 4;
  }
  if (buf_.size() < at + len) return std::nullopt;
  Frame f;
  f.fin = b0 & 0x80;
  f.opcode = static_cast<Opcode>(op);
  f.payload = buf_.substr(at, len);
  if (masked)
    for (size_t i = 0; i < f.payload.size(); ++i)
      f.payload[i] = static_cast<char>(f.payload[i] ^ key[i % 4]);
  buf_.erase(0, at + len);
  return f;
}

MessageAssembler::Event MessageAssembler::on_frame(Frame f) {
  Event e;
  switch (f.opcode) {
    case Opcode::kPing: e.kind = Kind::kPing; e.payload = std::move(f.payload); return e;
    case Opcode::kPong: e.kind = Kind::kPong; return e;
    case Opcode::kClose: e.kind = Kind::kClose; e.payload = std::move(f.payload); return e;
    case Opcode::kContinuation:
      if (!in_message_) {
        e.kind = Kind::kError;
        e.payload = "continuation frame without a message";
        return e;
      }
      data_ += f.payload;
      break;
    default:
      if (in_message_) {
        e.kind = Kind::kError;
        e.payload = "new message inside a fragmented one";
        return e;
      }
      in_message_ = true;
      opcode_ = f.opcode;
      data_ = std::move(f.payload);
  }
  if (!f.fin) return e;
  in_message_ = false;
  e.kind = Kind::kMessage;
  e.opcode = opcode_;
  e.payload = std::move(data_);
  data_.clear();
  return e;
}

}  // namespace skiff::streaming
