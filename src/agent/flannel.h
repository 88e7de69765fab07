// flannel: this node's part of the cluster pod network, as flannel's host-gw and vxlan
// backends do it. One mechanism for both: a watch of the Nodes keeps, in the agent's network
// namespace, one "peer" per other node with a spec.podCIDR; only how a peer is reached differs.
//   - host-gw (every node on one L2 segment): `ip route replace <podCIDR> via <InternalIP>`.
//   - vxlan: a VTEP `flannel.1` (VNI 1, UDP 8472, local = node IP, on the interface holding
//     it, nolearning, MTU = that interface's - 50); our VTEP MAC and public IP are published as
//     flannel's annotations on our Node (annotations()); for every peer with those annotations
//     `ip route replace <podCIDR> via <podCIDR network address> dev flannel.1 onlink`, a
//     permanent neighbour <that address> -> peer VTEP MAC and an FDB entry MAC -> peer public IP.
// Shared by both:
//   - `unreachable` routes for the cluster CIDR and the service CIDR, so an address nothing
//     claims gets an immediate local "no route to host" and never follows a default route;
//   - net.ipv4.ip_forward = 1;
//   - one nftables table `ip skiff-nat` masquerading traffic from the cluster CIDR to anything
//     outside it (pod-to-pod traffic keeps its source address).
// Every route it adds carries protocol number 157 (kRouteProto), so cleanup is
// `ip route flush proto 157` plus deleting flannel.1 (its neighbours and FDB go with it).
// stop() leaves all of it, as flannel does, so an agent restart keeps pods connected (the next
// start() adopts it); `skiff node-reset` (remove_all) removes all of it.
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "client/client.h"
#include "client/informer.h"
#include "common/json.h"

namespace skiff::agent {

struct FlannelOptions {
  std::string backend = "host-gw";             // host-gw | vxlan
  std::string node_name;                       // our own Node: no route to our own podCIDR
  std::string node_ip;                         // vxlan: the VTEP's local address
  std::string cluster_cidr = "10.244.0.0/16";  // pod addresses of the whole cluster
  std::string service_cidr = "10.96.0.0/12";   // Service ClusterIPs
};

class Flannel {
 public:
  static constexpr int kRouteProto = 157;
  static constexpr const char* kNatTable = "skiff-nat";
  static constexpr const char* kVxlanDevice = "flannel.1";
  static constexpr const char* kAnnotationPrefix = "flannel.alpha.coreos.com/";

  Flannel(client::Client& client, FlannelOptions options);
  ~Flannel();
  // Sysctl, unreachable routes, the masquerade table and (vxlan) the VTEP, then the Node
  // watch. Throws std::runtime_error with the reason when the host part cannot be set up.
  void start();
  // Stops the watch; what it programmed stays for the next agent (node-reset removes it).
  void stop();
  // After start(): the annotations our Node must carry (vxlan: flannel's four), and the MTU
  // for pod interfaces (0: leave the default).
  json::object annotations() const;
  int pod_mtu() const { return pod_mtu_; }
  // Removes what any flannel backend left in this network namespace (node-reset). Returns an
  // error text or "".
  static std::string remove_all();

 private:
  struct Peer {
    std::string cidr, via;         // the route: podCIDR via InternalIP / podCIDR's network address
    std::string mac, public_ip;    // vxlan: peer VTEP
    bool operator==(const Peer&) const = default;
  };
  void start_vxlan();
  bool vxlan_matches(const std::string& dev, const std::string& under, int mtu);
  void prune_stale();
  void apply(const json::object& node);
  bool install(const Peer& p);
  void uninstall(const Peer& p);
  void remove(const std::string& node_name);
  void report_health();  // with mu_ held

  client::Client& client_;
  FlannelOptions o_;
  bool vxlan_ = false;
  std::string vtep_mac_;
  int pod_mtu_ = 0;
  std::unique_ptr<client::Informer> nodes_;
  std::mutex mu_;
  std::map<std::string, Peer> peers_;  // node name -> what we installed for it
  // What could not be programmed (node name -> why); empty = healthy. The backend's health
  // (its mirror pod's Ready, common/health.h) is reported on every change by report_health().
  std::map<std::string, std::string> failed_;
  std::string own_cidr_;               // vxlan: the address on flannel.1 is its network address
};

}  // namespace skiff::agent
