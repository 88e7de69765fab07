// Cacher: the watch cache of one resource (upstream's cacher). One store watch per resource
// keeps an in-memory copy of the current objects, each decoded and serialized once (its JSON text
// with metadata.resourceVersion, its labels and its selectable fields precomputed), and a bounded
// ring of recent events. Lists, paged lists (from snapshots of the current objects, kept for a
// while so continue tokens find them) and watches are served from it; every watcher reads the
// shared ring from its own cursor and filters on the precomputed attributes.
//
// Consistency: `revision()` is the revision the cache reflects; wait_fresh(R) asks the store watch
// for progress and waits until the cache has applied everything up to R (consistent reads).
//
// Slow watchers: a watcher further behind than the backlog bounds (events in its key range it has
// not taken), or whose unread events leave the ring, is closed; its client re-watches or re-lists.
// The ring, not the watcher, holds the events, so a stalled client costs a cursor. Watchers are
// woken at most once per notify interval (longer with more watchers), so a stream of writes
// reaches each in batches.
//
// Thread safety: every public method may be called from any thread. One internal thread applies
// the store's events. Cachers: a registry of Cacher by storage key prefix, created on first use.
#pragma once
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "api/resources.h"
#include "apimachinery/selectors.h"
#include "apiserver/object_store.h"
#include "storage/store.h"

namespace skiff::apiserver {

// One object as the cache holds it; immutable once built.
struct CachedObject {
  std::string key;
  std::string raw;  // JSON with metadata.resourceVersion; empty when !ok
  int64_t revision = 0;
  bool ok = true;  // false: the stored form does not decode (left out with a warning)
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> fields;  // api::selectable_fields
  size_t bytes() const;
};
using CachedObjectPtr = std::shared_ptr<const CachedObject>;

struct CachedEvent {
  int64_t revision = 0;
  bool deleted = false;
  CachedObjectPtr object;  // the new state; for a delete the last state at the delete's revision
  CachedObjectPtr prev;    // null for a create
  size_t bytes = 0;
};
using CachedEventPtr = std::shared_ptr<const CachedEvent>;

struct CacherOptions {
  size_t ring_max_events = 20000;
  size_t ring_max_bytes = 64 << 20;
  size_t max_watcher_backlog = 20000;
  size_t max_watcher_backlog_bytes = 64 << 20;
  size_t batch_max_events = 1000;  // events one ObjectWatch::next returns at most
  std::chrono::milliseconds fresh_wait{3000};  // consistent read: then the caller uses the store
  std::chrono::milliseconds ready_wait{30000};  // first use: the initial list
  // Watchers are woken at most once per (watchers x per_watcher), within [min, max].
  std::chrono::microseconds notify_interval_per_watcher{20};
  std::chrono::microseconds notify_interval_min{0};
  std::chrono::microseconds notify_interval_max{50000};
  size_t max_snapshots = 16;  // paged lists' snapshots kept for continue tokens
  std::chrono::seconds snapshot_ttl{120};
};

// True when `o` passes the selectors.
bool cached_matches(const CachedObject& o, const LabelSelector& labels, const FieldSelector& fields);

class Cacher : public std::enable_shared_from_this<Cacher> {
 public:
  Cacher(storage::Store& store, api::ResourceInfo r, CacherOptions opts = {});
  ~Cacher();
  void start();  // starts the thread (separate from the constructor: shared_from_this)
  // Closes every watcher and stops the thread; the cacher then serves nothing.
  void stop();

  // Waits until the cache holds every event up to `rev` (and has its initial list); false when
  // it could not within the options' bounds (the caller then reads the store).
  bool wait_fresh(int64_t rev);
  bool wait_ready();
  int64_t revision();

  // The current objects under `range` (a key prefix), sorted by key, and the revision they
  // are at. Paged lists keep them (snapshot) under that revision for continue tokens.
  struct Snapshot {
    int64_t revision = 0;
    std::string range;
    std::shared_ptr<const std::vector<CachedObjectPtr>> items;
  };
  std::shared_ptr<const Snapshot> snapshot(const std::string& range, bool keep);
  // A kept snapshot, or null (expired or never taken).
  std::shared_ptr<const Snapshot> find_snapshot(const std::string& range, int64_t revision);

  // A watch of `range` with selectors. from < 0: send the current objects first, then changes;
  // otherwise changes after revision `from`. Null when `from` is before the ring's window.
  std::unique_ptr<ObjectWatch> watch(const std::string& range, const ListParams& p, int64_t from);

  const std::string& prefix() const { return prefix_; }
  size_t watcher_count();

 private:
  friend class CacherWatch;
  struct Watcher {
    std::string range;
    std::condition_variable cv;  // on mu_
    // Guarded by mu_:
    uint64_t cursor = 0;  // sequence number of the next event to take
    bool closed = false;
    size_t backlog_events = 0, backlog_bytes = 0;
  };

  void run();
  bool load();  // initial list + store watch; false when the store failed
  CachedObjectPtr build(const storage::KeyValue& kv) const;
  bool apply(const storage::WatchBatch& batch);  // true when it added events
  // Wakes the watchers with events pending; returns the interval until the next wake-up.
  std::chrono::microseconds notify_watchers();
  void append_locked(CachedEventPtr e);
  void evict_locked();
  void close_locked(Watcher& w);
  void close_all_locked();
  void unsubscribe(const std::shared_ptr<Watcher>& w);

  storage::Store& store_;
  const api::ResourceInfo r_;
  const std::string prefix_;
  const CacherOptions opts_;
  std::thread thread_;
  std::unique_ptr<storage::Watch> store_watch_;  // used by the thread; request_progress by all

  std::mutex mu_;  // guards everything below
  std::condition_variable fresh_cv_;
  bool ready_ = false, stopping_ = false, failed_ = false;
  int64_t revision_ = 0;
  uint64_t generation_ = 0;  // bumped on every change of objects_ (snapshot reuse)
  std::map<std::string, CachedObjectPtr> objects_;
  std::deque<CachedEventPtr> ring_;
  uint64_t ring_first_seq_ = 0;  // sequence number of ring_.front()
  size_t ring_bytes_ = 0;
  int64_t window_start_ = 0;  // every event after this revision is in the ring
  std::set<std::shared_ptr<Watcher>> watchers_;
  struct Kept {
    std::shared_ptr<const Snapshot> snap;
    uint64_t generation;
    std::chrono::steady_clock::time_point taken;
  };
  std::deque<Kept> snapshots_;
  std::mutex progress_mu_;  // guards store_watch_ replacement against request_progress
};

class Cachers {
 public:
  Cachers(storage::Store& store, CacherOptions opts = {}) : store_(store), opts_(opts) {}
  ~Cachers();
  // The cacher of `r` (keyed by its storage key prefix), created on first use.
  std::shared_ptr<Cacher> get(const api::ResourceInfo& r);
  // Stops and drops the cacher of `prefix` (a resource no longer served); the next get builds a
  // new one.
  void forget(const std::string& prefix);

 private:
  storage::Store& store_;
  const CacherOptions opts_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<Cacher>> cachers_;
};

}  // namespace skiff::apiserver
