// OpenAPI v3 documents derived from the resource registry (api::served_resources()).
//
// One document per served group-version listing every REST path with its operations. Each
// operation carries x-kubernetes-action and x-kubernetes-group-version-kind, and every
// create/replace/patch operation a `fieldValidation` query parameter: that is what kubectl's
// query-param verifier (cli-runtime resource.queryParamVerifierV3) looks for on the PATCH
// operation of a kind before it trusts the server with field validation and skips client-side
// schema validation. Request and response bodies $ref components.schemas, which holds every
// definition the group-version's kinds reach (openapi_schema.h): `kubectl explain` reads them,
// and kubectl's client-side apply takes merge keys from their x-kubernetes-patch-* extensions.
//
// The v2 document (openapi_v2.cc) is built from the same registry snapshot. Every document is
// built and serialized once per registry generation (api::registry_generation()) and hashed.
#include <cctype>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "api/resources.h"
#include "discovery/discovery.h"
#include "discovery/openapi_internal.h"
#include "discovery/openapi_schema.h"

namespace skiff::discovery {
namespace {

std::string capitalize(std::string_view s) {
  std::string out(s);
  if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

std::string operation_group_prefix(const std::string& group, const std::string& version) {
  return openapi_operation_prefix(group, version);
}
std::string tag_for(const std::string& group, const std::string& version) {
  return openapi_tag(group, version);
}

std::string gv_path_of(const std::string& group, const std::string& version) {
  return group.empty() ? "api/" + version : "apis/" + group + "/" + version;
}

json::object gvk_ext(std::string_view group, std::string_view version, std::string_view kind) {
  json::object o;
  o["group"] = group;
  o["kind"] = kind;
  o["version"] = version;
  return o;
}

// {"$ref": "#/components/schemas/<def>"}, or {"type": "object"} when `def` is empty.
json::object body_schema(const std::string& def) {
  json::object s;
  if (def.empty()) s["type"] = "object";
  else s["$ref"] = schema_ref(SchemaFlavor::V3, def);
  return s;
}

json::object content_of(std::initializer_list<std::string_view> types, const std::string& def) {
  json::object c;
  for (auto t : types) {
    json::object mt;
    mt["schema"] = body_schema(def);
    c[t] = std::move(mt);
  }
  return c;
}

json::object responses(const std::vector<std::string_view>& codes, const std::string& def) {
  json::object r;
  for (auto code : codes) {
    json::object resp;
    resp["description"] = code == "200"   ? "OK"
                          : code == "201" ? "Created"
                          : code == "202" ? "Accepted"
                                          : "Unauthorized";
    if (code != "401") resp["content"] = content_of({"application/json", "application/yaml"}, def);
    r[code] = std::move(resp);
  }
  return r;
}

struct OpSpec {
  std::string operation_id;
  std::string action;  // x-kubernetes-action
  std::string tag;
  json::object gvk;
  json::array params;
  std::optional<json::object> request_body = std::nullopt;
  std::vector<std::string_view> codes = {"200", "401"};
  std::string response = "";  // the response body's definition; "" = any object
};

json::object make_op(OpSpec s) {
  json::object op;
  op["tags"] = json::array{json::string(s.tag)};
  op["operationId"] = s.operation_id;
  if (!s.params.empty()) op["parameters"] = std::move(s.params);
  if (s.request_body) op["requestBody"] = std::move(*s.request_body);
  op["responses"] = responses(s.codes, s.response);
  op["x-kubernetes-action"] = s.action;
  op["x-kubernetes-group-version-kind"] = std::move(s.gvk);
  return op;
}

const std::string kMetaDef = "io.k8s.apimachinery.pkg.apis.meta.v1.";
const std::string kStatusDef = kMetaDef + "Status";
const std::string kDeleteOptionsDef = kMetaDef + "DeleteOptions";
const std::string kPatchDef = kMetaDef + "Patch";

json::object body_any(const std::string& def) {
  json::object b;
  b["content"] = content_of({"*/*"}, def);
  b["required"] = true;
  return b;
}
// The patch types a PATCH accepts. Custom resources take no strategic merge patch, and kubectl
// 1.32+ reads exactly that here: it computes a strategic merge patch from these documents only
// when the operation lists application/strategic-merge-patch+json, else a JSON merge patch.
json::object body_patch(bool strategic) {
  json::object b;
  b["content"] = strategic ? content_of({"application/apply-patch+yaml", "application/json-patch+json",
                                         "application/merge-patch+json",
                                         "application/strategic-merge-patch+json"},
                                        kPatchDef)
                           : content_of({"application/apply-patch+yaml", "application/json-patch+json",
                                         "application/merge-patch+json"},
                                        kPatchDef);
  b["required"] = true;
  return b;
}

bool has(const std::vector<std::string>& verbs, std::string_view v) {
  for (const auto& x : verbs)
    if (x == v) return true;
  return false;
}

bool is_connect(std::string_view sub) {
  return sub == "attach" || sub == "exec" || sub == "portforward" || sub == "proxy";
}

json::object build_document(const std::string& group, const std::string& version,
                            const std::vector<const api::ResourceInfo*>& resources) {
  const std::string prefix = "/" + gv_path_of(group, version);
  const std::string opg = operation_group_prefix(group, version);
  const std::string tag = tag_for(group, version);
  json::object paths;

  {  // the group-version's discovery document
    json::object item;
    json::object get;
    get["tags"] = json::array{json::string(tag)};
    get["description"] = "get available resources";
    get["operationId"] = "get" + opg + "APIResources";
    get["responses"] = responses({"200", "401"}, kMetaDef + "APIResourceList");
    item["get"] = std::move(get);
    paths[prefix + "/"] = std::move(item);
  }

  json::object schemas;
  for (const char* k : {"APIResourceList", "DeleteOptions", "Patch", "Status"})
    add_kind_definitions("meta.k8s.io/v1", k, SchemaFlavor::V3, schemas);
  if (!schemas.contains(kPatchDef)) {  // meta.v1.Patch: a body of any shape
    json::object patch;
    patch["type"] = "object";
    schemas[kPatchDef] = std::move(patch);
  }
  for (const auto* rp : resources) {
    const auto& r = *rp;
    if (r.group != group || r.version != version) continue;
    const std::string def = add_resource_definitions(r, SchemaFlavor::V3, schemas);
    const std::string list_def = def.empty() ? "" : def + "List";
    // Custom resources, and kinds the tables do not describe, take no strategic merge patch.
    const bool strategic =
        !r.schema && !r.runtime && !builtin_definition_name(r.api_version(), r.kind).empty();
    const std::string base =
        r.namespaced ? prefix + "/namespaces/{namespace}/" + r.resource : prefix + "/" + r.resource;
    const std::string scope = r.namespaced ? "Namespaced" : "";
    const json::object kind_gvk = gvk_ext(r.group, r.version, r.kind);

    // Collection: list, create, deletecollection.
    json::object coll;
    if (has(r.verbs, "list")) {
      json::array ps;
      add_list_params(ps);
      coll["get"] = make_op({"list" + opg + scope + r.kind, "list", tag, kind_gvk, std::move(ps),
                             std::nullopt, {"200", "401"}, list_def});
    }
    if (has(r.verbs, "create")) {
      json::array ps;
      add_write_params(ps);
      coll["post"] = make_op({"create" + opg + scope + r.kind, "post", tag, kind_gvk,
                              std::move(ps), body_any(def), {"200", "201", "202", "401"}, def});
    }
    if (has(r.verbs, "deletecollection")) {
      json::array ps;
      add_delete_params(ps);
      add_list_params(ps);
      coll["delete"] = make_op({"delete" + opg + "Collection" + scope + r.kind, "deletecollection",
                                tag, kind_gvk, std::move(ps), body_any(kDeleteOptionsDef),
                                {"200", "401"}, kStatusDef});
    }
    if (!coll.empty()) {
      coll["parameters"] = path_params(r.namespaced, false);
      paths[base] = std::move(coll);
    }

    // Item: read, replace, patch, delete.
    json::object item;
    if (has(r.verbs, "get"))
      item["get"] = make_op({"read" + opg + scope + r.kind, "get", tag, kind_gvk, {}, std::nullopt,
                             {"200", "401"}, def});
    if (has(r.verbs, "update")) {
      json::array ps;
      add_write_params(ps);
      item["put"] = make_op({"replace" + opg + scope + r.kind, "put", tag, kind_gvk,
                             std::move(ps), body_any(def), {"200", "201", "401"}, def});
    }
    if (has(r.verbs, "patch")) {
      json::array ps;
      add_write_params(ps);
      ps.push_back(param("force", "query", "boolean",
                         "Force is going to \"force\" Apply requests. It must be unset for "
                         "non-apply patch requests."));
      item["patch"] = make_op({"patch" + opg + scope + r.kind, "patch", tag, kind_gvk,
                               std::move(ps), body_patch(strategic), {"200", "201", "401"}, def});
    }
    if (has(r.verbs, "delete")) {
      json::array ps;
      add_delete_params(ps);
      item["delete"] = make_op({"delete" + opg + scope + r.kind, "delete", tag, kind_gvk,
                                std::move(ps), body_any(kDeleteOptionsDef),
                                {"200", "202", "401"}, kStatusDef});
    }
    if (!item.empty()) {
      item["parameters"] = path_params(r.namespaced, true);
      paths[base + "/{name}"] = std::move(item);
    }

    // Namespaced lists across all namespaces.
    if (r.namespaced && has(r.verbs, "list")) {
      json::object all;
      json::array ps;
      add_list_params(ps);
      all["get"] = make_op({"list" + opg + r.kind + "ForAllNamespaces", "list", tag, kind_gvk,
                            std::move(ps), std::nullopt, {"200", "401"}, list_def});
      all["parameters"] = path_params(false, false);
      paths[prefix + "/" + r.resource] = std::move(all);
    }

    // Subresources.
    for (const auto& s : r.subresources) {
      json::object sp;
      const bool connect = is_connect(s.name);
      const json::object sub_gvk = gvk_ext(s.group, s.version, s.kind);
      const std::string suffix = scope + r.kind + capitalize(s.name);
      const std::string sub_def =
          connect ? "" : builtin_definition_name(s.group.empty() ? s.version : s.group + "/" + s.version, s.kind);
      struct M {
        std::string_view verb, method, op_verb, action;
      };
      static const M kMethods[] = {{"get", "get", "read", "get"},
                                   {"create", "post", "create", "post"},
                                   {"update", "put", "replace", "put"},
                                   {"patch", "patch", "patch", "patch"},
                                   {"delete", "delete", "delete", "delete"},
                                   {"head", "head", "head", "get"}};
      for (const auto& m : kMethods) {
        if (!has(s.verbs, m.verb)) continue;
        json::array ps;
        add_subresource_params(s.name, m.method, ps);
        std::string op_id = connect ? "connect" + capitalize(m.method) + opg + suffix
                                    : std::string(m.op_verb) + opg + suffix;
        std::string action = connect ? "connect" : std::string(m.action);
        std::optional<json::object> body;
        if (!connect && m.method == "patch") body = body_patch(strategic);
        else if (!connect && (m.method == "post" || m.method == "put")) body = body_any(sub_def);
        sp[m.method] = make_op({op_id, action, tag, sub_gvk, std::move(ps), std::move(body),
                                {"200", "401"}, sub_def});
      }
      if (!sp.empty()) {
        sp["parameters"] = path_params(r.namespaced, true);
        paths[base + "/{name}/" + s.name] = std::move(sp);
      }
    }
  }

  json::object doc;
  doc["openapi"] = "3.0.0";
  json::object info;
  info["title"] = "Kubernetes";
  info["version"] = kOpenAPIKubernetesVersion;
  doc["info"] = std::move(info);
  doc["paths"] = std::move(paths);
  json::object components;
  components["schemas"] = std::move(schemas);
  doc["components"] = std::move(components);
  return doc;
}

// A stable 128-bit hash (two FNV-1a 64 lanes), upper-case hex.
std::string hash_hex(std::string_view data) {
  uint64_t a = 0xcbf29ce484222325ULL, b = 0x84222325cbf29ce4ULL;
  for (unsigned char c : data) {
    a = (a ^ c) * 0x100000001b3ULL;
    b = (b ^ static_cast<unsigned char>(c + 0x5b)) * 0x100000001b3ULL;
    b ^= b >> 29;
  }
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (uint64_t v : {a, b})
    for (int i = 60; i >= 0; i -= 4) out.push_back(kHex[(v >> i) & 0xf]);
  return out;
}

struct Doc {
  json::object object;
  std::string text;
  std::string hash;
};

// Every document of one registry generation: each served group-version's v3 document ("api/v1"
// -> Doc, in discovery order) and the v2 document.
struct Documents {
  uint64_t generation = 0;
  std::vector<std::pair<std::string, Doc>> v3;
  std::string v2;
};

std::shared_ptr<const Documents> build_documents(uint64_t generation) {
  auto out = std::make_shared<Documents>();
  out->generation = generation;
  const auto resources = api::served_resources();
  for (const auto& g : api::served_groups())
    for (const auto& v : g.versions) {
      Doc d;
      d.object = build_document(g.group, v, resources);
      d.text = json::serialize(d.object);
      d.hash = hash_hex(d.text);
      out->v3.emplace_back(gv_path_of(g.group, v), std::move(d));
    }
  out->v2 = build_openapi_v2(resources);
  return out;
}

// The documents of the current registry generation, rebuilt when it moves. Readers keep the
// snapshot they got; a rebuild never changes a snapshot in place.
std::shared_ptr<const Documents> documents() {
  static std::mutex mu;
  static std::shared_ptr<const Documents> current;
  const uint64_t gen = api::registry_generation();
  std::lock_guard<std::mutex> lock(mu);
  if (!current || current->generation != gen) current = build_documents(gen);
  return current;
}

const Doc* find_doc(const Documents& docs, std::string_view gv_path) {
  while (!gv_path.empty() && gv_path.front() == '/') gv_path.remove_prefix(1);
  while (!gv_path.empty() && gv_path.back() == '/') gv_path.remove_suffix(1);
  for (const auto& [path, doc] : docs.v3)
    if (path == gv_path) return &doc;
  return nullptr;
}

}  // namespace

std::string openapi_operation_prefix(const std::string& group, const std::string& version) {
  std::string g = group.empty() ? std::string("core") : group.substr(0, group.find('.'));
  return capitalize(g) + capitalize(version);
}

std::string openapi_tag(const std::string& group, const std::string& version) {
  std::string g = group.empty() ? std::string("core") : group.substr(0, group.find('.'));
  return g + "_" + version;
}

json::object openapi_v3_root() {
  auto docs = documents();
  json::object paths;
  for (const auto& [path, doc] : docs->v3) {
    json::object e;
    e["serverRelativeURL"] = "/openapi/v3/" + path + "?hash=" + doc.hash;
    paths[path] = std::move(e);
  }
  json::object root;
  root["paths"] = std::move(paths);
  return root;
}

std::optional<json::object> openapi_v3_document(std::string_view gv_path) {
  auto docs = documents();
  const Doc* d = find_doc(*docs, gv_path);
  if (!d) return std::nullopt;
  return d->object;
}

std::optional<std::string> openapi_v3_document_json(std::string_view gv_path) {
  auto docs = documents();
  const Doc* d = find_doc(*docs, gv_path);
  if (!d) return std::nullopt;
  return d->text;
}

std::optional<std::string> openapi_v3_hash(std::string_view gv_path) {
  auto docs = documents();
  const Doc* d = find_doc(*docs, gv_path);
  if (!d) return std::nullopt;
  return d->hash;
}

std::string openapi_v2_protobuf() { return documents()->v2; }

}  // namespace skiff::discovery
