// Thin RAII helpers over the SQLite C API for SqliteStore: a connection, a prepared statement, a
// pool of read-only connections, and the history queries (list at an older revision, events in a
// revision range) that both the store and its watchers run. Nothing here knows about threads
// except ReaderPool; a Db or Stmt is used by one thread at a time.
//
// Schema (one row per write, like etcd's MVCC / kine):
//   kv(rev INTEGER PRIMARY KEY, key BLOB, value BLOB, create_rev, prev_rev, deleted)
//     rev       the write's global revision
//     value     the new value; NULL for a tombstone (the deleted value is the prev row's value)
//     prev_rev  the revision of the key's previous live row (0 for a create)
//     deleted   1 for a tombstone
//   meta(name TEXT PRIMARY KEY, value INTEGER): "revision" (last written revision, kept even when
//     compaction removes the row) and "compacted".
#pragma once
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "storage/store.h"

namespace skiff::storage::sqlite {

class Db {
 public:
  Db() = default;
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Opens (creating if asked) and applies the connection PRAGMAs (WAL, synchronous=FULL; for a
  // writer, incremental auto-vacuum on a new file).
  bool open(const std::string& path, bool create, std::string* error);
  void close();
  // Runs statements without results; false and *error on failure.
  bool exec(const char* sql, std::string* error = nullptr);
  std::string last_error() const;
  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

class Stmt {
 public:
  Stmt() = default;
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  bool prepare(sqlite3* db, const std::string& sql);
  void finalize();
  explicit operator bool() const { return stmt_ != nullptr; }
  // Binds keep a pointer to the data (SQLITE_STATIC): it must outlive the next step().
  void bind_int(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void bind_blob(int i, const std::string& v) {
    sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  }
  void bind_null(int i) { sqlite3_bind_null(stmt_, i); }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return sqlite3_step(stmt_); }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  int64_t col_int(int i) { return sqlite3_column_int64(stmt_, i); }
  bool col_null(int i) { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }
  std::string col_blob(int i) {
    const void* p = sqlite3_column_blob(stmt_, i);
    int n = sqlite3_column_bytes(stmt_, i);
    return p ? std::string(static_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// The smallest key greater than every key starting with `prefix`; empty = no upper bound.
std::string prefix_end(const std::string& prefix);

// PRAGMA auto_vacuum of the open database (0 none, 1 full, 2 incremental; -1 on error).
constexpr int kAutoVacuumIncremental = 2;
int auto_vacuum_mode(Db& db);

// Creates the tables if missing.
bool ensure_schema(Db& db, std::string* error);

// A history event as stored; `kv`/`prev` follow WatchEvent's conventions.
// Reads events with after < rev <= until under `prefix`, in revision order, at most `max_events`
// events or about `max_bytes` of values. *reached_end is true when no more events are in range.
bool read_events(Db& db, const std::string& prefix, int64_t after, int64_t until,
                 size_t max_events, size_t max_bytes, std::vector<WatchEvent>* out,
                 bool* reached_end);

// The keys under opts.prefix (>= opts.start_key) live at `revision`, ordered, limited by
// opts.limit; fills items/more/remaining. Runs in one read transaction.
bool list_at(Db& db, const ListOptions& opts, int64_t revision, ListResult* out);

// Read-only connections shared by list-at-revision and watch catch-up. Thread-safe. Shared by
// the store and its watches (a Watch may outlive the store; after close() acquire() fails).
class ReaderPool {
 public:
  explicit ReaderPool(std::string path) : path_(std::move(path)) {}
  ~ReaderPool();

  class Lease {
   public:
    Lease(ReaderPool* pool, std::unique_ptr<Db> db) : pool_(pool), db_(std::move(db)) {}
    Lease(Lease&&) = default;
    ~Lease() {
      if (db_) pool_->release(std::move(db_));
    }
    explicit operator bool() const { return db_ != nullptr; }
    Db& operator*() { return *db_; }

   private:
    ReaderPool* pool_;
    std::unique_ptr<Db> db_;
  };

  // An idle connection or a new one; an empty Lease when closed or the open failed.
  Lease acquire();
  void close();

 private:
  void release(std::unique_ptr<Db> db);

  const std::string path_;
  std::mutex mu_;  // guards idle_ and closed_
  std::vector<std::unique_ptr<Db>> idle_;
  bool closed_ = false;
};

}  // namespace skiff::storage::sqlite
