#include <algorithm>

#include "apimachinery/selectors.h"
#include "common/log.h"
#include "controllers/controllers.h"

namespace skiff::controllers {
namespace {
using client::ObjectPtr;


const json::object* labels_of(const json::object& o) {
  const json::value* l = find_path(o, {"metadata", "labels"});
  return l && l->is_object() ? &l->as_object() : nullptr;
}
}  // namespace

Result<LabelSelector> ReplicaSetController::selector_of(const json::object& rs) const {
  const json::value* sel = find_path(rs, {"spec", "selector"});
  if (!kind_.map_selector || !sel) return LabelSelector::from_json(sel);
  json::value wrapped = json::object{{"matchLabels", *sel}};
  return LabelSelector::from_json(&wrapped);
}

json::object ReplicaSetController::owner_ref(const json::object& rs) const {
  return json::object{{"apiVersion", kind_.api_version}, {"kind", kind_.kind},
                      {"name", name_of(rs)},             {"uid", uid_of(rs)},
                      {"controller", true},              {"blockOwnerDeletion", true}};
}

QueueController::~QueueController() { stop(); }

void QueueController::run() {
  for (int i = 0; i < workers_; ++i) threads_.emplace_back([this] { worker(); });
}

void QueueController::stop() {
  queue_.shutdown();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

void QueueController::worker() {
  while (auto key = queue_.get()) {
    Status st = ok_status();
    try {
      st = sync(*key);
    } catch (const std::exception& e) {
      st = ApiError::internal(e.what());
    }
    if (st) {
      queue_.forget(*key);
    } else {
      SKIFF_LOG(INFO) << name_ << ": sync " << *key << ": " << st.error().message;
      queue_.add_rate_limited(*key);
    }
    queue_.done(*key);
  }
}

ReplicaSetController::ReplicaSetController(client::Client& c, InformerFactory& inf, int workers,
                                           const ReplicaKind& kind)
    : QueueController(kind.map_selector ? "replicationcontroller" : "replicaset", workers),
      kind_(kind),
      client_(c),
      pods_(inf.get("", "pods")),
      replicasets_(inf.get(kind.group.c_str(), kind.resource.c_str())) {
  replicasets_.add_handlers(
      key_handlers([this](const ObjectPtr& o) { expectations_.erase(client::object_key(*o)); }));
  pods_.add_handlers(client::Handlers{
      [this](const ObjectPtr& p) {
        std::string k = owner_key(*p);
        if (!k.empty()) {
          expectations_.creation_observed(k);
          if (find_path(*p, {"metadata", "deletionTimestamp"}))
            expectations_.deletion_observed(k, client::object_key(*p));
        }
        on_pod_event(p);
      },
      [this](const ObjectPtr& old_p, const ObjectPtr& p) {
        std::string k = owner_key(*p);
        if (!k.empty() && find_path(*p, {"metadata", "deletionTimestamp"}))
          expectations_.deletion_observed(k, client::object_key(*p));
        std::string ok = owner_key(*old_p);
        if (!ok.empty() && ok != k) enqueue(ok);
        // Label changes may make the pod match (adopt) or stop matching (release) others.
        if (labels_of(*old_p) && labels_of(*p) && *labels_of(*old_p) != *labels_of(*p))
          enqueue_matching(*old_p);
        on_pod_event(p);
      },
      [this](const ObjectPtr& p) {
        std::string k = owner_key(*p);
        if (!k.empty()) expectations_.deletion_observed(k, client::object_key(*p));
        on_pod_event(p);
      }});
}

void ReplicaSetController::on_pod_event(const ObjectPtr& pod) {
  std::string k = owner_key(*pod);
  if (!k.empty()) {
    enqueue(k);
    return;
  }
  if (!controller_ref(*pod)) enqueue_matching(*pod);  // an orphan: candidates may adopt it
}

void ReplicaSetController::enqueue_matching(const json::object& pod) {
  for (const auto& rs : replicasets_.list_namespace(ns_of(pod))) {
    auto sel = selector_of(*rs);
    if (sel && !sel->empty() && sel->matches(labels_of(pod))) enqueue(client::object_key(*rs));
  }
}

Status ReplicaSetController::sync(const std::string& key) {
  ObjectPtr rs_ptr = replicasets_.get(key);
  if (!rs_ptr) {
    expectations_.erase(key);
    return ok_status();
  }
  const json::object& rs = *rs_ptr;
  const std::string ns = ns_of(rs), uid = uid_of(rs), name = name_of(rs);
  auto sel = selector_of(rs);
  if (!sel) return sel.error();
  const bool rs_deleting = find_path(rs, {"metadata", "deletionTimestamp"}) != nullptr;
  // Satisfied must be read before looking at the cache so that no observation is missed.
  const bool need_sync = expectations_.satisfied(key);

  std::vector<ObjectPtr> owned;
  const auto& pods_res = resource("", "pods");
  for (const auto& p : pods_.list_namespace(ns)) {
    const json::object* ref = controller_ref(*p);
    bool matches = !sel->empty() && sel->matches(labels_of(*p));
    if (ref) {
      if (get_string(*ref, {"uid"}) != uid) continue;
      if (matches) {
        owned.push_back(p);
        continue;
      }
      // Release: drop our reference.
      json::array refs;
      for (const auto& r : find_path(*p, {"metadata", "ownerReferences"})->as_array())
        if (get_string(r, {"uid"}) != uid) refs.push_back(r);
      json::object patch{{"metadata", json::object{{"ownerReferences", refs},
                                                   {"uid", uid_of(*p)}}}};
      auto r = client_.patch(pods_res, ns, name_of(*p), "application/merge-patch+json", patch);
      if (!r && r.error().code != 404) return r.error();
      continue;
    }
    if (!matches || rs_deleting || find_path(*p, {"metadata", "deletionTimestamp"})) continue;
    // Adopt an orphan.
    json::array refs;
    if (const json::value* v = find_path(*p, {"metadata", "ownerReferences"}); v && v->is_array())
      refs = v->as_array();
    refs.push_back(owner_ref(rs));
    json::object patch{{"metadata", json::object{{"ownerReferences", refs}, {"uid", uid_of(*p)}}}};
    auto r = client_.patch(pods_res, ns, name_of(*p), "application/merge-patch+json", patch);
    if (r) {
      owned.push_back(std::make_shared<const json::object>(std::move(*r)));
    } else if (r.error().code != 404) {
      return r.error();
    }
  }

  std::vector<ObjectPtr> active;
  for (const auto& p : owned)
    if (is_pod_active(*p)) active.push_back(p);

  Status manage_status = ok_status();
  if (need_sync && !rs_deleting) manage_status = manage(rs, key, active);

  // Status.
  const int64_t min_ready = get_int(rs, {"spec", "minReadySeconds"}, 0);
  const auto now = std::chrono::system_clock::now();
  int64_t fully_labeled = 0, ready = 0, available = 0;
  json::object tmpl_labels;
  if (const json::value* l = find_path(rs, {"spec", "template", "metadata", "labels"});
      l && l->is_object())
    tmpl_labels = l->as_object();
  bool pending_availability = false;
  for (const auto& p : active) {
    const json::object* pl = labels_of(*p);
    bool full = true;
    for (const auto& kv : tmpl_labels) {
      const json::value* v = pl ? pl->if_contains(kv.key()) : nullptr;
      if (!v || *v != kv.value()) full = false;
    }
    if (full) ++fully_labeled;
    if (is_pod_ready(*p)) {
      ++ready;
      if (is_pod_available(*p, min_ready, now)) ++available;
      else pending_availability = true;
    }
  }
  json::object status{{"replicas", static_cast<int64_t>(active.size())},
                      {"fullyLabeledReplicas", fully_labeled},
                      {"readyReplicas", ready},
                      {"availableReplicas", available},
                      {"observedGeneration", get_int(rs, {"metadata", "generation"}, 0)}};
  const json::value* old_status_v = rs.if_contains("status");
  json::object old_status = old_status_v && old_status_v->is_object() ? old_status_v->as_object()
                                                                       : json::object{};
  bool changed = false;
  for (const auto& kv : status) {
    const json::value* o = old_status.if_contains(kv.key());
    int64_t ov = o && o->is_int64() ? o->as_int64() : (o && o->is_uint64() ? o->as_uint64() : 0);
    if (!o || ov != kv.value().as_int64()) changed = true;
  }
  if (changed) {
    auto r = client_.patch(resource(kind_.group.c_str(), kind_.resource.c_str()), ns, name, "application/merge-patch+json",
                           json::object{{"status", status}}, "status");
    if (!r && r.error().code != 404) return r.error();
  }
  if (pending_availability && min_ready > 0)
    queue_.add_after(key, std::chrono::seconds(min_ready) + std::chrono::milliseconds(100));
  return manage_status;
}

Status ReplicaSetController::manage(const json::object& rs, const std::string& key,
                                    const std::vector<ObjectPtr>& active) {
  const std::string ns = ns_of(rs), name = name_of(rs);
  const int64_t want = get_int(rs, {"spec", "replicas"}, 1);
  const int64_t diff = want - static_cast<int64_t>(active.size());
  const auto& pods_res = resource("", "pods");
  if (diff > 0) {
    const int need = static_cast<int>(std::min<int64_t>(diff, kBurstReplicas));
    json::object pod;
    pod["apiVersion"] = "v1";
    pod["kind"] = "Pod";
    json::object md;
    if (const json::value* tm = find_path(rs, {"spec", "template", "metadata"});
        tm && tm->is_object()) {
      for (const char* f : {"labels", "annotations"})
        if (const json::value* v = tm->as_object().if_contains(f)) md[f] = *v;
    }
    md["generateName"] = name + "-";
    md["namespace"] = ns;
    md["ownerReferences"] = json::array{owner_ref(rs)};
    pod["metadata"] = std::move(md);
    if (const json::value* spec = find_path(rs, {"spec", "template", "spec"})) pod["spec"] = *spec;

    expectations_.expect_creations(key, need);
    // Slow start: batches of 1, 2, 4, ...; stop at the first failing batch.
    int created = 0, batch = 1;
    std::optional<ApiError> err;
    while (created < need && !err) {
      int n = std::min(batch, need - created);
      for (int i = 0; i < n; ++i) {
        auto r = client_.create(pods_res, ns, pod);
        if (!r) {
          expectations_.creation_observed(key);  // will never be observed
          if (!err) err = r.error();
        }
      }
      created += n;
      batch *= 2;
    }
    for (int i = created; i < need; ++i) expectations_.creation_observed(key);
    if (err) return *err;
  } else if (diff < 0) {
    const size_t n = static_cast<size_t>(std::min<int64_t>(-diff, kBurstReplicas));
    auto victims = pods_to_delete(active, n);
    std::vector<std::string> keys;
    for (const auto& p : victims) keys.push_back(client::object_key(*p));
    expectations_.expect_deletions(key, keys);
    std::optional<ApiError> err;
    for (const auto& p : victims) {
      auto r = client_.remove(pods_res, ns, name_of(*p));
      if (!r) {
        if (r.error().code == 404) continue;  // already gone; the informer will tell
        expectations_.deletion_observed(key, client::object_key(*p));
        if (!err) err = r.error();
      }
    }
    if (err) return *err;
  }
  return ok_status();
}

}  // namespace skiff::controllers
