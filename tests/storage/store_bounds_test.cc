// Unit tests for SqliteStore's bounds (issue 8): slow watchers are closed without costing memory
// or costing other watchers events, the watch ring and batches are bounded by count and bytes,
// the compaction schedule survives reopening the store, incremental vacuum shrinks the file after
// big deletes, and the store's files are private.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>

#include "storage/compaction.h"
#include "storage/sqlite_store.h"
#include "storage/store_test_util.h"
#include "support/temp_dir.h"

namespace skiff::storage {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;


using testing::TempDir;

std::string key(int i) { return "/b/" + std::to_string(100000 + i); }

class StoreBoundsTest : public ::testing::Test {
 protected:
  TempDir dir_;
  std::string path_ = dir_.file("sub/dir/state.db");
};

// A watcher that never reads is closed once its backlog passes the byte bound, while a watcher
// that reads after every write gets every event, in order.
TEST_F(StoreBoundsTest, StalledWatcherClosedByBytesWhileConsumerGetsEverything) {
  SqliteStoreOptions opts;
  opts.watch.max_watcher_backlog_bytes = 1 << 20;  // ~10 events of 100 KB
  auto s = must_open(path_, opts);
  Code code;
  auto stalled = s->watch("/b/", 0, &code);
  ASSERT_NE(stalled, nullptr);
  auto other_prefix = s->watch("/elsewhere/", 0, &code);  // never reads either, but sees nothing
  ASSERT_NE(other_prefix, nullptr);
  auto reader = s->watch("/b/", 0, &code);
  ASSERT_NE(reader, nullptr);
  const std::string value(100 * 1024, 'v');
  std::vector<WatchEvent> got;
  constexpr int kWrites = 100;
  for (int i = 0; i < kWrites; ++i) {
    ASSERT_EQ(s->create(key(i), value).code, Code::kOk);
    for (auto& e : reader->next(0ms).events) got.push_back(std::move(e));
  }
  auto rest = collect(*reader, kWrites - got.size(), nullptr, 5s);
  got.insert(got.end(), rest.begin(), rest.end());
  ASSERT_EQ(got.size(), static_cast<size_t>(kWrites));
  for (int i = 0; i < kWrites; ++i) {
    EXPECT_EQ(got[i].kv.key, key(i));
    EXPECT_EQ(got[i].kv.mod_revision, i + 1);
  }
  bool closed = false;
  auto seen = collect(*stalled, kWrites, &closed, 5s);
  EXPECT_TRUE(closed);
  EXPECT_LT(seen.size(), static_cast<size_t>(kWrites));
  // The watcher of another prefix was not behind on anything of its own.
  WatchBatch b = other_prefix->next(0ms);
  EXPECT_FALSE(b.closed);
  EXPECT_TRUE(b.events.empty());
  EXPECT_EQ(s->watch_stats().watchers, 2u);  // the stalled one is gone
}

// The same by count, with writers in parallel (so commits hold several writes).
TEST_F(StoreBoundsTest, StalledWatcherClosedByCountUnderConcurrentWriters) {
  SqliteStoreOptions opts;
  opts.watch.max_watcher_backlog = 200;
  auto s = must_open(path_, opts);
  Code code;
  auto stalled = s->watch("/b/", 0, &code);
  auto reader = s->watch("/b/", 0, &code);
  ASSERT_NE(reader, nullptr);
  constexpr int kThreads = 4, kPer = 200;
  std::atomic<bool> done{false};
  std::vector<WatchEvent> got;
  std::thread consumer([&] {
    while (got.size() < kThreads * kPer) {
      auto b = reader->next(50ms);
      for (auto& e : b.events) got.push_back(std::move(e));
      if (b.closed) break;
      if (done && b.events.empty() && got.size() < kThreads * kPer) continue;
    }
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kPer; ++i) ASSERT_EQ(s->create(key(t * kPer + i), "x").code, Code::kOk);
    });
  }
  for (auto& w : writers) w.join();
  done = true;
  consumer.join();
  ASSERT_EQ(got.size(), static_cast<size_t>(kThreads * kPer));
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i].kv.mod_revision, static_cast<int64_t>(i + 1));
  bool closed = false;
  collect(*stalled, kThreads * kPer, &closed, 5s);
  EXPECT_TRUE(closed);
}

