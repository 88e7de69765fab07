// The pure parts of `skiff sim`: flags, the address plan, pod IP allocation and the objects a
// kubelet writes. See objects.h.
#include "sim/objects.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>

#include "api/validation_util.h"
#include "common/flags.h"
#include "common/numbers.h"

namespace skiff::sim {
namespace {

constexpr uint32_t kPodRangeBase = (10u << 24) | (128u << 16);  // 10.128.0.0
constexpr int kPodRangePrefix = 10;                            // .../10
constexpr uint32_t kNodeRangeBase = (10u << 24) | (250u << 16);  // 10.250.0.0/16

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    auto pos = s.find(sep, start);
    out.push_back(s.substr(start, pos == std::string::npos ? std::string::npos : pos - start));
    if (pos == std::string::npos) break;
    start = pos + 1;
  }
  return out;
}

// A short deterministic hex digest of a string (machine-id and system-uuid of a node must be
// stable across sim restarts, like a real machine's).
std::string hex_id(const std::string& seed, size_t len) {
  std::string out;
  uint64_t h = 1469598103934665603ull;
  for (char c : seed) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  static const char* digits = "0123456789abcdef";
  while (out.size() < len) {
    h = h * 6364136223846793005ull + 1442695040888963407ull;
    out.push_back(digits[(h >> 59) & 0xf]);
  }
  return out;
}

json::object condition(const char* type, const char* status, const char* reason,
                       const char* message, const std::string& heartbeat,
                       const std::string& since) {
  return json::object{{"type", type},           {"status", status},
                      {"lastHeartbeatTime", heartbeat}, {"lastTransitionTime", since},
                      {"reason", reason},       {"message", message}};
}

}  // namespace

