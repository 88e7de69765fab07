// SqliteStore: open/close, reads from the in-memory state, and the group-commit writer thread.
#include "storage/sqlite_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <future>
#include <optional>
#include <unordered_map>

#include "common/log.h"

namespace skiff::storage {
namespace {

bool has_prefix(const std::string& key, const std::string& prefix) {
  return key.compare(0, prefix.size(), prefix) == 0;
}

int64_t file_size(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : 0;
}

int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string mib(int64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  return buf;
}

// Makes a new directory entry (the database or its WAL) durable across a power loss.
void fsync_dir(const std::string& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

struct SqliteStore::Request {
  enum class Op { kCreate, kUpdate, kRemove, kCompact };
  Request(Op o, const std::string* k, const std::string* v, int64_t e)
      : op(o), key(k), value(v), expected(e) {}
  Op op;
  const std::string* key = nullptr;    // the caller's; it blocks until the request completes
  const std::string* value = nullptr;
  int64_t expected = 0;                // expected mod_revision, or the compaction revision
  WriteResult result;
  std::promise<WriteResult> done;
};

SqliteStore::SqliteStore(std::string path, SqliteStoreOptions options)
    : path_(std::move(path)), options_(options) {}

std::unique_ptr<SqliteStore> SqliteStore::open(const std::string& path, std::string* error) {
  return open(path, SqliteStoreOptions{}, error);
}

std::unique_ptr<SqliteStore> SqliteStore::open(const std::string& path,
                                               const SqliteStoreOptions& options,
                                               std::string* error) {
  std::string err;
  std::unique_ptr<SqliteStore> store(new SqliteStore(path, options));
  if (!store->init(&err)) {
    SKIFF_LOG(ERROR) << "storage: " << err;
    if (error) *error = err;
    return nullptr;
  }
  return store;
}

// The missing directories of the path, created 0700.
bool SqliteStore::make_dirs(std::string* error) {
  std::filesystem::path dir = std::filesystem::path(path_).parent_path();
  std::vector<std::filesystem::path> missing;
  for (auto d = dir; !d.empty() && !std::filesystem::exists(d); d = d.parent_path()) {
    missing.push_back(d);
    if (d == d.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), 0700) != 0 && errno != EEXIST) {
      *error = "cannot create directory " + it->string() + ": " + std::strerror(errno);
      return false;
    }
  }
  return true;
}

// The database file, 0600 before SQLite opens it: SQLite gives the -wal and -shm files the
// database file's mode, so they are 0600 too (and an older 0644 set is tightened here).
bool SqliteStore::prepare_db_file(std::string* error) {
  int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    *error = "cannot open " + path_ + ": " + std::strerror(errno);
    return false;
  }
  ::fchmod(fd, 0600);
  ::close(fd);
  for (const char* suffix : {"-wal", "-shm"}) ::chmod((path_ + suffix).c_str(), 0600);
  return true;
}