// The ring keeps at most its byte bound (plus the batch just committed); a watcher that starts
// before the ring still gets every event, read back from disk.
TEST_F(StoreBoundsTest, RingBoundedByBytesAndCount) {
  SqliteStoreOptions opts;
  opts.watch.ring_max_bytes = 1 << 20;
  auto s = must_open(path_, opts);
  const std::string value(100 * 1024, 'v');
  for (int i = 0; i < 60; ++i) ASSERT_EQ(s->create(key(i), value).code, Code::kOk);
  auto st = s->watch_stats();
  EXPECT_LE(st.ring_bytes, (1u << 20) + 110 * 1024);
  EXPECT_LE(st.ring_events, 11u);
  EXPECT_GE(st.ring_events, 5u);
  Code code;
  auto w = s->watch("/b/", 0, &code);
  ASSERT_NE(w, nullptr);
  auto ev = collect(*w, 60);
  ASSERT_EQ(ev.size(), 60u);
  for (int i = 0; i < 60; ++i) EXPECT_EQ(ev[i].kv.mod_revision, i + 1);

  s.reset();
  std::error_code ec;
  fs::remove_all(fs::path(path_).parent_path(), ec);
  opts = SqliteStoreOptions{};
  opts.watch.ring_max_events = 10;
  s = must_open(path_, opts);
  for (int i = 0; i < 30; ++i) ASSERT_EQ(s->create(key(i), "x").code, Code::kOk);
  EXPECT_EQ(s->watch_stats().ring_events, 10u);
}

// One next() returns a bounded batch (by count and by bytes, at least one event), so a consumer
// never holds a copy of everything it is behind on.
TEST_F(StoreBoundsTest, NextReturnsBoundedBatches) {
  SqliteStoreOptions opts;
  opts.watch.batch_max_events = 5;
  opts.watch.batch_max_bytes = 250 * 1024;
  auto s = must_open(path_, opts);
  Code code;
  auto small = s->watch("/s/", 0, &code);
  auto big = s->watch("/b/", 0, &code);
  for (int i = 0; i < 12; ++i) ASSERT_EQ(s->create("/s/" + std::to_string(i), "x").code, Code::kOk);
  const std::string value(100 * 1024, 'v');
  for (int i = 0; i < 7; ++i) ASSERT_EQ(s->create(key(i), value).code, Code::kOk);
  size_t total = 0;
  for (int round = 0; round < 10 && total < 12; ++round) {
    auto b = small->next(100ms);
    EXPECT_LE(b.events.size(), 5u);
    total += b.events.size();
  }
  EXPECT_EQ(total, 12u);
  total = 0;
  for (int round = 0; round < 20 && total < 7; ++round) {
    auto b = big->next(100ms);
    EXPECT_LE(b.events.size(), 2u);
    total += b.events.size();
  }
  EXPECT_EQ(total, 7u);
  // A single event over the byte bound still comes through.
  ASSERT_EQ(s->create(key(100), std::string(400 * 1024, 'w')).code, Code::kOk);
  auto b = big->next(1s);
  ASSERT_EQ(b.events.size(), 1u);
  EXPECT_EQ(b.events[0].kv.value.size(), 400u * 1024);
}

// The interval runs from the compaction recorded in the store: a store reopened every 30 s of
// (injected) time still compacts once a minute, to the revision recorded one interval earlier.
TEST_F(StoreBoundsTest, CompactionIntervalHonoredAcrossReopen) {
  std::atomic<int64_t> now{1'000'000};
  SqliteStoreOptions opts;
  opts.now_unix_ms = [&] { return now.load(); };
  const auto interval = 60s;
  int64_t mark = 0;
  {
    auto s = must_open(path_, opts);
    EXPECT_EQ(s->last_compaction().time_unix_ms, 0);
    ASSERT_EQ(s->create(key(0), "a").code, Code::kOk);
    EXPECT_TRUE(compact_if_due(*s, now, interval));  // the first mark, nothing compacted
    EXPECT_EQ(s->compacted_revision(), 0);
    EXPECT_EQ(s->last_compaction().time_unix_ms, 1'000'000);
    mark = s->last_compaction().revision_at_time;
    EXPECT_EQ(mark, 1);
  }
  int compactions = 0;
  for (int step = 1; step <= 8; ++step) {  // 4 minutes, a restart every 30 s
    now += 30'000;
    auto s = must_open(path_, opts);
    ASSERT_EQ(s->update(key(0), "v" + std::to_string(step), 0).code, Code::kOk);
    const CompactionInfo before = s->last_compaction();
    EXPECT_EQ(before.revision_at_time, mark) << "step " << step;
    bool ran = compact_if_due(*s, now, interval);
    EXPECT_EQ(ran, step % 2 == 0) << "step " << step;
    if (ran) {
      ++compactions;
      EXPECT_EQ(s->compacted_revision(), mark);  // keeps one interval of history
      EXPECT_EQ(s->last_compaction().time_unix_ms, now.load());
      mark = s->last_compaction().revision_at_time;
      EXPECT_EQ(mark, s->current_revision());
    }
  }
  EXPECT_EQ(compactions, 4);
  // A clock that went back does not stop compaction.
  now -= 3'600'000;
  auto s = must_open(path_, opts);
  EXPECT_TRUE(compact_if_due(*s, now, interval));
}

