// OpenAPI definitions from the protobuf descriptor tables and the patch strategy table; see
// openapi_schema.h.
#include "discovery/openapi_schema.h"

#include <cctype>
#include <map>
#include <utility>
#include <vector>

#include "patch/patch.h"
#include "protobuf/k8s_protobuf.h"
#include "protobuf/k8s_schema.h"

namespace skiff::discovery {
namespace {
namespace S = protobuf::schema;

constexpr std::string_view kMeta = "io.k8s.apimachinery.pkg.apis.meta.v1.";
const std::string kTime = std::string(kMeta) + "Time";
const std::string kMicroTime = std::string(kMeta) + "MicroTime";
const std::string kFieldsV1 = std::string(kMeta) + "FieldsV1";
const std::string kObjectMeta = std::string(kMeta) + "ObjectMeta";
const std::string kListMeta = std::string(kMeta) + "ListMeta";
const std::string kQuantity = "io.k8s.apimachinery.pkg.api.resource.Quantity";
const std::string kIntOrString = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
const std::string kRawExtension = "io.k8s.apimachinery.pkg.runtime.RawExtension";

// "apps.v1.DeploymentSpec" -> "io.k8s.api.apps.v1.DeploymentSpec";
// "meta.v1.ObjectMeta" -> "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta".
std::string message_name(int msg) {
  std::string n = S::kMessages[msg].name;
  if (n.rfind("meta.", 0) == 0) return "io.k8s.apimachinery.pkg.apis." + n;
  return "io.k8s.api." + n;
}

json::object typed(std::string_view type, std::string_view format = {}) {
  json::object o;
  o["type"] = type;
  if (!format.empty()) o["format"] = format;
  return o;
}

// The definitions of the value kinds that upstream publishes as named types. In v3, as upstream,
// int-or-string and quantity have no single `type` (kubectl explain then shows the type's name,
// <IntOrString>, <Quantity>); v2 readers want one, so there they are strings.
json::object special_definition(const std::string& name, SchemaFlavor flavor) {
  const bool v3 = flavor == SchemaFlavor::V3;
  if (name == kTime || name == kMicroTime) return typed("string", "date-time");
  if (name == kQuantity) {
    if (!v3) return typed("string");
    json::object o;
    o["oneOf"] = json::array{typed("string"), typed("number")};
    return o;
  }
  if (name == kIntOrString) {
    json::object o = v3 ? json::object{} : typed("string");
    o["format"] = "int-or-string";
    if (v3) {
      o["anyOf"] = json::array{typed("integer"), typed("string")};
      o["x-kubernetes-int-or-string"] = true;
    }
    return o;
  }
  return typed("object");  // RawExtension, FieldsV1: any JSON object
}

// The apiVersion/kind pairs each message is the top level of (kTopLevel), as the GVK extension.
const std::map<int, json::array>& top_level_gvks() {
  static const std::map<int, json::array> kGvks = [] {
    std::map<int, json::array> out;
    for (size_t i = 0; i < S::kTopLevelCount; ++i) {
      const auto& t = S::kTopLevel[i];
      std::string av = t.api_version;
      auto slash = av.find('/');
      json::object gvk;
      gvk["group"] = slash == std::string::npos ? "" : av.substr(0, slash);
      gvk["kind"] = t.kind;
      gvk["version"] = slash == std::string::npos ? av : av.substr(slash + 1);
      out[t.msg].push_back(std::move(gvk));
    }
    return out;
  }();
  return kGvks;
}

// Patch metadata per (message, JSON field name), gathered by walking every top-level kind's
// message tree alongside the strategy table (whose paths start at a kind's root).
using StrategyKey = std::pair<int, std::string>;
void walk_strategies(int msg, const std::string& group, const std::string& kind,
                     std::vector<std::string>& path, int depth,
                     std::map<StrategyKey, FieldStrategy>& out) {
  if (depth > 24) return;
  const auto& m = S::kMessages[msg];
  for (uint16_t i = 0; i < m.count; ++i) {
    const auto& f = m.fields[i];
    if (f.flags & S::kInline) {
      if (f.msg >= 0) walk_strategies(f.msg, group, kind, path, depth + 1, out);
      continue;
    }
    path.emplace_back(f.json);
    auto st = field_strategy(group, kind, path);
    if (st.merge || st.retain_keys || st.replace || !st.merge_key.empty())
      out.emplace(StrategyKey{msg, f.json}, st);
    if (f.kind == S::Kind::Msg && f.msg >= 0)
      walk_strategies(f.msg, group, kind, path, depth + 1, out);
    path.pop_back();
  }
}
const std::map<StrategyKey, FieldStrategy>& strategies() {
  static const std::map<StrategyKey, FieldStrategy> kStrategies = [] {
    std::map<StrategyKey, FieldStrategy> out;
    for (size_t i = 0; i < S::kTopLevelCount; ++i) {
      const auto& t = S::kTopLevel[i];
      std::string av = t.api_version;
      auto slash = av.find('/');
      std::string group = slash == std::string::npos ? "" : av.substr(0, slash);
      std::vector<std::string> path;
      walk_strategies(t.msg, group, t.kind, path, 0, out);
    }
    return out;
  }();
  return kStrategies;
}

std::string strategy_name(const FieldStrategy& st) {
  if (st.replace) return "replace";
  if (st.merge && st.retain_keys) return "merge,retainKeys";
  if (st.retain_keys) return "retainKeys";
  return st.merge || !st.merge_key.empty() ? "merge" : "";
}

// A short description of a field's type, from the tables: "list of Container", "32-bit integer".
std::string type_phrase(const S::FieldDesc& f) {
  std::string t;
  switch (f.kind) {
    case S::Kind::String: t = "string"; break;
    case S::Kind::Bytes: t = "base64-encoded bytes"; break;
    case S::Kind::Bool: t = "boolean"; break;
    case S::Kind::Int32: t = "32-bit integer"; break;
    case S::Kind::Int64: t = "64-bit integer"; break;
    case S::Kind::Double: t = "number"; break;
    case S::Kind::Msg: {
      std::string n = f.msg >= 0 ? S::kMessages[f.msg].name : "object";
      t = n.substr(n.rfind('.') + 1);
      break;
    }
    case S::Kind::Time: t = "time (RFC 3339, seconds)"; break;
    case S::Kind::MicroTime: t = "time (RFC 3339, microseconds)"; break;
    case S::Kind::Duration: t = "duration such as \"1h2m3s\""; break;
    case S::Kind::Quantity: t = "quantity such as \"500m\" or \"1Gi\""; break;
    case S::Kind::IntOrString: t = "integer or string such as \"25%\""; break;
    case S::Kind::RawJson: t = "embedded JSON object"; break;
    case S::Kind::StringList: t = "list of strings"; break;
  }
  if (f.flags & S::kMap) return "map of string to " + t;
  if (f.flags & S::kRepeated) return "list of " + t;
  return t;
}

struct Builder {
  SchemaFlavor flavor;
  json::object& defs;

