// `skiff server`: the control plane in one process. The API server (apiserver::Server) and, as
// its clients over HTTPS with their own certificates, the scheduler, the controller manager, a
// node agent for this machine and the coredns addon, each optional.
#include <arpa/inet.h>
#include <signal.h>

#include <cstring>
#include <fstream>
#include <functional>
#include <memory>

#include "addons/coredns.h"
#include "agent/agent.h"
#include "apiserver/server.h"
#include "client/client.h"
#include "client/leader_election.h"
#include "cmd/commands.h"
#include "common/log.h"
#include "common/stop_signal.h"
#include "common/node_name.h"
#include "controllers/controller_manager.h"
#include "controllers/nodeipam.h"
#include "images/system_image.h"
#include "runtime/ipam.h"
#include "scheduler/scheduler.h"

namespace skiff::cmd {
namespace {

// An elector for an embedded component. Its identity (hostname_uuid) is kept in the data dir:
// one server owns a data dir at a time, so after a crash the restarted server renews its own
// lease at once instead of waiting for it to expire.
std::unique_ptr<client::LeaderElector> elect(client::Client& c, const std::string& lease,
                                             const std::string& data_dir,
                                             std::function<void()> on_start,
                                             std::function<void()> on_stop) {
  const std::string path = data_dir + "/" + lease + ".identity";
  std::string identity;
  if (std::ifstream in(path); in) std::getline(in, identity);
  if (identity.empty()) {
    identity = client::default_identity();
    std::ofstream(path) << identity << "\n";
  }
  client::LeaderElectionConfig lc;
  lc.lease_name = lease;
  lc.identity = identity;
  lc.on_started_leading = std::move(on_start);
  lc.on_stopped_leading = std::move(on_stop);
  auto le = std::make_unique<client::LeaderElector>(c, std::move(lc));
  le->start();
  return le;
}

class ControlPlane {
 public:
  explicit ControlPlane(ServerOptions o) : o_(std::move(o)), api_(o_.api) {}
  ~ControlPlane() { stop(); }
  void start();
  void stop();

 private:
  // A client of the API server authenticated as `user` (a certificate of the server's CA).
  std::unique_ptr<client::Client> component_client(const std::string& user,
                                                   const std::vector<std::string>& groups = {});
  void start_agent();