TEST(CompactionDue, Decisions) {
  CompactionInfo never;
  EXPECT_TRUE(compaction_due(never, 5, 1s).due);
  EXPECT_EQ(compaction_due(never, 5, 1s).revision, 0);
  CompactionInfo last{10, 1000, 42};
  EXPECT_FALSE(compaction_due(last, 1999, 1s).due);
  EXPECT_TRUE(compaction_due(last, 2000, 1s).due);
  EXPECT_EQ(compaction_due(last, 2000, 1s).revision, 42);
  EXPECT_TRUE(compaction_due(last, 500, 1s).due);  // clock went backwards
}

int64_t file_bytes(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 ? st.st_size : 0;
}

int auto_vacuum_of(const std::string& path) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  int mode = -1;
  if (sqlite3_prepare_v2(db, "PRAGMA auto_vacuum", -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    mode = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return mode;
}

// After deleting most of the data and compacting, the database file (and WAL) shrink.
TEST_F(StoreBoundsTest, IncrementalVacuumShrinksFileAfterBigDeletes) {
  auto s = must_open(path_);
  const std::string value(100 * 1024, 'v');
  for (int i = 0; i < 300; ++i) ASSERT_EQ(s->create(key(i), value).code, Code::kOk);
  for (int i = 0; i < 290; ++i) ASSERT_EQ(s->remove(key(i)).code, Code::kOk);
  const int64_t before = s->disk_bytes();
  EXPECT_GT(before, 25 << 20);
  s->compact(s->current_revision());
  const int64_t after = s->disk_bytes();
  EXPECT_LT(after, before / 5) << "before " << before << " after " << after;
  EXPECT_LT(file_bytes(path_), 4 << 20);
  for (int i = 290; i < 300; ++i) EXPECT_EQ(s->get(key(i)).kv.value, value);
  s.reset();
  EXPECT_EQ(auto_vacuum_of(path_), 2);
  s = must_open(path_);
  EXPECT_EQ(s->list(ListOptions{"/b/", "", 0, 0}).items.size(), 10u);
}

// A database made before incremental vacuum (auto_vacuum=NONE) is converted once at open.
TEST_F(StoreBoundsTest, OldDatabaseConvertedToIncrementalVacuum) {
  {
    auto s = must_open(path_);
    ASSERT_EQ(s->create(key(1), "one").code, Code::kOk);
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA auto_vacuum=NONE; VACUUM;", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  ASSERT_EQ(auto_vacuum_of(path_), 0);
  auto s = must_open(path_);
  EXPECT_EQ(s->get(key(1)).kv.value, "one");
  s.reset();
  EXPECT_EQ(auto_vacuum_of(path_), 2);
}

mode_t mode_of(const std::string& p) {
  struct stat st;
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

TEST_F(StoreBoundsTest, FilesArePrivate) {
  mode_t old = ::umask(022);
  {
    auto s = must_open(path_);
    ASSERT_EQ(s->create(key(1), "x").code, Code::kOk);
    EXPECT_EQ(mode_of(path_), 0600u);
    EXPECT_EQ(mode_of(path_ + "-wal"), 0600u);
    EXPECT_EQ(mode_of(path_ + "-shm"), 0600u);
    EXPECT_EQ(mode_of(path_ + ".lock"), 0600u);
    EXPECT_EQ(mode_of(dir_.file("sub/dir")), 0700u);
    EXPECT_EQ(mode_of(dir_.file("sub")), 0700u);
  }
  // Files left readable by an older version are tightened at open.
  for (const char* f : {"", "-wal", "-shm"}) {
    if (fs::exists(path_ + f)) ::chmod((path_ + f).c_str(), 0644);
  }
  {
    auto s = must_open(path_);
    ASSERT_EQ(s->create(key(2), "x").code, Code::kOk);
    EXPECT_EQ(mode_of(path_), 0600u);
    EXPECT_EQ(mode_of(path_ + "-wal"), 0600u);
    EXPECT_EQ(mode_of(path_ + "-shm"), 0600u);
  }
  ::umask(old);
}

}  // namespace
}  // namespace skiff::storage
