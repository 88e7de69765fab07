// SPDY/3.1 framing (the subset Kubernetes' httpstream/spdystream uses): SYN_STREAM, SYN_REPLY,
// RST_STREAM, SETTINGS, PING, GOAWAY, HEADERS, WINDOW_UPDATE and DATA frames, with header blocks
// compressed by one zlib stream per direction primed with the SPDY/3 dictionary.
// Flow control is not enforced (spdystream does not enforce it either); WINDOW_UPDATE frames are
// parsed and ignored.
#pragma once
#include <zlib.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace skiff::streaming {

using SpdyHeaders = std::vector<std::pair<std::string, std::string>>;  // names lower-case

enum class SpdyType : uint16_t {
  kData = 0,  // not a control type: a DATA frame
  kSynStream = 1,
  kSynReply = 2,
  kRstStream = 3,
  kSettings = 4,
  kPing = 6,
  kGoaway = 7,
  kHeaders = 8,
  kWindowUpdate = 9,
};

constexpr uint8_t kSpdyFlagFin = 0x01;
constexpr uint8_t kSpdyFlagUnidirectional = 0x02;

struct SpdyFrame {
  SpdyType type = SpdyType::kData;
  uint8_t flags = 0;
  uint32_t stream_id = 0;  // also PING's id and GOAWAY's last-good-stream-id
  uint32_t status = 0;     // RST_STREAM and GOAWAY status codes
  SpdyHeaders headers;     // SYN_STREAM, SYN_REPLY, HEADERS
  std::string data;        // DATA payload
  bool fin() const { return flags & kSpdyFlagFin; }
  // The first value of a header (case-insensitive name); empty when absent.
  std::string header(std::string_view name) const;
};

// The SPDY/3 zlib dictionary (1423 bytes, from the SPDY/3 draft, section 2.6.10.1).
const std::string& spdy_dictionary();

// One side of a SPDY connection's framing: decodes what the peer sent, encodes what we send.
// Not thread-safe: the compressor's state must follow the order frames go on the wire, so a
// caller encodes and queues each frame under one lock.
class SpdyCodec {
 public:
  SpdyCodec();
  ~SpdyCodec();
  SpdyCodec(const SpdyCodec&) = delete;
  SpdyCodec& operator=(const SpdyCodec&) = delete;

  void feed(std::string_view bytes) { in_.append(bytes); }
  // The next complete frame; nullopt when more bytes are needed or on an error (error() set).
  std::optional<SpdyFrame> next();
  const std::string& error() const { return error_; }

  std::string syn_stream(uint32_t id, const SpdyHeaders& h, uint8_t flags = 0);
  std::string syn_reply(uint32_t id, const SpdyHeaders& h, uint8_t flags = 0);
  static std::string data(uint32_t id, std::string_view payload, uint8_t flags = 0);
  static std::string rst_stream(uint32_t id, uint32_t status);
  static std::string ping(uint32_t id);
  static std::string goaway(uint32_t last_good_id, uint32_t status = 0);

 private:
  std::string compress(const SpdyHeaders& h);
  bool decompress(std::string_view block, SpdyHeaders* out);
  static std::string control(SpdyType t, uint8_t flags, const std::string& body);

  std::string in_;
  std::string error_;
  z_stream deflate_{};
  z_stream inflate_{};
};

}  // namespace skiff::streaming
