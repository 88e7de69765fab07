// The StatefulSet controller: pods <set>-0..n-1 with stable names and claims, OrderedReady or
// Parallel management, RollingUpdate with partition and OnDelete, ControllerRevision history.
// Mirrors upstream's pkg/controller/statefulset (updateStatefulSet, newVersionedStatefulSetPod).
// Pods are addressed by name, so a stale cache only costs a 409 or 404, never a duplicate.
#include <algorithm>

#include "apimachinery/selectors.h"
#include "controllers/apps.h"

namespace skiff::controllers {
namespace {
using client::ObjectPtr;

constexpr const char* kComponent = "statefulset-controller";
}  // namespace

int ordinal_of(const std::string& set_name, const std::string& pod_name) {
  if (pod_name.size() <= set_name.size() + 1 || pod_name.compare(0, set_name.size(), set_name) != 0 ||
      pod_name[set_name.size()] != '-')
    return -1;
  const std::string digits = pod_name.substr(set_name.size() + 1);
  if (digits.size() > 9 || (digits.size() > 1 && digits[0] == '0')) return -1;
  int n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return -1;
    n = n * 10 + (c - '0');
  }
  return n;
}

StatefulActions plan_statefulset(const StatefulSpecView& spec, std::vector<StatefulPodState> pods) {
  StatefulActions out;
  const bool monotonic = !spec.parallel;
  const int n = std::max(spec.replicas, 0);
  std::vector<const StatefulPodState*> slots(n, nullptr);
  std::vector<const StatefulPodState*> condemned;  // ascending ordinal
  std::sort(pods.begin(), pods.end(),
            [](const auto& a, const auto& b) { return a.ordinal < b.ordinal; });
  for (const auto& p : pods) {
    if (p.ordinal < 0) continue;
    if (p.ordinal < n) slots[p.ordinal] = &p;
    else condemned.push_back(&p);
  }
  // The lowest-ordinal pod that is not healthy: the only condemned one that may go while
  // unhealthy in OrderedReady mode.
  const StatefulPodState* first_unhealthy = nullptr;
  for (const auto* p : slots)
    if (p && !p->healthy && !first_unhealthy) first_unhealthy = p;
  for (const auto* p : condemned)
    if (!p->healthy && !first_unhealthy) first_unhealthy = p;

  for (int i = 0; i < n; ++i) {
    const StatefulPodState* p = slots[i];
    if (!p) {
      out.create.push_back(i);
      if (monotonic) return out;
      continue;
    }
    if (p->finished && !p->terminating) {  // recreated once the deletion is observed
      out.remove.push_back(p->name);
      if (monotonic) return out;
      continue;
    }
    if (monotonic && (p->terminating || !p->healthy)) return out;
  }
  for (auto it = condemned.rbegin(); it != condemned.rend(); ++it) {
    const StatefulPodState* p = *it;
    if (p->terminating) {
      if (monotonic) return out;
      continue;
    }
    if (monotonic && !p->healthy && p != first_unhealthy) return out;
    out.remove.push_back(p->name);
    if (monotonic) return out;
  }
  if (!spec.rolling_update) return out;
  for (int target = n - 1; target >= std::max(spec.partition, 0); --target) {
    const StatefulPodState* p = slots[target];
    if (!p) continue;  // being created (Parallel), at the right revision
    if (!p->updated && !p->terminating) {
      out.remove.push_back(p->name);
      return out;
    }
    if (!p->healthy || p->terminating) return out;
  }
  return out;
}

// ---------------- the controller ----------------

