// Unit tests for SqliteStore: CRUD and CAS, revisions, lists (paged, at older revisions),
// watches (ordering under concurrent writers, prefix filtering, catch-up from disk, slow
// watchers), compaction, reopen, and crash safety with kill -9.
#include "storage/sqlite_store.h"
#include "storage/store_test_util.h"
#include "support/temp_dir.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <thread>

namespace skiff::storage {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;


using testing::TempDir;

ListOptions lo(std::string prefix, std::string start_key = "", int64_t limit = 0,
              int64_t revision = 0) {
  ListOptions o;
  o.prefix = std::move(prefix);
  o.start_key = std::move(start_key);
  o.limit = limit;
  o.revision = revision;
  return o;
}

std::vector<std::string> keys_of(const ListResult& r) {
  std::vector<std::string> k;
  for (const auto& kv : r.items) k.push_back(kv.key);
  return k;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  TempDir dir_;
  std::string path_ = dir_.file("sub/dir/state.db");
};

TEST(CodeName, Names) {
  EXPECT_STREQ(code_name(Code::kConflict), "Conflict");
  EXPECT_STREQ(code_name(Code::kTooOld), "TooOld");
}

TEST_F(SqliteStoreTest, CreateGetUpdateDelete) {
  auto s = must_open(path_);
  EXPECT_EQ(s->current_revision(), 0);
  auto c = s->create("/a", "v1");
  ASSERT_EQ(c.code, Code::kOk);
  EXPECT_EQ(c.kv.mod_revision, 1);
  EXPECT_EQ(c.kv.create_revision, 1);
  EXPECT_EQ(s->create("/a", "other").code, Code::kAlreadyExists);

  auto g = s->get("/a");
  ASSERT_EQ(g.code, Code::kOk);
  EXPECT_EQ(g.kv.value, "v1");
  EXPECT_EQ(s->get("/missing").code, Code::kNotFound);

  auto conflict = s->update("/a", "v2", 99);
  EXPECT_EQ(conflict.code, Code::kConflict);
  EXPECT_EQ(conflict.kv.value, "v1");  // the current value comes back
  EXPECT_EQ(conflict.kv.mod_revision, 1);

  auto u = s->update("/a", "v2", 1);
  ASSERT_EQ(u.code, Code::kOk);
  EXPECT_EQ(u.kv.mod_revision, 2);
  EXPECT_EQ(u.kv.create_revision, 1);
  auto u2 = s->update("/a", "v3", 0);  // unconditional
  ASSERT_EQ(u2.code, Code::kOk);
  EXPECT_EQ(u2.kv.mod_revision, 3);
  EXPECT_EQ(s->update("/nope", "x", 0).code, Code::kNotFound);

  EXPECT_EQ(s->remove("/a", 2).code, Code::kConflict);
  auto d = s->remove("/a", 3);
  ASSERT_EQ(d.code, Code::kOk);
  EXPECT_EQ(d.kv.value, "v3");
  EXPECT_EQ(d.kv.mod_revision, 4);
  EXPECT_EQ(s->get("/a").code, Code::kNotFound);
  EXPECT_EQ(s->remove("/a").code, Code::kNotFound);

  auto again = s->create("/a", "new");  // re-create after delete: fresh create_revision
  ASSERT_EQ(again.code, Code::kOk);
  EXPECT_EQ(again.kv.create_revision, 5);
  EXPECT_EQ(s->current_revision(), 5);
}

TEST_F(SqliteStoreTest, RevisionsStrictlyIncreasingAndGlobal) {
  auto s = must_open(path_);
  int64_t last = 0;
  for (int i = 0; i < 30; ++i) {
    std::string key = "/k/" + std::to_string(i % 5);
    WriteResult r = (i < 5) ? s->create(key, "x") : s->update(key, std::to_string(i), 0);
    ASSERT_EQ(r.code, Code::kOk);
    EXPECT_EQ(r.kv.mod_revision, last + 1);
    last = r.kv.mod_revision;
  }
  // Failed writes take no revision.
  EXPECT_EQ(s->create("/k/0", "dup").code, Code::kAlreadyExists);
  EXPECT_EQ(s->current_revision(), last);
}

TEST_F(SqliteStoreTest, LargeValue) {
  auto s = must_open(path_);
  std::string big(3 << 20, 'x');
  for (size_t i = 0; i < big.size(); i += 4096) big[i] = static_cast<char>(i / 4096);
  ASSERT_EQ(s->create("/big", big).code, Code::kOk);
  s->close();
  s = must_open(path_);
  EXPECT_EQ(s->get("/big").kv.value, big);
}

TEST_F(SqliteStoreTest, ListPrefixLimitStartKey) {
  auto s = must_open(path_);
  for (const char* k : {"/a/3", "/a/1", "/a/5", "/a/2", "/a/4", "/b/1", "/a"}) {
    ASSERT_EQ(s->create(k, std::string("v") + k).code, Code::kOk);
  }
  auto all = s->list(lo("/a/"));
  EXPECT_EQ(keys_of(all), (std::vector<std::string>{"/a/1", "/a/2", "/a/3", "/a/4", "/a/5"}));
  EXPECT_EQ(all.revision, 7);
  EXPECT_FALSE(all.more);

  auto p1 = s->list(lo("/a/", "", 2));
  EXPECT_EQ(keys_of(p1), (std::vector<std::string>{"/a/1", "/a/2"}));
  EXPECT_TRUE(p1.more);
  EXPECT_EQ(p1.remaining, 3);
  // Continue: start_key is inclusive, so resume just after the last key.
  auto p2 = s->list(lo("/a/", p1.items.back().key + std::string(1, '\0'), 2, p1.revision));
  EXPECT_EQ(keys_of(p2), (std::vector<std::string>{"/a/3", "/a/4"}));
  EXPECT_EQ(p2.remaining, 1);
  auto p3 = s->list(lo("/a/", "/a/5", 2));
  EXPECT_EQ(keys_of(p3), (std::vector<std::string>{"/a/5"}));
  EXPECT_FALSE(p3.more);

  EXPECT_EQ(s->list(lo("")).items.size(), 7u);
  EXPECT_EQ(s->list(lo("/zzz")).items.size(), 0u);
  EXPECT_EQ(s->list(lo("/a/", "", 0, 100)).code, Code::kFutureRevision);
}

TEST_F(SqliteStoreTest, ListAtOlderRevision) {
  auto s = must_open(path_);
  for (int i = 1; i <= 5; ++i) ASSERT_EQ(s->create("/p/" + std::to_string(i), "old").code, Code::kOk);
  int64_t snap = s->current_revision();
  ASSERT_EQ(s->update("/p/2", "new", 0).code, Code::kOk);
  ASSERT_EQ(s->remove("/p/3").code, Code::kOk);
  ASSERT_EQ(s->create("/p/6", "new").code, Code::kOk);
  ASSERT_EQ(s->remove("/p/1").code, Code::kOk);
  ASSERT_EQ(s->create("/p/1", "again").code, Code::kOk);

  auto now = s->list(lo("/p/"));
  EXPECT_EQ(keys_of(now), (std::vector<std::string>{"/p/1", "/p/2", "/p/4", "/p/5", "/p/6"}));

  auto old = s->list(lo("/p/", "", 0, snap));
  ASSERT_EQ(old.code, Code::kOk);
  EXPECT_EQ(old.revision, snap);
  EXPECT_EQ(keys_of(old), (std::vector<std::string>{"/p/1", "/p/2", "/p/3", "/p/4", "/p/5"}));
  for (const auto& kv : old.items) {
    EXPECT_EQ(kv.value, "old");
    EXPECT_LE(kv.mod_revision, snap);
  }
  // Paging at the old revision.
  auto o1 = s->list(lo("/p/", "", 2, snap));
  EXPECT_EQ(keys_of(o1), (std::vector<std::string>{"/p/1", "/p/2"}));
  EXPECT_TRUE(o1.more);
  EXPECT_EQ(o1.remaining, 3);
  auto o2 = s->list(lo("/p/", "/p/3", 10, snap));
  EXPECT_EQ(keys_of(o2), (std::vector<std::string>{"/p/3", "/p/4", "/p/5"}));
  EXPECT_FALSE(o2.more);

  // Right after the delete of /p/3 (snap + 2): /p/3 is gone, /p/2 has its new value.
  auto mid = s->list(lo("/p/", "", 0, snap + 2));
  EXPECT_EQ(keys_of(mid), (std::vector<std::string>{"/p/1", "/p/2", "/p/4", "/p/5"}));
  EXPECT_EQ(mid.items[1].value, "new");
}

TEST_F(SqliteStoreTest, WatchEventsAndPrefixFilter) {
  auto s = must_open(path_);
  ASSERT_EQ(s->create("/a/x", "1").code, Code::kOk);
  Code code;
  auto w = s->watch("/a/", s->current_revision(), &code);
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(code, Code::kOk);
  EXPECT_EQ(s->watch("/a/", 99, &code), nullptr);
  EXPECT_EQ(code, Code::kFutureRevision);

  ASSERT_EQ(s->create("/b/y", "other").code, Code::kOk);        // rev 2, filtered out
  ASSERT_EQ(s->update("/a/x", "2", 1).code, Code::kOk);         // rev 3
  ASSERT_EQ(s->create("/a/z", "3").code, Code::kOk);            // rev 4
  ASSERT_EQ(s->remove("/a/x").code, Code::kOk);                 // rev 5
  ASSERT_EQ(s->create("/ab", "not under /a/").code, Code::kOk); // rev 6

  auto ev = collect(*w, 3);
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(ev[0].type, WatchEvent::Type::kPut);
  EXPECT_EQ(ev[0].kv.key, "/a/x");
  EXPECT_EQ(ev[0].kv.value, "2");
  EXPECT_EQ(ev[0].kv.mod_revision, 3);
  ASSERT_TRUE(ev[0].prev.has_value());
  EXPECT_EQ(ev[0].prev->value, "1");
  EXPECT_FALSE(ev[0].is_create());
  EXPECT_TRUE(ev[1].is_create());
  EXPECT_FALSE(ev[1].prev.has_value());
  EXPECT_EQ(ev[2].type, WatchEvent::Type::kDelete);
  EXPECT_EQ(ev[2].kv.value, "2");  // the last value...
  EXPECT_EQ(ev[2].kv.mod_revision, 5);  // ...at the delete's revision
  EXPECT_EQ(ev[2].kv.create_revision, 1);
  ASSERT_TRUE(ev[2].prev.has_value());
  EXPECT_EQ(ev[2].prev->mod_revision, 3);
  EXPECT_TRUE(w->next(50ms).events.empty());  // nothing else (the /ab create is filtered)

  s->close();
  bool closed = false;
  collect(*w, 1, &closed, 5s);
  EXPECT_TRUE(closed);
  EXPECT_EQ(s->create("/after", "close").code, Code::kUnavailable);
}

struct Op {
  WatchEvent::Type type;
  std::string key, value;
  int64_t rev;
};

void expect_same(const std::vector<WatchEvent>& got, const std::vector<Op>& want,
                 const char* what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(got[i].kv.mod_revision, want[i].rev) << what << " #" << i;
    ASSERT_EQ(got[i].type, want[i].type) << what << " #" << i;
    ASSERT_EQ(got[i].kv.key, want[i].key) << what << " #" << i;
    ASSERT_EQ(got[i].kv.value, want[i].value) << what << " #" << i;
  }
}

