#include <gtest/gtest.h>

#include "patch/patch.h"
#include "test_json.h"

namespace skiff {
namespace {
using patch_test::J;

json::value smp(std::string_view doc, std::string_view patch, std::string_view group = "",
                std::string_view kind = "Pod") {
  auto r = apply_strategic_merge_patch(J(doc), J(patch), group, kind);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : json::value();
}

int smp_code(std::string_view doc, std::string_view patch, std::string_view group = "",
             std::string_view kind = "Pod") {
  auto r = apply_strategic_merge_patch(J(doc), J(patch), group, kind);
  return r.ok() ? 200 : r.error().code;
}

// True when no key anywhere in `v` starts with '$' (no directive leaked into a result).
bool no_directives(const json::value& v) {
  if (const auto* o = v.if_object()) {
    for (const auto& m : *o)
      if (m.key().starts_with("$") || !no_directives(m.value())) return false;
  } else if (const auto* a = v.if_array()) {
    for (const auto& e : *a)
      if (!no_directives(e)) return false;
  }
  return true;
}

const char* kPod = R"({
  "apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"app":"a","tier":"t"}},
  "spec":{
    "containers":[
      {"name":"web","image":"nginx:1","ports":[{"containerPort":80,"name":"http"}],
       "env":[{"name":"A","value":"1"},{"name":"B","value":"2"},{"name":"C","value":"3"}],
       "args":["--a","--b"]},
      {"name":"side","image":"busybox:1.35"}],
    "tolerations":[{"key":"k1","operator":"Exists"}],
    "securityContext":{"runAsUser":1000}}})";

TEST(StrategicMerge, ContainersMergeByName) {
  auto r = smp(kPod, R"({"spec":{"containers":[{"name":"web","image":"nginx:2"}]}})");
  const auto& cs = r.at("spec").at("containers").as_array();
  ASSERT_EQ(cs.size(), 2u);
  EXPECT_EQ(cs[0].at("name"), "web");
  EXPECT_EQ(cs[0].at("image"), "nginx:2");
  EXPECT_EQ(cs[0].at("env").as_array().size(), 3u);  // untouched fields of the element stay
  EXPECT_EQ(cs[1], J(R"({"name":"side","image":"busybox:1.35"})"));
}

TEST(StrategicMerge, NewElementsComeBeforeServerOnlyOnesAsUpstream) {
  auto r = smp(kPod, R"({"spec":{"containers":[{"name":"extra","image":"redis"}]}})");
  const auto& cs = r.at("spec").at("containers").as_array();
  ASSERT_EQ(cs.size(), 3u);
  EXPECT_EQ(cs[0].at("name"), "extra");
  EXPECT_EQ(cs[1].at("name"), "web");
  EXPECT_EQ(cs[2].at("name"), "side");
}

TEST(StrategicMerge, PortsMergeByContainerPort) {
  auto r = smp(kPod, R"({"spec":{"containers":[{"name":"web","ports":[
                  {"containerPort":80,"protocol":"TCP"},{"containerPort":443,"name":"https"}]}]}})");
  EXPECT_EQ(r.at("spec").at("containers").at(0).at("ports"),
            J(R"([{"containerPort":80,"name":"http","protocol":"TCP"},
                  {"containerPort":443,"name":"https"}])"));
}

TEST(StrategicMerge, EnvMergesByName) {
  auto r = smp(kPod, R"({"spec":{"containers":[{"name":"web","env":[
                  {"name":"B","value":"20"},{"name":"A","value":null}]}]}})");
  // The patch list's order wins over the live order for the elements it names (upstream).
  EXPECT_EQ(r.at("spec").at("containers").at(0).at("env"),
            J(R"([{"name":"B","value":"20"},{"name":"A"},{"name":"C","value":"3"}])"));
  r = smp(kPod, R"({"spec":{"containers":[{"name":"web","env":[{"name":"B","value":"20"}]}]}})");
  EXPECT_EQ(r.at("spec").at("containers").at(0).at("env"),
            J(R"([{"name":"A","value":"1"},{"name":"B","value":"20"},{"name":"C","value":"3"}])"));
}

