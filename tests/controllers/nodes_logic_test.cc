// Unit tests of the pure logic of the node lifecycle, taint manager and disruption controllers
// (controllers/nodes.h): NoExecute eviction times, node conditions when the kubelet goes quiet,
// condition taints and PodDisruptionBudget arithmetic. Taint/toleration matching itself is
// tested in tests/apimachinery/node_matching_test.cc.
#include "controllers/nodes.h"

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

Taint taint(std::string key, std::string effect, std::string value = "") {
  return Taint{std::move(key), std::move(value), std::move(effect), {}};
}

TEST(NoExecute, Decisions) {
  const auto t0 = *parse_rfc3339("2024-01-01T00:00:00Z");
  Taint unreachable = taint("node.kubernetes.io/unreachable", "NoExecute");
  unreachable.time_added = t0;
  Toleration five{"node.kubernetes.io/unreachable", "Exists", "", "NoExecute", 5};
  Toleration forever{"node.kubernetes.io/unreachable", "Exists", "", "NoExecute", {}};

  // Not tolerated: at once.
  auto d = noexecute_decision({unreachable}, {}, t0);
  EXPECT_TRUE(d.evict_now);
  // Tolerated for 5 s from timeAdded.
  d = noexecute_decision({unreachable}, {five}, t0 + 2s);
  EXPECT_FALSE(d.evict_now);
  ASSERT_TRUE(d.evict_at);
  EXPECT_EQ(*d.evict_at, t0 + 5s);
  d = noexecute_decision({unreachable}, {five}, t0 + 5s);
  EXPECT_TRUE(d.evict_now);
  // Tolerated forever; NoSchedule taints do not matter.
  d = noexecute_decision({unreachable, taint("x", "NoSchedule")}, {forever}, t0 + 1h);
  EXPECT_FALSE(d.evict_now);
  EXPECT_FALSE(d.evict_at);
  // Zero or negative seconds: at once.
  Toleration zero{"node.kubernetes.io/unreachable", "Exists", "", "NoExecute", 0};
  EXPECT_TRUE(noexecute_decision({unreachable}, {zero}, t0).evict_now);
  // The earliest deadline of several taints wins; an untolerated one wins outright.
  Taint not_ready = taint("node.kubernetes.io/not-ready", "NoExecute");
  not_ready.time_added = t0 + 10s;
  Toleration nr{"node.kubernetes.io/not-ready", "Exists", "", "NoExecute", 2};
  d = noexecute_decision({unreachable, not_ready}, {five, nr}, t0 + 1s);
  ASSERT_TRUE(d.evict_at);
  EXPECT_EQ(*d.evict_at, t0 + 5s);
  EXPECT_TRUE(noexecute_decision({unreachable, not_ready}, {five}, t0 + 1s).evict_now);
  // No timeAdded: counts from now.
  Taint fresh = taint("node.kubernetes.io/unreachable", "NoExecute");
  d = noexecute_decision({fresh}, {five}, t0);
  ASSERT_TRUE(d.evict_at);
  EXPECT_EQ(*d.evict_at, t0 + 5s);
}

