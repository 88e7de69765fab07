// The watch cache over a real SqliteStore: consistent reads, selectors on both sides of a change,
// slow watchers dropped, progress for bookmarks, paging from snapshots, the ring's window,
// undecodable objects and forget().
#include "apiserver/cacher.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "apiserver/admission.h"
#include "storage/sqlite_store.h"

namespace skiff::apiserver {
namespace {
using namespace std::chrono_literals;

const std::string kCm = "/registry/core/configmaps/";

std::string cm_text(const std::string& ns, const std::string& name, const std::string& app = "") {
  std::string labels = app.empty() ? "" : ",\"labels\":{\"app\":\"" + app + "\"}";
  return "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name +
         "\",\"namespace\":\"" + ns + "\"" + labels + "}}";
}

class CacherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/skiff-cacher-test.XXXXXX";
    dir_ = mkdtemp(tmpl);
    std::string err;
    store_ = storage::SqliteStore::open(dir_ + "/state.db", &err);
    ASSERT_TRUE(store_) << err;
  }
  void TearDown() override {
    cachers_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::shared_ptr<Cacher> cacher(CacherOptions o = {}) {
    cachers_ = std::make_unique<Cachers>(*store_, o);
    auto c = cachers_->get(*cm_);
    EXPECT_TRUE(c);
    return c;
  }
  int64_t put(const std::string& ns, const std::string& name, const std::string& app = "") {
    std::string key = kCm + ns + "/" + name;
    auto cur = store_->get(key);
    auto res = cur.code == storage::Code::kOk ? store_->update(key, cm_text(ns, name, app), 0)
                                              : store_->create(key, cm_text(ns, name, app));
    EXPECT_EQ(res.code, storage::Code::kOk);
    return res.kv.mod_revision;
  }
  // Events until `n` arrived or the watch closed (deadline: the test fails, not hangs).
  std::vector<ObjectEvent> take(ObjectWatch& w, size_t n, bool* closed) {
    std::vector<ObjectEvent> out;
    auto deadline = std::chrono::steady_clock::now() + 10s;
    *closed = false;
    while (out.size() < n && !*closed && std::chrono::steady_clock::now() < deadline)
      for (auto& e : w.next(100ms, closed)) out.push_back(std::move(e));
    return out;
  }
  static std::string name_of(const ObjectEvent& e) {
    json::value v;
    std::string err;
    if (!e.cached_raw || !parse_json(*e.cached_raw, v, err)) return "?";
    return get_string(v, {"metadata", "name"});
  }

  std::string dir_;
  std::unique_ptr<storage::SqliteStore> store_;
  std::unique_ptr<Cachers> cachers_;
  const api::ResourceInfo* cm_ = api::find_resource("", "v1", "configmaps");
};

TEST_F(CacherTest, ConsistentReadCatchesUpWithTheStore) {
  put("a", "before");
  auto c = cacher();
  for (int i = 0; i < 20; ++i) {
    put("a", "c" + std::to_string(100 + i));
    // A write elsewhere moves the store's revision without an event for this cache.
    ASSERT_EQ(store_->create("/registry/core/secrets/a/s" + std::to_string(i), "{}").code,
              storage::Code::kOk);
    const int64_t rev = store_->current_revision();
    ASSERT_TRUE(c->wait_fresh(rev));
    EXPECT_GE(c->revision(), rev);
    auto snap = c->snapshot(kCm + "a/", false);
    ASSERT_TRUE(snap);
    EXPECT_EQ(snap->items->size(), static_cast<size_t>(i + 2));
    EXPECT_EQ(snap->items->back()->key, kCm + "a/c" + std::to_string(100 + i));
  }
}

TEST_F(CacherTest, SelectorsSeeBothSidesOfAChange) {
  auto c = cacher();
  ListParams p;
  p.labels = *LabelSelector::parse("app=web");
  auto w = c->watch(kCm + "a/", p, c->revision());
  ASSERT_TRUE(w);
  ListParams byname;
  byname.fields = *FieldSelector::parse("metadata.name=x");
  auto wn = c->watch(kCm, byname, c->revision());
  ASSERT_TRUE(wn);
  put("a", "x", "web");    // ADDED
  put("a", "y", "db");     // not selected
  put("b", "z", "web");    // another namespace
  put("a", "x", "db");     // leaves the selection: DELETED
  put("a", "x", "web");    // enters again: ADDED
  ASSERT_EQ(store_->remove(kCm + "a/x").code, storage::Code::kOk);  // DELETED
  bool closed = false;
  auto evs = take(*w, 4, &closed);
  ASSERT_EQ(evs.size(), 4u);
  std::vector<std::string> types;
  for (const auto& e : evs) {
    types.push_back(e.type);
    EXPECT_EQ(name_of(e), "x");
  }
  EXPECT_EQ(types, (std::vector<std::string>{"ADDED", "DELETED", "ADDED", "DELETED"}));
  auto named = take(*wn, 4, &closed);
  std::vector<std::string> ntypes;
  for (const auto& e : named) ntypes.push_back(e.type);
  EXPECT_EQ(ntypes, (std::vector<std::string>{"ADDED", "MODIFIED", "MODIFIED", "DELETED"}));
}

TEST_F(CacherTest, SlowWatcherIsClosedOthersGetEverything) {
  CacherOptions o;
  o.max_watcher_backlog = 5;
  auto c = cacher(o);
  auto slow = c->watch(kCm + "a/", {}, c->revision());
  auto reader = c->watch(kCm + "a/", {}, c->revision());
  ASSERT_TRUE(slow && reader);
  bool closed = false;
  std::vector<ObjectEvent> got;
  for (int i = 0; i < 20; ++i) {
    put("a", "c" + std::to_string(i));
    auto evs = take(*reader, 1, &closed);
    ASSERT_FALSE(closed);
    for (auto& e : evs) got.push_back(std::move(e));
  }
  EXPECT_EQ(got.size(), 20u);
  auto rest = take(*slow, 100, &closed);
  EXPECT_TRUE(closed);
  EXPECT_LT(rest.size(), 20u);
  EXPECT_EQ(c->watcher_count(), 1u);
}

TEST_F(CacherTest, RingEvictionClosesOnlyWatchersMissingTheirEvents) {
  CacherOptions o;
  o.ring_max_events = 4;
  auto c = cacher(o);
  const int64_t start = c->revision();
  auto other_ns = c->watch(kCm + "b/", {}, start);
  auto same_ns = c->watch(kCm + "a/", {}, start);
  ASSERT_TRUE(other_ns && same_ns);
  for (int i = 0; i < 10; ++i) put("a", "c" + std::to_string(i));
  bool closed = false;
  take(*same_ns, 100, &closed);
  EXPECT_TRUE(closed);
  // The other namespace's watcher skipped what left the ring and is still open.
  put("b", "mine");
  auto evs = take(*other_ns, 1, &closed);
  EXPECT_FALSE(closed);
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(name_of(evs[0]), "mine");
  // A watch from before the ring's window is not the cache's to serve.
  EXPECT_FALSE(c->watch(kCm, {}, start));
  EXPECT_TRUE(c->watch(kCm, {}, c->revision()));
}

TEST_F(CacherTest, ProgressCoversQuietRevisionsForBookmarks) {
  auto c = cacher();
  auto w = c->watch(kCm + "a/", {}, c->revision());
  ASSERT_TRUE(w);
  put("b", "elsewhere");
  ASSERT_EQ(store_->create("/registry/core/secrets/a/s", "{}").code, storage::Code::kOk);
  const int64_t rev = store_->current_revision();
  ASSERT_TRUE(c->wait_fresh(rev));
  bool closed = false;
  EXPECT_TRUE(w->next(10ms, &closed).empty());
  EXPECT_GE(w->progress_revision(), rev);
}

TEST_F(CacherTest, InitialObjectsThenChangesInOrder) {
  for (int i = 0; i < 3; ++i) put("a", "c" + std::to_string(i));
  auto c = cacher();
  auto w = c->watch(kCm + "a/", {}, -1);
  ASSERT_TRUE(w);
  put("a", "c9");
  bool closed = false;
  auto evs = take(*w, 4, &closed);
  ASSERT_EQ(evs.size(), 4u);
  std::vector<std::string> names;
  for (const auto& e : evs) names.push_back(e.type + ":" + name_of(e));
  EXPECT_EQ(names, (std::vector<std::string>{"ADDED:c0", "ADDED:c1", "ADDED:c2", "ADDED:c9"}));
}

TEST_F(CacherTest, UndecodableObjectsAreLeftOut) {
  put("a", "good");
  ASSERT_EQ(store_->create(kCm + "a/bad", "{not json").code, storage::Code::kOk);
  auto c = cacher();
  auto snap = c->snapshot(kCm, false);
  ASSERT_EQ(snap->items->size(), 2u);
  EXPECT_FALSE((*snap->items)[0]->ok);  // "bad" sorts first
  auto w = c->watch(kCm, {}, -1);
  bool closed = false;
  auto evs = take(*w, 1, &closed);
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(name_of(evs[0]), "good");
}

TEST_F(CacherTest, ForgetEndsWatches) {
  auto c = cacher();
  auto w = c->watch(kCm, {}, c->revision());
  ASSERT_TRUE(w);
  cachers_->forget(kCm);
  bool closed = false;
  w->next(10ms, &closed);
  EXPECT_TRUE(closed);
  auto again = cachers_->get(*cm_);
  ASSERT_TRUE(again);
  EXPECT_NE(again.get(), c.get());
}

// Through ObjectStore: pages come from the first page's snapshot, so changes after it do not
// show, and each object is listed once.
class CachedListTest : public CacherTest {
 protected:
  void SetUp() override {
    CacherTest::SetUp();
    admission_ = std::make_unique<Admission>(*store_, "10.96.0.0/12");
    os_ = std::make_unique<ObjectStore>(*store_, *admission_);
  }
  void TearDown() override {
    os_.reset();
    admission_.reset();
    CacherTest::TearDown();
  }
  std::unique_ptr<Admission> admission_;
  std::unique_ptr<ObjectStore> os_;
};

TEST_F(CachedListTest, PagesReadTheFirstPagesSnapshot) {
  for (int i = 0; i < 25; ++i) put("a", "c" + std::to_string(100 + i), i % 2 ? "odd" : "even");
  ListParams p;
  p.limit = 10;
  p.raw = true;
  auto first = os_->list(*cm_, "a", p);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->shared_items.size(), 10u);
  EXPECT_EQ(first->remaining.value_or(-1), 15);
  ASSERT_FALSE(first->continue_token.empty());
  // After the first page: a new object, a deletion and an update, none of them in the pages.
  put("a", "c999");
  ASSERT_EQ(store_->remove(kCm + "a/c124").code, storage::Code::kOk);
  put("a", "c120", "changed");
  size_t total = first->shared_items.size();
  std::string token = first->continue_token;
  std::set<std::string> seen;
  while (!token.empty()) {
    ListParams next;
    next.limit = 10;
    next.continue_token = token;
    auto page = os_->list(*cm_, "a", next);
    ASSERT_TRUE(page) << page.error().message;
    EXPECT_EQ(page->resource_version, first->resource_version);
    for (const auto& o : page->items) {
      seen.insert(get_string(o, {"metadata", "name"}));
      EXPECT_EQ(get_string(o, {"metadata", "labels", "app"}) == "changed", false);
    }
    total += page->items.size();
    token = page->continue_token;
  }
  EXPECT_EQ(total, 25u);
  EXPECT_TRUE(seen.count("c124"));
  EXPECT_FALSE(seen.count("c999"));
  // A filtered list from the cache.
  ListParams odd;
  odd.labels = *LabelSelector::parse("app=odd");
  auto l = os_->list(*cm_, "a", odd);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->items.size(), 12u);
  // A consistent list sees the latest writes.
  auto all = os_->list(*cm_, "", {});
  ASSERT_TRUE(all);
  EXPECT_EQ(all->items.size(), 25u);
  EXPECT_EQ(all->resource_version, std::to_string(store_->current_revision()));
}

}  // namespace
}  // namespace skiff::apiserver
