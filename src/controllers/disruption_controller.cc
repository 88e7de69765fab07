// The disruption controller (see nodes.h): keeps each PodDisruptionBudget's status in step with
// its pods, as upstream's pkg/controller/disruption does. pods/eviction spends the budget
// (disruptionsAllowed, disruptedPods); this controller gives it back once the pods are gone or
// the evictions have timed out.
#include <algorithm>
#include <set>

#include "apimachinery/selectors.h"
#include "common/log.h"
#include "controllers/nodes.h"

namespace skiff::controllers {
namespace {
using client::ObjectPtr;

bool is_percent(const json::value* v) {
  return v && v->is_string() && !v->as_string().empty() && v->as_string().back() == '%';
}

json::object condition(bool allowed, const std::string& reason, const std::string& message,
                       int64_t generation, const json::object* old_status) {
  std::string status = allowed ? "True" : "False";
  std::string ltt = format_rfc3339(Clock::now());
  if (old_status)
    if (const json::value* cs = old_status->if_contains("conditions"); cs && cs->is_array())
      for (const auto& c : cs->as_array())
        if (get_string(c, {"type"}) == "DisruptionAllowed" && get_string(c, {"status"}) == status &&
            get_string(c, {"reason"}) == reason)
          ltt = get_string(c, {"lastTransitionTime"}, ltt);
  return json::object{{"type", "DisruptionAllowed"},
                      {"status", status},
                      {"reason", reason},
                      {"message", message},
                      {"observedGeneration", generation},
                      {"lastTransitionTime", ltt}};
}
}  // namespace

// ---- PDB arithmetic ----

bool pdb_needs_scale(const json::object& pdb) {
  const json::value* max_u = find_path(pdb, {"spec", "maxUnavailable"});
  if (max_u && !max_u->is_null()) return true;
  return is_percent(find_path(pdb, {"spec", "minAvailable"}));
}

int64_t pdb_desired_healthy(const json::object& pdb, int64_t expected) {
  const json::value* max_u = find_path(pdb, {"spec", "maxUnavailable"});
  const json::value* min_a = find_path(pdb, {"spec", "minAvailable"});
  int64_t desired = 0;
  if (max_u && !max_u->is_null()) {
    desired = expected - scaled_value(max_u, expected, true, 0);
  } else if (min_a && !min_a->is_null()) {
    desired = scaled_value(min_a, expected, true, 0);
  }
  return std::max<int64_t>(desired, 0);
}

int64_t pdb_disruptions_allowed(int64_t current_healthy, int64_t desired_healthy,
                                int64_t expected) {
  int64_t allowed = current_healthy - desired_healthy;
  return expected <= 0 || allowed <= 0 ? 0 : allowed;
}

// ---- DisruptionController ----

DisruptionController::DisruptionController(client::Client& c, InformerFactory& inf, int workers)
    : QueueController("disruption", workers),
      client_(c),
      pdbs_(inf.get("policy", "poddisruptionbudgets")),
      pods_(inf.get("", "pods")),
      replicasets_(inf.get("apps", "replicasets")),
      deployments_(inf.get("apps", "deployments")),
      statefulsets_(inf.get("apps", "statefulsets")) {
  pdbs_.add_handlers(key_handlers());
  pods_.add_handlers(client::Handlers{
      [this](const ObjectPtr& p) { enqueue_for_pod(*p); },
      [this](const ObjectPtr& old_p, const ObjectPtr& p) {
        enqueue_for_pod(*old_p);
        enqueue_for_pod(*p);
      },
      [this](const ObjectPtr& p) { enqueue_for_pod(*p); }});
}

void DisruptionController::enqueue_for_pod(const json::object& pod) {
  const json::value* labels = find_path(pod, {"metadata", "labels"});
  const json::object* l = labels && labels->is_object() ? &labels->as_object() : nullptr;
  for (const auto& pdb : pdbs_.list_namespace(ns_of(pod))) {
    auto sel = LabelSelector::from_json(find_path(*pdb, {"spec", "selector"}));
    if (sel && sel->matches(l)) enqueue(client::object_key(*pdb));
  }
}

Result<int64_t> DisruptionController::expected_from_scale(const std::vector<ObjectPtr>& pods) {
  std::map<std::string, int64_t> scales;  // controller uid -> replicas
  for (const auto& p : pods) {
    const json::object* ref = controller_ref(*p);
    const std::string ns = ns_of(*p);
    bool found = false;
    if (ref && get_string(*ref, {"kind"}) == "ReplicaSet") {
      if (auto rs = replicasets_.get(ns + "/" + get_string(*ref, {"name"}))) {
        const json::object* dref = controller_ref(*rs);
        ObjectPtr d = dref && get_string(*dref, {"kind"}) == "Deployment"
                          ? deployments_.get(ns + "/" + get_string(*dref, {"name"}))
                          : nullptr;
        if (d) scales[uid_of(*d)] = get_int(*d, {"spec", "replicas"}, 1);
        else scales[uid_of(*rs)] = get_int(*rs, {"spec", "replicas"}, 1);
        found = true;
      }
    } else if (ref && get_string(*ref, {"kind"}) == "StatefulSet") {
      if (auto s = statefulsets_.get(ns + "/" + get_string(*ref, {"name"}))) {
        scales[uid_of(*s)] = get_int(*s, {"spec", "replicas"}, 1);
        found = true;
      }
    }
    if (!found) return ApiError::internal("found no controllers for pod \"" + name_of(*p) + "\"");
  }
  int64_t sum = 0;
  for (const auto& [_, n] : scales) sum += n;
  return sum;
}

Status DisruptionController::sync(const std::string& key) {
  ObjectPtr pdb_ptr = pdbs_.get(key);
  if (!pdb_ptr) return ok_status();
  const json::object& pdb = *pdb_ptr;
  const std::string ns = ns_of(pdb);
  const int64_t generation = get_int(pdb, {"metadata", "generation"});
  const json::value* old_st = pdb.if_contains("status");
  const json::object* old_status = old_st && old_st->is_object() ? &old_st->as_object() : nullptr;
  const auto now = Clock::now();

  json::object status = old_status ? *old_status : json::object{};
  std::optional<std::chrono::milliseconds> recheck;
  auto fail_safe = [&](const std::string& why) {
    status["disruptionsAllowed"] = 0;
    status["conditions"] = json::array{condition(false, "SyncFailed", why, generation, old_status)};
  };

  auto sel = LabelSelector::from_json(find_path(pdb, {"spec", "selector"}));
  std::vector<ObjectPtr> pods;
  if (sel) {
    for (const auto& p : pods_.list_namespace(ns)) {
      const json::value* l = find_path(*p, {"metadata", "labels"});
      if (sel->matches(l && l->is_object() ? &l->as_object() : nullptr)) pods.push_back(p);
    }
  }
  std::optional<int64_t> expected;
  if (!sel) {
    fail_safe(sel.error().message);
  } else if (pdb_needs_scale(pdb)) {
    auto e = expected_from_scale(pods);
    if (e) expected = *e;
    else fail_safe(e.error().message);
  } else {
    const json::value* min_a = find_path(pdb, {"spec", "minAvailable"});
    expected = min_a && !min_a->is_null() ? static_cast<int64_t>(pods.size()) : 0;
  }

  if (expected) {
    // Evictions recorded by pods/eviction whose pods have not gone yet.
    json::object disrupted;
    std::set<std::string> disrupted_names;
    if (const json::value* dp = find_path(pdb, {"status", "disruptedPods"}); dp && dp->is_object()) {
      for (const auto& kv : dp->as_object()) {
        const std::string pod_name(kv.key());
        auto it = std::find_if(pods.begin(), pods.end(),
                               [&](const ObjectPtr& p) { return name_of(*p) == pod_name; });
        if (it == pods.end() || find_path(**it, {"metadata", "deletionTimestamp"})) continue;
        auto at = parse_rfc3339(kv.value().is_string() ? std::string(kv.value().as_string()) : "");
        if (!at || *at + kDisruptedPodTimeout <= now) continue;  // expired: counts again
        disrupted[pod_name] = kv.value();
        disrupted_names.insert(pod_name);
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*at + kDisruptedPodTimeout - now);
        recheck = recheck ? std::min(*recheck, left) : left;
      }
    }
    int64_t healthy = 0;
    for (const auto& p : pods)
      if (!find_path(*p, {"metadata", "deletionTimestamp"}) && !disrupted_names.count(name_of(*p)) &&
          is_pod_ready(*p))
        ++healthy;
    const int64_t desired = pdb_desired_healthy(pdb, *expected);
    const int64_t allowed = pdb_disruptions_allowed(healthy, desired, *expected);
    status["observedGeneration"] = generation;
    status["expectedPods"] = *expected;
    status["currentHealthy"] = healthy;
    status["desiredHealthy"] = desired;
    status["disruptionsAllowed"] = allowed;
    if (disrupted.empty()) status.erase("disruptedPods");
    else status["disruptedPods"] = std::move(disrupted);
    status["conditions"] = json::array{condition(allowed > 0,
                                                 allowed > 0 ? "SufficientPods" : "InsufficientPods",
                                                 "", generation, old_status)};
  }

  if (recheck) queue_.add_after(key, *recheck + std::chrono::milliseconds(100));
  if (old_status && *old_status == status) return ok_status();
  json::object upd = pdb;
  upd["status"] = std::move(status);
  auto r = client_.update(resource("policy", "poddisruptionbudgets"), ns, name_of(pdb), upd,
                          "status");
  if (!r && r.error().code == 409) {
    // An eviction or a newer pod event changed the budget meanwhile: sync again on fresh state.
    queue_.add_after(key, std::chrono::milliseconds(50));
    return ok_status();
  }
  if (!r && r.error().code != 404) return r.error();
  return ok_status();
}

}  // namespace skiff::controllers
