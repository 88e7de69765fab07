// `skiff agent`: flags, the API credentials from a kubeconfig, and the foreground run loop.
#include <arpa/inet.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "agent/agent.h"
#include "common/flags.h"
#include "common/log.h"
#include "common/numbers.h"
#include "common/stop_signal.h"
#include "runtime/host.h"

namespace skiff::agent {
namespace {


const char* kUsage =
    "usage: skiff agent --server URL --kubeconfig FILE [flags]\n\n"
    "Runs the node agent (kubelet) for this machine in the foreground: registers the Node,\n"
    "runs its pods as containers (crun or runc), serves logs/exec/port-forward on --kubelet-port.\n\n"
    "flags:\n"
    "  --server URL            API server (overrides the kubeconfig's)\n"
    "  --kubeconfig FILE       credentials for the API server (required)\n"
    "  --node-name NAME        default: this host's name\n"
    "  --data-dir DIR          images, containers, pod state (default /var/lib/skiff/agent)\n"
    "  --runtime crun|runc     default: crun when installed, else runc\n"
    "  --registry-config FILE  registry mirrors and credentials (docs/images.md)\n"
    "  --node-ip IP            the node's InternalIP (default: the default route's source)\n"
    "  --kubelet-port N        HTTPS port for the API server (default 10250; 0 = any)\n"
    "  --kubelet-address IP    address to bind it on (default 0.0.0.0)\n"
    "  --client-ca-file FILE   CA of clients allowed on the kubelet port (default: the\n"
    "                          kubeconfig's cluster CA)\n"
    "  --pod-cidr CIDR         pod range when the cluster assigns none\n"
    "  --cluster-dns IP|host   nameserver for ClusterFirst pods (default: the 10th address\n"
    "                          of --service-cidr, 10.96.0.10, when the service proxy runs,\n"
    "                          else the host's; host: the host's resolvers)\n"
    "  --cluster-domain NAME   default cluster.local\n"
    "  --resolv-conf FILE      resolver config of dnsPolicy Default pods (default\n"
    "                          /etc/resolv.conf; loopback nameservers are left out)\n"
    "  --bridge NAME           the node's pod bridge (default skiff0)\n"
    "  --cgroup-parent PATH    cgroup of the containers (default: <agent's cgroup>/skiff);\n"
    "                          give each agent on one machine its own\n"
    "  --flannel-backend none|host-gw|vxlan  pod network between nodes (default none: this\n"
    "                          node's pods only; host-gw: routes via other nodes' InternalIPs;\n"
    "                          vxlan: VTEP flannel.1, VNI 1, UDP 8472; both with unreachable\n"
    "                          routes and masquerade, docs/network.md)\n"
    "  --cluster-cidr CIDR     pod range of the whole cluster (default 10.244.0.0/16)\n"
    "  --service-cidr CIDR     Service range (default 10.96.0.0/12)\n"
    "  --no-proxy              no service proxy (nftables table ip skiff-proxy) in this agent;\n"
    "                          it runs by default unless --flannel-backend is none\n"
    "  --proxy                 run the service proxy even with --flannel-backend none\n";

}  // namespace

int agent_main(int argc, char** argv) {
  AgentOptions o;
  std::string server, kubeconfig, client_ca_file;
  for (int i = 1; i < argc; ++i) {
    Flag f;
    int rc = 0;
    if (!read_flag(argc, argv, i, {"--no-proxy", "--proxy"}, "agent", kUsage, f, &rc)) return rc;
    const std::string& a = f.name;
    const std::string& v = f.value;
    if (a == "--no-proxy" || a == "--proxy") {
      o.proxy = a == "--proxy" ? "on" : "off";
      continue;
    }
    if (a == "--server") server = v;
    else if (a == "--kubeconfig") kubeconfig = v;
    else if (a == "--node-name") o.node_name = v;
    else if (a == "--data-dir") o.data_dir = v;
    else if (a == "--runtime") o.runtime = v;
    else if (a == "--registry-config") o.registry_config = v;
    else if (a == "--node-ip") o.node_ip = v;
    else if (a == "--kubelet-port") {
      auto n = parse_int64(v);
      if (!n || *n < 0 || *n > 65535) {
        std::fprintf(stderr, "agent: invalid --kubelet-port %s\n", v.c_str());
        return 2;
      }
      o.kubelet_port = static_cast<int>(*n);
    }
    else if (a == "--kubelet-address") o.kubelet_address = v;
    else if (a == "--client-ca-file") client_ca_file = v;
    else if (a == "--pod-cidr") o.pod_cidr = v;
    else if (a == "--cluster-dns") {
      in_addr addr{};
      if (v != "host" && inet_pton(AF_INET, v.c_str(), &addr) != 1) {
        std::fprintf(stderr, "agent: invalid --cluster-dns %s (an IPv4 address, or host)\n", v.c_str());
        return 2;
      }
      o.cluster_dns = v;
    }
    else if (a == "--cluster-domain") o.cluster_domain = v;
    else if (a == "--resolv-conf") o.resolv_conf = v;
    else if (a == "--bridge") o.bridge = v;
    else if (a == "--cgroup-parent") o.cgroup_parent = v;
    else if (a == "--flannel-backend") o.flannel_backend = v;
    else if (a == "--cluster-cidr") o.cluster_cidr = v;
    else if (a == "--service-cidr") o.service_cidr = v;
    else {
      std::fprintf(stderr, "agent: unknown flag %s\n\n%s", a.c_str(), kUsage);
      return 2;
    }
  }
  if (kubeconfig.empty()) {
    std::fprintf(stderr, "agent: --kubeconfig is required\n\n%s", kUsage);
    return 2;
  }
  if (o.runtime != "" && o.runtime != "crun" && o.runtime != "runc") {
    std::fprintf(stderr, "agent: --runtime must be crun or runc\n");
    return 2;
  }
  if (o.flannel_backend != "none" && o.flannel_backend != "host-gw" && o.flannel_backend != "vxlan") {
    std::fprintf(stderr, "agent: --flannel-backend must be none, host-gw or vxlan\n");
    return 2;
  }
  auto cfg = client::Config::from_kubeconfig(kubeconfig);
  if (!cfg) {
    std::fprintf(stderr, "agent: %s\n", cfg.error().message.c_str());
    return 1;
  }
  if (!server.empty()) cfg->server = server;
  o.client_ca_pem = client_ca_file.empty() ? cfg->ca_pem : runtime::read_file(client_ca_file);
  if (o.client_ca_pem.empty()) {
    std::fprintf(stderr, "agent: no CA for kubelet clients: pass --client-ca-file\n");
    return 1;
  }
  install_stop_handlers();
  Agent agent(*cfg, o);
  try {
    agent.start();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "agent: %s\n", e.what());
    return 1;
  }
  wait_for_stop();
  SKIFF_LOG(INFO) << "agent: stopping (containers keep running)";
  agent.stop();
  return 0;
}

}  // namespace skiff::agent
