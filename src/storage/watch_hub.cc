// WatchHub: fan-out of committed events to watchers, with ring and SQLite-history catch-up.
#include "storage/watch_hub.h"

#include "common/log.h"

namespace skiff::storage::sqlite {
namespace {

bool has_prefix(const std::string& key, const std::string& prefix) {
  return key.compare(0, prefix.size(), prefix) == 0;
}

void close_locked(Watcher& w) {
  w.closed = true;
  w.queue.clear();  // a closed watcher must re-list anyway; free the memory now
  w.cv.notify_all();
}

class WatchImpl final : public Watch {
 public:
  WatchImpl(std::shared_ptr<WatchHub> hub, std::shared_ptr<Watcher> w)
      : hub_(std::move(hub)), w_(std::move(w)) {}
  ~WatchImpl() override { hub_->unsubscribe(w_); }

  WatchBatch next(std::chrono::milliseconds timeout) override {
    WatchBatch batch;
    if (w_->disk_after < w_->disk_until) {
      {
        std::lock_guard<std::mutex> lock(w_->mu);
        if (w_->closed) {
          batch.closed = true;
          return batch;
        }
      }
      if (read_history(&batch.events)) {
        if (!batch.events.empty()) return batch;
      } else {
        std::lock_guard<std::mutex> lock(w_->mu);
        close_locked(*w_);
        batch.events.clear();
        batch.closed = true;
        return batch;
      }
    }
    std::unique_lock<std::mutex> lock(w_->mu);
    w_->cv.wait_for(lock, timeout, [&] { return w_->closed || !w_->queue.empty(); });
    if (w_->closed) {
      batch.closed = true;
      return batch;
    }
    batch.events.reserve(w_->queue.size());
    for (const auto& e : w_->queue) batch.events.push_back(*e);
    w_->queue.clear();
    return batch;
  }

 private:
  // Reads the next chunk of (disk_after, disk_until]; false if the watch must close (store
  // closed, disk error, or compaction removed rows it had not read yet).
  bool read_history(std::vector<WatchEvent>* out) {
    const auto& opts = hub_->options();
    int64_t from = w_->disk_after;
    bool reached_end = false;
    {
      auto lease = hub_->readers().acquire();
      if (!lease) return false;
      if (!read_events(*lease, w_->prefix, from, w_->disk_until, opts.history_chunk_events,
                       opts.history_chunk_bytes, out, &reached_end)) {
        SKIFF_LOG(WARN) << "watch catch-up read failed: " << (*lease).last_error();
        return false;
      }
    }
    // compacted_ is raised before rows are deleted: if it is past `from` now, the read may have
    // missed rows, so the watcher is closed (the client re-lists, like etcd's ErrCompacted).
    if (hub_->compacted() > from) return false;
    w_->disk_after = reached_end ? w_->disk_until : out->back().kv.mod_revision;
    return true;
  }

  std::shared_ptr<WatchHub> hub_;
  std::shared_ptr<Watcher> w_;
};

}  // namespace

WatchHub::WatchHub(WatchHubOptions opts, std::shared_ptr<ReaderPool> readers, int64_t revision,
                   int64_t compacted)
    : opts_(opts), readers_(std::move(readers)), compacted_(compacted), revision_(revision) {}

void WatchHub::publish(const std::vector<EventPtr>& events, int64_t revision) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& e : events) {
    ring_.push_back(e);
    if (ring_.size() > opts_.ring_size) ring_.pop_front();
  }
  revision_ = revision;
  for (const auto& w : watchers_) {
    std::lock_guard<std::mutex> wl(w->mu);
    if (w->closed) continue;
    bool added = false;
    for (const auto& e : events) {
      if (!has_prefix(e->kv.key, w->prefix)) continue;
      w->queue.push_back(e);
      added = true;
    }
    if (w->queue.size() > opts_.max_watcher_backlog) {
      SKIFF_LOG(WARN) << "closing slow watcher on " << w->prefix << " (" << w->queue.size()
                      << " events behind)";
      close_locked(*w);
    } else if (added) {
      w->cv.notify_all();
    }
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
  int64_t ring_first = ring_.empty() ? revision_ + 1 : ring_.front()->kv.mod_revision;
  if (after + 1 < ring_first) {  // part of the range is only on disk
    w->disk_after = after;
    w->disk_until = ring_first - 1;
  }
  // The ring holds contiguous revisions: skip to the first one after `after`.
  size_t start = after + 1 > ring_first ? static_cast<size_t>(after + 1 - ring_first) : 0;
  for (size_t i = start; i < ring_.size(); ++i) {
    if (has_prefix(ring_[i]->kv.key, prefix)) w->queue.push_back(ring_[i]);
  }
  watchers_.insert(w);
  *code = Code::kOk;
  return std::make_unique<WatchImpl>(shared_from_this(), std::move(w));
}

void WatchHub::unsubscribe(const std::shared_ptr<Watcher>& w) {
  std::lock_guard<std::mutex> lock(mu_);
  watchers_.erase(w);
}

void WatchHub::close() {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  for (const auto& w : watchers_) {
    std::lock_guard<std::mutex> wl(w->mu);
    close_locked(*w);
  }
  watchers_.clear();
  ring_.clear();
}

}  // namespace skiff::storage::sqlite
