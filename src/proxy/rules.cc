// Services, EndpointSlices and hostPort pods -> nftables fragments (rules.h).
#include "proxy/rules.h"

#include <arpa/inet.h>

#include <sstream>
#include <tuple>

namespace skiff::proxy {
namespace {

bool valid_ipv4(const std::string& s) {
  in_addr a;
  return ::inet_pton(AF_INET, s.c_str(), &a) == 1;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool cond(const json::value& e, const char* name, bool absent) {
  const auto* v = find_path(e, {"conditions", name});
  return v && v->is_bool() ? v->as_bool() : absent;
}

struct Endpoint {
  std::string ip;
  int64_t port;
  bool local;
  bool ready, serving, terminating;
  bool operator<(const Endpoint& o) const { return std::tie(ip, port) < std::tie(o.ip, o.port); }
};

// Endpoints of service port (name, protocol): the slice port of the same name and protocol
// gives the target port, so named targetPorts are resolved per pod by whoever wrote the slice.
std::set<Endpoint> endpoints_for(const std::vector<const json::object*>& slices, const std::string& port_name,
                                 const std::string& proto, const std::string& node) {
  std::set<Endpoint> out;
  for (const auto* s : slices) {
    if (get_string(*s, {"addressType"}, "IPv4") != "IPv4") continue;
    int64_t port = 0;
    if (const auto* ps = find_path(*s, {"ports"}); ps && ps->is_array())
      for (const auto& p : ps->get_array())
        if (p.is_object() && get_string(p, {"name"}) == port_name && get_string(p, {"protocol"}, "TCP") == proto)
          port = get_int(p, {"port"});
    if (port <= 0 || port > 65535) continue;
    const auto* eps = find_path(*s, {"endpoints"});
    if (!eps || !eps->is_array()) continue;
    for (const auto& e : eps->get_array()) {
      if (!e.is_object()) continue;
      const auto* addrs = find_path(e, {"addresses"});
      if (!addrs || !addrs->is_array() || addrs->get_array().empty() || !addrs->get_array()[0].is_string())
        continue;
      std::string ip(addrs->get_array()[0].get_string());
      if (!valid_ipv4(ip)) continue;
      // As upstream: an absent ready/serving counts as true, an absent terminating as false.
      const bool ready = cond(e, "ready", true);
      out.insert({ip, port, !node.empty() && get_string(e, {"nodeName"}) == node, ready,
                  cond(e, "serving", ready), cond(e, "terminating", false)});
    }
  }
  return out;
}

// Upstream's endpoint choice: the ready ones, or, when none is ready, the serving terminating
// ones (so connections drain instead of failing during a rolling update).
std::vector<Endpoint> usable(const std::set<Endpoint>& eps, bool local_only) {
  std::vector<Endpoint> ready, draining;
  for (const auto& e : eps) {
    if (local_only && !e.local) continue;
    if (e.ready) ready.push_back(e);
    else if (e.serving && e.terminating) draining.push_back(e);
  }
  return ready.empty() ? draining : ready;
}

std::string ep_id(const std::string& id, const Endpoint& e) { return id + "__" + e.ip + "/" + std::to_string(e.port); }

// The body of a cluster or local policy chain. With sessionAffinity, upstream's layout: affinity
// lookups, then `numgen random mod N vmap` to one chain per endpoint (which records the client in
// the endpoint's set). Without it, no endpoint chains: the hairpin mark for any endpoint of the
// service and one `dnat to numgen random mod N map { i : ip . port }`. That keeps the table at
// about one chain per service port instead of one per endpoint, which is what nft and the
// kernel's per-transaction costs grow with (docs/benchmarks.md); the price is that an endpoint
// reaching its own service is masqueraded even when it lands on another endpoint.
void load_balance(std::vector<std::string>& rules, const std::string& id, const std::vector<Endpoint>& eps,
                  const std::string& l4, bool affinity) {
  if (affinity) {
    for (const auto& e : eps) rules.push_back("ip saddr @affinity-" + ep_id(id, e) + " goto endpoint-" + ep_id(id, e));
    std::string r = "numgen random mod " + std::to_string(eps.size()) + " vmap {";
    for (size_t i = 0; i < eps.size(); ++i)
      r += (i ? ", " : " ") + std::to_string(i) + " : goto endpoint-" + ep_id(id, eps[i]);
    rules.push_back(r + " }");
    return;
  }
  std::string targets;
  std::set<std::string> seen;  // one address may serve on two ports
  for (size_t i = 0; i < eps.size(); ++i) {
    // Hairpin. A rule per address rather than one `ip saddr { ... }`: every anonymous set is
    // one more object nft dumps into its cache before each transaction.
    if (seen.insert(eps[i].ip).second) rules.push_back("ip saddr " + eps[i].ip + " jump mark-for-masquerade");
    targets += (i ? ", " : " ") + std::to_string(i) + " : " + eps[i].ip + " . " + std::to_string(eps[i].port);
  }
  rules.push_back("meta l4proto " + l4 + " dnat ip to numgen random mod " + std::to_string(eps.size()) + " map {" +
                  targets + " }");
}

std::vector<std::string> string_list(const json::object& o, std::initializer_list<std::string_view> path) {
  std::vector<std::string> out;
  if (const auto* v = find_path(o, path); v && v->is_array())
    for (const auto& x : v->get_array())
      if (x.is_string()) out.emplace_back(x.get_string());
  return out;
}

}  // namespace

Fragment service_rules(const json::object& svc, const std::vector<const json::object*>& slices,
                       const RuleOptions& o) {
  Fragment f;
  const std::string type = get_string(svc, {"spec", "type"}, "ClusterIP");
  const std::string cip = get_string(svc, {"spec", "clusterIP"});
  if (type == "ExternalName" || cip == "None") return f;  // headless: DNS only, no rules
  const std::string key = get_string(svc, {"metadata", "namespace"}) + "/" + get_string(svc, {"metadata", "name"});
  const bool has_vip = valid_ipv4(cip);
  const bool node_ports = type == "NodePort" || type == "LoadBalancer";
  std::vector<std::string> external_ips;
  for (auto& ip : string_list(svc, {"spec", "externalIPs"}))
    if (valid_ipv4(ip)) external_ips.push_back(ip);
  const bool etp_local = get_string(svc, {"spec", "externalTrafficPolicy"}) == "Local";
  const bool itp_local = get_string(svc, {"spec", "internalTrafficPolicy"}) == "Local";
  int64_t affinity = 0;  // seconds; 0 = no affinity
  if (get_string(svc, {"spec", "sessionAffinity"}) == "ClientIP") {
    affinity = get_int(svc, {"spec", "sessionAffinityConfig", "clientIP", "timeoutSeconds"}, 10800);
    if (affinity <= 0 || affinity > 86400) affinity = 10800;
  }
  const auto* ports = find_path(svc, {"spec", "ports"});
  if (!ports || !ports->is_array()) return f;
  for (const auto& p : ports->get_array()) {
    if (!p.is_object()) continue;
    const std::string proto = get_string(p, {"protocol"}, "TCP");
    if (proto != "TCP" && proto != "UDP" && !(proto == "SCTP" && o.sctp)) continue;
    const int64_t port = get_int(p, {"port"});
    const int64_t node_port = node_ports ? get_int(p, {"nodePort"}) : 0;
    if (port <= 0 || port > 65535 || node_port < 0 || node_port > 65535) continue;
    const bool external = node_port > 0 || !external_ips.empty();
    if (!has_vip && !external) continue;
    const std::string pname = get_string(p, {"name"});
    const std::string l4 = lower(proto), sport = std::to_string(port);
    const std::string id = key + "/" + l4 + "/" + (pname.empty() ? sport : pname);
    const auto all = endpoints_for(slices, pname, proto, o.node_name);
    const auto cluster_eps = usable(all, false), local_eps = usable(all, true);
    const auto& internal_eps = itp_local ? local_eps : cluster_eps;
    const auto& external_eps = etp_local ? local_eps : cluster_eps;
    // No endpoint at all: reject at once. Endpoints, but none this traffic may use (a Local
    // policy on a node without one): drop, as upstream.
    const std::string internal_verdict = cluster_eps.empty() ? "goto reject-chain" : "drop";
    const std::string external_verdict = internal_verdict;
    const std::string cluster_chain = "service-" + id, local_chain = "local-" + id, ext_chain = "external-" + id;
    // The cluster chain also serves pods and the node itself under externalTrafficPolicy Local.
    const bool uses_cluster = !cluster_eps.empty() && ((has_vip && !itp_local) || external);
    const bool uses_local = !local_eps.empty() && ((has_vip && itp_local) || (external && etp_local));
    std::set<Endpoint> used;
    if (uses_cluster) {
      auto& r = f.chains[cluster_chain];
      if (has_vip)  // off-cluster clients of the ClusterIP: masquerade so replies come back here
        r.push_back("ip daddr " + cip + " " + l4 + " dport " + sport + " ip saddr != " + o.cluster_cidr +
                    " jump mark-for-masquerade");
      load_balance(r, id, cluster_eps, l4, affinity > 0);
      used.insert(cluster_eps.begin(), cluster_eps.end());
    }
    if (uses_local) {
      load_balance(f.chains[local_chain], id, local_eps, l4, affinity > 0);
      used.insert(local_eps.begin(), local_eps.end());
    }
    if (has_vip) {
      const std::string k = cip + " . " + l4 + " . " + sport;
      if (!internal_eps.empty()) f.elements[{"services", k}] = "goto " + (itp_local ? local_chain : cluster_chain);
      else f.elements[{"no-endpoint-services", k}] = internal_verdict;
      if (proto == "UDP")
        for (const auto& e : internal_eps) f.udp_flows.insert(cip + " " + sport + " " + e.ip);
    }
    if (external) {
      if (!external_eps.empty()) {
        auto& r = f.chains[ext_chain];
        if (!etp_local) {
          r.push_back("jump mark-for-masquerade");  // the endpoint may be elsewhere: answer via us
          r.push_back("goto " + cluster_chain);
        } else {
          // Local keeps the client's address (no masquerade) and only uses this node's
          // endpoints; pods and the node itself still get the whole service.
          if (uses_cluster) {
            r.push_back("ip saddr " + o.cluster_cidr + " goto " + cluster_chain);
            r.push_back("fib saddr type local jump mark-for-masquerade");
            r.push_back("fib saddr type local goto " + cluster_chain);
          }
          r.push_back("goto " + local_chain);
        }
      }
      for (const auto& eip : external_ips) {
        const std::string k = eip + " . " + l4 + " . " + sport;
        if (!external_eps.empty()) f.elements[{"services", k}] = "goto " + ext_chain;
        else f.elements[{"no-endpoint-services", k}] = external_verdict;
      }
      if (node_port > 0) {
        const std::string k = l4 + " . " + std::to_string(node_port);
        if (!external_eps.empty()) f.elements[{"nodeports", k}] = "goto " + ext_chain;
        else f.elements[{"no-endpoint-nodeports", k}] = external_verdict;
        if (proto == "UDP")
          for (const auto& e : external_eps) f.udp_flows.insert(" " + std::to_string(node_port) + " " + e.ip);
      }
    }
    for (const auto& e : used) {
      if (affinity <= 0) break;  // endpoint chains only with affinity (see load_balance)
      const std::string eid = ep_id(id, e);
      auto& r = f.chains["endpoint-" + eid];
      r.push_back("ip saddr " + e.ip + " jump mark-for-masquerade");  // hairpin: reply must come back via us
      f.sets["affinity-" + eid] = "{ type ipv4_addr ; flags dynamic,timeout ; timeout " + std::to_string(affinity) + "s ; }";
      r.push_back("update @affinity-" + eid + " { ip saddr }");
      r.push_back("meta l4proto " + l4 + " dnat to " + e.ip + ":" + std::to_string(e.port));
    }
  }
  return f;
}

Fragment hostport_rules(const json::object& pod, const RuleOptions&) {
  Fragment f;
  const std::string ip = get_string(pod, {"status", "podIP"});
  const std::string phase = get_string(pod, {"status", "phase"});
  if (!valid_ipv4(ip) || phase == "Succeeded" || phase == "Failed") return f;
  if (find_path(pod, {"metadata", "deletionTimestamp"})) return f;
  const auto* hn = find_path(pod, {"spec", "hostNetwork"});
  if (hn && hn->is_bool() && hn->as_bool()) return f;  // its ports are the node's already
  const std::string key = get_string(pod, {"metadata", "namespace"}) + "/" + get_string(pod, {"metadata", "name"});
  const auto* cs = find_path(pod, {"spec", "containers"});
  if (!cs || !cs->is_array()) return f;
  for (const auto& c : cs->get_array()) {
    const auto* ports = c.is_object() ? find_path(c, {"ports"}) : nullptr;
    if (!ports || !ports->is_array()) continue;
    for (const auto& p : ports->get_array()) {
      if (!p.is_object()) continue;
      const int64_t hp = get_int(p, {"hostPort"}), cp = get_int(p, {"containerPort"});
      const std::string proto = get_string(p, {"protocol"}, "TCP");
      if (hp <= 0 || hp > 65535 || cp <= 0 || cp > 65535 || (proto != "TCP" && proto != "UDP")) continue;
      const std::string host_ip = get_string(p, {"hostIP"});
      const std::string l4 = lower(proto);
      const std::string chain = "hostport-" + key + "/" + l4 + "/" + std::to_string(hp);
      f.chains[chain] = {"ip saddr " + ip + " jump mark-for-masquerade",  // the pod reaching itself
                         "meta l4proto " + l4 + " dnat to " + ip + ":" + std::to_string(cp)};
      if (valid_ipv4(host_ip) && host_ip != "0.0.0.0")
        f.elements[{"hostip-ports", host_ip + " . " + l4 + " . " + std::to_string(hp)}] = "goto " + chain;
      else
        f.elements[{"hostports", l4 + " . " + std::to_string(hp)}] = "goto " + chain;
    }
  }
  return f;
}

}  // namespace skiff::proxy
