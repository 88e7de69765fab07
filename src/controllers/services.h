// The controllers around Services and namespaces, as upstream's kube-controller-manager runs
// them: Endpoints and EndpointSlices from a Service's selector and its pods, the `default`
// ServiceAccount of every namespace, and the namespace controller that empties a Terminating
// namespace and then removes its `kubernetes` finalizer.
// The pure parts (port resolution, subset grouping, slice building, namespace conditions) are
// free functions below so tests/controllers/services_logic_test.cc checks them without a server.
#pragma once
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "controllers/controllers.h"

namespace skiff::controllers {

inline constexpr const char* kServiceNameLabel = "kubernetes.io/service-name";
inline constexpr const char* kManagedByLabel = "endpointslice.kubernetes.io/managed-by";
inline constexpr const char* kSliceControllerName = "endpointslice-controller.k8s.io";
inline constexpr const char* kHeadlessLabel = "service.kubernetes.io/headless";
inline constexpr size_t kMaxEndpointsPerSlice = 100;  // upstream --max-endpoints-per-slice

// ---- pure logic shared by the Endpoints and EndpointSlice controllers ----

// The object at a path of keys, or nullptr when absent or not an object.
const json::object* find_object(const json::object& o,
                                std::initializer_list<std::string_view> path);
// Labels of a service's Endpoints (and the base of its EndpointSlices'): the service's, with
// the headless marker set exactly when the service is headless.
json::object endpoints_labels(const json::object& svc);

// spec.selector of a Service (a plain map) against a pod's labels. An absent or empty selector
// selects nothing: such services get user-managed endpoints.
bool service_selects(const json::object& svc, const json::object& pod);
bool service_has_selector(const json::object& svc);
// Upstream's ShouldPodBeInEndpoints: has an IP, is not terminal for its restart policy, and is
// not being deleted unless include_terminating.
bool pod_in_endpoints(const json::object& pod, bool include_terminating);
// Upstream's FindPort: targetPort as a number (absent: the service port), or a name looked up
// in the pod's container ports with the service port's protocol. nullopt if the name is unknown.
std::optional<int64_t> resolve_target_port(const json::object& pod, const json::object& svc_port);
// The pod's address in the service's IP family (spec.ipFamilies[0], IPv4 by default), or "".
std::string pod_address_for(const json::object& pod, const json::object& svc);
// The pod's hostname when it asks for one under this service (spec.hostname, spec.subdomain).
std::string pod_hostname_for(const json::object& pod, const json::object& svc);

// One pod's contribution to an Endpoints object before grouping.
struct EndpointEntry {
  json::object address;  // EndpointAddress: ip, hostname, nodeName, targetRef
  bool ready = true;
  json::array ports;  // EndpointPort objects; empty for a headless service without ports
};
// Upstream's RepackSubsets: addresses offering the same set of ports share one subset; ready
// ones go to addresses, the others to notReadyAddresses. Deterministic order.
json::array repack_subsets(const std::vector<EndpointEntry>& entries);
// The subsets of the Endpoints of svc given the pods of its namespace.
json::array build_endpoint_subsets(const json::object& svc,
                                   const std::vector<client::ObjectPtr>& pods);

// One group of EndpointSlice endpoints: pods whose ports resolved to the same numbers.
struct SliceGroup {
  json::array ports;                  // discovery/v1 EndpointPort objects
  std::vector<json::object> endpoints;  // discovery/v1 Endpoint objects, sorted by address
};
// The desired slice groups of svc (keyed by the ports' canonical JSON). node_zone gives the
// topology zone of a node ("" if none).
std::map<std::string, SliceGroup> build_slice_groups(
    const json::object& svc, const std::vector<client::ObjectPtr>& pods,
    const std::function<std::string(const std::string&)>& node_zone = {});
// Assignment of desired endpoints to slices: existing slices (same ports) keep the endpoints
// they already hold; the rest fill free room, then new slices of at most max_per_slice.
struct SlicePlan {
  std::vector<std::pair<std::string, json::array>> keep;  // slice name -> its new endpoints
  std::vector<json::array> create;                        // endpoints of each new slice
  std::vector<std::string> remove;                        // slice names left empty
};
SlicePlan plan_slices(const SliceGroup& group, const std::vector<client::ObjectPtr>& existing,
                      size_t max_per_slice = kMaxEndpointsPerSlice);

// ---- namespace deletion conditions ----

struct NamespaceContent {
  std::vector<std::string> discovery_errors;     // NamespaceDeletionDiscoveryFailure
  std::vector<std::string> delete_errors;        // NamespaceDeletionContentFailure
  std::map<std::string, int64_t> remaining;      // "configmaps." -> count still present
  std::map<std::string, int64_t> finalizers;     // finalizer -> objects that still carry it
};
// The five upstream deletion conditions (False with the "ok" reason when nothing is wrong)
// merged into old_conditions; lastTransitionTime moves only when a status flips.
json::array namespace_conditions(const json::array& old_conditions, const NamespaceContent& c,
                                 const std::string& now);

// ---- controllers ----

class EndpointsController : public QueueController {
 public:
  EndpointsController(client::Client& c, InformerFactory& inf, int workers = 4);

