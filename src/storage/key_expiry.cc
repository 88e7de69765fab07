#include "storage/key_expiry.h"

#include <vector>

#include "common/log.h"

namespace skiff::storage {

void KeyExpiry::start() {
  thread_ = std::thread([this] { run(); });
}

void KeyExpiry::stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void KeyExpiry::expire_after(const std::string& key, int64_t mod_revision,
                             std::chrono::milliseconds ttl) {
  auto when = Clock::now() + ttl;
  std::lock_guard lock(mu_);
  if (auto it = deadline_of_.find(key); it != deadline_of_.end()) {
    auto range = due_.equal_range(it->second);
    for (auto e = range.first; e != range.second; ++e)
      if (e->second.key == key) {
        due_.erase(e);
        break;
      }
  }
  bool earliest = due_.empty() || when < due_.begin()->first;
  due_.emplace(when, Entry{key, mod_revision});
  deadline_of_[key] = when;
  if (earliest) cv_.notify_all();
}

size_t KeyExpiry::pending() {
  std::lock_guard lock(mu_);
  return due_.size();
}

size_t KeyExpiry::expire_due(Clock::time_point now) {
  std::vector<Entry> due;
  {
    std::lock_guard lock(mu_);
    while (!due_.empty() && due_.begin()->first <= now) {
      due.push_back(std::move(due_.begin()->second));
      deadline_of_.erase(due.back().key);
      due_.erase(due_.begin());
    }
  }
  size_t deleted = 0;
  for (const auto& e : due) {
    auto res = store_.remove(e.key, e.mod_revision);
    // kConflict: written since (its own deadline applies); kNotFound: already gone.
    if (res.code == Code::kOk) {
      ++deleted;
    } else if (res.code != Code::kConflict && res.code != Code::kNotFound) {
      SKIFF_LOG(WARN) << "expiring " << e.key << ": " << res.message;
    }
  }
  return deleted;
}

void KeyExpiry::run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    if (due_.empty()) {
      cv_.wait(lock);
      continue;
    }
    auto next = due_.begin()->first;
    if (Clock::now() < next) {
      cv_.wait_until(lock, next);
      continue;
    }
    lock.unlock();
    expire_due(Clock::now());
    lock.lock();
  }
}

}  // namespace skiff::storage
