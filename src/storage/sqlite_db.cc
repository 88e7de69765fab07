// SQLite helpers for SqliteStore: connections, statements, schema and the history queries.
#include "storage/sqlite_db.h"

namespace skiff::storage::sqlite {

Db::~Db() { close(); }

bool Db::open(const std::string& path, bool create, std::string* error) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    if (error) *error = "sqlite open " + path + ": " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
    close();
    return false;
  }
  sqlite3_extended_result_codes(db_, 1);
  // Readers never block the writer in WAL mode; the busy timeout only covers the short moments
  // of a checkpoint or the WAL-index recovery after a crash.
  sqlite3_busy_timeout(db_, 10000);
  std::string err;
  // auto_vacuum must be chosen before the file's first page is written (switching to WAL writes
  // it); on an existing file it only takes effect at the next VACUUM. journal_size_limit gives
  // the WAL's space back after a checkpoint instead of keeping its largest size forever.
  // journal_mode returns a row; exec ignores it. synchronous=FULL fsyncs the WAL at every commit.
  if ((create && !exec("PRAGMA auto_vacuum=INCREMENTAL", &err)) ||
      !exec("PRAGMA journal_mode=WAL", &err) || !exec("PRAGMA synchronous=FULL", &err) ||
      !exec("PRAGMA journal_size_limit=67108864", &err)) {
    if (error) *error = "sqlite setup " + path + ": " + err;
    close();
    return false;
  }
  // Confirm WAL really is on (it is not, e.g., on a read-only directory).
  Stmt s;
  if (!s.prepare(db_, "PRAGMA journal_mode") || s.step() != SQLITE_ROW ||
      s.col_blob(0) != "wal") {
    if (error) *error = "sqlite " + path + ": could not enable WAL mode: " + last_error();
    close();
    return false;
  }
  return true;
}

void Db::close() {
  if (db_) {
    sqlite3_close_v2(db_);
    db_ = nullptr;
  }
}

bool Db::exec(const char* sql, std::string* error) {
  char* msg = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &msg);
  if (rc != SQLITE_OK) {
    if (error) *error = msg ? msg : sqlite3_errstr(rc);
    sqlite3_free(msg);
    return false;
  }
  return true;
}

std::string Db::last_error() const { return db_ ? sqlite3_errmsg(db_) : "not open"; }

Stmt::~Stmt() { finalize(); }

void Stmt::finalize() {
  if (stmt_) sqlite3_finalize(stmt_);
  stmt_ = nullptr;
}

bool Stmt::prepare(sqlite3* db, const std::string& sql) {
  finalize();
  return sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &stmt_, nullptr) ==
         SQLITE_OK;
}

std::string prefix_end(const std::string& prefix) {
  std::string end = prefix;
  while (!end.empty()) {
    unsigned char c = static_cast<unsigned char>(end.back());
    if (c != 0xff) {
      end.back() = static_cast<char>(c + 1);
      return end;
    }
    end.pop_back();
  }
  return end;
}

int auto_vacuum_mode(Db& db) {
  Stmt s;
  if (!s.prepare(db.handle(), "PRAGMA auto_vacuum") || s.step() != SQLITE_ROW) return -1;
  return static_cast<int>(s.col_int(0));
}

bool ensure_schema(Db& db, std::string* error) {
  return db.exec(
      "CREATE TABLE IF NOT EXISTS kv ("
      "  rev INTEGER PRIMARY KEY,"
      "  key BLOB NOT NULL,"
      "  value BLOB,"
      "  create_rev INTEGER NOT NULL,"
      "  prev_rev INTEGER NOT NULL,"
      "  deleted INTEGER NOT NULL);"
      "CREATE INDEX IF NOT EXISTS kv_key_rev ON kv(key, rev);"
      "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);",
      error);
}

namespace {

// Appends " AND <col> >= ?lo [AND <col> < ?hi]" for a key range; returns the bind values.
void key_range(const std::string& col, const std::string& lo, const std::string& prefix,
               std::string* sql, std::vector<std::string>* binds) {
  *sql += " AND " + col + " >= ?";
  binds->push_back(lo);
  std::string hi = prefix_end(prefix);
  if (!hi.empty()) {
    *sql += " AND " + col + " < ?";
    binds->push_back(hi);
  }
}

// RAII read transaction so a multi-statement read sees one snapshot.
class ReadTxn {
 public:
  explicit ReadTxn(Db& db) : db_(db), ok_(db.exec("BEGIN")) {}
  ~ReadTxn() {
    if (ok_) db_.exec("COMMIT");
  }
  bool ok() const { return ok_; }

 private:
  Db& db_;
  bool ok_;
};

}  // namespace