// 8 writer threads; watches from the same start revision created before, during and after the
// writes (the last one catches up from SQLite history because the ring is small) must each see
// exactly the committed history, in order.
TEST_F(SqliteStoreTest, WatchSeesEveryChangeOnceInOrderUnderConcurrentWriters) {
  SqliteStoreOptions opts;
  opts.watch.ring_max_events = 100;
  opts.watch.history_chunk_events = 7;  // many small catch-up reads
  auto s = must_open(path_, opts);
  ASSERT_EQ(s->create("/other/seed", "x").code, Code::kOk);
  int64_t start = s->current_revision();
  Code code;
  auto before = s->watch("/w/", start, &code);
  ASSERT_NE(before, nullptr);

  constexpr int kThreads = 8, kKeysPerThread = 40;
  std::vector<std::vector<Op>> done(kThreads);
  std::atomic<int> finished{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kKeysPerThread; ++i) {
        std::string key = "/w/" + std::to_string(t) + "/" + std::to_string(i);
        auto c = s->create(key, "c" + key);
        ASSERT_EQ(c.code, Code::kOk);
        done[t].push_back({WatchEvent::Type::kPut, key, c.kv.value, c.kv.mod_revision});
        auto u = s->update(key, "u" + key, c.kv.mod_revision);
        ASSERT_EQ(u.code, Code::kOk);
        done[t].push_back({WatchEvent::Type::kPut, key, u.kv.value, u.kv.mod_revision});
        if (i % 3 == 0) {
          auto d = s->remove(key, u.kv.mod_revision);
          ASSERT_EQ(d.code, Code::kOk);
          done[t].push_back({WatchEvent::Type::kDelete, key, d.kv.value, d.kv.mod_revision});
        }
        // Noise outside the watched prefix.
        ASSERT_EQ(s->update("/other/seed", "n", 0).code, Code::kOk);
      }
      finished++;
    });
  }
  std::this_thread::sleep_for(5ms);
  auto during = s->watch("/w/", start, &code);
  ASSERT_NE(during, nullptr);
  for (auto& th : threads) th.join();
  auto after = s->watch("/w/", start, &code);
  ASSERT_NE(after, nullptr);

  std::vector<Op> want;
  for (auto& d : done) want.insert(want.end(), d.begin(), d.end());
  std::sort(want.begin(), want.end(), [](const Op& a, const Op& b) { return a.rev < b.rev; });
  ASSERT_EQ(want.size(), static_cast<size_t>(kThreads * (kKeysPerThread * 2 + 14)));
  // Revisions are global and unique: every write (watched or not) got its own.
  EXPECT_EQ(s->current_revision(), start + static_cast<int64_t>(want.size()) + kThreads * kKeysPerThread);

  expect_same(collect(*before, want.size()), want, "before");
  expect_same(collect(*during, want.size()), want, "during");
  expect_same(collect(*after, want.size()), want, "after");
  for (Watch* w : {before.get(), during.get(), after.get()}) {
    EXPECT_TRUE(w->next(20ms).events.empty());  // exactly once: nothing extra
  }
}

