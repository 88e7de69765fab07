// host-gw routes, unreachable routes and the masquerade table (host_gw.h).
#include "agent/host_gw.h"

#include <unistd.h>

#include <fstream>
#include <stdexcept>

#include "agent/context.h"
#include "common/log.h"
#include "runtime/ipam.h"
#include "runtime/process.h"

namespace skiff::agent {
namespace {

std::string tool(const char* name) {
  for (auto d : {"/usr/sbin", "/usr/bin", "/sbin", "/bin"}) {
    std::string p = std::string(d) + "/" + name;
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  return name;
}

std::string text(const runtime::CommandResult& r) {
  std::string e = r.err.empty() ? r.out : r.err;
  while (!e.empty() && e.back() == '\n') e.pop_back();
  return e.empty() ? "exit " + std::to_string(r.exit_code) : e;
}

runtime::CommandResult ip(std::vector<std::string> args) {
  args.insert(args.begin(), tool("ip"));
  return runtime::run_command(args);
}

// A CIDR in canonical form ("10.244.1.0/24"), or "" when it does not parse.
std::string canonical(const std::string& cidr) {
  auto n = runtime::parse_cidr(cidr);
  if (!n || n->prefix == 0) return "";
  return runtime::format_ipv4(n->network) + "/" + std::to_string(n->prefix);
}

std::string internal_ip(const json::object& node) {
  const auto* addrs = find_path(node, {"status", "addresses"});
  if (!addrs || !addrs->is_array()) return "";
  for (const auto& a : addrs->get_array())
    if (a.is_object() && get_string(a.get_object(), {"type"}) == "InternalIP")
      return get_string(a.get_object(), {"address"});
  return "";
}

}  // namespace

HostGw::HostGw(client::Client& client, HostGwOptions options) : client_(client), o_(std::move(options)) {}

HostGw::~HostGw() { stop(); }

void HostGw::start() {
  const std::string cluster = canonical(o_.cluster_cidr), service = canonical(o_.service_cidr);
  if (cluster.empty()) throw std::runtime_error("host-gw: invalid cluster CIDR \"" + o_.cluster_cidr + "\"");
  if (service.empty()) throw std::runtime_error("host-gw: invalid service CIDR \"" + o_.service_cidr + "\"");
  std::ofstream fwd("/proc/sys/net/ipv4/ip_forward");
  if (!(fwd << "1\n" << std::flush))
    throw std::runtime_error("host-gw: cannot enable /proc/sys/net/ipv4/ip_forward");
  // Addresses of the cluster that nothing more specific claims answer "unreachable" here.
  for (const auto& c : {cluster, service}) {
    auto r = ip({"route", "replace", "unreachable", c, "proto", std::to_string(kRouteProto)});
    if (r.exit_code != 0) throw std::runtime_error("host-gw: unreachable route " + c + ": " + text(r));
  }
  // One table, replaced atomically: pods keep their address inside the cluster CIDR and are
  // masqueraded to the node's address everywhere else.
  std::string t = kNatTable;
  std::string batch = "add table ip " + t + "\ndelete table ip " + t + "\n" + "table ip " + t +
                      " {\n  chain postrouting {\n"
                      "    type nat hook postrouting priority srcnat; policy accept;\n"
                      "    ip saddr " + cluster + " ip daddr != " + cluster + " masquerade\n"
                      "  }\n}\n";
  runtime::CommandOptions co;
  co.input = batch;
  auto r = runtime::run_command({tool("nft"), "-f", "-"}, co);
  if (r.exit_code != 0) throw std::runtime_error("host-gw: nftables table " + t + ": " + text(r));
  SKIFF_LOG(INFO) << "agent: host-gw network: cluster " << cluster << ", services " << service
                  << " unreachable unless claimed, masquerade in table ip " << t;

  nodes_ = std::make_unique<client::Informer>(client_, core_resource("nodes"));
  nodes_->add_handlers({[this](const client::ObjectPtr& n) { apply(*n); },
                        [this](const client::ObjectPtr&, const client::ObjectPtr& n) { apply(*n); },
                        [this](const client::ObjectPtr& n) {
                          remove(get_string(*n, {"metadata", "name"}));
                        }});
  nodes_->start();
}

void HostGw::apply(const json::object& node) {
  const std::string name = get_string(node, {"metadata", "name"});
  if (name.empty() || name == o_.node_name) return;
  Route want{canonical(get_string(node, {"spec", "podCIDR"})), internal_ip(node)};
  if (want.cidr.empty() || want.via.empty()) {
    remove(name);
    return;
  }
  std::lock_guard lock(mu_);
  auto it = routes_.find(name);
  if (it != routes_.end() && it->second == want) return;
  if (it != routes_.end() && it->second.cidr != want.cidr)
    ip({"route", "del", it->second.cidr, "proto", std::to_string(kRouteProto)});
  auto r = ip({"route", "replace", want.cidr, "via", want.via, "proto", std::to_string(kRouteProto)});
  if (r.exit_code != 0) {
    SKIFF_LOG(WARN) << "agent: host-gw: route " << want.cidr << " via " << want.via << " (node " << name
                    << "): " << text(r);
    routes_.erase(name);
    return;
  }
  SKIFF_LOG(INFO) << "agent: host-gw: pods of node " << name << " (" << want.cidr << ") via " << want.via;
  routes_[name] = want;
}

void HostGw::remove(const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = routes_.find(name);
  if (it == routes_.end()) return;
  ip({"route", "del", it->second.cidr, "via", it->second.via, "proto", std::to_string(kRouteProto)});
  SKIFF_LOG(INFO) << "agent: host-gw: removed the route to node " << name << " (" << it->second.cidr << ")";
  routes_.erase(it);
}

void HostGw::stop() {
  if (!nodes_) return;
  nodes_->stop();
  nodes_.reset();
  {
    std::lock_guard lock(mu_);
    routes_.clear();
  }
  if (auto err = remove_all(); !err.empty()) {
    SKIFF_LOG(WARN) << "agent: host-gw cleanup: " << err;
  }
}

std::string HostGw::remove_all() {
  std::string err;
  auto r = ip({"route", "flush", "proto", std::to_string(kRouteProto)});
  if (r.exit_code != 0) err = "routes: " + text(r);
  const std::string nft = tool("nft");
  if (::access(nft.c_str(), X_OK) == 0 &&
      runtime::run_command({nft, "list", "table", "ip", kNatTable}).exit_code == 0) {
    r = runtime::run_command({nft, "delete", "table", "ip", kNatTable});
    if (r.exit_code != 0) err += (err.empty() ? "" : "; ") + std::string("nft table: ") + text(r);
  }
  return err;
}

}  // namespace skiff::agent