bool SqliteStore::init(std::string* error) {
  if (path_.empty()) {
    *error = "empty database path";
    return false;
  }
  std::string dir = std::filesystem::path(path_).parent_path().string();
  if (!make_dirs(error)) return false;
  std::string lock_path = path_ + ".lock";
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd_ < 0) {
    *error = "cannot open " + lock_path + ": " + std::strerror(errno);
    return false;
  }
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    *error = "database " + path_ + " is in use by another store (lock " + lock_path +
             "): " + std::strerror(errno);
    return false;
  }
  if (!prepare_db_file(error)) return false;
  std::string e;
  if (!db_.open(path_, /*create=*/true, &e)) {
    *error = e;
    return false;
  }
  if (!sqlite::ensure_schema(db_, &e)) {
    *error = "cannot create schema in " + path_ + ": " + e;
    return false;
  }
  if (sqlite::auto_vacuum_mode(db_) != sqlite::kAutoVacuumIncremental) {
    // A database made before incremental vacuum: convert it once (VACUUM rewrites the file).
    SKIFF_LOG(INFO) << "storage: converting " << path_ << " (" << mib(disk_bytes())
                    << ") to incremental auto-vacuum, once";
    if (!db_.exec("PRAGMA auto_vacuum=INCREMENTAL", &e) || !db_.exec("VACUUM", &e)) {
      *error = "cannot convert " + path_ + " to incremental auto-vacuum: " + e;
      return false;
    }
    SKIFF_LOG(INFO) << "storage: converted " << path_ << ", now " << mib(disk_bytes());
  }
  const std::string cache = "PRAGMA cache_size=-" + std::to_string(options_.cache_kib);
  if (!db_.exec(cache.c_str(), &e)) {
    *error = "cannot set the page cache size of " + path_ + ": " + e;
    return false;
  }
  if (!insert_stmt_.prepare(db_.handle(),
                            "INSERT INTO kv(rev, key, value, create_rev, prev_rev, deleted) "
                            "VALUES (?, ?, ?, ?, ?, ?)") ||
      !meta_stmt_.prepare(db_.handle(),
                          "INSERT OR REPLACE INTO meta(name, value) VALUES (?, ?)")) {
    *error = "cannot prepare statements on " + path_ + ": " + db_.last_error();
    return false;
  }
  if (!load_state(error)) return false;
  fsync_dir(dir);
  readers_ = std::make_shared<sqlite::ReaderPool>(path_);
  sqlite::WatchHubOptions hub_opts = options_.watch;
  hub_opts.batch_max_events = std::max<size_t>(1, hub_opts.batch_max_events);
  hub_opts.history_chunk_events = std::max<size_t>(1, hub_opts.history_chunk_events);
  hub_ = std::make_shared<sqlite::WatchHub>(hub_opts, readers_, revision_, compacted_);
  writer_ = std::thread([this] { writer_loop(); });
  SKIFF_LOG(INFO) << "storage: opened " << path_ << " at revision " << revision_ << " ("
                  << current_.size() << " keys, compacted at " << compacted_ << ")";
  return true;
}

bool SqliteStore::load_state(std::string* error) {
  auto fail = [&](const char* what) {
    *error = std::string("cannot read ") + what + " from " + path_ + ": " + db_.last_error();
    return false;
  };
  sqlite::Stmt s;
  if (!s.prepare(db_.handle(),
                 "SELECT kv.key, kv.value, kv.create_rev, kv.rev FROM kv JOIN "
                 "(SELECT key AS k, MAX(rev) AS mr FROM kv GROUP BY key) m ON kv.rev = m.mr "
                 "WHERE kv.deleted = 0")) {
    return fail("current state");
  }
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
    KeyValue kv;
    kv.key = s.col_blob(0);
    kv.value = s.col_blob(1);
    kv.create_revision = s.col_int(2);
    kv.mod_revision = s.col_int(3);
    revision_ = std::max(revision_, kv.mod_revision);
    std::string key = kv.key;
    current_.emplace(std::move(key), std::move(kv));
  }
  if (rc != SQLITE_DONE) return fail("current state");
  if (!s.prepare(db_.handle(), "SELECT MAX(rev) FROM kv")) return fail("revision");
  if (s.step() == SQLITE_ROW) revision_ = std::max(revision_, s.col_int(0));
  if (!s.prepare(db_.handle(), "SELECT name, value FROM meta")) return fail("meta");
  while ((rc = s.step()) == SQLITE_ROW) {
    std::string name = s.col_blob(0);
    if (name == "revision") revision_ = std::max(revision_, s.col_int(1));
    if (name == "compacted") compacted_ = s.col_int(1);
    if (name == "compacted_at_ms") last_compaction_.time_unix_ms = s.col_int(1);
    if (name == "compaction_mark") last_compaction_.revision_at_time = s.col_int(1);
  }
  last_compaction_.revision = compacted_;
  if (rc != SQLITE_DONE) return fail("meta");
  return true;
}

SqliteStore::~SqliteStore() { close(); }

void SqliteStore::close() {
  std::lock_guard<std::mutex> close_lock(close_mu_);
  if (closed_) return;
  closed_ = true;
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  if (hub_) hub_->close();
  if (readers_) readers_->close();
  insert_stmt_.finalize();
  meta_stmt_.finalize();
  db_.close();
  if (lock_fd_ >= 0) {
    ::close(lock_fd_);  // releases the flock
    lock_fd_ = -1;
  }
}

// ---- reads ----

GetResult SqliteStore::get(const std::string& key) {
  GetResult r;
  std::shared_lock<std::shared_mutex> lock(state_mu_);
  auto it = current_.find(key);
  if (it == current_.end()) {
    r.code = Code::kNotFound;
  } else {
    r.kv = it->second;
  }
  return r;
}

