// check_types (typecheck.h): a walk of an object against the protobuf descriptor tables.
#include "api/typecheck.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>

#include "api/validation_util.h"
#include "common/base64.h"
#include "common/time.h"
#include "protobuf/k8s_protobuf.h"
#include "protobuf/k8s_schema.h"

namespace skiff::api {
namespace {
namespace S = protobuf::schema;
using S::Kind;

// "apps.v1.DeploymentSpec" -> "DeploymentSpec" (Go's struct name) or "v1.DeploymentSpec" (the
// type as Go prints it).
std::string go_struct(int16_t msg) {
  std::string n = S::kMessages[msg].name;
  return n.substr(n.rfind('.') + 1);
}
std::string go_qualified(int16_t msg) {
  std::string n = S::kMessages[msg].name;
  size_t last = n.rfind('.');
  size_t prev = last == std::string::npos || last == 0 ? std::string::npos : n.rfind('.', last - 1);
  return prev == std::string::npos ? n : n.substr(prev + 1);
}

std::string go_scalar(const S::FieldDesc& f) {
  switch (f.kind) {
    case Kind::String: return "string";
    case Kind::Bytes: return "[]uint8";
    case Kind::Bool: return "bool";
    case Kind::Int32: return "int32";
    case Kind::Int64: return "int64";
    case Kind::Double: return "float64";
    case Kind::Msg: return go_qualified(f.msg);
    case Kind::Time: return "v1.Time";
    case Kind::MicroTime: return "v1.MicroTime";
    case Kind::Duration: return "v1.Duration";
    case Kind::Quantity: return "resource.Quantity";
    case Kind::IntOrString: return "intstr.IntOrString";
    case Kind::RawJson: return "runtime.RawExtension";
    case Kind::StringList: return "[]string";
  }
  return "value";
}

std::string go_field_type(const S::FieldDesc& f) {
  if (f.flags & S::kMap) return "map[string]" + go_scalar(f);
  if (f.flags & S::kRepeated) return "[]" + go_scalar(f);
  return go_scalar(f);
}

// Go's words for a JSON value in "cannot unmarshal X into ...".
std::string json_type_name(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string: return "string";
    case json::kind::bool_: return "bool";
    case json::kind::object: return "object";
    case json::kind::array: return "array";
    case json::kind::null: return "null";
    case json::kind::int64: return "number " + std::to_string(v.get_int64());
    case json::kind::uint64: return "number " + std::to_string(v.get_uint64());
    case json::kind::double_: {
      if (!std::isfinite(v.get_double())) return "number";
      char buf[32];
      auto res = std::to_chars(buf, buf + sizeof buf, v.get_double());  // shortest: "0.5"
      return "number " + std::string(buf, res.ptr);
    }
  }
  return "value";
}

json::value zero_value(const S::FieldDesc& f) {
  switch (f.kind) {
    case Kind::String:
    case Kind::Bytes: return json::string();
    case Kind::Bool: return false;
    case Kind::Int32:
    case Kind::Int64:
    case Kind::Double:
    case Kind::IntOrString: return 0;
    case Kind::Quantity: return "0";
    case Kind::Msg: return json::object();
    case Kind::StringList: return json::array();
    default: return nullptr;
  }
}

// The field called `key` in message `msg`, or in a struct inlined into it; `owner` receives the
// message that declares it (Go names that struct in its errors).
const S::FieldDesc* find_field(int16_t msg, std::string_view key, int16_t* owner) {
  const S::MessageDesc& m = S::kMessages[msg];
  for (uint16_t i = 0; i < m.count; ++i) {
    const S::FieldDesc& f = m.fields[i];
    if (!(f.flags & S::kInline) && key == f.json) {
      *owner = msg;
      return &f;
    }
  }
  for (uint16_t i = 0; i < m.count; ++i) {
    const S::FieldDesc& f = m.fields[i];
    if ((f.flags & S::kInline) && f.kind == Kind::Msg)
      if (const auto* found = find_field(f.msg, key, owner)) return found;
  }
  return nullptr;
}

class Checker {
 public:
  Checker(std::string prefix, const TypeCheckOptions& opts)
      : prefix_(std::move(prefix)), opts_(opts) {}

