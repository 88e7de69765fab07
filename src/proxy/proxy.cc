// The service proxy: Services + EndpointSlices -> the nftables table `ip skiff-proxy` (proxy.h).
#include "proxy/proxy.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "api/resources.h"
#include "common/flags.h"
#include "common/health.h"
#include "common/log.h"
#include "common/node_name.h"
#include "common/stop_signal.h"
#include "runtime/ipam.h"
#include "runtime/process.h"

namespace skiff::proxy {
namespace {

runtime::CommandResult nft(const std::string& batch) {
  runtime::CommandOptions co;
  co.input = batch;
  return runtime::run_command({runtime::find_tool("nft"), "-f", "-"}, co);
}

bool valid_ipv4(const std::string& s) {
  in_addr a;
  return ::inet_pton(AF_INET, s.c_str(), &a) == 1;
}

// A string safe inside an nft comment "...".
std::string comment(std::string s) {
  for (auto& c : s)
    if (c == '"' || c == '\\' || c == '\n') c = '_';
  return s.substr(0, 120);
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

struct Endpoint {
  std::string ip;
  int64_t port;
  bool operator<(const Endpoint& o) const { return std::tie(ip, port) < std::tie(o.ip, o.port); }
};

// Ready endpoints of service port (name, protocol) from the service's slices: the slice port
// of the same name and protocol gives the target port (so named targetPorts are resolved by
// the EndpointSlice controller per pod).
std::set<Endpoint> endpoints_for(const std::vector<const json::object*>& slices, const std::string& port_name,
                                 const std::string& proto) {
  std::set<Endpoint> out;
  for (const auto* s : slices) {
    if (get_string(*s, {"addressType"}, "IPv4") != "IPv4") continue;
    int64_t port = 0;
    if (const auto* ps = find_path(*s, {"ports"}); ps && ps->is_array())
      for (const auto& p : ps->get_array()) {
        if (!p.is_object()) continue;
        if (get_string(p, {"name"}) == port_name && get_string(p, {"protocol"}, "TCP") == proto)
          port = get_int(p, {"port"});
      }
    if (port <= 0 || port > 65535) continue;
    const auto* eps = find_path(*s, {"endpoints"});
    if (!eps || !eps->is_array()) continue;
    for (const auto& e : eps->get_array()) {
      if (!e.is_object()) continue;
      const auto* ready = find_path(e, {"conditions", "ready"});
      if (ready && ready->is_bool() && !ready->as_bool()) continue;  // absent = ready
      const auto* addrs = find_path(e, {"addresses"});
      if (!addrs || !addrs->is_array() || addrs->get_array().empty() || !addrs->get_array()[0].is_string())
        continue;
      std::string ip(addrs->get_array()[0].get_string());
      if (valid_ipv4(ip)) out.insert({ip, port});
    }
  }
  return out;
}

}  // namespace

std::string render(const std::vector<client::ObjectPtr>& services,
                   const std::vector<client::ObjectPtr>& slices, const std::string& cluster_cidr) {
  // Slices by "namespace/service-name".
  std::map<std::string, std::vector<const json::object*>> by_service;
  for (const auto& s : slices) {
    std::string svc = get_string(*s, {"metadata", "labels", "kubernetes.io/service-name"});
    if (!svc.empty()) by_service[get_string(*s, {"metadata", "namespace"}) + "/" + svc].push_back(s.get());
  }
  // Sorted by key so the text only changes when the content does.
  std::map<std::string, const json::object*> sorted;
  for (const auto& s : services)
    sorted[get_string(*s, {"metadata", "namespace"}) + "/" + get_string(*s, {"metadata", "name"})] = s.get();

  std::ostringstream services_map, nodeports_map, noep_map, noep_np_map, chains;
  int n = 0;
  for (const auto& [key, svc] : sorted) {
    const std::string type = get_string(*svc, {"spec", "type"}, "ClusterIP");
    if (type == "ExternalName") continue;
    const std::string cip = get_string(*svc, {"spec", "clusterIP"});
    const bool has_vip = valid_ipv4(cip);
    const bool node_ports = type == "NodePort" || type == "LoadBalancer";
    const auto* ports = find_path(*svc, {"spec", "ports"});
    if (!ports || !ports->is_array()) continue;
    auto it = by_service.find(key);
    const std::vector<const json::object*> none;
    const auto& svc_slices = it == by_service.end() ? none : it->second;
    for (const auto& p : ports->get_array()) {
      if (!p.is_object()) continue;
      const std::string proto = get_string(p, {"protocol"}, "TCP");
      if (proto != "TCP" && proto != "UDP") continue;  // SCTP: not in this slice
      const int64_t port = get_int(p, {"port"});
      const int64_t node_port = node_ports ? get_int(p, {"nodePort"}) : 0;
      if (port <= 0 || port > 65535) continue;
      if (!has_vip && node_port <= 0) continue;
      const std::string pname = get_string(p, {"name"});
      const std::string l4 = lower(proto);
      const auto eps = endpoints_for(svc_slices, pname, proto);
      const std::string vip_key = cip + " . " + l4 + " . " + std::to_string(port);
      const std::string np_key = l4 + " . " + std::to_string(node_port);
      if (eps.empty()) {
        if (has_vip) noep_map << "      " << vip_key << " : goto reject-no-endpoints,\n";
        if (node_port > 0) noep_np_map << "      " << np_key << " : goto reject-no-endpoints,\n";
        continue;
      }
      const std::string chain = "svc-" + std::to_string(n);
      const std::string what = comment(key + ":" + (pname.empty() ? std::to_string(port) : pname) + "/" + proto);
      if (has_vip) services_map << "      " << vip_key << " : goto " << chain << ",\n";
      if (node_port > 0) {
        // NodePort traffic is always masqueraded, so the endpoint answers through this node.
        nodeports_map << "      " << np_key << " : goto " << chain << "-np,\n";
        chains << "  chain " << chain << "-np {\n    comment \"" << what << " nodePort " << node_port << "\"\n"
               << "    meta mark set meta mark | 0x4000\n    goto " << chain << "\n  }\n";
      }
      chains << "  chain " << chain << " {\n    comment \"" << what << "\"\n"
             << "    ip saddr != " << cluster_cidr << " meta mark set meta mark | 0x4000\n"
             << "    numgen random mod " << eps.size() << " vmap {";
      for (size_t i = 0; i < eps.size(); ++i)
        chains << (i ? ", " : " ") << i << " : goto " << chain << "-ep-" << i;
      chains << " }\n  }\n";
      size_t i = 0;
      for (const auto& e : eps) {
        chains << "  chain " << chain << "-ep-" << i++ << " {\n"
               << "    ip saddr " << e.ip << " meta mark set meta mark | 0x4000\n"  // hairpin
               << "    meta l4proto " << l4 << " dnat to " << e.ip << ":" << e.port << "\n  }\n";
      }
      ++n;
    }
  }
  auto map = [](const char* name, const char* type, const std::ostringstream& elems) {
    std::string e = elems.str();
    std::string m = std::string("  map ") + name + " {\n    type " + type + "\n";
    if (!e.empty()) {
      e.erase(e.size() - 2);  // the last ",\n"
      m += "    elements = {\n" + e + "\n    }\n";
    }
    return m + "  }\n";
  };
  const std::string t = kTable;
  std::ostringstream o;
  o << "add table ip " << t << "\ndelete table ip " << t << "\ntable ip " << t << " {\n"
    << map("services", "ipv4_addr . inet_proto . inet_service : verdict", services_map)
    << map("nodeports", "inet_proto . inet_service : verdict", nodeports_map)
    << map("no-endpoint-services", "ipv4_addr . inet_proto . inet_service : verdict", noep_map)
    << map("no-endpoint-nodeports", "inet_proto . inet_service : verdict", noep_np_map)
    << "  chain reject-no-endpoints {\n    meta l4proto tcp reject with tcp reset\n"
       "    reject with icmp type port-unreachable\n  }\n"
       "  chain no-endpoints {\n"
       "    ct state new ip daddr . meta l4proto . th dport vmap @no-endpoint-services\n"
       "    ct state new fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap "
       "@no-endpoint-nodeports\n  }\n"
       // Before the nat chains, and in prerouting rather than forward: a ClusterIP that is not
       // DNATed would otherwise meet host-gw's `unreachable` route for the service CIDR.
       "  chain filter-prerouting {\n    type filter hook prerouting priority -110; policy accept;\n"
       "    jump no-endpoints\n  }\n"
       "  chain filter-output {\n    type filter hook output priority -110; policy accept;\n"
       "    jump no-endpoints\n  }\n"
       "  chain services {\n"
       "    ip daddr . meta l4proto . th dport vmap @services\n"
       "    fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @nodeports\n  }\n"
       "  chain nat-prerouting {\n    type nat hook prerouting priority dstnat; policy accept;\n"
       "    jump services\n  }\n"
       "  chain nat-output {\n    type nat hook output priority -100; policy accept;\n    jump services\n  }\n"
       "  chain nat-postrouting {\n    type nat hook postrouting priority srcnat; policy accept;\n"
       "    meta mark & 0x4000 == 0x4000 meta mark set meta mark ^ 0x4000 masquerade\n  }\n"
    << chains.str() << "}\n";
  return o.str();
}

Proxy::Proxy(client::Client& client, ProxyOptions options) : client_(client), o_(std::move(options)) {}

Proxy::~Proxy() { stop(); }

void Proxy::start() {
  // Fail early and clearly when nft is unusable here; this also makes an empty table.
  auto r = nft(render({}, {}, o_.cluster_cidr));
  if (r.exit_code != 0) throw std::runtime_error(std::string("proxy: nftables table ") + kTable + ": " + runtime::command_error(r));
  // A pod reaching a service whose endpoint is on its own bridge needs the bridge's traffic to
  // pass netfilter (so the reply is un-DNATed); it is per network namespace.
  if (std::ofstream f("/proc/sys/net/bridge/bridge-nf-call-iptables"); f) f << "1\n";
  SKIFF_LOG(INFO) << "proxy: services of the cluster in nftables table ip " << kTable
                  << (o_.node_name.empty() ? "" : " (node " + o_.node_name + ")");
  auto handlers = client::Handlers{[this](const client::ObjectPtr&) { changed(); },
                                   [this](const client::ObjectPtr&, const client::ObjectPtr&) { changed(); },
                                   [this](const client::ObjectPtr&) { changed(); }};
  services_ = std::make_unique<client::Informer>(client_, *api::find_resource("", "v1", "services"));
  slices_ = std::make_unique<client::Informer>(client_,
                                               *api::find_resource("discovery.k8s.io", "v1", "endpointslices"));
  services_->add_handlers(handlers);
  slices_->add_handlers(handlers);
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { sync_loop(); });
  services_->start();
  slices_->start();
}

void Proxy::changed() {
  {
    std::lock_guard lock(mu_);
    dirty_ = true;
  }
  cv_.notify_all();
}

void Proxy::sync_loop() {
  auto next_resync = std::chrono::steady_clock::now() + o_.resync;
  std::unique_lock lock(mu_);
  while (!stopping_) {
    cv_.wait_until(lock, next_resync, [&] { return stopping_ || dirty_; });
    if (stopping_) break;
    bool resync = !dirty_;
    // Debounce: whatever else arrives within the window goes into the same rebuild.
    cv_.wait_for(lock, o_.debounce, [&] { return stopping_; });
    if (stopping_) break;
    dirty_ = false;
    lock.unlock();
    std::string t;
    if (services_->synced() && slices_->synced())
      t = render(services_->list(), slices_->list(), o_.cluster_cidr);
    bool ok = true;
    if (!t.empty() && (resync || t != applied_)) {
      auto r = nft(t);
      ok = r.exit_code == 0;
      if (!ok) {
        SKIFF_LOG(WARN) << "proxy: nft -f: " << runtime::command_error(r);
      } else if (t != applied_) {
        SKIFF_LOG(INFO) << "proxy: table " << kTable << " rebuilt (" << t.size() << " bytes)";
      }
    }
    lock.lock();
    if (ok && !t.empty()) {
      applied_ = t;
      // Health as kube-proxy's healthz: the rules were in effect at the last sync, and syncs
      // come at least every resync period (a stuck or failing loop ages out after two).
      health::beat("kube-proxy", "sync", 2 * std::chrono::milliseconds(o_.resync));
    }
    if (!ok || t.empty()) dirty_ = true;  // not synced yet, or failed: try again
    next_resync = std::chrono::steady_clock::now() + (ok ? std::chrono::milliseconds(o_.resync)
                                                         : std::chrono::milliseconds(1000));
    if (!ok || t.empty()) {
      // Wait a little before retrying rather than spinning.
      cv_.wait_for(lock, std::chrono::milliseconds(t.empty() ? 50 : 1000), [&] { return stopping_; });
    }
  }
}

void Proxy::stop() {
  {
    std::lock_guard lock(mu_);
    if (!services_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (services_) services_->stop();
  if (slices_) slices_->stop();
  if (thread_.joinable()) thread_.join();
  services_.reset();
  slices_.reset();
  if (auto err = remove_table(); !err.empty()) {
    SKIFF_LOG(WARN) << "proxy cleanup: " << err;
  }
}

std::string Proxy::remove_table() {
  const std::string n = runtime::find_tool("nft");
  if (::access(n.c_str(), X_OK) != 0) return "";
  if (runtime::run_command({n, "list", "table", "ip", kTable}).exit_code != 0) return "";
  auto r = runtime::run_command({n, "delete", "table", "ip", kTable});
  return r.exit_code == 0 ? "" : "nft delete table ip " + std::string(kTable) + ": " + runtime::command_error(r);
}

namespace {

const char* kUsage =
    "usage: skiff proxy --kubeconfig FILE [flags]\n\n"
    "Runs the service proxy (kube-proxy, nftables mode) in the foreground: keeps the nftables\n"
    "table ip skiff-proxy in this network namespace for the cluster's Services (docs/network.md).\n\n"
    "flags:\n"
    "  --kubeconfig FILE          credentials for the API server (required)\n"
    "  --server URL               API server (overrides the kubeconfig's)\n"
    "  --hostname-override NAME   this node's name (default: the host name)\n"
    "  --cluster-cidr CIDR        pod range; other sources are masqueraded (default 10.244.0.0/16)\n";
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
    else {
      std::fprintf(stderr, "proxy: unknown flag %s\n\n%s", a.c_str(), kUsage);
      return 2;
    }
  }
  if (kubeconfig.empty()) {
    std::fprintf(stderr, "proxy: --kubeconfig is required\n\n%s", kUsage);
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
