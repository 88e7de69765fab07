// WorkerPool (worker_pool.h): workers take jobs from one queue under one mutex; an idle worker
// waits on the condition variable, one idle past idle_exit hands its own std::thread to the next
// submit() or stop() to join.
#include "net/worker_pool.h"

#include <system_error>

#include "common/log.h"
#include "net/tls_socket.h"

namespace skiff::net::detail {

bool WorkerPool::submit(std::function<void()> job) {
  std::vector<std::thread> exited;
  bool ok = true;
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (stopping_) return false;
    exited.swap(exited_);
    jobs_.push_back(std::move(job));
    if (idle_ >= jobs_.size()) {
      cv_.notify_one();
    } else {
      try {
        auto it = threads_.emplace(threads_.end());
        *it = std::thread([this, it] { run(it); });
      } catch (const std::system_error& e) {
        threads_.pop_back();
        jobs_.pop_back();
        SKIFF_LOG(ERROR) << "http: cannot start a worker thread (" << threads_.size()
                         << " running): " << e.what();
        ok = false;
      }
    }
  }
  for (auto& t : exited) t.join();  // returned or about to: prompt
  return ok;
}

void WorkerPool::stop() {
  std::list<std::thread> threads;
  std::vector<std::thread> exited;
  {
    std::lock_guard<std::mutex> lk(mu_);
    stopping_ = true;
    threads.swap(threads_);
    exited.swap(exited_);
  }
  cv_.notify_all();
  for (auto& t : threads)
    if (t.joinable()) t.join();
  for (auto& t : exited) t.join();
}

void WorkerPool::run(std::list<std::thread>::iterator self) {
  init_thread("skiff-http-wk");
  std::unique_lock<std::mutex> lk(mu_);
  for (;;) {
    if (!jobs_.empty()) {
      std::function<void()> job = std::move(jobs_.front());
      jobs_.pop_front();
      lk.unlock();
      try {
        job();
      } catch (const std::exception& e) {
        SKIFF_LOG(ERROR) << "http: worker: " << e.what();
      } catch (...) {
        SKIFF_LOG(ERROR) << "http: worker: unknown exception";
      }
      job = nullptr;  // drops the connection outside the lock
      lk.lock();
      continue;
    }
    if (stopping_) return;  // stop() holds our handle
    ++idle_;
    bool woken = cv_.wait_for(lk, idle_exit_, [&] { return !jobs_.empty() || stopping_; });
    --idle_;
    if (!woken) {
      // Idle too long: hand our handle to whoever joins next.
      exited_.push_back(std::move(*self));
      threads_.erase(self);
      return;
    }
  }
}

}  // namespace skiff::net::detail
