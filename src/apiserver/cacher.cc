// Cacher: the initial list, the thread applying the store's events, the ring and its bounds,
// consistent-read waits and list snapshots. Watches are in cacher_watch.cc.
#include "apiserver/cacher.h"

#include <algorithm>

#include "api/kinds.h"
#include "common/log.h"

namespace skiff::apiserver {
namespace {
using namespace std::chrono_literals;

bool has_prefix(const std::string& key, const std::string& prefix) {
  return key.compare(0, prefix.size(), prefix) == 0;
}
}  // namespace

size_t CachedObject::bytes() const {
  size_t n = sizeof(CachedObject) + key.size() + raw.size();
  for (const auto& [k, v] : labels) n += 64 + k.size() + v.size();
  for (const auto& [k, v] : fields) n += 64 + k.size() + v.size();
  return n;
}

bool cached_matches(const CachedObject& o, const LabelSelector& labels,
                    const FieldSelector& fields) {
  if (!o.ok) return false;
  if (!labels.empty() && !labels.matches(o.labels)) return false;
  if (!fields.empty() && !fields.matches(o.fields)) return false;
  return true;
}

Cacher::Cacher(storage::Store& store, api::ResourceInfo r, CacherOptions opts)
    : store_(store), r_(std::move(r)), prefix_(r_.key_prefix()), opts_(opts) {}

Cacher::~Cacher() { stop(); }

void Cacher::start() { thread_ = std::thread([this] { run(); }); }

void Cacher::stop() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    stopping_ = true;
    close_all_locked();
    fresh_cv_.notify_all();
  }
  {
    std::lock_guard<std::mutex> lk(progress_mu_);
    if (store_watch_) store_watch_->request_progress();  // wakes the thread's next()
  }
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

CachedObjectPtr Cacher::build(const storage::KeyValue& kv) const {
  auto o = std::make_shared<CachedObject>();
  o->key = kv.key;
  o->revision = kv.mod_revision;
  auto obj = ObjectStore::decode(kv);
  if (!obj) {
    o->ok = false;
    return o;
  }
  if (const auto* l = find_path(*obj, {"metadata", "labels"}); l && l->is_object())
    for (const auto& kv2 : l->get_object())
      if (kv2.value().is_string())
        o->labels.emplace(kv2.key(), std::string(kv2.value().get_string()));
  o->fields = api::selectable_fields(r_, *obj);
  o->raw = ObjectStore::encode_with_rv(kv);
  return o;
}

bool Cacher::load() {
  for (int attempt = 0; attempt < 5; ++attempt) {
    std::map<std::string, CachedObjectPtr> objs;
    storage::ListOptions o;
    o.prefix = prefix_;
    o.limit = 1000;
    bool retry = false;
    for (;;) {
      auto res = store_.list(o);
      if (res.code == storage::Code::kTooOld) {  // compacted between pages: start over
        retry = true;
        break;
      }
      if (res.code != storage::Code::kOk) return false;
      o.revision = res.revision;
      for (const auto& kv : res.items) objs.emplace_hint(objs.end(), kv.key, build(kv));
      if (!res.more || res.items.empty()) break;
      o.start_key = res.items.back().key + '\0';
    }
    if (retry) continue;
    storage::Code code = storage::Code::kOk;
    auto w = store_.watch(prefix_, o.revision, &code);
    if (!w) {
      if (code == storage::Code::kTooOld) continue;
      return false;
    }
    {
      std::lock_guard<std::mutex> lk(progress_mu_);
      store_watch_ = std::move(w);
    }
    std::lock_guard<std::mutex> lk(mu_);
    if (stopping_) return false;
    objects_ = std::move(objs);
    revision_ = window_start_ = o.revision;
    ring_first_seq_ += ring_.size();
    ring_.clear();
    ring_bytes_ = 0;
    ++generation_;
    snapshots_.clear();
    ready_ = true;
    failed_ = false;
    fresh_cv_.notify_all();
    SKIFF_LOG(INFO) << "watch cache " << prefix_ << ": " << objects_.size()
                    << " objects at revision " << revision_;
    return true;
  }
  return false;
}

