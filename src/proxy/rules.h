// What the service proxy writes into its nftables table, as data: one Fragment per owner (a
// Service with its EndpointSlices, or a Pod with hostPorts). transaction.h turns fragments
// into `nft -f` transactions. Pure functions: no I/O, exposed for tests. Layout and naming
// follow upstream kube-proxy's nftables mode (docs/network.md "Services").
#pragma once
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/json.h"

namespace skiff::proxy {

inline constexpr const char* kTable = "skiff-proxy";

struct RuleOptions {
  std::string node_name;                       // endpoints with this nodeName are "local"
  std::string cluster_cidr = "10.244.0.0/16";  // pod range: other sources are masqueraded
  bool sctp = false;                           // the kernel has SCTP (else SCTP ports are skipped)
  // When set: what is still addressed to it after DNAT in the output hook (an unclaimed
  // ClusterIP, reached by a local process through the proxy's route, see proxy.h) is rejected.
  std::string service_cidr;
};

// The objects one owner puts into the table. Names are unique per owner (they embed the owner's
// namespace/name), so fragments never share a chain or set; map elements may collide (two
// Services with the same externalIP:port) and the Proxy gives a key to its first owner.
struct Fragment {
  std::map<std::string, std::vector<std::string>> chains;           // name -> its rules, in order
  std::map<std::pair<std::string, std::string>, std::string> elements;  // (map, key) -> verdict
  std::map<std::string, std::string> sets;                          // name -> "{ type ...; }"
  // UDP flows that stale conntrack entries could pin: "VIP-or-empty port endpointIP" (port is
  // the service port for a VIP, the nodePort for ""), for the conntrack flush on removal.
  std::set<std::string> udp_flows;
  bool empty() const { return chains.empty() && elements.empty() && sets.empty(); }
  bool operator==(const Fragment&) const = default;
};

// A Service and the EndpointSlices labelled with its name. Headless and ExternalName services
// give an empty fragment.
Fragment service_rules(const json::object& service, const std::vector<const json::object*>& slices,
                       const RuleOptions& o);

// A Pod on this node with containerPort.hostPort: DNAT on the node's addresses (or hostIP).
Fragment hostport_rules(const json::object& pod, const RuleOptions& o);

}  // namespace skiff::proxy
