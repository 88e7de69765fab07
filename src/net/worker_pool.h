// WorkerPool: the HTTPS server's handler threads, started on demand and exiting when idle.
// Internal to src/net (the interface is net/http.h).
#pragma once
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <list>
#include <mutex>
#include <thread>
#include <vector>

namespace skiff::net::detail {

// Threads that run jobs: one more is started when a job finds no idle worker, and a worker with
// nothing to do for `idle_exit` exits. The caller bounds the number of jobs at once.
class WorkerPool {
 public:
  explicit WorkerPool(std::chrono::seconds idle_exit) : idle_exit_(idle_exit) {}
  ~WorkerPool() { stop(); }

  // Runs `job` on a worker. False when stopping or no thread could be started (job dropped).
  bool submit(std::function<void()> job);

  // Runs the queued jobs, then joins every worker. Later submits fail.
  void stop();

 private:
  void run(std::list<std::thread>::iterator self);

  const std::chrono::seconds idle_exit_;
  std::mutex mu_;  // guards everything below
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::list<std::thread> threads_;   // live workers; each erases itself when it exits idle
  std::vector<std::thread> exited_;  // workers that exited idle, not yet joined
  size_t idle_ = 0;                  // workers waiting for a job
  bool stopping_ = false;
};

}  // namespace skiff::net::detail
