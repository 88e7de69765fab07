#include <algorithm>

#include "apimachinery/selectors.h"
#include "common/log.h"
#include "common/time.h"
#include "controllers/controllers.h"

namespace skiff::controllers {
namespace {
using client::ObjectPtr;


int64_t revision_of(const json::object& rs) {
  std::string s = get_string(rs, {"metadata", "annotations", kRevisionAnnotation});
  try {
    return s.empty() ? 0 : std::stoll(s);
  } catch (...) {
    return 0;
  }
}
int64_t spec_replicas(const json::object& rs) { return get_int(rs, {"spec", "replicas"}, 1); }
int64_t status_int(const json::object& o, const char* f) { return get_int(o, {"status", f}, 0); }

json::object owner_ref_to(const json::object& d) {
  return json::object{{"apiVersion", "apps/v1"}, {"kind", "Deployment"},
                      {"name", name_of(d)},      {"uid", uid_of(d)},
                      {"controller", true},      {"blockOwnerDeletion", true}};
}

// Sets a deployment condition; keeps lastTransitionTime when the status did not change and
// leaves the condition alone when nothing about it changed unless `refresh` (progress made).
void set_condition(json::array& conds, const std::string& type, const std::string& status,
                   const std::string& reason, const std::string& message, bool refresh) {
  const std::string now = now_rfc3339();
  for (auto& c : conds) {
    if (get_string(c, {"type"}) != type) continue;
    json::object& o = c.as_object();
    bool same = get_string(o, {"status"}) == status && get_string(o, {"reason"}) == reason &&
                get_string(o, {"message"}) == message;
    if (same && !refresh) return;
    if (get_string(o, {"status"}) != status) o["lastTransitionTime"] = now;
    o["status"] = status;
    o["reason"] = reason;
    o["message"] = message;
    o["lastUpdateTime"] = now;
    return;
  }
  conds.push_back(json::object{{"type", type},
                               {"status", status},
                               {"lastUpdateTime", now},
                               {"lastTransitionTime", now},
                               {"reason", reason},
                               {"message", message}});
}

const json::object* find_condition(const json::array& conds, const std::string& type) {
  for (const auto& c : conds)
    if (c.is_object() && get_string(c, {"type"}) == type) return &c.as_object();
  return nullptr;
}
}  // namespace

DeploymentController::DeploymentController(client::Client& c, InformerFactory& inf, int workers)
    : QueueController("deployment", workers),
      client_(c),
      pods_(inf.get("", "pods")),
      replicasets_(inf.get("apps", "replicasets")),
      deployments_(inf.get("apps", "deployments")) {
  deployments_.add_handlers(key_handlers());
  replicasets_.add_handlers(client::Handlers{
      [this](const ObjectPtr& o) { enqueue_owner(*o); },
      [this](const ObjectPtr& old_o, const ObjectPtr& o) {
        enqueue_owner(*old_o);
        enqueue_owner(*o);
      },
      [this](const ObjectPtr& o) { enqueue_owner(*o); }});
  // Recreate waits for old pods to go away: a pod deletion may unblock its deployment.
  pods_.add_handlers(client::Handlers{nullptr, nullptr, [this](const ObjectPtr& p) {
    const json::object* ref = controller_ref(*p);
    if (!ref || get_string(*ref, {"kind"}) != "ReplicaSet") return;
    if (auto rs = replicasets_.get(ns_of(*p) + "/" + get_string(*ref, {"name"})))
      enqueue_owner(*rs);
  }});
}

void DeploymentController::enqueue_owner(const json::object& rs) {
  const json::object* ref = controller_ref(rs);
  if (!ref) {
    // An orphan: deployments whose selector matches may adopt it.
    const json::value* l = find_path(rs, {"metadata", "labels"});
    if (!l || !l->is_object()) return;
    for (const auto& d : deployments_.list_namespace(ns_of(rs))) {
      auto sel = LabelSelector::from_json(find_path(*d, {"spec", "selector"}));
      if (sel && !sel->empty() && sel->matches(&l->as_object())) enqueue(client::object_key(*d));
    }
    return;
  }
  if (get_string(*ref, {"kind"}) != "Deployment") return;
  enqueue(ns_of(rs) + "/" + get_string(*ref, {"name"}));
}

Status DeploymentController::scale_rs(json::object& rs, int64_t replicas, const json::object& d,
                                      int64_t max_surge) {
  const int64_t want = get_int(d, {"spec", "replicas"}, 1);
  json::object patch{
      {"metadata",
       json::object{{"annotations",
                     json::object{{kDesiredReplicasAnnotation, std::to_string(want)},
                                  {kMaxReplicasAnnotation, std::to_string(want + max_surge)}}}}},
      {"spec", json::object{{"replicas", replicas}}}};
  auto r = client_.patch(resource("apps", "replicasets"), ns_of(rs), name_of(rs),
                         "application/merge-patch+json", patch);
  if (!r) return r.error();
  rs = std::move(*r);
  return ok_status();
}

Status DeploymentController::sync(const std::string& key) {
  ObjectPtr d_ptr = deployments_.get(key);
  if (!d_ptr) return ok_status();
  const json::object& d = *d_ptr;
  if (find_path(d, {"metadata", "deletionTimestamp"})) return ok_status();
  const std::string ns = ns_of(d), uid = uid_of(d), dname = name_of(d);
  const int64_t replicas = get_int(d, {"spec", "replicas"}, 1);
  const json::value* tmpl_v = find_path(d, {"spec", "template"});
  if (!tmpl_v || !tmpl_v->is_object()) return ok_status();
  const json::object& tmpl = tmpl_v->as_object();
  auto sel = LabelSelector::from_json(find_path(d, {"spec", "selector"}));
  if (!sel || sel->empty()) return ok_status();  // upstream refuses to act on an empty selector
  const bool paused = find_path(d, {"spec", "paused"}) &&
                      find_path(d, {"spec", "paused"})->is_bool() &&
                      find_path(d, {"spec", "paused"})->as_bool();
  const bool recreate = get_string(d, {"spec", "strategy", "type"}, "RollingUpdate") == "Recreate";
  int64_t max_surge = 0, max_unavailable = 0;
  if (!recreate) {
    auto fp = resolve_fenceposts(find_path(d, {"spec", "strategy", "rollingUpdate", "maxSurge"}),
                                 find_path(d, {"spec", "strategy", "rollingUpdate",
                                               "maxUnavailable"}),
                                 replicas);
    max_surge = fp.first;
    max_unavailable = fp.second;
  }

  // Owned ReplicaSets (copies: scaling updates them in place).
  std::vector<json::object> all;
  for (const auto& rs : replicasets_.list_namespace(ns)) {
    if (find_path(*rs, {"metadata", "deletionTimestamp"})) continue;
    const json::object* ref = controller_ref(*rs);
    if (!ref) {
      // Adopt a matching orphan (e.g. left by `kubectl delete --cascade=orphan`).
      const json::value* l = find_path(*rs, {"metadata", "labels"});
      if (!l || !l->is_object() || !sel->matches(&l->as_object())) continue;
      json::array refs;
      if (const json::value* v = find_path(*rs, {"metadata", "ownerReferences"}); v && v->is_array())
        refs = v->as_array();
      refs.push_back(owner_ref_to(d));
      json::object patch{{"metadata", json::object{{"ownerReferences", refs},
                                                   {"uid", uid_of(*rs)}}}};
      auto r = client_.patch(resource("apps", "replicasets"), ns, name_of(*rs),
                             "application/merge-patch+json", patch);
      if (!r) {
        if (r.error().code == 404) continue;
        return r.error();
      }
      all.push_back(std::move(*r));
      continue;
    }
    if (get_string(*ref, {"uid"}) != uid) continue;
    all.push_back(*rs);
  }
  std::sort(all.begin(), all.end(), [](const json::object& a, const json::object& b) {
    auto ta = get_string(a, {"metadata", "creationTimestamp"});
    auto tb = get_string(b, {"metadata", "creationTimestamp"});
    return ta != tb ? ta < tb : name_of(a) < name_of(b);
  });
  int new_idx = -1;
  for (size_t i = 0; i < all.size(); ++i) {
    const json::value* t = find_path(all[i], {"spec", "template"});
    if (t && t->is_object() && templates_equal(t->as_object(), tmpl)) {
      new_idx = static_cast<int>(i);
      break;
    }
  }
  int64_t max_old_rev = 0;
  for (size_t i = 0; i < all.size(); ++i)
    if (static_cast<int>(i) != new_idx) max_old_rev = std::max(max_old_rev, revision_of(all[i]));

  const auto& rs_res = resource("apps", "replicasets");
  std::string progress_reason, progress_msg;
  if (!paused) {
    if (new_idx < 0) {
      const std::string hash = pod_template_hash(tmpl);
      json::object t = tmpl;
      ensure_object(ensure_object(t, "metadata"), "labels")[kPodTemplateHashLabel] = hash;
      json::object selector = find_path(d, {"spec", "selector"})->as_object();
      ensure_object(selector, "matchLabels")[kPodTemplateHashLabel] = hash;
      json::object annotations;
      if (const json::value* a = find_path(d, {"metadata", "annotations"}); a && a->is_object())
        for (const auto& kv : a->as_object())
          if (kv.key() != "kubectl.kubernetes.io/last-applied-configuration" &&
              kv.key() != kRevisionAnnotation)
            annotations[kv.key()] = kv.value();
      annotations[kRevisionAnnotation] = std::to_string(max_old_rev + 1);
      annotations[kDesiredReplicasAnnotation] = std::to_string(replicas);
      annotations[kMaxReplicasAnnotation] = std::to_string(replicas + max_surge);
      // Initial size: all of it when nothing else runs, else what the surge allows now.
      int64_t initial = 0;
      if (!recreate) {
        int64_t total = 0;
        for (const auto& rs : all) total += spec_replicas(rs);
        initial = total == 0 ? replicas
                             : std::clamp<int64_t>(replicas + max_surge - total, 0, replicas);
      }
      json::object labels = t["metadata"].as_object()["labels"].as_object();
      json::object spec{{"replicas", initial}, {"selector", selector}, {"template", t}};
      if (auto mrs = get_int(d, {"spec", "minReadySeconds"}, 0); mrs > 0) spec["minReadySeconds"] = mrs;
      json::object rs{{"apiVersion", "apps/v1"},
                      {"kind", "ReplicaSet"},
                      {"metadata", json::object{{"name", dname + "-" + hash},
                                                {"namespace", ns},
                                                {"labels", labels},
                                                {"annotations", annotations},
                                                {"ownerReferences", json::array{owner_ref_to(d)}}}},
                      {"spec", spec}};
      auto r = client_.create(rs_res, ns, rs);
      if (!r) {
        if (r.error().code != 409) return r.error();
        // Already there: ours (cache behind) or a hash collision.
        auto g = client_.get(rs_res, ns, dname + "-" + hash);
        if (!g) return g.error();
        const json::object* ref = controller_ref(*g);
        const json::value* gt = find_path(*g, {"spec", "template"});
        if (!ref || get_string(*ref, {"uid"}) != uid || !gt || !gt->is_object() ||
            !templates_equal(gt->as_object(), tmpl))
          return ApiError::conflict("replicasets.apps", dname + "-" + hash,
                                    "pod template hash collision");
        all.push_back(std::move(*g));
      } else {
        all.push_back(std::move(*r));
        progress_reason = "NewReplicaSetCreated";
        progress_msg = "Created new replica set \"" + dname + "-" + hash + "\"";
      }
      new_idx = static_cast<int>(all.size()) - 1;
    } else if (revision_of(all[new_idx]) <= max_old_rev) {
      // A rollback: the old template is current again and gets the next revision.
      json::object patch{{"metadata", json::object{{"annotations", json::object{
          {kRevisionAnnotation, std::to_string(max_old_rev + 1)}}}}}};
      auto r = client_.patch(rs_res, ns, name_of(all[new_idx]), "application/merge-patch+json",
                             patch);
      if (!r) return r.error();
      all[new_idx] = std::move(*r);
    }
  }

  std::vector<json::object*> olds;
  for (size_t i = 0; i < all.size(); ++i)
    if (static_cast<int>(i) != new_idx) olds.push_back(&all[i]);
  json::object* nrs = new_idx >= 0 ? &all[new_idx] : nullptr;
  const std::string nrs_name = nrs ? name_of(*nrs) : "";
  auto note_progress = [&](const char* reason) {
    if (progress_reason.empty()) {
      progress_reason = reason;
      progress_msg = "ReplicaSet \"" + nrs_name + "\" is progressing.";
    }
  };

  if (paused && nrs) {
    // A paused deployment does not roll, but it still follows spec.replicas when no rollout is
    // in flight (upstream scales proportionally mid-rollout; not done here).
    bool olds_idle = true;
    for (auto* o : olds) olds_idle &= spec_replicas(*o) == 0;
    if (olds_idle && spec_replicas(*nrs) != replicas) {
      if (auto st = scale_rs(*nrs, replicas, d, max_surge); !st) return st;
    }
  } else if (nrs) {
    if (recreate) {
      bool scaled_old = false;
      for (auto* o : olds)
        if (spec_replicas(*o) > 0) {
          if (auto st = scale_rs(*o, 0, d, 0); !st) return st;
          scaled_old = true;
        }
      bool old_pods = false;
      if (!scaled_old) {
        std::set<std::string> old_uids;
        for (auto* o : olds) old_uids.insert(uid_of(*o));
        for (const auto& p : pods_.list_namespace(ns)) {
          const json::object* ref = controller_ref(*p);
          std::string phase = get_string(*p, {"status", "phase"});
          if (ref && old_uids.count(get_string(*ref, {"uid"})) && phase != "Succeeded" &&
              phase != "Failed")
            old_pods = true;
        }
      }
      if (scaled_old) note_progress("ReplicaSetUpdated");
      if (!scaled_old && !old_pods && spec_replicas(*nrs) != replicas) {
        if (auto st = scale_rs(*nrs, replicas, d, 0); !st) return st;
        note_progress("ReplicaSetUpdated");
      }
    } else {
      // Scale the new ReplicaSet up within the surge budget (or down to replicas).
      int64_t cur = spec_replicas(*nrs);
      int64_t target = cur;
      if (cur > replicas) {
        target = replicas;
      } else if (cur < replicas) {
        int64_t total = 0;
        for (const auto& rs : all) total += spec_replicas(rs);
        int64_t room = replicas + max_surge - total;
        if (room > 0) target = cur + std::min(room, replicas - cur);
      }
      if (target != cur) {
        if (auto st = scale_rs(*nrs, target, d, max_surge); !st) return st;
        note_progress("ReplicaSetUpdated");
      }
      // Scale old ReplicaSets down while keeping replicas - maxUnavailable available.
      int64_t old_total = 0;
      for (auto* o : olds) old_total += spec_replicas(*o);
      if (old_total > 0) {
        int64_t all_total = 0;
        for (const auto& rs : all) all_total += spec_replicas(rs);
        const int64_t min_available = replicas - max_unavailable;
        const int64_t new_unavailable =
            spec_replicas(*nrs) - status_int(*nrs, "availableReplicas");
        int64_t budget = all_total - min_available - new_unavailable;
        // First the old replicas that are not available anyway.
        for (auto* o : olds) {
          if (budget <= 0) break;
          int64_t unhealthy = spec_replicas(*o) - status_int(*o, "availableReplicas");
          if (unhealthy <= 0) continue;
          int64_t n = std::min(unhealthy, budget);
          if (auto st = scale_rs(*o, spec_replicas(*o) - n, d, max_surge); !st) return st;
          budget -= n;
          note_progress("ReplicaSetUpdated");
        }
        // Then available ones, oldest first, as far as availability allows.
        int64_t total_available = 0;
        for (const auto& rs : all)
          total_available += std::min(status_int(rs, "availableReplicas"), spec_replicas(rs));
        int64_t can_remove = std::min(budget, total_available - min_available);
        for (auto* o : olds) {
          if (can_remove <= 0) break;
          int64_t n = std::min(spec_replicas(*o), can_remove);
          if (n <= 0) continue;
          if (auto st = scale_rs(*o, spec_replicas(*o) - n, d, max_surge); !st) return st;
          can_remove -= n;
          note_progress("ReplicaSetUpdated");
        }
      }
    }
  }

  // Old revisions beyond revisionHistoryLimit.
  const int64_t history_limit = get_int(d, {"spec", "revisionHistoryLimit"}, 10);
  {
    std::vector<json::object*> idle;
    for (auto* o : olds)
      if (spec_replicas(*o) == 0 && status_int(*o, "replicas") == 0) idle.push_back(o);
    std::sort(idle.begin(), idle.end(), [](auto* a, auto* b) {
      return revision_of(*a) < revision_of(*b);
    });
    for (int64_t i = 0; i + history_limit < static_cast<int64_t>(idle.size()); ++i) {
      auto r = client_.remove(rs_res, ns, name_of(*idle[i]));
      if (!r && r.error().code != 404) return r.error();
    }
  }

  // The Deployment's revision annotation follows the new ReplicaSet.
  if (nrs) {
    std::string rev = std::to_string(revision_of(*nrs));
    if (get_string(d, {"metadata", "annotations", kRevisionAnnotation}) != rev) {
      json::object patch{{"metadata", json::object{{"annotations", json::object{
          {kRevisionAnnotation, rev}}}}}};
      auto r = client_.patch(resource("apps", "deployments"), ns, dname,
                             "application/merge-patch+json", patch);
      if (!r) return r.error();
    }
  }

  // Status.
  int64_t st_replicas = 0, ready = 0, available = 0, total_spec = 0;
  for (const auto& rs : all) {
    st_replicas += status_int(rs, "replicas");
    ready += status_int(rs, "readyReplicas");
    available += status_int(rs, "availableReplicas");
    total_spec += spec_replicas(rs);
  }
  const int64_t updated = nrs ? status_int(*nrs, "replicas") : 0;
  const json::value* old_status_v = d.if_contains("status");
  const json::object old_status =
      old_status_v && old_status_v->is_object() ? old_status_v->as_object() : json::object{};
  json::array conds;
  if (const json::value* c = old_status.if_contains("conditions"); c && c->is_array())
    conds = c->as_array();
  if (available >= replicas - max_unavailable)
    set_condition(conds, "Available", "True", "MinimumReplicasAvailable",
                  "Deployment has minimum availability.", false);
  else
    set_condition(conds, "Available", "False", "MinimumReplicasUnavailable",
                  "Deployment does not have minimum availability.", false);

  const int64_t generation = get_int(d, {"metadata", "generation"}, 0);
  const bool complete = updated == replicas && st_replicas == replicas && available == replicas;
  const int64_t deadline = get_int(d, {"spec", "progressDeadlineSeconds"}, 600);
  std::optional<std::chrono::seconds> recheck;
  if (paused) {
    set_condition(conds, "Progressing", "Unknown", "DeploymentPaused", "Deployment is paused",
                  false);
  } else if (nrs && complete) {
    set_condition(conds, "Progressing", "True", "NewReplicaSetAvailable",
                  "ReplicaSet \"" + nrs_name + "\" has successfully progressed.", false);
  } else if (nrs) {
    bool more = updated > get_int(old_status, {"updatedReplicas"}, 0) ||
                ready > get_int(old_status, {"readyReplicas"}, 0) ||
                available > get_int(old_status, {"availableReplicas"}, 0);
    const json::object* pc = find_condition(conds, "Progressing");
    if (!progress_reason.empty()) {
      set_condition(conds, "Progressing", "True", progress_reason, progress_msg, true);
    } else if (more) {
      set_condition(conds, "Progressing", "True", "ReplicaSetUpdated",
                    "ReplicaSet \"" + nrs_name + "\" is progressing.", true);
    } else if (!pc || get_string(*pc, {"reason"}) == "DeploymentPaused" ||
               get_string(*pc, {"reason"}) == "NewReplicaSetAvailable") {
      set_condition(conds, "Progressing", "True", "FoundNewReplicaSet",
                    "Found new replica set \"" + nrs_name + "\"", true);
    } else if (get_string(*pc, {"status"}) == "True") {
      auto last = parse_rfc3339(get_string(*pc, {"lastUpdateTime"}));
      auto now = std::chrono::system_clock::now();
      if (last && *last + std::chrono::seconds(deadline) <= now) {
        set_condition(conds, "Progressing", "False", "ProgressDeadlineExceeded",
                      "ReplicaSet \"" + nrs_name + "\" has timed out progressing.", false);
      } else if (last) {
        recheck = std::chrono::duration_cast<std::chrono::seconds>(
                      *last + std::chrono::seconds(deadline) - now) +
                  std::chrono::seconds(1);
      }
    }
    if (!recheck) {
      const json::object* pc2 = find_condition(conds, "Progressing");
      if (pc2 && get_string(*pc2, {"status"}) == "True") recheck = std::chrono::seconds(deadline + 1);
    }
  }
  json::object status{{"observedGeneration", generation},
                      {"replicas", st_replicas},
                      {"updatedReplicas", updated},
                      {"readyReplicas", ready},
                      {"availableReplicas", available},
                      {"unavailableReplicas", std::max<int64_t>(0, total_spec - available)},
                      {"conditions", conds}};
  if (const json::value* cc = old_status.if_contains("collisionCount")) status["collisionCount"] = *cc;
  if (canonical_json(status) != canonical_json(old_status)) {
    auto r = client_.patch(resource("apps", "deployments"), ns, dname, "application/merge-patch+json",
                           json::object{{"status", status}}, "status");
    if (!r && r.error().code != 404) return r.error();
  }
  if (recheck) queue_.add_after(key, *recheck);
  return ok_status();
}

}  // namespace skiff::controllers
