// `skiff agent`: flags, the API credentials from a kubeconfig, and the foreground run loop.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "agent/agent.h"
#include "cmd/commands.h"
#include "common/flags.h"
#include "common/log.h"
#include "common/stop_signal.h"
#include "runtime/host.h"

namespace skiff::cmd {
using agent::Agent;
using agent::AgentOptions;

int agent_main(int argc, char** argv) {
  AgentOptions o;
  std::string server, kubeconfig, client_ca_file;
  FlagSet flags("skiff agent", "--kubeconfig FILE [flags]",
                "Runs the node agent (kubelet) for this machine in the foreground: registers the Node,\n"
                "runs its pods as containers (crun or runc), serves logs/exec/port-forward on --kubelet-port.");
  flags.string("--server", &server, "API server (overrides the kubeconfig's)", "URL")
      .string("--kubeconfig", &kubeconfig, "credentials for the API server (required)", "FILE")
      .string("--node-name", &o.node_name, "the Node's name (default: this host's name)", "NAME")
      .string("--data-dir", &o.data_dir, "images, containers, pod state", "DIR")
      .choice("--runtime", &o.runtime, {"crun", "runc"},
              "OCI runtime (default: crun when installed, else runc)")
      .string("--registry-config", &o.registry_config,
              "registry mirrors and credentials (docs/images.md)", "FILE")
      .string("--node-ip", &o.node_ip, "the node's InternalIP (default: the default route's source)",
              "IP")
      .integer("--kubelet-port", &o.kubelet_port, "HTTPS port for the API server (0 = any)", 0,
               65535)
      .string("--kubelet-address", &o.kubelet_address, "address to bind it on", "IP")
      .string("--client-ca-file", &client_ca_file,
              "CA of clients allowed on the kubelet port (default: the kubeconfig's cluster CA)",
              "FILE")
      .string("--pod-cidr", &o.pod_cidr, "pod range when the cluster assigns none", "CIDR")
      .custom("--cluster-dns", "IP|host",
              "nameserver for ClusterFirst pods (default: the 10th address of --service-cidr, "
              "10.96.0.10, when the service proxy runs, else the host's; host: the host's "
              "resolvers)",
              "", cluster_dns_setter(&o.cluster_dns))
      .string("--cluster-domain", &o.cluster_domain, "the cluster's DNS domain", "NAME")
      .string("--resolv-conf", &o.resolv_conf,
              "resolver config of dnsPolicy Default pods (loopback nameservers are left out)",
              "FILE")
      .string("--bridge", &o.bridge, "the node's pod bridge", "NAME")
      .string("--cgroup-parent", &o.cgroup_parent,
              "cgroup of the containers (default: <agent's cgroup>/skiff); give each agent on one "
              "machine its own",
              "PATH")
      .choice("--flannel-backend", &o.flannel_backend, {"none", "host-gw", "vxlan"},
              "pod network between nodes (none: this node's pods only; host-gw: routes via other "
              "nodes' InternalIPs; vxlan: VTEP flannel.1, VNI 1, UDP 8472; docs/network.md)")
      .string("--cluster-cidr", &o.cluster_cidr, "pod range of the whole cluster", "CIDR")
      .string("--service-cidr", &o.service_cidr, "Service range", "CIDR")
      .custom_bool("--no-proxy",
                   "no service proxy (nftables table ip skiff-proxy) in this agent; it runs by "
                   "default unless --flannel-backend is none",
                   [&o](bool on) { o.proxy = on ? "off" : "auto"; })
      .custom_bool("--proxy", "run the service proxy even with --flannel-backend none",
                   [&o](bool on) { o.proxy = on ? "on" : "auto"; });
  if (auto rc = flags.parse_or_exit(argc, argv)) return *rc;
  if (kubeconfig.empty()) return flags.fail("--kubeconfig is required");
  auto cfg = client::Config::from_kubeconfig(kubeconfig);
  if (!cfg) {
    std::fprintf(stderr, "skiff agent: %s\n", cfg.error().message.c_str());
    return 1;
  }
  if (!server.empty()) cfg->server = server;
  o.client_ca_pem = client_ca_file.empty() ? cfg->ca_pem : runtime::read_file(client_ca_file);
  if (o.client_ca_pem.empty()) {
    std::fprintf(stderr, "skiff agent: no CA for kubelet clients: pass --client-ca-file\n");
    return 1;
  }
  o.service_proxy = make_service_proxy;
  install_stop_handlers();
  Agent agent(*cfg, o);
  try {
    agent.start();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "skiff agent: %s\n", e.what());
    return 1;
  }
  wait_for_stop();
  SKIFF_LOG(INFO) << "agent: stopping (containers keep running)";
  agent.stop();
  return 0;
}

}  // namespace skiff::cmd
