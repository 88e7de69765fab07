#include <gtest/gtest.h>

#include "patch/patch.h"

namespace skiff {
namespace {

FieldStrategy at(std::string_view group, std::string_view kind, std::vector<std::string> path) {
  return field_strategy(group, kind, path);
}

TEST(FieldStrategy, PodSpecIsReachedFromEveryWorkload) {
  for (auto [group, kind, prefix] :
       std::initializer_list<std::tuple<const char*, const char*, std::vector<std::string>>>{
           {"", "Pod", {"spec"}},
           {"apps", "Deployment", {"spec", "template", "spec"}},
           {"apps", "ReplicaSet", {"spec", "template", "spec"}},
           {"apps", "StatefulSet", {"spec", "template", "spec"}},
           {"apps", "DaemonSet", {"spec", "template", "spec"}},
           {"batch", "Job", {"spec", "template", "spec"}},
           {"batch", "CronJob", {"spec", "jobTemplate", "spec", "template", "spec"}}}) {
    auto path = [&](std::vector<std::string> tail) {
      auto p = prefix;
      p.insert(p.end(), tail.begin(), tail.end());
      return p;
    };
    SCOPED_TRACE(std::string(group) + "/" + kind);
    auto c = at(group, kind, path({"containers"}));
    EXPECT_TRUE(c.merge);
    EXPECT_EQ(c.merge_key, "name");
    EXPECT_EQ(at(group, kind, path({"initContainers", "ports"})).merge_key, "containerPort");
    EXPECT_EQ(at(group, kind, path({"containers", "env"})).merge_key, "name");
    EXPECT_EQ(at(group, kind, path({"containers", "volumeMounts"})).merge_key, "mountPath");
    EXPECT_EQ(at(group, kind, path({"ephemeralContainers", "volumeDevices"})).merge_key,
              "devicePath");
    auto v = at(group, kind, path({"volumes"}));
    EXPECT_TRUE(v.merge && v.retain_keys);
    EXPECT_EQ(v.merge_key, "name");
    EXPECT_EQ(at(group, kind, path({"imagePullSecrets"})).merge_key, "name");
    EXPECT_EQ(at(group, kind, path({"hostAliases"})).merge_key, "ip");
    EXPECT_FALSE(at(group, kind, path({"tolerations"})).merge);
    EXPECT_FALSE(at(group, kind, path({"containers", "args"})).merge);
    EXPECT_FALSE(at(group, kind, path({"containers", "resizePolicy"})).merge);
  }
}

TEST(FieldStrategy, MetadataOfEveryKnownKind) {
  for (auto [group, kind] : std::initializer_list<std::pair<const char*, const char*>>{
           {"", "ConfigMap"}, {"", "Secret"}, {"", "Namespace"}, {"discovery.k8s.io", "EndpointSlice"},
           {"coordination.k8s.io", "Lease"}, {"apps", "Deployment"}, {"core", "Pod"}}) {
    SCOPED_TRACE(kind);
    auto f = at(group, kind, {"metadata", "finalizers"});
    EXPECT_TRUE(f.merge);
    EXPECT_EQ(f.merge_key, "");
    EXPECT_EQ(at(group, kind, {"metadata", "ownerReferences"}).merge_key, "uid");
    EXPECT_FALSE(at(group, kind, {"metadata", "labels"}).merge);
  }
}

TEST(FieldStrategy, StatusAndSpecLists) {
  EXPECT_EQ(at("", "Service", {"spec", "ports"}).merge_key, "port");
  EXPECT_EQ(at("", "Node", {"status", "addresses"}).merge_key, "type");
  EXPECT_FALSE(at("", "Node", {"status", "images"}).merge);
  EXPECT_TRUE(at("", "Node", {"spec", "podCIDRs"}).merge);
  EXPECT_EQ(at("", "Pod", {"status", "conditions"}).merge_key, "type");
  EXPECT_EQ(at("", "Pod", {"status", "podIPs"}).merge_key, "ip");
  EXPECT_FALSE(at("", "Pod", {"status", "containerStatuses"}).merge);
  EXPECT_EQ(at("apps", "Deployment", {"status", "conditions"}).merge_key, "type");
  EXPECT_TRUE(at("apps", "Deployment", {"spec", "strategy"}).retain_keys);
  EXPECT_FALSE(at("apps", "DaemonSet", {"spec", "updateStrategy"}).retain_keys);
  EXPECT_EQ(at("", "ServiceAccount", {"secrets"}).merge_key, "name");
  EXPECT_TRUE(at("policy", "PodDisruptionBudget", {"spec", "selector"}).replace);
  EXPECT_FALSE(at("", "Endpoints", {"subsets"}).merge);
}

TEST(FieldStrategy, UnknownKindsAndFieldsHaveNone) {
  EXPECT_FALSE(at("example.com", "Widget", {"metadata", "finalizers"}).merge);
  EXPECT_FALSE(at("", "Pod", {"spec", "nosuch", "containers"}).merge);
  EXPECT_FALSE(at("", "Pod", {}).merge);
  EXPECT_FALSE(at("apps", "Pod", {"spec", "containers"}).merge);
}

}  // namespace
}  // namespace skiff
