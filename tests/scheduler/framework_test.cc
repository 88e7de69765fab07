#include <gtest/gtest.h>

#include "scheduler/framework.h"
#include "scheduler/plugins.h"
#include "common/quantity.h"
#include "test_util.h"

namespace skiff::scheduler {
namespace {
using namespace testing;

TEST(Quantity, Cpu) {
  EXPECT_EQ(parse_quantity_milli("100m"), 100);
  EXPECT_EQ(parse_quantity_milli("2"), 2000);
  EXPECT_EQ(parse_quantity_milli("0.5"), 500);
  EXPECT_EQ(parse_quantity_milli("1.5"), 1500);
  EXPECT_EQ(parse_quantity_milli("0.1"), 100);
  EXPECT_EQ(parse_quantity_milli("250000000n"), 250);
  EXPECT_EQ(parse_quantity_milli("1u"), 1);  // rounds up
  EXPECT_EQ(parse_quantity_milli("0"), 0);
}

TEST(Quantity, Memory) {
  EXPECT_EQ(parse_quantity("128Mi"), 128LL * 1024 * 1024);
  EXPECT_EQ(parse_quantity("1G"), 1000000000LL);
  EXPECT_EQ(parse_quantity("1e3"), 1000);
  EXPECT_EQ(parse_quantity("1E3"), 1000);
  EXPECT_EQ(parse_quantity("1.5Gi"), 1610612736LL);
  EXPECT_EQ(parse_quantity("8Gi"), 8LL * 1024 * 1024 * 1024);
  EXPECT_EQ(parse_quantity("1k"), 1000);
  EXPECT_EQ(parse_quantity("1Ki"), 1024);
  EXPECT_EQ(parse_quantity("100m"), 1);  // Value() rounds up
  EXPECT_EQ(parse_quantity("12e-1"), 2);
  EXPECT_EQ(parse_quantity("110"), 110);
  EXPECT_EQ(parse_quantity("+5"), 5);
}

TEST(Quantity, Invalid) {
  EXPECT_FALSE(parse_quantity(""));
  EXPECT_FALSE(parse_quantity("abc"));
  EXPECT_FALSE(parse_quantity("1Qi"));
  EXPECT_FALSE(parse_quantity("1 Gi"));
  EXPECT_FALSE(parse_quantity("1e"));
  EXPECT_FALSE(parse_quantity("."));
}

TEST(PodInfo, InitContainersAsUpstream) {
  json::object p = pod_json("p", "500m", "100Mi");
  auto& spec = p["spec"].as_object();
  spec["containers"].as_array().push_back(json::parse(
      R"({"name":"c2","image":"busybox","resources":{"requests":{"cpu":"500m","memory":"100Mi"}}})"));
  // one init container bigger than the sum in cpu, smaller in memory
  spec["initContainers"] = json::parse(
      R"([{"name":"i1","image":"x","resources":{"requests":{"cpu":"2","memory":"50Mi"}}},
          {"name":"i2","image":"x","resources":{"requests":{"cpu":"100m","memory":"150Mi"}}}])");
  auto pi = pod_info(p);
  EXPECT_EQ(pi->requests.milli_cpu, 2000);           // max(1000, 2000)
  EXPECT_EQ(pi->requests.memory, 200LL << 20);        // max(200Mi, 150Mi)
}

TEST(PodInfo, SidecarInitContainersAddUp) {
  json::object p = pod_json("p", "1", "");
  p["spec"].as_object()["initContainers"] = json::parse(
      R"([{"name":"side","image":"x","restartPolicy":"Always","resources":{"requests":{"cpu":"500m"}}},
          {"name":"i","image":"x","resources":{"requests":{"cpu":"1200m"}}}])");
  auto pi = pod_info(p);
  // sum = 1000 + 500 (sidecar); init i runs beside the sidecar: 1700 -> max 1700
  EXPECT_EQ(pi->requests.milli_cpu, 1700);
}

TEST(PodInfo, LimitsStandInForRequestsAndDefaultsForScoring) {
  json::object p = pod_json("p");
  auto& c = p["spec"].as_object()["containers"].as_array()[0].as_object();
  c["resources"] = json::parse(R"({"limits":{"cpu":"300m","nvidia.com/gpu":"1"}})");
  auto pi = pod_info(p);
  EXPECT_EQ(pi->requests.milli_cpu, 300);
  EXPECT_EQ(pi->requests.memory, 0);
  EXPECT_EQ(pi->requests.get("nvidia.com/gpu"), 1);
  EXPECT_EQ(pi->non_zero_cpu, 300);
  EXPECT_EQ(pi->non_zero_mem, 200LL << 20);
}

