// host-gw: this node's part of the cluster pod network when every node sits on one L2 segment
// (flannel's host-gw backend). From a watch of the Nodes it keeps, in the agent's network
// namespace,
//   - a route to every other node's spec.podCIDR via that node's InternalIP
//     (`ip route replace 10.244.X.0/24 via <nodeIP> proto 157`), removed when the node goes;
//   - `unreachable` routes for the cluster CIDR and the service CIDR, so an address nothing
//     claims gets an immediate local "no route to host" and never follows a default route;
//   - net.ipv4.ip_forward = 1;
//   - one nftables table `ip skiff-nat` masquerading traffic from the cluster CIDR to anything
//     outside it (pod-to-pod traffic keeps its source address).
// Every route it adds carries protocol number 157 (kRouteProto), so cleanup is
// `ip route flush proto 157`. stop() and `skiff node-reset` remove the routes and the table.
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "client/client.h"
#include "client/informer.h"
#include "common/json.h"

namespace skiff::agent {

struct HostGwOptions {
  std::string node_name;                       // our own Node: no route to our own podCIDR
  std::string cluster_cidr = "10.244.0.0/16";  // pod addresses of the whole cluster
  std::string service_cidr = "10.96.0.0/12";   // Service ClusterIPs
};

class HostGw {
 public:
  static constexpr int kRouteProto = 157;
  static constexpr const char* kNatTable = "skiff-nat";

  HostGw(client::Client& client, HostGwOptions options);
  ~HostGw();
  // Sysctl, unreachable routes and the masquerade table, then the Node watch. Throws
  // std::runtime_error with the reason when the host part cannot be set up.
  void start();
  // Stops the watch and removes every route and the table it made.
  void stop();
  // Removes what any host-gw agent left in this network namespace (node-reset). Returns an
  // error text or "".
  static std::string remove_all();

 private:
  struct Route {
    std::string cidr, via;
    bool operator==(const Route&) const = default;
  };
  void apply(const json::object& node);
  void remove(const std::string& node_name);

  client::Client& client_;
  HostGwOptions o_;
  std::unique_ptr<client::Informer> nodes_;
  std::mutex mu_;
  std::map<std::string, Route> routes_;  // node name -> the route we installed for it
};

}  // namespace skiff::agent