namespace {

// The flags of `skiff sim`, setting `cfg`; the setters check each value.
FlagSet sim_flags(SimConfig& cfg) {
  FlagSet fs("skiff sim", "--kubeconfig FILE --nodes N [flags]",
             "Registers N hollow nodes and acts as their kubelet without running containers:\n"
             "pods bound to them become Running, leases are renewed, graceful deletion completes.\n"
             "SIGTERM/SIGINT stops the heartbeats and leaves the nodes behind, like dead machines.");
  auto positive = [](int* dst, int max, const char* what) {
    return [dst, max, what](const std::string& v) -> std::string {
      auto n = parse_int64(v);
      if (!n || *n < 1 || *n > max) return "\"" + v + "\" is not " + what;
      *dst = static_cast<int>(*n);
      return "";
    };
  };
  auto quantity = [](std::string* dst) {
    return [dst](const std::string& v) -> std::string {
      std::string err;
      auto q = api::detail::parse_quantity(v, &err);
      if (!q || *q <= 0) return "\"" + v + "\": " + (err.empty() ? "want a positive quantity" : err);
      *dst = v;
      return "";
    };
  };
  fs.custom("--kubeconfig", "FILE", "credentials and server (required)", "",
            [&cfg](const std::string& v) -> std::string {
              if (v.empty()) return "want a file name";
              cfg.kubeconfig = v;
              return "";
            })
      .custom("--nodes", "N", "number of nodes (required)", "",
              positive(&cfg.nodes, 1'000'000'000, "a positive number of nodes"))
      .custom("--name-prefix", "P", "node names are P0, P1, ...", cfg.name_prefix,
              [&cfg](const std::string& v) -> std::string {
                // The names must be DNS subdomains; a lowercase prefix ending in '-' or
                // alphanumeric is.
                for (char c : v)
                  if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'))
                    return "\"" + v + "\": want lower case letters, digits, '-' or '.'";
                if (!v.empty() && (v[0] == '-' || v[0] == '.'))
                  return "\"" + v + "\" must start with a letter or digit";
                cfg.name_prefix = v;
                return "";
              })
      .custom("--cpu", "Q", "cpu capacity of each node", cfg.cpu, quantity(&cfg.cpu))
      .custom("--memory", "Q", "memory capacity of each node", cfg.memory, quantity(&cfg.memory))
      .custom("--pods", "N", "pod capacity of each node", std::to_string(cfg.pods),
              positive(&cfg.pods, 1'000'000'000, "a positive number of pods"))
      .custom("--labels", "k=v,...", "extra labels on every node", "",
              [&cfg](const std::string& v) -> std::string {
                if (v.empty()) return "";
                json::object labels;
                for (const auto& kv : split(v, ',')) {
                  auto p = kv.find('=');
                  if (p == std::string::npos || p == 0)
                    return "\"" + v + "\": want key=value pairs separated by ','";
                  cfg.labels.emplace_back(kv.substr(0, p), kv.substr(p + 1));
                  labels[kv.substr(0, p)] = kv.substr(p + 1);
                }
                std::vector<FieldCause> causes;
                api::detail::validate_labels(causes, labels, "labels");
                if (!causes.empty()) return "\"" + v + "\": " + causes.front().message;
                return "";
              })
      .custom("--taints", "k[=v]:Effect,...",
              "taints on every node (NoSchedule, PreferNoSchedule, NoExecute)", "",
              [&cfg](const std::string& v) -> std::string {
                if (v.empty()) return "";
                for (const auto& t : split(v, ',')) {
                  auto colon = t.rfind(':');
                  if (colon == std::string::npos || colon == 0)
                    return "\"" + v + "\": want key[=value]:Effect taints separated by ','";
                  Taint taint;
                  taint.effect = t.substr(colon + 1);
                  std::string kv = t.substr(0, colon);
                  auto p = kv.find('=');
                  taint.key = kv.substr(0, p);
                  if (p != std::string::npos) taint.value = kv.substr(p + 1);
                  if (taint.key.empty()) return "\"" + v + "\": a taint needs a key";
                  if (taint.effect != "NoSchedule" && taint.effect != "PreferNoSchedule" &&
                      taint.effect != "NoExecute")
                    return "\"" + v +
                           "\": taint effect must be NoSchedule, PreferNoSchedule or NoExecute";
                  cfg.taints.push_back(std::move(taint));
                }
                return "";
              })
      .duration("--pod-start-delay", &cfg.pod_start_delay, "time from binding to Running")
      .duration("--pod-run-duration", &cfg.pod_run_duration,
                "how long pods with restartPolicy Never/OnFailure run before their containers exit")
      .duration("--heartbeat-interval", &cfg.heartbeat_interval, "lease renewal period",
                std::chrono::milliseconds(1))
      .duration("--node-status-interval", &cfg.node_status_interval,
                "Ready condition heartbeat period", std::chrono::milliseconds(1))
      .duration("--pod-cidr-wait", &cfg.pod_cidr_wait,
                "how long a node waits for the node IPAM controller to set its podCIDR before the "
                "sim sets its own (0 = the sim sets its own at registration)")
      .integer("--workers", &cfg.workers, "pod status workers", 1, 256)
      .boolean("--verbose", &cfg.verbose, "debug logging")
      .alias("-v", "--verbose");
  return fs;
}

}  // namespace

std::string sim_usage() {
  SimConfig cfg;
  return sim_flags(cfg).usage();
}

Result<SimConfig> parse_sim_flags(int argc, char** argv, bool* help) {
  SimConfig cfg;
  if (help) *help = false;
  FlagSet fs = sim_flags(cfg);
  switch (fs.parse(argc, argv)) {
    case FlagSet::Outcome::kHelp:
      if (help) *help = true;
      return cfg;
    case FlagSet::Outcome::kError:
      return ApiError::bad_request(fs.error());
    case FlagSet::Outcome::kOk:
      break;
  }
  if (cfg.kubeconfig.empty()) return ApiError::bad_request("--kubeconfig is required");
  if (!fs.seen("--nodes")) return ApiError::bad_request("--nodes is required");
  if (auto plan = AddressPlan::make(cfg.nodes, cfg.pods); !plan) return plan.error();
  return cfg;
}

int heartbeat_threads(const SimConfig& cfg) {
  int n = cfg.heartbeat_threads;
  if (n <= 0) {
    double per_second = cfg.nodes * 1000.0 / std::max<int64_t>(1, cfg.heartbeat_interval.count());
    n = std::clamp(static_cast<int>(per_second / 25) + 1, 2, 32);
  }
  return std::max(1, std::min(n, std::max(1, cfg.nodes)));
}

// ---- AddressPlan ----

Result<AddressPlan> AddressPlan::make(int nodes, int pods_per_node) {
  AddressPlan p;
  // Smallest block (at most /24) with room for the pods plus network, bridge and broadcast.
  int host_bits = 8;
  while (host_bits < 20 && (1u << host_bits) < static_cast<uint32_t>(pods_per_node) + 3) ++host_bits;
  if ((1u << host_bits) < static_cast<uint32_t>(pods_per_node) + 3)
    return ApiError::bad_request("--pods " + std::to_string(pods_per_node) + " is too large");
  p.prefix_ = 32 - host_bits;
  uint64_t blocks = 1ull << (p.prefix_ - kPodRangePrefix);
  if (static_cast<uint64_t>(nodes) > blocks || nodes > 65534)
    return ApiError::bad_request(
        "--nodes " + std::to_string(nodes) + " does not fit the pod range 10.128.0.0/10 with /" +
        std::to_string(p.prefix_) + " per node (at most " +
        std::to_string(std::min<uint64_t>(blocks, 65534)) + " nodes)");
  return p;
}

uint32_t AddressPlan::pod_base(int index) const {
  return kPodRangeBase + static_cast<uint32_t>(index) * block_size();
}

std::string AddressPlan::pod_cidr(int index) const {
  return ip_string(pod_base(index)) + "/" + std::to_string(prefix_);
}

std::string AddressPlan::internal_ip(int index) const {
  // Node 0 is 10.250.0.1 (10.250.0.0 is the network address of the range).
  uint32_t n = static_cast<uint32_t>(index) + 1;
  return ip_string(kNodeRangeBase + n);
}

int AddressPlan::node_of_ip(const std::string& ip, int nodes) const {
  auto v = parse_ip(ip);
  if (!v || *v < kPodRangeBase) return -1;
  uint32_t idx = (*v - kPodRangeBase) / block_size();
  return idx < static_cast<uint32_t>(nodes) ? static_cast<int>(idx) : -1;
}

std::string AddressPlan::ip_string(uint32_t ip) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff,
                ip & 0xff);
  return buf;
}

std::optional<uint32_t> AddressPlan::parse_ip(const std::string& s) {
  unsigned a, b, c, d;
  char tail;
  if (std::sscanf(s.c_str(), "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) != 4) return std::nullopt;
  if (a > 255 || b > 255 || c > 255 || d > 255) return std::nullopt;
  return (a << 24) | (b << 16) | (c << 8) | d;
}

// ---- IpAllocator ----

std::optional<std::pair<uint32_t, int>> parse_cidr(const std::string& s) {
  auto slash = s.find('/');
  if (slash == std::string::npos || slash + 1 >= s.size() || s.size() - slash > 3) return std::nullopt;
  auto ip = AddressPlan::parse_ip(s.substr(0, slash));
  int prefix = 0;
  for (size_t i = slash + 1; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    prefix = prefix * 10 + (s[i] - '0');
  }
  if (!ip || prefix > 32) return std::nullopt;
  uint32_t mask = prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix);
  return std::pair{*ip & mask, prefix};
}

IpAllocator::IpAllocator(int nodes) : blocks_(nodes) {}

IpAllocator::IpAllocator(const AddressPlan& plan, int nodes) : blocks_(nodes) {
  for (int i = 0; i < nodes; ++i) set_block(i, plan.pod_cidr(i));
}

bool IpAllocator::set_block(int node, const std::string& cidr) {
  auto c = parse_cidr(cidr);
  if (!c || c->second > 30) return false;
  std::lock_guard lock(mu_);
  if (node < 0 || node >= static_cast<int>(blocks_.size())) return false;
  auto& b = blocks_[node];
  if (b.size > 0 && b.base == c->first && b.prefix == c->second) return true;
  if (b.count > 0) return false;  // pods hold addresses of the old block
  b.base = c->first;
  b.prefix = c->second;
  // Huge blocks are used only in part: no node runs more pods than this.
  b.size = c->second < 16 ? 1u << 16 : 1u << (32 - c->second);
  b.used.assign(b.size, false);
  b.next = kFirstHost;
  return true;
}

bool IpAllocator::has_block(int node) const {
  std::lock_guard lock(mu_);
  return node >= 0 && node < static_cast<int>(blocks_.size()) && blocks_[node].size > 0;
}

std::string IpAllocator::block_cidr(int node) const {
  std::lock_guard lock(mu_);
  if (node < 0 || node >= static_cast<int>(blocks_.size()) || blocks_[node].size == 0) return "";
  const auto& b = blocks_[node];
  return AddressPlan::ip_string(b.base) + "/" + std::to_string(b.prefix);
}

std::optional<std::string> IpAllocator::allocate(const std::string& pod_key, int node) {
  std::lock_guard lock(mu_);
  if (node < 0 || node >= static_cast<int>(blocks_.size())) return std::nullopt;
  if (auto it = held_.find(pod_key); it != held_.end()) {
    if (it->second.node == node) return AddressPlan::ip_string(blocks_[node].base + it->second.offset);
    auto& old = blocks_[it->second.node];
    old.used[it->second.offset] = false;
    --old.count;
    held_.erase(it);
  }
  auto& b = blocks_[node];
  if (b.size == 0) return std::nullopt;
  uint32_t first = kFirstHost, last = b.last_host();
  uint32_t span = last - first + 1;
  if (b.count >= span) return std::nullopt;
  for (uint32_t i = 0; i < span; ++i) {
    uint32_t off = b.next;
    b.next = off >= last ? first : off + 1;
    if (!b.used[off]) {
      b.used[off] = true;
      ++b.count;
      held_.emplace(pod_key, Held{node, off});
      return AddressPlan::ip_string(b.base + off);
    }
  }
  return std::nullopt;
}

bool IpAllocator::reserve(const std::string& pod_key, int node, const std::string& ip) {
  auto v = AddressPlan::parse_ip(ip);
  std::lock_guard lock(mu_);
  if (!v || node < 0 || node >= static_cast<int>(blocks_.size())) return false;
  auto& b = blocks_[node];
  if (b.size == 0) return false;
  if (*v < b.base + kFirstHost || *v > b.base + b.last_host()) return false;
  uint32_t off = *v - b.base;
  if (auto it = held_.find(pod_key); it != held_.end()) {
    if (it->second.node == node && it->second.offset == off) return true;
    auto& old = blocks_[it->second.node];
    old.used[it->second.offset] = false;
    --old.count;
    held_.erase(it);
  }
  if (b.used[off]) return false;
  b.used[off] = true;
  ++b.count;
  held_.emplace(pod_key, Held{node, off});
  return true;
}

void IpAllocator::release(const std::string& pod_key) {
  std::lock_guard lock(mu_);
  auto it = held_.find(pod_key);
  if (it == held_.end()) return;
  auto& b = blocks_[it->second.node];
  b.used[it->second.offset] = false;
  --b.count;
  held_.erase(it);
}

size_t IpAllocator::in_use(int node) const {
  std::lock_guard lock(mu_);
  return node >= 0 && node < static_cast<int>(blocks_.size()) ? blocks_[node].count : 0;
}

size_t IpAllocator::size() const {
  std::lock_guard lock(mu_);
  return held_.size();
}

// ---- objects ----

std::string node_name(const SimConfig& cfg, int index) {
  return cfg.name_prefix + std::to_string(index);
}

json::array node_conditions(Clock::time_point heartbeat, Clock::time_point since) {
  auto hb = format_rfc3339(heartbeat), tr = format_rfc3339(since);
  return json::array{
      condition("MemoryPressure", "False", "KubeletHasSufficientMemory",
                "kubelet has sufficient memory available", hb, tr),
      condition("DiskPressure", "False", "KubeletHasNoDiskPressure",
                "kubelet has no disk pressure", hb, tr),
      condition("PIDPressure", "False", "KubeletHasSufficientPID",
                "kubelet has sufficient PID available", hb, tr),
      condition("Ready", "True", "KubeletReady", "kubelet is posting ready status", hb, tr),
  };
}

json::object make_node(const SimConfig& cfg, const AddressPlan& plan, int index,
                       Clock::time_point now, const std::string& boot_id) {
  std::string name = node_name(cfg, index);
  json::object labels{{"kubernetes.io/hostname", name},
                      {"kubernetes.io/os", "linux"},
                      {"kubernetes.io/arch", "amd64"},
                      {"beta.kubernetes.io/os", "linux"},
                      {"beta.kubernetes.io/arch", "amd64"},
                      {"node.kubernetes.io/instance-type", "sim"}};
  for (const auto& [k, v] : cfg.labels) labels[k] = v;
  // With --pod-cidr-wait the node IPAM controller assigns the podCIDR (hollow_nodes.cc).
  json::object spec;
  if (cfg.pod_cidr_wait.count() == 0) {
    spec["podCIDR"] = plan.pod_cidr(index);
    spec["podCIDRs"] = json::array{json::value(plan.pod_cidr(index))};
  }
  if (!cfg.taints.empty()) {
    json::array taints;
    for (const auto& t : cfg.taints) {
      json::object o{{"key", t.key}, {"effect", t.effect}};
      if (!t.value.empty()) o["value"] = t.value;
      taints.push_back(std::move(o));
    }
    spec["taints"] = std::move(taints);
  }
  json::object resources{{"cpu", cfg.cpu},
                         {"memory", cfg.memory},
                         {"pods", std::to_string(cfg.pods)},
                         {"ephemeral-storage", "100Gi"}};
  std::string machine = hex_id(name, 32);
  std::string uuid = hex_id(name + "/uuid", 32);
  uuid = uuid.substr(0, 8) + "-" + uuid.substr(8, 4) + "-" + uuid.substr(12, 4) + "-" +
         uuid.substr(16, 4) + "-" + uuid.substr(20, 12);
  json::object status{
      {"capacity", resources},
      {"allocatable", resources},
      {"addresses", json::array{json::object{{"type", "InternalIP"}, {"address", plan.internal_ip(index)}},
                                json::object{{"type", "Hostname"}, {"address", name}}}},
      {"conditions", node_conditions(now, now)},
      {"daemonEndpoints", json::object{{"kubeletEndpoint", json::object{{"Port", 10250}}}}},
      {"nodeInfo", json::object{{"machineID", machine},
                                {"systemUUID", uuid},
                                {"bootID", boot_id},
                                {"kernelVersion", "6.1.0-sim"},
                                {"osImage", "skiff sim"},
                                {"containerRuntimeVersion", "sim://0"},
                                {"kubeletVersion", "v1.32.0-skiff-sim"},
                                {"kubeProxyVersion", "v1.32.0-skiff-sim"},
                                {"operatingSystem", "linux"},
                                {"architecture", "amd64"}}},
  };
  return json::object{{"apiVersion", "v1"},
                      {"kind", "Node"},
                      {"metadata", json::object{{"name", name}, {"labels", std::move(labels)}}},
                      {"spec", std::move(spec)},
                      {"status", std::move(status)}};
}

json::object make_lease(const std::string& node, const std::string& node_uid,
                        Clock::time_point now) {
  json::object meta{{"name", node}, {"namespace", "kube-node-lease"}};
  if (!node_uid.empty())
    meta["ownerReferences"] = json::array{json::object{
        {"apiVersion", "v1"}, {"kind", "Node"}, {"name", node}, {"uid", node_uid}}};
  return json::object{{"apiVersion", "coordination.k8s.io/v1"},
                      {"kind", "Lease"},
                      {"metadata", std::move(meta)},
                      {"spec", json::object{{"holderIdentity", node},
                                            {"leaseDurationSeconds", 40},
                                            {"renewTime", format_rfc3339_micro(now)}}}};
}

json::object running_pod_status(const json::object& pod, const std::string& pod_ip,
                                const std::string& host_ip, Clock::time_point now) {
  std::string ts = format_rfc3339(now);
  std::string uid = get_string(pod, {"metadata", "uid"});
  // PodScheduled keeps the time the binding recorded.
  std::string scheduled_at = ts;
  if (const auto* conds = find_path(pod, {"status", "conditions"}); conds && conds->is_array())
    for (const auto& c : conds->get_array())
      if (get_string(c, {"type"}) == "PodScheduled") {
        auto t = get_string(c, {"lastTransitionTime"});
        if (!t.empty()) scheduled_at = t;
      }
  auto cond = [](const char* type, const std::string& at) {
    return json::object{{"type", type}, {"status", "True"}, {"lastProbeTime", nullptr},
                        {"lastTransitionTime", at}};
  };
  auto container_id = [&](const std::string& name) { return "sim://" + uid + "-" + name; };
  auto base_status = [&](const json::value& c) {
    std::string name = get_string(c, {"name"}), image = get_string(c, {"image"});
    return json::object{{"name", name},
                        {"image", image},
                        {"imageID", "sim://" + image},
                        {"containerID", container_id(name)},
                        {"restartCount", 0},
                        {"lastState", json::object{}}};
  };
  json::array statuses, init_statuses;
  if (const auto* cs = find_path(pod, {"spec", "containers"}); cs && cs->is_array())
    for (const auto& c : cs->get_array()) {
      auto s = base_status(c);
      s["ready"] = true;
      s["started"] = true;
      s["state"] = json::object{{"running", json::object{{"startedAt", ts}}}};
      statuses.push_back(std::move(s));
    }
  if (const auto* cs = find_path(pod, {"spec", "initContainers"}); cs && cs->is_array())
    for (const auto& c : cs->get_array()) {
      auto s = base_status(c);
      if (get_string(c, {"restartPolicy"}) == "Always") {  // a sidecar keeps running
        s["ready"] = true;
        s["started"] = true;
        s["state"] = json::object{{"running", json::object{{"startedAt", ts}}}};
      } else {
        s["ready"] = true;
        s["started"] = false;
        s["state"] = json::object{{"terminated", json::object{{"exitCode", 0},
                                                              {"reason", "Completed"},
                                                              {"startedAt", ts},
                                                              {"finishedAt", ts},
                                                              {"containerID", container_id(get_string(c, {"name"}))}}}};
      }
      init_statuses.push_back(std::move(s));
    }
  json::object status{
      {"phase", "Running"},
      {"conditions", json::array{cond("PodReadyToStartContainers", ts), cond("Initialized", ts),
                                 cond("Ready", ts), cond("ContainersReady", ts),
                                 cond("PodScheduled", scheduled_at)}},
      {"hostIP", host_ip},
      {"hostIPs", json::array{json::object{{"ip", host_ip}}}},
      {"podIP", pod_ip},
      {"podIPs", json::array{json::object{{"ip", pod_ip}}}},
      {"startTime", ts},
      {"containerStatuses", std::move(statuses)},
  };
  if (!init_statuses.empty()) status["initContainerStatuses"] = std::move(init_statuses);
  return json::object{{"status", std::move(status)}};
}

}  // namespace skiff::sim