StatefulSetController::StatefulSetController(client::Client& c, InformerFactory& inf, int workers)
    : QueueController("statefulset", workers),
      client_(c),
      pods_(inf.get("", "pods")),
      statefulsets_(inf.get("apps", "statefulsets")),
      revisions_(inf.get("apps", "controllerrevisions")),
      claims_(inf.get("", "persistentvolumeclaims")) {
  statefulsets_.add_handlers(key_handlers(nullptr, /*enqueue_on_delete=*/false));
  auto on_pod = [this](const ObjectPtr& p) {
    if (std::string k = owner_key_of(*p, "StatefulSet"); !k.empty()) {
      enqueue(k);
      return;
    }
    if (controller_ref(*p)) return;
    const json::value* l = find_path(*p, {"metadata", "labels"});
    for (const auto& s : statefulsets_.list_namespace(ns_of(*p))) {  // an orphan: adoption
      auto sel = LabelSelector::from_json(find_path(*s, {"spec", "selector"}));
      if (sel && !sel->empty() && sel->matches(l && l->is_object() ? &l->as_object() : nullptr))
        enqueue(client::object_key(*s));
    }
  };
  pods_.add_handlers(client::Handlers{
      on_pod,
      [this, on_pod](const ObjectPtr& old_p, const ObjectPtr& p) {
        std::string ok = owner_key_of(*old_p, "StatefulSet");
        if (!ok.empty() && ok != owner_key_of(*p, "StatefulSet")) enqueue(ok);
        on_pod(p);
      },
      on_pod});
}

