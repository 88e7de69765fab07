// The cluster domain's records (records.h).
#include "dns/records.h"

#include <arpa/inet.h>

#include <algorithm>

#include "common/json.h"

namespace skiff::dns {
namespace {

// An address as a record of type A or AAAA for name, or nullopt when ip is not an address.
std::optional<Record> address_record(const std::string& name, const std::string& ip, uint32_t ttl) {
  Record r;
  r.name = name;
  r.ttl = ttl;
  if (::inet_pton(AF_INET, ip.c_str(), r.addr.data()) == 1) {
    r.type = type::kA;
    return r;
  }
  if (::inet_pton(AF_INET6, ip.c_str(), r.addr.data()) == 1) {
    r.type = type::kAAAA;
    return r;
  }
  return std::nullopt;
}

// "d.c.b.a.in-addr.arpa" for an A record's address.
std::string reverse_name(const Record& a) {
  return std::to_string(a.addr[3]) + "." + std::to_string(a.addr[2]) + "." + std::to_string(a.addr[1]) + "." +
         std::to_string(a.addr[0]) + ".in-addr.arpa";
}

std::string dashed(std::string ip) {
  std::replace(ip.begin(), ip.end(), '.', '-');
  std::replace(ip.begin(), ip.end(), ':', '-');
  return ip;
}

bool same_data(const Record& a, const Record& b) {
  return a.type == b.type && a.addr == b.addr && a.target == b.target && a.port == b.port;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

RecordTable::RecordTable(std::string domain, uint32_t ttl)
    : domain_(lower(domain.ends_with(".") ? domain.substr(0, domain.size() - 1) : domain)),
      ttl_(ttl),
      snap_(std::make_shared<Snapshot>()) {
  rebuild({}, {});
}

void RecordTable::rebuild(const std::vector<client::ObjectPtr>& services,
                          const std::vector<client::ObjectPtr>& slices) {
  auto s = std::make_shared<Snapshot>();
  // A name and every name between it and the domain exist (so "svc.<domain>" is NODATA, not
  // NXDOMAIN, RFC 8020).
  auto exists = [&](std::string n) {
    while (n.size() > domain_.size()) {
      if (!s->names.insert(n).second) return;
      n = n.substr(n.find('.') + 1);
    }
  };
  auto add = [&](const std::string& name, Record r) {
    const std::string key = lower(name);
    auto& v = s->records[key];
    r.name = key;
    if (std::none_of(v.begin(), v.end(), [&](const Record& x) { return same_data(x, r); })) v.push_back(r);
    if (ends_with(key, "." + domain_)) exists(key);
  };
  auto add_ptr = [&](const Record& a, const std::string& target) {
    if (a.type != type::kA) return;  // ip6.arpa: not yet
    Record p;
    p.type = type::kPTR;
    p.ttl = ttl_;
    p.target = target;
    add(reverse_name(a), p);
  };
  auto srv = [&](const std::string& name, uint16_t port, const std::string& target) {
    Record r;
    r.type = type::kSRV;
    r.ttl = ttl_;
    r.priority = 0;
    r.weight = 100;
    r.port = port;
    r.target = target;
    add(name, r);
  };
  exists("svc." + domain_);
  exists("pod." + domain_);

  std::map<std::string, std::vector<const json::object*>> by_service;
  for (const auto& sl : slices) {
    std::string svc = get_string(*sl, {"metadata", "labels", "kubernetes.io/service-name"});
    if (!svc.empty()) by_service[get_string(*sl, {"metadata", "namespace"}) + "/" + svc].push_back(sl.get());
  }
  for (const auto& svc : services) {
    const std::string ns = get_string(*svc, {"metadata", "namespace"});
    const std::string name = get_string(*svc, {"metadata", "name"});
    if (ns.empty() || name.empty() || get_string(*svc, {"spec", "type"}, "ClusterIP") == "ExternalName") continue;
    const std::string base = lower(name + "." + ns + ".svc." + domain_);
    const std::string cip = get_string(*svc, {"spec", "clusterIP"});
    exists(base);
    if (cip != "None") {
      std::vector<std::string> ips;
      if (const auto* l = find_path(*svc, {"spec", "clusterIPs"}); l && l->is_array())
        for (const auto& ip : l->get_array())
          if (ip.is_string()) ips.emplace_back(ip.get_string());
      if (ips.empty() && !cip.empty()) ips.push_back(cip);
      for (const auto& ip : ips) {
        auto r = address_record(base, ip, ttl_);
        if (!r) continue;
        add(base, *r);
        add_ptr(*r, base);
      }
      if (const auto* ports = find_path(*svc, {"spec", "ports"}); ports && ports->is_array() && !ips.empty())
        for (const auto& p : ports->get_array()) {
          const std::string pname = get_string(p, {"name"});
          const int64_t port = get_int(p, {"port"});
          if (pname.empty() || port <= 0 || port > 65535) continue;
          srv("_" + pname + "._" + lower(get_string(p, {"protocol"}, "TCP")) + "." + base,
              static_cast<uint16_t>(port), base);
        }
      continue;
    }
    // Headless: the ready endpoints themselves.
    const auto* pnr = find_path(*svc, {"spec", "publishNotReadyAddresses"});
    const bool publish_not_ready = pnr && pnr->is_bool() && pnr->as_bool();
    for (const auto* sl : by_service[ns + "/" + name]) {
      const auto* eps = find_path(*sl, {"endpoints"});
      if (!eps || !eps->is_array()) continue;
      for (const auto& e : eps->get_array()) {
        if (!e.is_object()) continue;
        const auto* ready = find_path(e, {"conditions", "ready"});
        if (!publish_not_ready && ready && ready->is_bool() && !ready->as_bool()) continue;  // absent = ready
        const auto* addrs = find_path(e, {"addresses"});
        if (!addrs || !addrs->is_array()) continue;
        const std::string hostname = get_string(e, {"hostname"});
        for (const auto& a : addrs->get_array()) {
          if (!a.is_string()) continue;
          const std::string ip(a.get_string());
          auto r = address_record(base, ip, ttl_);
          if (!r) continue;
          add(base, *r);
          const std::string ep_name = lower((hostname.empty() ? dashed(ip) : hostname) + "." + base);
          add(ep_name, *r);
          add_ptr(*r, ep_name);
          if (const auto* ports = find_path(*sl, {"ports"}); ports && ports->is_array())
            for (const auto& p : ports->get_array()) {
              const std::string pname = get_string(p, {"name"});
              const int64_t port = get_int(p, {"port"});
              if (pname.empty() || port <= 0 || port > 65535) continue;
              srv("_" + pname + "._" + lower(get_string(p, {"protocol"}, "TCP")) + "." + base,
                  static_cast<uint16_t>(port), ep_name);
            }
        }
      }
    }
  }
  std::lock_guard lock(mu_);
  snap_ = std::move(s);
}

Answer RecordTable::negative(Rcode rcode) const {
  Answer a;
  a.rcode = rcode;
  Record soa;
  soa.name = domain_;
  soa.type = type::kSOA;
  soa.ttl = ttl_;
  soa.target = "ns.dns." + domain_;
  soa.rname = "hostmaster." + domain_;
  soa.serial = 1;
  soa.refresh = 7200;
  soa.retry = 1800;
  soa.expire = 86400;
  soa.minimum = ttl_;
  a.authority.push_back(soa);
  return a;
}

std::optional<Answer> RecordTable::pod_lookup(const std::string& lname, uint16_t qtype) const {
  // "<a-b-c-d>.<ns>" in front of ".pod.<domain>"; "<ns>" alone exists too.
  const std::string rest = lname.substr(0, lname.size() - (".pod." + domain_).size());
  const auto dot = rest.find('.');
  if (dot == std::string::npos) return negative(Rcode::kNoError);
  if (rest.find('.', dot + 1) != std::string::npos) return negative(Rcode::kNxDomain);
  std::string ip = rest.substr(0, dot);
  std::replace(ip.begin(), ip.end(), '-', '.');
  std::array<uint8_t, 4> a{};
  if (::inet_pton(AF_INET, ip.c_str(), a.data()) != 1) return negative(Rcode::kNxDomain);
  if (qtype != type::kA && qtype != type::kANY) return negative(Rcode::kNoError);
  Answer ans;
  ans.answers.push_back(a_record(lname, ttl_, a));
  return ans;
}

std::optional<Answer> RecordTable::lookup(const std::string& name, uint16_t qtype) const {
  std::string lname = lower(name);
  if (!lname.empty() && lname.back() == '.') lname.pop_back();
  const bool ours = lname == domain_ || ends_with(lname, "." + domain_);
  const bool reverse = ends_with(lname, ".in-addr.arpa");
  if (!ours && !reverse) return std::nullopt;
  if (lname == domain_) {
    if (qtype != type::kSOA && qtype != type::kANY) return negative(Rcode::kNoError);
    Answer a = negative(Rcode::kNoError);
    a.answers = std::move(a.authority);
    a.authority.clear();
    return a;
  }
  if (ours && ends_with(lname, ".pod." + domain_)) return pod_lookup(lname, qtype);
  std::shared_ptr<const Snapshot> s;
  {
    std::lock_guard lock(mu_);
    s = snap_;
  }
  Answer a;
  if (auto it = s->records.find(lname); it != s->records.end()) {
    for (const auto& r : it->second)
      if (r.type == qtype || qtype == type::kANY) a.answers.push_back(r);
  }
  if (!a.answers.empty()) {
    for (auto& r : a.answers) r.name = name;  // as asked (case preserved)
    return a;
  }
  if (s->names.count(lname) || s->records.count(lname)) return negative(Rcode::kNoError);
  if (reverse) return std::nullopt;  // an address we do not know: upstream's
  return negative(Rcode::kNxDomain);
}

}  // namespace skiff::dns
