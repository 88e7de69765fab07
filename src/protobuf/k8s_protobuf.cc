// Schema-driven decoder for Kubernetes protobuf bodies. The wire format is read by a small
// bounds-checked reader; each message is decoded against its descriptor in k8s_schema.cc.
#include "protobuf/k8s_protobuf.h"

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/base64.h"
#include "protobuf/k8s_schema.h"

namespace skiff::protobuf {
namespace {

using schema::FieldDesc;
using schema::Kind;
using schema::MessageDesc;

constexpr int kMaxDepth = 64;
constexpr std::string_view kMagic{"k8s\0", 4};

enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLen = 2, kStartGroup = 3, kEndGroup = 4, kFixed32 = 5 };

// Reads protobuf wire-format primitives from a byte range; every read is bounds checked.
class Reader {
 public:
  explicit Reader(std::string_view data) : p_(data.data()), end_(data.data() + data.size()) {}
  bool done() const { return p_ >= end_; }

  bool varint(uint64_t& out) {
    out = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (p_ >= end_) return false;
      uint8_t b = static_cast<uint8_t>(*p_++);
      if (shift == 63 && b > 1) return false;  // overflows 64 bits
      out |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return true;
    }
    return false;
  }
  bool fixed64(uint64_t& out) {
    if (end_ - p_ < 8) return false;
    out = 0;
    for (int i = 7; i >= 0; --i) out = (out << 8) | static_cast<uint8_t>(p_[i]);
    p_ += 8;
    return true;
  }
  bool fixed32(uint32_t& out) {
    if (end_ - p_ < 4) return false;
    out = 0;
    for (int i = 3; i >= 0; --i) out = (out << 8) | static_cast<uint8_t>(p_[i]);
    p_ += 4;
    return true;
  }
  bool bytes(std::string_view& out) {
    uint64_t n;
    if (!varint(n)) return false;
    if (n > static_cast<uint64_t>(end_ - p_)) return false;
    out = std::string_view(p_, static_cast<size_t>(n));
    p_ += n;
    return true;
  }
  // Reads a tag; field number 0 or one above 2^29-1 is malformed.
  bool tag(uint32_t& number, uint32_t& wire) {
    uint64_t t;
    if (!varint(t)) return false;
    number = static_cast<uint32_t>(t >> 3);
    wire = static_cast<uint32_t>(t & 7);
    return number != 0 && (t >> 3) <= 0x1fffffff;
  }
  bool skip(uint32_t wire) {
    uint64_t v;
    uint32_t v32;
    std::string_view s;
    switch (wire) {
      case kVarint: return varint(v);
      case kFixed64: return fixed64(v);
      case kLen: return bytes(s);
      case kFixed32: return fixed32(v32);
      default: return false;  // groups are not used by Kubernetes
    }
  }

 private:
  const char* p_;
  const char* end_;
};

// Raw value of one field occurrence before it is interpreted by kind.
struct RawValue {
  uint32_t wire = 0;
  uint64_t num = 0;
  std::string_view data;
};

class Decoder {
 public:
  std::string error;

  bool message(const MessageDesc& desc, std::string_view data, int depth, json::object& out);

 private:
  bool fail(std::string msg) {
    if (error.empty()) error = std::move(msg);
    return false;
  }
  bool value(const FieldDesc& f, const RawValue& raw, int depth, json::value& out);
  bool map_entry(const FieldDesc& f, std::string_view data, int depth, json::object& target);
  bool scalar_from_varint(Kind kind, uint64_t v, json::value& out);
  bool time(std::string_view data, bool micro, json::value& out);
  bool duration(std::string_view data, json::value& out);
  bool quantity(std::string_view data, json::value& out);
  bool int_or_string(std::string_view data, json::value& out);
  bool raw_json(std::string_view data, json::value& out);
  bool string_list(std::string_view data, json::value& out);
};

bool is_varint_kind(Kind k) { return k == Kind::Bool || k == Kind::Int32 || k == Kind::Int64; }

const FieldDesc* find_field(const MessageDesc& desc, uint32_t number) {
  for (uint16_t i = 0; i < desc.count; ++i)
    if (desc.fields[i].number == number) return &desc.fields[i];
  return nullptr;
}

bool Decoder::scalar_from_varint(Kind kind, uint64_t v, json::value& out) {
  switch (kind) {
    case Kind::Bool: out = (v != 0); return true;
    case Kind::Int32: out = static_cast<int64_t>(static_cast<int32_t>(static_cast<uint32_t>(v))); return true;
    case Kind::Int64: out = static_cast<int64_t>(v); return true;
    default: return fail("varint for a non-integer field");
  }
}

