// The logic behind the scheduler's throughput on large clusters: how many nodes a cycle
// filters (upstream's numFeasibleNodesToFind and its rotating start), the incremental snapshot,
// and the queue's backoff index.
#include <gtest/gtest.h>

#include <cstdio>

#include "scheduler/cache.h"
#include "scheduler/queue.h"
#include "test_util.h"

namespace skiff::scheduler {
namespace {
using namespace testing;
using namespace std::chrono_literals;

std::string node_name(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "n%04d", i);
  return buf;
}

TEST(NumFeasibleNodesToFind, AdaptiveAsUpstream) {
  EXPECT_EQ(num_feasible_nodes_to_find(0), 0);
  EXPECT_EQ(num_feasible_nodes_to_find(50), 50);    // below 100: every node
  EXPECT_EQ(num_feasible_nodes_to_find(99), 99);
  EXPECT_EQ(num_feasible_nodes_to_find(100), 100);  // 49% of 100 is below the minimum of 100
  EXPECT_EQ(num_feasible_nodes_to_find(250), 120);  // 48%
  EXPECT_EQ(num_feasible_nodes_to_find(1000), 420);   // 50 - 8 = 42%
  EXPECT_EQ(num_feasible_nodes_to_find(5000), 500);   // 50 - 40 = 10%
  EXPECT_EQ(num_feasible_nodes_to_find(6000), 300);   // 50 - 48 = 2%, raised to 5%
  EXPECT_EQ(num_feasible_nodes_to_find(20000), 1000);  // 5%
}

TEST(NumFeasibleNodesToFind, ConfiguredPercentage) {
  EXPECT_EQ(num_feasible_nodes_to_find(1000, 30), 300);
  EXPECT_EQ(num_feasible_nodes_to_find(1000, 5), 100);  // never below 100
  EXPECT_EQ(num_feasible_nodes_to_find(1000, 100), 1000);
  EXPECT_EQ(num_feasible_nodes_to_find(1000, 150), 1000);
  EXPECT_EQ(num_feasible_nodes_to_find(80, 10), 80);
}

Snapshot identical_nodes(int n) {
  Snapshot s;
  for (int i = 0; i < n; ++i) s.nodes.push_back(node_info(node_json(node_name(i))));
  s.index_images();
  return s;
}

int index_of(const std::string& name) { return std::stoi(name.substr(1)); }

TEST(ProfileSampling, StopsAtEnoughFeasibleNodesAndRotates) {
  Snapshot snap = identical_nodes(1000);
  auto profile = Profile::make_default("default-scheduler");
  auto pod = pod_info(pod_json("p", "100m", "100Mi"));
  ScheduleResult a = profile->schedule(*pod, snap);
  ASSERT_EQ(a.code, Code::kSuccess);
  EXPECT_EQ(a.evaluated_nodes, 420);
  EXPECT_EQ(a.feasible_nodes, 420);
  EXPECT_LT(index_of(a.node), 420);
  ScheduleResult b = profile->schedule(*pod, snap);  // starts where the first stopped
  ASSERT_EQ(b.code, Code::kSuccess);
  EXPECT_GE(index_of(b.node), 420);
  EXPECT_LT(index_of(b.node), 840);
  ScheduleResult c = profile->schedule(*pod, snap);  // wraps around: 840..999 then 0..259
  ASSERT_EQ(c.code, Code::kSuccess);
  int ci = index_of(c.node);
  EXPECT_TRUE(ci >= 840 || ci < 260) << c.node;
}

TEST(ProfileSampling, UnschedulablePodStillChecksEveryNode) {
  Snapshot snap = identical_nodes(1000);
  auto profile = Profile::make_default("default-scheduler");
  auto pod = pod_info(pod_json("big", "64", ""));
  ScheduleResult r = profile->schedule(*pod, snap);
  EXPECT_EQ(r.code, Code::kUnschedulable);
  EXPECT_EQ(r.evaluated_nodes, 1000);
  EXPECT_EQ(r.fit.node_status.size(), 1000u);
}

TEST(ProfileSampling, ConfiguredPercentageOfNodesToScore) {
  Snapshot snap = identical_nodes(1000);
  auto profile = Profile::make_default("default-scheduler");
  profile->set_percentage_of_nodes_to_score(100);
  ScheduleResult r = profile->schedule(*pod_info(pod_json("p", "100m")), snap);
  EXPECT_EQ(r.evaluated_nodes, 1000);
}

// The incremental snapshot must always equal a full one.
void expect_same(const Snapshot& inc, const Snapshot& full) {
  ASSERT_EQ(inc.nodes.size(), full.nodes.size());
  for (size_t i = 0; i < full.nodes.size(); ++i) {
    EXPECT_EQ(inc.nodes[i]->name, full.nodes[i]->name);
    EXPECT_EQ(inc.nodes[i]->pods.size(), full.nodes[i]->pods.size()) << full.nodes[i]->name;
    EXPECT_EQ(inc.nodes[i]->requested.milli_cpu, full.nodes[i]->requested.milli_cpu);
  }
  EXPECT_EQ(inc.image_num_nodes, full.image_num_nodes);
  EXPECT_EQ(inc.pods_with_affinity, full.pods_with_affinity);
  EXPECT_EQ(inc.pods_with_required_anti_affinity, full.pods_with_required_anti_affinity);
}

TEST(CacheSnapshot, IncrementalUpdateMatchesFullSnapshot) {
  Cache cache;
  Snapshot inc;
  for (int i = 0; i < 5; ++i) cache.add_node(obj(json::serialize(node_json(node_name(i)))));
  cache.update_snapshot(inc);
  expect_same(inc, cache.snapshot());
  uint64_t gen = inc.cache_generation;

  // Pods assumed, bound, forgotten: only the touched nodes change, in place.
  NodeInfoPtr untouched = inc.nodes[4];
  auto a = bound(pod_json("a", "500m"), node_name(1));
  cache.assume(a);
  cache.add_or_update_pod(bound(pod_json("b", "1"), node_name(2)));
  cache.update_snapshot(inc);
  EXPECT_EQ(inc.cache_generation, gen);  // no full rebuild
  EXPECT_EQ(inc.nodes[4], untouched);
  EXPECT_EQ(inc.nodes[1]->requested.milli_cpu, 500);
  expect_same(inc, cache.snapshot());
  cache.forget(a->uid);
  cache.update_snapshot(inc);
  EXPECT_EQ(inc.nodes[1]->requested.milli_cpu, 0);
  expect_same(inc, cache.snapshot());

  // A node update keeps the list; a new node or a removed one rebuilds it.
  json::object n3 = node_json(node_name(3), "8");
  cache.add_node(obj(json::serialize(n3)));
  cache.update_snapshot(inc);
  EXPECT_EQ(inc.nodes[3]->allocatable.milli_cpu, 8000);
  expect_same(inc, cache.snapshot());
  cache.add_node(obj(json::serialize(node_json("a-first"))));
  cache.remove_node(node_name(0));
  cache.update_snapshot(inc);
  EXPECT_EQ(inc.nodes.front()->name, "a-first");
  expect_same(inc, cache.snapshot());

  // Pods with affinity are counted for InterPodAffinity's shortcut.
  json::object anti = pod_json("anti");
  at(anti, {"spec"}).as_object()["affinity"] = json::parse(
      R"({"podAntiAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[
          {"labelSelector":{"matchLabels":{"app":"x"}},"topologyKey":"kubernetes.io/hostname"}]}})");
  auto ap = bound(anti, node_name(2));
  cache.add_or_update_pod(ap);
  cache.update_snapshot(inc);
  EXPECT_EQ(inc.pods_with_affinity, 1);
  EXPECT_EQ(inc.pods_with_required_anti_affinity, 1);
  cache.remove_pod(ap->uid);
  cache.update_snapshot(inc);
  EXPECT_EQ(inc.pods_with_required_anti_affinity, 0);
  expect_same(inc, cache.snapshot());
}

