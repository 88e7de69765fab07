// The DNS wire format (message.h). Every read goes through Reader, which checks bounds.
#include "dns/message.h"

#include <algorithm>
#include <cctype>

namespace skiff::dns {
namespace {

class Reader {
 public:
  explicit Reader(std::span<const uint8_t> b) : b_(b) {}
  bool u8(uint8_t& v) {
    if (pos_ + 1 > b_.size()) return false;
    v = b_[pos_++];
    return true;
  }
  bool u16(uint16_t& v) {
    if (pos_ + 2 > b_.size()) return false;
    v = static_cast<uint16_t>(b_[pos_] << 8 | b_[pos_ + 1]);
    pos_ += 2;
    return true;
  }
  bool u32(uint32_t& v) {
    uint16_t hi, lo;
    if (!u16(hi) || !u16(lo)) return false;
    v = uint32_t{hi} << 16 | lo;
    return true;
  }
  bool bytes(size_t n, const uint8_t*& p) {
    if (n > b_.size() - pos_) return false;
    p = b_.data() + pos_;
    pos_ += n;
    return true;
  }
  // A possibly compressed name. Compression pointers must point strictly before the label that
  // holds them, so a chain of pointers always ends (no loops), and the name is at most 255 bytes.
  bool name(std::string& out) {
    out.clear();
    size_t p = pos_;
    bool jumped = false;
    size_t wire_len = 1;
    for (;;) {
      if (p >= b_.size()) return false;
      uint8_t len = b_[p];
      if ((len & 0xC0) == 0xC0) {
        if (p + 1 >= b_.size()) return false;
        size_t target = static_cast<size_t>(len & 0x3F) << 8 | b_[p + 1];
        if (target >= p) return false;  // forward or self pointer: could loop
        if (!jumped) pos_ = p + 2;
        jumped = true;
        p = target;
        continue;
      }
      if (len & 0xC0) return false;  // 0x40, 0x80: obsolete/reserved label types
      if (len == 0) {
        if (!jumped) pos_ = p + 1;
        return true;
      }
      if (p + 1 + len > b_.size()) return false;
      wire_len += len + 1;
      if (wire_len > 255) return false;
      if (!out.empty()) out += '.';
      for (size_t i = 0; i < len; ++i) {
        char c = static_cast<char>(b_[p + 1 + i]);
        if (c == '.') return false;  // a dot inside a label cannot be represented as text here
        out += c;
      }
      p += 1 + len;
    }
  }
  size_t pos() const { return pos_; }
  size_t size() const { return b_.size(); }

 private:
  std::span<const uint8_t> b_;
  size_t pos_ = 0;
};

bool read_record(Reader& r, Record& rec) {
  uint16_t rdlen;
  if (!r.name(rec.name) || !r.u16(rec.type) || !r.u16(rec.klass) || !r.u32(rec.ttl) || !r.u16(rdlen))
    return false;
  if (rdlen > r.size() - r.pos()) return false;
  const size_t end = r.pos() + rdlen;
  switch (rec.type) {
    case type::kA:
    case type::kAAAA: {
      const size_t n = rec.type == type::kA ? 4 : 16;
      const uint8_t* p;
      if (rdlen != n || !r.bytes(n, p)) return false;
      std::copy(p, p + n, rec.addr.begin());
      return true;
    }
    case type::kPTR:
    case type::kCNAME:
    case type::kNS:
      return r.name(rec.target) && r.pos() == end;
    case type::kSRV:
      return r.u16(rec.priority) && r.u16(rec.weight) && r.u16(rec.port) && r.name(rec.target) && r.pos() == end;
    case type::kSOA:
      return r.name(rec.target) && r.name(rec.rname) && r.u32(rec.serial) && r.u32(rec.refresh) &&
             r.u32(rec.retry) && r.u32(rec.expire) && r.u32(rec.minimum) && r.pos() == end;
    default: {
      const uint8_t* p;
      if (!r.bytes(rdlen, p)) return false;
      rec.rdata.assign(p, p + rdlen);
      return true;
    }
  }
}

class Writer {
 public:
  void u8(uint8_t v) { b_.push_back(v); }
  void u16(uint16_t v) {
    b_.push_back(static_cast<uint8_t>(v >> 8));
    b_.push_back(static_cast<uint8_t>(v));
  }
  void u32(uint32_t v) {
    u16(static_cast<uint16_t>(v >> 16));
    u16(static_cast<uint16_t>(v));
  }
  bool name(const std::string& n) {
    size_t total = 1, start = 0;
    std::string_view s = n;
    if (!s.empty() && s.back() == '.') s.remove_suffix(1);
    while (start < s.size()) {
      size_t dot = s.find('.', start);
      if (dot == std::string_view::npos) dot = s.size();
      size_t len = dot - start;
      if (len == 0 || len > 63) return false;
      total += len + 1;
      if (total > 255) return false;
      u8(static_cast<uint8_t>(len));
      b_.insert(b_.end(), s.begin() + start, s.begin() + dot);
      start = dot + 1;
    }
    u8(0);
    return true;
  }
  bool record(const Record& r) {
    if (!name(r.name)) return false;
    u16(r.type);
    u16(r.klass);
    u32(r.ttl);
    const size_t len_at = b_.size();
    u16(0);
    switch (r.type) {
      case type::kA: b_.insert(b_.end(), r.addr.begin(), r.addr.begin() + 4); break;
      case type::kAAAA: b_.insert(b_.end(), r.addr.begin(), r.addr.end()); break;
      case type::kPTR:
      case type::kCNAME:
      case type::kNS:
        if (!name(r.target)) return false;
        break;
      case type::kSRV:
        u16(r.priority);
        u16(r.weight);
        u16(r.port);
        if (!name(r.target)) return false;
        break;
      case type::kSOA:
        if (!name(r.target) || !name(r.rname)) return false;
        u32(r.serial);
        u32(r.refresh);
        u32(r.retry);
        u32(r.expire);
        u32(r.minimum);
        break;
      default:
        if (r.rdata.size() > 65535) return false;
        b_.insert(b_.end(), r.rdata.begin(), r.rdata.end());
    }
    const size_t rdlen = b_.size() - len_at - 2;
    if (rdlen > 65535) return false;
    b_[len_at] = static_cast<uint8_t>(rdlen >> 8);
    b_[len_at + 1] = static_cast<uint8_t>(rdlen);
    return true;
  }
  std::vector<uint8_t>& bytes() { return b_; }

