// The flags of `skiff server` that set the API server's, the embedded agent's and the
// controllers' options (commands.h); server.cc adds the ones about what runs.
#include <arpa/inet.h>

#include "cmd/commands.h"
#include "controllers/nodeipam.h"

namespace skiff::cmd {

bool is_ipv4(const std::string& v) {
  in_addr addr{};
  return inet_pton(AF_INET, v.c_str(), &addr) == 1;
}

FlagSet::Setter cluster_dns_setter(std::string* dst) {
  return [dst](const std::string& v) -> std::string {
    if (v != "host" && !is_ipv4(v)) return "wants an IPv4 address or host, not \"" + v + "\"";
    *dst = v;
    return "";
  };
}

void add_server_flags(FlagSet& flags, ServerOptions& o) {
  auto& api = o.api;
  auto& agent = o.agent;
  auto& controllers = o.controllers;
  flags.about(
      "Runs the control plane in the foreground: the API server on the embedded store, the\n"
      "scheduler, the controller manager, a node agent for this machine and the cluster DNS\n"
      "addon. Writes DATA_DIR/admin.kubeconfig once ready.");
  flags.string("--data-dir", &api.data_dir, "state: the store, the PKI, the agent's data", "DIR")
      .string("--bind-address", &api.bind_address, "address of the API", "ADDR")
      .integer("--port", &api.port, "port of the API (0 = any)", 0, 65535)
      .choice("--datastore", &api.datastore, {"sqlite"}, "the store")
      .string("--service-cidr", &api.service_cidr, "Service ClusterIP range", "CIDR")
      .string("--service-account-issuer", &api.service_account_issuer,
              "iss of service-account tokens (and their audience)", "URL")
      .duration("--compaction-interval", &api.compaction_interval,
                "how often old revisions are compacted", std::chrono::milliseconds(1))
      .duration("--event-ttl", &api.event_ttl,
                "how long an Event lives after its last write", std::chrono::milliseconds(1))
      .custom_bool("--disable-scheduler", "run no scheduler (run your own)",
                   [&o](bool on) { o.run_scheduler = !on; })
      .custom_bool("--disable-controllers", "run no controller manager (run your own)",
                   [&o](bool on) { o.run_controllers = !on; })
      .boolean("--leader-elect", &o.leader_elect,
               "the scheduler and controllers run only while holding their Lease")
      .boolean("--verbose", &o.verbose, "debug logging")
      .alias("-v", "--verbose");
  flags.section("node agent (unless --no-agent; data in DATA_DIR/agent)")
      .boolean("--no-agent", &o.no_agent, "run no node agent in this process")
      .integer("--kubelet-port", &agent.kubelet_port, "HTTPS port of the kubelet API (0 = any)", 0,
               65535)
      .string("--node-name", &agent.node_name, "the Node's name (default: the host name)", "NAME")
      .choice("--runtime", &agent.runtime, {"crun", "runc"},
              "OCI runtime (default: crun when installed)")
      .string("--registry-config", &agent.registry_config,
              "registry mirrors and credentials (docs/images.md)", "FILE")
      .string("--node-ip", &agent.node_ip,
              "the node's InternalIP (default: the default route's source)", "IP")
      .string("--cgroup-parent", &agent.cgroup_parent,
              "cgroup of the containers (default: <server's cgroup>/skiff)", "PATH")
      .choice("--flannel-backend", &agent.flannel_backend, {"none", "host-gw", "vxlan"},
              "pod network between nodes (none: pods of this node only)")
      .custom_bool("--no-proxy", "no service proxy in the agent",
                   [&agent](bool on) { agent.proxy = on ? "off" : "auto"; })
      .custom_bool("--proxy", "run the service proxy even with --flannel-backend none",
                   [&agent](bool on) { agent.proxy = on ? "on" : "auto"; });
  flags.section("cluster DNS (docs/network.md)")
      .custom("--cluster-dns", "IP|host",
              "the kube-dns Service's ClusterIP and the pods' nameserver (default: the 10th "
              "address of --service-cidr, 10.96.0.10)",
              "", cluster_dns_setter(&agent.cluster_dns))
      .custom("--disable", "dns",
              "no coredns addon (the kube-system coredns Deployment and kube-dns Service)", "",
              [&o](const std::string& v) -> std::string {
                if (v != "dns") return "knows one addon: dns, not \"" + v + "\"";
                o.dns_addon = "off";
                return "";
              })
      .custom("--enable", "dns",
              "the coredns addon even when the agent runs no service proxy (default: on when it "
              "does)",
              "", [&o](const std::string& v) -> std::string {
                if (v != "dns") return "knows one addon: dns, not \"" + v + "\"";
                o.dns_addon = "on";
                return "";
              })
      .string("--cluster-domain", &agent.cluster_domain, "the cluster's DNS domain", "DOMAIN")
      .string("--resolv-conf", &agent.resolv_conf,
              "resolvers of dnsPolicy Default pods and the DNS pods' upstreams", "FILE");
  flags.section("node lifecycle")
      .duration("--node-monitor-grace-period", &controllers.node_monitor_grace_period,
                "a node whose kubelet has not heartbeated for this long becomes Ready=Unknown and "
                "is tainted unreachable",
                std::chrono::milliseconds(1))
      .integer("--default-not-ready-toleration-seconds", &api.default_not_ready_toleration_seconds,
               "tolerationSeconds added to pods for node.kubernetes.io/not-ready:NoExecute", 0)
      .integer("--default-unreachable-toleration-seconds",
               &api.default_unreachable_toleration_seconds,
               "the same for node.kubernetes.io/unreachable:NoExecute", 0);
  controllers::add_node_ipam_flags(flags, controllers);
}

}  // namespace skiff::cmd
