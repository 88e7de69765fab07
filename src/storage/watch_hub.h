// The watch side of SqliteStore: one shared ring of recent events, the set of live watchers, and
// the Watch objects handed to callers.
//
// Memory: events live once, in the ring, which is bounded by count AND bytes. A watcher holds no
// events of its own, only a cursor (the last revision it has taken): it reads the ring from there,
// and what the ring no longer holds it reads from SQLite history, a chunk per next(). So a client
// that stops reading costs a cursor, not a copy of every later write.
//
// Slow watchers: each watcher counts the events under its prefix published since its cursor that
// it has not taken (its backlog, by count and bytes). A watcher whose backlog passes either bound
// is closed (WatchBatch::closed); its client re-watches or re-lists, like upstream's cacher
// terminating a blocked watcher. Other watchers are not affected.
//
// Ordering guarantee: the store's writer thread calls publish() once per committed batch, in
// revision order, before it acknowledges the batch's writes. subscribe() registers a watcher under
// the same mutex, so every event after `after_revision` is either in SQLite history or in the ring
// from the moment the watcher exists, and the watcher reads them in revision order exactly once.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "storage/sqlite_db.h"
#include "storage/store.h"

namespace skiff::storage::sqlite {

using EventPtr = std::shared_ptr<const WatchEvent>;

struct WatchHubOptions {
  // The ring of recent events, shared by all watchers. The batch just published always stays,
  // even when it alone is over the bounds, so a watcher waiting for it never misses it.
  size_t ring_max_events = 20000;
  size_t ring_max_bytes = 64 << 20;
  // A watcher further behind than this (events under its prefix it has not taken) is closed.
  size_t max_watcher_backlog = 20000;
  size_t max_watcher_backlog_bytes = 64 << 20;
  // What one next() returns at most (at least one event): bounds the copy a consumer holds.
  size_t batch_max_events = 1000;
  size_t batch_max_bytes = 4 << 20;
  // Catch-up read from SQLite per next() call.
  size_t history_chunk_events = 1000;
};

// Approximate memory an event holds (keys, values, bookkeeping).
size_t event_bytes(const WatchEvent& e);

// One watcher's state, shared by its Watch object and the hub.
struct Watcher {
  std::string prefix;
  std::condition_variable cv;  // waits on the hub's mutex
  // Guarded by the hub's mutex:
  bool closed = false;
  size_t backlog_events = 0;  // published under `prefix`, after counted_after, not yet taken
  size_t backlog_bytes = 0;
  int64_t counted_after = 0;  // events after this revision are counted in the backlog
  bool progress_requested = false;  // see Watch::request_progress
  // The last revision taken (or known to hold nothing for this watcher). Written only by the
  // consumer (the thread calling Watch::next) while it holds the hub's mutex, so the consumer
  // may read it without the lock.
  int64_t cursor = 0;
};

class WatchHub : public std::enable_shared_from_this<WatchHub> {
 public:
  WatchHub(WatchHubOptions opts, std::shared_ptr<ReaderPool> readers, int64_t revision,
           int64_t compacted);

  // Called by the writer thread after a commit: events in revision order, `revision` the last.
  void publish(const std::vector<EventPtr>& events, int64_t revision);
  // Returns nullptr with *code set on kTooOld / kFutureRevision / kUnavailable (closed).
  std::unique_ptr<Watch> subscribe(const std::string& prefix, int64_t after, Code* code);
  void unsubscribe(const std::shared_ptr<Watcher>& w);
  // Set BEFORE history rows are deleted, so a watcher reading history can notice (see next()).
  // Also drops ring events at or before `revision`: no new watch can start before it, and a
  // watcher still behind it reads history and is closed as compacted.
  void set_compacted(int64_t revision);
  int64_t compacted() const { return compacted_.load(); }
  // Closes every watcher; later subscribes fail with kUnavailable.
  void close();

  struct Stats {
    size_t ring_events = 0;
    size_t ring_bytes = 0;
    size_t watchers = 0;
  };
  Stats stats();

  const WatchHubOptions& options() const { return opts_; }
  ReaderPool& readers() { return *readers_; }

 private:
  friend class WatchImpl;
  void evict_locked(int64_t keep_after);
  void close_locked(Watcher& w);

  const WatchHubOptions opts_;
  const std::shared_ptr<ReaderPool> readers_;
  std::atomic<int64_t> compacted_;

  std::mutex mu_;              // guards everything below and every Watcher's guarded fields
  std::deque<EventPtr> ring_;  // contiguous revisions ending at revision_ (or empty)
  size_t ring_bytes_ = 0;
  int64_t revision_;           // last published revision
  std::set<std::shared_ptr<Watcher>> watchers_;  // open watchers
  bool closed_ = false;
};

}  // namespace skiff::storage::sqlite
