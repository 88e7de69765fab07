// The pod network between nodes: host-gw and vxlan peers, unreachable routes, the masquerade
// table (flannel.h).
#include "agent/flannel.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "agent/context.h"
#include "api/node_address.h"
#include "common/health.h"
#include "common/log.h"
#include "runtime/ipam.h"
#include "runtime/process.h"

namespace skiff::agent {
namespace {

runtime::CommandResult ip(std::vector<std::string> args) {
  args.insert(args.begin(), runtime::find_tool("ip"));
  return runtime::run_command(args);
}

// A CIDR in canonical form ("10.244.1.0/24"), or "" when it does not parse.
std::string canonical(const std::string& cidr) {
  auto n = runtime::parse_cidr(cidr);
  if (!n || n->prefix == 0) return "";
  return runtime::format_ipv4(n->network) + "/" + std::to_string(n->prefix);
}

std::string annotation(const json::object& node, const std::string& key) {
  const auto* a = find_path(node, {"metadata", "annotations"});
  if (!a || !a->is_object()) return "";
  const auto* v = a->get_object().if_contains(std::string(Flannel::kAnnotationPrefix) + key);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

// The word after `key` in `ip -o link show dev <dev>` ("mtu" -> "1500", "link/ether" -> MAC).
// Not from /sys/class/net: that shows the network namespace sysfs was mounted in, and an agent
// entered with `nsenter --net` only (scripts/cluster) is in another one.
std::string link_field(const std::string& dev, const std::string& key) {
  auto r = runtime::run_command({runtime::find_tool("ip"), "-o", "link", "show", "dev", dev});
  std::istringstream in(r.out);
  for (std::string w; in >> w;)
    if (w == key && in >> w) return w;
  return "";
}

// The interface holding `ip` in this network namespace ("" when none does).
std::string interface_of(const std::string& ip) {
  auto r = runtime::run_command({runtime::find_tool("ip"), "-o", "-4", "addr", "show"});
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    std::istringstream f(line);
    std::string idx, dev, fam, addr;
    f >> idx >> dev >> fam >> addr;
    if (addr.substr(0, addr.find('/')) == ip) return dev.substr(0, dev.find('@'));
  }
  return "";
}

}  // namespace

Flannel::Flannel(client::Client& client, FlannelOptions options) : client_(client), o_(std::move(options)) {}

Flannel::~Flannel() { stop(); }

void Flannel::start() {
  if (o_.backend != "host-gw" && o_.backend != "vxlan")
    throw std::runtime_error("flannel: unknown backend \"" + o_.backend + "\" (host-gw or vxlan)");
  vxlan_ = o_.backend == "vxlan";
  const std::string cluster = canonical(o_.cluster_cidr), service = canonical(o_.service_cidr);
  if (cluster.empty()) throw std::runtime_error("flannel: invalid cluster CIDR \"" + o_.cluster_cidr + "\"");
  if (service.empty()) throw std::runtime_error("flannel: invalid service CIDR \"" + o_.service_cidr + "\"");
  std::ofstream fwd("/proc/sys/net/ipv4/ip_forward");
  if (!(fwd << "1\n" << std::flush))
    throw std::runtime_error("flannel: cannot enable /proc/sys/net/ipv4/ip_forward");
  // Addresses of the cluster that nothing more specific claims answer "unreachable" here.
  for (const auto& c : {cluster, service}) {
    auto r = ip({"route", "replace", "unreachable", c, "proto", std::to_string(kRouteProto)});
    if (r.exit_code != 0) throw std::runtime_error("flannel: unreachable route " + c + ": " + runtime::command_error(r));
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
  auto r = runtime::run_command({runtime::find_tool("nft"), "-f", "-"}, co);
  if (r.exit_code != 0) throw std::runtime_error("flannel: nftables table " + t + ": " + runtime::command_error(r));
  if (vxlan_) start_vxlan();
  SKIFF_LOG(INFO) << "agent: " << o_.backend << " network: cluster " << cluster << ", services " << service
                  << " unreachable unless claimed, masquerade in table ip " << t;

  nodes_ = std::make_unique<client::Informer>(client_, core_resource("nodes"));
  nodes_->add_handlers({[this](const client::ObjectPtr& n) { apply(*n); },
                        [this](const client::ObjectPtr&, const client::ObjectPtr& n) { apply(*n); },
                        [this](const client::ObjectPtr& n) {
                          remove(get_string(*n, {"metadata", "name"}));
                        }});
  {
    std::lock_guard lock(mu_);
    report_health();  // host part programmed; peers follow from the watch
  }
  nodes_->start();
  // Entries a previous agent left for nodes deleted while no agent ran: once the first list is
  // in, everything not wanted goes. (Deletions seen by the watch are handled by remove().)
  if (nodes_->wait_synced(std::chrono::seconds(30))) {
    prune_stale();
  } else {
    SKIFF_LOG(WARN) << "agent: " << o_.backend << ": Nodes not listed within 30 s; stale routes are kept";
  }
}

void Flannel::start_vxlan() {
  const std::string dev = kVxlanDevice, under = interface_of(o_.node_ip);
  if (under.empty()) throw std::runtime_error("flannel: no interface holds the node IP " + o_.node_ip);
  int mtu = std::atoi(link_field(under, "mtu").c_str());
  if (mtu <= 50) throw std::runtime_error("flannel: cannot read the MTU of " + under);
  mtu -= 50;  // outer IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14
  // A VTEP a previous agent left is kept when it is the one we would make: its MAC stays the
  // one the other nodes know, so their neighbour and FDB entries stay right across our restart.
  bool keep = vxlan_matches(dev, under, mtu);
  if (!keep) {
    ip({"link", "del", dev});
    auto r = ip({"link", "add", dev, "mtu", std::to_string(mtu), "type", "vxlan", "id", "1", "local", o_.node_ip,
                 "dev", under, "dstport", "8472", "nolearning"});
    if (r.exit_code != 0) throw std::runtime_error("flannel: create " + dev + ": " + runtime::command_error(r));
  }
  auto r = ip({"link", "set", dev, "up"});
  if (r.exit_code != 0) throw std::runtime_error("flannel: bring up " + dev + ": " + runtime::command_error(r));
  vtep_mac_ = link_field(dev, "link/ether");
  if (vtep_mac_.empty()) throw std::runtime_error("flannel: no MAC address on " + dev);
  pod_mtu_ = mtu;
  SKIFF_LOG(INFO) << "agent: vxlan: " << (keep ? "kept " : "") << dev << " VNI 1 on " << under << " ("
                  << o_.node_ip << "), MAC " << vtep_mac_ << ", MTU " << mtu;
}

bool Flannel::vxlan_matches(const std::string& dev, const std::string& under, int mtu) {
  auto r = ip({"-d", "-o", "link", "show", "dev", dev});
  if (r.exit_code != 0) return false;
  std::istringstream in(r.out);
  std::map<std::string, std::string> f;  // a word -> the word after it
  std::string prev;
  for (std::string w; in >> w; prev = w)
    if (!prev.empty() && !f.count(prev)) f[prev] = w;
  std::string link = f["dev"];
  return f["vxlan"] == "id" && f["id"] == "1" && f["local"] == o_.node_ip && f["dstport"] == "8472" &&
         link.substr(0, link.find('@')) == under && f["mtu"] == std::to_string(mtu);
}

void Flannel::prune_stale() {
  // mu_ is held throughout, not just for the snapshot: the Node watch's apply() runs meanwhile
  // and installs under mu_, so an entry it added after the snapshot would be taken for a
  // leftover and deleted (a peer joining just then lost its neighbour and FDB entries for good).
  std::lock_guard lock(mu_);
  std::set<std::string> cidrs, vias, fdb;
  for (const auto& [name, p] : peers_) {
    cidrs.insert(p.cidr);
    vias.insert(p.via);
    fdb.insert(p.mac + " " + p.public_ip);
  }
  int removed = 0;
  auto r = ip({"-o", "route", "show", "proto", std::to_string(kRouteProto)});
  std::istringstream routes(r.out);
  for (std::string line; std::getline(routes, line);) {
    std::istringstream w(line);
    std::string dst;
    w >> dst;
    if (dst.empty() || dst == "unreachable" || cidrs.count(dst)) continue;
    if (ip({"route", "del", dst, "proto", std::to_string(kRouteProto)}).exit_code == 0) ++removed;
  }
  if (vxlan_) {
    r = ip({"neigh", "show", "dev", kVxlanDevice, "nud", "permanent"});
    std::istringstream neigh(r.out);
    for (std::string line; std::getline(neigh, line);) {
      std::string addr = line.substr(0, line.find(' '));
      if (!addr.empty() && !vias.count(addr) && ip({"neigh", "del", addr, "dev", kVxlanDevice}).exit_code == 0)
        ++removed;
    }
    // "MAC dst IP self permanent" lines; the all-zero MAC entries are the device's own.
    r = runtime::run_command({runtime::find_tool("bridge"), "fdb", "show", "dev", kVxlanDevice});
    std::istringstream entries(r.out);
    for (std::string line; std::getline(entries, line);) {
      std::istringstream w(line);
      std::string mac, key, dst;
      w >> mac >> key >> dst;
      if (key != "dst" || mac == "00:00:00:00:00:00" || fdb.count(mac + " " + dst)) continue;
      if (runtime::run_command({runtime::find_tool("bridge"), "fdb", "del", mac, "dev", kVxlanDevice, "dst", dst})
              .exit_code == 0)
        ++removed;
    }
  }
  if (removed) {
    SKIFF_LOG(INFO) << "agent: " << o_.backend << ": removed " << removed
                    << " route/neighbour/FDB entries a previous agent left for nodes that are gone";
  }
}

json::object Flannel::annotations() const {
  if (!vxlan_) return {};
  const std::string p = kAnnotationPrefix;
  json::object data{{"VNI", 1}, {"VtepMAC", vtep_mac_}};
  return {{p + "backend-type", "vxlan"},
          {p + "backend-data", json::serialize(data)},
          {p + "public-ip", o_.node_ip},
          {p + "kube-subnet-manager", "true"}};
}

void Flannel::apply(const json::object& node) {
  const std::string name = get_string(node, {"metadata", "name"});
  if (name.empty()) return;
  const std::string cidr = canonical(get_string(node, {"spec", "podCIDR"}));
  if (name == o_.node_name) {
    // vxlan: flannel.1 carries our podCIDR's network address (the source of what the node
    // itself sends to other nodes' pods).
    std::lock_guard lock(mu_);
    if (vxlan_ && !cidr.empty() && cidr != own_cidr_) {
      const std::string a = cidr.substr(0, cidr.find('/')) + "/32";
      auto r = ip({"addr", "replace", a, "dev", kVxlanDevice});
      if (r.exit_code == 0) {
        own_cidr_ = cidr;
        failed_.erase(name);
      } else {
        SKIFF_LOG(WARN) << "agent: vxlan: address " << a << " on " << kVxlanDevice << ": " << runtime::command_error(r);
        failed_[name] = "address " + a + " on " + kVxlanDevice + ": " + runtime::command_error(r);
      }
      report_health();
    }
    return;
  }
  Peer want;
  want.cidr = cidr;
  if (!vxlan_) {
    want.via = api::node_address(node, "InternalIP");
  } else if (annotation(node, "backend-type") == "vxlan") {
    json::value data;
    std::string err;
    if (parse_json(annotation(node, "backend-data"), data, err) && data.is_object())
      want.mac = get_string(data.get_object(), {"VtepMAC"});
    want.public_ip = annotation(node, "public-ip");
    if (!cidr.empty()) want.via = cidr.substr(0, cidr.find('/'));
  }
  if (want.cidr.empty() || want.via.empty() || (vxlan_ && (want.mac.empty() || want.public_ip.empty()))) {
    remove(name);
    return;
  }
  std::lock_guard lock(mu_);
  auto it = peers_.find(name);
  if (it != peers_.end() && it->second == want) return;
  if (it != peers_.end()) {
    uninstall(it->second);
    peers_.erase(it);
  }
  if (!install(want)) {
    failed_[name] = "the way to node " + name + " (" + want.cidr + ") could not be programmed";
    report_health();
    return;
  }
  failed_.erase(name);
  report_health();
  SKIFF_LOG(INFO) << "agent: " << o_.backend << ": pods of node " << name << " (" << want.cidr << ") via "
                  << (vxlan_ ? want.public_ip + " (VTEP " + want.mac + ")" : want.via);
  peers_[name] = want;
}

bool Flannel::install(const Peer& p) {
  const std::string proto = std::to_string(kRouteProto), dev = kVxlanDevice;
  std::vector<std::vector<std::string>> steps;
  if (!vxlan_) {
    steps.push_back({runtime::find_tool("ip"), "route", "replace", p.cidr, "via", p.via, "proto", proto});
  } else {
    steps.push_back({runtime::find_tool("ip"), "neigh", "replace", p.via, "lladdr", p.mac, "dev", dev, "nud", "permanent"});
    steps.push_back({runtime::find_tool("bridge"), "fdb", "append", p.mac, "dev", dev, "dst", p.public_ip});
    steps.push_back({runtime::find_tool("ip"), "route", "replace", p.cidr, "via", p.via, "dev", dev, "onlink", "proto", proto});
  }
  for (const auto& cmd : steps) {
    auto r = runtime::run_command(cmd);
    if (r.exit_code != 0 && !(cmd[1] == "fdb" && r.err.find("exists") != std::string::npos)) {
      SKIFF_LOG(WARN) << "agent: " << o_.backend << ": " << cmd[1] << " for " << p.cidr << ": " << runtime::command_error(r);
      uninstall(p);
      return false;
    }
  }
  return true;
}

void Flannel::uninstall(const Peer& p) {
  ip({"route", "del", p.cidr, "via", p.via, "proto", std::to_string(kRouteProto)});
  if (!vxlan_) return;
  ip({"neigh", "del", p.via, "dev", kVxlanDevice});
  runtime::run_command({runtime::find_tool("bridge"), "fdb", "del", p.mac, "dev", kVxlanDevice, "dst", p.public_ip});
}

void Flannel::report_health() {
  if (failed_.empty()) return health::beat("kube-flannel", "routes", std::chrono::milliseconds(0));
  std::string why;
  for (const auto& [node, msg] : failed_) why += (why.empty() ? "" : "; ") + msg;
  health::fail("kube-flannel", "routes", why);
}

void Flannel::remove(const std::string& name) {
  std::lock_guard lock(mu_);
  if (failed_.erase(name)) report_health();
  auto it = peers_.find(name);
  if (it == peers_.end()) return;
  uninstall(it->second);
  SKIFF_LOG(INFO) << "agent: " << o_.backend << ": removed the way to node " << name << " (" << it->second.cidr << ")";
  peers_.erase(it);
}

void Flannel::stop() {
  if (!nodes_) return;
  nodes_->stop();
  nodes_.reset();
  {
    std::lock_guard lock(mu_);
    peers_.clear();
    failed_.clear();
  }
  health::forget("kube-flannel", "routes");
  // Routes, neighbours, FDB entries, flannel.1 and the masquerade table stay, as flannel leaves
  // them: pods keep talking across an agent restart, and the next agent adopts them (start()
  // keeps a matching VTEP and prunes what is stale). `skiff node-reset` removes them all.
}

std::string Flannel::remove_all() {
  std::string err;
  auto r = ip({"route", "flush", "proto", std::to_string(kRouteProto)});
  if (r.exit_code != 0) err = "routes: " + runtime::command_error(r);
  // The VTEP; its neighbours and FDB entries go with it.
  if (ip({"link", "show", "dev", kVxlanDevice}).exit_code == 0) {
    r = ip({"link", "del", "dev", kVxlanDevice});
    if (r.exit_code != 0) err += (err.empty() ? "" : "; ") + std::string(kVxlanDevice) + ": " + runtime::command_error(r);
  }
  const std::string nft = runtime::find_tool("nft");
  if (::access(nft.c_str(), X_OK) == 0 &&
      runtime::run_command({nft, "list", "table", "ip", kNatTable}).exit_code == 0) {
    r = runtime::run_command({nft, "delete", "table", "ip", kNatTable});
    if (r.exit_code != 0) err += (err.empty() ? "" : "; ") + std::string("nft table: ") + runtime::command_error(r);
  }
  return err;
}

}  // namespace skiff::agent
