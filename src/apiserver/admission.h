// Admission: the checks and mutations that need the cluster's state, run on every write after
// defaulting (upstream's admission plugins and the service REST allocators):
// - NamespaceLifecycle: no creates in a missing or terminating namespace; the system namespaces
//   cannot be deleted.
// - Service ClusterIP and NodePort allocation (from --service-cidr and 30000-32767), released
//   when a service is deleted or its type changes.
//
// Thread safety: all methods may be called concurrently (allocations are guarded by mu_).
#pragma once
#include <cstdint>
#include <mutex>
#include <set>
#include <string>

#include "api/resources.h"
#include "common/api_error.h"
#include "common/json.h"
#include "storage/store.h"

namespace skiff::apiserver {

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

 private:
  Status check_namespace(const api::ResourceInfo& r, const json::object& obj);
  Status allocate_service(json::object& obj, const json::object* old, bool dry_run);

  storage::Store& store_;
  uint32_t net_ = 0;   // service CIDR network address (host order)
  uint32_t size_ = 0;  // number of addresses in the CIDR
  std::mutex mu_;
  std::set<uint32_t> ips_;  // GUARDED_BY(mu_): allocated ClusterIPs
  std::set<int> ports_;     // GUARDED_BY(mu_): allocated NodePorts
  uint32_t next_ip_ = 1;    // GUARDED_BY(mu_): where the next search starts (offset in range)
  int next_port_ = 30000;   // GUARDED_BY(mu_)
};

}  // namespace skiff::apiserver