// Days since 1970-01-01 -> civil date (proleptic Gregorian).
void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
}

bool Decoder::time(std::string_view data, bool micro, json::value& out) {
  int64_t seconds = 0;
  int64_t nanos = 0;
  Reader r(data);
  while (!r.done()) {
    uint32_t num, wire;
    if (!r.tag(num, wire)) return fail("malformed Time");
    if ((num == 1 || num == 2) && wire == kVarint) {
      uint64_t v;
      if (!r.varint(v)) return fail("malformed Time");
      if (num == 1) seconds = static_cast<int64_t>(v);
      else nanos = static_cast<int32_t>(static_cast<uint32_t>(v));
    } else if (!r.skip(wire)) {
      return fail("malformed Time");
    }
  }
  if (data.empty()) {  // the zero time: upstream writes null; leave the field out
    out = nullptr;
    return true;
  }
  // Year 0001 .. 9999 as RFC 3339 allows.
  constexpr int64_t kMin = -62135596800LL, kMax = 253402300799LL;
  if (seconds < kMin || seconds > kMax) return fail("Time out of range");
  if (nanos < 0 || nanos > 999999999) return fail("Time nanos out of range");
  int64_t days = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
  int64_t sod = seconds - days * 86400;
  int64_t y;
  unsigned mo, d;
  civil_from_days(days, y, mo, d);
  char buf[48];
  if (micro) {
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%06lldZ",
                  static_cast<long long>(y), mo, d, static_cast<long long>(sod / 3600),
                  static_cast<long long>(sod / 60 % 60), static_cast<long long>(sod % 60),
                  static_cast<long long>(nanos / 1000));
  } else {  // metav1.Time keeps seconds only
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ",
                  static_cast<long long>(y), mo, d, static_cast<long long>(sod / 3600),
                  static_cast<long long>(sod / 60 % 60), static_cast<long long>(sod % 60));
  }
  out = json::string(buf);
  return true;
}

// Go's time.Duration.String().
std::string go_duration(int64_t d) {
  if (d == 0) return "0s";
  bool neg = d < 0;
  uint64_t u = neg ? static_cast<uint64_t>(0) - static_cast<uint64_t>(d) : static_cast<uint64_t>(d);
  auto frac = [](uint64_t v, int prec, std::string& s) {  // v with `prec` fractional digits
    std::string digits;
    bool print = false;
    for (int i = 0; i < prec; ++i) {
      unsigned digit = static_cast<unsigned>(v % 10);
      print = print || digit != 0;
      if (print) digits.insert(digits.begin(), static_cast<char>('0' + digit));
      v /= 10;
    }
    if (print) digits.insert(digits.begin(), '.');
    s = std::to_string(v) + digits;
  };
  std::string s;
  if (u < 1000000000ULL) {
    std::string unit;
    if (u < 1000ULL) {
      s = std::to_string(u);
      unit = "ns";
    } else if (u < 1000000ULL) {
      frac(u, 3, s);
      unit = "\xc2\xb5s";  // µs
    } else {
      frac(u, 6, s);
      unit = "ms";
    }
    s += unit;
  } else {
    std::string secs;
    frac(u % 60000000000ULL, 9, secs);
    s = secs + "s";
    uint64_t mins = u / 60000000000ULL;
    if (mins > 0) {
      s = std::to_string(mins % 60) + "m" + s;
      uint64_t hours = mins / 60;
      if (hours > 0) s = std::to_string(hours) + "h" + s;
    }
  }
  return neg ? "-" + s : s;
}

bool Decoder::duration(std::string_view data, json::value& out) {
  int64_t ns = 0;
  Reader r(data);
  while (!r.done()) {
    uint32_t num, wire;
    if (!r.tag(num, wire)) return fail("malformed Duration");
    if (num == 1 && wire == kVarint) {
      uint64_t v;
      if (!r.varint(v)) return fail("malformed Duration");
      ns = static_cast<int64_t>(v);
    } else if (!r.skip(wire)) {
      return fail("malformed Duration");
    }
  }
  out = json::string(go_duration(ns));
  return true;
}

bool Decoder::quantity(std::string_view data, json::value& out) {
  std::string_view s;
  Reader r(data);
  while (!r.done()) {
    uint32_t num, wire;
    if (!r.tag(num, wire)) return fail("malformed Quantity");
    if (num == 1 && wire == kLen) {
      if (!r.bytes(s)) return fail("malformed Quantity");
    } else if (!r.skip(wire)) {
      return fail("malformed Quantity");
    }
  }
  out = json::string(s.empty() ? std::string_view("0") : s);
  return true;
}