  // A property that refers to a named definition, with a description and extensions beside it.
  json::object ref_prop(const std::string& name, json::object extra) {
    add_named(name);
    json::object ref;
    ref["$ref"] = schema_ref(flavor, name);
    if (extra.empty()) return ref;
    if (flavor == SchemaFlavor::V3) {
      json::object p = std::move(extra);
      p["allOf"] = json::array{std::move(ref)};
      return p;
    }
    for (auto& kv : extra) ref[kv.key()] = std::move(kv.value());
    return ref;
  }

  void add_named(const std::string& name) {
    if (defs.contains(name)) return;
    defs[name] = special_definition(name, flavor);
  }

  // The named definition a value of field `f` refers to (messages and upstream's named types).
  std::string ref_name(const S::FieldDesc& f) {
    switch (f.kind) {
      case S::Kind::Msg: return f.msg >= 0 ? add_message(f.msg) : kRawExtension;
      case S::Kind::Time: return kTime;
      case S::Kind::MicroTime: return kMicroTime;
      case S::Kind::Quantity: return kQuantity;
      case S::Kind::IntOrString: return kIntOrString;
      case S::Kind::RawJson: return std::string_view(f.json) == "fieldsV1" ? kFieldsV1 : kRawExtension;
      default: return "";
    }
  }

