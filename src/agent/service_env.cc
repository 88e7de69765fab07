#include "agent/service_env.h"

#include <algorithm>
#include <cctype>

namespace skiff::agent {
namespace {

std::string env_name(std::string s) {
  for (auto& c : s) c = c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::vector<std::string> service_env(const std::vector<json::object>& services) {
  std::vector<std::string> out;
  for (const auto& svc : services) {
    std::string ip = get_string(svc, {"spec", "clusterIP"});
    if (ip.empty() || ip == "None") continue;
    const auto* ports = find_path(svc, {"spec", "ports"});
    if (!ports || !ports->is_array() || ports->get_array().empty()) continue;
    const std::string name = env_name(get_string(svc, {"metadata", "name"}));
    const auto& list = ports->get_array();
    const std::string first_port = std::to_string(get_int(list[0], {"port"}));
    out.push_back(name + "_SERVICE_HOST=" + ip);
    out.push_back(name + "_SERVICE_PORT=" + first_port);
    for (const auto& p : list) {
      std::string pname = get_string(p, {"name"});
      std::string port = std::to_string(get_int(p, {"port"}));
      if (!pname.empty()) out.push_back(name + "_SERVICE_PORT_" + env_name(pname) + "=" + port);
    }
    const std::string proto0 = lower(get_string(list[0], {"protocol"}, "TCP"));
    out.push_back(name + "_PORT=" + proto0 + "://" + ip + ":" + first_port);
    for (const auto& p : list) {
      std::string port = std::to_string(get_int(p, {"port"}));
      std::string proto = get_string(p, {"protocol"}, "TCP");
      std::string prefix = name + "_PORT_" + port + "_" + env_name(proto);
      out.push_back(prefix + "=" + lower(proto) + "://" + ip + ":" + port);
      out.push_back(prefix + "_PROTO=" + lower(proto));
      out.push_back(prefix + "_PORT=" + port);
      out.push_back(prefix + "_ADDR=" + ip);
    }
  }
  return out;
}

std::vector<json::object> services_for_pod(const json::object& pod,
                                           const std::vector<json::object>& pod_namespace,
                                           const std::vector<json::object>& default_namespace) {
  const auto* links = find_path(pod, {"spec", "enableServiceLinks"});
  bool enabled = !(links && links->is_bool() && !links->get_bool());
  std::string ns = get_string(pod, {"metadata", "namespace"}, "default");
  std::vector<json::object> out;
  for (const auto& s : default_namespace)
    if (get_string(s, {"metadata", "name"}) == "kubernetes") out.push_back(s);
  if (enabled)
    for (const auto& s : pod_namespace)
      if (!(ns == "default" && get_string(s, {"metadata", "name"}) == "kubernetes")) out.push_back(s);
  std::sort(out.begin(), out.end(), [](const json::object& a, const json::object& b) {
    return get_string(a, {"metadata", "name"}) < get_string(b, {"metadata", "name"});
  });
  return out;
}

}  // namespace skiff::agent
