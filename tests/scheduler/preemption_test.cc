// Preemption (DefaultPreemption PostFilter) on fake nodes and pods: victim selection, the
// choice of node, and the SchedulerCore hook (nominate, delete victims, retry).
#include "scheduler/preemption.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>

#include "scheduler/scheduler.h"
#include "test_util.h"

namespace skiff::scheduler {
namespace {
using namespace std::chrono_literals;
using namespace testing;

json::object prio_pod(const std::string& name, const std::string& cpu, int priority,
                      const std::string& created = "2024-01-01T00:00:00Z") {
  json::object p = pod_json(name, cpu);
  p["spec"].as_object()["priority"] = priority;
  p["metadata"].as_object()["creationTimestamp"] = created;
  return p;
}

json::object with_host_port(json::object p, int port) {
  auto& c = p["spec"].as_object()["containers"].as_array()[0].as_object();
  c["ports"] = json::array{json::object{{"containerPort", port}, {"hostPort", port},
                                        {"protocol", "TCP"}}};
  return p;
}

struct Cluster {
  std::vector<std::shared_ptr<NodeInfo>> nodes;
  NodeInfo& add_node(const std::string& name, const std::string& cpu) {
    nodes.push_back(std::const_pointer_cast<NodeInfo>(node_info(node_json(name, cpu))));
    return *nodes.back();
  }
  Snapshot snapshot() const {
    Snapshot s;
    for (const auto& n : nodes) s.nodes.push_back(n);
    s.index_images();
    return s;
  }
};

std::vector<std::string> names(const std::vector<PodInfoPtr>& pods) {
  std::vector<std::string> out;
  for (const auto& p : pods) out.push_back(p->name);
  return out;
}

TEST(Preemption, SelectsOnlyTheVictimsNeededLeastImportantFirst) {
  Cluster c;
  auto& n = c.add_node("n1", "3");
  n.add_pod(bound(prio_pod("low", "1", 0), "n1"));
  n.add_pod(bound(prio_pod("mid", "1", 10), "n1"));
  n.add_pod(bound(prio_pod("same", "1", 100), "n1"));  // equal priority: never a victim
  auto profile = Profile::make_default("default-scheduler");
  auto high = pod_info(prio_pod("high", "1", 100));
  auto snap = c.snapshot();
  auto v = select_victims_on_node(*profile, *high, snap, n);
  ASSERT_TRUE(v);
  EXPECT_EQ(names(*v), std::vector<std::string>{"low"});

  auto big = pod_info(prio_pod("big", "2", 100));
  v = select_victims_on_node(*profile, *big, snap, n);
  ASSERT_TRUE(v);
  EXPECT_EQ(names(*v), (std::vector<std::string>{"mid", "low"}));

  auto huge = pod_info(prio_pod("huge", "3", 100));  // would need the equal-priority pod too
  EXPECT_FALSE(select_victims_on_node(*profile, *huge, snap, n));
}

TEST(Preemption, HostPortConflictIsResolvedByTheVictimHoldingThePort) {
  Cluster c;
  auto& n = c.add_node("n1", "4");
  n.add_pod(bound(with_host_port(prio_pod("web", "100m", 0), 80), "n1"));
  n.add_pod(bound(prio_pod("other", "100m", 0), "n1"));
  auto profile = Profile::make_default("default-scheduler");
  auto high = pod_info(with_host_port(prio_pod("high", "100m", 5), 80));
  auto v = select_victims_on_node(*profile, *high, c.snapshot(), n);
  ASSERT_TRUE(v);
  EXPECT_EQ(names(*v), std::vector<std::string>{"web"});
}

TEST(Preemption, PicksNodeWithLowestHighestVictimThenFewestVictims) {
  auto victim = [](const std::string& name, int prio, const std::string& created) {
    return bound(prio_pod(name, "1", prio, created), "x");
  };
  std::vector<PreemptionCandidate> cands = {
      {"a", {victim("a1", 50, "2024-01-01T00:00:00Z")}},
      {"b", {victim("b1", 10, "2024-01-01T00:00:00Z"), victim("b2", 10, "2024-01-01T00:00:00Z")}},
      {"c", {victim("c1", 10, "2024-01-01T00:00:00Z")}},
  };
  EXPECT_EQ(cands[pick_one_candidate(cands)].node, "c");  // lowest top priority, then sum
  cands.erase(cands.begin() + 2);
  EXPECT_EQ(cands[pick_one_candidate(cands)].node, "b");  // 10 < 50 despite two victims
  // Same priorities and counts: the node whose top victims started last.
  std::vector<PreemptionCandidate> ties = {
      {"old", {victim("o", 1, "2024-01-01T00:00:00Z")}},
      {"new", {victim("n", 1, "2024-06-01T00:00:00Z")}},
  };
  EXPECT_EQ(ties[pick_one_candidate(ties)].node, "new");
}

TEST(Preemption, CandidateOnlyWhereVictimsHelp) {
  Cluster c;
  c.add_node("full-high", "1").add_pod(bound(prio_pod("h", "1", 1000), "full-high"));
  c.add_node("full-low", "1").add_pod(bound(prio_pod("l", "1", 1), "full-low"));
  auto profile = Profile::make_default("default-scheduler");
  auto pod = pod_info(prio_pod("p", "1", 100));
  auto snap = c.snapshot();
  auto res = profile->schedule(*pod, snap);
  ASSERT_EQ(res.code, Code::kUnschedulable);
  auto cand = find_preemption_candidate(*profile, *pod, snap, res.fit);
  ASSERT_TRUE(cand);
  EXPECT_EQ(cand->node, "full-low");
  EXPECT_EQ(names(cand->victims), std::vector<std::string>{"l"});
}

// ---- the SchedulerCore hook ----

class FakePreemptingBinder : public Binder, public Preemptor {
 public:
  skiff::Status bind(const PodInfo& pod, const std::string& node) override {
    std::lock_guard lk(mu);
    binds.push_back(pod.name + "->" + node);
    return ok_status();
  }
  std::mutex mu;
  std::vector<std::string> binds, deleted, nominated;