  // The schema of one value of field `f` (a list element or map value for lists and maps).
  json::object value_schema(const S::FieldDesc& f) {
    switch (f.kind) {
      case S::Kind::String: return typed("string");
      case S::Kind::Bytes: return typed("string", "byte");
      case S::Kind::Bool: return typed("boolean");
      case S::Kind::Int32: return typed("integer", "int32");
      case S::Kind::Int64: return typed("integer", "int64");
      case S::Kind::Double: return typed("number", "double");
      case S::Kind::Duration: return typed("string");
      case S::Kind::StringList: {
        json::object o = typed("array");
        o["items"] = typed("string");
        return o;
      }
      default: return ref_prop(ref_name(f), {});
    }
    return typed("object");
  }

  json::object field_schema(int msg, const S::FieldDesc& f) {
    json::object extra;
    // The type in words where the schema's own type says less (formats, named string types);
    // strings, booleans and structs need none (explain prints their type).
    std::string desc;
    if (f.kind != S::Kind::String && f.kind != S::Kind::Bool && f.kind != S::Kind::Msg &&
        f.kind != S::Kind::StringList)
      desc = type_phrase(f);
    auto it = strategies().find({msg, f.json});
    if (it != strategies().end()) {
      const auto& st = it->second;
      desc += (desc.empty() ? "Patch strategy " : "; patch strategy ") + strategy_name(st);
      if (!st.merge_key.empty()) {
        extra["x-kubernetes-patch-merge-key"] = st.merge_key;
        desc += " by key \"" + st.merge_key + "\"";
      }
      extra["x-kubernetes-patch-strategy"] = strategy_name(st);
    }
    if (!desc.empty()) {
      desc[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(desc[0])));
      extra["description"] = desc + ".";
    }
    if (f.flags & (S::kRepeated | S::kMap)) {
      json::object o = typed(f.flags & S::kMap ? "object" : "array");
      o[f.flags & S::kMap ? "additionalProperties" : "items"] = value_schema(f);
      for (auto& kv : extra) o[kv.key()] = std::move(kv.value());
      return o;
    }
    if (std::string name = ref_name(f); !name.empty()) return ref_prop(name, std::move(extra));
    json::object o = value_schema(f);
    for (auto& kv : extra) o[kv.key()] = std::move(kv.value());
    return o;
  }

  void collect_fields(int msg, std::map<std::string, json::object>& props) {
    const auto& m = S::kMessages[msg];
    for (uint16_t i = 0; i < m.count; ++i) {
      const auto& f = m.fields[i];
      if ((f.flags & S::kInline) && f.msg >= 0) collect_fields(f.msg, props);
      else props[f.json] = field_schema(msg, f);
    }
  }

  // Adds the definition of message `msg` (and, recursively, what it references); its name.
  std::string add_message(int msg) {
    std::string name = message_name(msg);
    if (defs.contains(name)) return name;
    defs[name] = json::object{};  // placeholder: cuts cycles
    json::object d = typed("object");
    std::map<std::string, json::object> props;
    collect_fields(msg, props);
    std::string n = S::kMessages[msg].name;
    auto gvks = top_level_gvks().find(msg);
    if (gvks != top_level_gvks().end()) {
      props["apiVersion"] = typed("string");
      props["kind"] = typed("string");
      d["x-kubernetes-group-version-kind"] = gvks->second;
    }
    std::string pkg = n.substr(0, n.rfind('.'));
    d["description"] = n.substr(n.rfind('.') + 1) + " (" + pkg + "), " +
                       std::to_string(props.size()) + " fields.";
    if (!props.empty()) {
      json::object p;
      for (auto& [k, v] : props) p[k] = std::move(v);
      d["properties"] = std::move(p);
    }
    defs[name] = std::move(d);
    return name;
  }

  // "stable.example.com" -> "com.example.stable".
  static std::string reversed_group(const std::string& group) {
    std::string out;
    size_t end = group.size();
    while (true) {
      size_t dot = group.rfind('.', end ? end - 1 : 0);
      size_t start = dot == std::string::npos ? 0 : dot + 1;
      if (!out.empty()) out += '.';
      out += group.substr(start, end - start);
      if (dot == std::string::npos || start == 0) break;
      end = dot;
    }
    return out;
  }

  static json::array gvk_list(const api::ResourceInfo& r, const std::string& kind) {
    json::object gvk;
    gvk["group"] = r.group;
    gvk["kind"] = kind;
    gvk["version"] = r.version;
    return json::array{std::move(gvk)};
  }

