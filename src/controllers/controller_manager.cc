#include "controllers/controller_manager.h"

#include <signal.h>

#include <cstring>
#include <iostream>

#include "client/informer.h"
#include "common/log.h"
#include "controllers/controllers.h"
#include "controllers/garbage_collector.h"

namespace skiff::controllers {
using namespace std::chrono_literals;

namespace {
const api::ResourceInfo& res(const char* group, const char* resource) {
  const api::ResourceInfo* r = api::find_resource(group, "v1", resource);
  if (!r) {
    SKIFF_LOG(ERROR) << "resource " << resource << " not registered";
    std::abort();
  }
  return *r;
}
}  // namespace

// Declaration order matters: controllers hold pointers to the informers and are destroyed
// (workers joined) first.
struct ControllerManager::Impl {
  explicit Impl(client::Client& c)
      : pods(c, res("", "pods")),
        replicasets(c, res("apps", "replicasets")),
        deployments(c, res("apps", "deployments")),
        rs(c, SharedInformers{&pods, &replicasets, &deployments}),
        dep(c, SharedInformers{&pods, &replicasets, &deployments}),
        gc(c, SharedInformers{&pods, &replicasets, &deployments}) {}
  client::Informer pods, replicasets, deployments;
  ReplicaSetController rs;
  DeploymentController dep;
  GarbageCollector gc;
  bool started = false, stopped = false;
};

ControllerManager::ControllerManager(client::Client& client)
    : impl_(std::make_unique<Impl>(client)) {}

ControllerManager::~ControllerManager() { stop(); }

void ControllerManager::start() {
  if (impl_->started) return;
  impl_->started = true;
  impl_->pods.start();
  impl_->replicasets.start();
  impl_->deployments.start();
  for (auto* inf : {&impl_->pods, &impl_->replicasets, &impl_->deployments})
    if (!inf->wait_synced(30s)) {
      SKIFF_LOG(WARN) << "controller-manager: informer not synced in 30 s";
    }
  impl_->rs.run();
  impl_->dep.run();
  impl_->gc.run();
}

void ControllerManager::stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  impl_->gc.stop();
  impl_->dep.stop();
  impl_->rs.stop();
  impl_->deployments.stop();
  impl_->replicasets.stop();
  impl_->pods.stop();
}

int controller_manager_main(int argc, char** argv) {
  std::string kubeconfig;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--kubeconfig" && i + 1 < argc) {
      kubeconfig = argv[++i];
    } else if (a.rfind("--kubeconfig=", 0) == 0) {
      kubeconfig = a.substr(13);
    } else if (a == "-v" || a == "--verbose") {
      set_log_level(LogLevel::DEBUG);
    } else if (a == "-h" || a == "--help") {
      std::cout << "Usage: skiff controller-manager --kubeconfig FILE\n";
      return 0;
    } else {
      std::cerr << "controller-manager: unknown argument " << a << "\n";
      return 2;
    }
  }
  if (kubeconfig.empty()) {
    std::cerr << "controller-manager: --kubeconfig is required\n";
    return 2;
  }
  auto cfg = client::Config::from_kubeconfig(kubeconfig);
  if (!cfg) {
    std::cerr << "controller-manager: " << cfg.error().message << "\n";
    return 1;
  }
  cfg->user_agent = "skiff-controller-manager";
  // Block the stop signals in every thread; this one waits for them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  client::Client client(*cfg);
  ControllerManager cm(client);
  cm.start();
  SKIFF_LOG(INFO) << "controller-manager running against " << cfg->server;
  int sig = 0;
  sigwait(&set, &sig);
  SKIFF_LOG(INFO) << "controller-manager: signal " << sig << ", stopping";
  cm.stop();
  return 0;
}

}  // namespace skiff::controllers
