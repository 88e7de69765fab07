// Tables of core/v1 kinds other than pods, events and storage: services, nodes, namespaces,
// config maps, secrets, service accounts, endpoints and resource quotas.
#include <algorithm>
#include <set>

#include "api/node_address.h"
#include "printers/printing.h"

namespace skiff::api::printing {
namespace {

// ---- services ------------------------------------------------------------------------------

std::string load_balancer_ips(const json::value* status) {
  std::set<std::string> ips;  // upstream collects into a sorted set
  for (const auto& ing : arr(status, {"loadBalancer", "ingress"})) {
    std::string ip = str(&ing, {"ip"}), host = str(&ing, {"hostname"});
    if (!ip.empty()) {
      ips.insert(ip);
    } else if (!host.empty()) {
      ips.insert(host);
    }
  }
  return join(std::vector<std::string>(ips.begin(), ips.end()), ",");
}

std::string external_ip(const json::object& svc) {
  const json::value* spec = at(svc, {"spec"});
  std::vector<std::string> external;
  for (const auto& ip : arr(spec, {"externalIPs"})) external.push_back(str(&ip));
  std::string type = str(spec, {"type"});
  if (type == "ClusterIP" || type == "NodePort")
    return external.empty() ? "<none>" : join(external, ",");
  if (type == "LoadBalancer") {
    // Server-side tables are wide: the load balancer list is not clipped.
    std::string lb = load_balancer_ips(at(svc, {"status"}));
    if (!external.empty()) return lb.empty() ? join(external, ",") : lb + "," + join(external, ",");
    return lb.empty() ? "<pending>" : lb;
  }
  if (type == "ExternalName") return str(spec, {"externalName"});
  return "<unknown>";
}

std::string service_ports(const json::value* spec) {
  std::vector<std::string> pieces;
  for (const auto& p : arr(spec, {"ports"})) {
    std::string proto = str(&p, {"protocol"}, "TCP");
    std::string port = std::to_string(num(&p, {"port"}));
    int64_t node_port = num(&p, {"nodePort"});
    pieces.push_back(node_port > 0 ? port + ":" + std::to_string(node_port) + "/" + proto
                                   : port + "/" + proto);
  }
  return pieces.empty() ? "<none>" : join(pieces, ",");
}

json::array service_cells(const json::object& svc, Clock::time_point now) {
  const json::value* spec = at(svc, {"spec"});
  std::string cluster_ip;
  const auto& ips = arr(spec, {"clusterIPs"});
  if (!ips.empty()) cluster_ip = str(&ips[0]);
  if (cluster_ip.empty()) cluster_ip = str(spec, {"clusterIP"});
  return json::array{name_of(svc),
                     str(spec, {"type"}),
                     cluster_ip.empty() ? "<none>" : cluster_ip,
                     external_ip(svc),
                     service_ports(spec),
                     age(svc, now),
                     format_labels(obj(spec, {"selector"}))};
}

// ---- nodes ---------------------------------------------------------------------------------

std::string node_address(const json::object& node, std::string_view type) {
  auto a = api::node_address(node, type);
  return a.empty() ? "<none>" : a;
}

json::array node_cells(const json::object& node, Clock::time_point now) {
  std::vector<std::string> status;
  for (const auto& c : arr(node, {"status", "conditions"})) {
    if (str(&c, {"type"}) != "Ready") continue;
    status.assign(1, str(&c, {"status"}) == "True" ? "Ready" : "NotReady");  // last one wins
  }
  if (status.empty()) status.push_back("Unknown");
  if (flag(at(node, {"spec"}), {"unschedulable"})) status.push_back("SchedulingDisabled");

  std::set<std::string> roles;
  for (const auto& kv : obj(node, {"metadata", "labels"})) {
    std::string_view key = kv.key();
    constexpr std::string_view kPrefix = "node-role.kubernetes.io/";
    if (key.substr(0, kPrefix.size()) == kPrefix) {
      if (key.size() > kPrefix.size()) roles.insert(std::string(key.substr(kPrefix.size())));
    } else if (key == "kubernetes.io/role") {
      std::string v = str(&kv.value());
      if (!v.empty()) roles.insert(v);
    }
  }
  std::string role_cell = join(std::vector<std::string>(roles.begin(), roles.end()), ",");

  const json::value* info = at(node, {"status", "nodeInfo"});
  auto or_unknown = [](std::string s) { return s.empty() ? std::string("<unknown>") : s; };
  return json::array{name_of(node),
                     join(status, ","),
                     role_cell.empty() ? "<none>" : role_cell,
                     age(node, now),
                     str(info, {"kubeletVersion"}),
                     node_address(node, "InternalIP"),
                     node_address(node, "ExternalIP"),
                     or_unknown(str(info, {"osImage"})),
                     or_unknown(str(info, {"kernelVersion"})),
                     or_unknown(str(info, {"containerRuntimeVersion"}))};
}

// ---- small kinds ---------------------------------------------------------------------------

json::array namespace_cells(const json::object& ns, Clock::time_point now) {
  return json::array{name_of(ns), str(ns, {"status", "phase"}), age(ns, now)};
}

json::array configmap_cells(const json::object& cm, Clock::time_point now) {
  auto n = obj(cm, {"data"}).size() + obj(cm, {"binaryData"}).size();
  return json::array{name_of(cm), static_cast<int64_t>(n), age(cm, now)};
}

json::array secret_cells(const json::object& s, Clock::time_point now) {
  return json::array{name_of(s), str(s, {"type"}), static_cast<int64_t>(obj(s, {"data"}).size()),
                     age(s, now)};
}

json::array serviceaccount_cells(const json::object& sa, Clock::time_point now) {
  return json::array{name_of(sa), static_cast<int64_t>(arr(sa, {"secrets"}).size()), age(sa, now)};
}

// formatEndpoints: "ip:port" per address and port, at most three, then " + N more...".
std::string format_endpoints(const json::object& ep) {
  const auto& subsets = arr(ep, {"subsets"});
  if (subsets.empty()) return "<none>";
  constexpr size_t kMax = 3;
  std::vector<std::string> list;
  bool more = false;
  size_t count = 0;
  for (const auto& ss : subsets) {
    const auto& addresses = arr(&ss, {"addresses"});
    const auto& ports = arr(&ss, {"ports"});
    if (ports.empty()) {  // headless services may have no ports
      count += addresses.size();
      for (const auto& a : addresses) {
        if (list.size() == kMax) {
          more = true;
          break;
        }
        list.push_back(str(&a, {"ip"}));
      }
      continue;
    }
    for (const auto& p : ports) {
      count += addresses.size();
      for (const auto& a : addresses) {
        if (list.size() == kMax) {
          more = true;
          break;
        }
        std::string ip = str(&a, {"ip"});
        if (ip.find(':') != std::string::npos) ip = "[" + ip + "]";  // net.JoinHostPort
        list.push_back(ip + ":" + std::to_string(num(&p, {"port"})));
      }
    }
  }
  std::string out = join(list, ",");
  if (more) out += " + " + std::to_string(count - kMax) + " more...";
  return out;
}

json::array endpoints_cells(const json::object& ep, Clock::time_point now) {
  return json::array{name_of(ep), format_endpoints(ep), age(ep, now)};
}

// Kubernetes 1.32 order: Name, Age, Request, Limit (1.33 moved Age to the end).
json::array resourcequota_cells(const json::object& rq, Clock::time_point now) {
  const auto& hard = obj(rq, {"status", "hard"});
  const auto& used = obj(rq, {"status", "used"});
  std::vector<std::string> names;
  for (const auto& kv : hard) names.emplace_back(kv.key());
  std::sort(names.begin(), names.end());
  std::string request, limit;
  for (const auto& name : names) {
    // Resources named "limits.*" go to the Limit column, everything else to Request.
    bool is_limit = name.rfind("limits.", 0) == 0;
    std::string& w = is_limit ? limit : request;
    w += name + ": " + quantity(used.if_contains(name)) + "/" + quantity(hard.if_contains(name)) +
         ", ";
  }
  auto trim = [](std::string s) {
    if (s.size() >= 2 && s.compare(s.size() - 2, 2, ", ") == 0) s.resize(s.size() - 2);
    return s;
  };
  return json::array{name_of(rq), age(rq, now), trim(request), trim(limit)};
}

}  // namespace

// ComponentStatus: its Healthy condition.
json::array componentstatus_cells(const json::object& cs, Clock::time_point) {
  std::string status = "Unknown", message, error;
  if (const json::value* cs_conds = at(cs, {"conditions"}); cs_conds && cs_conds->is_array())
    for (const auto& c : cs_conds->as_array())
      if (get_string(c, {"type"}) == "Healthy") {
        status = get_string(c, {"status"}) == "True" ? "Healthy" : "Unhealthy";
        message = get_string(c, {"message"});
        error = get_string(c, {"error"});
      }
  return json::array{name_of(cs), status, message, error};
}

void add_core_printers(std::vector<Printer>& out) {
  out.push_back({"",
                 "componentstatuses",
                 {name_col(), col("Status", "string", "Status of the component conditions"),
                  col("Message", "string", "Message of the component conditions"),
                  col("Error", "string", "Error of the component conditions")},
                 componentstatus_cells});
  out.push_back(
      {"",
       "services",
       {name_col(), col("Type", "string", kDescSvcType),
        col("Cluster-IP", "string", kDescSvcClusterIP),
        col("External-IP", "string", kDescSvcExternalIPs), col("Port(s)", "string", kDescSvcPorts),
        age_col(), col("Selector", "string", kDescSvcSelector, 1)},
       service_cells});
  out.push_back({"",
                 "nodes",
                 {name_col(), col("Status", "string", "The status of the node"),
                  col("Roles", "string", "The roles of the node"), age_col(),
                  col("Version", "string", kDescNodeKubeletVersion),
                  col("Internal-IP", "string", kDescNodeAddresses, 1),
                  col("External-IP", "string", kDescNodeAddresses, 1),
                  col("OS-Image", "string", kDescNodeOSImage, 1),
                  col("Kernel-Version", "string", kDescNodeKernelVersion, 1),
                  col("Container-Runtime", "string", kDescNodeContainerRuntime, 1)},
                 node_cells});
  out.push_back({"",
                 "namespaces",
                 {name_col(), col("Status", "string", "The status of the namespace"), age_col()},
                 namespace_cells});
  out.push_back({"",
                 "configmaps",
                 {name_col(), col("Data", "string", kDescConfigMapData), age_col()},
                 configmap_cells});
  out.push_back({"",
                 "secrets",
                 {name_col(), col("Type", "string", kDescSecretType),
                  col("Data", "string", kDescSecretData), age_col()},
                 secret_cells});
  out.push_back({"",
                 "serviceaccounts",
                 {name_col(), col("Secrets", "string", kDescSASecrets), age_col()},
                 serviceaccount_cells});
  out.push_back({"",
                 "endpoints",
                 {name_col(), col("Endpoints", "string", kDescEndpointsSubsets), age_col()},
                 endpoints_cells});
  out.push_back(
      {"",
       "resourcequotas",
       {name_col(), age_col(),
        col("Request", "string",
            "Request represents a minimum amount of cpu/memory that a container may consume."),
        col("Limit", "string",
            "Limits control the maximum amount of cpu/memory that a container may use "
            "independent of contention on the node.")},
       resourcequota_cells});
}

}  // namespace skiff::api::printing