ListResult SqliteStore::list(const ListOptions& opts) {
  ListResult r;
  const std::string& lo = opts.start_key > opts.prefix ? opts.start_key : opts.prefix;
  int64_t rev = opts.revision;
  {
    std::shared_lock<std::shared_mutex> lock(state_mu_);
    if (rev == 0 || rev == revision_) {
      r.revision = revision_;
      for (auto it = current_.lower_bound(lo); it != current_.end() && has_prefix(it->first, opts.prefix);
           ++it) {
        if (opts.limit > 0 && static_cast<int64_t>(r.items.size()) == opts.limit) {
          r.more = true;
          for (; it != current_.end() && has_prefix(it->first, opts.prefix); ++it) ++r.remaining;
          break;
        }
        r.items.push_back(it->second);
      }
      return r;
    }
    if (rev > revision_) {
      r.code = Code::kFutureRevision;
      return r;
    }
    if (rev < compacted_) {
      r.code = Code::kTooOld;
      return r;
    }
  }
  r.revision = rev;
  bool ok = false;
  {
    auto lease = readers_->acquire();
    if (lease) {
      ok = sqlite::list_at(*lease, opts, rev, &r);
      if (!ok) {
        SKIFF_LOG(WARN) << "storage: list at " << rev << " failed: " << (*lease).last_error();
      }
    }
  }
  // Compaction raises compacted_ before it deletes rows: re-check after the read.
  if (ok && rev < compacted_revision()) {
    r = ListResult{};
    r.code = Code::kTooOld;
  } else if (!ok) {
    r = ListResult{};
    r.code = Code::kUnavailable;
  }
  return r;
}

int64_t SqliteStore::current_revision() {
  std::shared_lock<std::shared_mutex> lock(state_mu_);
  return revision_;
}

int64_t SqliteStore::compacted_revision() {
  std::shared_lock<std::shared_mutex> lock(state_mu_);
  return compacted_;
}

CompactionInfo SqliteStore::last_compaction() {
  std::shared_lock<std::shared_mutex> lock(state_mu_);
  return last_compaction_;
}

int64_t SqliteStore::disk_bytes() const { return file_size(path_) + file_size(path_ + "-wal"); }

std::unique_ptr<Watch> SqliteStore::watch(const std::string& prefix, int64_t after_revision,
                                          Code* code) {
  Code local;
  return hub_->subscribe(prefix, after_revision, code ? code : &local);
}

// ---- writes ----

WriteResult SqliteStore::create(const std::string& key, const std::string& value) {
  Request req(Request::Op::kCreate, &key, &value, 0);
  return submit(req);
}

WriteResult SqliteStore::update(const std::string& key, const std::string& value,
                                int64_t expected_mod_revision) {
  Request req(Request::Op::kUpdate, &key, &value, expected_mod_revision);
  return submit(req);
}

WriteResult SqliteStore::remove(const std::string& key, int64_t expected_mod_revision) {
  Request req(Request::Op::kRemove, &key, nullptr, expected_mod_revision);
  return submit(req);
}

void SqliteStore::compact(int64_t revision) {
  Request req(Request::Op::kCompact, nullptr, nullptr, revision);
  submit(req);
}

WriteResult SqliteStore::submit(Request& req) {
  auto future = req.done.get_future();
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    if (stopping_) {
      WriteResult r;
      r.code = Code::kUnavailable;
      r.message = "store is closed";
      return r;
    }
    queue_.push_back(&req);
  }
  queue_cv_.notify_one();
  return future.get();
}

void SqliteStore::writer_loop() {
  for (;;) {
    std::deque<Request*> batch;
    {
      std::unique_lock<std::mutex> lock(queue_mu_);
      queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and every queued write is done
      if (queue_.front()->op == Request::Op::kCompact) {
        batch.push_back(queue_.front());
        queue_.pop_front();
      } else {
        size_t bytes = 0;
        while (!queue_.empty() && queue_.front()->op != Request::Op::kCompact &&
               batch.size() < options_.max_batch_writes && bytes < options_.max_batch_bytes) {
          Request* r = queue_.front();
          bytes += r->key->size() + (r->value ? r->value->size() : 0);
          batch.push_back(r);
          queue_.pop_front();
        }
      }
    }
    if (batch.front()->op == Request::Op::kCompact) {
      run_compaction(batch.front()->expected);
      batch.front()->done.set_value(WriteResult{});
    } else {
      run_batch(batch);
    }
  }
}

