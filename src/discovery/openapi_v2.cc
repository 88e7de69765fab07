// GET /openapi/v2: the gnostic openapi_v2.Document (OpenAPIv2.proto of github.com/google/gnostic)
// in protobuf, which kubectl 1.27 reads for `explain`, client-side validation and apply's patch
// metadata, and 1.32+ as a fallback. It carries:
//  - definitions: every served kind's schema (openapi_schema.h, the V2 flavor) with
//    x-kubernetes-group-version-kind, so `explain` finds kinds and apply finds merge keys;
//  - paths: one PATCH operation per patchable resource with its GVK and the `fieldValidation`
//    query parameter, which is what kubectl's v2 query-param verifier looks for before it
//    leaves field validation to the server (without it kubectl validates client-side).
// Vendor extension and enum values are gnostic Any{yaml}: JSON text, which is valid YAML.
#include <cstdint>
#include <cstring>

#include "api/resources.h"
#include "discovery/openapi_internal.h"
#include "discovery/openapi_schema.h"

namespace skiff::discovery {
namespace {

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
void put_bytes(std::string& out, int field, std::string_view data) {
  put_varint(out, (static_cast<uint64_t>(field) << 3) | 2);
  put_varint(out, data.size());
  out.append(data);
}
void put_uint(std::string& out, int field, uint64_t v) {
  put_varint(out, static_cast<uint64_t>(field) << 3);
  put_varint(out, v);
}
void put_double(std::string& out, int field, double d) {
  put_varint(out, (static_cast<uint64_t>(field) << 3) | 1);
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
}

// Any {yaml = 2}.
std::string any_yaml(const json::value& v) {
  std::string any;
  put_bytes(any, 2, json::serialize(v));
  return any;
}
// NamedAny {name = 1, value = 2}.
std::string named_any(std::string_view name, const json::value& v) {
  std::string out;
  put_bytes(out, 1, name);
  put_bytes(out, 2, any_yaml(v));
  return out;
}

// openapi.v2.Schema from a JSON schema object.
std::string encode_schema(const json::object& s) {
  std::string out;
  auto str = [&](std::string_view key, int field) {
    if (auto it = s.find(key); it != s.end() && it->value().is_string())
      put_bytes(out, field, it->value().get_string());
  };
  auto num = [&](std::string_view key, int field) {
    if (auto it = s.find(key); it != s.end() && it->value().is_number())
      put_double(out, field, it->value().to_number<double>());
  };
  auto count = [&](std::string_view key, int field) {
    if (auto it = s.find(key); it != s.end())
      if (auto n = exact_int64(it->value()); n && *n >= 0) put_uint(out, field, *n);
  };
  str("$ref", 1);
  str("format", 2);
  str("title", 3);
  str("description", 4);
  if (auto it = s.find("default"); it != s.end()) put_bytes(out, 5, any_yaml(it->value()));
  num("multipleOf", 6);
  num("maximum", 7);
  num("minimum", 9);
  count("maxLength", 11);
  count("minLength", 12);
  str("pattern", 13);
  count("maxItems", 14);
  count("minItems", 15);
  count("maxProperties", 17);
  count("minProperties", 18);
  if (auto it = s.find("required"); it != s.end() && it->value().is_array())
    for (const auto& r : it->value().get_array())
      if (r.is_string()) put_bytes(out, 19, r.get_string());
  if (auto it = s.find("enum"); it != s.end() && it->value().is_array())
    for (const auto& e : it->value().get_array()) put_bytes(out, 20, any_yaml(e));
  if (auto it = s.find("additionalProperties"); it != s.end()) {
    std::string item;  // AdditionalPropertiesItem {schema = 1 | boolean = 2}
    if (it->value().is_object()) put_bytes(item, 1, encode_schema(it->value().get_object()));
    else if (it->value().is_bool()) put_uint(item, 2, it->value().get_bool() ? 1 : 0);
    put_bytes(out, 21, item);
  }
  if (auto it = s.find("type"); it != s.end() && it->value().is_string()) {
    std::string type;  // TypeItem {repeated string value = 1}
    put_bytes(type, 1, it->value().get_string());
    put_bytes(out, 22, type);
  }
  if (auto it = s.find("items"); it != s.end() && it->value().is_object()) {
    std::string items;  // ItemsItem {repeated Schema schema = 1}
    put_bytes(items, 1, encode_schema(it->value().get_object()));
    put_bytes(out, 23, items);
  }
  if (auto it = s.find("allOf"); it != s.end() && it->value().is_array())
    for (const auto& a : it->value().get_array())
      if (a.is_object()) put_bytes(out, 24, encode_schema(a.get_object()));
  if (auto it = s.find("properties"); it != s.end() && it->value().is_object()) {
    std::string props;  // Properties {repeated NamedSchema additional_properties = 1}
    for (const auto& kv : it->value().get_object()) {
      if (!kv.value().is_object()) continue;
      std::string named;
      put_bytes(named, 1, kv.key());
      put_bytes(named, 2, encode_schema(kv.value().get_object()));
      put_bytes(props, 1, named);
    }
    put_bytes(out, 25, props);
  }
  if (auto it = s.find("readOnly"); it != s.end() && it->value().is_bool())
    put_uint(out, 27, it->value().get_bool() ? 1 : 0);
  if (auto it = s.find("example"); it != s.end()) put_bytes(out, 30, any_yaml(it->value()));
  for (const auto& kv : s)
    if (kv.key().starts_with("x-")) put_bytes(out, 31, named_any(kv.key(), kv.value()));
  return out;
}

// ParametersItem {parameter = 1: Parameter {non_body_parameter = 2: NonBodyParameter
// {query_parameter_sub_schema = 3: QueryParameterSubSchema {in 2, description 3, name 4, type 6,
// unique_items 20}}}}.
std::string query_param(std::string_view name, std::string_view type) {
  std::string sub;
  put_bytes(sub, 2, "query");
  put_bytes(sub, 4, name);
  put_bytes(sub, 6, type);
  put_uint(sub, 20, 1);
  std::string non_body, param, item;
  put_bytes(non_body, 3, sub);
  put_bytes(param, 2, non_body);
  put_bytes(item, 1, param);
  return item;
}

// Operation for PATCH of resource `r` at `path`.
std::string patch_operation(const api::ResourceInfo& r, const std::string& def_name) {
  std::string op;
  put_bytes(op, 1, openapi_tag(r.group, r.version));  // tags
  put_bytes(op, 5, "patch" + openapi_operation_prefix(r.group, r.version) +
                       (r.namespaced ? "Namespaced" : "") + r.kind);
  // Custom resources, and kinds the tables do not describe, take no strategic merge patch.
  const bool strategic =
      !r.schema && !r.runtime && !builtin_definition_name(r.api_version(), r.kind).empty();
  for (auto ct : {"application/json-patch+json", "application/merge-patch+json",
                  "application/strategic-merge-patch+json", "application/apply-patch+yaml"})
    if (strategic || std::string_view(ct) != "application/strategic-merge-patch+json")
      put_bytes(op, 7, ct);  // consumes
  for (auto [n, t] : {std::pair<const char*, const char*>{"dryRun", "string"},
                      {"fieldManager", "string"},
                      {"fieldValidation", "string"},
                      {"force", "boolean"}})
    put_bytes(op, 8, query_param(n, t));
  // Responses {response_code = 1: NamedResponseValue {name 1, value 2: ResponseValue {response 1:
  // Response {description 1, schema 2: SchemaItem {schema 1}}}}}.
  std::string response;
  put_bytes(response, 1, "OK");
  if (!def_name.empty()) {
    json::object ref;
    ref["$ref"] = schema_ref(SchemaFlavor::V2, def_name);
    std::string item;
    put_bytes(item, 1, encode_schema(ref));
    put_bytes(response, 2, item);
  }
  std::string value, named, responses;
  put_bytes(value, 1, response);
  put_bytes(named, 1, "200");
  put_bytes(named, 2, value);
  put_bytes(responses, 1, named);
  put_bytes(op, 9, responses);
  json::object gvk;
  gvk["group"] = r.group;
  gvk["kind"] = r.kind;
  gvk["version"] = r.version;
  put_bytes(op, 13, named_any("x-kubernetes-action", json::value("patch")));
  put_bytes(op, 13, named_any("x-kubernetes-group-version-kind", gvk));
  return op;
}

}  // namespace

std::string build_openapi_v2(const std::vector<const api::ResourceInfo*>& resources) {
  json::object defs;
  std::string paths;  // Paths {path = 2: NamedPathItem {name 1, value 2: PathItem {patch 8}}}
  for (const auto* r : resources) {
    std::string def_name = add_resource_definitions(*r, SchemaFlavor::V2, defs);
    bool patchable = false;
    for (const auto& v : r->verbs) patchable |= v == "patch";
    if (!patchable) continue;
    std::string path = r->group_version_path() +
                       (r->namespaced ? "/namespaces/{namespace}/" : "/") + r->resource + "/{name}";
    std::string item, named;
    put_bytes(item, 8, patch_operation(*r, def_name));
    put_bytes(named, 1, path);
    put_bytes(named, 2, item);
    put_bytes(paths, 2, named);
  }
  for (const char* k : {"DeleteOptions", "Status", "WatchEvent", "APIResourceList"})
    add_kind_definitions("meta.k8s.io/v1", k, SchemaFlavor::V2, defs);

  std::string definitions;  // Definitions {repeated NamedSchema additional_properties = 1}
  for (const auto& kv : defs) {
    std::string named;
    put_bytes(named, 1, kv.key());
    put_bytes(named, 2, encode_schema(kv.value().as_object()));
    put_bytes(definitions, 1, named);
  }
  std::string info;
  put_bytes(info, 1, "Kubernetes");
  put_bytes(info, 2, kOpenAPIKubernetesVersion);
  std::string doc;
  put_bytes(doc, 1, "2.0");
  put_bytes(doc, 2, info);
  put_bytes(doc, 8, paths);
  put_bytes(doc, 9, definitions);
  return doc;
}

}  // namespace skiff::discovery
