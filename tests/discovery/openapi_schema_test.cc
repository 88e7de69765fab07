// The schemas in the OpenAPI documents: v3 components.schemas (what kubectl 1.32+ explain and
// apply read) and the v2 protobuf definitions (kubectl 1.27), decoded here with a small
// protobuf reader.
#include <gtest/gtest.h>

#include <functional>
#include <map>

#include "api/resources.h"
#include "discovery/discovery.h"
#include "discovery/openapi_schema.h"

namespace skiff::discovery {
namespace {

const json::object& schemas_of(const json::object& doc) {
  return doc.at("components").at("schemas").as_object();
}

// Follows a property to the definition it names ($ref, or allOf[0].$ref).
const json::object& deref(const json::object& schemas, const json::value& prop) {
  const auto& o = prop.as_object();
  std::string ref = o.contains("$ref") ? std::string(o.at("$ref").as_string())
                                       : std::string(o.at("allOf").at(0).at("$ref").as_string());
  EXPECT_EQ(ref.rfind("#/components/schemas/", 0), 0u) << ref;
  return schemas.at(ref.substr(ref.rfind('/') + 1)).as_object();
}

const json::object& prop(const json::object& def, std::string_view name) {
  return def.at("properties").at(name).as_object();
}

TEST(OpenAPISchemas, DeploymentRollingUpdateMaxSurge) {
  auto doc = openapi_v3_document("apis/apps/v1");
  ASSERT_TRUE(doc);
  const auto& schemas = schemas_of(*doc);
  const auto& deploy = schemas.at("io.k8s.api.apps.v1.Deployment").as_object();
  const auto& gvk = deploy.at("x-kubernetes-group-version-kind").as_array();
  ASSERT_EQ(gvk.size(), 1u);
  EXPECT_EQ(gvk[0].at("group").as_string(), "apps");
  EXPECT_EQ(gvk[0].at("kind").as_string(), "Deployment");
  EXPECT_EQ(gvk[0].at("version").as_string(), "v1");
  EXPECT_EQ(prop(deploy, "apiVersion").at("type").as_string(), "string");
  const auto& meta = deref(schemas, prop(deploy, "metadata"));
  EXPECT_TRUE(meta.at("properties").as_object().contains("labels"));
  const auto& spec = deref(schemas, prop(deploy, "spec"));
  const auto& strategy_prop = prop(spec, "strategy");
  EXPECT_EQ(strategy_prop.at("x-kubernetes-patch-strategy").as_string(), "retainKeys");
  const auto& strategy = deref(schemas, strategy_prop);
  const auto& rolling = deref(schemas, prop(strategy, "rollingUpdate"));
  const auto& surge = deref(schemas, prop(rolling, "maxSurge"));
  EXPECT_EQ(surge.at("format").as_string(), "int-or-string");
  EXPECT_TRUE(surge.at("x-kubernetes-int-or-string").as_bool());
  EXPECT_FALSE(surge.contains("type"));  // v3: kubectl explain shows <IntOrString>
  EXPECT_TRUE(schemas.contains("io.k8s.apimachinery.pkg.util.intstr.IntOrString"));
  EXPECT_EQ(prop(spec, "replicas").at("format").as_string(), "int32");
  // Bodies refer to the kind.
  const auto& item = doc->at("paths")
                         .at("/apis/apps/v1/namespaces/{namespace}/deployments/{name}")
                         .as_object();
  EXPECT_EQ(item.at("put").at("requestBody").at("content").at("*/*").at("schema").at("$ref"),
            "#/components/schemas/io.k8s.api.apps.v1.Deployment");
  EXPECT_EQ(item.at("get").at("responses").at("200").at("content").at("application/json")
                .at("schema").at("$ref"),
            "#/components/schemas/io.k8s.api.apps.v1.Deployment");
}

TEST(OpenAPISchemas, PodContainersCarryPatchMetadata) {
  auto doc = openapi_v3_document("api/v1");
  ASSERT_TRUE(doc);
  const auto& schemas = schemas_of(*doc);
  const auto& pod = schemas.at("io.k8s.api.core.v1.Pod").as_object();
  const auto& spec = deref(schemas, prop(pod, "spec"));
  const auto& containers = prop(spec, "containers");
  EXPECT_EQ(containers.at("type").as_string(), "array");
  EXPECT_EQ(containers.at("x-kubernetes-patch-merge-key").as_string(), "name");
  EXPECT_EQ(containers.at("x-kubernetes-patch-strategy").as_string(), "merge");
  EXPECT_EQ(prop(spec, "volumes").at("x-kubernetes-patch-strategy").as_string(),
            "merge,retainKeys");
  const auto& container = deref(schemas, containers.at("items"));
  EXPECT_TRUE(container.at("properties").as_object().contains("livenessProbe"));
  EXPECT_EQ(prop(container, "ports").at("x-kubernetes-patch-merge-key").as_string(),
            "containerPort");
  EXPECT_EQ(prop(container, "env").at("x-kubernetes-patch-merge-key").as_string(), "name");
  // Lists without a strategy have none.
  EXPECT_FALSE(prop(container, "command").contains("x-kubernetes-patch-strategy"));
  // ObjectMeta's lists.
  const auto& meta = deref(schemas, prop(pod, "metadata"));
  EXPECT_EQ(prop(meta, "ownerReferences").at("x-kubernetes-patch-merge-key").as_string(), "uid");
  EXPECT_EQ(prop(meta, "finalizers").at("x-kubernetes-patch-strategy").as_string(), "merge");
  EXPECT_EQ(prop(meta, "labels").at("additionalProperties").at("type").as_string(), "string");
}

// Every $ref of every document names a definition in the same document, and every served kind
// has a definition carrying its GVK.
TEST(OpenAPISchemas, EveryReferenceResolvesAndEveryKindIsDescribed) {
  for (const auto& g : api::served_groups())
    for (const auto& v : g.versions) {
      std::string gv = g.group.empty() ? "api/" + v : "apis/" + g.group + "/" + v;
      auto doc = openapi_v3_document(gv);
      ASSERT_TRUE(doc) << gv;
      const auto& schemas = schemas_of(*doc);
      std::function<void(const json::value&)> walk = [&](const json::value& x) {
        if (x.is_array())
          for (const auto& e : x.as_array()) walk(e);
        if (!x.is_object()) return;
        for (const auto& kv : x.as_object()) {
          if (kv.key() == "$ref") {
            std::string ref(kv.value().as_string());
            EXPECT_TRUE(schemas.contains(ref.substr(ref.rfind('/') + 1))) << gv << " " << ref;
          } else {
            walk(kv.value());
          }
        }
      };
      walk(*doc);
      for (const auto* r : api::served_resources()) {
        if (r->group != g.group || r->version != v) continue;
        bool found = false;
        for (const auto& kv : schemas) {
          const auto& o = kv.value().as_object();
          auto it = o.find("x-kubernetes-group-version-kind");
          if (it == o.end()) continue;
          for (const auto& e : it->value().as_array())
            found |= e.at("kind").as_string() == r->kind && e.at("group").as_string() == r->group;
        }
        EXPECT_TRUE(found) << gv << " " << r->kind;
      }
    }
}

TEST(OpenAPISchemas, CustomResourceSchemaIsPublished) {
  api::ResourceInfo r;
  r.group = "stable.example.com";
  r.version = "v1";
  r.resource = "crontabs";
  r.singular = "crontab";
  r.kind = "CronTab";
  r.verbs = {"get", "list", "create", "update", "patch", "delete"};
  r.schema = std::make_shared<const json::object>(
      json::parse(R"({"type":"object","properties":{"spec":{"type":"object","properties":{
        "cronSpec":{"type":"string"},"replicas":{"type":"integer"}}}}})")
          .as_object());
  json::object defs;
  std::string name = add_resource_definitions(r, SchemaFlavor::V3, defs);
  EXPECT_EQ(name, "com.example.stable.v1.CronTab");
  const auto& d = defs.at(name).as_object();
  EXPECT_EQ(d.at("x-kubernetes-group-version-kind").at(0).at("kind").as_string(), "CronTab");
  EXPECT_EQ(prop(d, "kind").at("type").as_string(), "string");
  EXPECT_EQ(deref(defs, prop(d, "metadata")).at("properties").as_object().contains("name"), true);
  EXPECT_EQ(prop(prop(d, "spec"), "cronSpec").at("type").as_string(), "string");
  const auto& list = defs.at(name + "List").as_object();
  EXPECT_EQ(list.at("x-kubernetes-group-version-kind").at(0).at("kind").as_string(),
            "CronTabList");
  EXPECT_EQ(deref(defs, prop(list, "items").at("items")).at("x-kubernetes-group-version-kind"),
            d.at("x-kubernetes-group-version-kind"));
}