TEST_F(SqliteStoreTest, CompactionMakesOldRevisionsTooOld) {
  auto s = must_open(path_);
  for (int i = 0; i < 10; ++i) ASSERT_EQ(s->create("/c/" + std::to_string(i), "v0").code, Code::kOk);
  for (int i = 0; i < 10; ++i) ASSERT_EQ(s->update("/c/" + std::to_string(i), "v1", 0).code, Code::kOk);
  ASSERT_EQ(s->remove("/c/0").code, Code::kOk);  // rev 21
  int64_t at = s->current_revision();
  auto before_compact = s->list(lo("/c/", "", 0, 15));
  ASSERT_EQ(before_compact.code, Code::kOk);
  ASSERT_EQ(s->update("/c/1", "v2", 0).code, Code::kOk);  // rev 22

  s->compact(at);
  EXPECT_EQ(s->compacted_revision(), at);
  EXPECT_EQ(s->list(lo("/c/", "", 0, 15)).code, Code::kTooOld);
  EXPECT_EQ(s->list(lo("/c/", "", 0, at - 1)).code, Code::kTooOld);
  Code code;
  EXPECT_EQ(s->watch("/c/", at - 1, &code), nullptr);
  EXPECT_EQ(code, Code::kTooOld);

  auto at_list = s->list(lo("/c/", "", 0, at));
  ASSERT_EQ(at_list.code, Code::kOk);
  EXPECT_EQ(at_list.items.size(), 9u);
  for (const auto& kv : at_list.items) EXPECT_EQ(kv.value, "v1");
  auto now = s->list(lo("/c/"));
  EXPECT_EQ(now.items.size(), 9u);
  EXPECT_EQ(s->get("/c/1").kv.value, "v2");
  EXPECT_EQ(s->get("/c/5").kv.value, "v1");

  // Watching from the compacted revision itself still works (events after it are kept).
  auto w = s->watch("/c/", at, &code);
  ASSERT_NE(w, nullptr);
  auto ev = collect(*w, 1);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kv.value, "v2");
  ASSERT_TRUE(ev[0].prev.has_value());
  EXPECT_EQ(ev[0].prev->value, "v1");

  // History rows are really gone: only the newest row per live key and rev 22 remain.
  s->close();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM kv", -1, &st, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int64(st, 0), 10);  // /c/1 at 12 and 22, /c/2../c/9 at their updates
  sqlite3_finalize(st);
  sqlite3_close(db);

  s = must_open(path_);  // compaction survives a reopen
  EXPECT_EQ(s->compacted_revision(), at);
  EXPECT_EQ(s->list(lo("/c/", "", 0, at - 1)).code, Code::kTooOld);
  EXPECT_EQ(s->current_revision(), at + 1);
}

