// SpdyCodec of streaming/spdy.h (SPDY/3.1 draft, sections 2.2 to 2.6).
#include "streaming/spdy.h"

#include <cctype>

namespace skiff::streaming {
namespace {

constexpr uint16_t kVersion = 3;
constexpr size_t kMaxFrame = 1 << 24;          // 24-bit length field
constexpr size_t kMaxHeaderBlock = 1 << 20;    // decompressed

void put32(std::string& s, uint32_t v) {
  for (int i = 3; i >= 0; --i) s += static_cast<char>((v >> (8 * i)) & 0xff);
}
uint32_t get32(std::string_view s, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(s[at + i]);
  return v;
}

}  // namespace

std::string SpdyFrame::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() != name.size()) continue;
    bool eq = true;
    for (size_t i = 0; i < k.size() && eq; ++i)
      eq = std::tolower(static_cast<unsigned char>(k[i])) ==
           std::tolower(static_cast<unsigned char>(name[i]));
    if (eq) return v.substr(0, v.find('\0'));  // several values are NUL-separated
  }
  return {};
}

const std::string& spdy_dictionary() {
  // Length-prefixed header names and values, then a run of common value fragments.
  static const std::string dict = [] {
    const char* words[] = {
        "options", "head", "post", "put", "delete", "trace", "accept", "accept-charset",
        "accept-encoding", "accept-language", "accept-ranges", "age", "allow", "authorization",
        "cache-control", "connection", "content-base", "content-encoding", "content-language",
        "content-length", "content-location", "content-md5", "content-range", "content-type",
        "date", "etag", "expect", "expires", "from", "host", "if-match", "if-modified-since",
        "if-none-match", "if-range", "if-unmodified-since", "last-modified", "location",
        "max-forwards", "pragma", "proxy-authenticate", "proxy-authorization", "range", "referer",
        "retry-after", "server", "te", "trailer", "transfer-encoding", "upgrade", "user-agent",
        "vary", "via", "warning", "www-authenticate", "method", "get", "status", "200 OK",
        "version", "HTTP/1.1", "url", "public", "set-cookie", "keep-alive", "origin"};
    std::string d;
    for (const char* w : words) {
      put32(d, static_cast<uint32_t>(std::char_traits<char>::length(w)));
      d += w;
    }
    d += "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504"
         "505203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request"
         "401 Unauthorized403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented"
         "503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, "
         "Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,image/jpg,image/gif,"
         "application/xml,application/xhtml+xml,text/plain,text/javascript,publicprivatemax-age="
         "gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.";
    return d;
  }();
  return dict;
}

SpdyCodec::SpdyCodec() {
  deflateInit(&deflate_, Z_DEFAULT_COMPRESSION);
  const auto& d = spdy_dictionary();
  deflateSetDictionary(&deflate_, reinterpret_cast<const Bytef*>(d.data()),
                       static_cast<uInt>(d.size()));
  inflateInit(&inflate_);
}

SpdyCodec::~SpdyCodec() {
  deflateEnd(&deflate_);
  inflateEnd(&inflate_);
}

std::string SpdyCodec::compress(const SpdyHeaders& h) {
  std::string raw;
  put32(raw, static_cast<uint32_t>(h.size()));
  for (const auto& [k, v] : h) {
    std::string name = k;
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    put32(raw, static_cast<uint32_t>(name.size()));
    raw += name;
    put32(raw, static_cast<uint32_t>(v.size()));
    raw += v;
  }
  std::string out;
  deflate_.next_in = reinterpret_cast<Bytef*>(raw.data());
  deflate_.avail_in = static_cast<uInt>(raw.size());
  char buf[4096];
  do {
    deflate_.next_out = reinterpret_cast<Bytef*>(buf);
    deflate_.avail_out = sizeof buf;
    deflate(&deflate_, Z_SYNC_FLUSH);
    out.append(buf, sizeof buf - deflate_.avail_out);
  } while (deflate_.avail_out == 0);
  return out;
}

bool SpdyCodec::decompress(std::string_view block, SpdyHeaders* out) {
  std::string raw;
  inflate_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(block.data()));
  inflate_.avail_in = static_cast<uInt>(block.size());
  char buf[4096];
  for (;;) {
    inflate_.next_out = reinterpret_cast<Bytef*>(buf);
    inflate_.avail_out = sizeof buf;
    int r = inflate(&inflate_, Z_SYNC_FLUSH);
    if (r == Z_NEED_DICT) {
      const auto& d = spdy_dictionary();
      if (inflateSetDictionary(&inflate_, reinterpret_cast<const Bytef*>(d.data()),
                               static_cast<uInt>(d.size())) != Z_OK)
        return false;
      continue;
    }
    if (r != Z_OK && r != Z_BUF_ERROR) return false;
    size_t produced = sizeof buf - inflate_.avail_out;
    raw.append(buf, produced);
    if (raw.size() > kMaxHeaderBlock) return false;
    if (inflate_.avail_in == 0 && inflate_.avail_out != 0) break;
    if (r == Z_BUF_ERROR && produced == 0) break;
  }
  if (raw.size() < 4) return false;
  uint32_t n = get32(raw, 0);
  size_t at = 4;
  for (uint32_t i = 0; i < n; ++i) {
    std::string kv[2];
    for (auto& s : kv) {
      if (raw.size() < at + 4) return false;
      uint32_t len = get32(raw, at);
      at += 4;
      if (raw.size() < at + len) return false;
      s = raw.substr(at, len);
      at += len;
    }
    out->emplace_back(std::move(kv[0]), std::move(kv[1]));
  }
  return true;
}