TEST(NodeInfo, AddRemoveAccounting) {
  auto base = node_info(node_json("n1"));
  NodeInfo n = *base;
  EXPECT_EQ(n.allocatable.milli_cpu, 4000);
  EXPECT_EQ(n.allocatable.memory, 8LL << 30);
  EXPECT_EQ(n.allocatable.allowed_pod_number, 110);
  auto p = bound(pod_json("a", "1", "1Gi"), "n1");
  n.add_pod(p);
  EXPECT_EQ(n.requested.milli_cpu, 1000);
  EXPECT_EQ(n.requested.memory, 1LL << 30);
  EXPECT_TRUE(n.remove_pod(p->uid));
  EXPECT_EQ(n.requested.milli_cpu, 0);
  EXPECT_FALSE(n.remove_pod(p->uid));
}

TEST(FitError, MessageSortedAsUpstream) {
  FitError f;
  f.num_all_nodes = 3;
  f.node_status["a"] = PluginStatus::unschedulable({"Insufficient cpu"});
  f.node_status["b"] = PluginStatus::unresolvable({kReasonNodeAffinity});
  f.node_status["c"] = PluginStatus::unresolvable({kReasonNodeAffinity});
  f.post_filter_msg =
      "preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 "
      "Preemption is not helpful for scheduling";
  EXPECT_EQ(f.message(),
            "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node "
            "affinity/selector. preemption: 0/3 nodes are available: 1 No preemption victims "
            "found for incoming pod, 2 Preemption is not helpful for scheduling.");
  FitError none;
  EXPECT_EQ(none.message(), "no nodes available to schedule pods");
}

Snapshot snapshot_of(std::vector<NodeInfoPtr> nodes) {
  Snapshot s;
  s.nodes = std::move(nodes);
  s.index_images();
  return s;
}

TEST(Profile, ThreeNodeClusterAllInsufficientCpu) {
  auto prof = Profile::make_default("default-scheduler");
  auto snap = snapshot_of({node_info(node_json("n1")), node_info(node_json("n2")),
                           node_info(node_json("n3"))});
  auto r = prof->schedule(*pod_info(pod_json("big", "100")), snap);
  EXPECT_EQ(r.code, Code::kUnschedulable);
  EXPECT_EQ(r.fit.message(),
            "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: "
            "3 No preemption victims found for incoming pod.");
}

TEST(Profile, MixedReasons) {
  auto prof = Profile::make_default("default-scheduler");
  auto n1 = node_json("n1", "1");
  auto n2 = node_json("n2");
  auto n3 = node_json("n3");
  at(n2, {"metadata", "labels"}).as_object()["disk"] = "hdd";
  at(n3, {"metadata", "labels"}).as_object()["disk"] = "hdd";
  at(n1, {"metadata", "labels"}).as_object()["disk"] = "ssd";
  auto p = pod_json("p", "2");
  p["spec"].as_object()["nodeSelector"] = json::object{{"disk", "ssd"}};
  auto r = prof->schedule(*pod_info(p), snapshot_of({node_info(n1), node_info(n2), node_info(n3)}));
  EXPECT_EQ(r.code, Code::kUnschedulable);
  EXPECT_EQ(r.fit.message(),
            "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node "
            "affinity/selector. preemption: 0/3 nodes are available: 1 No preemption victims "
            "found for incoming pod, 2 Preemption is not helpful for scheduling.");
}

TEST(Profile, PreemptionMessageWhenVictimsWouldNotHelp) {
  auto prof = Profile::make_default("default-scheduler");
  NodeInfo n = *node_info(node_json("n1", "2"));
  n.add_pod(bound(pod_json("low", "1"), "n1"));
  auto p = pod_json("p", "3");
  p["spec"].as_object()["priority"] = 100;
  auto r = prof->schedule(*pod_info(p), snapshot_of({std::make_shared<NodeInfo>(n)}));
  EXPECT_EQ(r.fit.message(),
            "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 "
            "Insufficient cpu.");
}

TEST(Profile, PicksFeasibleNode) {
  auto prof = Profile::make_default("default-scheduler");
  auto r = prof->schedule(*pod_info(pod_json("p", "3")),
                          snapshot_of({node_info(node_json("small", "2")),
                                       node_info(node_json("big", "4"))}));
  ASSERT_EQ(r.code, Code::kSuccess);
  EXPECT_EQ(r.node, "big");
}

}  // namespace
}  // namespace skiff::scheduler
