// validate_create / validate_update entry points, the name rule of each kind, validation of the
// smaller groups (coordination, discovery, events, policy, scheduling) and the public string checks.
#include "api/kinds.h"

#include <set>

#include "api/kinds_apiextensions.h"
#include "api/kinds_internal.h"

namespace skiff::api {
using namespace detail;

namespace {
std::string join(const Msgs& msgs) {
  std::string out;
  for (const auto& m : msgs) out += (out.empty() ? "" : "; ") + m;
  return out;
}

NameRule name_rule(const ResourceInfo& r) {
  if (r.group.empty() && r.kind == "Namespace") return NameRule::kLabel;
  if (r.group.empty() && r.kind == "Service") return NameRule::kDns1035;
  if (r.group == "apps" && r.kind == "StatefulSet") return NameRule::kLabel;
  return NameRule::kSubdomain;
}

void validate_lease(const json::object& obj, Causes& out) {
  const auto* spec = obj_at(obj, "spec");
  if (!spec) return;
  if (auto d = int_at(*spec, "leaseDurationSeconds"); d && *d <= 0)
    out.push_back(invalid("spec.leaseDurationSeconds", *d, "must be greater than 0"));
  nonnegative(out, *spec, "leaseTransitions", "spec.leaseTransitions");
  if (has(*spec, "strategy"))
    enum_field(out, *spec, "strategy", "spec.strategy", {"OldestEmulationVersion"}, false);
}

void validate_endpoint_slice(const json::object& obj, const json::object* old, Causes& out) {
  std::string at = str_or(obj, "addressType");
  if (at.empty())
    out.push_back(required("addressType"));
  else if (at != "IPv4" && at != "IPv6" && at != "FQDN")
    out.push_back(not_supported("addressType", json::value(at), {"FQDN", "IPv4", "IPv6"}));
  if (const auto* eps = arr_at(obj, "endpoints")) {
    if (eps->size() > 1000) out.push_back(too_long("endpoints", 1000));
    for (size_t i = 0; i < eps->size(); ++i) {
      const auto* e = (*eps)[i].if_object();
      if (!e) continue;
      std::string p = idx("endpoints", i);
      const auto* addrs = arr_at(*e, "addresses");
      if (!addrs || addrs->empty())
        out.push_back(required(child(p, "addresses"), "must contain at least 1 address"));
      else if (addrs->size() > 100)
        out.push_back(too_long(child(p, "addresses"), 100));
      else
        for (size_t j = 0; j < addrs->size(); ++j) {
          const auto& a = (*addrs)[j];
          std::string s = a.is_string() ? std::string(a.get_string()) : "";
          std::string ap = idx(child(p, "addresses"), j);
          if (at == "IPv4" && !is_ipv4(s))
            out.push_back(invalid(ap, a, "must be a valid IPv4 address"));
          else if (at == "IPv6" && (!is_ip(s) || is_ipv4(s)))
            out.push_back(invalid(ap, a, "must be a valid IPv6 address"));
          else if (at == "FQDN")
            add_msgs(out, ap, a, dns1123_subdomain(s));
        }
      std::string hn = str_or(*e, "hostname");
      if (!hn.empty()) add_msgs(out, child(p, "hostname"), json::value(hn), dns1123_label(hn));
      std::string nn = str_or(*e, "nodeName");
      if (!nn.empty()) add_msgs(out, child(p, "nodeName"), json::value(nn), dns1123_subdomain(nn));
    }
  }
  if (const auto* ports = arr_at(obj, "ports")) {
    std::set<std::string> names;
    for (size_t i = 0; i < ports->size(); ++i) {
      const auto* po = (*ports)[i].if_object();
      if (!po) continue;
      std::string p = idx("ports", i);
      std::string name = str_or(*po, "name");
      if (!name.empty()) add_msgs(out, child(p, "name"), json::value(name), dns1123_label(name));
      if (!names.insert(name).second) out.push_back(duplicate(child(p, "name"), json::value(name)));
      enum_field(out, *po, "protocol", child(p, "protocol"), {"SCTP", "TCP", "UDP"}, true);
      if (auto n = int_at(*po, "port"); n && (*n < 0 || *n > 65535))
        out.push_back(invalid(child(p, "port"), *n, inclusive_range_error(0, 65535)));
    }
  }
  if (old) immutable(out, obj, *old, "addressType", "addressType");
}

void validate_events_v1(const json::object& obj, Causes& out) {
  if (str_or(obj, "eventTime").empty()) out.push_back(required("eventTime"));
  std::string type = str_or(obj, "type");
  if (type != "Normal" && type != "Warning")
    out.push_back(invalid("type", "", "has invalid value: " + type));
  auto limited = [&](const char* f, size_t limit, bool req) {
    std::string v = str_or(obj, f);
    if (v.empty() && req) out.push_back(required(f));
    if (v.size() > limit)
      out.push_back(invalid(f, "", "can have at most " + std::to_string(limit) + " characters"));
  };
  std::string rc = str_or(obj, "reportingController");
  limited("reportingController", 253, true);
  if (!rc.empty()) add_msgs(out, "reportingController", json::value(rc), qualified_name(rc));
  limited("reportingInstance", 128, true);
  limited("action", 128, true);
  limited("reason", 128, true);
  limited("note", 1024, false);
}

void validate_pdb(const json::object& obj, Causes& out) {
  const auto* spec = obj_at(obj, "spec");
  if (!spec) return;
  if (has(*spec, "minAvailable") && has(*spec, "maxUnavailable"))
    out.push_back(invalid("spec", *spec, "minAvailable and maxUnavailable cannot be both set"));
  for (const char* f : {"minAvailable", "maxUnavailable"}) {
    if (!has(*spec, f)) continue;
    const auto& v = value_at(*spec, f);
    std::string p = child("spec", f);
    positive_int_or_percent(out, v, p);
    if (v.is_string() && valid_percent(v.get_string()).empty() && int_or_percent_value(v) > 100)
      out.push_back(invalid(p, v, "must not be greater than 100%"));
  }
  validate_label_selector(out, value_at(*spec, "selector"), "spec.selector");
  enum_field(out, *spec, "unhealthyPodEvictionPolicy", "spec.unhealthyPodEvictionPolicy",
             {"AlwaysAllow", "IfHealthyBudget"}, false);
}

// ValidatePriorityClass / ValidatePriorityClassUpdate (pkg/apis/scheduling/validation).
void validate_priority_class(const json::object& obj, const json::object* old, Causes& out) {
  struct System {
    const char* name;
    int64_t value;
  };
  static constexpr System kSystem[] = {{"system-node-critical", 2000001000},
                                       {"system-cluster-critical", 2000000000}};
  constexpr int64_t kHighestUserDefinable = 1000000000;
  std::string name;
  if (const auto* md = obj_at(obj, "metadata")) name = str_or(*md, "name");
  int64_t value = int_at(obj, "value").value_or(0);
  bool global_default = bool_at(obj, "globalDefault").value_or(false);
  if (name.rfind("system-", 0) == 0) {
    std::string err = name + " is not a known system priority class";
    for (const auto& s : kSystem)
      if (name == s.name) {
        err = value != s.value        ? "value of " + name + " PriorityClass must be " +
                                            std::to_string(s.value)
              : global_default        ? "globalDefault of " + name + " PriorityClass must be false"
                                      : "";
      }
    if (!err.empty())
      out.push_back(forbidden("metadata.name",
                              "priority class names with 'system-' prefix are reserved for "
                              "system use only. error: " + err));
  } else if (value > kHighestUserDefinable) {
    out.push_back(forbidden("value", "maximum allowed value of a user defined priority is " +
                                         std::to_string(kHighestUserDefinable)));
  }
  enum_field(out, obj, "preemptionPolicy", "preemptionPolicy", {"Never", "PreemptLowerPriority"},
             false);
  if (old) {
    if (value != int_at(*old, "value").value_or(0))
      out.push_back(forbidden("value", "may not be changed in an update."));
    immutable(out, obj, *old, "preemptionPolicy", "preemptionPolicy");
  }
}

Causes validate(const ResourceInfo& r, const json::object& obj, const json::object* old) {
  Causes out;
  validate_object_meta(out, obj, r.namespaced, name_rule(r));
  if (validate_core_kind(r, obj, old, out) || validate_apps_kind(r, obj, old, out) ||
      validate_batch_kind(r, obj, old, out))
    return out;
  validate_other_kind(r, obj, old, out);
  return out;
}
}  // namespace

namespace detail {
bool validate_other_kind(const ResourceInfo& r, const json::object& obj, const json::object* old,
                         Causes& out) {
  if (r.group == "coordination.k8s.io" && r.kind == "Lease") {
    validate_lease(obj, out);
  } else if (r.group == "discovery.k8s.io" && r.kind == "EndpointSlice") {
    validate_endpoint_slice(obj, old, out);
  } else if (r.group == "events.k8s.io" && r.kind == "Event") {
    validate_events_v1(obj, out);
  } else if (r.group == "policy" && r.kind == "PodDisruptionBudget") {
    validate_pdb(obj, out);
  } else if (r.group == "scheduling.k8s.io" && r.kind == "PriorityClass") {
    validate_priority_class(obj, old, out);
  } else if (r.group == "apiextensions.k8s.io" && r.kind == "CustomResourceDefinition") {
    validate_crd(obj, old, out);
  } else if (r.runtime) {
    for (auto& c : r.runtime->validate(obj)) out.push_back(std::move(c));
  } else {
    return false;
  }
  return true;
}
}  // namespace detail

std::vector<FieldCause> validate_create(const ResourceInfo& r, const json::object& obj) {
  return validate(r, obj, nullptr);
}

std::vector<FieldCause> validate_update(const ResourceInfo& r, const json::object& obj,
                                        const json::object& old) {
  return validate(r, obj, &old);
}

std::string check_dns1123_subdomain(const std::string& s) { return join(dns1123_subdomain(s)); }
std::string check_dns1123_label(const std::string& s) { return join(dns1123_label(s)); }
std::string check_qualified_name(const std::string& s) { return join(qualified_name(s)); }
std::string check_label_value(const std::string& s) { return join(label_value(s)); }

}  // namespace skiff::api
