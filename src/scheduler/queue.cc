#include "scheduler/queue.h"

#include <algorithm>

namespace skiff::scheduler {

SchedulingQueue::SchedulingQueue(Now now, std::chrono::milliseconds initial_backoff,
                                 std::chrono::milliseconds max_backoff)
    : now_(std::move(now)), initial_backoff_(initial_backoff), max_backoff_(max_backoff) {}

std::chrono::milliseconds SchedulingQueue::backoff_for(int attempts) const {
  auto d = initial_backoff_;
  for (int i = 1; i < attempts && d < max_backoff_; ++i) d *= 2;
  return std::min(d, max_backoff_);
}

void SchedulingQueue::to_active_locked(Entry& e) {
  e.where = Where::kActive;
  active_.insert(active_key(*e.qp.pod));
  cv_.notify_one();
}

void SchedulingQueue::to_backoff_locked(Entry& e) {
  e.where = Where::kBackoff;
  backoff_.emplace(e.backoff_until, e.qp.pod->uid);
  cv_.notify_one();  // pop() recomputes its wake-up time
}

void SchedulingQueue::to_backoff_or_active_locked(Entry& e) {
  if (e.backoff_until > now_()) {
    to_backoff_locked(e);
  } else {
    to_active_locked(e);
  }
}

void SchedulingQueue::flush_backoff_locked() {
  TimePoint t = now_();
  while (!backoff_.empty() && backoff_.begin()->first <= t) {
    auto it = entries_.find(backoff_.begin()->second);
    backoff_.erase(backoff_.begin());
    if (it != entries_.end() && it->second.where == Where::kBackoff) to_active_locked(it->second);
  }
}

void SchedulingQueue::add(PodInfoPtr pod) {
  std::lock_guard lk(mu_);
  auto it = entries_.find(pod->uid);
  if (it == entries_.end()) {
    std::string uid = pod->uid;
    Entry& e = entries_[uid];
    e.qp.pod = std::move(pod);
    to_active_locked(e);
    return;
  }
  Entry& e = it->second;
  if (e.where == Where::kActive) active_.erase(active_key(*e.qp.pod));
  e.qp.pod = std::move(pod);
  switch (e.where) {
    case Where::kActive: to_active_locked(e); break;
    case Where::kBackoff: break;
    case Where::kUnschedulable:
      --unschedulable_;
      to_backoff_or_active_locked(e);
      break;
    case Where::kInFlight: break;  // the newest version is used if the attempt fails
  }
}

void SchedulingQueue::remove(const std::string& uid) {
  std::lock_guard lk(mu_);
  auto it = entries_.find(uid);
  if (it == entries_.end()) return;
  Entry& e = it->second;
  if (e.where == Where::kActive) active_.erase(active_key(*e.qp.pod));
  if (e.where == Where::kBackoff) backoff_.erase({e.backoff_until, uid});
  if (e.where == Where::kUnschedulable) --unschedulable_;
  entries_.erase(it);
}

void SchedulingQueue::add_unschedulable(const QueuedPod& qp, bool backoff_only) {
  std::lock_guard lk(mu_);
  auto it = entries_.find(qp.pod->uid);
  if (it == entries_.end() || it->second.where != Where::kInFlight) return;  // deleted meanwhile
  Entry& e = it->second;
  e.qp.attempts = qp.attempts;
  e.backoff_until = now_() + backoff_for(qp.attempts);
  if (backoff_only || move_request_cycle_ >= qp.cycle) {
    to_backoff_locked(e);
  } else {
    e.where = Where::kUnschedulable;
    ++unschedulable_;
  }
}

void SchedulingQueue::done(const std::string& uid) {
  std::lock_guard lk(mu_);
  auto it = entries_.find(uid);
  if (it != entries_.end() && it->second.where == Where::kInFlight) entries_.erase(it);
}

void SchedulingQueue::move_all_to_active_or_backoff() {
  std::lock_guard lk(mu_);
  if (unschedulable_ > 0)
    for (auto& [uid, e] : entries_)
      if (e.where == Where::kUnschedulable) {
        --unschedulable_;
        to_backoff_or_active_locked(e);
      }
  move_request_cycle_ = cycle_;
}

std::optional<QueuedPod> SchedulingQueue::pop(std::chrono::milliseconds wait) {
  std::unique_lock lk(mu_);
  auto deadline = std::chrono::steady_clock::now() + wait;
  while (true) {
    if (closed_) return std::nullopt;
    flush_backoff_locked();
    if (!active_.empty()) {
      auto key = *active_.begin();
      active_.erase(active_.begin());
      Entry& e = entries_.at(std::get<2>(key));
      e.where = Where::kInFlight;
      e.qp.attempts++;
      e.qp.cycle = ++cycle_;
      return e.qp;
    }
    auto real_now = std::chrono::steady_clock::now();
    if (real_now >= deadline) return std::nullopt;
    // Wake for the earliest backoff expiry (in the injected clock's terms) or the deadline.
    auto wake = deadline;
    if (!backoff_.empty()) wake = std::min(wake, real_now + (backoff_.begin()->first - now_()));
    cv_.wait_until(lk, std::max(wake, real_now + std::chrono::milliseconds(1)));
  }
}

void SchedulingQueue::close() {
  std::lock_guard lk(mu_);
  closed_ = true;
  cv_.notify_all();
}

size_t SchedulingQueue::active_size() const {
  std::lock_guard lk(mu_);
  return active_.size();
}
size_t SchedulingQueue::backoff_size() const {
  std::lock_guard lk(mu_);
  return backoff_.size();
}
size_t SchedulingQueue::unschedulable_size() const {
  std::lock_guard lk(mu_);
  return unschedulable_;
}
bool SchedulingQueue::contains(const std::string& uid) const {
  std::lock_guard lk(mu_);
  return entries_.count(uid) > 0;
}

}  // namespace skiff::scheduler
