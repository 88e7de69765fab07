// Events expire (kube-apiserver's --event-ttl, default 1h): every write of a core/v1 or
// events.k8s.io/v1 Event gives its key a time to live from that write (storage::KeyExpiry, the
// lease upstream attaches). The writes are followed through a store watch, so no write path
// needs to know; at start every stored Event gets the full TTL again (deadlines are not
// persisted: an Event lives at most TTL past a restart).
//
// Thread safety: start() and stop() from one thread.
#pragma once
#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "storage/key_expiry.h"
#include "storage/store.h"

namespace skiff::apiserver {

class EventTtl {
 public:
  EventTtl(storage::Store& store, std::chrono::milliseconds ttl)
      : store_(store), ttl_(ttl), expiry_(store) {}
  ~EventTtl() { stop(); }
  void start();
  void stop();

 private:
  void run();
  // Attaches the TTL to every stored Event; returns the revision read at (0 on failure).
  int64_t attach_all();

  storage::Store& store_;
  const std::chrono::milliseconds ttl_;
  storage::KeyExpiry expiry_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace skiff::apiserver