  // The list kind of `r` whose items are definition `name`.
  void add_list(const api::ResourceInfo& r, const std::string& name) {
    json::object list = typed("object");
    json::object lp;
    lp["apiVersion"] = typed("string");
    json::object items = typed("array");
    items["items"] = ref_prop(name, {});
    lp["items"] = std::move(items);
    lp["kind"] = typed("string");
    lp["metadata"] = ref_prop(kListMeta, {});
    list["properties"] = std::move(lp);
    list["required"] = json::array{"items"};
    list["x-kubernetes-group-version-kind"] = gvk_list(r, r.list_kind());
    defs[name + "List"] = std::move(list);
  }

  // A CRD version: its openAPIV3Schema with the standard apiVersion/kind/metadata, and its list.
  // A built-in kind the tables do not describe (CustomResourceDefinition) gets the standard
  // fields and spec/status of any shape.
  std::string add_custom(const api::ResourceInfo& r) {
    std::string base = r.group == "apiextensions.k8s.io"
                           ? "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions." + r.version + "."
                           : reversed_group(r.group) + "." + r.version + ".";
    std::string name = base + r.kind;
    json::object d;
    if (r.schema) {
      d = *r.schema;
    } else {
      json::object any = typed("object");
      any["x-kubernetes-preserve-unknown-fields"] = true;
      json::object props;
      props["spec"] = any;
      props["status"] = any;
      d["properties"] = std::move(props);
    }
    if (!d.contains("type")) d["type"] = "object";
    auto& props = ensure_object(d, "properties");
    props["apiVersion"] = typed("string");
    props["kind"] = typed("string");
    props["metadata"] = ref_prop(kObjectMeta, {});
    d["x-kubernetes-group-version-kind"] = gvk_list(r, r.kind);
    defs[name] = std::move(d);

    add_list(r, name);
    return name;
  }
};

int message_index(const std::string& name) {
  for (size_t i = 0; i < S::kMessageCount; ++i)
    if (name == S::kMessages[i].name) return static_cast<int>(i);
  return -1;
}

}  // namespace

std::string schema_ref(SchemaFlavor flavor, const std::string& name) {
  return (flavor == SchemaFlavor::V3 ? "#/components/schemas/" : "#/definitions/") + name;
}

std::string builtin_definition_name(const std::string& api_version, const std::string& kind) {
  int msg = protobuf::message_of_kind(api_version, kind);
  return msg < 0 ? std::string() : message_name(msg);
}

std::string add_kind_definitions(const std::string& api_version, const std::string& kind,
                                 SchemaFlavor flavor, json::object& defs) {
  int msg = protobuf::message_of_kind(api_version, kind);
  if (msg < 0) return "";
  Builder b{flavor, defs};
  return b.add_message(msg);
}

std::string add_resource_definitions(const api::ResourceInfo& r, SchemaFlavor flavor,
                                     json::object& defs) {
  Builder b{flavor, defs};
  // ListMeta and ObjectMeta are always there for CRDs' references.
  if (int lm = message_index("meta.v1.ListMeta"); lm >= 0) b.add_message(lm);
  if (int om = message_index("meta.v1.ObjectMeta"); om >= 0) b.add_message(om);
  std::string name;
  if (r.schema) {
    name = b.add_custom(r);
  } else {
    name = add_kind_definitions(r.api_version(), r.kind, flavor, defs);
    if (!name.empty()) {
      add_kind_definitions(r.api_version(), r.list_kind(), flavor, defs);
    } else if (r.storage) {
      // A legacy version stored as another (extensions/v1beta1 Deployment): the storage
      // version's schema under this version's name and GVK.
      std::string hub = add_kind_definitions(r.storage->api_version(), r.storage->kind, flavor, defs);
      if (!hub.empty()) {
        json::object d = defs.at(hub).as_object();
        d["x-kubernetes-group-version-kind"] = Builder::gvk_list(r, r.kind);
        name = "io.k8s.api." + r.group.substr(0, r.group.find('.')) + "." + r.version + "." + r.kind;
        defs[name] = std::move(d);
        b.add_list(r, name);
      }
    } else {
      name = b.add_custom(r);
    }
  }
  for (const auto& s : r.subresources)
    if (!s.kind.empty())
      add_kind_definitions(s.group.empty() ? s.version : s.group + "/" + s.version, s.kind, flavor,
                           defs);
  return name;
}

}  // namespace skiff::discovery