void Cacher::run() {
  for (;;) {
    {
      std::lock_guard<std::mutex> lk(mu_);
      if (stopping_) return;
    }
    if (!load()) {
      std::unique_lock<std::mutex> lk(mu_);
      failed_ = true;
      fresh_cv_.notify_all();
      fresh_cv_.wait_for(lk, 1s, [&] { return stopping_; });  // retry backoff
      continue;
    }
    // Watchers are woken at most once per notify interval (longer with more watchers): under a
    // stream of writes each wake-up then carries many events. A lone event wakes them at once.
    auto last_notify = std::chrono::steady_clock::time_point{};
    std::chrono::microseconds interval{0};
    bool pending = false;
    for (;;) {
      auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
          pending ? last_notify + interval - std::chrono::steady_clock::now()
                  : std::chrono::milliseconds(1000));
      auto batch = store_watch_->next(std::max(timeout, std::chrono::milliseconds(0)));
      {
        std::lock_guard<std::mutex> lk(mu_);
        if (stopping_) return;
      }
      if (!batch.events.empty() || batch.progress > 0) pending = apply(batch) || pending;
      auto now = std::chrono::steady_clock::now();
      if (pending && now >= last_notify + interval) {
        interval = notify_watchers();
        last_notify = now;
        pending = false;
      }
      if (batch.closed) {
        SKIFF_LOG(WARN) << "watch cache " << prefix_ << ": store watch closed; reloading";
        std::lock_guard<std::mutex> lk(mu_);
        ready_ = false;
        close_all_locked();
        break;
      }
    }
  }
}

bool Cacher::apply(const storage::WatchBatch& batch) {
  // Decoded and serialized once, outside the lock.
  std::vector<std::shared_ptr<CachedEvent>> evs;
  evs.reserve(batch.events.size());
  for (const auto& e : batch.events) {
    auto ce = std::make_shared<CachedEvent>();
    ce->revision = e.kv.mod_revision;
    ce->deleted = e.type == storage::WatchEvent::Type::kDelete;
    ce->object = build(e.kv);
    ce->bytes = ce->object->bytes() + sizeof(CachedEvent);
    evs.push_back(std::move(ce));
  }
  std::lock_guard<std::mutex> lk(mu_);
  for (auto& ce : evs) {
    auto it = objects_.find(ce->object->key);
    if (it != objects_.end()) ce->prev = it->second;
    if (ce->deleted) {
      if (it != objects_.end()) objects_.erase(it);
    } else if (it != objects_.end()) {
      it->second = ce->object;
    } else {
      objects_.emplace(ce->object->key, ce->object);
    }
    revision_ = std::max(revision_, ce->revision);
    append_locked(std::move(ce));
  }
  if (!evs.empty()) ++generation_;
  revision_ = std::max(revision_, batch.progress);
  evict_locked();
  fresh_cv_.notify_all();
  return !evs.empty();
}

std::chrono::microseconds Cacher::notify_watchers() {
  std::lock_guard<std::mutex> lk(mu_);
  for (const auto& w : watchers_)
    if (w->backlog_events > 0) w->cv.notify_all();
  auto us = static_cast<int64_t>(watchers_.size()) * opts_.notify_interval_per_watcher.count();
  return std::chrono::microseconds(std::clamp<int64_t>(us, opts_.notify_interval_min.count(),
                                                       opts_.notify_interval_max.count()));
}

void Cacher::append_locked(CachedEventPtr e) {
  ring_bytes_ += e->bytes;
  std::vector<std::shared_ptr<Watcher>> slow;
  for (const auto& w : watchers_) {
    if (!has_prefix(e->object->key, w->range)) continue;
    ++w->backlog_events;
    w->backlog_bytes += e->bytes;
    if (w->backlog_events > opts_.max_watcher_backlog ||
        w->backlog_bytes > opts_.max_watcher_backlog_bytes) {
      slow.push_back(w);
    }
  }
  ring_.push_back(std::move(e));
  for (const auto& w : slow) {
    SKIFF_LOG(WARN) << "closing slow watcher on " << w->range << " (" << w->backlog_events
                    << " events, " << (w->backlog_bytes >> 10) << " KiB behind)";
    close_locked(*w);
    watchers_.erase(w);
  }
}

void Cacher::evict_locked() {
  std::vector<std::shared_ptr<Watcher>> lost;
  while (ring_.size() > 1 &&
         (ring_.size() > opts_.ring_max_events || ring_bytes_ > opts_.ring_max_bytes)) {
    const auto& e = ring_.front();
    for (const auto& w : watchers_) {
      if (w->cursor > ring_first_seq_) continue;
      // A watcher that has not taken this event: it can skip it unless the event is its own.
      if (has_prefix(e->object->key, w->range)) lost.push_back(w);
      else w->cursor = ring_first_seq_ + 1;
    }
    for (const auto& w : lost) {
      SKIFF_LOG(WARN) << "closing slow watcher on " << w->range
                      << " (its events left the watch cache)";
      close_locked(*w);
      watchers_.erase(w);
    }
    lost.clear();
    window_start_ = e->revision;
    ring_bytes_ -= std::min(ring_bytes_, e->bytes);
    ring_.pop_front();
    ++ring_first_seq_;
  }
}