  // Checks the fields of `o` as message `msg`; false once an error is recorded.
  bool message(json::object& o, int16_t msg, bool top_level) {
    std::vector<std::string> drop;
    for (auto& kv : o) {
      std::string_view key = kv.key();
      json::value& v = kv.value();
      Mark mark = push(key);
      int16_t owner = msg;
      const S::FieldDesc* f = find_field(msg, key, &owner);
      if (!f && top_level && (key == "apiVersion" || key == "kind")) {
        if (!v.is_string() && !v.is_null()) return fail_plain(v, "string", "TypeMeta");
        pop(mark);
        continue;
      }
      if (!f) {
        if (opts_.unknown) opts_.unknown->push_back(field_path_);
        if (opts_.prune) drop.emplace_back(key);
      } else if (v.is_null()) {
        // Go leaves the zero value. A time that is not a pointer encodes as null whatever its
        // tag says (omitempty never omits a struct: upstream shows "lastProbeTime": null);
        // anything else is dropped, which readers treat as the zero value.
        bool keep_null = (f->kind == Kind::Time || f->kind == Kind::MicroTime) &&
                         !(f->flags & (S::kPointer | S::kRepeated | S::kMap));
        if (!keep_null) drop.emplace_back(key);
      } else if (!field(v, *f, owner)) {
        return false;
      }
      pop(mark);
    }
    for (const auto& k : drop) o.erase(k);
    return true;
  }

  std::optional<ApiError> error;

 private:
  struct Mark {
    size_t go, field;
  };
  Mark push(std::string_view key) {
    Mark m{go_path_.size(), field_path_.size()};
    if (!go_path_.empty()) go_path_ += '.';
    go_path_.append(key);
    if (!field_path_.empty()) field_path_ += '.';
    field_path_.append(key);
    return m;
  }
  void pop(const Mark& m) {
    go_path_.resize(m.go);
    field_path_.resize(m.field);
  }

  bool fail(const json::value& v, const S::FieldDesc& f, int16_t owner, std::string detail = {}) {
    std::string msg = prefix_ + "json: cannot unmarshal " + json_type_name(v) +
                      " into Go struct field " + go_struct(owner) + "." + go_path_ + " of type " +
                      go_field_type(f);
    if (!detail.empty()) msg += ": " + detail;
    error = ApiError::bad_request(std::move(msg));
    return false;
  }
  bool fail_plain(const json::value& v, const std::string& type, const std::string& owner) {
    error = ApiError::bad_request(prefix_ + "json: cannot unmarshal " + json_type_name(v) +
                                  " into Go struct field " + owner + "." + go_path_ +
                                  " of type " + type);
    return false;
  }

  // One field's value (not null): a map, a list or a single value of the field's kind.
  bool field(json::value& v, const S::FieldDesc& f, int16_t owner) {
    if (f.flags & S::kMap) {
      auto* o = v.if_object();
      if (!o) return fail(v, f, owner);
      for (auto& kv : *o) {
        size_t len = field_path_.size();
        field_path_ += '.';
        field_path_.append(kv.key());
        if (kv.value().is_null()) kv.value() = zero_value(f);
        else if (!single(kv.value(), f, owner)) return false;
        field_path_.resize(len);
      }
      return true;
    }
    if (f.flags & S::kRepeated) {
      auto* a = v.if_array();
      if (!a) return fail(v, f, owner);
      for (size_t i = 0; i < a->size(); ++i) {
        size_t len = field_path_.size();
        field_path_ += "[" + std::to_string(i) + "]";
        if ((*a)[i].is_null()) (*a)[i] = zero_value(f);
        else if (!single((*a)[i], f, owner)) return false;
        field_path_.resize(len);
      }
      return true;
    }
    return single(v, f, owner);
  }