Status StatefulSetController::create_pod(const json::object& sts, const json::object& tmpl,
                                         const std::string& revision, int ordinal) {
  const std::string ns = ns_of(sts), set = name_of(sts);
  const std::string name = set + "-" + std::to_string(ordinal);
  const auto& events = resource("", "events");
  // Claims first: the pod must never run without its storage.
  json::array claim_volumes;
  if (const json::value* vcts = find_path(sts, {"spec", "volumeClaimTemplates"});
      vcts && vcts->is_array()) {
    const bool delete_with_set =
        get_string(sts, {"spec", "persistentVolumeClaimRetentionPolicy", "whenDeleted"}) == "Delete";
    for (const auto& vct : vcts->as_array()) {
      if (!vct.is_object()) continue;
      const std::string vname = name_of(vct.as_object());
      const std::string claim = vname + "-" + name;
      claim_volumes.push_back(json::object{
          {"name", vname}, {"persistentVolumeClaim", json::object{{"claimName", claim}}}});
      if (ObjectPtr existing = claims_.get(ns + "/" + claim)) {
        if (find_path(*existing, {"metadata", "deletionTimestamp"}))
          return ApiError::conflict("persistentvolumeclaims", claim, "claim is being deleted");
        continue;
      }
      json::object md{{"name", claim}, {"namespace", ns}};
      json::object labels;
      if (const json::value* l = find_path(vct, {"metadata", "labels"}); l && l->is_object())
        labels = l->as_object();
      if (const json::value* ml = find_path(sts, {"spec", "selector", "matchLabels"});
          ml && ml->is_object())
        for (const auto& kv : ml->as_object()) labels[kv.key()] = kv.value();
      if (!labels.empty()) md["labels"] = labels;
      if (const json::value* a = find_path(vct, {"metadata", "annotations"}); a && a->is_object())
        md["annotations"] = *a;
      if (delete_with_set) {
        json::object ref = apps_owner_ref(sts, "StatefulSet");
        ref.erase("controller");
        md["ownerReferences"] = json::array{std::move(ref)};
      }
      json::object pvc{{"apiVersion", "v1"}, {"kind", "PersistentVolumeClaim"},
                       {"metadata", std::move(md)}};
      if (const json::value* s = vct.as_object().if_contains("spec")) pvc["spec"] = *s;
      auto r = client_.create(resource("", "persistentvolumeclaims"), ns, pvc);
      if (!r && r.error().code != 409) {
        (void)client_.create(events, ns, make_event(sts, "Warning", "FailedCreate",
                                                    "create Claim " + claim + " for Pod " + name +
                                                        " in StatefulSet " + set + " failed error: " +
                                                        r.error().message,
                                                    kComponent));
        return r.error();
      }
      if (r)
        (void)client_.create(events, ns, make_event(sts, "Normal", "SuccessfulCreate",
                                                    "create Claim " + claim + " Pod " + name +
                                                        " in StatefulSet " + set + " success",
                                                    kComponent));
    }
  }

  json::object md;
  if (const json::value* tm = tmpl.if_contains("metadata"); tm && tm->is_object())
    for (const char* f : {"labels", "annotations"})
      if (const json::value* v = tm->as_object().if_contains(f)) md[f] = *v;
  json::object& labels = ensure_object(md, "labels");
  labels[kControllerRevisionHashLabel] = revision;
  labels[kStatefulSetPodNameLabel] = name;
  labels[kPodIndexLabel] = std::to_string(ordinal);
  md["name"] = name;
  md["namespace"] = ns;
  md["ownerReferences"] = json::array{apps_owner_ref(sts, "StatefulSet")};
  json::object spec;
  if (const json::value* s = tmpl.if_contains("spec"); s && s->is_object()) spec = s->as_object();
  spec["hostname"] = name;
  if (std::string svc = get_string(sts, {"spec", "serviceName"}); !svc.empty()) spec["subdomain"] = svc;
  if (!claim_volumes.empty()) {
    json::array volumes;
    if (const json::value* v = spec.if_contains("volumes"); v && v->is_array())
      for (const auto& vol : v->as_array()) {
        bool replaced = false;
        for (const auto& cv : claim_volumes)
          replaced = replaced || get_string(vol, {"name"}) == get_string(cv, {"name"});
        if (!replaced) volumes.push_back(vol);
      }
    for (auto& cv : claim_volumes) volumes.push_back(std::move(cv));
    spec["volumes"] = std::move(volumes);
  }
  json::object pod{{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", std::move(md)},
                   {"spec", std::move(spec)}};
  auto r = client_.create(resource("", "pods"), ns, pod);
  if (!r && r.error().code == 409) return ok_status();  // the cache is behind
  if (!r) {
    (void)client_.create(events, ns, make_event(sts, "Warning", "FailedCreate",
                                                "create Pod " + name + " in StatefulSet " + set +
                                                    " failed error: " + r.error().message,
                                                kComponent));
    return r.error();
  }
  (void)client_.create(events, ns, make_event(sts, "Normal", "SuccessfulCreate",
                                              "create Pod " + name + " in StatefulSet " + set +
                                                  " successful",
                                              kComponent));
  return ok_status();
}

Status StatefulSetController::sync(const std::string& key) {
  ObjectPtr sts_ptr = statefulsets_.get(key);
  if (!sts_ptr) return ok_status();
  const json::object& sts = *sts_ptr;
  if (find_path(sts, {"metadata", "deletionTimestamp"})) return ok_status();
  auto sel = LabelSelector::from_json(find_path(sts, {"spec", "selector"}));
  if (!sel || sel->empty()) return ok_status();
  const std::string ns = ns_of(sts), set = name_of(sts);

  auto revs = sync_revisions(client_, revisions_, sts);
  if (!revs) return revs.error();
  const std::string update_rev = revs->update_name;
  std::string current_rev = get_string(sts, {"status", "currentRevision"});
  if (current_rev.empty() || !revs->find(current_rev)) current_rev = update_rev;
  auto claimed = claim_pods(client_, pods_, sts, "StatefulSet");
  if (!claimed) return claimed.error();

  StatefulSpecView view;
  view.replicas = static_cast<int>(get_int(sts, {"spec", "replicas"}, 1));
  view.parallel = get_string(sts, {"spec", "podManagementPolicy"}) == "Parallel";
  view.rolling_update =
      get_string(sts, {"spec", "updateStrategy", "type"}, "RollingUpdate") == "RollingUpdate";
  view.partition = view.rolling_update
      ? static_cast<int>(get_int(sts, {"spec", "updateStrategy", "rollingUpdate", "partition"}, 0))
      : 0;
  const int64_t min_ready = get_int(sts, {"spec", "minReadySeconds"}, 0);
  const auto now = std::chrono::system_clock::now();
  std::vector<StatefulPodState> states;
  int64_t replicas = 0, ready = 0, available = 0, current = 0, updated = 0;
  bool pending_availability = false;
  std::set<std::string> live{current_rev, update_rev};
  for (const auto& p : *claimed) {
    StatefulPodState s;
    s.ordinal = ordinal_of(set, name_of(*p));
    s.name = name_of(*p);
    s.terminating = find_path(*p, {"metadata", "deletionTimestamp"}) != nullptr;
    const std::string phase = get_string(*p, {"status", "phase"});
    s.finished = phase == "Failed" || phase == "Succeeded";
    const bool running_ready = phase == "Running" && is_pod_ready(*p);
    s.healthy = running_ready && is_pod_available(*p, min_ready, now);
    const std::string rev = get_string(*p, {"metadata", "labels", kControllerRevisionHashLabel});
    s.updated = rev == update_rev;
    live.insert(rev);
    ++replicas;
    if (running_ready) {
      ++ready;
      if (s.healthy) ++available;
      else pending_availability = true;
    }
    if (!s.terminating) {
      if (rev == current_rev) ++current;
      if (rev == update_rev) ++updated;
    }
    states.push_back(std::move(s));
  }

  Status st = ok_status();
  StatefulActions actions = plan_statefulset(view, states);
  for (int ordinal : actions.create) {
    // Below the partition pods are recreated at the current revision (upstream's
    // newVersionedStatefulSetPod); everything else at the update revision.
    const std::string& rev = view.rolling_update && ordinal < view.partition ? current_rev
                                                                              : update_rev;
    const json::object* cr = revs->find(rev);
    json::object tmpl = cr ? revision_template(*cr) : json::object{};
    if (auto s = create_pod(sts, tmpl, rev, ordinal); !s && st) st = s;
  }
  for (const auto& name : actions.remove) {
    // Preconditions: a pod the cache shows stale (already being deleted, or replaced) is left
    // alone, so a lagging cache costs a 409 rather than a second deletion.
    json::object pre;
    for (const auto& p : *claimed)
      if (name_of(*p) == name)
        pre = json::object{{"uid", uid_of(*p)},
                           {"resourceVersion", get_string(*p, {"metadata", "resourceVersion"})}};
    auto r = client_.remove(resource("", "pods"), ns, name,
                            json::object{{"kind", "DeleteOptions"}, {"apiVersion", "v1"},
                                         {"preconditions", pre}});
    if (!r && r.error().code == 409) continue;
    if (!r && r.error().code != 404) {
      if (st) st = r.error();
      continue;
    }
    if (r)
      (void)client_.create(resource("", "events"), ns,
                           make_event(sts, "Normal", "SuccessfulDelete",
                                      "delete Pod " + name + " in StatefulSet " + set + " successful",
                                      kComponent));
  }

  if (auto s = truncate_history(client_, *revs, live, get_int(sts, {"spec", "revisionHistoryLimit"}, 10));
      !s && st)
    st = s;

  // Status; a finished RollingUpdate makes the update revision current.
  std::string status_current = current_rev;
  if (view.rolling_update && updated == replicas && ready == replicas) {
    status_current = update_rev;
    current = updated;
  }
  json::object status{{"observedGeneration", get_int(sts, {"metadata", "generation"}, 0)},
                      {"replicas", replicas},
                      {"readyReplicas", ready},
                      {"currentReplicas", current},
                      {"updatedReplicas", updated},
                      {"availableReplicas", available},
                      {"currentRevision", status_current},
                      {"updateRevision", update_rev},
                      {"collisionCount", revs->collision_count}};
  const json::value* old_v = sts.if_contains("status");
  json::object old_status = old_v && old_v->is_object() ? old_v->as_object() : json::object{};
  json::object merged = old_status;
  for (const auto& kv : status) merged[kv.key()] = kv.value();
  if (canonical_json(merged) != canonical_json(old_status)) {
    auto r = client_.patch(resource("apps", "statefulsets"), ns, set, "application/merge-patch+json",
                           json::object{{"status", status}}, "status");
    if (!r && r.error().code != 404 && st) st = r.error();
  }
  if (pending_availability && min_ready > 0)
    queue_.add_after(key, std::chrono::seconds(min_ready) + std::chrono::milliseconds(100));
  return st;
}

}  // namespace skiff::controllers
