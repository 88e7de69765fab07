// DNS messages on the wire (RFC 1035 section 4, EDNS0 OPT of RFC 6891 tolerated): a parser
// that never reads past its input (malformed input is an error value, not a crash) and an
// encoder. Only what cluster DNS needs is decoded into fields (A, AAAA, PTR, SRV, SOA); other
// record data is kept as raw bytes. Names are dotted text without the trailing dot ("" = root),
// case as received. Not thread-affine: plain values.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace skiff::dns {

namespace type {
inline constexpr uint16_t kA = 1, kNS = 2, kCNAME = 5, kSOA = 6, kPTR = 12, kAAAA = 28, kSRV = 33, kOPT = 41,
                          kANY = 255;
}
inline constexpr uint16_t kClassIN = 1;

enum class Rcode : uint8_t { kNoError = 0, kFormErr = 1, kServFail = 2, kNxDomain = 3, kNotImp = 4, kRefused = 5 };

// Header flag bits (the second 16-bit word, without opcode and rcode).
inline constexpr uint16_t kFlagQR = 0x8000, kFlagAA = 0x0400, kFlagTC = 0x0200, kFlagRD = 0x0100,
                          kFlagRA = 0x0080;

struct Question {
  std::string name;
  uint16_t type = type::kA;
  uint16_t klass = kClassIN;
};

struct Record {
  std::string name;
  uint16_t type = type::kA;
  uint16_t klass = kClassIN;  // for OPT: the requester's UDP payload size
  uint32_t ttl = 0;
  std::array<uint8_t, 16> addr{};  // A: the first 4 bytes; AAAA: all 16
  std::string target;              // PTR, SRV target, SOA mname
  uint16_t priority = 0, weight = 0, port = 0;  // SRV
  std::string rname;                            // SOA
  uint32_t serial = 0, refresh = 0, retry = 0, expire = 0, minimum = 0;  // SOA
  std::vector<uint8_t> rdata;  // any other type, verbatim
};

struct Message {
  uint16_t id = 0;
  uint16_t flags = 0;  // QR, AA, TC, RD, RA bits; see opcode and rcode
  uint8_t opcode = 0;
  Rcode rcode = Rcode::kNoError;
  std::vector<Question> questions;
  std::vector<Record> answers, authority, additional;

  // The EDNS0 OPT record's UDP payload size, or 512 without one.
  uint16_t udp_size() const;
};

// Parses a whole message. On failure returns nullopt and, when at least the 12-byte header was
// readable, sets *id_out (so the caller can answer FORMERR) and *header_ok.
struct ParseError {
  bool header_ok = false;
  uint16_t id = 0;
  uint16_t flags = 0;
  std::string what;
};
std::optional<Message> parse(std::span<const uint8_t> wire, ParseError* err = nullptr);

// Encodes m (no name compression). When the result would exceed max_size, the answer, authority
// and additional sections are dropped and TC is set (the client retries over TCP). Names that
// cannot be encoded (a label over 63 bytes, a name over 255) make the result empty.
std::vector<uint8_t> encode(const Message& m, size_t max_size = 65535);

// A response skeleton for query q: same id, question and RD, QR set.
Message reply_to(const Message& q, Rcode rcode);

// Helpers for records.
Record a_record(const std::string& name, uint32_t ttl, const std::array<uint8_t, 4>& ip);
std::string lower(std::string s);

}  // namespace skiff::dns
