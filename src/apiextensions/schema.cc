// Structural schemas: checks, pruning, defaulting and validation (see schema.h).
#include "apiextensions/schema.h"

#include <cmath>
#include <set>

#include "common/time.h"

namespace skiff::apiextensions {
namespace {

const json::object* obj_of(const json::object& s, std::string_view k) {
  const auto* v = s.if_contains(k);
  return v && v->is_object() ? &v->get_object() : nullptr;
}
const json::array* arr_of(const json::object& s, std::string_view k) {
  const auto* v = s.if_contains(k);
  return v && v->is_array() ? &v->get_array() : nullptr;
}
bool flag(const json::object& s, std::string_view k) {
  const auto* v = s.if_contains(k);
  return v && v->is_bool() && v->get_bool();
}
std::string str(const json::object& s, std::string_view k) {
  const auto* v = s.if_contains(k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}
std::optional<double> num(const json::object& s, std::string_view k) {
  const auto* v = s.if_contains(k);
  if (!v || !v->is_number()) return std::nullopt;
  return v->to_number<double>();
}
std::string child(const std::string& p, std::string_view k) {
  return p.empty() ? std::string(k) : p + "." + std::string(k);
}
std::string index(const std::string& p, size_t i) { return p + "[" + std::to_string(i) + "]"; }

bool is_integer(const json::value& v) {
  if (v.is_int64() || v.is_uint64()) return true;
  return v.is_double() && std::isfinite(v.get_double()) && v.get_double() == std::floor(v.get_double());
}
std::string json_type(const json::value& v) {
  if (v.is_null()) return "null";
  if (v.is_bool()) return "boolean";
  if (is_integer(v)) return "integer";
  if (v.is_number()) return "number";
  if (v.is_string()) return "string";
  if (v.is_array()) return "array";
  return "object";
}
std::string quoted(const json::value& v) { return json::serialize(v); }
std::string fmt_num(double d) {
  if (d == std::floor(d) && std::fabs(d) < 1e15) return std::to_string(static_cast<int64_t>(d));
  return json::serialize(json::value(d));
}

bool matches_type(const json::object& s, const json::value& v) {
  if (flag(s, "x-kubernetes-int-or-string")) return is_integer(v) || v.is_string();
  std::string t = str(s, "type");
  if (t.empty()) return true;
  if (t == "integer") return is_integer(v);
  if (t == "number") return v.is_number();
  return json_type(v) == t;
}

bool format_ok(const std::string& f, const std::string& s) {
  static const std::regex uuid("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
  static const std::regex ipv4("^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$");
  static const std::regex date("^[0-9]{4}-[0-9]{2}-[0-9]{2}$");
  static const std::regex b64("^[A-Za-z0-9+/]*={0,2}$");
  if (f == "uuid") return std::regex_match(s, uuid);
  if (f == "ipv4") return std::regex_match(s, ipv4);
  if (f == "ipv6") return s.find(':') != std::string::npos && s.find_first_not_of("0123456789abcdefABCDEF:.") == std::string::npos;
  if (f == "cidr") {
    auto slash = s.find('/');
    return slash != std::string::npos && (format_ok("ipv4", s.substr(0, slash)) || format_ok("ipv6", s.substr(0, slash)));
  }
  if (f == "date") return std::regex_match(s, date);
  if (f == "date-time") return parse_rfc3339(s).has_value();
  if (f == "byte") return s.size() % 4 == 0 && std::regex_match(s, b64);
  return true;  // upstream accepts formats it does not know
}

void check_node(const json::object& s, const std::string& p, bool root,
                std::vector<FieldCause>& out) {
  static const std::set<std::string> kTypes = {"object", "array", "string", "integer", "number", "boolean"};
  if (s.contains("x-kubernetes-validations"))
    out.push_back(forbidden(child(p, "x-kubernetes-validations"),
                            "CEL validation rules are not supported by this server: remove "
                            "x-kubernetes-validations (schema checks such as pattern, enum and "
                            "minimum are enforced)"));
  if (s.contains("$ref")) out.push_back(forbidden(child(p, "$ref"), "$ref is not supported"));
  std::string t = str(s, "type");
  bool untyped_ok = flag(s, "x-kubernetes-int-or-string") || flag(s, "x-kubernetes-preserve-unknown-fields");
  if (root && t != "object")
    out.push_back(t.empty() ? required(child(p, "type"), "must not be empty at the root")
                            : not_supported(child(p, "type"), json::value(t), {"object"}));
  if (!t.empty() && !kTypes.count(t))
    out.push_back(not_supported(child(p, "type"), json::value(t),
                                {"array", "boolean", "integer", "number", "object", "string"}));
  if (t.empty() && !untyped_ok && !root)
    out.push_back(required(child(p, "type"), "must not be empty for specified object fields"));
  if (t == "array" && !obj_of(s, "items"))
    out.push_back(required(child(p, "items"), "must be specified"));
  if (obj_of(s, "properties") && obj_of(s, "additionalProperties"))
    out.push_back(forbidden(child(p, "additionalProperties"),
                            "additionalProperties and properties are mutual exclusive"));
  if (auto pat = str(s, "pattern"); !pat.empty()) {
    try {
      std::regex re(pat, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      out.push_back(invalid(child(p, "pattern"), json::value(pat), std::string("not a valid regular expression: ") + e.what()));
    }
  }
  if (const auto* props = obj_of(s, "properties"))
    for (const auto& [k, v] : *props) {
      if (!v.is_object()) {
        out.push_back(invalid(child(child(p, "properties"), "[" + std::string(k) + "]"), v, "must be an object"));
        continue;
      }
      check_node(v.get_object(), child(p, "properties") + "[" + std::string(k) + "]", false, out);
    }
  if (const auto* items = obj_of(s, "items")) check_node(*items, child(p, "items"), false, out);
  if (const auto* ap = obj_of(s, "additionalProperties"))
    check_node(*ap, child(p, "additionalProperties"), false, out);
  std::string lt = str(s, "x-kubernetes-list-type");
  if (!lt.empty() && lt != "atomic" && lt != "set" && lt != "map")
    out.push_back(not_supported(child(p, "x-kubernetes-list-type"), json::value(lt), {"atomic", "map", "set"}));
  if (lt == "map" && !arr_of(s, "x-kubernetes-list-map-keys"))
    out.push_back(required(child(p, "x-kubernetes-list-map-keys"), "must not be empty if x-kubernetes-list-type is map"));
}

}  // namespace

std::vector<FieldCause> StructuralSchema::check(const json::object& schema, const std::string& path) {
  std::vector<FieldCause> out;
  check_node(schema, path, true, out);
  return out;
}

StructuralSchema::StructuralSchema(json::object schema) : root_(std::move(schema)) {
  compile_patterns(root_);
}

void StructuralSchema::compile_patterns(const json::value& v) {
  if (v.is_array()) {
    for (const auto& e : v.get_array()) compile_patterns(e);
    return;
  }
  if (!v.is_object()) return;
  const auto& s = v.get_object();
  if (auto p = str(s, "pattern"); !p.empty() && !patterns_.count(p)) {
    try {
      patterns_.emplace(p, std::regex(p, std::regex::ECMAScript));
    } catch (const std::regex_error&) {
    }
  }
  for (const auto& [k, c] : s)
    if (k != "default" && k != "enum" && k != "example") compile_patterns(c);
}

void StructuralSchema::prune(json::object& obj, std::vector<std::string>* unknown) const {
  json::value v = std::move(obj);
  prune_value(root_, v, "", unknown, true);
  obj = std::move(v.get_object());
}

void StructuralSchema::prune_value(const json::object& s, json::value& v, const std::string& path,
                                   std::vector<std::string>* unknown, bool root) const {
  if (flag(s, "x-kubernetes-int-or-string")) return;
  if (v.is_array()) {
    if (const auto* items = obj_of(s, "items")) {
      auto& a = v.get_array();
      for (size_t i = 0; i < a.size(); ++i) prune_value(*items, a[i], index(path, i), unknown, false);
    }
    return;
  }
  if (!v.is_object()) return;
  auto& o = v.get_object();
  const bool preserve = flag(s, "x-kubernetes-preserve-unknown-fields");
  const bool embedded = flag(s, "x-kubernetes-embedded-resource");
  const auto* props = obj_of(s, "properties");
  const auto* ap = s.if_contains("additionalProperties");
  std::vector<std::string> drop;
  for (auto& [k, child_v] : o) {
    std::string key(k);
    if ((root || embedded) && (key == "apiVersion" || key == "kind" || key == "metadata")) {
      if (props && key != "metadata")
        if (const auto* cs = obj_of(*props, key)) prune_value(*cs, child_v, child(path, key), unknown, false);
      continue;
    }
    const json::object* cs = props ? obj_of(*props, key) : nullptr;
    if (cs) {
      prune_value(*cs, child_v, child(path, key), unknown, false);
    } else if (ap && ap->is_object()) {
      prune_value(ap->get_object(), child_v, child(path, key), unknown, false);
    } else if (!preserve && !(ap && ap->is_bool() && ap->get_bool())) {
      drop.push_back(key);
    }
  }
  for (const auto& k : drop) {
    if (unknown) unknown->push_back(child(path, k));
    o.erase(k);
  }
}

void StructuralSchema::apply_defaults(json::object& obj) const {
  json::value v = std::move(obj);
  default_value(root_, v);
  obj = std::move(v.get_object());
}

void StructuralSchema::default_value(const json::object& s, json::value& v) const {
  if (v.is_array()) {
    if (const auto* items = obj_of(s, "items"))
      for (auto& e : v.get_array()) default_value(*items, e);
    return;
  }
  if (!v.is_object()) return;
  auto& o = v.get_object();
  if (const auto* props = obj_of(s, "properties")) {
    for (const auto& [k, cs] : *props) {
      if (!cs.is_object()) continue;
      const auto& c = cs.get_object();
      const auto* def = c.if_contains("default");
      if (!def) continue;
      auto* cur = o.if_contains(k);
      if (!cur || (cur->is_null() && !flag(c, "nullable"))) o[k] = *def;
    }
    for (auto& [k, cv] : o)
      if (const auto* c = obj_of(*props, k)) default_value(*c, cv);
  } else if (const auto* ap = obj_of(s, "additionalProperties")) {
    for (auto& [k, cv] : o) default_value(*ap, cv);
  }
}

std::vector<FieldCause> StructuralSchema::validate(const json::object& obj) const {
  std::vector<FieldCause> out;
  json::value v = obj;  // a copy: validation reads only, but walks values
  validate_value(root_, v, "", out);
  return out;
}

void StructuralSchema::validate_value(const json::object& s, const json::value& v,
                                      const std::string& p, std::vector<FieldCause>& out) const {
  const std::string where = p.empty() ? "body" : p + " in body";
  if (v.is_null()) {
    if (flag(s, "nullable") || s.empty() || (str(s, "type").empty() && !flag(s, "x-kubernetes-int-or-string"))) return;
    std::string t = flag(s, "x-kubernetes-int-or-string") ? "integer,string" : str(s, "type");
    out.push_back(invalid(p, v, where + " must be of type " + t + ": \"null\""));
    return;
  }
  if (!matches_type(s, v)) {
    std::string t = flag(s, "x-kubernetes-int-or-string") ? "integer,string" : str(s, "type");
    out.push_back(invalid(p, v, where + " must be of type " + t + ": \"" + json_type(v) + "\""));
    return;
  }
  if (const auto* en = arr_of(s, "enum")) {
    bool found = false;
    for (const auto& e : *en) found = found || e == v;
    if (!found) {
      std::vector<std::string> vals;
      for (const auto& e : *en) vals.push_back(e.is_string() ? std::string(e.get_string()) : json::serialize(e));
      out.push_back(not_supported(p, v, vals));
    }
  }
  if (v.is_string()) {
    std::string sv(v.get_string());
    size_t runes = 0;
    for (unsigned char c : sv) runes += (c & 0xC0) != 0x80;
    if (auto n = num(s, "maxLength"); n && runes > *n) out.push_back(too_long(p, static_cast<size_t>(*n)));
    if (auto n = num(s, "minLength"); n && runes < *n)
      out.push_back(invalid(p, v, where + " should be at least " + fmt_num(*n) + " chars long"));
    if (auto pat = str(s, "pattern"); !pat.empty())
      if (auto it = patterns_.find(pat); it != patterns_.end() && !std::regex_search(sv, it->second))
        out.push_back(invalid(p, v, where + " should match '" + pat + "'"));
    if (auto f = str(s, "format"); !f.empty() && !format_ok(f, sv))
      out.push_back(invalid(p, v, where + " must be of type " + f + ": " + quoted(v)));
  }
  if (v.is_number()) {
    double d = v.to_number<double>();
    if (auto n = num(s, "minimum")) {
      bool ex = flag(s, "exclusiveMinimum");
      if (ex ? d <= *n : d < *n)
        out.push_back(invalid(p, v, where + " should be greater than " + (ex ? "" : "or equal to ") + fmt_num(*n)));
    }
    if (auto n = num(s, "maximum")) {
      bool ex = flag(s, "exclusiveMaximum");
      if (ex ? d >= *n : d > *n)
        out.push_back(invalid(p, v, where + " should be less than " + (ex ? "" : "or equal to ") + fmt_num(*n)));
    }
    if (auto n = num(s, "multipleOf"); n && *n > 0 && std::fmod(d, *n) != 0)
      out.push_back(invalid(p, v, where + " should be a multiple of " + fmt_num(*n)));
    auto f = str(s, "format");
    if (f == "int32" && (d < -2147483648.0 || d > 2147483647.0))
      out.push_back(invalid(p, v, where + " must be of type int32: " + quoted(v)));
  }
  if (v.is_array()) {
    const auto& a = v.get_array();
    if (auto n = num(s, "maxItems"); n && a.size() > *n)
      out.push_back({"FieldValueTooMany", p, "Too many: " + std::to_string(a.size()) + ": must have at most " + fmt_num(*n) + " items"});
    if (auto n = num(s, "minItems"); n && a.size() < *n)
      out.push_back(invalid(p, v, where + " should have at least " + fmt_num(*n) + " items"));
    std::string lt = str(s, "x-kubernetes-list-type");
    if (flag(s, "uniqueItems") || lt == "set") {
      for (size_t i = 0; i < a.size(); ++i)
        for (size_t j = 0; j < i; ++j)
          if (a[i] == a[j]) {
            out.push_back(duplicate(index(p, i), a[i]));
            break;
          }
    } else if (lt == "map") {
      const auto* keys = arr_of(s, "x-kubernetes-list-map-keys");
      auto key_of = [&](const json::value& e) {
        json::object k;
        if (e.is_object() && keys)
          for (const auto& kn : *keys)
            if (kn.is_string())
              if (const auto* kv = e.get_object().if_contains(kn.get_string())) k[kn.get_string()] = *kv;
        return k;
      };
      for (size_t i = 0; i < a.size(); ++i)
        for (size_t j = 0; j < i; ++j)
          if (key_of(a[i]) == key_of(a[j])) {
            out.push_back(duplicate(index(p, i), json::value(key_of(a[i]))));
            break;
          }
    }
    if (const auto* items = obj_of(s, "items"))
      for (size_t i = 0; i < a.size(); ++i) validate_value(*items, a[i], index(p, i), out);
  }
  if (v.is_object()) {
    const auto& o = v.get_object();
    if (const auto* req = arr_of(s, "required"))
      for (const auto& k : *req)
        if (k.is_string() && !o.contains(k.get_string())) out.push_back(required(child(p, k.get_string())));
    if (auto n = num(s, "maxProperties"); n && o.size() > *n)
      out.push_back({"FieldValueTooMany", p, "Too many: " + std::to_string(o.size()) + ": must have at most " + fmt_num(*n) + " items"});
    if (auto n = num(s, "minProperties"); n && o.size() < *n)
      out.push_back(invalid(p, v, where + " should have at least " + fmt_num(*n) + " properties"));
    const auto* props = obj_of(s, "properties");
    const auto* ap = obj_of(s, "additionalProperties");
    for (const auto& [k, cv] : o) {
      if (p.empty() && (k == "apiVersion" || k == "kind" || k == "metadata") && !(props && props->contains(k))) continue;
      if (const auto* cs = props ? obj_of(*props, k) : nullptr) validate_value(*cs, cv, child(p, k), out);
      else if (ap) validate_value(*ap, cv, child(p, k), out);
    }
  }
  if (const auto* all = arr_of(s, "allOf"))
    for (const auto& sub : *all)
      if (sub.is_object()) validate_value(sub.get_object(), v, p, out);
  auto passes = [&](const json::value& sub) {
    std::vector<FieldCause> tmp;
    if (sub.is_object()) validate_value(sub.get_object(), v, p, tmp);
    return tmp.empty();
  };
  if (const auto* any = arr_of(s, "anyOf")) {
    bool ok = false;
    for (const auto& sub : *any) ok = ok || passes(sub);
    if (!ok && !any->empty()) out.push_back(invalid(p, v, where + " must validate at least one schema (anyOf)"));
  }
  if (const auto* one = arr_of(s, "oneOf")) {
    int n = 0;
    for (const auto& sub : *one) n += passes(sub);
    if (n != 1 && !one->empty()) out.push_back(invalid(p, v, where + " must validate one and only one schema (oneOf)"));
  }
  if (const auto* no = s.if_contains("not"); no && passes(*no))
    out.push_back(invalid(p, v, where + " must not validate the schema (not)"));
}

}  // namespace skiff::apiextensions
