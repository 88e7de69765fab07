// Informer: list+watch of one resource into a keyed cache (see informer.h).
#include "client/informer.h"

#include <condition_variable>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <unordered_map>

#include "common/log.h"

namespace skiff::client {
using namespace std::chrono_literals;

std::string object_key(const json::object& obj) {
  std::string ns = get_string(obj, {"metadata", "namespace"});
  std::string name = get_string(obj, {"metadata", "name"});
  return ns.empty() ? name : ns + "/" + name;
}

namespace {
constexpr int64_t kPageSize = 500;
std::string rv_of(const json::object& o) { return get_string(o, {"metadata", "resourceVersion"}); }
}  // namespace

struct Informer::Impl {
  Client& client;
  api::ResourceInfo res;
  std::string ns;
  ListOptions selectors;
  std::vector<Handlers> handlers;  // fixed before start()

  std::atomic<bool> stopping{false};
  std::thread thread;

  // The cache; written only by the informer thread, read from anywhere.
  mutable std::shared_mutex cache_mu;
  std::unordered_map<std::string, ObjectPtr> cache;  // guarded by cache_mu

  // Sync state and the sleep between retries; guarded by state_mu.
  mutable std::mutex state_mu;
  std::condition_variable state_cv;
  bool is_synced = false;

  std::string last_rv;  // informer thread only

  Impl(Client& c, const api::ResourceInfo& r, std::string n, ListOptions s)
      : client(c), res(r), ns(std::move(n)), selectors(std::move(s)) {}

  void call_add(const ObjectPtr& o) {
    for (auto& h : handlers)
      if (h.on_add) h.on_add(o);
  }
  void call_update(const ObjectPtr& a, const ObjectPtr& b) {
    for (auto& h : handlers)
      if (h.on_update) h.on_update(a, b);
  }
  void call_delete(const ObjectPtr& o) {
    for (auto& h : handlers)
      if (h.on_delete) h.on_delete(o);
  }

  // Sleeps up to d; false when stopping.
  bool sleep_for(std::chrono::milliseconds d) {
    std::unique_lock lk(state_mu);
    state_cv.wait_for(lk, d, [&] { return stopping.load(); });
    return !stopping.load();
  }

  // All pages of the list; fills items and the list's resourceVersion.
  Status list_all(std::vector<json::object>& items, std::string& rv) {
    ListOptions o;
    o.label_selector = selectors.label_selector;
    o.field_selector = selectors.field_selector;
    o.limit = kPageSize;
    for (;;) {
      auto page = client.list(res, ns, o);
      if (!page) return page.error();
      if (auto* arr = page->if_contains("items"); arr && arr->is_array()) {
        for (auto& it : arr->as_array())
          if (it.is_object()) items.push_back(std::move(it.as_object()));
      }
      // Pages are a consistent snapshot at the first page's revision.
      if (rv.empty()) rv = get_string(*page, {"metadata", "resourceVersion"});
      o.continue_token = get_string(*page, {"metadata", "continue"});
      if (o.continue_token.empty() || stopping.load()) return ok_status();
    }
  }

  // Replaces the cache with a fresh list and tells the handlers what changed.
  void apply_list(std::vector<json::object>& items, const std::string& rv) {
    // The list's items carry no kind/apiVersion; set them like the watch's objects.
    std::unordered_map<std::string, ObjectPtr> fresh;
    fresh.reserve(items.size());
    for (auto& it : items) {
      if (!it.contains("kind")) it["kind"] = res.kind;
      if (!it.contains("apiVersion")) it["apiVersion"] = res.api_version();
      std::string key = object_key(it);
      fresh[key] = std::make_shared<const json::object>(std::move(it));
    }
    std::unordered_map<std::string, ObjectPtr> old;
    {
      std::unique_lock lk(cache_mu);
      old.swap(cache);
      cache = fresh;
    }
    last_rv = rv;
    // Deletions first, then adds and updates in key order for determinism.
    for (auto& [key, o] : old)
      if (!fresh.count(key)) call_delete(o);
    std::map<std::string, ObjectPtr> sorted(fresh.begin(), fresh.end());
    for (auto& [key, o] : sorted) {
      auto it = old.find(key);
      if (it == old.end())
        call_add(o);
      else if (rv_of(*it->second) != rv_of(*o))
        call_update(it->second, o);
    }
  }