 protected:
  skiff::Status nominate(const PodInfo& pod, const std::string& node) override {
    std::lock_guard lk(mu);
    nominated.push_back(pod.name + "->" + node);
    return ok_status();
  }
  skiff::Status delete_victim(const PodInfo& victim, const PodInfo&, const std::string&) override {
    std::lock_guard lk(mu);
    deleted.push_back(victim.name);
    return ok_status();
  }
};

class Events : public EventSink {
 public:
  void record(const PodInfo& pod, const std::string& type, const std::string& reason,
              const std::string& message) override {
    std::lock_guard lk(mu);
    events.push_back(pod.name + " " + type + " " + reason + " " + message);
  }
  bool has(const std::string& needle) {
    std::lock_guard lk(mu);
    return std::any_of(events.begin(), events.end(),
                       [&](const std::string& e) { return e.find(needle) != std::string::npos; });
  }
  std::mutex mu;
  std::vector<std::string> events;
};

struct CoreFixture {
  FakePreemptingBinder binder;
  Events events;
  SchedulerCore core{"default-scheduler", binder, events, 1};
  ObjectPtr low1, low2;
  CoreFixture() {
    core.on_node_add(std::make_shared<const json::object>(node_json("n1", "2")));
    auto b1 = prio_pod("low1", "1", 0, "2024-01-01T00:00:00Z");
    b1["spec"].as_object()["nodeName"] = "n1";
    auto b2 = prio_pod("low2", "1", 0, "2024-02-01T00:00:00Z");
    b2["spec"].as_object()["nodeName"] = "n1";
    low1 = std::make_shared<const json::object>(b1);
    low2 = std::make_shared<const json::object>(b2);
    core.on_pod_add(low1);
    core.on_pod_add(low2);
  }
};

TEST(PreemptionCore, HighPriorityPodPreemptsThenBindsOnceTheVictimIsGone) {
  CoreFixture f;
  auto high = std::make_shared<const json::object>(prio_pod("high", "1", 1000));
  f.core.on_pod_add(high);
  ASSERT_TRUE(f.core.schedule_one(0ms));
  f.core.wait_for_binds();
  {
    std::lock_guard lk(f.binder.mu);
    // Both victims have priority 0: the later-started one (low2) is the less important.
    EXPECT_EQ(f.binder.deleted, std::vector<std::string>{"low2"});
    EXPECT_EQ(f.binder.nominated, std::vector<std::string>{"high->n1"});
    EXPECT_TRUE(f.binder.binds.empty());
  }
  EXPECT_TRUE(f.events.has("low2 Normal Preempted Preempted by pod "));
  EXPECT_TRUE(f.events.has("high Warning FailedScheduling 0/1 nodes are available: 1 Insufficient cpu."));

  // A retry while the victim is still there must not preempt a second pod.
  f.core.queue().move_all_to_active_or_backoff();
  f.core.queue().add(PodInfo::from_json(high));
  ASSERT_TRUE(f.core.schedule_one(2000ms));
  f.core.wait_for_binds();
  {
    std::lock_guard lk(f.binder.mu);
    EXPECT_EQ(f.binder.deleted.size(), 1u);
  }
  EXPECT_TRUE(f.events.has("preemption: not eligible due to a terminating pod on the nominated node."));

  f.core.on_pod_delete(f.low2);  // the victim is gone: a cluster event
  ASSERT_TRUE(f.core.schedule_one(3000ms));
  f.core.wait_for_binds();
  std::lock_guard lk(f.binder.mu);
  EXPECT_EQ(f.binder.binds, std::vector<std::string>{"high->n1"});
}

TEST(PreemptionCore, PreemptionPolicyNeverDoesNotPreempt) {
  CoreFixture f;
  auto p = prio_pod("polite", "1", 1000);
  p["spec"].as_object()["preemptionPolicy"] = "Never";
  f.core.on_pod_add(std::make_shared<const json::object>(p));
  ASSERT_TRUE(f.core.schedule_one(0ms));
  f.core.wait_for_binds();
  std::lock_guard lk(f.binder.mu);
  EXPECT_TRUE(f.binder.deleted.empty());
  EXPECT_TRUE(f.binder.nominated.empty());
  EXPECT_TRUE(f.events.has("1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never."));
}

TEST(PreemptionCore, EqualPriorityFindsNoVictims) {
  CoreFixture f;
  f.core.on_pod_add(std::make_shared<const json::object>(prio_pod("peer", "1", 0)));
  ASSERT_TRUE(f.core.schedule_one(0ms));
  f.core.wait_for_binds();
  std::lock_guard lk(f.binder.mu);
  EXPECT_TRUE(f.binder.deleted.empty());
  EXPECT_TRUE(f.events.has("0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are "
                           "available: 1 No preemption victims found for incoming pod."));
}

}  // namespace
}  // namespace skiff::scheduler
