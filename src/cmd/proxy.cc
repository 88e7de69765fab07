// `skiff proxy`: the service proxy in the foreground (proxy.h).
#include <cstdio>

#include "cmd/commands.h"
#include "common/flags.h"
#include "common/log.h"
#include "common/node_name.h"
#include "common/stop_signal.h"
#include "proxy/proxy.h"
#include "runtime/ipam.h"

namespace skiff::cmd {
using namespace proxy;


int proxy_main(int argc, char** argv) {
  ProxyOptions o;
  std::string kubeconfig, server;
  FlagSet flags("skiff proxy", "--kubeconfig FILE [flags]",
                "Runs the service proxy (kube-proxy, nftables mode) in the foreground: keeps the nftables\n"
                "table ip skiff-proxy in this network namespace for the cluster's Services (docs/network.md).");
  flags.string("--kubeconfig", &kubeconfig, "credentials for the API server (required)", "FILE")
      .string("--server", &server, "API server (overrides the kubeconfig's)", "URL")
      .string("--hostname-override", &o.node_name, "this node's name (default: the host name)",
              "NAME")
      .string("--cluster-cidr", &o.cluster_cidr, "pod range; other sources are masqueraded", "CIDR")
      .string("--service-cidr", &o.service_cidr,
              "Service range: lets this host reach ClusterIPs (a policy route for local traffic, "
              "table 157); unclaimed ones are rejected",
              "CIDR");
  if (auto rc = flags.parse_or_exit(argc, argv)) return *rc;
  if (kubeconfig.empty()) return flags.fail("--kubeconfig is required");
  if (!o.service_cidr.empty() && !runtime::parse_cidr(o.service_cidr)) {
    return flags.fail("--service-cidr: \"" + o.service_cidr + "\" is not a CIDR");
  }
  if (!runtime::parse_cidr(o.cluster_cidr)) {
    return flags.fail("--cluster-cidr: \"" + o.cluster_cidr + "\" is not a CIDR");
  }
  auto cfg = client::Config::from_kubeconfig(kubeconfig);
  if (!cfg) {
    std::fprintf(stderr, "skiff proxy: %s\n", cfg.error().message.c_str());
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

}  // namespace skiff::cmd
