// The resource registry's run-time entries (CRDs), the legacy versions of the apps kinds and
// their conversion to apps/v1, and CRD defaulting/validation.
#include <gtest/gtest.h>

#include "api/conversion.h"
#include "api/kinds.h"
#include "api/kinds_apiextensions.h"

namespace skiff::api {
namespace {

json::object parse(const char* text) { return json::parse(text).as_object(); }

const char* kCrd = R"({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
  "metadata": {"name": "crontabs.stable.example.com"},
  "spec": {"group": "stable.example.com", "scope": "Namespaced",
    "names": {"plural": "crontabs", "kind": "CronTab", "shortNames": ["ct"]},
    "versions": [
      {"name": "v1beta1", "served": true, "storage": false,
       "schema": {"openAPIV3Schema": {"type": "object"}}},
      {"name": "v1", "served": true, "storage": true,
       "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas"}},
       "additionalPrinterColumns": [{"name": "Spec", "type": "string", "jsonPath": ".spec.cronSpec"}],
       "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": {"type": "object",
         "properties": {"cronSpec": {"type": "string"}, "replicas": {"type": "integer", "default": 1}}}}}}},
      {"name": "v2alpha1", "served": false, "storage": false,
       "schema": {"openAPIV3Schema": {"type": "object"}}}]}})";

TEST(Registry, LegacyAppsVersionsAreStoredAsAppsV1) {
  const auto* ext = find_resource("extensions", "v1beta1", "deployments");
  ASSERT_NE(ext, nullptr);
  EXPECT_EQ(&ext->hub(), find_resource("apps", "v1", "deployments"));
  EXPECT_EQ(ext->key_prefix(), "/registry/apps/deployments/");
  EXPECT_NE(ext->deprecation.find("extensions/v1beta1 Deployment is deprecated"), std::string::npos);
  EXPECT_TRUE(ext->categories.empty() && ext->short_names.empty());  // `get all`, `get deploy` unambiguous
  for (const char* gv : {"v1beta1", "v1beta2"})
    EXPECT_NE(find_resource("apps", gv, "deployments"), nullptr) << gv;
  // discovery order: apps/v1 preferred, extensions after every built-in group
  auto groups = served_groups();
  for (const auto& g : groups)
    if (g.group == "apps") {
      EXPECT_EQ(g.versions, (std::vector<std::string>{"v1", "v1beta2", "v1beta1"}));
    }
}

TEST(Conversion, ExtensionsDeploymentGetsItsOldDefaults) {
  const auto& ext = *find_resource("extensions", "v1beta1", "deployments");
  auto d = parse(R"({"apiVersion": "extensions/v1beta1", "kind": "Deployment", "metadata": {"name": "old"},
    "spec": {"rollbackTo": {"revision": 1}, "template": {"metadata": {"labels": {"app": "old"}}, "spec": {}}}})");
  convert_to_storage(ext, d);
  EXPECT_EQ(json::serialize(d["spec"].as_object()["selector"]), R"({"matchLabels":{"app":"old"}})");
  EXPECT_EQ(json::serialize(d["metadata"].as_object()["labels"]), R"({"app":"old"})");
  EXPECT_EQ(d["apiVersion"], "apps/v1");
  EXPECT_EQ(d["spec"].as_object()["revisionHistoryLimit"], 2147483647);
  EXPECT_EQ(d["spec"].as_object()["strategy"].as_object()["rollingUpdate"].as_object()["maxSurge"], 1);
  EXPECT_FALSE(d["spec"].as_object().contains("rollbackTo"));
  convert_from_storage(ext, d);
  EXPECT_EQ(d["apiVersion"], "extensions/v1beta1");
  // apps/v1beta2 requires the selector, as apps/v1 does: no defaulting from the template
  const auto& b2 = *find_resource("apps", "v1beta2", "deployments");
  auto e = parse(R"({"spec": {"template": {"metadata": {"labels": {"app": "x"}}}}})");
  convert_to_storage(b2, e);
  EXPECT_FALSE(e["spec"].as_object().contains("selector"));
  EXPECT_EQ(e["spec"].as_object()["strategy"].as_object()["rollingUpdate"].as_object()["maxSurge"], "25%");
}

TEST(Crd, DefaultsValidatesAndServesItsVersions) {
  auto crd = parse(kCrd);
  default_crd(crd);
  EXPECT_EQ(crd["spec"].as_object()["names"].as_object()["singular"], "crontab");
  EXPECT_EQ(crd["spec"].as_object()["names"].as_object()["listKind"], "CronTabList");
  std::vector<FieldCause> causes;
  validate_crd(crd, nullptr, causes);
  EXPECT_TRUE(causes.empty()) << causes[0].field << ": " << causes[0].message;

  auto res = crd_resources(crd);
  EXPECT_EQ(res.storage_version, "v1");
  ASSERT_EQ(res.resources.size(), 2u);  // v2alpha1 is not served
  EXPECT_EQ(res.resources[0].version, "v1");  // most preferred first
  EXPECT_EQ(res.resources[1].version, "v1beta1");
  const auto& v1 = res.resources[0];
  EXPECT_TRUE(v1.has_subresource("status") && v1.has_subresource("scale"));
  EXPECT_EQ(v1.runtime->columns()[0].name, "Spec");
  EXPECT_EQ(res.resources[1].runtime->columns()[0].name, "Age");  // none given

  register_resources("crontabs.stable.example.com", std::move(res.resources), res.storage_version);
  const auto* served_v1 = find_resource("stable.example.com", "v1", "crontabs");
  const auto* served_b1 = find_kind("stable.example.com", "v1beta1", "CronTab");
  ASSERT_TRUE(served_v1 && served_b1);
  EXPECT_EQ(&served_b1->hub(), served_v1);
  EXPECT_EQ(served_b1->key_prefix(), "/registry/stable.example.com/crontabs/");
  auto obj = parse(R"({"spec": {"cronSpec": "x", "junk": 1}})");
  served_v1->runtime->prune_and_default(obj, nullptr);
  EXPECT_EQ(json::serialize(obj), R"({"spec":{"cronSpec":"x","replicas":1}})");
  auto gen = registry_generation();
  register_resources("crontabs.stable.example.com", {});
  EXPECT_EQ(find_resource("stable.example.com", "v1", "crontabs"), nullptr);
  EXPECT_GT(registry_generation(), gen);
}

TEST(Crd, RefusesWhatUpstreamRefuses) {
  auto crd = parse(R"({"metadata": {"name": "wrong"}, "spec": {"group": "nodot", "scope": "Everywhere",
    "names": {"plural": "Bad_Plural", "kind": "X"},
    "versions": [{"name": "v1", "served": true, "storage": false}]}})");
  default_crd(crd);
  std::vector<FieldCause> causes;
  validate_crd(crd, nullptr, causes);
  std::vector<std::string> paths;
  for (const auto& c : causes) paths.push_back(c.field);
  EXPECT_EQ(paths, (std::vector<std::string>{"spec.group", "spec.names.plural", "metadata.name", "spec.scope",
                                             "spec.versions[0].schema.openAPIV3Schema", "spec.versions"}));
}

TEST(Crd, VersionPriority) {
  std::vector<std::string> v = {"v1alpha1", "v2", "foo", "v1", "v1beta2", "v1beta1", "v10"};
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return version_less(b, a); });
  EXPECT_EQ(v, (std::vector<std::string>{"v10", "v2", "v1", "v1beta2", "v1beta1", "v1alpha1", "foo"}));
}

}  // namespace
}  // namespace skiff::api
