// The pure parts of `skiff sim`: its configuration and flag parsing, the address plan of the
// hollow nodes (podCIDR and InternalIP by node index), the per-node pod IP allocator, and the
// API objects a kubelet would write (Node, Lease, a Running pod's status). No I/O here, so
// everything in this file is unit-tested directly (tests/sim/objects_test.cc).
#pragma once
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/api_error.h"
#include "common/json.h"
#include "common/time.h"

namespace skiff::sim {

struct Taint {
  std::string key, value, effect;  // effect: NoSchedule, PreferNoSchedule, NoExecute
};

struct SimConfig {
  std::string kubeconfig;
  int nodes = 0;
  std::string name_prefix = "sim-";
  std::string cpu = "4";
  std::string memory = "16Gi";
  int pods = 110;
  std::vector<std::pair<std::string, std::string>> labels;  // extra node labels, in flag order
  std::vector<Taint> taints;
  std::chrono::milliseconds pod_start_delay{0};
  // How long a pod whose restartPolicy is Never or OnFailure runs before its containers exit
  // (annotation sim.skiff.dev/run-duration overrides it per pod; see pod_lifecycle.h).
  std::chrono::milliseconds pod_run_duration{1000};
  // How often each node's Lease is renewed (a kubelet: 10 s); renewals of all nodes are spread
  // evenly over this window.
  std::chrono::milliseconds heartbeat_interval{10'000};
  // How often the Ready condition's lastHeartbeatTime is refreshed (a kubelet: up to 5 min).
  std::chrono::milliseconds node_status_interval{60'000};
  // How long a registered node without spec.podCIDR waits for the node IPAM controller to set
  // one before the sim sets its own (the address plan's block); its pods stay Pending meanwhile.
  // 0: the sim registers nodes with its own podCIDR (no IPAM expected).
  std::chrono::milliseconds pod_cidr_wait{30'000};
  int workers = 16;              // pod reconcile threads
  int registration_threads = 8;  // node registration threads
  // Lease renewal threads; 0 = one per 25 renewals a second (5,000 nodes at 10 s: 20), so a
  // server slowed by other writes still sees every lease renewed on time.
  int heartbeat_threads = 0;
  bool verbose = false;
};

// Parses `skiff sim` flags (argv[0] is "sim"). On error returns a 400 whose message is what the
// command prints; `--help` yields nullopt with *help set.
Result<SimConfig> parse_sim_flags(int argc, char** argv, bool* help);
// The number of heartbeat threads cfg asks for (resolving 0 = auto), at least 1.
int heartbeat_threads(const SimConfig& cfg);
std::string sim_usage();

// ---- address plan ----
// The sim's own numbering, used when no node IPAM controller sets the nodes' podCIDRs
// (--pod-cidr-wait): pod CIDRs are carved from 10.128.0.0/10 (10.128.0.0-10.191.255.255), one block per node,
// /24 when --pods fits (253 usable addresses) and larger blocks otherwise. Node InternalIPs
// come from 10.250.0.0/16. Neither overlaps the default service range 10.96.0.0/12.
class AddressPlan {
 public:
  // Fails when `nodes` blocks big enough for `pods_per_node` do not fit the range.
  static Result<AddressPlan> make(int nodes, int pods_per_node);
  int prefix_length() const { return prefix_; }
  uint32_t block_size() const { return 1u << (32 - prefix_); }
  std::string pod_cidr(int index) const;            // "10.128.3.0/24"
  uint32_t pod_base(int index) const;               // network address as a host-order integer
  std::string internal_ip(int index) const;         // "10.250.0.4"
  // Host offsets [first_host, last_host] inside a block that pods may use: .0 is the network,
  // .1 the node's bridge, the last the broadcast address.
  uint32_t first_host() const { return 2; }
  uint32_t last_host() const { return block_size() - 2; }
  // The index of the node whose block holds `ip`, or -1.
  int node_of_ip(const std::string& ip, int nodes) const;

  static std::string ip_string(uint32_t ip);
  static std::optional<uint32_t> parse_ip(const std::string& s);

 private:
  int prefix_ = 24;
};

// "a.b.c.d/n" as (network address with host bits cleared, prefix length); nullopt if malformed.
std::optional<std::pair<uint32_t, int>> parse_cidr(const std::string& s);

// Pod IPs of every hollow node, keyed by pod ("ns/name"). Each node's block is its podCIDR,
// known once the node IPAM controller (or the sim's fallback) set it. Thread-safe (one mutex;
// allocation is a few operations). Allocation is next-fit per node, so a freed address is handed
// out again only after the rest of the block was used, as host-local IPAM does. Pods get .2
// upwards (.0 is the network, .1 the node's bridge, the last the broadcast address).
class IpAllocator {
 public:
  explicit IpAllocator(int nodes);  // no blocks yet
  IpAllocator(const AddressPlan& plan, int nodes);  // every block from the plan
  // Sets the node's block; false when the CIDR is malformed, smaller than /30, or differs from
  // a block pods already hold addresses in (a podCIDR never changes; the old one is kept).
  bool set_block(int node, const std::string& cidr);
  bool has_block(int node) const;
  std::string block_cidr(int node) const;  // "" when none
  // The pod's address on `node`: its existing one when it has one there, else a new one;
  // nullopt when the node has no block yet or the block is full.
  std::optional<std::string> allocate(const std::string& pod_key, int node);
  // Records an address a pod already has (a sim restart finds Running pods); false when the
  // address is outside the node's block or held by another pod.
  bool reserve(const std::string& pod_key, int node, const std::string& ip);
  void release(const std::string& pod_key);
  size_t in_use(int node) const;
  size_t size() const;  // pods holding an address

 private:
  static constexpr uint32_t kFirstHost = 2;
  struct Block {
    uint32_t base = 0;
    int prefix = 0;
    uint32_t size = 0;       // host offsets tracked; 0 = no block yet
    std::vector<bool> used;  // by host offset
    uint32_t next = 0;       // next-fit cursor (host offset)
    uint32_t count = 0;
    uint32_t last_host() const { return size - 2; }
  };
  struct Held {
    int node;
    uint32_t offset;
  };
  mutable std::mutex mu_;
  // State below is guarded by mu_.
  std::vector<Block> blocks_;
  std::unordered_map<std::string, Held> held_;
};

// ---- objects ----
// Node <prefix><index> as a kubelet registers it, with status (capacity, allocatable, addresses,
// conditions, nodeInfo). `boot_id` changes each run, like a rebooted machine's.
json::object make_node(const SimConfig& cfg, const AddressPlan& plan, int index,
                       Clock::time_point now, const std::string& boot_id);
std::string node_name(const SimConfig& cfg, int index);
// The conditions a healthy kubelet reports; `since` is every condition's lastTransitionTime.
json::array node_conditions(Clock::time_point heartbeat, Clock::time_point since);
// The Lease kube-node-lease/<node>; `node_uid` (may be empty) makes the Node its owner.
json::object make_lease(const std::string& node, const std::string& node_uid,
                        Clock::time_point now);

// The merge patch of pods/<p>/status that makes `pod` Running with every container ready.
json::object running_pod_status(const json::object& pod, const std::string& pod_ip,
                                const std::string& host_ip, Clock::time_point now);

}  // namespace skiff::sim