TEST(OpenAPISchemas, V2FlavorKeepsSiblingsBesideTheRef) {
  api::ResourceInfo r;
  r.group = "stable.example.com";
  r.version = "v1";
  r.kind = "CronTab";
  r.schema = std::make_shared<const json::object>(json::object{{"type", "object"}});
  json::object defs;
  std::string name = add_resource_definitions(r, SchemaFlavor::V2, defs);
  EXPECT_EQ(prop(defs.at(name).as_object(), "metadata").at("$ref").as_string(),
            "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
  json::object builtin;
  add_kind_definitions("apps/v1", "Deployment", SchemaFlavor::V2, builtin);
  const auto& spec = builtin.at("io.k8s.api.apps.v1.DeploymentSpec").as_object();
  const auto& strategy = prop(spec, "strategy");
  EXPECT_EQ(strategy.at("$ref").as_string(), "#/definitions/io.k8s.api.apps.v1.DeploymentStrategy");
  EXPECT_EQ(strategy.at("x-kubernetes-patch-strategy").as_string(), "retainKeys");
  EXPECT_FALSE(strategy.contains("allOf"));
  // Descriptions are generated from facts.
  EXPECT_EQ(prop(spec, "replicas").at("description").as_string(), "32-bit integer.");
  EXPECT_EQ(strategy.at("description").as_string(), "Patch strategy retainKeys.");
  // v2 readers (kubectl 1.27) want a type: int-or-string is a string there.
  const auto& surge = builtin.at("io.k8s.apimachinery.pkg.util.intstr.IntOrString").as_object();
  EXPECT_EQ(surge.at("type").as_string(), "string");
  EXPECT_EQ(surge.at("format").as_string(), "int-or-string");
}

// A registration (a CRD) moves the registry generation: the documents are rebuilt with the
// custom kind's schema, and its PATCH offers no strategic merge patch (kubectl 1.32+ then sends
// a JSON merge patch, as upstream's CRDs make it do).
TEST(OpenAPISchemas, RegisteredCustomResourceIsPublishedAndRemoved) {
  api::ResourceInfo r;
  r.group = "openapi-test.example.com";
  r.version = "v1";
  r.resource = "widgets";
  r.singular = "widget";
  r.kind = "Widget";
  r.verbs = {"get", "list", "create", "update", "patch", "delete"};
  r.schema = std::make_shared<const json::object>(json::parse(
      R"({"type":"object","properties":{"spec":{"type":"object","properties":{"size":{"type":"integer"}}}}})")
                                                      .as_object());
  auto before = openapi_v3_root();
  api::register_resources("widgets.openapi-test.example.com", {r});
  auto doc = openapi_v3_document("apis/openapi-test.example.com/v1");
  ASSERT_TRUE(doc);
  const auto& schemas = schemas_of(*doc);
  ASSERT_TRUE(schemas.contains("com.example.openapi-test.v1.Widget"));
  const auto& w = schemas.at("com.example.openapi-test.v1.Widget").as_object();
  EXPECT_EQ(prop(prop(w, "spec"), "size").at("type").as_string(), "integer");
  const auto& patch = doc->at("paths")
                          .at("/apis/openapi-test.example.com/v1/namespaces/{namespace}/widgets/{name}")
                          .at("patch")
                          .at("requestBody")
                          .at("content")
                          .as_object();
  EXPECT_TRUE(patch.contains("application/merge-patch+json"));
  EXPECT_FALSE(patch.contains("application/strategic-merge-patch+json"));
  EXPECT_TRUE(openapi_v3_root().at("paths").as_object().contains("apis/openapi-test.example.com/v1"));
  api::register_resources("widgets.openapi-test.example.com", {});
  EXPECT_FALSE(openapi_v3_document("apis/openapi-test.example.com/v1"));
  EXPECT_EQ(openapi_v3_root(), before);
}

// A minimal protobuf reader: the fields of one message (number -> each occurrence's bytes or
// varint value).
struct PbField {
  uint32_t number;
  std::string bytes;
  uint64_t varint = 0;
};
std::vector<PbField> pb_fields(std::string_view in) {
  std::vector<PbField> out;
  size_t i = 0;
  auto varint = [&]() {
    uint64_t v = 0;
    for (int shift = 0; i < in.size(); shift += 7) {
      uint8_t b = static_cast<uint8_t>(in[i++]);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) break;
    }
    return v;
  };
  while (i < in.size()) {
    uint64_t key = varint();
    PbField f{static_cast<uint32_t>(key >> 3), {}, 0};
    switch (key & 7) {
      case 0: f.varint = varint(); break;
      case 1: f.bytes = std::string(in.substr(i, 8)); i += 8; break;
      case 2: {
        uint64_t n = varint();
        EXPECT_LE(i + n, in.size());
        f.bytes = std::string(in.substr(i, n));
        i += n;
        break;
      }
      default: ADD_FAILURE() << "wire type " << (key & 7); return out;
    }
    out.push_back(std::move(f));
  }
  return out;
}
std::string pb_string(std::string_view msg, uint32_t number) {
  for (const auto& f : pb_fields(msg))
    if (f.number == number) return f.bytes;
  return "";
}
// NamedX {name 1, value 2} entries of a repeated field -> name -> value bytes.
std::map<std::string, std::string> pb_named(std::string_view msg, uint32_t number) {
  std::map<std::string, std::string> out;
  for (const auto& f : pb_fields(msg))
    if (f.number == number) out[pb_string(f.bytes, 1)] = pb_string(f.bytes, 2);
  return out;
}

