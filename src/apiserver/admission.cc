#include "apiserver/admission.h"

#include <arpa/inet.h>

#include <stdexcept>

#include "apiserver/stored_object.h"
#include "common/log.h"

namespace skiff::apiserver {
namespace {
constexpr int kNodePortMin = 30000, kNodePortMax = 32767;

std::optional<uint32_t> parse_ipv4(const std::string& s) {
  in_addr a{};
  if (inet_pton(AF_INET, s.c_str(), &a) != 1) return std::nullopt;
  return ntohl(a.s_addr);
}
std::string format_ipv4(uint32_t ip) {
  in_addr a{};
  a.s_addr = htonl(ip);
  char buf[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &a, buf, sizeof buf);
  return buf;
}
bool needs_cluster_ip(const json::object& svc) {
  return get_string(svc, {"spec", "type"}, "ClusterIP") != "ExternalName";
}
bool needs_node_ports(const json::object& svc) {
  auto t = get_string(svc, {"spec", "type"}, "ClusterIP");
  return t == "NodePort" || t == "LoadBalancer";
}

bool is_true(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_bool() && v->get_bool();
}
bool is_pods(const api::ResourceInfo& r) { return r.group.empty() && r.resource == "pods"; }
bool is_priority_classes(const api::ResourceInfo& r) {
  return r.group == "scheduling.k8s.io" && r.resource == "priorityclasses";
}

// On update the stored priority stays (defaulting cannot tell an omitted priority from 0).
void keep_pod_priority(json::object& pod, const json::object& old) {
  auto* spec = find_path(pod, {"spec"});
  if (!spec || !spec->is_object()) return;
  auto& s = spec->get_object();
  if (const auto* p = find_path(old, {"spec", "priority"}); p && get_int(pod, {"spec", "priority"}) == 0)
    s["priority"] = *p;
  if (const auto* p = find_path(old, {"spec", "preemptionPolicy"});
      p && get_string(pod, {"spec", "preemptionPolicy"}, "PreemptLowerPriority") ==
               "PreemptLowerPriority")
    s["preemptionPolicy"] = *p;
}
}  // namespace

const std::vector<SystemPriorityClass> kSystemPriorityClasses = {
    {"system-node-critical", 2000001000,
     "Used for system critical pods that must not be moved from their current node."},
    {"system-cluster-critical", 2000000000,
     "Used for system critical pods that must run in the cluster, but can be moved to another "
     "node if necessary."}};

// The globalDefault class with the lowest value (upstream's getDefaultPriorityClass), if any.
static std::optional<json::object> default_priority_class(storage::Store& store) {
  const auto* pcr = api::find_resource("scheduling.k8s.io", "v1", "priorityclasses");
  auto res = store.list({pcr->key_prefix(), "", 0, 0});
  std::optional<json::object> best;
  for (const auto& kv : res.items) {
    auto pc = decode_stored_object(kv);
    if (!pc || !is_true(*pc, "globalDefault")) continue;
    if (!best || get_int(*pc, {"value"}) < get_int(*best, {"value"})) best = std::move(*pc);
  }
  return best;
}

Status Admission::admit_pod_priority(json::object& pod) {
  auto& spec = ensure_object(pod, "spec");
  std::string class_name = get_string(pod, {"spec", "priorityClassName"});
  std::optional<json::object> pc;
  if (class_name.empty()) {
    pc = default_priority_class(store_);
    if (pc) spec["priorityClassName"] = get_string(*pc, {"metadata", "name"});
  } else {
    const auto* pcr = api::find_resource("scheduling.k8s.io", "v1", "priorityclasses");
    auto got = store_.get(pcr->key_prefix() + class_name);
    if (got.code == storage::Code::kOk)
      if (auto decoded = decode_stored_object(got.kv)) pc = std::move(*decoded);
    if (!pc)
      return ApiError::forbidden("pods \"" + get_string(pod, {"metadata", "name"}) +
                                 "\" is forbidden: no PriorityClass with name " + class_name +
                                 " was found");
  }
  int64_t priority = pc ? get_int(*pc, {"value"}) : 0;
  std::string policy =
      pc ? get_string(*pc, {"preemptionPolicy"}, "PreemptLowerPriority") : "PreemptLowerPriority";
  // Defaulting already wrote priority 0 and PreemptLowerPriority when they were omitted, so only
  // other values count as given by the client.
  int64_t given = get_int(pod, {"spec", "priority"});
  if (given != 0 && given != priority)
    return ApiError::forbidden(
        "pods \"" + get_string(pod, {"metadata", "name"}) +
        "\" is forbidden: the integer value of priority (" + std::to_string(given) +
        ") must not be provided in pod spec; priority admission controller computed " +
        std::to_string(priority) + " from the given PriorityClass name");
  std::string given_policy = get_string(pod, {"spec", "preemptionPolicy"}, "PreemptLowerPriority");
  if (given_policy != "PreemptLowerPriority" && given_policy != policy)
    return ApiError::forbidden(
        "pods \"" + get_string(pod, {"metadata", "name"}) +
        "\" is forbidden: the string value of PreemptionPolicy (" + given_policy +
        ") must not be provided in pod spec; priority admission controller computed " + policy +
        " from the given PriorityClass name");
  spec["priority"] = priority;
  spec["preemptionPolicy"] = policy;
  return ok_status();
}

Status Admission::check_global_default(const json::object& pc, bool create) {
  if (!is_true(pc, "globalDefault")) return ok_status();
  auto dpc = default_priority_class(store_);
  if (!dpc) return ok_status();
  std::string name = get_string(pc, {"metadata", "name"});
  std::string other = get_string(*dpc, {"metadata", "name"});
  if (create || other != name)
    return ApiError::forbidden("priorityclasses.scheduling.k8s.io \"" + name +
                               "\" is forbidden: PriorityClass " + other +
                               " is already marked as default. Only one default can exist");
  return ok_status();
}

Admission::Admission(storage::Store& store, const std::string& service_cidr) : store_(store) {
  auto slash = service_cidr.find('/');
  auto ip = parse_ipv4(service_cidr.substr(0, slash));
  int bits = slash == std::string::npos ? -1 : std::atoi(service_cidr.c_str() + slash + 1);
  if (!ip || bits < 8 || bits > 30)
    throw std::invalid_argument("--service-cidr " + service_cidr +
                                ": want an IPv4 CIDR with a prefix between /8 and /30");
  size_ = 1u << (32 - bits);
  net_ = *ip & ~(size_ - 1);
}

std::string Admission::first_service_ip() const { return format_ipv4(net_ + 1); }

void Admission::load_allocations() {
  const auto* svc = api::find_resource("", "v1", "services");
  auto res = store_.list({svc->key_prefix(), "", 0, 0});
  std::lock_guard lock(mu_);
  for (const auto& kv : res.items) {
    auto obj = decode_stored_object(kv);
    if (!obj) continue;
    if (auto ip = parse_ipv4(get_string(*obj, {"spec", "clusterIP"})))
      if (*ip > net_ && *ip < net_ + size_ - 1) ips_.insert(*ip - net_);
    if (const auto* ports = find_path(*obj, {"spec", "ports"}); ports && ports->is_array())
      for (const auto& p : ports->get_array())
        if (auto np = get_int(p, {"nodePort"})) ports_.insert(static_cast<int>(np));
  }
}

Status Admission::check_namespace(const api::ResourceInfo& r, const json::object& obj) {
  if (!r.namespaced) return ok_status();
  auto ns = get_string(obj, {"metadata", "namespace"});
  const auto* nsr = api::find_resource("", "v1", "namespaces");
  auto got = store_.get(nsr->key_prefix() + ns);
  if (got.code != storage::Code::kOk) return ApiError::not_found("namespaces", ns);
  auto nsobj = decode_stored_object(got.kv);
  if (nsobj && (find_path(*nsobj, {"metadata", "deletionTimestamp"}) ||
                get_string(*nsobj, {"status", "phase"}) == "Terminating")) {
    auto e = ApiError::forbidden(r.resource + " \"" + get_string(obj, {"metadata", "name"}) +
                                 "\" is forbidden: unable to create new content in namespace " +
                                 ns + " because it is being terminated");
    e.reason = "Forbidden";
    return e;
  }
  return ok_status();
}

Status Admission::admit_create(const api::ResourceInfo& r, json::object& obj, bool dry_run) {
  if (auto st = check_namespace(r, obj); !st) return st;
  if (is_pods(r)) {
    add_default_tolerations(obj);
    admit_service_account(obj);
    if (auto st = admit_pod_priority(obj); !st) return st;
  }
  if (is_priority_classes(r)) return check_global_default(obj, true);
  if (r.group.empty() && r.resource == "services") return allocate_service(obj, nullptr, dry_run);
  return ok_status();
}

// Upstream's DefaultTolerationSeconds plugin: a toleration with the taint's key (or no key)
// and the NoExecute effect (or none) counts as one already.
void Admission::add_default_tolerations(json::object& pod) {
  bool not_ready = false, unreachable = false;
  const json::value* tols = find_path(pod, {"spec", "tolerations"});
  if (tols && tols->is_array()) {
    for (const auto& t : tols->get_array()) {
      auto key = get_string(t, {"key"});
      auto effect = get_string(t, {"effect"});
      if (!effect.empty() && effect != "NoExecute") continue;
      not_ready = not_ready || key.empty() || key == "node.kubernetes.io/not-ready";
      unreachable = unreachable || key.empty() || key == "node.kubernetes.io/unreachable";
    }
  }
  if (not_ready && unreachable) return;
  auto& out = ensure_array(ensure_object(pod, "spec"), "tolerations");
  auto add = [&](const char* key, int64_t seconds) {
    out.push_back(json::object{{"key", key},
                               {"operator", "Exists"},
                               {"effect", "NoExecute"},
                               {"tolerationSeconds", seconds}});
  };
  if (!not_ready) add("node.kubernetes.io/not-ready", not_ready_seconds_);
  if (!unreachable) add("node.kubernetes.io/unreachable", unreachable_seconds_);
}

Status Admission::admit_update(const api::ResourceInfo& r, json::object& obj,
                               const json::object& old, bool dry_run) {
  if (is_pods(r)) keep_pod_priority(obj, old);
  if (is_priority_classes(r)) return check_global_default(obj, false);
  if (r.group.empty() && r.resource == "services") return allocate_service(obj, &old, dry_run);
  return ok_status();
}

Status Admission::admit_delete(const api::ResourceInfo& r, const json::object& obj) {
  if (is_priority_classes(r)) {
    auto name = get_string(obj, {"metadata", "name"});
    for (const auto& s : kSystemPriorityClasses)
      if (name == s.name)
        return ApiError::forbidden("priorityclasses.scheduling.k8s.io \"" + name +
                                   "\" is forbidden: this is a system priority class and cannot "
                                   "be deleted");
  }
  if (r.group.empty() && r.resource == "namespaces") {
    auto name = get_string(obj, {"metadata", "name"});
    if (name == "default" || name == "kube-system" || name == "kube-public")
      return ApiError::forbidden("namespaces \"" + name +
                                 "\" is forbidden: this namespace may not be deleted");
  }
  return ok_status();
}

void Admission::release(const api::ResourceInfo& r, const json::object& obj) {
  if (!(r.group.empty() && r.resource == "services")) return;
  std::lock_guard lock(mu_);
  if (auto ip = parse_ipv4(get_string(obj, {"spec", "clusterIP"})))
    if (*ip > net_) ips_.erase(*ip - net_);
  if (const auto* ports = find_path(obj, {"spec", "ports"}); ports && ports->is_array())
    for (const auto& p : ports->get_array())
      if (auto np = get_int(p, {"nodePort"})) ports_.erase(static_cast<int>(np));
}

Status Admission::allocate_service(json::object& obj, const json::object* old, bool dry_run) {
  auto& spec = ensure_object(obj, "spec");
  auto name = get_string(obj, {"metadata", "name"});
  std::lock_guard lock(mu_);
  // ClusterIP: keep the old one on update; allocate when empty; reserve a requested one.
  std::string old_ip = old ? get_string(*old, {"spec", "clusterIP"}) : "";
  std::string want = get_string(obj, {"spec", "clusterIP"});
  if (!needs_cluster_ip(obj)) {
    spec.erase("clusterIP");
    spec.erase("clusterIPs");
  } else if (old && !old_ip.empty() && (want.empty() || want == old_ip)) {
    spec["clusterIP"] = old_ip;
    spec["clusterIPs"] = json::array{json::value(old_ip)};
  } else if (want == "None") {
    spec["clusterIPs"] = json::array{json::value("None")};
  } else if (want.empty()) {
    // Search from next_ip_ so freed addresses are not reused at once; offset 0 is the network.
    std::optional<uint32_t> found;
    for (uint32_t i = 0; i < size_ - 2 && !found; ++i) {
      uint32_t off = 1 + (next_ip_ - 1 + i) % (size_ - 2);
      if (off == 1 && name != "kubernetes") continue;  // first IP: the kubernetes service
      if (!ips_.count(off)) found = off;
    }
    if (!found)
      return ApiError::internal("failed to allocate a serviceIP: range is full");
    if (!dry_run) {
      ips_.insert(*found);
      next_ip_ = *found + 1;
    }
    spec["clusterIP"] = format_ipv4(net_ + *found);
    spec["clusterIPs"] = json::array{json::value(format_ipv4(net_ + *found))};
  } else {
    auto ip = parse_ipv4(want);
    if (!ip || *ip <= net_ || *ip >= net_ + size_ - 1)
      return ApiError::invalid(
          "Service", name, "",
          {invalid("spec.clusterIPs", json::array{json::value(want)},
                   "failed to allocate IP " + want + ": the provided IP (" + want +
                       ") is not in the valid range. The range of valid IPs is " +
                       format_ipv4(net_) + "/" + std::to_string(32 - __builtin_ctz(size_)))});
    if (ips_.count(*ip - net_))
      return ApiError::invalid("Service", name, "",
                               {invalid("spec.clusterIPs", json::array{json::value(want)},
                                        "failed to allocate IP " + want +
                                            ": provided IP is already allocated")});
    if (!dry_run) ips_.insert(*ip - net_);
    spec["clusterIPs"] = json::array{json::value(want)};
  }
  // NodePorts for NodePort/LoadBalancer services.
  if (needs_node_ports(obj)) {
    if (auto* ports = spec.if_contains("ports"); ports && ports->is_array()) {
      for (auto& p : ports->get_array()) {
        if (!p.is_object()) continue;
        auto& po = p.get_object();
        int64_t np = get_int(po, {"nodePort"});
        bool had = false;
        if (old)
          if (const auto* op = find_path(*old, {"spec", "ports"}); op && op->is_array())
            for (const auto& o : op->get_array()) had = had || get_int(o, {"nodePort"}) == np;
        if (np != 0 && had) continue;
        if (np != 0) {
          if (np < kNodePortMin || np > kNodePortMax || ports_.count(static_cast<int>(np)))
            return ApiError::invalid(
                "Service", name, "",
                {invalid("spec.ports[0].nodePort", json::value(np),
                         np < kNodePortMin || np > kNodePortMax
                             ? "provided port is not in the valid range. The range of valid "
                               "ports is 30000-32767"
                             : "provided port is already allocated")});
          if (!dry_run) ports_.insert(static_cast<int>(np));
          continue;
        }
        int found = 0;
        for (int i = 0; i <= kNodePortMax - kNodePortMin && !found; ++i) {
          int cand = kNodePortMin + (next_port_ - kNodePortMin + i) % (kNodePortMax - kNodePortMin + 1);
          if (!ports_.count(cand)) found = cand;
        }
        if (!found) return ApiError::internal("failed to allocate a nodePort: range is full");
        if (!dry_run) {
          ports_.insert(found);
          next_port_ = found + 1;
        }
        po["nodePort"] = found;
      }
    }
  }
  return ok_status();
}
}  // namespace skiff::apiserver
