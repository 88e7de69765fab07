// The commands of the `skiff` binary (main.cc dispatches on the first argument). Each parses its
// flags with one FlagSet (common/flags.h) and wires the components it runs; the components
// themselves know nothing of each other (docs/architecture.md).
#pragma once
#include <string>

#include "agent/agent.h"
#include "apiserver/server.h"
#include "common/flags.h"
#include "controllers/controllers.h"

namespace skiff::cmd {

int server_main(int argc, char** argv);              // server.cc
int agent_main(int argc, char** argv);               // agent.cc
int node_reset_main(int argc, char** argv);          // node_reset.cc
int scheduler_main(int argc, char** argv);           // scheduler.cc
int controller_manager_main(int argc, char** argv);  // controller_manager.cc
int proxy_main(int argc, char** argv);               // proxy.cc
int dns_main(int argc, char** argv);                 // dns.cc
int sim_main(int argc, char** argv);                 // sim.cc
int images_main(int argc, char** argv);              // images.cc
int debug_kubelet_main(int argc, char** argv);       // debug_kubelet.cc (a test tool)

// What `skiff server` runs beside the API server.
struct ServerOptions {
  apiserver::ServerConfig api;
  bool no_agent = false;
  // The embedded control-plane components (each also runs alone: `skiff scheduler`,
  // `skiff controller-manager`); disable one to run your own instead.
  bool run_scheduler = true;
  bool run_controllers = true;
  // --leader-elect (upstream's flag): the embedded scheduler and controller manager run only
  // while they hold their Lease in kube-system (kube-scheduler, kube-controller-manager).
  bool leader_elect = true;
  controllers::ControllerOptions controllers;  // grace period and node IPAM
  agent::AgentOptions agent;                   // the embedded node agent (unless no_agent)
  // The coredns addon (addons/coredns.h): "auto" = on when the embedded agent runs the service
  // proxy (without it neither kube-dns nor the API's ClusterIP is reachable from a pod),
  // "on" (--enable dns), "off" (--disable dns).
  std::string dns_addon = "auto";
  bool verbose = false;
};
// `skiff server`'s flags (server_flags.cc).
void add_server_flags(FlagSet& flags, ServerOptions& o);
// The service proxy an agent runs (AgentOptions::service_proxy; node_components.cc).
std::unique_ptr<agent::NodeComponent> make_service_proxy(client::Client& c,
                                                         const agent::AgentOptions& o);
// An IPv4 address in dotted form.
bool is_ipv4(const std::string& v);
// A --cluster-dns value: an IPv4 address or "host".
FlagSet::Setter cluster_dns_setter(std::string* dst);

}  // namespace skiff::cmd