TEST(StrategicMerge, SetElementOrderReordersTheList) {
  auto r = smp(kPod, R"({"spec":{"containers":[{"name":"web",
                  "$setElementOrder/env":[{"name":"C"},{"name":"A"},{"name":"B"}]}]}})");
  EXPECT_EQ(r.at("spec").at("containers").at(0).at("env"),
            J(R"([{"name":"C","value":"3"},{"name":"A","value":"1"},{"name":"B","value":"2"}])"));

  r = smp(kPod, R"({"spec":{"containers":[{"name":"web",
                  "$setElementOrder/env":[{"name":"A"},{"name":"D"},{"name":"B"},{"name":"C"}],
                  "env":[{"name":"D","value":"4"}]}]}})");
  EXPECT_EQ(r.at("spec").at("containers").at(0).at("env"),
            J(R"([{"name":"A","value":"1"},{"name":"D","value":"4"},{"name":"B","value":"2"},
                  {"name":"C","value":"3"}])"));
}

TEST(StrategicMerge, SetElementOrderMustAgreeWithThePatchList) {
  EXPECT_EQ(smp_code(kPod, R"({"spec":{"$setElementOrder/containers":[{"name":"web"},{"name":"side"}],
                                 "containers":[{"name":"side","image":"x"},{"name":"web","image":"y"}]}})"),
            400);
  EXPECT_EQ(smp_code(kPod, R"({"spec":{"$setElementOrder/containers":[{"image":"x"}]}})"), 400);
  EXPECT_EQ(smp_code(kPod, R"({"spec":{"$setElementOrder/containers":{"name":"web"}}})"), 400);
}

TEST(StrategicMerge, PatchDeleteRemovesOneElement) {
  auto r = smp(kPod, R"({"spec":{"containers":[{"$patch":"delete","name":"side"}]}})");
  const auto& cs = r.at("spec").at("containers").as_array();
  ASSERT_EQ(cs.size(), 1u);
  EXPECT_EQ(cs[0].at("name"), "web");
  EXPECT_EQ(smp_code(kPod, R"({"spec":{"containers":[{"$patch":"delete","image":"x"}]}})"), 400);
}

TEST(StrategicMerge, PatchReplaceOnAListReplacesIt) {
  auto r = smp(kPod, R"({"spec":{"containers":[{"name":"only","image":"x"},{"$patch":"replace"}]}})");
  EXPECT_EQ(r.at("spec").at("containers"), J(R"([{"name":"only","image":"x"}])"));
}

TEST(StrategicMerge, PatchReplaceAndDeleteOnMaps) {
  auto r = smp(kPod, R"({"metadata":{"labels":{"$patch":"replace","x":"y"}},
                         "spec":{"securityContext":{"$patch":"delete"}}})");
  EXPECT_EQ(r.at("metadata").at("labels"), J(R"({"x":"y"})"));
  EXPECT_EQ(r.at("metadata").at("name"), "p");
  EXPECT_FALSE(r.at("spec").as_object().contains("securityContext"));
  EXPECT_EQ(smp_code(kPod, R"({"spec":{"$patch":"frobnicate"}})"), 400);
  EXPECT_EQ(smp_code(kPod, R"({"spec":{"$patch":7}})"), 400);
}

const char* kDeployment = R"({
  "apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},
  "spec":{"replicas":1,
    "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1,"maxUnavailable":0}},
    "template":{"metadata":{"labels":{"app":"d"}},"spec":{
      "containers":[{"name":"web","image":"nginx"},{"name":"side","image":"busybox:1.35"}],
      "volumes":[{"name":"data","emptyDir":{}}]}}}})";

TEST(StrategicMerge, RetainKeysOnDeploymentStrategy) {
  auto r = smp(kDeployment,
               R"({"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}})", "apps",
               "Deployment");
  EXPECT_EQ(r.at("spec").at("strategy"), J(R"({"type":"Recreate"})"));
  // A patch may only set fields that its $retainKeys lists.
  EXPECT_EQ(smp_code(kDeployment,
                     R"({"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate",
                                             "rollingUpdate":{"maxSurge":2}}}})",
                     "apps", "Deployment"),
            400);
  EXPECT_EQ(smp_code(kDeployment, R"({"spec":{"strategy":{"$retainKeys":"type"}}})", "apps",
                     "Deployment"),
            400);
}

TEST(StrategicMerge, RetainKeysOnAVolumeSource) {
  auto r = smp(kDeployment, R"({"spec":{"template":{"spec":{"volumes":[
                  {"$retainKeys":["hostPath","name"],"name":"data","hostPath":{"path":"/x"}}]}}}})",
               "apps", "Deployment");
  EXPECT_EQ(r.at("spec").at("template").at("spec").at("volumes"),
            J(R"([{"name":"data","hostPath":{"path":"/x"}}])"));
}

