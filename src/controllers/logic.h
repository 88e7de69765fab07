// Pure decision logic shared by the ReplicaSet and Deployment controllers: which pods count,
// which to delete first, the pod-template hash, rolling-update arithmetic and the
// create/delete expectations. No I/O here, so all of it is unit-tested directly.
#pragma once
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "api/pod_helpers.h"
#include "api/resources.h"
#include "client/informer.h"
#include "common/json.h"

namespace skiff::controllers {

inline constexpr const char* kPodTemplateHashLabel = "pod-template-hash";
inline constexpr const char* kRevisionAnnotation = "deployment.kubernetes.io/revision";
inline constexpr const char* kDesiredReplicasAnnotation = "deployment.kubernetes.io/desired-replicas";
inline constexpr const char* kMaxReplicasAnnotation = "deployment.kubernetes.io/max-replicas";

// The ownerReference with controller:true, or nullptr.
const json::object* controller_ref(const json::object& obj);
// "ns/name" of the owner of kind `kind` a pod's controllerRef names, or "" (the key the owner's
// controller queues). Defined in history.cc.
std::string owner_key_of(const json::object& pod, const char* kind);
// Non-terminal and not being deleted: counts towards a ReplicaSet's replicas.
bool is_pod_active(const json::object& pod);
using api::is_pod_ready;  // api/pod_helpers.h
// Ready for at least min_ready_seconds (by the Ready condition's lastTransitionTime).
bool is_pod_available(const json::object& pod, int64_t min_ready_seconds,
                      std::chrono::system_clock::time_point now);

// The n pods to delete first: unscheduled, then Pending, then not Ready, then newest.
std::vector<client::ObjectPtr> pods_to_delete(std::vector<client::ObjectPtr> pods, size_t n);

// Keys sorted recursively, compact, null members dropped: equal API objects give equal strings.
std::string canonical_json(const json::value& v);
uint32_t fnv32a(std::string_view data);
// Stable hash of a pod template, encoded like upstream's rand.SafeEncodeString (no vowels).
std::string pod_template_hash(const json::object& tmpl);
// Whether a ReplicaSet's template equals a Deployment's, ignoring the pod-template-hash label.
bool templates_equal(const json::object& rs_template, const json::object& deploy_template);

// An IntOrString (int or "N%") against a total; round_up for maxSurge, down for maxUnavailable.
int64_t scaled_value(const json::value* v, int64_t total, bool round_up, int64_t def);
// (maxSurge, maxUnavailable) for the deployment's replicas; both 0 -> maxUnavailable 1.
std::pair<int64_t, int64_t> resolve_fenceposts(const json::value* max_surge,
                                               const json::value* max_unavailable,
                                               int64_t replicas);

// Upstream's ControllerExpectations: creates/deletes issued for a controller key that the
// informer has not reported yet. Thread-safe (mu_ guards everything).
class Expectations {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  explicit Expectations(std::chrono::milliseconds ttl = std::chrono::minutes(5));
  // true when nothing is pending for key (or the record expired).
  bool satisfied(const std::string& key, TimePoint now = std::chrono::steady_clock::now());
  void expect_creations(const std::string& key, int n, TimePoint now = std::chrono::steady_clock::now());
  void expect_deletions(const std::string& key, const std::vector<std::string>& pod_keys,
                        TimePoint now = std::chrono::steady_clock::now());
  void creation_observed(const std::string& key);
  void deletion_observed(const std::string& key, const std::string& pod_key);
  void erase(const std::string& key);

 private:
  struct Record {
    int adds = 0;
    std::set<std::string> dels;
    TimePoint set_at;
  };
  std::chrono::milliseconds ttl_;
  std::mutex mu_;
  std::map<std::string, Record> records_;  // guarded by mu_
};

// A core/v1 Event about `involved` (any object with apiVersion, kind and metadata), named like
// upstream's recorder (<name>.<unique hex>), for the controller to create in the object's
// namespace. type "Normal"/"Warning"; component e.g. "daemonset-controller".
json::object make_event(const json::object& involved, const std::string& type,
                        const std::string& reason, const std::string& message,
                        const std::string& component);

// Shared accessors of the controllers.
// The registered resource group/v1/resource; a missing one is a programming error (aborts).
const api::ResourceInfo& resource(const char* group, const char* name);
std::string ns_of(const json::object& o);
std::string name_of(const json::object& o);
std::string uid_of(const json::object& o);

}  // namespace skiff::controllers
