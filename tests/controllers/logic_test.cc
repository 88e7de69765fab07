// Unit tests of the controllers' pure logic (controllers/logic.h).
#include "controllers/logic.h"

#include <gtest/gtest.h>

namespace skiff::controllers {
namespace {
using namespace std::chrono_literals;

json::object parse(const char* text) {
  json::value v;
  std::string err;
  EXPECT_TRUE(parse_json(text, v, err)) << err;
  return v.as_object();
}

client::ObjectPtr pod(const std::string& name, const std::string& node, const std::string& phase,
                      bool ready, const std::string& created) {
  json::object p{{"metadata", json::object{{"name", name}, {"creationTimestamp", created}}},
                 {"spec", json::object{}},
                 {"status", json::object{{"phase", phase}}}};
  if (!node.empty()) p["spec"].as_object()["nodeName"] = node;
  p["status"].as_object()["conditions"] = json::array{
      json::object{{"type", "Ready"}, {"status", ready ? "True" : "False"},
                   {"lastTransitionTime", "2024-01-01T00:00:00Z"}}};
  return std::make_shared<const json::object>(std::move(p));
}

std::vector<std::string> names(const std::vector<client::ObjectPtr>& v) {
  std::vector<std::string> out;
  for (const auto& p : v) out.push_back(get_string(*p, {"metadata", "name"}));
  return out;
}

TEST(PodsToDelete, PrefersUnscheduledThenPendingThenNotReadyThenNewest) {
  std::vector<client::ObjectPtr> pods = {
      pod("ready-old", "n1", "Running", true, "2024-01-01T00:00:00Z"),
      pod("ready-new", "n1", "Running", true, "2024-01-03T00:00:00Z"),
      pod("notready", "n1", "Running", false, "2024-01-01T00:00:00Z"),
      pod("pending", "n1", "Pending", false, "2024-01-01T00:00:00Z"),
      pod("unscheduled", "", "Pending", false, "2024-01-01T00:00:00Z"),
  };
  EXPECT_EQ(names(pods_to_delete(pods, 5)),
            (std::vector<std::string>{"unscheduled", "pending", "notready", "ready-new",
                                      "ready-old"}));
  EXPECT_EQ(names(pods_to_delete(pods, 2)), (std::vector<std::string>{"unscheduled", "pending"}));
  EXPECT_TRUE(pods_to_delete(pods, 0).empty());
}

TEST(PodState, ActiveReadyAvailable) {
  auto p = pod("a", "n", "Running", true, "2024-01-01T00:00:00Z");
  EXPECT_TRUE(is_pod_active(*p));
  EXPECT_TRUE(is_pod_ready(*p));
  auto t = std::chrono::system_clock::from_time_t(1704067200);  // 2024-01-01T00:00:00Z
  EXPECT_TRUE(is_pod_available(*p, 0, t));
  EXPECT_FALSE(is_pod_available(*p, 10, t + 5s));
  EXPECT_TRUE(is_pod_available(*p, 10, t + 10s));
  auto done = pod("b", "n", "Succeeded", false, "2024-01-01T00:00:00Z");
  EXPECT_FALSE(is_pod_active(*done));
  json::object deleting = *p;
  deleting["metadata"].as_object()["deletionTimestamp"] = "2024-01-01T00:00:00Z";
  EXPECT_FALSE(is_pod_active(deleting));
}

TEST(ControllerRef, FindsControllerOnly) {
  auto o = parse(R"({"metadata":{"ownerReferences":[
      {"kind":"A","name":"a","uid":"1"},{"kind":"B","name":"b","uid":"2","controller":true}]}})");
  const json::object* r = controller_ref(o);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(get_string(*r, {"uid"}), "2");
  EXPECT_EQ(controller_ref(parse(R"({"metadata":{}})")), nullptr);
}

TEST(Hash, StableAcrossKeyOrderAndIgnoresHashLabel) {
  auto a = parse(R"({"metadata":{"labels":{"app":"x","tier":"web"}},
                     "spec":{"containers":[{"name":"c","image":"nginx:1"}]}})");
  auto b = parse(R"({"spec":{"containers":[{"image":"nginx:1","name":"c"}]},
                     "metadata":{"labels":{"tier":"web","app":"x"}}})");
  EXPECT_EQ(pod_template_hash(a), pod_template_hash(b));
  EXPECT_EQ(pod_template_hash(a), pod_template_hash(a));
  auto c = parse(R"({"metadata":{"labels":{"app":"x","tier":"web"}},
                     "spec":{"containers":[{"name":"c","image":"nginx:2"}]}})");
  EXPECT_NE(pod_template_hash(a), pod_template_hash(c));
  json::object with_hash = a;
  with_hash["metadata"].as_object()["labels"].as_object()[kPodTemplateHashLabel] = "abc";
  EXPECT_EQ(pod_template_hash(with_hash), pod_template_hash(a));
  // Label-safe: no vowels, only [bcdfghjklmnpqrstvwxz2456789].
  for (char ch : pod_template_hash(a))
    EXPECT_NE(std::string_view("bcdfghjklmnpqrstvwxz2456789").find(ch), std::string_view::npos);
  EXPECT_EQ(fnv32a(""), 2166136261u);
  EXPECT_EQ(fnv32a("a"), 0xe40c292cu);
}