TEST(StrategicMerge, KubectlApplyThreeWayPatchChangesOnlyTheSideContainer) {
  auto r = smp(kDeployment, R"({"spec":{"template":{"spec":{
                  "$setElementOrder/containers":[{"name":"web"},{"name":"side"}],
                  "containers":[{"image":"busybox:1.36","name":"side"}]}}}})",
               "apps", "Deployment");
  EXPECT_EQ(r.at("spec").at("template").at("spec").at("containers"),
            J(R"([{"name":"web","image":"nginx"},{"name":"side","image":"busybox:1.36"}])"));
  EXPECT_TRUE(no_directives(r));
}

TEST(StrategicMerge, KubectlApplyRemovingAContainer) {
  auto r = smp(kDeployment, R"({"spec":{"template":{"spec":{
                  "$setElementOrder/containers":[{"name":"web"}],
                  "containers":[{"$patch":"delete","name":"side"}]}}}})",
               "apps", "Deployment");
  EXPECT_EQ(r.at("spec").at("template").at("spec").at("containers"),
            J(R"([{"name":"web","image":"nginx"}])"));
}

TEST(StrategicMerge, FinalizersArePrimitiveSets) {
  const char* doc = R"({"metadata":{"name":"c","finalizers":["a","b","c"]}})";
  auto r = smp(doc, R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["b"]}})", "",
               "ConfigMap");
  EXPECT_EQ(r.at("metadata").at("finalizers"), J(R"(["a","c"])"));
  // kubectl apply's form: the order list and the deletions together.
  r = smp(doc, R"({"metadata":{"$setElementOrder/finalizers":["a","c"],
                               "$deleteFromPrimitiveList/finalizers":["b"]}})",
          "", "ConfigMap");
  EXPECT_EQ(r.at("metadata").at("finalizers"), J(R"(["a","c"])"));
  // Merge is a set union: existing values are not duplicated.
  r = smp(doc, R"({"metadata":{"finalizers":["b","d"]}})", "", "ConfigMap");
  auto f = r.at("metadata").at("finalizers").as_array();
  EXPECT_EQ(f.size(), 4u);
  EXPECT_EQ(r.at("metadata").at("finalizers"), J(R"(["a","b","d","c"])"));
  // Deleting from a missing list is a no-op, not an insertion.
  r = smp(R"({"metadata":{"name":"c"}})",
          R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["b"]}})", "", "ConfigMap");
  EXPECT_EQ(r, J(R"({"metadata":{"name":"c"}})"));
  EXPECT_EQ(smp_code(doc, R"({"metadata":{"$deleteFromPrimitiveList/finalizers":"b"}})", "",
                     "ConfigMap"),
            400);
}

TEST(StrategicMerge, OwnerReferencesMergeByUid) {
  auto r = smp(R"({"metadata":{"ownerReferences":[{"uid":"1","name":"a"},{"uid":"2","name":"b"}]}})",
               R"({"metadata":{"ownerReferences":[{"uid":"2","controller":true}]}})", "apps",
               "ReplicaSet");
  EXPECT_EQ(r.at("metadata").at("ownerReferences"),
            J(R"([{"uid":"1","name":"a"},{"uid":"2","name":"b","controller":true}])"));
}

TEST(StrategicMerge, ListsWithoutStrategyAreReplaced) {
  auto r = smp(kPod, R"({"spec":{"tolerations":[{"key":"k2","operator":"Exists"}],
                         "containers":[{"name":"web","args":["--c"]}]}})");
  EXPECT_EQ(r.at("spec").at("tolerations"), J(R"([{"key":"k2","operator":"Exists"}])"));
  EXPECT_EQ(r.at("spec").at("containers").at(0).at("args"), J(R"(["--c"])"));
}

TEST(StrategicMerge, UnknownKindFallsBackToMergePatch) {
  const char* patch = R"({"spec":{"containers":[{"name":"web","image":"nginx:2"}],
                                  "securityContext":null}})";
  auto r = smp(kPod, patch, "example.com", "Widget");
  auto m = apply_merge_patch(J(kPod), J(patch));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(r, *m);
  EXPECT_EQ(r.at("spec").at("containers").as_array().size(), 1u);
}