TEST_F(SqliteStoreTest, ReopenKeepsEverything) {
  {
    auto s = must_open(path_);
    ASSERT_EQ(s->create("/r/1", "one").code, Code::kOk);
    ASSERT_EQ(s->create("/r/2", "two").code, Code::kOk);
    ASSERT_EQ(s->update("/r/1", "uno", 1).code, Code::kOk);
    ASSERT_EQ(s->remove("/r/2").code, Code::kOk);
    s->close();
    s->close();  // idempotent
  }
  auto s = must_open(path_);
  EXPECT_EQ(s->current_revision(), 4);
  auto g = s->get("/r/1");
  ASSERT_EQ(g.code, Code::kOk);
  EXPECT_EQ(g.kv.value, "uno");
  EXPECT_EQ(g.kv.create_revision, 1);
  EXPECT_EQ(g.kv.mod_revision, 3);
  EXPECT_EQ(s->get("/r/2").code, Code::kNotFound);
  auto c = s->create("/r/3", "three");
  EXPECT_EQ(c.kv.mod_revision, 5);  // the revision continues
  // The whole history is still watchable (read back from disk: the ring starts empty).
  Code code;
  auto w = s->watch("/r/", 0, &code);
  ASSERT_NE(w, nullptr);
  auto ev = collect(*w, 5);
  ASSERT_EQ(ev.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(ev[i].kv.mod_revision, i + 1);
  EXPECT_EQ(ev[3].type, WatchEvent::Type::kDelete);
  EXPECT_EQ(ev[3].kv.value, "two");
  // Lists at a revision older than the reopen.
  EXPECT_EQ(keys_of(s->list(lo("/r/", "", 0, 2))), (std::vector<std::string>{"/r/1", "/r/2"}));
}

// A commit that fails (here: a row planted behind the store's back makes the INSERT violate the
// primary key) fails the write with kUnavailable and changes nothing in memory.
TEST_F(SqliteStoreTest, FailedCommitIsNotAcknowledgedNorVisible) {
  auto s = must_open(path_);
  ASSERT_EQ(s->create("/f/1", "x").code, Code::kOk);
  Code code;
  auto w = s->watch("/f/", 0, &code);
  ASSERT_NE(w, nullptr);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  ASSERT_EQ(sqlite3_exec(db, "INSERT INTO kv VALUES (3, x'00', x'00', 3, 0, 0)", nullptr, nullptr,
                         nullptr),
            SQLITE_OK);
  ASSERT_EQ(s->create("/f/2", "x").code, Code::kOk);  // rev 2
  auto failed = s->create("/f/3", "x");                // rev 3 collides
  EXPECT_EQ(failed.code, Code::kUnavailable);
  EXPECT_FALSE(failed.message.empty());
  EXPECT_EQ(s->get("/f/3").code, Code::kNotFound);
  EXPECT_EQ(s->current_revision(), 2);
  ASSERT_EQ(sqlite3_exec(db, "DELETE FROM kv WHERE rev = 3", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto retry = s->create("/f/3", "y");
  ASSERT_EQ(retry.code, Code::kOk);
  EXPECT_EQ(retry.kv.mod_revision, 3);
  auto ev = collect(*w, 3);
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(ev[2].kv.value, "y");  // the failed write never reached watchers
  EXPECT_TRUE(w->next(20ms).events.empty());
}

TEST_F(SqliteStoreTest, OpenErrors) {
  std::string err;
  auto s = must_open(path_);
  EXPECT_EQ(SqliteStore::open(path_, &err), nullptr);  // held by `s`
  EXPECT_NE(err.find("in use"), std::string::npos) << err;
  err.clear();
  // A path below a regular file cannot be created.
  EXPECT_EQ(SqliteStore::open(path_ + "/nested.db", &err), nullptr);
  EXPECT_FALSE(err.empty());
  err.clear();
  std::string junk = dir_.file("junk.db");
  FILE* f = fopen(junk.c_str(), "w");
  fputs("this is not a database file, not at all, it is just some text to be long enough", f);
  fclose(f);
  EXPECT_EQ(SqliteStore::open(junk, &err), nullptr);
  EXPECT_FALSE(err.empty());
}

TEST_F(SqliteStoreTest, SlowWatcherIsClosed) {
  SqliteStoreOptions opts;
  opts.watch.max_watcher_backlog = 50;
  auto s = must_open(path_, opts);
  Code code;
  auto slow = s->watch("/s/", 0, &code);
  auto fast = s->watch("/s/", 0, &code);
  ASSERT_NE(slow, nullptr);
  size_t fast_seen = 0;
  for (int i = 0; i < 120; ++i) {
    ASSERT_EQ(s->create("/s/" + std::to_string(i), "x").code, Code::kOk);
    fast_seen += fast->next(0ms).events.size();
  }
  bool closed = false;
  collect(*slow, 1000, &closed, 5s);
  EXPECT_TRUE(closed);
  fast_seen += collect(*fast, 120 - fast_seen).size();
  EXPECT_EQ(fast_seen, 120u);
  EXPECT_EQ(s->create("/s/more", "x").code, Code::kOk);  // the store carries on
}

// A child process writes with 4 threads and reports each key only after create() returned kOk;
// it is killed with SIGKILL mid-burst. Every reported key must be there after reopening, and the
// database must pass SQLite's integrity check.
TEST_F(SqliteStoreTest, AcknowledgedWritesSurviveKill9) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(fds[0]);
    std::string err;
    auto s = SqliteStore::open(path_, &err);
    if (!s) _exit(2);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        std::string value(t == 0 ? 200000 : 300, 'v');  // one thread writes big values
        for (uint32_t i = 0;; ++i) {
          uint32_t id = (static_cast<uint32_t>(t) << 24) | i;
          if (s->create("/crash/" + std::to_string(id), value).code != Code::kOk) _exit(3);
          if (write(fds[1], &id, sizeof id) != sizeof id) _exit(4);
        }
      });
    }
    for (auto& th : threads) th.join();
    _exit(0);
  }
  ::close(fds[1]);
  std::set<uint32_t> acked;
  uint32_t id;
  while (acked.size() < 300 && read(fds[0], &id, sizeof id) == sizeof id) acked.insert(id);
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  while (read(fds[0], &id, sizeof id) == sizeof id) acked.insert(id);  // until EOF
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited early with " << WEXITSTATUS(status);
  ASSERT_GE(acked.size(), 300u);

  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "ok");
    sqlite3_finalize(st);
    sqlite3_close(db);
  }
  auto s = must_open(path_);
  ASSERT_NE(s, nullptr);
  for (uint32_t k : acked) {
    ASSERT_EQ(s->get("/crash/" + std::to_string(k)).code, Code::kOk) << k;
  }
  auto all = s->list(lo("/crash/"));
  EXPECT_GE(all.items.size(), acked.size());
  EXPECT_EQ(s->current_revision(), static_cast<int64_t>(all.items.size()));
  // Still writable, revision continues.
  auto c = s->create("/crash/after", "x");
  EXPECT_EQ(c.code, Code::kOk);
  EXPECT_EQ(c.kv.mod_revision, static_cast<int64_t>(all.items.size()) + 1);
}

}  // namespace
}  // namespace skiff::storage