TEST(NodeConditions, StoppedPostingStatus) {
  const auto now = *parse_rfc3339("2024-01-01T00:01:00Z");
  auto node = parse(R"({"status":{"conditions":[
      {"type":"Ready","status":"True","reason":"KubeletReady","lastHeartbeatTime":"2024-01-01T00:00:00Z",
       "lastTransitionTime":"2024-01-01T00:00:00Z"},
      {"type":"MemoryPressure","status":"False"},
      {"type":"DiskPressure","status":"Unknown","lastTransitionTime":"2023-01-01T00:00:00Z"},
      {"type":"NetworkUnavailable","status":"False"}]}})");
  bool changed = false;
  auto conds = conditions_unknown(node.at("status").as_object().at("conditions").as_array(), now,
                                  &changed);
  EXPECT_TRUE(changed);
  ASSERT_EQ(conds.size(), 5u);  // PIDPressure added
  EXPECT_EQ(get_string(conds[0], {"status"}), "Unknown");
  EXPECT_EQ(get_string(conds[0], {"reason"}), "NodeStatusUnknown");
  EXPECT_EQ(get_string(conds[0], {"message"}), "Kubelet stopped posting node status.");
  EXPECT_EQ(get_string(conds[0], {"lastHeartbeatTime"}), "2024-01-01T00:00:00Z");  // kept
  EXPECT_EQ(get_string(conds[0], {"lastTransitionTime"}), "2024-01-01T00:01:00Z");
  EXPECT_EQ(get_string(conds[1], {"status"}), "Unknown");
  // Already Unknown: untouched.
  EXPECT_EQ(get_string(conds[2], {"lastTransitionTime"}), "2023-01-01T00:00:00Z");
  EXPECT_EQ(get_string(conds[3], {"status"}), "False");  // not a kubelet health condition
  EXPECT_EQ(get_string(conds[4], {"type"}), "PIDPressure");
  EXPECT_EQ(get_string(conds[4], {"reason"}), "NodeStatusNeverUpdated");
  bool again = true;
  conditions_unknown(conds, now, &again);
  EXPECT_FALSE(again);
}

std::vector<std::string> keys(const json::array& taints) {
  std::vector<std::string> out;
  for (const auto& t : taints) out.push_back(get_string(t, {"key"}) + ":" + get_string(t, {"effect"}));
  return out;
}

TEST(ConditionTaints, FollowConditions) {
  const auto now = *parse_rfc3339("2024-01-01T00:01:00Z");
  bool changed = false;
  auto unknown = parse(R"({"spec":{"taints":[{"key":"mine","effect":"NoSchedule"}]},
      "status":{"conditions":[{"type":"Ready","status":"Unknown"}]}})");
  auto ts = reconcile_condition_taints(unknown, now, &changed);
  EXPECT_TRUE(changed);
  EXPECT_EQ(keys(ts), (std::vector<std::string>{"mine:NoSchedule",
                                                "node.kubernetes.io/unreachable:NoSchedule",
                                                "node.kubernetes.io/unreachable:NoExecute"}));
  EXPECT_EQ(get_string(ts[2], {"timeAdded"}), "2024-01-01T00:01:00Z");
  EXPECT_EQ(get_string(ts[1], {"timeAdded"}), "");

  // In step already: unchanged, timeAdded kept.
  json::object same = unknown;
  same["spec"].as_object()["taints"] = ts;
  auto ts2 = reconcile_condition_taints(same, now + 10s, &changed);
  EXPECT_FALSE(changed);
  EXPECT_EQ(ts2, ts);

  // Ready again: the owned taints go, the user's stays.
  json::object ready = same;
  ready["status"] = parse(R"({"conditions":[{"type":"Ready","status":"True"}]})");
  auto ts3 = reconcile_condition_taints(ready, now, &changed);
  EXPECT_TRUE(changed);
  EXPECT_EQ(keys(ts3), (std::vector<std::string>{"mine:NoSchedule"}));

  // Ready=False swaps unreachable for not-ready; cordon and pressure add NoSchedule taints.
  json::object not_ready = same;
  not_ready["status"] = parse(R"({"conditions":[{"type":"Ready","status":"False"},
      {"type":"MemoryPressure","status":"True"}]})");
  not_ready["spec"].as_object()["unschedulable"] = true;
  auto ts4 = reconcile_condition_taints(not_ready, now, &changed);
  EXPECT_TRUE(changed);
  EXPECT_EQ(keys(ts4), (std::vector<std::string>{"mine:NoSchedule",
                                                 "node.kubernetes.io/not-ready:NoSchedule",
                                                 "node.kubernetes.io/memory-pressure:NoSchedule",
                                                 "node.kubernetes.io/unschedulable:NoSchedule",
                                                 "node.kubernetes.io/not-ready:NoExecute"}));
  // A taint the user set with the same key and another effect is not ours.
  auto user = parse(R"({"spec":{"taints":[{"key":"node.kubernetes.io/unreachable","effect":"PreferNoSchedule"}]},
      "status":{"conditions":[{"type":"Ready","status":"True"}]}})");
  auto ts5 = reconcile_condition_taints(user, now, &changed);
  EXPECT_FALSE(changed);
  EXPECT_EQ(ts5.size(), 1u);
}

