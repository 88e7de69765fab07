// WatchHub: fan-out of committed events to watchers from one bounded ring, with SQLite-history
// catch-up for whatever the ring no longer holds.
#include "storage/watch_hub.h"

#include <algorithm>
#include <chrono>

#include "common/log.h"

namespace skiff::storage::sqlite {
namespace {

bool has_prefix(const std::string& key, const std::string& prefix) {
  return key.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

size_t event_bytes(const WatchEvent& e) {
  size_t n = sizeof(WatchEvent) + 64 + e.kv.key.size() + e.kv.value.size();
  if (e.prev) n += e.prev->key.size() + e.prev->value.size();
  return n;
}

class WatchImpl final : public Watch {
 public:
  WatchImpl(std::shared_ptr<WatchHub> hub, std::shared_ptr<Watcher> w)
      : hub_(std::move(hub)), w_(std::move(w)) {}
  ~WatchImpl() override { hub_->unsubscribe(w_); }

  bool closed() override {
    std::lock_guard<std::mutex> lock(hub_->mu_);
    return w_->closed;
  }

  void request_progress() override {
    std::lock_guard<std::mutex> lock(hub_->mu_);
    w_->progress_requested = true;
    w_->cv.notify_all();
  }

  WatchBatch next(std::chrono::milliseconds timeout) override {
    WatchBatch batch;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    const auto& opts = hub_->opts_;
    std::vector<EventPtr> taken;
    std::unique_lock<std::mutex> lock(hub_->mu_);
    for (;;) {
      if (w_->closed) {
        batch.closed = true;
        return batch;
      }
      const auto& ring = hub_->ring_;
      const int64_t ring_first =
          ring.empty() ? hub_->revision_ + 1 : ring.front()->kv.mod_revision;
      if (w_->cursor + 1 < ring_first) {
        // What follows the cursor is only on disk (an old start revision, or the ring moved on
        // while this watcher was busy): read a chunk without holding the hub's lock.
        const int64_t from = w_->cursor, until = ring_first - 1;
        lock.unlock();
        bool reached_end = false;
        bool ok = read_history(from, until, &batch.events, &reached_end);
        lock.lock();
        if (!ok) {
          hub_->close_locked(*w_);
          batch.events.clear();
          batch.closed = true;
          return batch;
        }
        w_->cursor = reached_end || batch.events.empty() ? until : batch.events.back().kv.mod_revision;
        for (const auto& e : batch.events) {
          if (e.kv.mod_revision > w_->counted_after) taken_one(event_bytes(e));
        }
        batch.progress = w_->cursor;
        if (!batch.events.empty()) return batch;
        continue;
      }
      if (w_->backlog_events > 0) {
        size_t bytes = 0;
        size_t i = static_cast<size_t>(w_->cursor + 1 - ring_first);
        for (; i < ring.size(); ++i) {
          const EventPtr& e = ring[i];
          if (!has_prefix(e->kv.key, w_->prefix)) continue;
          size_t n = event_bytes(*e);
          if (!taken.empty() && (taken.size() >= opts.batch_max_events ||
                                 bytes + n > opts.batch_max_bytes)) {
            break;
          }
          taken.push_back(e);
          bytes += n;
          if (e->kv.mod_revision > w_->counted_after) taken_one(n);
        }
        w_->cursor = i < ring.size() ? ring[i]->kv.mod_revision - 1 : hub_->revision_;
        if (!taken.empty()) break;
        // Not reachable while the counts are right; never spin if they are not.
        w_->backlog_events = 0;
        w_->backlog_bytes = 0;
      } else if (w_->cursor >= w_->counted_after) {
        // Nothing under the prefix is pending: every revision up to the hub's is uneventful.
        w_->cursor = hub_->revision_;
      }
      batch.progress = w_->cursor;
      if (w_->progress_requested && w_->backlog_events == 0 && w_->cursor >= w_->counted_after) {
        w_->progress_requested = false;
        return batch;
      }
      bool woke = w_->cv.wait_until(lock, deadline, [&] {
        return w_->closed || w_->backlog_events > 0 || w_->cursor < w_->counted_after ||
               w_->progress_requested;
      });
      if (!woke) return batch;
    }
    batch.progress = w_->cursor;
    lock.unlock();
    // Copied outside the lock; the ring may drop these events meanwhile, `taken` keeps them.
    batch.events.reserve(taken.size());
    for (const auto& e : taken) batch.events.push_back(*e);
    return batch;
  }

 private:
  // Caller holds the hub's lock.
  void taken_one(size_t bytes) {
    if (w_->backlog_events > 0) --w_->backlog_events;
    w_->backlog_bytes -= std::min(w_->backlog_bytes, bytes);
  }

  // Reads the next chunk of (from, until] from SQLite; false if the watch must close (store
  // closed, disk error, or compaction removed rows it had not read yet).
  bool read_history(int64_t from, int64_t until, std::vector<WatchEvent>* out, bool* reached_end) {
    const auto& opts = hub_->opts_;
    {
      auto lease = hub_->readers().acquire();
      if (!lease) return false;
      if (!read_events(*lease, w_->prefix, from, until,
                       std::max<size_t>(1, std::min(opts.history_chunk_events, opts.batch_max_events)),
                       opts.batch_max_bytes, out, reached_end)) {
        SKIFF_LOG(WARN) << "watch catch-up read failed: " << (*lease).last_error();
        return false;
      }
    }
    // compacted_ is raised before rows are deleted: if it is past `from` now, the read may have
    // missed rows, so the watcher is closed (the client re-lists, like etcd's ErrCompacted).
    return hub_->compacted() <= from;
  }

  std::shared_ptr<WatchHub> hub_;
  std::shared_ptr<Watcher> w_;
};

WatchHub::WatchHub(WatchHubOptions opts, std::shared_ptr<ReaderPool> readers, int64_t revision,
                   int64_t compacted)
    : opts_(opts), readers_(std::move(readers)), compacted_(compacted), revision_(revision) {}

void WatchHub::close_locked(Watcher& w) {
  w.closed = true;
  w.backlog_events = 0;
  w.backlog_bytes = 0;
  w.cv.notify_all();
}

void WatchHub::evict_locked(int64_t keep_after) {
  while (!ring_.empty() && ring_.front()->kv.mod_revision <= keep_after &&
         (ring_.size() > opts_.ring_max_events || ring_bytes_ > opts_.ring_max_bytes)) {
    ring_bytes_ -= std::min(ring_bytes_, event_bytes(*ring_.front()));
    ring_.pop_front();
  }
}

void WatchHub::publish(const std::vector<EventPtr>& events, int64_t revision) {
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t before = revision_;
  for (const auto& e : events) {
    ring_.push_back(e);
    ring_bytes_ += event_bytes(*e);
  }
  revision_ = revision;
  evict_locked(before);  // never this batch: a watcher waiting for it must find it
  std::vector<std::shared_ptr<Watcher>> slow;
  for (const auto& w : watchers_) {
    size_t added = 0, bytes = 0;
    for (const auto& e : events) {
      if (!has_prefix(e->kv.key, w->prefix)) continue;
      ++added;
      bytes += event_bytes(*e);
    }
    if (added == 0) continue;
    w->backlog_events += added;
    w->backlog_bytes += bytes;
    if (w->backlog_events > opts_.max_watcher_backlog ||
        w->backlog_bytes > opts_.max_watcher_backlog_bytes) {
      slow.push_back(w);
    } else {
      w->cv.notify_all();
    }
  }
  for (const auto& w : slow) {
    SKIFF_LOG(WARN) << "closing slow watcher on " << w->prefix << " (" << w->backlog_events
                    << " events, " << (w->backlog_bytes >> 10) << " KiB behind)";
    close_locked(*w);
    watchers_.erase(w);
  }
}

std::unique_ptr<Watch> WatchHub::subscribe(const std::string& prefix, int64_t after, Code* code) {
  auto w = std::make_shared<Watcher>();
  w->prefix = prefix;
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) {
    *code = Code::kUnavailable;
    return nullptr;
  }
  if (after < compacted_.load()) {
    *code = Code::kTooOld;
    return nullptr;
  }
  if (after > revision_) {
    *code = Code::kFutureRevision;
    return nullptr;
  }
  // Events in the ring after `after` are counted now, later ones as they are published; those
  // before the ring (on disk only) are read in chunks and not counted.
  int64_t ring_first = ring_.empty() ? revision_ + 1 : ring_.front()->kv.mod_revision;
  w->cursor = after;
  w->counted_after = std::max(after, ring_first - 1);
  for (const auto& e : ring_) {
    if (e->kv.mod_revision <= w->counted_after || !has_prefix(e->kv.key, prefix)) continue;
    ++w->backlog_events;
    w->backlog_bytes += event_bytes(*e);
  }
  watchers_.insert(w);
  *code = Code::kOk;
  return std::make_unique<WatchImpl>(shared_from_this(), std::move(w));
}

void WatchHub::unsubscribe(const std::shared_ptr<Watcher>& w) {
  std::lock_guard<std::mutex> lock(mu_);
  watchers_.erase(w);
}

void WatchHub::set_compacted(int64_t revision) {
  compacted_.store(revision);
  std::lock_guard<std::mutex> lock(mu_);
  while (!ring_.empty() && ring_.front()->kv.mod_revision <= revision) {
    ring_bytes_ -= std::min(ring_bytes_, event_bytes(*ring_.front()));
    ring_.pop_front();
  }
  if (ring_.empty()) ring_bytes_ = 0;
}

void WatchHub::close() {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  for (const auto& w : watchers_) close_locked(*w);
  watchers_.clear();
  ring_.clear();
  ring_bytes_ = 0;
}

WatchHub::Stats WatchHub::stats() {
  std::lock_guard<std::mutex> lock(mu_);
  return Stats{ring_.size(), ring_bytes_, watchers_.size()};
}

}  // namespace skiff::storage::sqlite
