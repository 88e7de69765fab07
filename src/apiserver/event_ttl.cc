#include "apiserver/event_ttl.h"

#include "api/resources.h"
#include "common/log.h"

namespace skiff::apiserver {
namespace {
// core/v1 and events.k8s.io/v1 Events are stored under two prefixes.
std::vector<std::string> prefixes() {
  return {api::find_resource("", "v1", "events")->key_prefix(),
          api::find_resource("events.k8s.io", "v1", "events")->key_prefix()};
}
}  // namespace

void EventTtl::start() {
  expiry_.start();
  thread_ = std::thread([this] { run(); });
}

void EventTtl::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  expiry_.stop();
}

int64_t EventTtl::attach_all() {
  int64_t rev = store_.current_revision();
  int64_t n = 0;
  for (const auto& p : prefixes()) {
    storage::ListOptions opts;
    opts.prefix = p;
    opts.revision = rev;
    auto res = store_.list(opts);
    if (res.code != storage::Code::kOk) return 0;
    for (const auto& kv : res.items) expiry_.expire_after(kv.key, kv.mod_revision, ttl_);
    n += static_cast<int64_t>(res.items.size());
  }
  SKIFF_LOG(INFO) << "events: " << n << " stored, each expires "
                  << std::chrono::duration_cast<std::chrono::seconds>(ttl_).count()
                  << "s after its last write (--event-ttl)";
  return rev;
}

void EventTtl::run() {
  while (!stop_) {
    int64_t rev = attach_all();
    std::vector<std::unique_ptr<storage::Watch>> watches;
    for (const auto& p : prefixes()) {
      storage::Code code = storage::Code::kOk;
      if (rev > 0) watches.push_back(store_.watch(p, rev, &code));
      if (!watches.empty() && !watches.back()) watches.pop_back();
    }
    if (watches.size() != 2) {
      for (int i = 0; i < 10 && !stop_; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    bool closed = false;
    while (!stop_ && !closed) {
      for (auto& w : watches) {
        auto batch = w->next(std::chrono::milliseconds(250));
        for (const auto& ev : batch.events)
          if (ev.type == storage::WatchEvent::Type::kPut)
            expiry_.expire_after(ev.kv.key, ev.kv.mod_revision, ttl_);
        closed = closed || batch.closed;
      }
    }
  }
}

}  // namespace skiff::apiserver