TEST(QueueBackoffIndex, ExpiresInOrderAndForgetsRemovedPods) {
  SchedulingQueue::TimePoint now{};
  SchedulingQueue q([&] { return now; }, 1s, 10s);
  auto a = pod_info(pod_json("a")), b = pod_info(pod_json("b"));
  q.add(a);
  q.add(b);
  auto pa = q.pop(0ms), pb = q.pop(0ms);
  ASSERT_TRUE(pa && pb);
  q.add_unschedulable(*pa, true);  // straight to backoff: 1 s
  q.add_unschedulable(*pb);        // parked
  EXPECT_EQ(q.backoff_size(), 1u);
  EXPECT_EQ(q.unschedulable_size(), 1u);
  q.move_all_to_active_or_backoff();  // b: still within its backoff
  EXPECT_EQ(q.backoff_size(), 2u);
  EXPECT_EQ(q.unschedulable_size(), 0u);
  q.remove(pb->pod->uid);
  EXPECT_EQ(q.backoff_size(), 1u);
  EXPECT_FALSE(q.pop(0ms));  // a still backing off
  now += 1s;
  auto again = q.pop(0ms);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->pod->uid, a->uid);
  EXPECT_EQ(q.backoff_size(), 0u);
  EXPECT_FALSE(q.pop(0ms));
}

}  // namespace
}  // namespace skiff::scheduler
