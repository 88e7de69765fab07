// Cacher watches: a cursor into the cacher's shared ring, filtered on each object's precomputed
// labels and fields (both sides of a change, as ObjectWatchImpl), events handed out as the cached
// JSON text without a copy per watcher.
#include <algorithm>

#include "apiserver/cacher.h"

namespace skiff::apiserver {
namespace {

bool has_prefix(const std::string& key, const std::string& prefix) {
  return key.compare(0, prefix.size(), prefix) == 0;
}

std::shared_ptr<const std::string> text_of(const CachedObjectPtr& o) {
  return std::shared_ptr<const std::string>(o, &o->raw);
}
}  // namespace

class CacherWatch : public ObjectWatch {
 public:
  CacherWatch(std::shared_ptr<Cacher> c, std::shared_ptr<Cacher::Watcher> w, ListParams p,
              std::shared_ptr<const std::vector<CachedObjectPtr>> initial, int64_t start_rev)
      : c_(std::move(c)), w_(std::move(w)), p_(std::move(p)), initial_(std::move(initial)),
        progress_(start_rev) {
    selecting_ = !p_.labels.empty() || !p_.fields.empty();
  }
  ~CacherWatch() override { c_->unsubscribe(w_); }

  std::vector<ObjectEvent> next(std::chrono::milliseconds timeout, bool* closed) override {
    *closed = false;
    std::vector<ObjectEvent> out;
    if (initial_) {
      {
        std::lock_guard<std::mutex> lk(c_->mu_);
        if (w_->closed) {  // fell too far behind while the client read the initial objects
          *closed = true;
          initial_.reset();
          return out;
        }
      }
      const auto& items = *initial_;
      size_t end = std::min(items.size(), next_initial_ + c_->opts_.batch_max_events);
      for (; next_initial_ < end; ++next_initial_) {
        const auto& o = items[next_initial_];
        if (o->ok && (!selecting_ || cached_matches(*o, p_.labels, p_.fields)))
          out.push_back(event("ADDED", o));
      }
      if (next_initial_ >= items.size()) initial_.reset();
      return out;
    }
    std::vector<CachedEventPtr> taken;
    {
      std::unique_lock<std::mutex> lk(c_->mu_);
      auto end_seq = [&] { return c_->ring_first_seq_ + c_->ring_.size(); };
      if (!w_->closed && w_->cursor >= end_seq())
        w_->cv.wait_for(lk, timeout, [&] { return w_->closed || w_->cursor < end_seq(); });
      if (w_->closed) {
        *closed = true;
        return out;
      }
      const auto& ring = c_->ring_;
      size_t i = static_cast<size_t>(w_->cursor - c_->ring_first_seq_);
      for (; i < ring.size() && taken.size() < c_->opts_.batch_max_events; ++i) {
        const auto& e = ring[i];
        if (!has_prefix(e->object->key, w_->range)) continue;
        taken.push_back(e);
        if (w_->backlog_events > 0) --w_->backlog_events;
        w_->backlog_bytes -= std::min(w_->backlog_bytes, e->bytes);
      }
      w_->cursor = c_->ring_first_seq_ + i;
      progress_ = i < ring.size() ? ring[i]->revision - 1 : c_->revision_;
    }
    for (const auto& e : taken) {
      const auto& cur = e->object;
      if (!selecting_) {
        if (!cur->ok) continue;
        out.push_back(event(e->deleted ? "DELETED" : e->prev ? "MODIFIED" : "ADDED", cur));
        continue;
      }
      auto m = [&](const CachedObjectPtr& o) {
        return o && cached_matches(*o, p_.labels, p_.fields);
      };
      if (e->deleted) {
        if (m(cur)) out.push_back(event("DELETED", cur));
        continue;
      }
      bool now = m(cur), was = m(e->prev);
      if (now && was) out.push_back(event("MODIFIED", cur));
      else if (now) out.push_back(event("ADDED", cur));
      else if (was && cur->ok) out.push_back(event("DELETED", cur));
    }
    return out;
  }

  int64_t progress_revision() override { return progress_; }

 private:
  static ObjectEvent event(const char* type, const CachedObjectPtr& o) {
    ObjectEvent ev;
    ev.type = type;
    ev.cached_raw = text_of(o);
    return ev;
  }

  std::shared_ptr<Cacher> c_;
  std::shared_ptr<Cacher::Watcher> w_;
  const ListParams p_;
  bool selecting_ = false;
  std::shared_ptr<const std::vector<CachedObjectPtr>> initial_;  // initial objects left to send
  size_t next_initial_ = 0;
  int64_t progress_;
};

std::unique_ptr<ObjectWatch> Cacher::watch(const std::string& range, const ListParams& p,
                                           int64_t from) {
  auto w = std::make_shared<Watcher>();
  w->range = range;
  std::shared_ptr<std::vector<CachedObjectPtr>> initial;
  int64_t start_rev = 0;
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (!ready_ || stopping_) return nullptr;
    const uint64_t end_seq = ring_first_seq_ + ring_.size();
    if (from < 0) {
      initial = std::make_shared<std::vector<CachedObjectPtr>>();
      for (auto it = objects_.lower_bound(range);
           it != objects_.end() && has_prefix(it->first, range); ++it)
        initial->push_back(it->second);
      w->cursor = end_seq;
      start_rev = revision_;
    } else {
      if (from < window_start_ || from > revision_) return nullptr;
      auto it = std::upper_bound(ring_.begin(), ring_.end(), from,
                                 [](int64_t v, const CachedEventPtr& e) { return v < e->revision; });
      w->cursor = ring_first_seq_ + static_cast<uint64_t>(it - ring_.begin());
      for (; it != ring_.end(); ++it) {
        if (!has_prefix((*it)->object->key, range)) continue;
        ++w->backlog_events;
        w->backlog_bytes += (*it)->bytes;
      }
      start_rev = from;
    }
    watchers_.insert(w);
  }
  return std::make_unique<CacherWatch>(shared_from_this(), std::move(w), p, std::move(initial),
                                       start_rev);
}

}  // namespace skiff::apiserver