  // One watch event into the cache and the handlers; false asks for a re-list.
  bool apply_event(WatchEvent& ev, bool& expired, std::string& error) {
    if (ev.type == "BOOKMARK") {
      std::string rv = rv_of(ev.object);
      if (!rv.empty()) last_rv = rv;
      return true;
    }
    if (ev.type == "ERROR") {
      ApiError e = api_error_from_status(ev.object, 500);
      expired = e.code == 410;
      error = e.message;
      return false;
    }
    std::string rv = rv_of(ev.object);
    std::string key = object_key(ev.object);
    auto obj = std::make_shared<const json::object>(std::move(ev.object));
    ObjectPtr old;
    if (ev.type == "ADDED" || ev.type == "MODIFIED") {
      {
        std::unique_lock lk(cache_mu);
        auto& slot = cache[key];
        old = slot;
        slot = obj;
      }
      if (old)
        call_update(old, obj);
      else
        call_add(obj);
    } else if (ev.type == "DELETED") {
      {
        std::unique_lock lk(cache_mu);
        auto it = cache.find(key);
        if (it != cache.end()) {
          old = it->second;
          cache.erase(it);
        }
      }
      call_delete(obj);
    } else {
      SKIFF_LOG(WARN) << "informer " << res.resource << ": unknown watch event " << ev.type;
    }
    if (!rv.empty()) last_rv = rv;
    return true;
  }

  void run() {
    int failures = 0;
    auto backoff = [&] {
      ++failures;
      auto d = std::chrono::milliseconds(250) * (1 << std::min(failures - 1, 7));
      return std::min<std::chrono::milliseconds>(d, 30s);
    };
    bool need_list = true;
    while (!stopping.load()) {
      if (need_list) {
        std::vector<json::object> items;
        std::string rv;
        auto st = list_all(items, rv);
        if (stopping.load()) break;
        if (!st) {
          SKIFF_LOG(WARN) << "informer " << res.resource << ": list failed: " << st.error().message;
          if (!sleep_for(backoff())) break;
          continue;
        }
        apply_list(items, rv);
        need_list = false;
        {
          std::lock_guard lk(state_mu);
          is_synced = true;
        }
        state_cv.notify_all();
      }
      ListOptions wo = selectors;
      wo.resource_version = last_rv;
      wo.limit = 0;
      wo.continue_token.clear();
      bool expired = false;
      std::string stream_error;
      int events = 0;
      auto st = client.watch(
          res, ns, wo,
          [&](WatchEvent& ev) {
            ++events;
            return apply_event(ev, expired, stream_error);
          },
          &stopping);
      if (stopping.load()) break;
      if (expired || (!st && st.error().code == 410)) {
        // Our revision was compacted away: re-list right away.
        need_list = true;
        continue;
      }
      if (!st || !stream_error.empty()) {
        SKIFF_LOG(WARN) << "informer " << res.resource << ": watch failed: "
                        << (st ? stream_error : st.error().message) << "; re-listing";
        need_list = true;
        if (!sleep_for(backoff())) break;
        continue;
      }
      // The server ended the watch (its timeout): resume from the last revision. A watch that
      // ends at once without events is suspicious; pace it like a failure.
      if (events == 0) {
        if (!sleep_for(backoff())) break;
      } else {
        failures = 0;
      }
    }
    state_cv.notify_all();
  }
};

Informer::Informer(Client& client, const api::ResourceInfo& r, std::string ns,
                   ListOptions selectors)
    : impl_(std::make_unique<Impl>(client, r, std::move(ns), std::move(selectors))) {}

Informer::~Informer() { stop(); }

void Informer::add_handlers(Handlers h) { impl_->handlers.push_back(std::move(h)); }

void Informer::start() {
  if (impl_->thread.joinable()) return;
  impl_->stopping = false;
  impl_->thread = std::thread([this] { impl_->run(); });
}

void Informer::stop() {
  {
    std::lock_guard lk(impl_->state_mu);
    impl_->stopping = true;
  }
  impl_->state_cv.notify_all();
  if (impl_->thread.joinable()) impl_->thread.join();
}

bool Informer::wait_synced(std::chrono::milliseconds timeout) {
  std::unique_lock lk(impl_->state_mu);
  impl_->state_cv.wait_for(lk, timeout,
                           [&] { return impl_->is_synced || impl_->stopping.load(); });
  return impl_->is_synced;
}

bool Informer::synced() const {
  std::lock_guard lk(impl_->state_mu);
  return impl_->is_synced;
}

ObjectPtr Informer::get(const std::string& key) const {
  std::shared_lock lk(impl_->cache_mu);
  auto it = impl_->cache.find(key);
  return it == impl_->cache.end() ? nullptr : it->second;
}

std::vector<ObjectPtr> Informer::list() const {
  std::shared_lock lk(impl_->cache_mu);
  std::vector<ObjectPtr> out;
  out.reserve(impl_->cache.size());
  for (auto& [k, v] : impl_->cache) out.push_back(v);
  return out;
}

std::vector<ObjectPtr> Informer::list_namespace(const std::string& ns) const {
  std::shared_lock lk(impl_->cache_mu);
  std::vector<ObjectPtr> out;
  for (auto& [k, v] : impl_->cache)
    if (get_string(*v, {"metadata", "namespace"}) == ns) out.push_back(v);
  return out;
}

}  // namespace skiff::client
