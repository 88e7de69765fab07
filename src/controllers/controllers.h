// The ReplicaSet and Deployment controllers (apps/v1). Each follows docs/style.md habit 5:
// informer event handlers only enqueue keys; N workers pop keys, reconcile from the caches
// (level-based) and write through the API; Forget on success, rate-limited requeue on error.
// The informers are shared and owned by the ControllerManager; controllers add their handlers
// before the informers start.
#pragma once
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "client/informer.h"
#include "common/api_error.h"
#include "controllers/logic.h"

namespace skiff::controllers {

struct SharedInformers {
  client::Informer* pods = nullptr;
  client::Informer* replicasets = nullptr;
  client::Informer* deployments = nullptr;
};

// Queue + workers. Subclasses implement sync(key).
class QueueController {
 public:
  QueueController(std::string name, int workers) : name_(std::move(name)), workers_(workers) {}
  virtual ~QueueController();
  void run();   // starts the worker threads (after the informers synced)
  void stop();  // shuts the queue down and joins the workers
  void enqueue(const std::string& key) { queue_.add(key); }

 protected:
  virtual Status sync(const std::string& key) = 0;
  client::WorkQueue queue_;

 private:
  void worker();
  std::string name_;
  int workers_;
  std::vector<std::thread> threads_;
};

class ReplicaSetController : public QueueController {
 public:
  ReplicaSetController(client::Client& c, SharedInformers inf, int workers = 4);
  static constexpr size_t kBurstReplicas = 500;

 protected:
  Status sync(const std::string& key) override;

 private:
  void on_pod_event(const client::ObjectPtr& pod);
  void enqueue_matching(const json::object& pod);
  Status manage(const json::object& rs, const std::string& key,
                const std::vector<client::ObjectPtr>& active);
  client::Client& client_;
  SharedInformers inf_;
  Expectations expectations_;
};

class DeploymentController : public QueueController {
 public:
  DeploymentController(client::Client& c, SharedInformers inf, int workers = 4);

 protected:
  Status sync(const std::string& key) override;

 private:
  void enqueue_owner(const json::object& rs);
  Status scale_rs(json::object& rs, int64_t replicas, const json::object& d, int64_t max_surge);
  client::Client& client_;
  SharedInformers inf_;
};

}  // namespace skiff::controllers