bool read_events(Db& db, const std::string& prefix, int64_t after, int64_t until,
                 size_t max_events, size_t max_bytes, std::vector<WatchEvent>* out,
                 bool* reached_end) {
  std::string sql =
      "SELECT c.rev, c.key, c.value, c.create_rev, c.deleted, p.value, p.create_rev, p.rev "
      "FROM kv c LEFT JOIN kv p ON p.rev = c.prev_rev AND c.prev_rev != 0 "
      "WHERE c.rev > ? AND c.rev <= ?";
  std::vector<std::string> binds;
  key_range("c.key", prefix, prefix, &sql, &binds);
  sql += " ORDER BY c.rev LIMIT ?";
  Stmt s;
  if (!s.prepare(db.handle(), sql)) return false;
  int i = 1;
  s.bind_int(i++, after);
  s.bind_int(i++, until);
  for (const auto& b : binds) s.bind_blob(i++, b);
  s.bind_int(i++, static_cast<int64_t>(max_events));
  size_t n = 0, bytes = 0;
  int rc;
  *reached_end = true;
  while ((rc = s.step()) == SQLITE_ROW) {
    WatchEvent e;
    e.kv.mod_revision = s.col_int(0);
    e.kv.key = s.col_blob(1);
    e.kv.create_revision = s.col_int(3);
    bool deleted = s.col_int(4) != 0;
    if (!s.col_null(7)) {
      KeyValue prev;
      prev.key = e.kv.key;
      prev.value = s.col_blob(5);
      prev.create_revision = s.col_int(6);
      prev.mod_revision = s.col_int(7);
      e.prev = std::move(prev);
    }
    if (deleted) {
      e.type = WatchEvent::Type::kDelete;
      if (e.prev) e.kv.value = e.prev->value;
    } else {
      e.kv.value = s.col_blob(2);
    }
    bytes += e.kv.value.size() + (e.prev ? e.prev->value.size() : 0);
    out->push_back(std::move(e));
    ++n;
    if (bytes >= max_bytes && n < max_events) {
      *reached_end = false;
      return true;
    }
  }
  if (rc != SQLITE_DONE) return false;
  if (n == max_events) *reached_end = false;
  return true;
}

bool list_at(Db& db, const ListOptions& opts, int64_t revision, ListResult* out) {
  ReadTxn txn(db);
  if (!txn.ok()) return false;
  const std::string& lo = opts.start_key > opts.prefix ? opts.start_key : opts.prefix;
  // The newest row of each key at `revision`; a key is live if that row is not a tombstone.
  std::string where = " WHERE rev <= ?";
  std::vector<std::string> binds;
  key_range("key", lo, opts.prefix, &where, &binds);
  std::string latest = "SELECT key AS k, MAX(rev) AS mr FROM kv" + where + " GROUP BY key";
  std::string sql = "SELECT kv.key, kv.value, kv.create_rev, kv.rev FROM kv JOIN (" + latest +
                    ") m ON kv.rev = m.mr WHERE kv.deleted = 0 ORDER BY kv.key";
  if (opts.limit > 0) sql += " LIMIT ?";
  Stmt s;
  if (!s.prepare(db.handle(), sql)) return false;
  int i = 1;
  s.bind_int(i++, revision);
  for (const auto& b : binds) s.bind_blob(i++, b);
  if (opts.limit > 0) s.bind_int(i++, opts.limit + 1);
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
    if (opts.limit > 0 && static_cast<int64_t>(out->items.size()) == opts.limit) {
      out->more = true;
      break;
    }
    KeyValue kv;
    kv.key = s.col_blob(0);
    kv.value = s.col_blob(1);
    kv.create_revision = s.col_int(2);
    kv.mod_revision = s.col_int(3);
    out->items.push_back(std::move(kv));
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return false;
  if (!out->more) return true;
  // Count the live keys after the last returned one, in the same snapshot.
  std::string cwhere = " WHERE rev <= ? AND key > ?";
  std::vector<std::string> cbinds;
  key_range("key", lo, opts.prefix, &cwhere, &cbinds);
  std::string count_sql = "SELECT COUNT(*) FROM kv JOIN (SELECT key AS k, MAX(rev) AS mr FROM kv" +
                          cwhere + " GROUP BY key) m ON kv.rev = m.mr WHERE kv.deleted = 0";
  Stmt c;
  if (!c.prepare(db.handle(), count_sql)) return false;
  i = 1;
  c.bind_int(i++, revision);
  c.bind_blob(i++, out->items.back().key);
  for (const auto& b : cbinds) c.bind_blob(i++, b);
  if (c.step() != SQLITE_ROW) return false;
  out->remaining = c.col_int(0);
  return true;
}

ReaderPool::~ReaderPool() { close(); }

ReaderPool::Lease ReaderPool::acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return Lease(this, nullptr);
    if (!idle_.empty()) {
      auto db = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(db));
    }
  }
  auto db = std::make_unique<Db>();
  // A small page cache per reader: up to 8 are kept idle (see release()).
  if (!db->open(path_, /*create=*/false, nullptr) || !db->exec("PRAGMA query_only=1") ||
      !db->exec("PRAGMA cache_size=-1024")) {
    return Lease(this, nullptr);
  }
  return Lease(this, std::move(db));
}

void ReaderPool::release(std::unique_ptr<Db> db) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!closed_ && idle_.size() < 8) idle_.push_back(std::move(db));
  // else: db closes here (outside nothing; closing a read connection is quick)
}

void ReaderPool::close() {
  std::vector<std::unique_ptr<Db>> idle;
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    idle.swap(idle_);
  }
}

}  // namespace skiff::storage::sqlite
