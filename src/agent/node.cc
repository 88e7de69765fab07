#include "agent/node.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "common/time.h"
#include "common/version.h"
#include "pki/pki.h"

namespace skiff::agent {
namespace {

std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string s;
  std::getline(in, s);
  return s;
}

int64_t meminfo(const std::string& key) {
  std::ifstream in("/proc/meminfo");
  std::string k;
  int64_t v = 0;
  std::string unit;
  while (in >> k >> v >> unit)
    if (k == key + ":") return v * 1024;
  return 0;
}

std::string os_image() {
  std::ifstream in("/etc/os-release");
  for (std::string l; std::getline(in, l);)
    if (l.rfind("PRETTY_NAME=", 0) == 0) {
      std::string v = l.substr(12);
      if (v.size() >= 2 && v.front() == '"') v = v.substr(1, v.size() - 2);
      return v;
    }
  return "Linux";
}

std::string ki(int64_t bytes) { return std::to_string(std::max<int64_t>(bytes, 0) / 1024) + "Ki"; }

json::object condition(const json::object& old_status, const std::string& type, bool status,
                       const std::string& reason, const std::string& message,
                       const std::string& now) {
  std::string st = status ? "True" : "False";
  std::string since = now;
  if (const auto* conds = find_path(old_status, {"conditions"}); conds && conds->is_array())
    for (const auto& c : conds->get_array())
      if (get_string(c, {"type"}) == type && get_string(c, {"status"}) == st)
        since = get_string(c, {"lastTransitionTime"}, now);
  return json::object{{"type", type},       {"status", st},
                      {"reason", reason},   {"message", message},
                      {"lastHeartbeatTime", now}, {"lastTransitionTime", since}};
}

}  // namespace

NodeFacts read_node_facts(const std::string& data_dir) {
  NodeFacts f;
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  f.hostname = host;
  long n = ::sysconf(_SC_NPROCESSORS_ONLN);
  f.cpus = n > 0 ? static_cast<int>(n) : 1;
  f.memory_bytes = meminfo("MemTotal");
  f.memory_available = meminfo("MemAvailable");
  struct statvfs sv{};
  if (::statvfs(data_dir.c_str(), &sv) == 0) {
    f.disk_bytes = static_cast<int64_t>(sv.f_blocks) * static_cast<int64_t>(sv.f_frsize);
    f.disk_available = static_cast<int64_t>(sv.f_bavail) * static_cast<int64_t>(sv.f_frsize);
  }
  struct utsname u{};
  if (::uname(&u) == 0) f.kernel_version = u.release;
  f.os_image = os_image();
  f.machine_id = first_line("/etc/machine-id");
  f.system_uuid = first_line("/sys/class/dmi/id/product_uuid");
  if (f.system_uuid.empty()) f.system_uuid = f.machine_id;
  f.boot_id = first_line("/proc/sys/kernel/random/boot_id");
  return f;
}

std::string default_node_ip() {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd >= 0) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(53);
    ::inet_pton(AF_INET, "192.0.2.1", &a.sin_addr);  // TEST-NET-1: only the route is looked up
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
      sockaddr_in local{};
      socklen_t len = sizeof local;
      char buf[INET_ADDRSTRLEN] = {};
      if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) == 0 &&
          ::inet_ntop(AF_INET, &local.sin_addr, buf, sizeof buf) && std::string(buf) != "0.0.0.0") {
        ::close(fd);
        return buf;
      }
    }
    ::close(fd);
  }
  for (const auto& a : pki::host_addresses())
    if (a.find(':') == std::string::npos) return a;
  return "127.0.0.1";
}

json::object node_labels(const NodeReport& r) {
  return json::object{{"beta.kubernetes.io/arch", "amd64"},
                      {"beta.kubernetes.io/os", "linux"},
                      {"kubernetes.io/arch", "amd64"},
                      {"kubernetes.io/hostname", r.name},
                      {"kubernetes.io/os", "linux"}};
}

