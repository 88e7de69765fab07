// pods/eviction (policy/v1 Eviction): a pod deletion that respects PodDisruptionBudgets, as
// upstream's pkg/registry/core/pod/storage/eviction.go. `kubectl drain` evicts through it.
//  - A pod being deleted, or one that cannot count towards a budget (Pending, Succeeded,
//    Failed), is deleted at once.
//  - More than one matching budget is an error (500); none lets the deletion through.
//  - An unready pod is let through when the budget is healthy (currentHealthy >= desiredHealthy
//    > 0) or its unhealthyPodEvictionPolicy is AlwaysAllow.
//  - Otherwise the budget's status.disruptionsAllowed is decremented and the pod recorded in
//    status.disruptedPods, atomically (compare-and-swap on the budget); at 0 the answer is
//    429 TooManyRequests and nothing is deleted.
// The evicted pod gets the DisruptionTarget condition, then is deleted with the Eviction's
// deleteOptions (grace period, preconditions, dry run).
#include "api/pod_helpers.h"
#include "apiserver/handler.h"
#include "common/log.h"
#include "common/time.h"

namespace skiff::apiserver {
namespace {
constexpr size_t kMaxDisruptedPods = 2000;  // upstream's MaxDisruptedPodSize

ApiError too_many_requests(const std::string& cause) {
  ApiError e;
  e.code = 429;
  e.reason = "TooManyRequests";
  e.message = "Cannot evict pod as it would violate the pod's disruption budget.";
  e.causes.push_back(FieldCause{"DisruptionBudget", "", cause});
  return e;
}

// An Eviction's deleteOptions, parsed like a DELETE body; a negative grace period means 1, as
// upstream.
Result<DeleteOptions> delete_options(const json::object& eviction, bool dry_run) {
  const json::value* dov = eviction.if_contains("deleteOptions");
  if (!dov || dov->is_null()) return parse_delete_options(json::object{}, dry_run);
  if (!dov->is_object()) return ApiError::bad_request("deleteOptions must be an object");
  auto o = parse_delete_options(dov->as_object(), dry_run);
  if (o && o->grace_period_seconds && *o->grace_period_seconds < 0) o->grace_period_seconds = 1;
  return o;
}

bool can_ignore_pdb(const json::object& pod) {
  auto phase = get_string(pod, {"status", "phase"});
  return phase == "Succeeded" || phase == "Failed" || phase == "Pending";
}
}  // namespace

void ApiHandler::handle_eviction(net::Request& req, const std::string& ns, const std::string& pod,
                                 net::ResponseWriter& w) {
  if (req.method != "POST")
    return write_error(w, ApiError::method_not_allowed("pods/eviction supports only POST (create)"));
  auto body = decode_body(req);
  if (!body) return write_error(w, body.error());
  auto kind = get_string(*body, {"kind"});
  auto av = get_string(*body, {"apiVersion"});
  if ((!kind.empty() && kind != "Eviction") ||
      (!av.empty() && av != "policy/v1" && av != "policy/v1beta1"))
    return write_error(w, ApiError::bad_request("the body of pods/eviction must be a policy/v1 Eviction"));
  auto body_name = get_string(*body, {"metadata", "name"});
  if (!body_name.empty() && body_name != pod)
    return write_error(w, ApiError::bad_request("name in URL does not match name in Eviction object"));
  auto dry = parse_dry_run(req);
  if (!dry) return write_error(w, dry.error());
  auto opts = delete_options(*body, *dry);
  if (!opts) return write_error(w, opts.error());
  auto st = evict(ns, pod, *opts);
  if (!st) return write_error(w, st.error());
  write_success(w, 201);
}

Status ApiHandler::evict(const std::string& ns, const std::string& name, const DeleteOptions& opts) {
  const api::ResourceInfo& pods = *api::find_resource("", "v1", "pods");
  const api::ResourceInfo& pdbs = *api::find_resource("policy", "v1", "poddisruptionbudgets");
  auto pod = objects_.get(pods, ns, name);
  if (!pod) return pod.error();
  if (opts.precondition_uid && *opts.precondition_uid != get_string(*pod, {"metadata", "uid"}))
    return ApiError::conflict("pods", name,
                              "Precondition failed: UID in precondition: " + *opts.precondition_uid +
                                  ", UID in object meta: " + get_string(*pod, {"metadata", "uid"}));

  auto remove = [&]() -> Status {
    if (!opts.dry_run) {
      // Upstream's DisruptionTarget condition says why the pod goes.
      objects_.guaranteed_update(
          pods, ns, name, "status",
          [&](const json::object& cur) -> Result<json::object> {
            json::object out = cur;
            auto& conds = ensure_array(ensure_object(out, "status"), "conditions");
            json::array kept;
            for (auto& c : conds)
              if (get_string(c, {"type"}) != "DisruptionTarget") kept.push_back(c);
            kept.push_back(json::object{{"type", "DisruptionTarget"},
                                        {"status", "True"},
                                        {"reason", "EvictionByEvictionAPI"},
                                        {"message", "Eviction API: evicting"},
                                        {"lastTransitionTime", now_rfc3339()}});
            ensure_object(out, "status")["conditions"] = std::move(kept);
            ensure_object(out, "metadata").erase("resourceVersion");
            return out;
          },
          {});
    }
    auto r = objects_.remove(pods, ns, name, opts);
    if (!r) return r.error();
    return ok_status();
  };

  if (find_path(*pod, {"metadata", "deletionTimestamp"}) || can_ignore_pdb(*pod)) return remove();

  auto list = objects_.list(pdbs, ns, {});
  if (!list) return list.error();
  const json::value* labels = find_path(*pod, {"metadata", "labels"});
  const json::object* l = labels && labels->is_object() ? &labels->as_object() : nullptr;
  std::vector<json::object> matching;
  for (auto& p : list->items) {
    auto sel = LabelSelector::from_json(find_path(p, {"spec", "selector"}));
    if (sel && sel->matches(l)) matching.push_back(std::move(p));
  }
  if (matching.empty()) return remove();
  if (matching.size() > 1)
    return ApiError::internal(
        "This pod has more than one PodDisruptionBudget, which the eviction subresource does not "
        "support.");
  const json::object& pdb = matching.front();
  const std::string pdb_name = get_string(pdb, {"metadata", "name"});

  if (!api::is_pod_ready(*pod)) {
    if (get_string(pdb, {"spec", "unhealthyPodEvictionPolicy"}) == "AlwaysAllow") return remove();
    int64_t desired = get_int(pdb, {"status", "desiredHealthy"});
    if (get_int(pdb, {"status", "currentHealthy"}) >= desired && desired > 0) return remove();
  }

  auto spent = objects_.guaranteed_update(
      pdbs, ns, pdb_name, "status",
      [&](const json::object& cur) -> Result<json::object> {
        const int64_t gen = get_int(cur, {"metadata", "generation"});
        if (get_int(cur, {"status", "observedGeneration"}) < gen)
          return too_many_requests("The disruption budget " + pdb_name +
                                   " is still being processed by the server.");
        const int64_t allowed = get_int(cur, {"status", "disruptionsAllowed"});
        if (allowed < 0) return ApiError::forbidden("pdb disruptions allowed is negative");
        const json::value* dp = find_path(cur, {"status", "disruptedPods"});
        if (dp && dp->is_object() && dp->as_object().size() > kMaxDisruptedPods)
          return ApiError::forbidden(
              "DisruptedPods map too big - too many evictions not confirmed by PDB controller");
        if (allowed == 0)
          return too_many_requests(
              "The disruption budget " + pdb_name + " needs " +
              std::to_string(get_int(cur, {"status", "desiredHealthy"})) + " healthy pods and has " +
              std::to_string(get_int(cur, {"status", "currentHealthy"})) + " currently");
        json::object out = cur;
        auto& status = ensure_object(out, "status");
        status["disruptionsAllowed"] = allowed - 1;
        ensure_object(status, "disruptedPods")[name] = now_rfc3339();
        if (allowed - 1 == 0) {
          json::array conds;
          if (const json::value* cs = status.if_contains("conditions"); cs && cs->is_array())
            for (const auto& c : cs->as_array())
              if (get_string(c, {"type"}) != "DisruptionAllowed") conds.push_back(c);
          conds.push_back(json::object{{"type", "DisruptionAllowed"},
                                       {"status", "False"},
                                       {"reason", "InsufficientPods"},
                                       {"message", ""},
                                       {"observedGeneration", gen},
                                       {"lastTransitionTime", now_rfc3339()}});
          status["conditions"] = std::move(conds);
        }
        ensure_object(out, "metadata").erase("resourceVersion");
        return out;
      },
      WriteOptions{opts.dry_run});
  if (!spent) return spent.error();
  SKIFF_LOG(DEBUG) << "eviction of " << ns << "/" << name << " spends a disruption of " << pdb_name;
  return remove();
}

}  // namespace skiff::apiserver