bool Decoder::int_or_string(std::string_view data, json::value& out) {
  uint64_t type = 0, ival = 0;
  std::string_view sval;
  Reader r(data);
  while (!r.done()) {
    uint32_t num, wire;
    if (!r.tag(num, wire)) return fail("malformed IntOrString");
    bool ok;
    if (num == 1 && wire == kVarint) ok = r.varint(type);
    else if (num == 2 && wire == kVarint) ok = r.varint(ival);
    else if (num == 3 && wire == kLen) ok = r.bytes(sval);
    else ok = r.skip(wire);
    if (!ok) return fail("malformed IntOrString");
  }
  if (type == 1) out = json::string(sval);
  else out = static_cast<int64_t>(static_cast<int32_t>(static_cast<uint32_t>(ival)));
  return true;
}

bool Decoder::raw_json(std::string_view data, json::value& out) {
  std::string_view raw;
  Reader r(data);
  while (!r.done()) {
    uint32_t num, wire;
    if (!r.tag(num, wire)) return fail("malformed RawExtension");
    if (num == 1 && wire == kLen) {
      if (!r.bytes(raw)) return fail("malformed RawExtension");
    } else if (!r.skip(wire)) {
      return fail("malformed RawExtension");
    }
  }
  if (raw.empty()) {
    out = nullptr;
    return true;
  }
  std::string err;
  if (!parse_json(raw, out, err)) return fail("embedded object is not JSON: " + err);
  return true;
}

bool Decoder::string_list(std::string_view data, json::value& out) {
  json::array arr;
  Reader r(data);
  while (!r.done()) {
    uint32_t num, wire;
    if (!r.tag(num, wire)) return fail("malformed string list");
    if (num == 1 && wire == kLen) {
      std::string_view s;
      if (!r.bytes(s)) return fail("malformed string list");
      arr.emplace_back(json::string(s));
    } else if (!r.skip(wire)) {
      return fail("malformed string list");
    }
  }
  out = std::move(arr);
  return true;
}

bool Decoder::value(const FieldDesc& f, const RawValue& raw, int depth, json::value& out) {
  if (is_varint_kind(f.kind)) return scalar_from_varint(f.kind, raw.num, out);
  if (f.kind == Kind::Double) {
    double d;
    std::memcpy(&d, &raw.num, sizeof d);
    out = d;
    return true;
  }
  switch (f.kind) {
    case Kind::String: out = json::string(raw.data); return true;
    case Kind::Bytes: out = json::string(base64_encode(raw.data)); return true;
    case Kind::Time: return time(raw.data, false, out);
    case Kind::MicroTime: return time(raw.data, true, out);
    case Kind::Duration: return duration(raw.data, out);
    case Kind::Quantity: return quantity(raw.data, out);
    case Kind::IntOrString: return int_or_string(raw.data, out);
    case Kind::RawJson: return raw_json(raw.data, out);
    case Kind::StringList: return string_list(raw.data, out);
    case Kind::Msg: {
      if (f.msg < 0 || static_cast<size_t>(f.msg) >= schema::kMessageCount)
        return fail("schema error");
      json::object obj;
      if (!message(schema::kMessages[f.msg], raw.data, depth + 1, obj)) return false;
      out = std::move(obj);
      return true;
    }
    default: return fail("schema error");
  }
}

// Expected wire type for one (non-packed) value of a kind.
uint32_t wire_for(Kind k) {
  if (is_varint_kind(k)) return kVarint;
  if (k == Kind::Double) return kFixed64;
  return kLen;
}

bool Decoder::map_entry(const FieldDesc& f, std::string_view data, int depth, json::object& target) {
  std::string_view key;
  json::value val;
  bool have_val = false;
  Reader r(data);
  while (!r.done()) {
    uint32_t num, wire;
    if (!r.tag(num, wire)) return fail(std::string("malformed map entry in ") + f.json);
    if (num == 1 && wire == kLen) {
      if (!r.bytes(key)) return fail(std::string("malformed map entry in ") + f.json);
    } else if (num == 2 && wire == wire_for(f.kind)) {
      RawValue rv;
      rv.wire = wire;
      bool ok = wire == kVarint ? r.varint(rv.num)
                : wire == kFixed64 ? r.fixed64(rv.num) : r.bytes(rv.data);
      if (!ok) return fail(std::string("malformed map entry in ") + f.json);
      if (!value(f, rv, depth, val)) return false;
      have_val = true;
    } else if (!r.skip(wire)) {
      return fail(std::string("malformed map entry in ") + f.json);
    }
  }
  if (!have_val) {  // an absent value is the zero value
    RawValue rv;
    rv.wire = wire_for(f.kind);
    if (!value(f, rv, depth, val)) return false;
  }
  target[key] = std::move(val);
  return true;
}