TEST(OpenAPIV2, DocumentHasDefinitionsAndFieldValidationPaths) {
  std::string doc = openapi_v2_protobuf();
  EXPECT_EQ(pb_string(doc, 1), "2.0");
  EXPECT_EQ(pb_string(pb_string(doc, 2), 1), "Kubernetes");
  auto defs = pb_named(pb_string(doc, 9), 1);  // Definitions.additional_properties
  ASSERT_TRUE(defs.count("io.k8s.api.apps.v1.Deployment"));
  const std::string& deploy = defs["io.k8s.api.apps.v1.Deployment"];
  auto ext = pb_named(deploy, 31);  // Schema.vendor_extension: NamedAny {name, Any{yaml 2}}
  ASSERT_TRUE(ext.count("x-kubernetes-group-version-kind"));
  auto gvk = json::parse(pb_string(ext["x-kubernetes-group-version-kind"], 2));
  EXPECT_EQ(gvk.at(0).at("kind").as_string(), "Deployment");
  EXPECT_EQ(gvk.at(0).at("group").as_string(), "apps");
  // Properties: spec is a $ref (Schema._ref = 1) to a definition that exists.
  auto props = pb_named(pb_string(deploy, 25), 1);
  ASSERT_TRUE(props.count("spec"));
  std::string ref = pb_string(props["spec"], 1);
  EXPECT_EQ(ref, "#/definitions/io.k8s.api.apps.v1.DeploymentSpec");
  // Every reference in every definition resolves.
  std::function<void(const std::string&)> check_refs = [&](const std::string& schema) {
    for (const auto& f : pb_fields(schema)) {
      if (f.number == 1) {
        EXPECT_TRUE(defs.count(f.bytes.substr(f.bytes.rfind('/') + 1))) << f.bytes;
      } else if (f.number == 25) {
        for (const auto& [n, s] : pb_named(f.bytes, 1)) check_refs(s);
      } else if (f.number == 23 || f.number == 21) {  // items / additionalProperties
        check_refs(pb_string(f.bytes, 1));
      }
    }
  };
  for (const auto& [name, s] : defs) check_refs(s);
  // Pod containers: the merge key beside the array.
  auto pod_spec = pb_named(pb_string(defs["io.k8s.api.core.v1.PodSpec"], 25), 1);
  auto cext = pb_named(pod_spec["containers"], 31);
  EXPECT_EQ(pb_string(cext["x-kubernetes-patch-merge-key"], 2), "\"name\"");
  // Paths: the deployment PATCH operation has the GVK (a map) and fieldValidation.
  auto paths = pb_named(pb_string(doc, 8), 2);
  const std::string path = "/apis/apps/v1/namespaces/{namespace}/deployments/{name}";
  ASSERT_TRUE(paths.count(path));
  std::string op = pb_string(paths[path], 8);
  auto opext = pb_named(op, 13);
  auto op_gvk = json::parse(pb_string(opext["x-kubernetes-group-version-kind"], 2));
  EXPECT_EQ(op_gvk.at("kind").as_string(), "Deployment");
  bool field_validation = false;
  for (const auto& f : pb_fields(op))
    if (f.number == 8)
      field_validation |=
          pb_string(pb_string(pb_string(pb_string(f.bytes, 1), 2), 3), 4) == "fieldValidation";
  EXPECT_TRUE(field_validation);
}

}  // namespace
}  // namespace skiff::discovery
