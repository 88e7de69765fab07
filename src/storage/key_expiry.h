// Time to live on keys, for any Store (etcd's leases, as kube-apiserver attaches one to every
// Event write): expire_after(key, mod_revision, ttl) deletes the key once `ttl` has passed,
// unless it was written again since (the delete is a compare-and-swap on `mod_revision`, so a
// later write with its own expire_after call replaces the deadline). Deadlines live in memory:
// the owner attaches them again after a restart (apiserver/event_ttl.h does, for Events).
//
// Thread safety: every method may be called from any thread; deletes run on the object's thread.
#pragma once
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "storage/store.h"

namespace skiff::storage {

class KeyExpiry {
 public:
  using Clock = std::chrono::steady_clock;
  explicit KeyExpiry(Store& store) : store_(store) {}
  ~KeyExpiry() { stop(); }
  void start();
  void stop();
  void expire_after(const std::string& key, int64_t mod_revision, std::chrono::milliseconds ttl);
  // Keys with a deadline (tests, diagnostics).
  size_t pending();
  // Deletes what is due at `now`; returns how many keys it deleted (the thread calls it).
  size_t expire_due(Clock::time_point now);

 private:
  struct Entry {
    std::string key;
    int64_t mod_revision;
  };
  void run();

  Store& store_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::multimap<Clock::time_point, Entry> due_;            // GUARDED_BY(mu_)
  std::map<std::string, Clock::time_point> deadline_of_;  // GUARDED_BY(mu_): key -> its entry
  bool stop_ = false;                                     // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace skiff::storage
