// The EndpointSlice controller (upstream pkg/controller/endpointslice): for every Service with a
// selector, discovery.k8s.io/v1 EndpointSlices named <service>-<random> holding at most 100
// endpoints each, one set of slices per distinct port mapping, owned by the Service (the garbage
// collector removes them with it). Terminating pods stay in, with terminating=true. A service
// that selects no pod keeps one empty placeholder slice, as upstream.
#include <algorithm>

#include "common/log.h"
#include "controllers/services.h"

namespace skiff::controllers {
namespace {
using client::ObjectPtr;

bool flag(const json::object& o, std::initializer_list<std::string_view> p) {
  const json::value* v = find_path(o, p);
  return v && v->is_bool() && v->as_bool();
}

// What identifies an endpoint across syncs: its pod, else its first address.
std::string endpoint_id(const json::value& ep) {
  std::string uid = get_string(ep, {"targetRef", "uid"});
  if (!uid.empty()) return uid;
  const json::value* a = find_path(ep, {"addresses"});
  return a && a->is_array() && !a->as_array().empty() && a->as_array()[0].is_string()
             ? std::string(a->as_array()[0].as_string())
             : std::string();
}

std::string ports_key(const json::object& slice) {
  const json::value* p = slice.if_contains("ports");
  return canonical_json(p && p->is_array() ? *p : json::value(json::array{}));
}

std::string address_type(const json::object& svc) {
  const json::value* f = find_path(svc, {"spec", "ipFamilies"});
  if (f && f->is_array() && !f->as_array().empty() && f->as_array()[0].is_string() &&
      f->as_array()[0].as_string() == "IPv6")
    return "IPv6";
  return "IPv4";
}

// The Endpoints' labels plus the slice's service name and manager.
json::object slice_labels(const json::object& svc) {
  json::object labels = endpoints_labels(svc);
  labels[kServiceNameLabel] = name_of(svc);
  labels[kManagedByLabel] = kSliceControllerName;
  return labels;
}

json::array owner_refs(const json::object& svc) {
  return json::array{json::object{{"apiVersion", "v1"},
                                  {"kind", "Service"},
                                  {"name", name_of(svc)},
                                  {"uid", uid_of(svc)},
                                  {"controller", true},
                                  {"blockOwnerDeletion", true}}};
}

bool owned_by(const json::object& slice, const std::string& uid) {
  const json::object* ref = controller_ref(slice);
  return ref && get_string(*ref, {"uid"}) == uid;
}

int64_t rv_of(const json::object& o) {
  std::string rv = get_string(o, {"metadata", "resourceVersion"});
  return rv.empty() ? 0 : std::strtoll(rv.c_str(), nullptr, 10);
}
}  // namespace

std::map<std::string, SliceGroup> build_slice_groups(
    const json::object& svc, const std::vector<ObjectPtr>& pods,
    const std::function<std::string(const std::string&)>& node_zone) {
  const bool publish = flag(svc, {"spec", "publishNotReadyAddresses"});
  const json::value* ports_v = find_path(svc, {"spec", "ports"});
  const json::array no_ports;
  const json::array& svc_ports = ports_v && ports_v->is_array() ? ports_v->as_array() : no_ports;
  std::map<std::string, SliceGroup> groups;
  for (const auto& p : pods) {
    const json::object& pod = *p;
    if (!service_selects(svc, pod) || !pod_in_endpoints(pod, true)) continue;
    std::string ip = pod_address_for(pod, svc);
    if (ip.empty()) continue;
    json::array ports;
    for (const auto& sp : svc_ports) {
      if (!sp.is_object()) continue;
      auto num = resolve_target_port(pod, sp.as_object());
      if (!num) continue;
      std::string proto = get_string(sp, {"protocol"});
      json::object port{{"name", get_string(sp, {"name"})},
                        {"port", *num},
                        {"protocol", proto.empty() ? "TCP" : proto}};
      if (std::string ap = get_string(sp, {"appProtocol"}); !ap.empty()) port["appProtocol"] = ap;
      ports.push_back(std::move(port));
    }
    const bool serving = is_pod_ready(pod);
    const bool terminating = find_path(pod, {"metadata", "deletionTimestamp"}) != nullptr;
    json::object ep{{"addresses", json::array{json::value(ip)}},
                    {"conditions", json::object{{"ready", publish || (serving && !terminating)},
                                                {"serving", serving},
                                                {"terminating", terminating}}}};
    if (std::string h = pod_hostname_for(pod, svc); !h.empty()) ep["hostname"] = h;
    if (std::string n = get_string(pod, {"spec", "nodeName"}); !n.empty()) {
      ep["nodeName"] = n;
      if (node_zone)
        if (std::string z = node_zone(n); !z.empty()) ep["zone"] = z;
    }
    ep["targetRef"] = json::object{
        {"kind", "Pod"}, {"namespace", ns_of(pod)}, {"name", name_of(pod)}, {"uid", uid_of(pod)}};
    std::string key = canonical_json(ports);
    SliceGroup& g = groups[key];
    g.ports = std::move(ports);
    g.endpoints.push_back(std::move(ep));
  }
  auto sort_key = [](const json::object& e) {
    return std::string(e.at("addresses").as_array()[0].as_string()) + "/" + endpoint_id(e);
  };
  for (auto& [_, g] : groups)
    std::sort(g.endpoints.begin(), g.endpoints.end(),
              [&](const json::object& a, const json::object& b) { return sort_key(a) < sort_key(b); });
  return groups;
}

SlicePlan plan_slices(const SliceGroup& group, const std::vector<ObjectPtr>& existing,
                      size_t max_per_slice) {
  std::map<std::string, size_t> index;  // endpoint id -> position in group.endpoints
  for (size_t i = 0; i < group.endpoints.size(); ++i) index[endpoint_id(group.endpoints[i])] = i;
  std::vector<bool> placed(group.endpoints.size(), false);
  SlicePlan plan;
  std::vector<ObjectPtr> sorted = existing;
  std::sort(sorted.begin(), sorted.end(),
            [](const ObjectPtr& a, const ObjectPtr& b) { return name_of(*a) < name_of(*b); });
  // Endpoints stay in the slice that holds them (fewer writes).
  for (const auto& s : sorted) {
    json::array eps;
    if (const json::value* cur = s->if_contains("endpoints"); cur && cur->is_array())
      for (const auto& e : cur->as_array()) {
        auto it = index.find(endpoint_id(e));
        if (it == index.end() || placed[it->second] || eps.size() >= max_per_slice) continue;
        placed[it->second] = true;
        eps.push_back(group.endpoints[it->second]);
      }
    plan.keep.emplace_back(name_of(*s), std::move(eps));
  }
  // New endpoints fill the room left, then new slices.
  size_t next = 0;
  auto take = [&]() -> const json::object* {
    while (next < placed.size() && placed[next]) ++next;
    if (next >= placed.size()) return nullptr;
    placed[next] = true;
    return &group.endpoints[next];
  };
  for (auto& [_, eps] : plan.keep)
    while (eps.size() < max_per_slice)
      if (const json::object* e = take()) eps.push_back(*e);
      else break;
  while (const json::object* e = take()) {
    json::array eps{*e};
    while (eps.size() < max_per_slice)
      if (const json::object* more = take()) eps.push_back(*more);
      else break;
    plan.create.push_back(std::move(eps));
  }
  // Slices left empty go.
  std::erase_if(plan.keep, [&](const auto& k) {
    if (!k.second.empty()) return false;
    plan.remove.push_back(k.first);
    return true;
  });
  return plan;
}

// ---- the controller ----

EndpointSliceController::EndpointSliceController(client::Client& c, InformerFactory& inf,
                                                 int workers)
    : QueueController("endpointslice", workers),
      client_(c),
      services_(inf.get("", "services")),
      pods_(inf.get("", "pods")),
      slices_(inf.get("discovery.k8s.io", "endpointslices")),
      nodes_(inf.get("", "nodes")) {
  services_.add_handlers(key_handlers(
      [this](const ObjectPtr& o) {
        const std::string key = client::object_key(*o);
        std::lock_guard lk(mu_);
        written_.erase(key);
      },
      /*enqueue_on_delete=*/false));
  pods_.add_handlers(client::Handlers{
      [this](const ObjectPtr& p) { on_pod(nullptr, p); },
      [this](const ObjectPtr& o, const ObjectPtr& p) { on_pod(o, p); },
      [this](const ObjectPtr& p) { on_pod(nullptr, p); }});
  slices_.add_handlers(client::Handlers{
      [this](const ObjectPtr& s) { on_slice(s); },
      [this](const ObjectPtr&, const ObjectPtr& s) { on_slice(s); },
      [this](const ObjectPtr& s) { on_slice(s); }});
}

void EndpointSliceController::on_pod(const ObjectPtr& old_pod, const ObjectPtr& pod) {
  for (const auto& s : services_.list_namespace(ns_of(*pod)))
    if (service_selects(*s, *pod) || (old_pod && service_selects(*s, *old_pod)))
      enqueue(client::object_key(*s));
}

void EndpointSliceController::on_slice(const ObjectPtr& slice) {
  if (get_string(*slice, {"metadata", "labels", kManagedByLabel}) != kSliceControllerName) return;
  std::string svc = get_string(*slice, {"metadata", "labels", kServiceNameLabel});
  if (!svc.empty()) enqueue(ns_of(*slice) + "/" + svc);
}

bool EndpointSliceController::cache_is_stale(const std::string& key,
                                             const std::vector<ObjectPtr>& slices) {
  std::lock_guard lk(mu_);
  auto it = written_.find(key);
  if (it == written_.end()) return false;
  std::map<std::string, int64_t> cached;
  for (const auto& s : slices) cached[name_of(*s)] = rv_of(*s);
  bool stale = false;
  const auto now = std::chrono::steady_clock::now();
  for (auto w = it->second.begin(); w != it->second.end();) {
    auto c = cached.find(w->first);
    const int64_t rv = w->second.first;
    bool seen = rv < 0 ? c == cached.end() : c != cached.end() && c->second >= rv;
    // A write someone else overtook (say, a slice deleted right after our update) is never
    // seen as such: give up on it after a while.
    if (seen || now - w->second.second > kTrackerTimeout) {
      w = it->second.erase(w);
    } else {
      stale = true;
      ++w;
    }
  }
  if (it->second.empty()) written_.erase(it);
  return stale;
}

void EndpointSliceController::remember(const std::string& key, const std::string& slice,
                                       int64_t rv, bool deleted) {
  std::lock_guard lk(mu_);
  written_[key][slice] = {deleted ? -1 : rv, std::chrono::steady_clock::now()};
}

Status EndpointSliceController::sync(const std::string& key) {
  ObjectPtr svc = services_.get(key);
  // No service: the garbage collector removes the slices it owned.
  if (!svc || find_path(*svc, {"metadata", "deletionTimestamp"})) return ok_status();
  if (get_string(*svc, {"spec", "type"}) == "ExternalName" || !service_has_selector(*svc))
    return ok_status();
  const std::string ns = ns_of(*svc), name = name_of(*svc), uid = uid_of(*svc);
  const auto& sr = resource("discovery.k8s.io", "endpointslices");

  std::vector<ObjectPtr> mine;
  for (const auto& s : slices_.list_namespace(ns))
    if (get_string(*s, {"metadata", "labels", kServiceNameLabel}) == name &&
        get_string(*s, {"metadata", "labels", kManagedByLabel}) == kSliceControllerName)
      mine.push_back(s);
  if (cache_is_stale(key, mine)) {
    queue_.add_after(key, std::chrono::milliseconds(100));
    return ok_status();
  }

  std::vector<std::string> remove;
  std::map<std::string, std::vector<ObjectPtr>> by_ports;
  for (const auto& s : mine) {
    if (!owned_by(*s, uid)) remove.push_back(name_of(*s));  // left by an older same-named service
    else by_ports[ports_key(*s)].push_back(s);
  }
  auto groups = build_slice_groups(*svc, pods_.list_namespace(ns), [this](const std::string& n) {
    ObjectPtr node = nodes_.get(n);
    return node ? get_string(*node, {"metadata", "labels", "topology.kubernetes.io/zone"}) : "";
  });

  struct Write {
    ObjectPtr cur;  // null: create
    json::array endpoints;
    const json::array* ports;
  };
  std::vector<Write> writes;
  const json::array empty_ports;
  if (groups.empty()) {
    // The placeholder: one slice without ports or endpoints; reuse one if any.
    std::vector<ObjectPtr> all;
    for (auto& [_, v] : by_ports) all.insert(all.end(), v.begin(), v.end());
    std::sort(all.begin(), all.end(), [](const ObjectPtr& a, const ObjectPtr& b) {
      return (ports_key(*a) != "[]") < (ports_key(*b) != "[]") ||
             ((ports_key(*a) != "[]") == (ports_key(*b) != "[]") && name_of(*a) < name_of(*b));
    });
    writes.push_back({all.empty() ? nullptr : all.front(), json::array{}, &empty_ports});
    for (size_t i = 1; i < all.size(); ++i) remove.push_back(name_of(*all[i]));
  } else {
    for (auto& [pk, g] : groups) {
      auto it = by_ports.find(pk);
      SlicePlan plan = plan_slices(g, it == by_ports.end() ? std::vector<ObjectPtr>{} : it->second);
      for (auto& [sname, eps] : plan.keep) {
        ObjectPtr cur;
        for (const auto& s : it->second)
          if (name_of(*s) == sname) cur = s;
        writes.push_back({cur, std::move(eps), &g.ports});
      }
      for (auto& eps : plan.create) writes.push_back({nullptr, std::move(eps), &g.ports});
      remove.insert(remove.end(), plan.remove.begin(), plan.remove.end());
    }
    for (const auto& [pk, v] : by_ports)
      if (!groups.count(pk))
        for (const auto& s : v) remove.push_back(name_of(*s));
  }

  std::optional<ApiError> err;
  const json::object labels = slice_labels(*svc);
  const std::string addr_type = address_type(*svc);
  for (auto& w : writes) {
    json::object s = w.cur ? *w.cur : json::object{};
    s["apiVersion"] = "discovery.k8s.io/v1";
    s["kind"] = "EndpointSlice";
    s["addressType"] = addr_type;
    s["endpoints"] = std::move(w.endpoints);
    s["ports"] = *w.ports;
    json::object& md = ensure_object(s, "metadata");
    md["labels"] = labels;
    md["ownerReferences"] = owner_refs(*svc);
    md["namespace"] = ns;
    if (w.cur) {
      if (canonical_json(s) == canonical_json(*w.cur)) continue;
      auto r = client_.update(sr, ns, name_of(*w.cur), s);
      if (r) remember(key, name_of(*r), rv_of(*r), false);
      else if (r.error().code != 404 && !err) err = r.error();
    } else {
      md["generateName"] = name + "-";
      auto r = client_.create(sr, ns, s);
      if (r) remember(key, name_of(*r), rv_of(*r), false);
      else if (r.error().code != 403 && !err) err = r.error();
    }
  }
  for (const auto& n : remove) {
    auto r = client_.remove(sr, ns, n);
    if (r || r.error().code == 404) remember(key, n, -1, true);
    else if (!err) err = r.error();
  }
  if (err) return *err;
  return ok_status();
}

}  // namespace skiff::controllers
