#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "api/resources.h"
#include "discovery/discovery.h"
#include "discovery/openapi_schema.h"

namespace skiff::discovery {
namespace {

std::string gv_path(const std::string& group, const std::string& version) {
  return group.empty() ? "api/" + version : "apis/" + group + "/" + version;
}

bool has_query_param(const json::object& op, std::string_view name) {
  auto it = op.find("parameters");
  if (it == op.end()) return false;
  for (const auto& p : it->value().as_array())
    if (p.at("name").as_string() == name && p.at("in").as_string() == "query") return true;
  return false;
}

bool gvk_is(const json::object& op, std::string_view g, std::string_view v, std::string_view k) {
  auto it = op.find("x-kubernetes-group-version-kind");
  if (it == op.end()) return false;
  const auto& o = it->value().as_object();
  return o.at("group").as_string() == g && o.at("version").as_string() == v &&
         o.at("kind").as_string() == k;
}

TEST(OpenAPIV3Root, EveryGroupVersionWithHash) {
  auto root = openapi_v3_root();
  const auto& paths = root.at("paths").as_object();
  size_t n = 0;
  for (const auto& g : api::served_groups())
    for (const auto& v : g.versions) {
      ++n;
      std::string p = gv_path(g.group, v);
      ASSERT_TRUE(paths.contains(p)) << p;
      auto hash = openapi_v3_hash(p);
      ASSERT_TRUE(hash);
      EXPECT_EQ(hash->size(), 32u);
      EXPECT_EQ(paths.at(p).at("serverRelativeURL").as_string(),
                "/openapi/v3/" + p + "?hash=" + *hash);
    }
  EXPECT_EQ(paths.size(), n);
  EXPECT_TRUE(paths.contains("api/v1"));
  EXPECT_TRUE(paths.contains("apis/apps/v1"));
}

TEST(OpenAPIV3Document, UnknownGroupVersion) {
  EXPECT_FALSE(openapi_v3_document("apis/autoscaling/v1"));
  EXPECT_FALSE(openapi_v3_document("api/v2"));
  EXPECT_FALSE(openapi_v3_document("apis/apps"));
  EXPECT_FALSE(openapi_v3_document(""));
  EXPECT_FALSE(openapi_v3_document_json("nope"));
  EXPECT_FALSE(openapi_v3_hash("apis/nope/v1"));
  // A leading slash is tolerated.
  EXPECT_TRUE(openapi_v3_document("/api/v1"));
}

TEST(OpenAPIV3Document, Structure) {
  for (const auto& g : api::served_groups())
    for (const auto& v : g.versions) {
      std::string p = gv_path(g.group, v);
      auto doc = openapi_v3_document(p);
      ASSERT_TRUE(doc) << p;
      EXPECT_EQ(doc->at("openapi").as_string(), "3.0.0");
      EXPECT_EQ(doc->at("info").at("title").as_string(), "Kubernetes");
      EXPECT_EQ(doc->at("info").at("version").as_string(), "v1.32.0");
      EXPECT_FALSE(doc->at("components").at("schemas").as_object().empty());
      EXPECT_FALSE(doc->at("paths").as_object().empty());
      // The serialized form is the same document, and the hash is stable.
      auto text = openapi_v3_document_json(p);
      ASSERT_TRUE(text);
      EXPECT_EQ(json::parse(*text), json::value(*doc));
      EXPECT_EQ(openapi_v3_hash(p), openapi_v3_hash(p));
      for (const auto& [path, item] : doc->at("paths").as_object()) {
        std::string prefix = "/" + p + "/";
        EXPECT_EQ(std::string(path).rfind(prefix, 0), 0u) << path;
        for (const auto& [method, op] : item.as_object()) {
          if (method == "parameters") continue;
          EXPECT_TRUE(method == "get" || method == "put" || method == "post" ||
                      method == "patch" || method == "delete" || method == "head")
              << method;
          EXPECT_TRUE(op.as_object().contains("operationId")) << path << " " << method;
          EXPECT_TRUE(op.as_object().contains("responses")) << path << " " << method;
        }
      }
    }
  // Different documents have different hashes.
  EXPECT_NE(openapi_v3_hash("api/v1"), openapi_v3_hash("apis/apps/v1"));
}

// kubectl's verifier takes the first PATCH operation tagged with the kind's GVK (Go map order,
// so any of them) and requires a `fieldValidation` query parameter on it.
TEST(OpenAPIV3Document, EveryPatchableKindSupportsFieldValidation) {
  for (const auto& r : api::all_resources()) {
    auto doc = openapi_v3_document(gv_path(r.group, r.version));
    ASSERT_TRUE(doc);
    int patches = 0;
    for (const auto& [path, item] : doc->at("paths").as_object()) {
      const auto& io = item.as_object();
      auto it = io.find("patch");
      if (it == io.end()) continue;
      const auto& op = it->value().as_object();
      if (!gvk_is(op, r.group, r.version, r.kind)) continue;
      ++patches;
      EXPECT_TRUE(has_query_param(op, "fieldValidation")) << path;
      EXPECT_EQ(op.at("x-kubernetes-action").as_string(), "patch");
      // Kinds the tables describe take strategic merge patches; others (the CRD kind, legacy
      // versions) only JSON and merge patches, so kubectl never computes one for them.
      EXPECT_EQ(op.at("requestBody")
                    .at("content")
                    .as_object()
                    .contains("application/strategic-merge-patch+json"),
                !builtin_definition_name(r.api_version(), r.kind).empty())
          << r.kind;
    }
    bool patchable = std::find(r.verbs.begin(), r.verbs.end(), "patch") != r.verbs.end();
    if (patchable) {
      EXPECT_GE(patches, 1) << r.kind;
    }
  }
}

TEST(OpenAPIV3Document, EveryWriteOperationHasFieldValidation) {
  for (const auto& g : api::served_groups())
    for (const auto& v : g.versions) {
      auto doc = openapi_v3_document(gv_path(g.group, v));
      for (const auto& [path, item] : doc->at("paths").as_object())
        for (const auto& [method, op] : item.as_object()) {
          if (method != "patch" && method != "put" && method != "post") continue;
          const auto& oo = op.as_object();
          if (oo.at("x-kubernetes-action").as_string() == "connect") continue;
          EXPECT_TRUE(has_query_param(oo, "fieldValidation")) << path << " " << method;
          EXPECT_TRUE(has_query_param(oo, "dryRun")) << path << " " << method;
          EXPECT_TRUE(has_query_param(oo, "fieldManager")) << path << " " << method;
        }
    }
}

TEST(OpenAPIV3Document, PodPaths) {
  auto doc = openapi_v3_document("api/v1");
  ASSERT_TRUE(doc);
  const auto& paths = doc->at("paths").as_object();
  const auto& item = paths.at("/api/v1/namespaces/{namespace}/pods/{name}").as_object();
  for (const char* m : {"get", "put", "patch", "delete"}) {
    ASSERT_TRUE(item.contains(m)) << m;
    EXPECT_TRUE(gvk_is(item.at(m).as_object(), "", "v1", "Pod")) << m;
  }
  EXPECT_EQ(item.at("patch").at("operationId").as_string(), "patchCoreV1NamespacedPod");
  EXPECT_EQ(item.at("get").at("x-kubernetes-action").as_string(), "get");
  const auto& coll = paths.at("/api/v1/namespaces/{namespace}/pods").as_object();
  EXPECT_EQ(coll.at("get").at("x-kubernetes-action").as_string(), "list");
  EXPECT_EQ(coll.at("post").at("x-kubernetes-action").as_string(), "post");
  EXPECT_EQ(coll.at("delete").at("x-kubernetes-action").as_string(), "deletecollection");
  EXPECT_TRUE(has_query_param(coll.at("post").as_object(), "fieldValidation"));
  EXPECT_EQ(paths.at("/api/v1/pods").at("get").at("operationId").as_string(),
            "listCoreV1PodForAllNamespaces");
  const auto& status = paths.at("/api/v1/namespaces/{namespace}/pods/{name}/status").as_object();
  EXPECT_TRUE(gvk_is(status.at("patch").as_object(), "", "v1", "Pod"));
  EXPECT_TRUE(has_query_param(status.at("patch").as_object(), "fieldValidation"));
  const auto& exec = paths.at("/api/v1/namespaces/{namespace}/pods/{name}/exec").as_object();
  EXPECT_EQ(exec.at("post").at("x-kubernetes-action").as_string(), "connect");
  EXPECT_TRUE(gvk_is(exec.at("get").as_object(), "", "v1", "PodExecOptions"));
  // Path parameters are declared on the path item.
  std::set<std::string> names;
  for (const auto& p : item.at("parameters").as_array()) {
    names.insert(std::string(p.at("name").as_string()));
    if (p.at("in").as_string() == "path") {
      EXPECT_TRUE(p.at("required").as_bool());
    }
  }
  EXPECT_TRUE(names.count("name") && names.count("namespace"));
  // The fieldValidation parameter is a string query parameter.
  for (const auto& p : item.at("patch").at("parameters").as_array()) {
    if (p.at("name").as_string() == "fieldValidation") {
      EXPECT_EQ(p.at("schema").at("type").as_string(), "string");
      EXPECT_TRUE(p.at("schema").at("uniqueItems").as_bool());
    }
  }
}

TEST(OpenAPIV3Document, ClusterScopedAndScale) {
  auto core = openapi_v3_document("api/v1");
  const auto& paths = core->at("paths").as_object();
  EXPECT_TRUE(paths.contains("/api/v1/namespaces/{name}"));
  EXPECT_TRUE(paths.contains("/api/v1/nodes/{name}"));
  EXPECT_TRUE(paths.contains("/api/v1/nodes/{name}/status"));
  EXPECT_FALSE(paths.contains("/api/v1/namespaces/{namespace}/nodes/{name}"));
  for (const auto& p : paths.at("/api/v1/nodes/{name}").at("parameters").as_array()) {
    EXPECT_NE(p.at("name").as_string(), "namespace");
  }
  // namespaces has no deletecollection.
  EXPECT_FALSE(paths.at("/api/v1/namespaces").as_object().contains("delete"));

  auto apps = openapi_v3_document("apis/apps/v1");
  const auto& ap = apps->at("paths").as_object();
  const auto& scale =
      ap.at("/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale").as_object();
  EXPECT_TRUE(gvk_is(scale.at("patch").as_object(), "autoscaling", "v1", "Scale"));
  EXPECT_TRUE(has_query_param(scale.at("patch").as_object(), "fieldValidation"));
  EXPECT_EQ(scale.at("patch").at("operationId").as_string(),
            "patchAppsV1NamespacedDeploymentScale");
  EXPECT_FALSE(scale.contains("post"));
  auto coord = openapi_v3_document("apis/coordination.k8s.io/v1");
  EXPECT_TRUE(coord->at("paths").as_object().contains(
      "/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/{name}"));
}

}  // namespace
}  // namespace skiff::discovery