  ServerOptions o_;
  apiserver::Server api_;
  bool stopped_ = false;
  // Components that reach the API over HTTPS like any client; they stop before the server.
  std::unique_ptr<client::Client> scheduler_client_;
  std::unique_ptr<scheduler::Scheduler> scheduler_;
  std::unique_ptr<client::Client> controllers_client_;
  std::unique_ptr<controllers::ControllerManager> controllers_;
  // With --leader-elect the electors own the components' lifetimes (their callbacks create and
  // destroy scheduler_ / controllers_); declared after them so they stop first.
  std::unique_ptr<client::LeaderElector> scheduler_elector_;
  std::unique_ptr<client::LeaderElector> controllers_elector_;
  std::unique_ptr<agent::Agent> agent_;
  std::unique_ptr<client::Client> addons_client_;
  std::unique_ptr<addons::DnsAddon> dns_addon_;  // stops before addons_client_ goes
};

std::unique_ptr<client::Client> ControlPlane::component_client(
    const std::string& user, const std::vector<std::string>& groups) {
  const auto& pki = api_.pki();
  auto cert = pki::make_client_cert(pki.ca, user, groups);
  client::Config cc;
  cc.server = api_.url();
  cc.ca_pem = pki.ca.cert_pem;
  cc.cert_pem = cert.cert_pem;
  cc.key_pem = cert.key_pem;
  cc.user_agent = user;
  return std::make_unique<client::Client>(cc);
}

void ControlPlane::start() {
  api_.start();
  const std::string& data_dir = o_.api.data_dir;
  if (o_.run_scheduler) {
    scheduler_client_ = component_client("system:kube-scheduler");
    auto start_scheduler = [this] {
      scheduler_ = std::make_unique<scheduler::Scheduler>(*scheduler_client_);
      scheduler_->start();
    };
    if (o_.leader_elect)
      scheduler_elector_ = elect(*scheduler_client_, "kube-scheduler", data_dir, start_scheduler,
                                 [this] { scheduler_.reset(); });
    else
      start_scheduler();
  }
  if (o_.run_controllers) {
    controllers_client_ = component_client("system:kube-controller-manager");
    controllers::ControllerOptions copts = o_.controllers;
    copts.root_ca_pem = api_.pki().ca.cert_pem;
    auto start_controllers = [this, copts] {
      controllers_ = std::make_unique<controllers::ControllerManager>(*controllers_client_, copts);
      controllers_->start();
    };
    if (o_.leader_elect)
      controllers_elector_ = elect(*controllers_client_, "kube-controller-manager", data_dir,
                                   start_controllers, [this] { controllers_.reset(); });
    else
      start_controllers();
  }
  if (!o_.no_agent) start_agent();
  if (o_.dns_addon == "on" ||
      (o_.dns_addon == "auto" && !o_.no_agent && agent::runs_proxy(o_.agent))) {
    const auto& dns = o_.agent.cluster_dns;
    addons::DnsAddonOptions dopts;
    dopts.cluster_dns =
        dns.empty() || dns == "host"
            ? runtime::nth_address(o_.api.service_cidr, runtime::kClusterDnsIndex).value_or("")
            : dns;
    dopts.cluster_domain = o_.agent.cluster_domain;
    dopts.image = images::system_image_ref();
    addons_client_ = component_client("system:addon-manager");
    dns_addon_ = std::make_unique<addons::DnsAddon>(*addons_client_, dopts);
    dns_addon_->start();
  }
}

void ControlPlane::start_agent() {
  agent::AgentOptions ao = o_.agent;
  ao.data_dir = o_.api.data_dir + "/agent";
  if (ao.node_name.empty()) ao.node_name = default_node_name();
  ao.service_cidr = o_.api.service_cidr;
  if (!o_.controllers.cluster_cidr.empty()) ao.cluster_cidr = o_.controllers.cluster_cidr;
  ao.client_ca_pem = api_.pki().ca.cert_pem;
  ao.service_proxy = make_service_proxy;
  // The control plane in this process shows as mirror pods on this node (docs/agent.md).
  ao.control_plane_components.push_back("kube-apiserver");
  if (o_.run_controllers) ao.control_plane_components.push_back("kube-controller-manager");
  if (o_.run_scheduler) ao.control_plane_components.push_back("kube-scheduler");
  const auto& pki = api_.pki();
  auto node_cert = pki::make_client_cert(pki.ca, "system:node:" + ao.node_name, {"system:nodes"});
  client::Config ac;
  ac.server = api_.url();
  ac.ca_pem = pki.ca.cert_pem;
  ac.cert_pem = node_cert.cert_pem;
  ac.key_pem = node_cert.key_pem;
  agent_ = std::make_unique<agent::Agent>(ac, ao);
  try {
    agent_->start();
  } catch (const std::exception& e) {
    SKIFF_LOG(ERROR) << "node agent: " << e.what()
                     << "; this server runs no pods (fix that, or pass --no-agent)";
    agent_.reset();
  }
}

void ControlPlane::stop() {
  if (stopped_) return;
  stopped_ = true;
  // The node agent first (its containers keep running), then open watches end and the
  // embedded components stop side by side, then the API server.
  if (dns_addon_) dns_addon_->stop();
  if (agent_) agent_->stop();
  agent_.reset();
  api_.end_watches();
  std::thread stop_controllers([this] {
    controllers_elector_.reset();  // stops what it started, then releases the lease
    if (controllers_) controllers_->stop();
  });
  scheduler_elector_.reset();
  if (scheduler_) scheduler_->stop();
  stop_controllers.join();
  controllers_.reset();
  scheduler_.reset();
  controllers_client_.reset();
  scheduler_client_.reset();
  dns_addon_.reset();
  addons_client_.reset();
  api_.stop();
}

}  // namespace

int server_main(int argc, char** argv) {
  ServerOptions o;
  FlagSet flags("skiff server", "[flags]");
  add_server_flags(flags, o);
  if (auto rc = flags.parse_or_exit(argc, argv)) return *rc;
  if (o.verbose) set_log_level(LogLevel::DEBUG);
  if (auto st = controllers::check_node_ipam_options(o.controllers); !st)
    return flags.fail(st.error().message);
  // Signals are taken synchronously by this thread; every other thread blocks them.
  block_stop_signals();  // threads started below inherit the mask
  ControlPlane server(o);
  try {
    server.start();
  } catch (const std::exception& e) {
    SKIFF_LOG(ERROR) << "skiff server failed to start: " << e.what();
    return 1;
  }
  int sig = wait_stop_signal();
  SKIFF_LOG(INFO) << "received " << strsignal(sig) << ", shutting down";
  server.stop();
  SKIFF_LOG(INFO) << "stopped";
  return 0;
}

}  // namespace skiff::cmd
