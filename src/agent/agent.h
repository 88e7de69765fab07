// The node agent (`skiff agent`, upstream's kubelet): registers this machine as a Node, renews
// its Lease, runs the pods bound to it as real containers (src/runtime, src/images), reports
// their status, and serves logs/exec/attach/port-forward on its HTTPS port for the API server's
// proxy. `skiff server` runs one for its own host unless --no-agent.
//
// Containers outlive the agent: stopping it (or kill -9) leaves them running, and the next agent
// over the same data dir re-adopts them from the runtime and its state files (docs/agent.md).
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "client/client.h"

namespace skiff::agent {

// A component the agent runs beside its pods with its own API client: the service proxy,
// made by the composition root (src/cmd/node_components.cc) so the agent does not include it.
class NodeComponent {
 public:
  virtual ~NodeComponent() = default;
  // Throws std::runtime_error when it cannot run here.
  virtual void start() = 0;
  // Stops; what it set up on the host stays for the next agent (node-reset removes it).
  virtual void stop() = 0;
};
struct AgentOptions;
using NodeComponentFactory =
    std::function<std::unique_ptr<NodeComponent>(client::Client&, const AgentOptions&)>;

struct AgentOptions {
  std::string node_name;                        // default: the host name, lowercased
  std::string data_dir = "/var/lib/skiff/agent";
  std::string runtime;                          // "crun", "runc", or "" (crun when present)
  std::string registry_config;                  // mirrors and credentials (docs/images.md)
  std::string node_ip;                          // default: the source address of the default route
  std::string kubelet_address = "0.0.0.0";
  int kubelet_port = 10250;                     // 0 = any free port (reported in the Node)
  // CA whose client certificates may use the kubelet port (the cluster CA); only the API
  // server's kubelet client and members of system:masters are then admitted.
  std::string client_ca_pem;
  std::string pod_cidr;      // used when the Node gets no spec.podCIDR from the cluster
  // Nameserver for pods with dnsPolicy ClusterFirst: an IP; "host" for the host's resolvers;
  // "" (the default) for the service range's 10th address (10.96.0.10, the kube-dns Service,
  // kubeadm's default) when this agent runs the service proxy, else the host's (without the
  // proxy a ClusterIP routes nowhere). effective_cluster_dns() says which.
  std::string cluster_dns;
  std::string cluster_domain = "cluster.local";
  // The resolver configuration pods with dnsPolicy Default get (upstream kubelet's
  // --resolv-conf), loopback nameservers left out; also ClusterFirst pods when cluster DNS is off.
  std::string resolv_conf = "/etc/resolv.conf";
  std::string bridge = "skiff0";
  // Cgroup under which every container's cgroup is made ("" = <the agent's own cgroup>/skiff).
  // Several agents on one machine (scripts/cluster) each take their own.
  std::string cgroup_parent;
  // The network between nodes: "none" (pods reach pods of this node only, the single-node
  // default), "host-gw" (routes to other nodes' podCIDRs via their InternalIP) or "vxlan"
  // (flannel.1 VTEP), flannel.h.
  std::string flannel_backend = "none";
  std::string cluster_cidr = "10.244.0.0/16";  // for host-gw/vxlan: the whole pod range
  std::string service_cidr = "10.96.0.0/12";   // for host-gw/vxlan: answered "unreachable" unless claimed
  // The service proxy (src/proxy, kube-proxy's nftables mode) in the agent's network namespace:
  // "auto" = on unless flannel_backend is "none" (several single-node servers share the root
  // namespace's nftables in the e2e tests; one machine = one proxy), "on", "off" (--no-proxy).
  std::string proxy = "auto";
  // Makes the service proxy when runs_proxy(); unset: the agent runs none (and logs so).
  NodeComponentFactory service_proxy;
  // Cluster components that run in this process beside the agent (`skiff server` sets
  // kube-apiserver, kube-controller-manager, kube-scheduler): each gets a mirror pod, as do the
  // proxy and the flannel backend when the agent runs them (mirror_pods.h).
  std::vector<std::string> control_plane_components;
  int max_pods = 110;
  std::chrono::seconds heartbeat{10};           // Lease renewal
  std::chrono::seconds node_status_period{60};  // full Node status even when nothing changed
};

// Whether the agent runs the service proxy (AgentOptions::proxy, flannel_backend).
bool runs_proxy(const AgentOptions& o);
// The nameserver ClusterFirst pods get ("" = the host's resolv.conf), per AgentOptions::cluster_dns.
std::string effective_cluster_dns(const AgentOptions& o);

class Agent {
 public:
  Agent(client::Config api, AgentOptions options);
  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // Opens the image store and runtime, starts the kubelet server, registers the Node and starts
  // the pod workers. Throws std::runtime_error with what to fix when the node cannot run pods
  // (no OCI runtime, data dir not writable, port in use).
  void start();
  // Stops everything the agent runs itself; containers keep running.
  void stop();
  const std::string& node_name() const;
  uint16_t kubelet_port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace skiff::agent