json::object node_status(const NodeReport& r, const NodeFacts& f, const json::object& old_status) {
  const std::string now = now_rfc3339();
  constexpr int64_t kEvictionHard = 100 * 1024 * 1024;  // upstream's memory.available<100Mi
  json::object capacity{{"cpu", std::to_string(f.cpus)},
                        {"memory", ki(f.memory_bytes)},
                        {"pods", std::to_string(r.max_pods)},
                        {"ephemeral-storage", ki(f.disk_bytes)},
                        {"hugepages-2Mi", "0"}};
  json::object allocatable = capacity;
  allocatable["memory"] = ki(f.memory_bytes - kEvictionHard);
  allocatable["ephemeral-storage"] = std::to_string(f.disk_bytes / 10 * 9);
  bool mem_pressure = f.memory_available > 0 && f.memory_available < kEvictionHard;
  bool disk_pressure = f.disk_bytes > 0 && f.disk_available < f.disk_bytes / 10;
  json::array conds{
      condition(old_status, "MemoryPressure", mem_pressure,
                mem_pressure ? "KubeletHasInsufficientMemory" : "KubeletHasSufficientMemory",
                mem_pressure ? "kubelet has insufficient memory available"
                             : "kubelet has sufficient memory available", now),
      condition(old_status, "DiskPressure", disk_pressure,
                disk_pressure ? "KubeletHasDiskPressure" : "KubeletHasNoDiskPressure",
                disk_pressure ? "kubelet has disk pressure" : "kubelet has no disk pressure", now),
      condition(old_status, "PIDPressure", false, "KubeletHasSufficientPID",
                "kubelet has sufficient PID available", now),
      r.network_ready
          ? condition(old_status, "Ready", true, "KubeletReady", "kubelet is posting ready status", now)
          : condition(old_status, "Ready", false, "KubeletNotReady",
                      "container runtime network not ready: NetworkReady=false "
                      "reason:NetworkPluginNotReady message:" + r.network_message, now)};
  json::array images;
  for (const auto& img : r.images) {
    json::array names;
    if (!img.manifest_digest.empty()) names.push_back(json::value(img.repo_digest()));
    names.push_back(json::value(img.name));
    images.push_back(json::object{{"names", std::move(names)}, {"sizeBytes", img.size}});
  }
  return json::object{
      {"capacity", std::move(capacity)},
      {"allocatable", std::move(allocatable)},
      {"conditions", std::move(conds)},
      {"addresses", json::array{json::object{{"type", "InternalIP"}, {"address", r.ip}},
                                json::object{{"type", "Hostname"}, {"address", r.name}}}},
      {"daemonEndpoints",
       json::object{{"kubeletEndpoint", json::object{{"Port", r.kubelet_port}}}}},
      {"nodeInfo", json::object{{"machineID", f.machine_id},
                                {"systemUUID", f.system_uuid},
                                {"bootID", f.boot_id},
                                {"kernelVersion", f.kernel_version},
                                {"osImage", f.os_image},
                                {"containerRuntimeVersion", r.runtime_version},
                                {"kubeletVersion", kKubeGitVersion},
                                {"kubeProxyVersion", kKubeGitVersion},
                                {"operatingSystem", "linux"},
                                {"architecture", "amd64"}}},
      {"images", std::move(images)}};
}

json::object node_lease(const std::string& node, const std::string& node_uid, int duration_s) {
  json::object meta{{"name", node}, {"namespace", "kube-node-lease"}};
  if (!node_uid.empty())
    meta["ownerReferences"] = json::array{json::object{{"apiVersion", "v1"},
                                                       {"kind", "Node"},
                                                       {"name", node},
                                                       {"uid", node_uid}}};
  return json::object{{"apiVersion", "coordination.k8s.io/v1"},
                      {"kind", "Lease"},
                      {"metadata", std::move(meta)},
                      {"spec", json::object{{"holderIdentity", node},
                                            {"leaseDurationSeconds", duration_s},
                                            {"renewTime", format_rfc3339_micro(Clock::now())}}}};
}

}  // namespace skiff::agent