 protected:
  Status sync(const std::string& key) override;

 private:
  void on_pod(const client::ObjectPtr& old_pod, const client::ObjectPtr& pod);
  client::Client& client_;
  client::Informer& services_;
  client::Informer& pods_;
  client::Informer& endpoints_;
};

class EndpointSliceController : public QueueController {
 public:
  EndpointSliceController(client::Client& c, InformerFactory& inf, int workers = 4);

 protected:
  Status sync(const std::string& key) override;

 private:
  void on_pod(const client::ObjectPtr& old_pod, const client::ObjectPtr& pod);
  void on_slice(const client::ObjectPtr& slice);
  // Our own writes the cache has not shown yet, per service key: acting on a stale cache
  // would create duplicate slices (upstream's endpointSliceTracker).
  bool cache_is_stale(const std::string& key, const std::vector<client::ObjectPtr>& slices);
  void remember(const std::string& key, const std::string& slice, int64_t rv, bool deleted);
  client::Client& client_;
  client::Informer& services_;
  client::Informer& pods_;
  client::Informer& slices_;
  client::Informer& nodes_;
  std::mutex mu_;
  static constexpr std::chrono::seconds kTrackerTimeout{10};
  // service key -> slice name -> (resourceVersion we wrote or -1 if we deleted it, when).
  // Guarded by mu_.
  std::map<std::string,
           std::map<std::string, std::pair<int64_t, std::chrono::steady_clock::time_point>>>
      written_;
};

// Keeps a `default` ServiceAccount in every active namespace.
class ServiceAccountController : public QueueController {
 public:
  ServiceAccountController(client::Client& c, InformerFactory& inf, int workers = 2);

 protected:
  Status sync(const std::string& ns) override;

 private:
  client::Client& client_;
  client::Informer& namespaces_;
  client::Informer& serviceaccounts_;
};

// The root CA publisher (root_ca_controller.cc): a ConfigMap kube-root-ca.crt with the
// cluster CA (key ca.crt) in every active namespace.
inline constexpr const char* kRootCAConfigMap = "kube-root-ca.crt";
class RootCAPublisher : public QueueController {
 public:
  // root_ca: the CA bundle (PEM) to publish; empty = publish nothing.
  RootCAPublisher(client::Client& c, InformerFactory& inf, std::string root_ca, int workers = 2);

 protected:
  Status sync(const std::string& ns) override;

 private:
  client::Client& client_;
  const std::string root_ca_;
  client::Informer& namespaces_;
  client::Informer& configmaps_;
};

// Deletes the content of Terminating namespaces (every namespaced resource type served),
// reports progress in the namespace's status conditions, and removes the `kubernetes`
// finalizer through the finalize subresource once nothing is left.
class NamespaceController : public QueueController {
 public:
  NamespaceController(client::Client& c, InformerFactory& inf, int workers = 2);
  // How soon a namespace whose content is still going away is looked at again.
  static constexpr std::chrono::milliseconds kRecheck{1000};

 protected:
  Status sync(const std::string& name) override;

 private:
  NamespaceContent delete_content(const std::string& ns);
  client::Client& client_;
  client::Informer& namespaces_;
};

}  // namespace skiff::controllers
