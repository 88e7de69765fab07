// ObjectStore::watch: served from the watch cache where it can (object_cached.cc); otherwise
// (a start revision older than the cache's ring) a store watch turned into typed API events (ADDED/MODIFIED/DELETED), with
// selectors applied to both sides of a change and the initial objects of a watch from "0" read
// page by page.
#include "api/kinds.h"
#include "apiserver/object_store.h"

namespace skiff::apiserver {
namespace {

// The objects a watch from "0" starts with are read a page at a time at the watch's start
// revision, as the client takes them: a client that stops reading holds one page, not a copy
// of the whole collection.
constexpr int64_t kInitialPage = 256;

class ObjectWatchImpl : public ObjectWatch {
 public:
  ObjectWatchImpl(ObjectStore& os, const api::ResourceInfo& r, std::string prefix,
                  ListParams params, std::unique_ptr<storage::Watch> w, bool send_initial,
                  int64_t start_rev, std::function<bool(const json::object&)> match)
      : os_(os), r_(r), prefix_(std::move(prefix)), params_(std::move(params)), w_(std::move(w)),
        initial_(send_initial), rev_(start_rev), start_rev_(start_rev), match_(std::move(match)) {}

  std::vector<ObjectEvent> next(std::chrono::milliseconds timeout, bool* closed) override {
    *closed = false;
    const bool raw = params_.raw && params_.labels.empty() && params_.fields.empty();
    if (initial_) return initial_page(raw, closed);
    int64_t before = os_.current_revision();
    auto batch = w_->next(timeout);
    std::vector<ObjectEvent> out;
    for (auto& ev : batch.events) {
      rev_ = ev.kv.mod_revision;
      if (raw) {
        if (os_.is_undecodable(ev.kv.key)) continue;
        const char* type = ev.type == storage::WatchEvent::Type::kDelete ? "DELETED"
                           : ev.prev                                      ? "MODIFIED"
                                                                          : "ADDED";
        out.push_back({type, {}, ObjectStore::encode_with_rv(ev.kv), nullptr});
        continue;
      }
      auto cur = ObjectStore::decode(ev.kv);
      if (!cur) continue;
      bool now = ev.type == storage::WatchEvent::Type::kPut && match_(*cur);
      bool was = false;
      if (ev.prev) {
        auto prev = ObjectStore::decode(*ev.prev);
        was = prev && match_(*prev);
      }
      if (ev.type == storage::WatchEvent::Type::kDelete) {
        if (match_(*cur)) out.push_back({"DELETED", std::move(*cur), {}, nullptr});
      } else if (now && was) {
        out.push_back({"MODIFIED", std::move(*cur), {}, nullptr});
      } else if (now) {
        out.push_back({"ADDED", std::move(*cur), {}, nullptr});
      } else if (was) {
        out.push_back({"DELETED", std::move(*cur), {}, nullptr});
      }
    }
    if (batch.closed) *closed = true;
    // Nothing arrived although the store was at `before`: everything up to it was uneventful.
    if (batch.events.empty() && before > rev_) rev_ = before;
    return out;
  }
  int64_t progress_revision() override { return rev_; }

 private:
  std::vector<ObjectEvent> initial_page(bool raw, bool* closed) {
    std::vector<ObjectEvent> out;
    if (w_->closed()) {  // fell too far behind while the client read slowly: it must re-list
      *closed = true;
      initial_ = false;
      return out;
    }
    storage::ListOptions opts;
    opts.prefix = prefix_;
    opts.start_key = next_key_;
    opts.limit = kInitialPage;
    opts.revision = start_rev_;
    auto res = os_.raw().list(opts);
    if (res.code != storage::Code::kOk) {  // compacted while the client was slow: re-list
      *closed = true;
      initial_ = false;
      return out;
    }
    for (const auto& kv : res.items) {
      if (os_.is_undecodable(kv.key)) continue;
      if (raw) {
        out.push_back({"ADDED", {}, ObjectStore::encode_with_rv(kv), nullptr});
        continue;
      }
      auto obj = ObjectStore::decode(kv);
      if (obj && match_(*obj)) out.push_back({"ADDED", std::move(*obj), {}, nullptr});
    }
    if (!res.more || res.items.empty()) initial_ = false;
    else next_key_ = res.items.back().key + '\0';
    return out;
  }

  ObjectStore& os_;
  const api::ResourceInfo& r_;
  const std::string prefix_;
  ListParams params_;
  std::unique_ptr<storage::Watch> w_;
  bool initial_;           // initial objects remain to be sent, from next_key_ on
  std::string next_key_;
  int64_t rev_;
  const int64_t start_rev_;
  std::function<bool(const json::object&)> match_;
};
}  // namespace

Result<std::unique_ptr<ObjectWatch>> ObjectStore::watch(const api::ResourceInfo& r,
                                                        const std::string& ns,
                                                        const ListParams& p,
                                                        bool send_initial) {
  if (!p.fields.empty())
    if (auto st = p.fields.check_supported(api::selectable_field_names(r)); !st) return st.error();
  std::string prefix = r.key_prefix() + (r.namespaced && !ns.empty() ? ns + "/" : "");
  if (auto cached = watch_cached(r, prefix, p, send_initial)) return cached;
  auto match = [this, &r, p](const json::object& obj) { return matches(r, p, obj); };
  int64_t from = 0;
  if (send_initial) {
    from = store_.current_revision();
  } else {
    auto parsed = parse_resource_version(p.resource_version);
    if (!parsed) return parsed.error();
    from = *parsed;
  }
  storage::Code code = storage::Code::kOk;
  auto w = store_.watch(prefix, from, &code);
  if (!w) {
    if (code == storage::Code::kTooOld)
      return ApiError::gone("too old resource version: " + std::to_string(from) + " (" +
                            std::to_string(store_.compacted_revision()) + ")");
    if (code == storage::Code::kFutureRevision)
      return ApiError::timeout("Too large resource version: " + std::to_string(from) +
                               ", current: " + std::to_string(store_.current_revision()));
    return store_error(code, r, "");
  }
  return std::unique_ptr<ObjectWatch>(
      new ObjectWatchImpl(*this, r, prefix, p, std::move(w), send_initial, from, match));
}
}  // namespace skiff::apiserver