std::optional<SpdyFrame> SpdyCodec::next() {
  if (!error_.empty() || in_.size() < 8) return std::nullopt;
  std::string_view s = in_;
  uint32_t w0 = get32(s, 0), w1 = get32(s, 4);
  size_t len = w1 & 0xffffff;
  if (in_.size() < 8 + len) return std::nullopt;
  SpdyFrame f;
  f.flags = static_cast<uint8_t>(w1 >> 24);
  std::string_view body = s.substr(8, len);
  auto fail = [&](const std::string& why) -> std::optional<SpdyFrame> {
    error_ = why;
    return std::nullopt;
  };
  if (!(w0 & 0x80000000u)) {  // DATA
    f.type = SpdyType::kData;
    f.stream_id = w0 & 0x7fffffff;
    f.data = std::string(body);
  } else {
    if (((w0 >> 16) & 0x7fff) != kVersion) return fail("unsupported SPDY version");
    f.type = static_cast<SpdyType>(w0 & 0xffff);
    switch (f.type) {
      case SpdyType::kSynStream:
        if (len < 10) return fail("short SYN_STREAM");
        f.stream_id = get32(body, 0) & 0x7fffffff;
        if (!decompress(body.substr(10), &f.headers)) return fail("bad SYN_STREAM header block");
        break;
      case SpdyType::kSynReply:
      case SpdyType::kHeaders:
        if (len < 4) return fail("short SYN_REPLY/HEADERS");
        f.stream_id = get32(body, 0) & 0x7fffffff;
        if (!decompress(body.substr(4), &f.headers)) return fail("bad header block");
        break;
      case SpdyType::kRstStream:
      case SpdyType::kGoaway:
        if (len < 8) return fail("short RST_STREAM/GOAWAY");
        f.stream_id = get32(body, 0) & 0x7fffffff;
        f.status = get32(body, 4);
        break;
      case SpdyType::kPing:
        if (len < 4) return fail("short PING");
        f.stream_id = get32(body, 0);
        break;
      case SpdyType::kWindowUpdate:
        if (len < 8) return fail("short WINDOW_UPDATE");
        f.stream_id = get32(body, 0) & 0x7fffffff;
        f.status = get32(body, 4) & 0x7fffffff;  // delta
        break;
      default:  // SETTINGS and unknown control frames: nothing we act on
        break;
    }
  }
  in_.erase(0, 8 + len);
  return f;
}

std::string SpdyCodec::control(SpdyType t, uint8_t flags, const std::string& body) {
  std::string f;
  put32(f, 0x80000000u | (uint32_t{kVersion} << 16) | static_cast<uint16_t>(t));
  put32(f, (uint32_t{flags} << 24) | static_cast<uint32_t>(body.size()));
  return f + body;
}

std::string SpdyCodec::syn_stream(uint32_t id, const SpdyHeaders& h, uint8_t flags) {
  std::string body;
  put32(body, id & 0x7fffffff);
  put32(body, 0);  // associated-to-stream-id
  body += '\0';    // priority
  body += '\0';    // slot
  body += compress(h);
  return control(SpdyType::kSynStream, flags, body);
}

std::string SpdyCodec::syn_reply(uint32_t id, const SpdyHeaders& h, uint8_t flags) {
  std::string body;
  put32(body, id & 0x7fffffff);
  body += compress(h);
  return control(SpdyType::kSynReply, flags, body);
}

std::string SpdyCodec::data(uint32_t id, std::string_view payload, uint8_t flags) {
  std::string out;
  size_t at = 0;
  do {  // split at the 24-bit length limit; FIN on the last piece only
    size_t n = std::min(payload.size() - at, kMaxFrame - 1);
    bool last = at + n == payload.size();
    put32(out, id & 0x7fffffff);
    put32(out, (uint32_t{last ? flags : uint8_t{0}} << 24) | static_cast<uint32_t>(n));
    out.append(payload.substr(at, n));
    at += n;
  } while (at < payload.size());
  return out;
}

std::string SpdyCodec::rst_stream(uint32_t id, uint32_t status) {
  std::string body;
  put32(body, id & 0x7fffffff);
  put32(body, status);
  return control(SpdyType::kRstStream, 0, body);
}

std::string SpdyCodec::ping(uint32_t id) {
  std::string body;
  put32(body, id);
  return control(SpdyType::kPing, 0, body);
}

std::string SpdyCodec::goaway(uint32_t last_good_id, uint32_t status) {
  std::string body;
  put32(body, last_good_id & 0x7fffffff);
  put32(body, status);
  return control(SpdyType::kGoaway, 0, body);
}

}  // namespace skiff::streaming