TEST(Templates, NewVersusOldMatching) {
  auto d = parse(R"({"metadata":{"labels":{"app":"x"}},"spec":{"containers":[{"name":"c","image":"i:2"}]}})");
  auto rs_new = parse(R"({"metadata":{"labels":{"app":"x","pod-template-hash":"h2"}},
                          "spec":{"containers":[{"name":"c","image":"i:2"}]}})");
  auto rs_old = parse(R"({"metadata":{"labels":{"app":"x","pod-template-hash":"h1"}},
                          "spec":{"containers":[{"name":"c","image":"i:1"}]}})");
  EXPECT_TRUE(templates_equal(rs_new, d));
  EXPECT_FALSE(templates_equal(rs_old, d));
  // A template whose only label was the hash equals one without labels.
  EXPECT_TRUE(templates_equal(parse(R"({"metadata":{"labels":{"pod-template-hash":"h"}},"spec":{}})"),
                              parse(R"({"spec":{}})")));
  // kubectl's undo patch leaves "creationTimestamp": null in the template metadata.
  EXPECT_TRUE(templates_equal(
      parse(R"({"metadata":{"labels":{"app":"x","pod-template-hash":"h"}},"spec":{}})"),
      parse(R"({"metadata":{"creationTimestamp":null,"labels":{"app":"x"}},"spec":{}})")));
  // A restart annotation makes it a different template.
  auto restarted = d;
  restarted["metadata"].as_object()["annotations"] =
      json::object{{"kubectl.kubernetes.io/restartedAt", "now"}};
  EXPECT_FALSE(templates_equal(rs_new, restarted));
}

TEST(Fenceposts, SurgeRoundsUpUnavailableRoundsDown) {
  json::value p25("25%"), p0("0%"), i0(0), i2(2), p50("50%");
  EXPECT_EQ(resolve_fenceposts(&p25, &p25, 10), (std::pair<int64_t, int64_t>{3, 2}));
  EXPECT_EQ(resolve_fenceposts(&p25, &p25, 4), (std::pair<int64_t, int64_t>{1, 1}));
  EXPECT_EQ(resolve_fenceposts(&p25, &p25, 1), (std::pair<int64_t, int64_t>{1, 0}));
  EXPECT_EQ(resolve_fenceposts(nullptr, nullptr, 3), (std::pair<int64_t, int64_t>{1, 0}));
  EXPECT_EQ(resolve_fenceposts(&i0, &i0, 5), (std::pair<int64_t, int64_t>{0, 1}));
  EXPECT_EQ(resolve_fenceposts(&p0, &p0, 5), (std::pair<int64_t, int64_t>{0, 1}));
  EXPECT_EQ(resolve_fenceposts(&i2, &p50, 5), (std::pair<int64_t, int64_t>{2, 2}));
}

TEST(ExpectationsTest, CreatesAndDeletesMustBeObserved) {
  Expectations e(1min);
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(e.satisfied("ns/rs", t0));
  e.expect_creations("ns/rs", 2, t0);
  EXPECT_FALSE(e.satisfied("ns/rs", t0));
  e.creation_observed("ns/rs");
  EXPECT_FALSE(e.satisfied("ns/rs", t0));
  e.creation_observed("ns/rs");
  EXPECT_TRUE(e.satisfied("ns/rs", t0));
  e.creation_observed("ns/rs");  // extra observations do not go negative
  e.expect_deletions("ns/rs", {"ns/p1", "ns/p2"}, t0);
  EXPECT_FALSE(e.satisfied("ns/rs", t0));
  e.deletion_observed("ns/rs", "ns/p1");
  e.deletion_observed("ns/rs", "ns/p1");  // twice (deletionTimestamp, then DELETED)
  EXPECT_FALSE(e.satisfied("ns/rs", t0));
  e.deletion_observed("ns/rs", "ns/p2");
  EXPECT_TRUE(e.satisfied("ns/rs", t0));
}

TEST(ExpectationsTest, ExpireAfterTtl) {
  Expectations e(5min);
  auto t0 = std::chrono::steady_clock::now();
  e.expect_creations("k", 3, t0);
  EXPECT_FALSE(e.satisfied("k", t0 + 4min));
  EXPECT_TRUE(e.satisfied("k", t0 + 6min));
  e.expect_creations("k", 1, t0);
  e.erase("k");
  EXPECT_TRUE(e.satisfied("k", t0));
}

}  // namespace
}  // namespace skiff::controllers
