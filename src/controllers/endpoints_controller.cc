// The Endpoints controller (upstream pkg/controller/endpoint): for every Service with a
// selector, an Endpoints object of the same name listing the matching pods' addresses, ready
// ones under addresses and the others under notReadyAddresses, grouped by the ports they offer.
// Also the pod/service helpers the EndpointSlice controller shares (declared in services.h).
#include <algorithm>

#include "common/log.h"
#include "controllers/services.h"

namespace skiff::controllers {
namespace {
using client::ObjectPtr;

bool is_headless(const json::object& svc) { return get_string(svc, {"spec", "clusterIP"}) == "None"; }

// The IP family of an address: IPv6 if it has a colon.
const char* family_of(const std::string& ip) {
  return ip.find(':') != std::string::npos ? "IPv6" : "IPv4";
}

// "ip/uid": identifies an address across ports.
std::string address_key(const json::object& a) {
  return get_string(a, {"ip"}) + "/" + get_string(a, {"targetRef", "uid"});
}
}  // namespace

const json::object* find_object(const json::object& o,
                                std::initializer_list<std::string_view> path) {
  const json::value* v = find_path(o, path);
  return v && v->is_object() ? &v->as_object() : nullptr;
}

json::object endpoints_labels(const json::object& svc) {
  json::object labels;
  if (const json::object* l = find_object(svc, {"metadata", "labels"})) labels = *l;
  labels.erase(kHeadlessLabel);
  if (is_headless(svc)) labels[kHeadlessLabel] = "";
  return labels;
}

bool service_has_selector(const json::object& svc) {
  const json::object* sel = find_object(svc, {"spec", "selector"});
  return sel && !sel->empty();
}

bool service_selects(const json::object& svc, const json::object& pod) {
  if (ns_of(svc) != ns_of(pod)) return false;
  const json::object* sel = find_object(svc, {"spec", "selector"});
  if (!sel || sel->empty()) return false;
  const json::object* labels = find_object(pod, {"metadata", "labels"});
  if (!labels) return false;
  for (const auto& kv : *sel) {
    const json::value* v = labels->if_contains(kv.key());
    if (!v || *v != kv.value()) return false;
  }
  return true;
}

bool pod_in_endpoints(const json::object& pod, bool include_terminating) {
  const std::string phase = get_string(pod, {"status", "phase"});
  if (phase == "Succeeded" || phase == "Failed") return false;
  const json::value* ips = find_path(pod, {"status", "podIPs"});
  bool has_ips = ips && ips->is_array() && !ips->as_array().empty();
  if (get_string(pod, {"status", "podIP"}).empty() && !has_ips) return false;
  if (!include_terminating && find_path(pod, {"metadata", "deletionTimestamp"})) return false;
  return true;
}

std::optional<int64_t> resolve_target_port(const json::object& pod, const json::object& svc_port) {
  const json::value* tp = svc_port.if_contains("targetPort");
  if (!tp || tp->is_null()) return get_int(svc_port, {"port"}, 0);
  if (tp->is_int64()) return tp->as_int64();
  if (tp->is_uint64()) return static_cast<int64_t>(tp->as_uint64());
  if (!tp->is_string()) return std::nullopt;
  const std::string name(tp->as_string());
  std::string proto = get_string(svc_port, {"protocol"});
  if (proto.empty()) proto = "TCP";
  // Regular containers, then sidecars (init containers that keep running), as upstream.
  for (const char* list : {"containers", "initContainers"}) {
    const json::value* cs = find_path(pod, {"spec", list});
    if (!cs || !cs->is_array()) continue;
    for (const auto& c : cs->as_array()) {
      if (!c.is_object()) continue;
      if (std::string_view(list) == "initContainers" &&
          get_string(c, {"restartPolicy"}) != "Always")
        continue;
      const json::value* ports = c.as_object().if_contains("ports");
      if (!ports || !ports->is_array()) continue;
      for (const auto& p : ports->as_array()) {
        if (!p.is_object()) continue;
        std::string pproto = get_string(p, {"protocol"});
        if (pproto.empty()) pproto = "TCP";
        if (get_string(p, {"name"}) == name && pproto == proto)
          return get_int(p, {"containerPort"}, 0);
      }
    }
  }
  return std::nullopt;
}

std::string pod_address_for(const json::object& pod, const json::object& svc) {
  std::string family = "IPv4";
  if (const json::value* f = find_path(svc, {"spec", "ipFamilies"});
      f && f->is_array() && !f->as_array().empty() && f->as_array()[0].is_string())
    family = std::string(f->as_array()[0].as_string());
  if (const json::value* ips = find_path(pod, {"status", "podIPs"}); ips && ips->is_array())
    for (const auto& e : ips->as_array()) {
      std::string ip = get_string(e, {"ip"});
      if (!ip.empty() && family_of(ip) == family) return ip;
    }
  std::string ip = get_string(pod, {"status", "podIP"});
  return !ip.empty() && family_of(ip) == family ? ip : "";
}

std::string pod_hostname_for(const json::object& pod, const json::object& svc) {
  std::string host = get_string(pod, {"spec", "hostname"});
  if (host.empty() || get_string(pod, {"spec", "subdomain"}) != name_of(svc) ||
      ns_of(pod) != ns_of(svc))
    return "";
  return host;
}

json::array repack_subsets(const std::vector<EndpointEntry>& entries) {
  // Port (canonical JSON; "" stands for "no ports") -> its port object and address readiness.
  struct PortAddrs {
    json::object port;
    std::map<std::string, bool> ready;  // address key -> ready
  };
  std::map<std::string, json::object> addresses;  // address key -> address
  std::map<std::string, PortAddrs> by_port;
  for (const auto& e : entries) {
    const std::string k = address_key(e.address);
    addresses.try_emplace(k, e.address);
    if (e.ports.empty()) {
      by_port[""].ready[k] = e.ready;
      continue;
    }
    for (const auto& p : e.ports) {
      auto& slot = by_port[canonical_json(p)];
      slot.port = p.as_object();
      slot.ready[k] = e.ready;
    }
  }
  // Ports offered by exactly the same addresses (with the same readiness) share a subset.
  struct Group {
    const std::map<std::string, bool>* ready = nullptr;
    std::vector<json::object> ports;
  };
  std::map<std::string, Group> groups;
  for (const auto& [pk, pa] : by_port) {
    std::string gk;
    for (const auto& [ak, r] : pa.ready) gk += ak + (r ? "+" : "-") + ",";
    Group& g = groups[gk];
    g.ready = &pa.ready;
    if (!pk.empty()) g.ports.push_back(pa.port);
  }
  auto ip_less = [](const json::value& a, const json::value& b) {
    return address_key(a.as_object()) < address_key(b.as_object());
  };
  std::vector<json::object> subsets;
  for (auto& [_, g] : groups) {
    json::array ready, not_ready;
    for (const auto& [ak, r] : *g.ready) (r ? ready : not_ready).push_back(addresses[ak]);
    std::sort(ready.begin(), ready.end(), ip_less);
    std::sort(not_ready.begin(), not_ready.end(), ip_less);
    std::sort(g.ports.begin(), g.ports.end(), [](const json::object& a, const json::object& b) {
      return std::make_tuple(get_string(a, {"name"}), get_int(a, {"port"}), get_string(a, {"protocol"})) <
             std::make_tuple(get_string(b, {"name"}), get_int(b, {"port"}), get_string(b, {"protocol"}));
    });
    json::object s;
    if (!ready.empty()) s["addresses"] = std::move(ready);
    if (!not_ready.empty()) s["notReadyAddresses"] = std::move(not_ready);
    if (!g.ports.empty()) {
      json::array ports;
      for (auto& p : g.ports) ports.push_back(std::move(p));
      s["ports"] = std::move(ports);
    }
    subsets.push_back(std::move(s));
  }
  // Subsets in the order of their first address, then their ports.
  auto first = [](const json::object& s) {
    for (const char* f : {"addresses", "notReadyAddresses"})
      if (const json::value* a = s.if_contains(f); a && !a->as_array().empty())
        return address_key(a->as_array()[0].as_object());
    return std::string();
  };
  std::sort(subsets.begin(), subsets.end(), [&](const json::object& a, const json::object& b) {
    std::string fa = first(a), fb = first(b);
    return fa != fb ? fa < fb : canonical_json(a) < canonical_json(b);
  });
  json::array out;
  for (auto& s : subsets) out.push_back(std::move(s));
  return out;
}

json::array build_endpoint_subsets(const json::object& svc, const std::vector<ObjectPtr>& pods) {
  const bool publish = find_path(svc, {"spec", "publishNotReadyAddresses"}) &&
                       find_path(svc, {"spec", "publishNotReadyAddresses"})->is_bool() &&
                       find_path(svc, {"spec", "publishNotReadyAddresses"})->as_bool();
  const json::value* ports_v = find_path(svc, {"spec", "ports"});
  const json::array no_ports;
  const json::array& svc_ports = ports_v && ports_v->is_array() ? ports_v->as_array() : no_ports;
  std::vector<EndpointEntry> entries;
  for (const auto& p : pods) {
    const json::object& pod = *p;
    if (!service_selects(svc, pod) || !pod_in_endpoints(pod, publish)) continue;
    std::string ip = pod_address_for(pod, svc);
    if (ip.empty()) continue;
    EndpointEntry e;
    e.address["ip"] = ip;
    if (std::string h = pod_hostname_for(pod, svc); !h.empty()) e.address["hostname"] = h;
    if (std::string n = get_string(pod, {"spec", "nodeName"}); !n.empty()) e.address["nodeName"] = n;
    e.address["targetRef"] = json::object{
        {"kind", "Pod"}, {"namespace", ns_of(pod)}, {"name", name_of(pod)}, {"uid", uid_of(pod)}};
    e.ready = publish || is_pod_ready(pod);
    if (svc_ports.empty()) {
      if (is_headless(svc)) entries.push_back(e);
      continue;
    }
    for (const auto& sp : svc_ports) {
      if (!sp.is_object()) continue;
      auto num = resolve_target_port(pod, sp.as_object());
      if (!num) continue;  // upstream logs and skips the port for this pod
      json::object port;
      if (std::string n = get_string(sp, {"name"}); !n.empty()) port["name"] = n;
      port["port"] = *num;
      std::string proto = get_string(sp, {"protocol"});
      port["protocol"] = proto.empty() ? "TCP" : proto;
      if (std::string ap = get_string(sp, {"appProtocol"}); !ap.empty()) port["appProtocol"] = ap;
      EndpointEntry pe = e;
      pe.ports.push_back(std::move(port));
      entries.push_back(std::move(pe));
    }
  }
  return repack_subsets(entries);
}

// ---- the controller ----

EndpointsController::EndpointsController(client::Client& c, InformerFactory& inf, int workers)
    : QueueController("endpoints", workers),
      client_(c),
      services_(inf.get("", "services")),
      pods_(inf.get("", "pods")),
      endpoints_(inf.get("", "endpoints")) {
  services_.add_handlers(key_handlers());
  pods_.add_handlers(client::Handlers{
      [this](const ObjectPtr& p) { on_pod(nullptr, p); },
      [this](const ObjectPtr& o, const ObjectPtr& p) { on_pod(o, p); },
      [this](const ObjectPtr& p) { on_pod(nullptr, p); }});
  // A deleted or hand-edited Endpoints of a selector service is put back (an Endpoints has its
  // Service's key); creations are this controller's own doing and need no reaction.
  client::Handlers put_back = key_handlers();
  put_back.on_add = nullptr;
  endpoints_.add_handlers(std::move(put_back));
}

void EndpointsController::on_pod(const ObjectPtr& old_pod, const ObjectPtr& pod) {
  for (const auto& s : services_.list_namespace(ns_of(*pod)))
    if (service_selects(*s, *pod) || (old_pod && service_selects(*s, *old_pod)))
      enqueue(client::object_key(*s));
}

Status EndpointsController::sync(const std::string& key) {
  const auto slash = key.find('/');
  const std::string ns = key.substr(0, slash), name = key.substr(slash + 1);
  const auto& epr = resource("", "endpoints");
  ObjectPtr svc = services_.get(key);
  if (!svc) {
    // The service is gone: so are its endpoints (selector or not, as upstream). Asked of the
    // API even when the cache has none: it may not show our latest create yet.
    auto r = client_.remove(epr, ns, name);
    if (!r && r.error().code != 404) return r.error();
    return ok_status();
  }
  if (get_string(*svc, {"spec", "type"}) == "ExternalName" || !service_has_selector(*svc))
    return ok_status();  // user-managed endpoints
  if (find_path(*svc, {"metadata", "deletionTimestamp"})) return ok_status();

  json::array subsets = build_endpoint_subsets(*svc, pods_.list_namespace(ns));
  json::object labels = endpoints_labels(*svc);
  ObjectPtr cur = endpoints_.get(key);
  if (cur) {
    const json::value* cs = cur->if_contains("subsets");
    const json::object* cl = find_object(*cur, {"metadata", "labels"});
    if (canonical_json(cs ? *cs : json::value(json::array{})) == canonical_json(subsets) &&
        canonical_json(cl ? json::value(*cl) : json::value(json::object{})) ==
            canonical_json(labels))
      return ok_status();
    json::object upd = *cur;
    // No addresses: no subsets field at all, as upstream's omitempty.
    if (subsets.empty()) upd.erase("subsets");
    else upd["subsets"] = std::move(subsets);
    ensure_object(upd, "metadata")["labels"] = std::move(labels);
    auto r = client_.update(epr, ns, name, upd);
    if (!r && r.error().code != 404) return r.error();  // 409: the cache catches up, retry
    return ok_status();
  }
  json::object ep{{"apiVersion", "v1"},
                  {"kind", "Endpoints"},
                  {"metadata", json::object{{"name", name}, {"namespace", ns}, {"labels", labels}}}};
  if (!subsets.empty()) ep["subsets"] = std::move(subsets);
  auto r = client_.create(epr, ns, ep);
  if (!r) {
    // 403: the namespace is terminating; nothing to do.
    if (r.error().code == 403) return ok_status();
    return r.error();  // 409 AlreadyExists: our cache is behind; retry after it caught up
  }
  return ok_status();
}

}  // namespace skiff::controllers
