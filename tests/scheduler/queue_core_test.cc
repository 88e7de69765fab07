#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "scheduler/scheduler.h"
#include "test_util.h"

namespace skiff::scheduler {
namespace {
using namespace testing;
using namespace std::chrono_literals;

json::object prio_pod(const std::string& name, int prio, const std::string& created) {
  auto p = pod_json(name);
  p["spec"].as_object()["priority"] = prio;
  at(p, {"metadata", "creationTimestamp"}) = created;
  return p;
}

TEST(Queue, PriorityThenCreationTime) {
  SchedulingQueue q;
  q.add(pod_info(prio_pod("low-old", 0, "2024-01-01T00:00:00Z")));
  q.add(pod_info(prio_pod("high", 100, "2024-01-01T00:00:05Z")));
  q.add(pod_info(prio_pod("low-new", 0, "2024-01-01T00:00:03Z")));
  q.add(pod_info(prio_pod("mid", 10, "2024-01-01T00:00:09Z")));
  std::vector<std::string> order;
  while (auto qp = q.pop(0ms)) order.push_back(qp->pod->name);
  EXPECT_EQ(order, (std::vector<std::string>{"high", "mid", "low-old", "low-new"}));
}

struct FakeClock {
  std::chrono::steady_clock::time_point t = std::chrono::steady_clock::now();
  SchedulingQueue::Now fn() {
    return [this] { return t; };
  }
};

TEST(Queue, UnschedulableWaitsForEventThenBackoff) {
  FakeClock clk;
  SchedulingQueue q(clk.fn());
  q.add(pod_info(pod_json("p")));
  auto qp = q.pop(0ms);
  ASSERT_TRUE(qp);
  EXPECT_EQ(qp->attempts, 1);
  q.add_unschedulable(*qp);
  EXPECT_EQ(q.unschedulable_size(), 1u);
  EXPECT_FALSE(q.pop(0ms));  // parked: no cluster event yet
  clk.t += 5s;               // backoff (1s) long over
  EXPECT_FALSE(q.pop(0ms));  // still parked
  q.move_all_to_active_or_backoff();
  qp = q.pop(0ms);
  ASSERT_TRUE(qp);
  EXPECT_EQ(qp->attempts, 2);
  // Second failure: backoff 2s. An event right away moves it to backoff, not active.
  q.add_unschedulable(*qp);
  q.move_all_to_active_or_backoff();
  EXPECT_EQ(q.backoff_size(), 1u);
  EXPECT_FALSE(q.pop(0ms));
  clk.t += 1500ms;
  EXPECT_FALSE(q.pop(0ms));
  clk.t += 600ms;
  qp = q.pop(0ms);
  ASSERT_TRUE(qp);
  EXPECT_EQ(qp->attempts, 3);
}

TEST(Queue, BackoffDoublesUpToTenSeconds) {
  FakeClock clk;
  SchedulingQueue q(clk.fn());
  q.add(pod_info(pod_json("p")));
  std::vector<int> expected{1000, 2000, 4000, 8000, 10000, 10000};
  for (int want : expected) {
    auto qp = q.pop(0ms);
    ASSERT_TRUE(qp);
    q.add_unschedulable(*qp, /*backoff_only=*/true);
    clk.t += std::chrono::milliseconds(want - 1);
    EXPECT_FALSE(q.pop(0ms)) << want;
    clk.t += 1ms;
  }
}

TEST(Queue, EventDuringCycleGoesToBackoff) {
  FakeClock clk;
  SchedulingQueue q(clk.fn());
  q.add(pod_info(pod_json("p")));
  auto qp = q.pop(0ms);
  q.move_all_to_active_or_backoff();  // e.g. a pod was deleted while this one was scheduled
  q.add_unschedulable(*qp);
  EXPECT_EQ(q.unschedulable_size(), 0u);
  EXPECT_EQ(q.backoff_size(), 1u);
}

TEST(Queue, DeletedWhileInFlightIsDropped) {
  SchedulingQueue q;
  auto p = pod_info(pod_json("p"));
  q.add(p);
  auto qp = q.pop(0ms);
  q.remove(p->uid);
  q.add_unschedulable(*qp);
  EXPECT_FALSE(q.contains(p->uid));
}

// A binder that blocks until released, recording binds.
class FakeBinder : public Binder {
 public:
  skiff::Status bind(const PodInfo& pod, const std::string& node) override {
    std::unique_lock lk(mu);
    cv.wait(lk, [&] { return released; });
    binds.emplace_back(pod.name, node);
    if (fail) return ApiError::conflict("pods", pod.name, "boom");
    return ok_status();
  }
  void release() {
    std::lock_guard lk(mu);
    released = true;
    cv.notify_all();
  }
  std::mutex mu;
  std::condition_variable cv;
  bool released = false;
  bool fail = false;
  std::vector<std::pair<std::string, std::string>> binds;
};

class FakeEvents : public EventSink {
 public:
  void record(const PodInfo& pod, const std::string& type, const std::string& reason,
              const std::string& message) override {
    std::lock_guard lk(mu);
    events.push_back(pod.name + " " + type + " " + reason + " " + message);
  }
  std::mutex mu;
  std::vector<std::string> events;
};

TEST(SchedulerCore, AssumeCachePreventsOverbooking) {
  FakeBinder binder;
  FakeEvents events;
  SchedulerCore core("default-scheduler", binder, events, 4);
  for (auto n : {"n1", "n2"})
    core.on_node_add(std::make_shared<const json::object>(node_json(n, "2")));
  core.on_pod_add(std::make_shared<const json::object>(pod_json("a", "1500m")));
  core.on_pod_add(std::make_shared<const json::object>(pod_json("b", "1500m")));
  core.on_pod_add(std::make_shared<const json::object>(pod_json("c", "1500m")));
  // All three cycles run before any bind returns.
  EXPECT_TRUE(core.schedule_one(0ms));
  EXPECT_TRUE(core.schedule_one(0ms));
  EXPECT_TRUE(core.schedule_one(0ms));
  binder.release();
  core.wait_for_binds();
  ASSERT_EQ(binder.binds.size(), 2u);
  EXPECT_NE(binder.binds[0].second, binder.binds[1].second);
  std::lock_guard lk(events.mu);
  int scheduled = 0, failed = 0;
  for (const auto& e : events.events) {
    if (e.find("Normal Scheduled Successfully assigned default/") != std::string::npos) ++scheduled;
    if (e.find("Warning FailedScheduling 0/2 nodes are available: 2 Insufficient cpu.") !=
        std::string::npos)
      ++failed;
  }
  EXPECT_EQ(scheduled, 2);
  EXPECT_EQ(failed, 1);
  EXPECT_EQ(core.queue().unschedulable_size(), 1u);
}

TEST(SchedulerCore, BindFailureForgetsAndRequeues) {
  FakeBinder binder;
  binder.fail = true;
  binder.release();
  FakeEvents events;
  SchedulerCore core("default-scheduler", binder, events, 1);
  core.on_node_add(std::make_shared<const json::object>(node_json("n1", "2")));
  auto p = pod_json("a", "1500m");
  core.on_pod_add(std::make_shared<const json::object>(p));
  EXPECT_TRUE(core.schedule_one(0ms));
  core.wait_for_binds();
  auto uid = get_string(p, {"metadata", "uid"});
  EXPECT_FALSE(core.cache().has_pod(uid));
  EXPECT_TRUE(core.queue().contains(uid));
  EXPECT_EQ(core.cache().snapshot().nodes[0]->requested.milli_cpu, 0);
}

TEST(SchedulerCore, DeletedPodFreesRoomAndRetries) {
  FakeBinder binder;
  binder.release();
  FakeEvents events;
  SchedulerCore core("default-scheduler", binder, events, 1);
  core.on_node_add(std::make_shared<const json::object>(node_json("n1", "2")));
  auto running = pod_json("running", "1500m");
  running["spec"].as_object()["nodeName"] = "n1";
  auto rp = std::make_shared<const json::object>(running);
  core.on_pod_add(rp);
  core.on_pod_add(std::make_shared<const json::object>(pod_json("waiting", "1500m")));
  EXPECT_TRUE(core.schedule_one(0ms));
  EXPECT_EQ(core.queue().unschedulable_size(), 1u);
  core.on_pod_delete(rp);
  // backoff 1 s, then it schedules
  EXPECT_TRUE(core.schedule_one(2000ms));
  core.wait_for_binds();
  ASSERT_EQ(binder.binds.size(), 1u);
  EXPECT_EQ(binder.binds[0], std::make_pair(std::string("waiting"), std::string("n1")));
}

TEST(SchedulerCore, IgnoresOtherSchedulersAndBoundPods) {
  FakeBinder binder;
  FakeEvents events;
  SchedulerCore core("default-scheduler", binder, events, 1);
  auto other = pod_json("other");
  other["spec"].as_object()["schedulerName"] = "custom";
  core.on_pod_add(std::make_shared<const json::object>(other));
  EXPECT_EQ(core.queue().active_size(), 0u);
  auto deleting = pod_json("deleting");
  deleting["metadata"].as_object()["deletionTimestamp"] = "2024-01-01T00:00:00Z";
  core.on_pod_add(std::make_shared<const json::object>(deleting));
  EXPECT_EQ(core.queue().active_size(), 0u);
  core.on_pod_add(std::make_shared<const json::object>(pod_json("mine")));
  EXPECT_EQ(core.queue().active_size(), 1u);
}

}  // namespace
}  // namespace skiff::scheduler
