// WorkQueue semantics (client-go's): dedup, re-queue of keys added while processing, delayed
// adds, per-key exponential backoff, shutdown.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "client/informer.h"

namespace skiff::client {
namespace {
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(WorkQueue, DedupAndFifo) {
  WorkQueue q;
  q.add("a");
  q.add("b");
  q.add("a");
  q.add("c");
  EXPECT_EQ(q.size(), 3u);
  EXPECT_EQ(*q.get(), "a");
  EXPECT_EQ(*q.get(), "b");
  EXPECT_EQ(*q.get(), "c");
  q.done("a");
  q.done("b");
  q.done("c");
  EXPECT_EQ(q.size(), 0u);
}

TEST(WorkQueue, KeyAddedWhileProcessingIsRequeuedAfterDone) {
  WorkQueue q;
  q.add("a");
  auto k = q.get();
  ASSERT_TRUE(k);
  q.add("a");  // while processing: not handed to a second worker
  q.add("a");
  EXPECT_EQ(q.size(), 0u);
  std::atomic<bool> got{false};
  std::thread t([&] {
    auto k2 = q.get();
    EXPECT_EQ(k2.value_or(""), "a");
    got = true;
    q.done("a");
  });
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(got.load());
  q.done("a");
  t.join();
  EXPECT_TRUE(got.load());
  EXPECT_EQ(q.size(), 0u);
}

// Polls until pred() or the deadline.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds within) {
  auto end = Clock::now() + within;
  while (Clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return pred();
}

TEST(WorkQueue, AddAfterOrdering) {
  WorkQueue q;
  auto t0 = Clock::now();
  q.add_after("late", 300ms);
  q.add_after("early", 100ms);
  q.add_after("mid", 200ms);
  q.add_after("early", 250ms);  // a later time for a waiting key is ignored
  EXPECT_EQ(q.size(), 0u);
  std::vector<std::string> order;
  for (int i = 0; i < 3; ++i) {
    auto k = q.get();
    ASSERT_TRUE(k);
    order.push_back(*k);
    q.done(*k);
  }
  auto elapsed = Clock::now() - t0;
  EXPECT_EQ(order, (std::vector<std::string>{"early", "mid", "late"}));
  EXPECT_GE(elapsed, 290ms);
  EXPECT_LT(elapsed, 2s);
}

TEST(WorkQueue, AddAfterBecomesVisibleToSize) {
  WorkQueue q;
  q.add_after("x", 50ms);
  // size() does not promote; a blocked get() does.
  std::optional<std::string> got;
  std::thread t([&] { got = q.get(); });
  EXPECT_TRUE(eventually([&] { return got.has_value(); }, 2s));
  t.join();
  EXPECT_EQ(got.value_or(""), "x");
}

TEST(WorkQueue, RateLimitedBackoffGrows) {
  WorkQueue q;
  std::vector<std::chrono::milliseconds> waited;
  for (int i = 0; i < 6; ++i) {
    auto t0 = Clock::now();
    q.add_rate_limited("k");
    auto k = q.get();
    ASSERT_TRUE(k);
    waited.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0));
    q.done(*k);
  }
  EXPECT_EQ(q.num_requeues("k"), 6);
  for (int i = 0; i < 6; ++i) EXPECT_GE(waited[i].count(), 5 * (1 << i) - 1) << "attempt " << i;
  EXPECT_GE(waited[5].count(), 159);

  q.forget("k");
  EXPECT_EQ(q.num_requeues("k"), 0);
  auto t0 = Clock::now();
  q.add_rate_limited("k");
  ASSERT_TRUE(q.get());
  EXPECT_LT(Clock::now() - t0, 100ms);
  q.done("k");

  // Other keys have their own counters.
  for (int i = 0; i < 20; ++i) q.add_rate_limited("slow");
  EXPECT_EQ(q.num_requeues("slow"), 20);
  EXPECT_EQ(q.num_requeues("other"), 0);
}

TEST(WorkQueue, ShutdownWakesAllGetters) {
  WorkQueue q;
  std::atomic<int> nulls{0};
  std::vector<std::thread> ts;
  for (int i = 0; i < 4; ++i)
    ts.emplace_back([&] {
      if (!q.get()) ++nulls;
    });
  std::this_thread::sleep_for(50ms);
  q.shutdown();
  for (auto& t : ts) t.join();
  EXPECT_EQ(nulls.load(), 4);
  EXPECT_TRUE(q.shutting_down());
  q.add("late");
  EXPECT_FALSE(q.get());
}

TEST(WorkQueue, ManyWorkersProcessEachKeyOnceAtATime) {
  WorkQueue q;
  std::mutex mu;
  std::set<std::string> in_flight;
  std::atomic<int> processed{0};
  std::atomic<bool> overlap{false};
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w)
    workers.emplace_back([&] {
      while (auto k = q.get()) {
        {
          std::lock_guard lk(mu);
          if (!in_flight.insert(*k).second) overlap = true;
        }
        std::this_thread::sleep_for(1ms);
        {
          std::lock_guard lk(mu);
          in_flight.erase(*k);
        }
        ++processed;
        q.done(*k);
      }
    });
  for (int i = 0; i < 200; ++i) q.add("key" + std::to_string(i % 10));
  EXPECT_TRUE(eventually([&] { return q.size() == 0 && processed.load() >= 10; }, 5s));
  std::this_thread::sleep_for(50ms);
  q.shutdown();
  for (auto& t : workers) t.join();
  EXPECT_FALSE(overlap.load());
}

TEST(ObjectKey, NamespacedAndCluster) {
  json::object a{{"metadata", json::object{{"name", "n"}, {"namespace", "ns"}}}};
  json::object b{{"metadata", json::object{{"name", "node1"}}}};
  EXPECT_EQ(object_key(a), "ns/n");
  EXPECT_EQ(object_key(b), "node1");
}

}  // namespace
}  // namespace skiff::client
