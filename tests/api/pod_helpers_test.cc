// api::pod_qos_class and api::is_pod_ready (api/pod_helpers.h).
#include "api/pod_helpers.h"

#include <gtest/gtest.h>

namespace skiff::api {
namespace {

json::object pod(const char* text) { return boost::json::parse(text).as_object(); }

TEST(PodQos, Classes) {
  EXPECT_EQ(pod_qos_class(pod(R"({"spec":{"containers":[{"name":"a"}]}})")), "BestEffort");
  EXPECT_EQ(pod_qos_class(pod(R"({"spec":{}})")), "BestEffort");
  EXPECT_EQ(pod_qos_class(pod(R"({"spec":{"containers":[{"resources":{"requests":{"cpu":"0"}}}]}})")),
            "BestEffort");
  EXPECT_EQ(pod_qos_class(pod(R"({"spec":{"containers":[{"resources":{"requests":{"cpu":"100m"}}}]}})")),
            "Burstable");
  EXPECT_EQ(pod_qos_class(pod(
                R"({"spec":{"containers":[{"resources":{"limits":{"cpu":"1","memory":"1Gi"}}}]}})")),
            "Guaranteed");
  // Only cpu limited: Burstable.
  EXPECT_EQ(pod_qos_class(pod(R"({"spec":{"containers":[{"resources":{"limits":{"cpu":"1"}}}]}})")),
            "Burstable");
  // A second container without limits makes it Burstable.
  EXPECT_EQ(pod_qos_class(pod(R"({"spec":{"containers":[
      {"resources":{"limits":{"cpu":"1","memory":"1Gi"}}},{"name":"b"}]}})")),
            "Burstable");
  // An init container counts like the others.
  EXPECT_EQ(pod_qos_class(pod(R"({"spec":{"containers":[{"resources":{"limits":{"cpu":"1","memory":"1Gi"}}}],
      "initContainers":[{"resources":{"requests":{"memory":"1Mi"}}}]}})")),
            "Burstable");
}

// The issue's case: requests "1" and limits "1000m" are one quantity, so the pod is Guaranteed
// whoever asks (the API server at create, the agent when it writes the status).
TEST(PodQos, EqualQuantitiesWrittenDifferently) {
  auto p = pod(R"({"spec":{"containers":[{"resources":{
      "requests":{"cpu":"1","memory":"1Gi"},"limits":{"cpu":"1000m","memory":"1073741824"}}}]}})");
  EXPECT_EQ(pod_qos_class(p), "Guaranteed");
  auto unequal = pod(R"({"spec":{"containers":[{"resources":{
      "requests":{"cpu":"999m","memory":"1Gi"},"limits":{"cpu":"1","memory":"1Gi"}}}]}})");
  EXPECT_EQ(pod_qos_class(unequal), "Burstable");
}

TEST(PodReady, ReadyCondition) {
  EXPECT_FALSE(is_pod_ready(pod(R"({"status":{}})")));
  EXPECT_FALSE(is_pod_ready(pod(R"({"status":{"conditions":[{"type":"Ready","status":"False"}]}})")));
  EXPECT_TRUE(is_pod_ready(pod(
      R"({"status":{"conditions":[{"type":"Initialized","status":"True"},{"type":"Ready","status":"True"}]}})")));
  ASSERT_NE(pod_condition(pod(R"({"status":{"conditions":[{"type":"Ready","status":"True"}]}})"), "Ready"),
            nullptr);
}

}  // namespace
}  // namespace skiff::api