  // One value of the field's kind (an element, when the field is a list or a map).
  bool single(json::value& v, const S::FieldDesc& f, int16_t owner) {
    switch (f.kind) {
      case Kind::String:
        return v.is_string() || fail(v, f, owner);
      case Kind::Bytes:
        if (!v.is_string()) return fail(v, f, owner);
        if (!base64_decode(v.get_string())) return fail(v, f, owner, "illegal base64 data");
        return true;
      case Kind::Bool:
        return v.is_bool() || fail(v, f, owner);
      case Kind::Int32: {
        auto n = exact_int64(v);
        return (n && *n >= INT32_MIN && *n <= INT32_MAX) || fail(v, f, owner);
      }
      case Kind::Int64:
        return exact_int64(v).has_value() || fail(v, f, owner);
      case Kind::Double:
        return (v.is_number() && (!v.is_double() || std::isfinite(v.get_double()))) ||
               fail(v, f, owner);
      case Kind::Msg:
        if (!v.is_object()) return fail(v, f, owner);
        return message(v.get_object(), f.msg, false);
      case Kind::Time:
      case Kind::MicroTime:
        if (!v.is_string()) return fail(v, f, owner);
        if (!parse_rfc3339(v.get_string()))
          return fail(v, f, owner, "parsing time \"" + std::string(v.get_string()) +
                                       "\": not an RFC 3339 time");
        return true;
      case Kind::Duration:
        if (!v.is_string()) return fail(v, f, owner);
        if (!parse_duration(v.get_string()))
          return fail(v, f, owner, "time: invalid duration \"" + std::string(v.get_string()) + "\"");
        return true;
      case Kind::Quantity:
        if (v.is_string()) {
          if (!detail::parse_quantity(v.get_string()))
            return fail(v, f, owner, detail::kQuantityRegexMsg);
          return true;
        }
        return (v.is_number() && (!v.is_double() || std::isfinite(v.get_double()))) ||
               fail(v, f, owner);
      case Kind::IntOrString: {
        if (v.is_string()) return true;
        auto n = exact_int64(v);
        return (n && *n >= INT32_MIN && *n <= INT32_MAX) || fail(v, f, owner);
      }
      case Kind::RawJson:
        return true;  // any JSON (finiteness was checked for the whole object first)
      case Kind::StringList: {
        auto* a = v.if_array();
        if (!a) return fail(v, f, owner);
        for (auto& e : *a) {
          if (e.is_null()) e = json::string();
          else if (!e.is_string()) return fail(e, f, owner);
        }
        return true;
      }
    }
    return true;
  }

  const std::string prefix_;
  const TypeCheckOptions& opts_;
  std::string go_path_;     // JSON keys from the root, as Go's UnmarshalTypeError.Field
  std::string field_path_;  // with list indices and map keys, as strict decoding names fields
};

Status check(const std::string& version, const std::string& kind, int16_t msg, json::object& obj,
             const TypeCheckOptions& opts) {
  std::string prefix =
      kind + " in version \"" + version + "\" cannot be handled as a " + kind + ": ";
  std::string path;
  if (const json::value* bad = find_non_finite(obj, &path); bad)
    return ApiError::bad_request(prefix + "json: cannot unmarshal number into Go value of field " +
                                 path + ": the number is out of range (not finite)");
  if (msg < 0) return ok_status();
  Checker c(std::move(prefix), opts);
  if (!c.message(obj, msg, true)) return *c.error;
  return ok_status();
}

}  // namespace

Status check_types(const std::string& api_version, const std::string& kind, json::object& obj,
                   const TypeCheckOptions& opts) {
  auto slash = api_version.find('/');
  std::string version = slash == std::string::npos ? api_version : api_version.substr(slash + 1);
  return check(version, kind, protobuf::message_of_kind(api_version, kind), obj, opts);
}

Status check_types(const ResourceInfo& r, json::object& obj, const TypeCheckOptions& opts) {
  return check(r.version, r.kind, protobuf::message_of_kind(r.api_version(), r.kind), obj, opts);
}

bool has_schema(const std::string& api_version, const std::string& kind) {
  return protobuf::message_of_kind(api_version, kind) >= 0;
}

}  // namespace skiff::api