bool is_zero_scalar(const json::value& v) {
  if (v.is_string()) return v.get_string().empty();
  if (v.is_int64()) return v.get_int64() == 0;
  if (v.is_uint64()) return v.get_uint64() == 0;
  if (v.is_double()) return v.get_double() == 0;
  if (v.is_bool()) return !v.get_bool();
  return v.is_null();
}

bool Decoder::message(const MessageDesc& desc, std::string_view data, int depth, json::object& out) {
  if (depth > kMaxDepth) return fail("nesting too deep");
  // One slot per descriptor field so the object's keys come out in the Go struct's order
  // (the order of upstream's JSON), whatever order the fields arrive in.
  std::vector<json::value> slots(desc.count);
  std::vector<bool> present(desc.count, false);
  Reader r(data);
  while (!r.done()) {
    uint32_t num, wire;
    if (!r.tag(num, wire)) return fail(std::string("malformed field tag in ") + desc.name);
    const FieldDesc* f = find_field(desc, num);
    if (!f) {  // a field this schema does not know: skip it
      if (!r.skip(wire)) return fail(std::string("malformed unknown field in ") + desc.name);
      continue;
    }
    const size_t i = static_cast<size_t>(f - desc.fields);
    json::value& slot = slots[i];
    const uint32_t want = (f->flags & schema::kMap) ? kLen : wire_for(f->kind);
    auto bad = [&] { return fail(std::string("malformed field ") + desc.name + "." + f->json); };
    if (f->flags & schema::kMap) {
      std::string_view entry;
      if (wire != kLen || !r.bytes(entry)) return bad();
      if (!slot.is_object()) slot = json::object();
      present[i] = true;
      if (!map_entry(*f, entry, depth + 1, slot.get_object())) return false;
      continue;
    }
    if ((f->flags & schema::kRepeated) && wire == kLen && want != kLen) {  // packed scalars
      std::string_view packed;
      if (!r.bytes(packed)) return bad();
      if (!slot.is_array()) slot = json::array();
      present[i] = true;
      Reader pr(packed);
      while (!pr.done()) {
        RawValue rv;
        rv.wire = want;
        if (!(want == kVarint ? pr.varint(rv.num) : pr.fixed64(rv.num))) return bad();
        json::value v;
        if (!value(*f, rv, depth, v)) return false;
        slot.get_array().push_back(std::move(v));
      }
      continue;
    }
    if (wire != want) return bad();
    RawValue rv;
    rv.wire = wire;
    bool ok = wire == kVarint ? r.varint(rv.num) : wire == kFixed64 ? r.fixed64(rv.num) : r.bytes(rv.data);
    if (!ok) return bad();
    json::value v;
    if (!value(*f, rv, depth, v)) return false;
    if (f->flags & schema::kRepeated) {
      if (!slot.is_array()) slot = json::array();
      slot.get_array().push_back(std::move(v));
    } else {
      slot = std::move(v);  // the last occurrence wins
    }
    present[i] = true;
  }
  for (size_t i = 0; i < desc.count; ++i) {
    if (!present[i]) continue;
    const FieldDesc& f = desc.fields[i];
    json::value& v = slots[i];
    if ((f.flags & schema::kInline) && v.is_object()) {
      for (auto& kv : v.get_object()) out[kv.key()] = std::move(kv.value());
      continue;
    }
    // Shape rules: zero times and empty raw objects are null upstream (left out here);
    // non-pointer omitempty scalars drop their zero values.
    if (v.is_null()) continue;
    if ((f.flags & (schema::kOmitEmpty | schema::kPointer | schema::kRepeated | schema::kMap)) ==
            schema::kOmitEmpty &&
        f.kind != Kind::Msg && f.kind != Kind::Quantity && is_zero_scalar(v))
      continue;
    out[f.json] = std::move(v);
  }
  return true;
}

