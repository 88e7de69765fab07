// The controller framework (InformerFactory, Controller, QueueController) and the ReplicaSet and
// Deployment controllers (apps/v1). Each controller follows docs/style.md habit 5: informer
// event handlers only enqueue keys; N workers pop keys, reconcile from the caches (level-based)
// and write through the API; Forget on success, rate-limited requeue on error.
// The informers are shared and owned by the ControllerManager's InformerFactory; controllers
// ask for them and add their handlers in their constructors, before the informers start.
#pragma once
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "apimachinery/selectors.h"
#include "client/informer.h"
#include "common/api_error.h"
#include "controllers/logic.h"

namespace skiff::controllers {

// One shared informer per resource, created on first use. get() may only be called before
// start() (controllers call it from their constructors). Thread-safe.
class InformerFactory {
 public:
  explicit InformerFactory(client::Client& c) : client_(c) {}
  ~InformerFactory();
  // The informer of group/version/resource (all namespaces); aborts on an unknown resource.
  client::Informer& get(const char* group, const char* resource, const char* version = "v1");
  void start();
  // Waits for every informer's first list; false if one did not sync in time.
  bool wait_synced(std::chrono::milliseconds timeout);
  void stop();
  client::Client& client() { return client_; }

 private:
  client::Client& client_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<client::Informer>> informers_;  // guarded by mu_
  bool started_ = false;                                                // guarded by mu_
};

// Tunables of the controllers, set by flags of `skiff server` / `skiff controller-manager`.
struct ControllerOptions {
  int workers = 4;  // per queue-based controller
  std::chrono::milliseconds gc_period = std::chrono::seconds(2);
  // Node lifecycle: a node whose Lease is older than this becomes Ready=Unknown (upstream's
  // --node-monitor-grace-period, 40 s).
  std::chrono::milliseconds node_monitor_grace_period = std::chrono::seconds(40);
  // How often node health is checked (upstream's --node-monitor-period, 5 s); the controller
  // also looks at least four times per grace period.
  std::chrono::milliseconds node_monitor_period = std::chrono::seconds(5);
  // Pod GC: scan period, and how many terminated pods may stay (upstream's
  // --terminated-pod-gc-threshold; <= 0 keeps them all).
  std::chrono::milliseconds pod_gc_period = std::chrono::seconds(5);
  int64_t terminated_pod_gc_threshold = 12500;
  // Node IPAM (nodeipam.h): every node gets a /node_cidr_mask_size subnet of cluster_cidr as
  // spec.podCIDR (upstream's --cluster-cidr, --node-cidr-mask-size). Empty = no allocation
  // (upstream's --allocate-node-cidrs=false).
  std::string cluster_cidr = "10.244.0.0/16";
  int node_cidr_mask_size = 24;
  bool allocate_node_cidrs = true;  // --allocate-node-cidrs=false turns node IPAM off too
  // The cluster CA the root CA publisher puts in every namespace's kube-root-ca.crt ConfigMap
  // (upstream's --root-ca-file; default: the CA the manager's kubeconfig trusts).
  std::string root_ca_pem;
};

// Something the ControllerManager starts (after the informers synced) and stops.
class Controller {
 public:
  virtual ~Controller() = default;
  virtual void run() = 0;
  virtual void stop() = 0;  // idempotent; joins the controller's threads
};

// Queue + workers. Subclasses implement sync(key).
class QueueController : public Controller {
 public:
  QueueController(std::string name, int workers) : name_(std::move(name)), workers_(workers) {}
  ~QueueController() override;
  void run() override;   // starts the worker threads (after the informers synced)
  void stop() override;  // shuts the queue down and joins the workers
  void enqueue(const std::string& key) { queue_.add(key); }
  // Handlers for the controller's own kind: add and update enqueue the object's key; delete
  // runs on_delete (when given), then enqueues the key too unless enqueue_on_delete is false.
  client::Handlers key_handlers(std::function<void(const client::ObjectPtr&)> on_delete = nullptr,
                                bool enqueue_on_delete = true) {
    auto key = [this](const client::ObjectPtr& o) { enqueue(client::object_key(*o)); };
    return client::Handlers{
        key, [key](const client::ObjectPtr&, const client::ObjectPtr& o) { key(o); },
        [key, on_delete = std::move(on_delete), enqueue_on_delete](const client::ObjectPtr& o) {
          if (on_delete) on_delete(o);
          if (enqueue_on_delete) key(o);
        }};
  }

 protected:
  virtual Status sync(const std::string& key) = 0;
  client::WorkQueue queue_;

 private:
  void worker();
  std::string name_;
  int workers_;
  std::vector<std::thread> threads_;
};

// What a ReplicaSetController manages: ReplicaSets, or ReplicationControllers (core/v1, the
// same behaviour with a plain label map as the selector).
struct ReplicaKind {
  std::string group, resource, kind, api_version;
  bool map_selector = false;
};
inline const ReplicaKind kReplicaSets{"apps", "replicasets", "ReplicaSet", "apps/v1", false};
inline const ReplicaKind kReplicationControllers{"", "replicationcontrollers", "ReplicationController", "v1", true};

class ReplicaSetController : public QueueController {
 public:
  ReplicaSetController(client::Client& c, InformerFactory& inf, int workers = 4,
                       const ReplicaKind& kind = kReplicaSets);
  static constexpr size_t kBurstReplicas = 500;

 protected:
  Status sync(const std::string& key) override;

 private:
  void on_pod_event(const client::ObjectPtr& pod);
  void enqueue_matching(const json::object& pod);
  Status manage(const json::object& rs, const std::string& key,
                const std::vector<client::ObjectPtr>& active);
  Result<LabelSelector> selector_of(const json::object& rs) const;
  std::string owner_key(const json::object& pod) const { return owner_key_of(pod, kind_.kind.c_str()); }
  json::object owner_ref(const json::object& rs) const;
  const ReplicaKind kind_;
  client::Client& client_;
  client::Informer& pods_;
  client::Informer& replicasets_;
  Expectations expectations_;
};

class DeploymentController : public QueueController {
 public:
  DeploymentController(client::Client& c, InformerFactory& inf, int workers = 4);

 protected:
  Status sync(const std::string& key) override;

 private:
  void enqueue_owner(const json::object& rs);
  Status scale_rs(json::object& rs, int64_t replicas, const json::object& d, int64_t max_surge);
  client::Client& client_;
  client::Informer& pods_;
  client::Informer& replicasets_;
  client::Informer& deployments_;
};

}  // namespace skiff::controllers
