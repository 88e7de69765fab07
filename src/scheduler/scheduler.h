// The scheduler: informers (nodes, pods) feed a Cache and a SchedulingQueue; one thread pops
// pods and runs the Profile; the chosen node is assumed in the cache at once and the binding
// (POST pods/binding) runs on a small pool so bind latency does not limit throughput.
// Events Scheduled / FailedScheduling are written as core/v1 Events.
//
//   client::Client c(cfg);
//   scheduler::Scheduler s(c);          // or Scheduler(c, "my-scheduler")
//   s.start();                          // returns once the informers synced
//   ...
//   s.stop();                           // also done by the destructor
//
// SchedulerCore is the informer-free part (cluster events in, binds and events out through
// the Binder / EventSink interfaces) so it can be tested without a server.
#pragma once
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/api_error.h"
#include "scheduler/cache.h"
#include "scheduler/framework.h"
#include "scheduler/queue.h"

namespace skiff::client {
class Client;
class Informer;
}  // namespace skiff::client

namespace skiff::scheduler {

class Binder {
 public:
  virtual ~Binder() = default;
  // Called on a bind-pool thread. An error makes the scheduler forget the assumed pod.
  virtual skiff::Status bind(const PodInfo& pod, const std::string& node) = 0;
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  // type "Normal"/"Warning"; reason "Scheduled"/"FailedScheduling". Called off the
  // scheduling thread; must not block long.
  virtual void record(const PodInfo& pod, const std::string& type, const std::string& reason,
                      const std::string& message) = 0;
};

// A fixed pool of threads running queued tasks; wait_idle() lets tests drain it.
class TaskPool {
 public:
  explicit TaskPool(int threads);
  ~TaskPool();
  void submit(std::function<void()> task);
  void wait_idle();
  void shutdown();  // runs the queued tasks, then joins

 private:
  std::mutex mu_;
  std::condition_variable cv_, idle_cv_;
  std::deque<std::function<void()>> tasks_;  // guarded by mu_
  int running_ = 0;                          // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  std::vector<std::thread> threads_;
};

class SchedulerCore {
 public:
  SchedulerCore(std::string scheduler_name, Binder& binder, EventSink& events,
                int bind_threads = 4);
  ~SchedulerCore();

  // Cluster events (from informers, or from tests).
  void on_node_add(const ObjectPtr& node);
  void on_node_update(const ObjectPtr& old_node, const ObjectPtr& node);
  void on_node_delete(const ObjectPtr& node);
  void on_pod_add(const ObjectPtr& pod);
  void on_pod_update(const ObjectPtr& old_pod, const ObjectPtr& pod);
  void on_pod_delete(const ObjectPtr& pod);

  // One scheduling cycle: pops a pod (waiting up to `wait`), schedules it, assumes it and
  // hands the bind to the pool. False when no pod was available.
  bool schedule_one(std::chrono::milliseconds wait);
  void wait_for_binds() { binds_.wait_idle(); }
  void shutdown();

  SchedulingQueue& queue() { return queue_; }
  Cache& cache() { return cache_; }
  Profile& profile() { return *profile_; }
  const std::string& name() const { return name_; }

 private:
  bool responsible_for(const PodInfo& pod) const;
  void bind_async(PodInfoPtr assumed, QueuedPod qp);

  std::string name_;
  Binder& binder_;
  EventSink& events_;
  Cache cache_;
  SchedulingQueue queue_;
  std::unique_ptr<Profile> profile_;  // used only by the scheduling thread
  Snapshot snapshot_;                 // the scheduling thread's; refreshed each cycle
  // Declared last: its threads use the members above, so it is destroyed (joined) first.
  TaskPool binds_;
};

class Scheduler {
 public:
  explicit Scheduler(client::Client& client, std::string scheduler_name = "default-scheduler");
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  void start();  // starts informers, waits for their first list (up to 30 s), starts the loop
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace skiff::scheduler