const std::unordered_map<std::string, int16_t>& top_level_index() {
  static const auto* idx = [] {
    auto* m = new std::unordered_map<std::string, int16_t>();
    for (size_t i = 0; i < schema::kTopLevelCount; ++i) {
      const auto& t = schema::kTopLevel[i];
      (*m)[std::string(t.api_version) + "|" + t.kind] = t.msg;
    }
    return m;
  }();
  return *idx;
}

// Options and Status kinds from meta/v1 are registered in every group version.
int16_t lookup_kind(const std::string& api_version, const std::string& kind) {
  const auto& idx = top_level_index();
  auto it = idx.find(api_version + "|" + kind);
  if (it != idx.end()) return it->second;
  it = idx.find("meta.k8s.io/v1|" + kind);
  if (it != idx.end()) return it->second;
  return -1;
}

ApiError decode_error(std::string_view kind, const std::string& why, bool unsupported) {
  std::string msg = "unable to decode protobuf body";
  if (!kind.empty()) msg += " for kind " + std::string(kind);
  msg += ": " + why + "; send JSON instead (Content-Type: application/json)";
  return unsupported ? ApiError::unsupported_media_type(std::move(msg))
                     : ApiError::bad_request(std::move(msg));
}

}  // namespace

std::string format_go_duration(int64_t nanoseconds) { return go_duration(nanoseconds); }

int16_t message_of_kind(const std::string& api_version, const std::string& kind) {
  return lookup_kind(api_version, kind);
}

bool is_k8s_protobuf_content_type(std::string_view ct) {
  auto semi = ct.find(';');
  if (semi != std::string_view::npos) ct = ct.substr(0, semi);
  while (!ct.empty() && (ct.back() == ' ' || ct.back() == '\t')) ct.remove_suffix(1);
  while (!ct.empty() && (ct.front() == ' ' || ct.front() == '\t')) ct.remove_prefix(1);
  if (ct.size() != kProtobufContentType.size()) return false;
  for (size_t i = 0; i < ct.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(ct[i])) != kProtobufContentType[i]) return false;
  return true;
}

skiff::Result<json::object> decode_k8s_protobuf(std::string_view body) {
  try {
    if (body.size() < kMagic.size() || body.substr(0, kMagic.size()) != kMagic)
      return decode_error({}, "missing the k8s protobuf magic prefix", false);
    Reader r(body.substr(kMagic.size()));
    std::string_view api_version, kind, raw, encoding;
    while (!r.done()) {
      uint32_t num, wire;
      if (!r.tag(num, wire)) return decode_error({}, "malformed envelope", false);
      if (num == 1 && wire == kLen) {
        std::string_view tm;
        if (!r.bytes(tm)) return decode_error({}, "malformed envelope", false);
        Reader tr(tm);
        while (!tr.done()) {
          uint32_t n2, w2;
          if (!tr.tag(n2, w2)) return decode_error({}, "malformed typeMeta", false);
          bool ok = (n2 == 1 && w2 == kLen) ? tr.bytes(api_version)
                    : (n2 == 2 && w2 == kLen) ? tr.bytes(kind) : tr.skip(w2);
          if (!ok) return decode_error({}, "malformed typeMeta", false);
        }
      } else if (num == 2 && wire == kLen) {
        if (!r.bytes(raw)) return decode_error({}, "malformed envelope", false);
      } else if (num == 3 && wire == kLen) {
        if (!r.bytes(encoding)) return decode_error({}, "malformed envelope", false);
      } else if (!r.skip(wire)) {
        return decode_error({}, "malformed envelope", false);
      }
    }
    if (kind.empty()) return decode_error({}, "the object has no kind", false);
    if (!encoding.empty())
      return decode_error(kind, "content encoding \"" + std::string(encoding) + "\" is not supported", true);
    int16_t m = lookup_kind(std::string(api_version), std::string(kind));
    if (m < 0 || static_cast<size_t>(m) >= schema::kMessageCount)
      return decode_error(kind, "no protobuf schema for " + std::string(api_version) + ", Kind=" +
                                    std::string(kind), true);
    Decoder d;
    json::object fields;
    if (!d.message(schema::kMessages[m], raw, 0, fields)) return decode_error(kind, d.error, false);
    json::object out;
    out.reserve(fields.size() + 2);
    out["kind"] = json::string(kind);
    out["apiVersion"] = json::string(api_version);
    for (auto& kv : fields) out[kv.key()] = std::move(kv.value());
    return out;
  } catch (const std::exception& e) {  // allocation failure and the like
    return decode_error({}, e.what(), false);
  }
}

}  // namespace skiff::protobuf
