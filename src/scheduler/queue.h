// The scheduling queue (upstream's PriorityQueue, simplified): an active queue ordered by
// priority (higher first) then creation time; a backoff queue of pods that failed recently
// (1 s doubling per attempt up to 10 s); and the unschedulable pods, parked until a cluster
// event (node added or changed, pod deleted...) may have made room, then moved to backoff or
// active. A pod popped for scheduling is "in flight" until done() or add_unschedulable().
//
// Thread safety: all methods lock mu_; pop() blocks. Time comes from an injectable clock.
#pragma once
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <tuple>

#include "scheduler/framework.h"

namespace skiff::scheduler {

struct QueuedPod {
  PodInfoPtr pod;
  int attempts = 0;      // scheduling attempts so far (backoff = 1s * 2^(attempts-1), max 10s)
  int64_t cycle = 0;     // the scheduling cycle it was popped in
};

class SchedulingQueue {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  using Now = std::function<TimePoint()>;
  explicit SchedulingQueue(Now now = [] { return std::chrono::steady_clock::now(); },
                           std::chrono::milliseconds initial_backoff = std::chrono::seconds(1),
                           std::chrono::milliseconds max_backoff = std::chrono::seconds(10));

  // A new or changed pending pod. A parked (unschedulable) pod that changes is retried.
  void add(PodInfoPtr pod);
  void remove(const std::string& uid);
  // After a failed attempt: parked until a cluster event, or straight to backoff when a
  // cluster event arrived while it was being scheduled (so that event is not missed).
  // kError failures use backoff_only = true.
  void add_unschedulable(const QueuedPod& qp, bool backoff_only = false);
  // The attempt succeeded (assumed); the pod leaves the queue.
  void done(const std::string& uid);
  // A cluster event: every parked pod goes to backoff (if still backing off) or active.
  void move_all_to_active_or_backoff();

  // The next pod by priority; waits up to `wait` (backoff expiries are honoured while waiting).
  std::optional<QueuedPod> pop(std::chrono::milliseconds wait);
  void close();

  size_t active_size() const;
  size_t backoff_size() const;
  size_t unschedulable_size() const;
  bool contains(const std::string& uid) const;

 private:
  enum class Where { kActive, kBackoff, kUnschedulable, kInFlight };
  struct Entry {
    QueuedPod qp;
    Where where = Where::kActive;
    TimePoint backoff_until{};
  };
  using ActiveKey = std::tuple<int64_t, std::chrono::system_clock::time_point, std::string>;
  static ActiveKey active_key(const PodInfo& p) { return {-int64_t(p.priority), p.created, p.uid}; }

  std::chrono::milliseconds backoff_for(int attempts) const;
  void to_active_locked(Entry& e);
  void to_backoff_locked(Entry& e);
  void to_backoff_or_active_locked(Entry& e);
  void flush_backoff_locked();

  Now now_;
  std::chrono::milliseconds initial_backoff_, max_backoff_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  // State below is protected by mu_.
  std::map<std::string, Entry> entries_;  // by uid
  std::set<ActiveKey> active_;
  // The kBackoff entries by expiry and the number of kUnschedulable ones, so pop() and cluster
  // events cost O(log n) rather than a walk over every pending pod.
  std::set<std::pair<TimePoint, std::string>> backoff_;  // (backoff_until, uid)
  size_t unschedulable_ = 0;
  int64_t cycle_ = 0;
  int64_t move_request_cycle_ = -1;
  bool closed_ = false;
};

}  // namespace skiff::scheduler
