// WorkQueue: client-go's workqueue semantics (see informer.h). Delayed keys wait in a min-heap
// that get() drains when their time comes, so no timer thread is needed.
#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <queue>
#include <unordered_map>
#include <unordered_set>

#include "client/informer.h"

namespace skiff::client {
using Clock = std::chrono::steady_clock;

namespace {
constexpr std::chrono::milliseconds kBaseDelay{5};
constexpr std::chrono::milliseconds kMaxDelay{1000 * 1000};

struct Delayed {
  Clock::time_point at;
  uint64_t seq;  // FIFO among keys due at the same instant
  std::string key;
  bool operator>(const Delayed& o) const { return at != o.at ? at > o.at : seq > o.seq; }
};
}  // namespace

// Everything below is guarded by mu.
struct WorkQueue::Impl {
  mutable std::mutex mu;
  std::condition_variable cv;
  std::deque<std::string> queue;            // keys ready to hand out, FIFO
  std::unordered_set<std::string> dirty;    // keys that need processing (queued or pending)
  std::unordered_set<std::string> processing;  // keys handed out and not yet done()
  std::priority_queue<Delayed, std::vector<Delayed>, std::greater<>> delayed;
  std::unordered_map<std::string, Clock::time_point> waiting;  // key -> earliest ready time
  std::unordered_map<std::string, int> failures;               // add_rate_limited counts
  uint64_t seq = 0;
  bool shutting_down = false;

  void add_locked(const std::string& key) {
    if (shutting_down) return;
    if (!dirty.insert(key).second) return;
    if (processing.count(key)) return;  // re-queued by done()
    queue.push_back(key);
    cv.notify_one();
  }

  void add_after_locked(const std::string& key, std::chrono::milliseconds delay) {
    if (shutting_down) return;
    if (delay <= std::chrono::milliseconds::zero()) {
      add_locked(key);
      return;
    }
    auto at = Clock::now() + delay;
    auto it = waiting.find(key);
    if (it != waiting.end() && it->second <= at) return;  // already due earlier
    waiting[key] = at;
    delayed.push(Delayed{at, seq++, key});
    cv.notify_all();  // a waiting get() may need to wake earlier
  }

  // Moves due delayed keys to the queue; returns the next deadline (or max when none).
  Clock::time_point promote_locked() {
    auto now = Clock::now();
    while (!delayed.empty()) {
      const Delayed& top = delayed.top();
      auto it = waiting.find(top.key);
      if (it == waiting.end() || it->second != top.at) {  // superseded by an earlier add_after
        delayed.pop();
        continue;
      }
      if (top.at > now) return top.at;
      std::string key = top.key;
      waiting.erase(it);
      delayed.pop();
      add_locked(key);
    }
    return Clock::time_point::max();
  }
};

WorkQueue::WorkQueue() : impl_(std::make_unique<Impl>()) {}
WorkQueue::~WorkQueue() { shutdown(); }

void WorkQueue::add(const std::string& key) {
  std::lock_guard lk(impl_->mu);
  impl_->add_locked(key);
}

void WorkQueue::add_after(const std::string& key, std::chrono::milliseconds delay) {
  std::lock_guard lk(impl_->mu);
  impl_->add_after_locked(key, delay);
}

void WorkQueue::add_rate_limited(const std::string& key) {
  std::lock_guard lk(impl_->mu);
  int n = impl_->failures[key]++;
  // 5 ms * 2^n, capped; past 2^18 the cap has long been reached.
  auto delay = n >= 18 ? kMaxDelay : std::min(kMaxDelay, kBaseDelay * (int64_t{1} << n));
  impl_->add_after_locked(key, delay);
}

void WorkQueue::forget(const std::string& key) {
  std::lock_guard lk(impl_->mu);
  impl_->failures.erase(key);
}

int WorkQueue::num_requeues(const std::string& key) const {
  std::lock_guard lk(impl_->mu);
  auto it = impl_->failures.find(key);
  return it == impl_->failures.end() ? 0 : it->second;
}

std::optional<std::string> WorkQueue::get() {
  std::unique_lock lk(impl_->mu);
  for (;;) {
    if (impl_->shutting_down) return std::nullopt;
    auto next = impl_->promote_locked();
    if (!impl_->queue.empty()) {
      std::string key = std::move(impl_->queue.front());
      impl_->queue.pop_front();
      impl_->processing.insert(key);
      impl_->dirty.erase(key);
      return key;
    }
    if (next == Clock::time_point::max())
      impl_->cv.wait(lk);
    else
      impl_->cv.wait_until(lk, next);
  }
}

void WorkQueue::done(const std::string& key) {
  std::lock_guard lk(impl_->mu);
  impl_->processing.erase(key);
  if (impl_->dirty.count(key) && !impl_->shutting_down) {
    impl_->queue.push_back(key);
    impl_->cv.notify_one();
  }
}

void WorkQueue::shutdown() {
  std::lock_guard lk(impl_->mu);
  impl_->shutting_down = true;
  impl_->cv.notify_all();
}

bool WorkQueue::shutting_down() const {
  std::lock_guard lk(impl_->mu);
  return impl_->shutting_down;
}

size_t WorkQueue::size() const {
  std::lock_guard lk(impl_->mu);
  return impl_->queue.size();
}

}  // namespace skiff::client
