#include "controllers/controller_manager.h"

#include <signal.h>

#include <atomic>
#include <cstring>
#include <functional>
#include <iostream>

#include "client/informer.h"
#include "client/leader_election.h"
#include "common/log.h"
#include "common/time.h"
#include "controllers/apps.h"
#include "controllers/batch.h"
#include "controllers/controllers.h"
#include "controllers/garbage_collector.h"
#include "controllers/nodeipam.h"
#include "controllers/nodes.h"
#include "controllers/services.h"

namespace skiff::controllers {
using namespace std::chrono_literals;

namespace {
using Factory =
    std::function<std::unique_ptr<Controller>(client::Client&, InformerFactory&, const ControllerOptions&)>;
struct Registration {
  const char* name;
  Factory make;
};

// Every controller the manager runs, started in this order and stopped in reverse.
const std::vector<Registration>& registrations() {
  static const std::vector<Registration> regs = {
      {"replicaset",
       [](client::Client& c, InformerFactory& f, const ControllerOptions& o) {
         return std::make_unique<ReplicaSetController>(c, f, o.workers);
       }},
      {"replicationcontroller",
       [](client::Client& c, InformerFactory& f, const ControllerOptions& o) {
         return std::make_unique<ReplicaSetController>(c, f, o.workers, kReplicationControllers);
       }},
      {"deployment",
       [](client::Client& c, InformerFactory& f, const ControllerOptions& o) {
         return std::make_unique<DeploymentController>(c, f, o.workers);
       }},
      {"job",
       [](client::Client& c, InformerFactory& f, const ControllerOptions& o) {
         return std::make_unique<JobController>(c, f, o.workers);
       }},
      {"cronjob",
       [](client::Client& c, InformerFactory& f, const ControllerOptions&) {
         return std::make_unique<CronJobController>(c, f, 2);
       }},
      {"nodelifecycle",
       [](client::Client& c, InformerFactory& f, const ControllerOptions& o) {
         return std::make_unique<NodeLifecycleController>(c, f, o);
       }},
      {"disruption",
       [](client::Client& c, InformerFactory& f, const ControllerOptions& o) {
         return std::make_unique<DisruptionController>(c, f, std::max(1, o.workers / 2));
       }},
      {"podgc",
       [](client::Client& c, InformerFactory& f, const ControllerOptions& o) {
         return std::make_unique<PodGCController>(c, f, o);
       }},
      {"endpoints",
       [](client::Client& c, InformerFactory& f, const ControllerOptions& o) {
         return std::make_unique<EndpointsController>(c, f, o.workers);
       }},
      {"endpointslice",
       [](client::Client& c, InformerFactory& f, const ControllerOptions& o) {
         return std::make_unique<EndpointSliceController>(c, f, o.workers);
       }},
      {"serviceaccount",
       [](client::Client& c, InformerFactory& f, const ControllerOptions&) {
         return std::make_unique<ServiceAccountController>(c, f, 2);
       }},
      {"root-ca-cert-publisher",
       [](client::Client& c, InformerFactory& f, const ControllerOptions& o) {
         return std::make_unique<RootCAPublisher>(c, f, o.root_ca_pem, 2);
       }},
      {"namespace",
       [](client::Client& c, InformerFactory& f, const ControllerOptions&) {
         return std::make_unique<NamespaceController>(c, f, 2);
       }},
      {"daemonset",
       [](client::Client& c, InformerFactory& f, const ControllerOptions& o) {
         return std::make_unique<DaemonSetController>(c, f, o.workers);
       }},
      {"statefulset",
       [](client::Client& c, InformerFactory& f, const ControllerOptions& o) {
         return std::make_unique<StatefulSetController>(c, f, o.workers);
       }},
      {"nodeipam",
       [](client::Client& c, InformerFactory& f, const ControllerOptions& o) {
         return make_node_ipam_controller(c, f, o);
       }},
      {"garbagecollector",
       [](client::Client& c, InformerFactory& f, const ControllerOptions& o) {
         return std::make_unique<GarbageCollector>(c, f, o.gc_period);
       }},
  };
  return regs;
}
}  // namespace

InformerFactory::~InformerFactory() { stop(); }

client::Informer& InformerFactory::get(const char* group, const char* res, const char* version) {
  const api::ResourceInfo* r = api::find_resource(group, version, res);
  if (!r) {
    SKIFF_LOG(ERROR) << "resource " << group << "/" << version << "/" << res << " not registered";
    std::abort();
  }
  std::lock_guard lk(mu_);
  auto& slot = informers_[r->group + "/" + r->version + "/" + r->resource];
  if (!slot) {
    if (started_) {
      SKIFF_LOG(ERROR) << "informer for " << res << " requested after start";
      std::abort();
    }
    slot = std::make_unique<client::Informer>(client_, *r);
  }
  return *slot;
}

void InformerFactory::start() {
  std::lock_guard lk(mu_);
  started_ = true;
  for (auto& [_, inf] : informers_) inf->start();
}

bool InformerFactory::wait_synced(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::lock_guard lk(mu_);
  bool all = true;
  for (auto& [name, inf] : informers_) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (!inf->wait_synced(std::max(left, 0ms))) {
      SKIFF_LOG(WARN) << "controller-manager: informer " << name << " not synced in time";
      all = false;
    }
  }
  return all;
}

void InformerFactory::stop() {
  std::lock_guard lk(mu_);
  for (auto& [_, inf] : informers_) inf->stop();
}

// Declaration order matters: controllers hold references to the informers and are destroyed
// (workers joined) first.
struct ControllerManager::Impl {
  Impl(client::Client& c, const ControllerOptions& opts) : informers(c) {
    for (const auto& reg : registrations()) controllers.push_back(reg.make(c, informers, opts));
  }
  InformerFactory informers;
  std::vector<std::unique_ptr<Controller>> controllers;
  bool started = false, stopped = false;
};

ControllerManager::ControllerManager(client::Client& client, ControllerOptions opts)
    : impl_(std::make_unique<Impl>(client, opts)) {}

ControllerManager::~ControllerManager() { stop(); }

void ControllerManager::start() {
  if (impl_->started) return;
  impl_->started = true;
  impl_->informers.start();
  impl_->informers.wait_synced(30s);
  for (auto& c : impl_->controllers) c->run();
}

void ControllerManager::stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  for (auto it = impl_->controllers.rbegin(); it != impl_->controllers.rend(); ++it) (*it)->stop();
  impl_->informers.stop();
}

}  // namespace skiff::controllers