void Cacher::close_locked(Watcher& w) {
  w.closed = true;
  w.backlog_events = w.backlog_bytes = 0;
  w.cv.notify_all();
}

void Cacher::close_all_locked() {
  for (const auto& w : watchers_) close_locked(*w);
  watchers_.clear();
}

void Cacher::unsubscribe(const std::shared_ptr<Watcher>& w) {
  std::lock_guard<std::mutex> lk(mu_);
  watchers_.erase(w);
}

size_t Cacher::watcher_count() {
  std::lock_guard<std::mutex> lk(mu_);
  return watchers_.size();
}

int64_t Cacher::revision() {
  std::lock_guard<std::mutex> lk(mu_);
  return revision_;
}

bool Cacher::wait_ready() {
  std::unique_lock<std::mutex> lk(mu_);
  return fresh_cv_.wait_for(lk, opts_.ready_wait, [&] { return stopping_ || ready_ || failed_; }) &&
         ready_ && !stopping_;
}

bool Cacher::wait_fresh(int64_t rev) {
  if (!wait_ready()) return false;
  std::unique_lock<std::mutex> lk(mu_);
  if (revision_ >= rev) return true;
  lk.unlock();
  {
    std::lock_guard<std::mutex> plk(progress_mu_);
    if (store_watch_) store_watch_->request_progress();
  }
  lk.lock();
  return fresh_cv_.wait_for(lk, opts_.fresh_wait,
                            [&] { return stopping_ || !ready_ || revision_ >= rev; }) &&
         ready_ && !stopping_ && revision_ >= rev;
}

std::shared_ptr<const Cacher::Snapshot> Cacher::snapshot(const std::string& range, bool keep) {
  std::lock_guard<std::mutex> lk(mu_);
  if (!ready_ || stopping_) return nullptr;
  const auto now = std::chrono::steady_clock::now();
  auto snap = std::make_shared<Snapshot>();
  snap->revision = revision_;
  snap->range = range;
  // Unchanged since a kept snapshot of the range: share its items.
  for (const auto& k : snapshots_) {
    if (k.generation != generation_ || k.snap->range != range) continue;
    if (k.snap->revision == revision_) return k.snap;
    snap->items = k.snap->items;
    break;
  }
  if (!snap->items) {
    auto items = std::make_shared<std::vector<CachedObjectPtr>>();
    for (auto it = objects_.lower_bound(range); it != objects_.end() && has_prefix(it->first, range);
         ++it)
      items->push_back(it->second);
    snap->items = std::move(items);
  }
  if (keep) {
    while (!snapshots_.empty() && (snapshots_.size() >= opts_.max_snapshots ||
                                   now - snapshots_.front().taken > opts_.snapshot_ttl))
      snapshots_.pop_front();
    snapshots_.push_back({snap, generation_, now});
  }
  return snap;
}

std::shared_ptr<const Cacher::Snapshot> Cacher::find_snapshot(const std::string& range,
                                                              int64_t revision) {
  std::lock_guard<std::mutex> lk(mu_);
  const auto now = std::chrono::steady_clock::now();
  while (!snapshots_.empty() && now - snapshots_.front().taken > opts_.snapshot_ttl)
    snapshots_.pop_front();
  for (const auto& k : snapshots_)
    if (k.snap->revision == revision && k.snap->range == range) return k.snap;
  return nullptr;
}

Cachers::~Cachers() {
  std::lock_guard<std::mutex> lk(mu_);
  for (auto& [prefix, c] : cachers_) c->stop();
}

std::shared_ptr<Cacher> Cachers::get(const api::ResourceInfo& r) {
  std::shared_ptr<Cacher> c;
  {
    std::lock_guard<std::mutex> lk(mu_);
    auto& slot = cachers_[r.key_prefix()];
    if (!slot) {
      slot = std::make_shared<Cacher>(store_, r, opts_);
      slot->start();
    }
    c = slot;
  }
  return c->wait_ready() ? c : nullptr;
}

void Cachers::forget(const std::string& prefix) {
  std::shared_ptr<Cacher> c;
  {
    std::lock_guard<std::mutex> lk(mu_);
    auto it = cachers_.find(prefix);
    if (it == cachers_.end()) return;
    c = std::move(it->second);
    cachers_.erase(it);
  }
  c->stop();
}

}  // namespace skiff::apiserver