void SqliteStore::run_batch(std::deque<Request*>& batch) {
  // The batch's effect, applied to current_ only after the commit: key -> new value (nullopt =
  // deleted). unordered_map nodes are stable, so pointers into it stay valid.
  std::unordered_map<std::string, std::optional<KeyValue>> overlay;
  auto lookup = [&](const std::string& key) -> const KeyValue* {
    auto o = overlay.find(key);
    if (o != overlay.end()) return o->second ? &*o->second : nullptr;
    auto c = current_.find(key);  // only this thread modifies current_: no lock needed to read
    return c == current_.end() ? nullptr : &c->second;
  };
  int64_t rev = revision_;  // same reasoning: only this thread writes revision_
  std::vector<sqlite::EventPtr> events;
  for (Request* req : batch) {
    WriteResult& res = req->result;
    const std::string& key = *req->key;
    const KeyValue* cur = lookup(key);
    auto event = std::make_shared<WatchEvent>();
    switch (req->op) {
      case Request::Op::kCreate:
        if (cur) {
          res.code = Code::kAlreadyExists;
          res.kv = *cur;
          res.message = "key already exists";
          continue;
        }
        event->kv = KeyValue{key, *req->value, rev + 1, rev + 1};
        break;
      case Request::Op::kUpdate:
      case Request::Op::kRemove:
        if (!cur) {
          res.code = Code::kNotFound;
          res.message = "key not found";
          continue;
        }
        if (req->expected != 0 && req->expected != cur->mod_revision) {
          res.code = Code::kConflict;
          res.kv = *cur;
          res.message = "mod_revision is " + std::to_string(cur->mod_revision) + ", expected " +
                        std::to_string(req->expected);
          continue;
        }
        event->prev = *cur;
        if (req->op == Request::Op::kUpdate) {
          event->kv = KeyValue{key, *req->value, cur->create_revision, rev + 1};
        } else {
          event->type = WatchEvent::Type::kDelete;
          event->kv = KeyValue{key, cur->value, cur->create_revision, rev + 1};
        }
        break;
      case Request::Op::kCompact:
        continue;  // never batched with writes
    }
    ++rev;
    res.code = Code::kOk;
    res.kv = event->kv;
    if (event->type == WatchEvent::Type::kDelete) {
      overlay[key] = std::nullopt;
    } else {
      overlay[key] = event->kv;
    }
    events.push_back(std::move(event));
  }

  bool ok = true;
  std::string err;
  if (!events.empty()) {
    ok = db_.exec("BEGIN IMMEDIATE", &err);
    for (size_t i = 0; ok && i < events.size(); ++i) {
      const WatchEvent& e = *events[i];
      bool deleted = e.type == WatchEvent::Type::kDelete;
      insert_stmt_.bind_int(1, e.kv.mod_revision);
      insert_stmt_.bind_blob(2, e.kv.key);
      if (deleted) {
        insert_stmt_.bind_null(3);
      } else {
        insert_stmt_.bind_blob(3, e.kv.value);
      }
      insert_stmt_.bind_int(4, e.kv.create_revision);
      insert_stmt_.bind_int(5, e.prev ? e.prev->mod_revision : 0);
      insert_stmt_.bind_int(6, deleted ? 1 : 0);
      if (insert_stmt_.step() != SQLITE_DONE) {
        ok = false;
        err = db_.last_error();
      }
      insert_stmt_.reset();
    }
    if (ok) {
      static const std::string kRevision = "revision";
      meta_stmt_.bind_blob(1, kRevision);
      meta_stmt_.bind_int(2, rev);
      if (meta_stmt_.step() != SQLITE_DONE) {
        ok = false;
        err = db_.last_error();
      }
      meta_stmt_.reset();
    }
    if (ok) ok = db_.exec("COMMIT", &err);
    if (!ok) {
      db_.exec("ROLLBACK");
      SKIFF_LOG(ERROR) << "storage: commit of " << events.size() << " writes failed: " << err;
    }
  }

  if (ok && !events.empty()) {
    // State and watchers change together, under the state lock (lock order: state_mu_, then
    // the hub's): a reader never sees a revision the hub does not have yet (a watch from it
    // would be refused as a future revision), and a watcher never hears of a write that a read
    // right after could not see (a scheduler binding a pod it was just told about).
    std::unique_lock<std::shared_mutex> lock(state_mu_);
    for (auto& [key, kv] : overlay) {
      if (kv) {
        current_.insert_or_assign(key, std::move(*kv));
      } else {
        current_.erase(key);
      }
    }
    revision_ = rev;
    hub_->publish(events, rev);
  }
  for (Request* req : batch) {
    if (!ok) {
      // Even the failed checks were judged against writes that did not happen.
      req->result = WriteResult{};
      req->result.code = Code::kUnavailable;
      req->result.message = "storage write failed: " + err;
    }
    req->done.set_value(std::move(req->result));
  }
}

