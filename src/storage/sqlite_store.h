// SqliteStore: the embedded Store backend (docs/architecture.md, "Storage contract").
//
// Layout: one SQLite file in WAL mode with synchronous=FULL holding the MVCC history (one row per
// write, tombstones for deletes; see sqlite_db.h), plus an in-memory map of the current state so
// get() and list() at the latest revision never touch disk. The file, its WAL and shared-memory
// index are mode 0600; directories the store creates are 0700. The database uses incremental
// auto-vacuum (an older file is converted once, with a VACUUM, at open): each compaction gives
// the freed pages back to the filesystem and logs the sizes.
//
// Writes (group commit): callers enqueue a request and block; one writer thread drains the queue,
// checks each request in order against the current state plus the batch's earlier writes, writes
// the whole batch in one transaction, commits (fsync), then publishes the events to watchers,
// updates the in-memory state and only then wakes the callers. A failed commit fails the whole
// batch with kUnavailable and leaves the in-memory state untouched, so nothing is acknowledged or
// visible that is not on disk.
//
// Thread safety: every public method may be called from any thread. A process holds the file
// exclusively (an flock on "<path>.lock"); a second open() of the same path fails.
#pragma once
#include <sys/types.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>

#include "storage/sqlite_db.h"
#include "storage/store.h"
#include "storage/watch_hub.h"

namespace skiff::storage {

struct SqliteStoreOptions {
  // The watch side: the ring of recent events, how far a watcher may fall behind, and what one
  // Watch::next() returns (sqlite::WatchHubOptions says what each bound is for). The backlog
  // bound must exceed one write batch (max_batch_writes / ~2x max_batch_bytes), so a watcher
  // that keeps up is never closed by a single large commit.
  sqlite::WatchHubOptions watch;
  size_t max_batch_writes = 10000;       // at most this many writes per transaction
  size_t max_batch_bytes = 16 << 20;     // ... and about this many value bytes
  size_t history_chunk_events = 1000;    // events a watch reads from SQLite per next() call
  int64_t cache_kib = 8192;              // SQLite page cache of the writer connection
  // Wall clock in unix milliseconds, recorded with each compaction (tests inject one).
  std::function<int64_t()> now_unix_ms;
};

class SqliteStore final : public Store {
 public:
  // Opens or creates the database file (and its parent directories). On failure returns nullptr
  // with a message in *error (if error is not null).
  static std::unique_ptr<SqliteStore> open(const std::string& path, std::string* error);
  static std::unique_ptr<SqliteStore> open(const std::string& path,
                                           const SqliteStoreOptions& options, std::string* error);
  ~SqliteStore() override;

  // Finishes the writes already queued, stops the writer thread, closes every watch and the
  // database. Later calls fail with kUnavailable (reads of the in-memory state still work).
  // Idempotent.
  void close();

  GetResult get(const std::string& key) override;
  ListResult list(const ListOptions& opts) override;
  WriteResult create(const std::string& key, const std::string& value) override;
  WriteResult update(const std::string& key, const std::string& value,
                     int64_t expected_mod_revision) override;
  WriteResult remove(const std::string& key, int64_t expected_mod_revision = 0) override;
  std::unique_ptr<Watch> watch(const std::string& prefix, int64_t after_revision,
                               Code* code) override;
  int64_t current_revision() override;
  int64_t compacted_revision() override;
  void compact(int64_t revision) override;
  CompactionInfo last_compaction() override;

  // What the watch ring holds now (for tests and diagnostics).
  sqlite::WatchHub::Stats watch_stats() { return hub_->stats(); }
  // Bytes of the database file plus its WAL.
  int64_t disk_bytes() const;

 private:
  struct Request;
  struct Batch;
  SqliteStore(std::string path, SqliteStoreOptions options);
  bool init(std::string* error);
  bool load_state(std::string* error);
  bool make_dirs(std::string* error);
  bool prepare_db_file(std::string* error);
  WriteResult submit(Request& req);
  void writer_loop();
  void run_batch(std::deque<Request*>& batch);
  void run_compaction(int64_t revision);

  const std::string path_;
  const SqliteStoreOptions options_;
  int lock_fd_ = -1;

  // Owned by the writer thread after open() (and by open()/close() when it is not running).
  sqlite::Db db_;
  sqlite::Stmt insert_stmt_;
  sqlite::Stmt meta_stmt_;
  std::shared_ptr<sqlite::ReaderPool> readers_;
  std::shared_ptr<sqlite::WatchHub> hub_;

  // state_mu_ guards current_, revision_, compacted_ and last_compaction_. Only the writer thread modifies them
  // (exclusive lock); readers take it shared. The writer reads current_ without the lock.
  std::shared_mutex state_mu_;
  std::map<std::string, KeyValue> current_;
  int64_t revision_ = 0;
  int64_t compacted_ = 0;
  CompactionInfo last_compaction_;

  // queue_mu_ guards queue_ and stopping_; queue_cv_ wakes the writer thread.
  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Request*> queue_;
  bool stopping_ = false;

  std::mutex close_mu_;  // serializes close()
  bool closed_ = false;  // guarded by close_mu_
  std::thread writer_;   // last: started after everything above is ready
};

}  // namespace skiff::storage