 private:
  std::vector<uint8_t> b_;
};

std::vector<uint8_t> encode_sections(const Message& m, bool with_records) {
  Writer w;
  w.u16(m.id);
  uint16_t flags = static_cast<uint16_t>((m.flags & 0x8780) | (m.opcode & 0xF) << 11 |
                                         (static_cast<uint8_t>(m.rcode) & 0xF));
  if (!with_records) flags |= kFlagTC;
  w.u16(flags);
  const auto count = [](size_t n) { return static_cast<uint16_t>(std::min<size_t>(n, 65535)); };
  w.u16(count(m.questions.size()));
  w.u16(with_records ? count(m.answers.size()) : 0);
  w.u16(with_records ? count(m.authority.size()) : 0);
  // The OPT record stays even in a truncated reply: it says the responder speaks EDNS0.
  std::vector<const Record*> additional;
  for (const auto& r : m.additional)
    if (with_records || r.type == type::kOPT) additional.push_back(&r);
  w.u16(count(additional.size()));
  for (const auto& q : m.questions) {
    if (!w.name(q.name)) return {};
    w.u16(q.type);
    w.u16(q.klass);
  }
  if (with_records) {
    for (const auto* sec : {&m.answers, &m.authority})
      for (const auto& r : *sec)
        if (!w.record(r)) return {};
  }
  for (const auto* r : additional)
    if (!w.record(*r)) return {};
  return std::move(w.bytes());
}

}  // namespace

uint16_t Message::udp_size() const {
  for (const auto& r : additional)
    if (r.type == type::kOPT) return std::max<uint16_t>(512, r.klass);
  return 512;
}

std::optional<Message> parse(std::span<const uint8_t> wire, ParseError* err) {
  ParseError local;
  ParseError& e = err ? *err : local;
  e = {};
  Reader r(wire);
  Message m;
  uint16_t flags, qd, an, ns, ar;
  if (!r.u16(m.id) || !r.u16(flags) || !r.u16(qd) || !r.u16(an) || !r.u16(ns) || !r.u16(ar)) {
    e.what = "short header";
    return std::nullopt;
  }
  e.header_ok = true;
  e.id = m.id;
  e.flags = flags;
  m.flags = flags & 0x8780;
  m.opcode = (flags >> 11) & 0xF;
  m.rcode = static_cast<Rcode>(flags & 0xF);
  // Each question takes at least 5 bytes and each record 11: reject absurd counts before
  // reserving anything.
  if (size_t{qd} * 5 + (size_t{an} + ns + ar) * 11 > wire.size() - 12) {
    e.what = "section counts past the end";
    return std::nullopt;
  }
  for (uint16_t i = 0; i < qd; ++i) {
    Question q;
    if (!r.name(q.name) || !r.u16(q.type) || !r.u16(q.klass)) {
      e.what = "bad question";
      return std::nullopt;
    }
    m.questions.push_back(std::move(q));
  }
  for (auto [n, sec] : {std::pair{an, &m.answers}, std::pair{ns, &m.authority}, std::pair{ar, &m.additional}}) {
    for (uint16_t i = 0; i < n; ++i) {
      Record rec;
      if (!read_record(r, rec)) {
        e.what = "bad resource record";
        return std::nullopt;
      }
      sec->push_back(std::move(rec));
    }
  }
  return m;
}

std::vector<uint8_t> encode(const Message& m, size_t max_size) {
  auto full = encode_sections(m, true);
  if (full.size() <= max_size) return full;
  auto cut = encode_sections(m, false);
  return cut.size() <= max_size ? cut : std::vector<uint8_t>{};
}

Message reply_to(const Message& q, Rcode rcode) {
  Message r;
  r.id = q.id;
  r.opcode = q.opcode;
  r.flags = static_cast<uint16_t>(kFlagQR | (q.flags & kFlagRD));
  r.rcode = rcode;
  r.questions = q.questions;
  if (q.udp_size() > 512 || std::any_of(q.additional.begin(), q.additional.end(),
                                        [](const Record& x) { return x.type == type::kOPT; })) {
    Record opt;
    opt.type = type::kOPT;
    opt.klass = 1232;  // our UDP payload size (the DNS flag day 2020 value)
    r.additional.push_back(opt);
  }
  return r;
}

Record a_record(const std::string& name, uint32_t ttl, const std::array<uint8_t, 4>& ip) {
  Record r;
  r.name = name;
  r.type = type::kA;
  r.ttl = ttl;
  std::copy(ip.begin(), ip.end(), r.addr.begin());
  return r;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace skiff::dns
