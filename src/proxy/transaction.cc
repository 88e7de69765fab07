// Fragments -> `nft -f` transactions: the incremental diff and the full sync (transaction.h).
#include "proxy/transaction.h"

#include <sstream>
#include <tuple>

namespace skiff::proxy {
namespace {

const std::string T = std::string("ip ") + kTable;

void write_chain(std::ostringstream& o, const std::string& name, const std::vector<std::string>& rules) {
  for (const auto& r : rules) o << "add rule " << T << " " << name << " " << r << "\n";
}

void write_element(std::ostringstream& o, const std::pair<std::string, std::string>& k, const std::string& v) {
  o << "add element " << T << " " << k.first << " { " << k.second << " : " << v << " }\n";
}

struct Base {
  const char* name;
  const char* type;
};
constexpr Base kMaps[] = {
    {"services", "ipv4_addr . inet_proto . inet_service : verdict"},
    {"nodeports", "inet_proto . inet_service : verdict"},
    {"no-endpoint-services", "ipv4_addr . inet_proto . inet_service : verdict"},
    {"no-endpoint-nodeports", "inet_proto . inet_service : verdict"},
    {"hostports", "inet_proto . inet_service : verdict"},
    {"hostip-ports", "ipv4_addr . inet_proto . inet_service : verdict"},
};

// The fixed chains: (name, hook spec or "", rules).
std::vector<std::tuple<std::string, std::string, std::vector<std::string>>> base_chains(const RuleOptions& o) {
  const std::string local = "fib daddr type local ip daddr != 127.0.0.0/8 ";  // no NodePort on localhost
  std::vector<std::string> post_dnat;
  if (!o.service_cidr.empty()) {
    // A local TCP connect ignores an ICMP host-unreachable in SYN_SENT (it retries until its
    // timeout), so TCP gets a reset: an immediate "connection refused".
    post_dnat.push_back("ip daddr " + o.service_cidr + " meta l4proto tcp reject with tcp reset");
    post_dnat.push_back("ip daddr " + o.service_cidr + " reject with icmp type host-unreachable");
  }
  return {
      {"filter-output-post-dnat", "type filter hook output priority -90 ;", post_dnat},
      {"mark-for-masquerade", "", {"meta mark set meta mark | 0x4000"}},
      {"masquerading", "",
       {"meta mark & 0x4000 == 0 return", "meta mark set meta mark ^ 0x4000", "masquerade fully-random"}},
      {"reject-chain", "", {"meta l4proto tcp reject with tcp reset", "reject with icmp type port-unreachable"}},
      {"services-check", "",
       {"ip daddr . meta l4proto . th dport vmap @no-endpoint-services",
        local + "meta l4proto . th dport vmap @no-endpoint-nodeports"}},
      // Before DNAT, and in prerouting rather than forward: a ClusterIP that is not DNATed
      // would otherwise meet the flannel backend's `unreachable` route for the service CIDR.
      {"filter-prerouting", "type filter hook prerouting priority -110 ;", {"ct state new jump services-check"}},
      {"filter-output", "type filter hook output priority -110 ;", {"ct state new jump services-check"}},
      {"services", "",
       {"ip daddr . meta l4proto . th dport vmap @services", local + "meta l4proto . th dport vmap @nodeports",
        "ip daddr . meta l4proto . th dport vmap @hostip-ports", local + "meta l4proto . th dport vmap @hostports"}},
      {"nat-prerouting", "type nat hook prerouting priority dstnat ;", {"jump services"}},
      {"nat-output", "type nat hook output priority -100 ;", {"jump services"}},
      {"nat-postrouting", "type nat hook postrouting priority srcnat ;", {"jump masquerading"}},
  };
}

}  // namespace

std::string diff(const Fragment& a, const Fragment& b) {
  std::ostringstream o;
  std::set<std::string> sets_changed;  // deleted or recreated: rules naming them are rewritten too
  for (const auto& [name, spec] : a.sets) {
    auto it = b.sets.find(name);
    if (it == b.sets.end() || it->second != spec) sets_changed.insert(name);
  }
  auto names_changed_set = [&](const std::vector<std::string>& rules) {
    for (const auto& r : rules)
      for (const auto& s : sets_changed)
        if (r.find("@" + s + " ") != std::string::npos) return true;
    return false;
  };
  std::set<std::string> rewrite;  // chains of b whose rules are (re)written
  for (const auto& [name, rules] : b.chains) {
    auto it = a.chains.find(name);
    if (it == a.chains.end() || it->second != rules || names_changed_set(it->second)) rewrite.insert(name);
  }
  // 1. Elements that go or change, and chains that go or change, are emptied first: after
  //    that nothing refers to a chain or set that is about to be deleted.
  for (const auto& [k, v] : a.elements) {
    auto it = b.elements.find(k);
    if (it == b.elements.end() || it->second != v)
      o << "delete element " << T << " " << k.first << " { " << k.second << " }\n";
  }
  for (const auto& [name, rules] : a.chains)
    if (!b.chains.count(name) || rewrite.count(name)) o << "flush chain " << T << " " << name << "\n";
  for (const auto& [name, rules] : a.chains)
    if (!b.chains.count(name)) o << "delete chain " << T << " " << name << "\n";
  for (const auto& s : sets_changed) o << "delete set " << T << " " << s << "\n";
  // 2. New sets and chains exist before any rule or element refers to them.
  for (const auto& [name, spec] : b.sets)
    if (!a.sets.count(name) || sets_changed.count(name)) o << "add set " << T << " " << name << " " << spec << "\n";
  for (const auto& [name, rules] : b.chains)
    if (!a.chains.count(name)) o << "add chain " << T << " " << name << "\n";
  for (const auto& name : rewrite) write_chain(o, name, b.chains.at(name));
  for (const auto& [k, v] : b.elements) {
    auto it = a.elements.find(k);
    if (it == a.elements.end() || it->second != v) write_element(o, k, v);
  }
  return o.str();
}

std::vector<std::string> full_sync(const std::set<std::string>& existing_chains,
                                   const std::set<std::string>& existing_sets,
                                   const std::vector<const Fragment*>& fragments, const RuleOptions& ro,
                                   size_t batch_rules) {
  std::vector<std::string> out;
  std::set<std::string> want_chains, want_sets;
  // 1. Every fragment's chains and sets, empty (a no-op for those that exist; existing affinity
  //    sets keep their entries).
  std::ostringstream pre;
  pre << "add table " << T << "\n";
  const auto base = base_chains(ro);
  for (const auto& [name, hook, rules] : base) {  // the fragments' rules jump to some of them
    pre << "add chain " << T << " " << name;
    if (!hook.empty()) pre << " { " << hook << " policy accept ; }";
    pre << "\n";
    want_chains.insert(name);
  }
  for (const auto* f : fragments) {
    for (const auto& [name, spec] : f->sets) {
      pre << "add set " << T << " " << name << " " << spec << "\n";
      want_sets.insert(name);
    }
    for (const auto& [name, rules] : f->chains) {
      pre << "add chain " << T << " " << name << "\n";
      want_chains.insert(name);
    }
  }
  out.push_back(pre.str());
  // 2. Batches of owners: each flushes and refills its owners' chains, so it is consistent on
  //    its own (the map elements pointing at those chains stay valid throughout).
  std::ostringstream o;
  size_t n = 0;
  for (const auto* f : fragments) {
    for (const auto& [name, rules] : f->chains) {
      o << "flush chain " << T << " " << name << "\n";
      write_chain(o, name, rules);
      n += rules.size() + 1;
    }
    if (n >= batch_rules) {
      out.push_back(o.str());
      o.str("");
      n = 0;
    }
  }
  if (n) out.push_back(o.str());
  // 3. The maps, rewritten; the base chains; what nothing wants any more.
  o.str("");
  for (const auto& m : kMaps) {
    o << "add map " << T << " " << m.name << " { type " << m.type << " ; }\nflush map " << T << " " << m.name << "\n";
    want_sets.insert(m.name);
  }
  for (const auto& [name, hook, rules] : base) o << "flush chain " << T << " " << name << "\n";
  for (const auto& c : existing_chains)
    if (!want_chains.count(c)) o << "flush chain " << T << " " << c << "\n";
  for (const auto& c : existing_chains)
    if (!want_chains.count(c)) o << "delete chain " << T << " " << c << "\n";
  for (const auto& s : existing_sets)
    if (!want_sets.count(s)) o << "delete set " << T << " " << s << "\n";
  for (const auto& [name, hook, rules] : base) write_chain(o, name, rules);
  for (const auto* f : fragments)
    for (const auto& [k, v] : f->elements) write_element(o, k, v);
  out.push_back(o.str());
  return out;
}

void parse_names(const std::string& listing, std::set<std::string>& chains, std::set<std::string>& sets) {
  std::istringstream in(listing);
  std::string line;
  while (std::getline(in, line)) {
    size_t i = line.find_first_not_of(" \t");
    if (i == std::string::npos) continue;
    std::istringstream w(line.substr(i));
    std::string kind, name;
    w >> kind >> name;
    if (name.empty() || line.back() != '{') continue;
    if (kind == "chain") chains.insert(name);
    else if (kind == "set" || kind == "map") sets.insert(name);
  }
}

}  // namespace skiff::proxy
