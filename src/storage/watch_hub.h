// The watch side of SqliteStore: a ring of recent events for fast catch-up, the set of live
// watchers each with its own bounded queue, and the Watch objects handed to callers. Events older
// than the ring (but not compacted) are read lazily from SQLite history by the watcher itself.
//
// Ordering guarantee: the store's writer thread calls publish() once per committed batch, in
// revision order, before it acknowledges the batch's writes. subscribe() registers a watcher and
// snapshots the ring under the same mutex, so every event after `after_revision` lands in exactly
// one place: SQLite history (read by the watcher), the ring snapshot, or the live queue.
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
  size_t ring_size = 50000;            // recent events kept in memory
  size_t max_watcher_backlog = 100000; // a watcher with more undelivered events is closed
  size_t history_chunk_events = 1000;  // catch-up read from SQLite per next() call
  size_t history_chunk_bytes = 16 << 20;
};

// One watcher's state, shared by its Watch object and the hub.
struct Watcher {
  std::string prefix;
  std::mutex mu;  // guards queue and closed
  std::condition_variable cv;
  std::deque<EventPtr> queue;
  bool closed = false;
  // Catch-up from SQLite history: events in (disk_after, disk_until]. Touched only by the thread
  // calling Watch::next() (the consumer), so unguarded.
  int64_t disk_after = 0;
  int64_t disk_until = 0;
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
  void set_compacted(int64_t revision) { compacted_.store(revision); }
  int64_t compacted() const { return compacted_.load(); }
  // Closes every watcher; later subscribes fail with kUnavailable.
  void close();

  const WatchHubOptions& options() const { return opts_; }
  ReaderPool& readers() { return *readers_; }

 private:
  const WatchHubOptions opts_;
  const std::shared_ptr<ReaderPool> readers_;
  std::atomic<int64_t> compacted_;

  std::mutex mu_;  // guards everything below
  std::deque<EventPtr> ring_;  // contiguous revisions ending at revision_
  int64_t revision_;           // last published revision
  std::set<std::shared_ptr<Watcher>> watchers_;
  bool closed_ = false;
};

}  // namespace skiff::storage::sqlite
