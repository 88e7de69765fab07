// Admission: the checks and mutations that need the cluster's state, run on every write after
// defaulting (upstream's admission plugins and the service REST allocators):
// - NamespaceLifecycle: no creates in a missing or terminating namespace; the system namespaces
//   cannot be deleted.
// - DefaultTolerationSeconds: pods tolerate the not-ready/unreachable NoExecute taints for 300 s.
// - Service ClusterIP and NodePort allocation (from --service-cidr and 30000-32767), released
//   when a service is deleted or its type changes.
// - Priority: a new pod's spec.priorityClassName resolves to spec.priority and
//   spec.preemptionPolicy (the globalDefault class, else 0, when no name is given); at most one
//   PriorityClass is globalDefault; the built-in system classes cannot be deleted.
// - ServiceAccount: serviceAccountName defaults to `default`, and pods get the kube-api-access
//   projected volume with a bound service-account token (admission.cc says how).
//
// Thread safety: all methods may be called concurrently (allocations are guarded by mu_).
#pragma once
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "api/resources.h"
#include "common/api_error.h"
#include "common/json.h"
#include "storage/store.h"

namespace skiff::apiserver {

// The built-in PriorityClasses the server creates at start (they cannot be deleted).
struct SystemPriorityClass {
  const char* name;
  int64_t value;
  const char* description;
};
extern const std::vector<SystemPriorityClass> kSystemPriorityClasses;

class Admission {
 public:
  // service_cidr e.g. "10.96.0.0/12". Throws std::invalid_argument when it does not parse.
  Admission(storage::Store& store, const std::string& service_cidr);

  // Rebuilds the allocation maps from the services in the store (call once at startup).
  void load_allocations();

  Status admit_create(const api::ResourceInfo& r, json::object& obj, bool dry_run);
  Status admit_update(const api::ResourceInfo& r, json::object& obj, const json::object& old,
                      bool dry_run);
  Status admit_delete(const api::ResourceInfo& r, const json::object& obj);
  // Returns what an object held (service IPs, ports) once it is gone or its write failed.
  void release(const api::ResourceInfo& r, const json::object& obj);

  // The first address of the service range (the `kubernetes` service's ClusterIP).
  std::string first_service_ip() const;

  // DefaultTolerationSeconds: pods created without a toleration of the not-ready/unreachable
  // NoExecute taints get one for this many seconds (--default-*-toleration-seconds, 300).
  // Call before serving.
  void set_default_toleration_seconds(int64_t not_ready, int64_t unreachable) {
    not_ready_seconds_ = not_ready;
    unreachable_seconds_ = unreachable;
  }

 private:
  Status check_namespace(const api::ResourceInfo& r, const json::object& obj);
  void admit_service_account(json::object& pod);
  void mount_service_account_token(json::object& spec);
  void add_default_tolerations(json::object& pod);
  Status allocate_service(json::object& obj, const json::object* old, bool dry_run);
  Status admit_pod_priority(json::object& pod);
  Status check_global_default(const json::object& pc, bool create);

  storage::Store& store_;
  uint32_t net_ = 0;   // service CIDR network address (host order)
  uint32_t size_ = 0;  // number of addresses in the CIDR
  std::mutex mu_;
  std::set<uint32_t> ips_;  // GUARDED_BY(mu_): allocated ClusterIPs
  std::set<int> ports_;     // GUARDED_BY(mu_): allocated NodePorts
  uint32_t next_ip_ = 1;    // GUARDED_BY(mu_): where the next search starts (offset in range)
  int next_port_ = 30000;   // GUARDED_BY(mu_)
  int64_t not_ready_seconds_ = 300, unreachable_seconds_ = 300;  // set before serving
};

}  // namespace skiff::apiserver