TEST(Pdb, DesiredHealthyAndAllowed) {
  auto min_int = parse(R"({"spec":{"minAvailable":3}})");
  EXPECT_FALSE(pdb_needs_scale(min_int));
  EXPECT_EQ(pdb_desired_healthy(min_int, 5), 3);
  auto min_pct = parse(R"({"spec":{"minAvailable":"50%"}})");
  EXPECT_TRUE(pdb_needs_scale(min_pct));
  EXPECT_EQ(pdb_desired_healthy(min_pct, 5), 3);  // rounded up
  auto max_int = parse(R"({"spec":{"maxUnavailable":1}})");
  EXPECT_TRUE(pdb_needs_scale(max_int));
  EXPECT_EQ(pdb_desired_healthy(max_int, 4), 3);
  EXPECT_EQ(pdb_desired_healthy(max_int, 0), 0);  // never negative
  auto max_pct = parse(R"({"spec":{"maxUnavailable":"30%"}})");
  EXPECT_EQ(pdb_desired_healthy(max_pct, 10), 7);
  EXPECT_EQ(pdb_desired_healthy(max_pct, 5), 3);  // 30% of 5 = 1.5 -> 2 unavailable
  auto neither = parse(R"({"spec":{}})");
  EXPECT_FALSE(pdb_needs_scale(neither));
  EXPECT_EQ(pdb_desired_healthy(neither, 4), 0);

  EXPECT_EQ(pdb_disruptions_allowed(4, 3, 4), 1);
  EXPECT_EQ(pdb_disruptions_allowed(4, 4, 4), 0);
  EXPECT_EQ(pdb_disruptions_allowed(2, 3, 4), 0);  // never negative
  EXPECT_EQ(pdb_disruptions_allowed(3, 0, 0), 0);  // no expected pods: nothing to disrupt
}

client::ObjectPtr pod(const std::string& name, const std::string& phase, const std::string& created,
                      bool deleting = false) {
  json::object p{{"metadata", json::object{{"name", name}, {"creationTimestamp", created}}},
                 {"status", json::object{{"phase", phase}}}};
  if (deleting) p["metadata"].as_object()["deletionTimestamp"] = created;
  return std::make_shared<const json::object>(std::move(p));
}

TEST(PodGC, TerminatedBeyondThresholdOldestFirst) {
  std::vector<client::ObjectPtr> pods = {
      pod("c", "Succeeded", "2024-01-01T00:00:03Z"), pod("run", "Running", "2024-01-01T00:00:00Z"),
      pod("a", "Failed", "2024-01-01T00:00:01Z"),    pod("b", "Succeeded", "2024-01-01T00:00:01Z"),
      pod("gone", "Failed", "2024-01-01T00:00:00Z", true), pod("d", "Succeeded", "2024-01-01T00:00:04Z")};
  auto names = [](const std::vector<client::ObjectPtr>& v) {
    std::vector<std::string> out;
    for (const auto& p : v) out.push_back(name_of(*p));
    return out;
  };
  EXPECT_EQ(names(terminated_pods_to_gc(pods, 2)), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(names(terminated_pods_to_gc(pods, 3)), (std::vector<std::string>{"a"}));
  EXPECT_TRUE(terminated_pods_to_gc(pods, 4).empty());
  EXPECT_TRUE(terminated_pods_to_gc(pods, 0).empty());  // disabled
}

}  // namespace
}  // namespace skiff::controllers
