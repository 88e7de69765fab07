#include "patch/json_values.h"

namespace skiff::patch_internal {
namespace {

bool numbers_equal(const json::value& a, const json::value& b) {
  if (a.is_double() || b.is_double()) {
    auto as_double = [](const json::value& v) {
      if (v.is_int64()) return static_cast<double>(v.get_int64());
      if (v.is_uint64()) return static_cast<double>(v.get_uint64());
      return v.get_double();
    };
    return as_double(a) == as_double(b);
  }
  // Both integral: compare without converting a large uint64 through int64.
  if (a.is_int64() && b.is_int64()) return a.get_int64() == b.get_int64();
  if (a.is_uint64() && b.is_uint64()) return a.get_uint64() == b.get_uint64();
  const json::value& s = a.is_int64() ? a : b;  // the signed one
  const json::value& u = a.is_int64() ? b : a;  // the unsigned one
  return s.get_int64() >= 0 && static_cast<uint64_t>(s.get_int64()) == u.get_uint64();
}

}  // namespace

ValueKind kind_of(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return ValueKind::Null;
    case json::kind::bool_: return ValueKind::Bool;
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: return ValueKind::Number;
    case json::kind::string: return ValueKind::String;
    case json::kind::array: return ValueKind::Array;
    case json::kind::object: return ValueKind::Object;
  }
  return ValueKind::Null;
}

const char* kind_name(ValueKind k) {
  switch (k) {
    case ValueKind::Null: return "null";
    case ValueKind::Bool: return "boolean";
    case ValueKind::Number: return "number";
    case ValueKind::String: return "string";
    case ValueKind::Array: return "list";
    case ValueKind::Object: return "map";
  }
  return "?";
}

bool json_equal(const json::value& a, const json::value& b) {
  ValueKind ka = kind_of(a), kb = kind_of(b);
  if (ka != kb) return false;
  switch (ka) {
    case ValueKind::Null: return true;
    case ValueKind::Bool: return a.get_bool() == b.get_bool();
    case ValueKind::Number: return numbers_equal(a, b);
    case ValueKind::String: return a.get_string() == b.get_string();
    case ValueKind::Array: {
      const auto& x = a.get_array();
      const auto& y = b.get_array();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i)
        if (!json_equal(x[i], y[i])) return false;
      return true;
    }
    case ValueKind::Object: {
      const auto& x = a.get_object();
      const auto& y = b.get_object();
      if (x.size() != y.size()) return false;
      for (const auto& member : x) {
        auto it = y.find(member.key());
        if (it == y.end() || !json_equal(member.value(), it->value())) return false;
      }
      return true;
    }
  }
  return false;
}

std::string describe(const json::value& v, size_t max) {
  std::string s = json::serialize(v);
  if (s.size() > max) s = s.substr(0, max) + "...";
  return s;
}

void erase_key(json::object& o, std::string_view key) { o.stable_erase(key); }

}  // namespace skiff::patch_internal
