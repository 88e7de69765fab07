// The pod garbage collector (see nodes.h), after upstream's pkg/controller/podgc. Every period:
//  - terminated pods (Succeeded/Failed) beyond the threshold are deleted, oldest first;
//  - pods bound to a node that no longer exists (absent from the cache and confirmed with a GET)
//    are marked Failed with a DisruptionTarget condition and force-deleted;
//  - unscheduled pods being deleted are force-deleted (no kubelet will finish them);
//  - pods being deleted on a node that is not Ready and has the out-of-service taint are
//    force-deleted (upstream's non-graceful node shutdown).
#include <algorithm>
#include <set>

#include "common/log.h"
#include "controllers/nodes.h"

namespace skiff::controllers {
namespace {
using client::ObjectPtr;
constexpr const char* kStrategicMerge = "application/strategic-merge-patch+json";

bool terminal(const json::object& pod) {
  auto phase = get_string(pod, {"status", "phase"});
  return phase == "Succeeded" || phase == "Failed";
}
bool being_deleted(const json::object& pod) {
  return find_path(pod, {"metadata", "deletionTimestamp"}) != nullptr;
}
}  // namespace

std::vector<ObjectPtr> terminated_pods_to_gc(const std::vector<ObjectPtr>& pods, int64_t threshold) {
  std::vector<ObjectPtr> done;
  if (threshold <= 0) return done;
  for (const auto& p : pods)
    if (terminal(*p) && !being_deleted(*p)) done.push_back(p);
  if (static_cast<int64_t>(done.size()) <= threshold) return {};
  std::sort(done.begin(), done.end(), [](const ObjectPtr& a, const ObjectPtr& b) {
    auto ta = get_string(*a, {"metadata", "creationTimestamp"});
    auto tb = get_string(*b, {"metadata", "creationTimestamp"});
    return ta != tb ? ta < tb : name_of(*a) < name_of(*b);
  });
  done.resize(done.size() - static_cast<size_t>(threshold));
  return done;
}

PodGCController::PodGCController(client::Client& c, InformerFactory& inf,
                                 const ControllerOptions& o)
    : PeriodicController("podgc"),
      client_(c),
      pods_(inf.get("", "pods")),
      nodes_(inf.get("", "nodes")),
      period_(o.pod_gc_period),
      terminated_threshold_(o.terminated_pod_gc_threshold) {}

void PodGCController::force_delete(const json::object& pod, const char* reason,
                                   const std::string& message) {
  const std::string ns = ns_of(pod), name = name_of(pod);
  if (!terminal(pod)) {
    // Upstream marks the pod Failed with a DisruptionTarget condition first.
    json::object patch{
        {"status", json::object{{"phase", "Failed"},
                                {"conditions", json::array{json::object{
                                                   {"type", "DisruptionTarget"},
                                                   {"status", "True"},
                                                   {"reason", reason},
                                                   {"message", message},
                                                   {"lastTransitionTime",
                                                    format_rfc3339(Clock::now())}}}}}}};
    auto p = client_.patch(resource("", "pods"), ns, name, kStrategicMerge, patch, "status");
    if (!p && p.error().code == 404) return;
  }
  SKIFF_LOG(INFO) << "podgc: force-deleting pod " << ns << "/" << name << ": " << message;
  auto r = client_.remove(resource("", "pods"), ns, name,
                          json::object{{"gracePeriodSeconds", 0},
                                       {"preconditions", json::object{{"uid", uid_of(pod)}}}});
  if (!r && r.error().code != 404) {
    SKIFF_LOG(INFO) << "podgc: delete " << name << ": " << r.error().message;
  }
}

std::chrono::milliseconds PodGCController::tick() {
  if (!pods_.synced() || !nodes_.synced()) return period_;
  std::vector<ObjectPtr> pods = pods_.list();

  // Terminated pods beyond the threshold, oldest first.
  for (const auto& p : terminated_pods_to_gc(pods, terminated_threshold_)) {
    auto r = client_.remove(resource("", "pods"), ns_of(*p), name_of(*p),
                            json::object{{"gracePeriodSeconds", 0}});
    if (!r && r.error().code != 404) {
      SKIFF_LOG(INFO) << "podgc: delete " << name_of(*p) << ": " << r.error().message;
    }
  }

  // Orphaned pods: their node is gone. A node missing from the cache is confirmed with the API
  // (the cache may be behind a node that was just created).
  std::map<std::string, bool> node_exists;
  for (const auto& n : nodes_.list()) node_exists[name_of(*n)] = true;
  for (const auto& p : pods) {
    const std::string node = get_string(*p, {"spec", "nodeName"});
    if (node.empty()) {
      if (being_deleted(*p)) force_delete(*p, "DeletionByPodGC", "PodGC: unscheduled pod being deleted");
      continue;
    }
    auto it = node_exists.find(node);
    if (it == node_exists.end()) {
      auto g = client_.get(resource("", "nodes"), "", node);
      bool gone = !g && g.error().code == 404;
      it = node_exists.emplace(node, !gone).first;
    }
    if (!it->second) {
      force_delete(*p, "DeletionByPodGC", "PodGC: node no longer exists");
      continue;
    }
    // Non-graceful node shutdown: a terminating pod on an out-of-service node that is not Ready.
    if (!being_deleted(*p)) continue;
    auto n = nodes_.get(node);
    if (!n || condition_status(*n, "Ready") == "True") continue;
    for (const auto& t : parse_taints(find_path(*n, {"spec", "taints"})))
      if (t.key == kTaintOutOfService) {
        force_delete(*p, "DeletionByPodGC", "PodGC: node is out of service");
        break;
      }
  }
  return period_;
}

}  // namespace skiff::controllers
