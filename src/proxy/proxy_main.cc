// `skiff proxy`: the service proxy in the foreground (proxy.h).
#include <cstdio>

#include "common/flags.h"
#include "common/log.h"
#include "common/node_name.h"
#include "common/stop_signal.h"
#include "proxy/proxy.h"
#include "runtime/ipam.h"

namespace skiff::proxy {

namespace {

const char* kUsage =
    "usage: skiff proxy --kubeconfig FILE [flags]\n\n"
    "Runs the service proxy (kube-proxy, nftables mode) in the foreground: keeps the nftables\n"
    "table ip skiff-proxy in this network namespace for the cluster's Services (docs/network.md).\n\n"
    "flags:\n"
    "  --kubeconfig FILE          credentials for the API server (required)\n"
    "  --server URL               API server (overrides the kubeconfig's)\n"
    "  --hostname-override NAME   this node's name (default: the host name)\n"
    "  --cluster-cidr CIDR        pod range; other sources are masqueraded (default 10.244.0.0/16)\n"
    "  --service-cidr CIDR        Service range: lets this host reach ClusterIPs (a policy route\n"
    "                             for local traffic, table 157); unclaimed ones are rejected\n";
}  // namespace

int proxy_main(int argc, char** argv) {
  ProxyOptions o;
  std::string kubeconfig, server;
  for (int i = 1; i < argc; ++i) {
    Flag f;
    int rc = 0;
    if (!read_flag(argc, argv, i, {}, "proxy", kUsage, f, &rc)) return rc;
    const std::string& a = f.name;
    const std::string& v = f.value;
    if (a == "--kubeconfig") kubeconfig = v;
    else if (a == "--server") server = v;
    else if (a == "--hostname-override") o.node_name = v;
    else if (a == "--cluster-cidr") o.cluster_cidr = v;
    else if (a == "--service-cidr") o.service_cidr = v;
    else {
      std::fprintf(stderr, "proxy: unknown flag %s\n\n%s", a.c_str(), kUsage);
      return 2;
    }
  }
  if (kubeconfig.empty()) {
    std::fprintf(stderr, "proxy: --kubeconfig is required\n\n%s", kUsage);
    return 2;
  }
  if (!o.service_cidr.empty() && !runtime::parse_cidr(o.service_cidr)) {
    std::fprintf(stderr, "proxy: invalid --service-cidr %s\n", o.service_cidr.c_str());
    return 2;
  }
  if (!runtime::parse_cidr(o.cluster_cidr)) {
    std::fprintf(stderr, "proxy: invalid --cluster-cidr %s\n", o.cluster_cidr.c_str());
    return 2;
  }
  auto cfg = client::Config::from_kubeconfig(kubeconfig);
  if (!cfg) {
    std::fprintf(stderr, "proxy: %s\n", cfg.error().message.c_str());
    return 1;
  }
  if (!server.empty()) cfg->server = server;
  if (o.node_name.empty()) o.node_name = default_node_name();
  cfg->user_agent = "kube-proxy/" + o.node_name;
  install_stop_handlers();
  client::Client c(*cfg);
  Proxy p(c, o);
  try {
    p.start();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  wait_for_stop();
  SKIFF_LOG(INFO) << "proxy: stopping; removing table ip " << kTable;
  p.stop();
  return 0;
}

}  // namespace skiff::proxy