TEST(StrategicMerge, OtherBuiltInKinds) {
  // Service ports merge by port.
  auto r = smp(R"({"spec":{"ports":[{"port":80,"targetPort":8080},{"port":443}]}})",
               R"({"spec":{"ports":[{"port":80,"targetPort":9090}]}})", "", "Service");
  EXPECT_EQ(r.at("spec").at("ports"), J(R"([{"port":80,"targetPort":9090},{"port":443}])"));
  // Node conditions merge by type; images have no strategy.
  r = smp(R"({"status":{"conditions":[{"type":"Ready","status":"False"},{"type":"DiskPressure"}],
              "images":[{"names":["a"]}]}})",
          R"({"status":{"conditions":[{"type":"Ready","status":"True"}],"images":[{"names":["b"]}]}})",
          "", "Node");
  EXPECT_EQ(r.at("status").at("conditions"),
            J(R"([{"type":"Ready","status":"True"},{"type":"DiskPressure"}])"));
  EXPECT_EQ(r.at("status").at("images"), J(R"([{"names":["b"]}])"));
  // CronJob pod templates sit under spec.jobTemplate.spec.template.
  r = smp(R"({"spec":{"jobTemplate":{"spec":{"template":{"spec":{"containers":[
              {"name":"a","image":"x"},{"name":"b","image":"y"}]}}}}}})",
          R"({"spec":{"jobTemplate":{"spec":{"template":{"spec":{"containers":[
              {"name":"b","image":"z"}]}}}}}})",
          "batch", "CronJob");
  EXPECT_EQ(r.at("spec").at("jobTemplate").at("spec").at("template").at("spec").at("containers"),
            J(R"([{"name":"a","image":"x"},{"name":"b","image":"z"}])"));
  // A PodDisruptionBudget's selector is replaced, not merged.
  r = smp(R"({"spec":{"selector":{"matchLabels":{"a":"1"}}}})",
          R"({"spec":{"selector":{"matchLabels":{"b":"2"}}}})", "policy", "PodDisruptionBudget");
  EXPECT_EQ(r.at("spec").at("selector"), J(R"({"matchLabels":{"b":"2"}})"));
}

TEST(StrategicMerge, RestartAnnotationPatch) {
  auto r = smp(kDeployment, R"({"spec":{"template":{"metadata":{"annotations":{
                  "kubectl.kubernetes.io/restartedAt":"2024-01-01T00:00:00Z"}}}}})",
               "apps", "Deployment");
  EXPECT_EQ(r.at("spec").at("template").at("metadata"),
            J(R"({"labels":{"app":"d"},"annotations":{
                  "kubectl.kubernetes.io/restartedAt":"2024-01-01T00:00:00Z"}})"));
}

TEST(StrategicMerge, NoDirectiveReachesAFieldTheOriginalLacks) {
  auto r = smp(R"({"metadata":{"name":"p"}})", R"({"spec":{
                  "$setElementOrder/initContainers":[{"name":"i"}],
                  "initContainers":[{"name":"i","image":"x","env":[{"name":"E"},{"$patch":"delete","name":"F"}]}],
                  "securityContext":{"$patch":"replace","runAsUser":1},
                  "affinity":{"$patch":"delete"}}})");
  EXPECT_TRUE(no_directives(r)) << r;
  EXPECT_EQ(r.at("spec"), J(R"({"initContainers":[{"name":"i","image":"x","env":[{"name":"E"}]}],
                                "securityContext":{"runAsUser":1}})"));
}

TEST(StrategicMerge, MalformedPatchesAreBadRequests) {
  EXPECT_EQ(smp_code(kPod, R"([1,2])"), 400);
  EXPECT_EQ(smp_code(kPod, R"("x")"), 400);
  EXPECT_EQ(smp_code(kPod, R"({"spec":{"containers":[{"image":"no-name"}]}})"), 400);
  EXPECT_EQ(smp_code(kPod, R"({"spec":{"containers":["web"]}})"), 400);
  EXPECT_EQ(smp_code(kPod, R"({"spec":{"containers":[[1]]}})"), 400);
  EXPECT_EQ(smp_code(kPod, R"({"spec":{"containers":[{"$patch":"merge"}]}})"), 400);
  EXPECT_EQ(smp_code(kPod, R"({"spec":{"containers":[{"$patch":"bogus","name":"x"}]}})"), 400);
  EXPECT_EQ(smp_code(kPod, R"({"spec":{"$setElementOrder/":[]}})"), 400);
  // A value of another JSON type replaces the field, as upstream does.
  EXPECT_EQ(smp(kPod, R"({"spec":{"containers":"none"}})").at("spec").at("containers"), "none");
}

TEST(StrategicMerge, NullDeletesAndTopLevelDirectives) {
  auto r = smp(kPod, R"({"metadata":{"labels":{"tier":null,"missing":null}}})");
  EXPECT_EQ(r.at("metadata").at("labels"), J(R"({"app":"a"})"));
  EXPECT_EQ(smp(kPod, R"({"$patch":"delete"})"), J("{}"));
  EXPECT_EQ(smp(kPod, R"({"$patch":"replace","kind":"Pod"})"), J(R"({"kind":"Pod"})"));
}

}  // namespace
}  // namespace skiff