void SqliteStore::run_compaction(int64_t revision) {
  const int64_t now_ms = options_.now_unix_ms ? options_.now_unix_ms() : system_now_ms();
  const int64_t mark = revision_;  // only this thread writes revision_
  revision = std::min(revision, revision_);
  const bool advance = revision > compacted_;
  if (advance) {
    // Raised before the rows go, so concurrent history readers can tell their read may be
    // partial; the ring drops what no new watch can ask for.
    hub_->set_compacted(revision);
    std::unique_lock<std::shared_mutex> lock(state_mu_);
    compacted_ = revision;
  }
  const int64_t size_before = disk_bytes();
  // Rows superseded by a later write at or before `revision`, and tombstones at or before it.
  // The newest row of every key at `revision` stays, so list at revision >= compacted works.
  sqlite::Stmt del, meta;
  std::string err;
  int64_t removed = 0;
  bool ok = db_.exec("BEGIN IMMEDIATE", &err);
  if (ok) {
    ok = meta.prepare(db_.handle(), "INSERT OR REPLACE INTO meta(name, value) VALUES (?, ?)");
    if (ok && advance) {
      ok = del.prepare(db_.handle(),
                       "DELETE FROM kv WHERE rev <= ?1 AND (deleted = 1 OR EXISTS ("
                       "SELECT 1 FROM kv n WHERE n.key = kv.key AND n.rev > kv.rev AND n.rev <= ?1))");
      if (ok) {
        del.bind_int(1, revision);
        ok = del.step() == SQLITE_DONE;
        removed = sqlite3_changes64(db_.handle());
      }
    }
    const std::pair<const char*, int64_t> rows[] = {
        {"compacted", compacted_}, {"compacted_at_ms", now_ms}, {"compaction_mark", mark}};
    for (const auto& [name, value] : rows) {
      if (!ok) break;
      const std::string n = name;
      meta.bind_blob(1, n);
      meta.bind_int(2, value);
      ok = meta.step() == SQLITE_DONE;
      meta.reset();
    }
    if (!ok) err = db_.last_error();
    del.finalize();
    meta.finalize();
    if (ok) ok = db_.exec("COMMIT", &err);
    if (!ok) db_.exec("ROLLBACK");
  }
  if (!ok) {
    // History stays on disk; the in-memory compacted revision still holds for this process.
    SKIFF_LOG(ERROR) << "storage: compaction to " << revision << " failed: " << err;
    return;
  }
  {
    std::unique_lock<std::shared_mutex> lock(state_mu_);
    last_compaction_ = CompactionInfo{compacted_, now_ms, mark};
  }
  if (!advance) return;  // only the time was recorded
  if (removed == 0) {
    SKIFF_LOG(INFO) << "storage: compacted to revision " << revision
                    << ": no history rows removed, database " << mib(size_before);
    return;
  }
  // Give the freed pages back to the filesystem: move them to the end and truncate (incremental
  // vacuum), then copy the WAL into the file and empty it. A reader still in a transaction can
  // make the checkpoint partial; the next one finishes it.
  std::string verr;
  if (!db_.exec("PRAGMA incremental_vacuum", &verr) ||
      !db_.exec("PRAGMA wal_checkpoint(TRUNCATE)", &verr)) {
    SKIFF_LOG(WARN) << "storage: vacuum after compaction: " << verr;
  }
  sqlite3_db_release_memory(db_.handle());
  SKIFF_LOG(INFO) << "storage: compacted to revision " << revision << ": " << removed
                  << " history rows removed, database " << mib(size_before) << " -> "
                  << mib(disk_bytes());
}

}  // namespace skiff::storage
