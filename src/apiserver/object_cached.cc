// ObjectStore's reads from the watch cache (apiserver/cacher.h), as upstream 1.31's cacher:
// - lists with resourceVersion "" (consistent: the cache first catches up with the store's
//   current revision), "0" (any) and N with NotOlderThan (the cache at N or newer);
// - the pages of a paged list, from a snapshot of the first page's objects kept for the
//   continue token (no history read); a token whose snapshot is gone goes to the store;
// - watches from "", "0" or a revision the cache's ring still covers.
// Everything else (resourceVersionMatch=Exact, expired or bad tokens, revisions before the
// ring, deletecollection's resume_after) is the store path's, which also phrases the errors.
#include <algorithm>

#include "api/kinds.h"
#include "apiserver/cacher.h"
#include "apiserver/continue_token.h"
#include "apiserver/object_store.h"

namespace skiff::apiserver {

std::optional<Result<ListOutput>> ObjectStore::list_cached(const api::ResourceInfo& r,
                                                           const std::string& prefix,
                                                           const ListParams& p) {
  if (!cachers_ || !p.resume_after.empty() || p.resource_version_match == "Exact") return {};
  const int64_t current = store_.current_revision();
  std::string start_key = prefix;
  std::shared_ptr<const Cacher::Snapshot> snap;
  std::shared_ptr<Cacher> c;
  if (!p.continue_token.empty()) {
    if (!p.resource_version.empty() && p.resource_version != "0") return {};
    int64_t rv = 0;
    std::string start;
    if (!parse_continue(p.continue_token, rv, start)) return {};
    if (rv < store_.compacted_revision()) return {};  // 410 as upstream, from the store path
    c = cachers_->get(r);
    if (!c) return {};
    snap = c->find_snapshot(prefix, rv);
    if (!snap) return {};
    start_key = prefix + start;
  } else {
    int64_t need = current;
    if (!p.resource_version.empty()) {
      auto parsed = parse_resource_version(p.resource_version);
      if (!parsed || *parsed > current) return {};  // the store path's 400 / 504
      need = *parsed;
    }
    c = cachers_->get(r);
    if (!c || !c->wait_fresh(need)) return {};
    snap = c->snapshot(prefix, p.limit > 0);
    if (!snap) return {};
  }
  const auto& items = *snap->items;
  auto it = std::lower_bound(items.begin(), items.end(), start_key,
                             [](const CachedObjectPtr& o, const std::string& k) { return o->key < k; });
  const bool filtering = !p.labels.empty() || !p.fields.empty();
  ListOutput out;
  out.resource_version = std::to_string(snap->revision);
  int64_t n = 0;
  bool more = false;
  for (; it != items.end(); ++it) {
    if (p.limit > 0 && n >= p.limit) {
      more = true;
      break;
    }
    const CachedObject& o = **it;
    out.last_key = o.key;
    if (!o.ok) {
      out.warnings.push_back("the stored object " + o.key +
                             " does not decode and was left out of this list");
      continue;
    }
    if (filtering && !cached_matches(o, p.labels, p.fields)) continue;
    ++n;
    if (p.raw) {
      out.shared_items.emplace_back(*it, &o.raw);
      continue;
    }
    json::value v;
    std::string err;
    if (parse_json(o.raw, v, err) && v.is_object()) out.items.push_back(std::move(v.get_object()));
  }
  if (more && !out.last_key.empty()) {
    out.continue_token = make_continue(snap->revision, out.last_key.substr(prefix.size()) + '\0');
    if (!filtering) out.remaining = static_cast<int64_t>(items.end() - it);
  }
  return Result<ListOutput>(std::move(out));
}

std::unique_ptr<ObjectWatch> ObjectStore::watch_cached(const api::ResourceInfo& r,
                                                       const std::string& prefix,
                                                       const ListParams& p, bool send_initial) {
  if (!cachers_) return nullptr;
  int64_t from = -1, need = 0;
  if (!send_initial) {
    auto parsed = parse_resource_version(p.resource_version);
    if (!parsed) return nullptr;
    // Future and compacted revisions: the store path's 504 and 410.
    if (*parsed > store_.current_revision() || *parsed < store_.compacted_revision()) return nullptr;
    from = need = *parsed;
  } else if (p.resource_version.empty()) {
    need = store_.current_revision();
  }
  auto c = cachers_->get(r);
  if (!c || !c->wait_fresh(need)) return nullptr;
  return c->watch(prefix, p, from);
}

}  // namespace skiff::apiserver
