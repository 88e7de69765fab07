// The Node object of this machine as the kubelet reports it (upstream: pkg/kubelet/nodestatus):
// capacity and allocatable read from the host, addresses, nodeInfo, conditions, images, and the
// node Lease. Pure functions over NodeFacts so the shapes are unit-tested.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/json.h"
#include "images/images.h"

namespace skiff::agent {

struct NodeFacts {
  std::string hostname;
  int cpus = 1;
  int64_t memory_bytes = 0;     // MemTotal
  int64_t memory_available = 0; // MemAvailable
  int64_t disk_bytes = 0;       // the data dir's filesystem
  int64_t disk_available = 0;
  std::string kernel_version, os_image, machine_id, system_uuid, boot_id;
};

// Reads /proc, /etc/os-release, uname and statvfs(data_dir).
NodeFacts read_node_facts(const std::string& data_dir);

// The source address of the default route (no packet is sent), else the first non-loopback
// address, else 127.0.0.1.
std::string default_node_ip();

struct NodeReport {
  std::string name, ip;
  int kubelet_port = 10250;
  int max_pods = 110;
  std::string runtime_version;  // "crun://1.8.1"
  bool network_ready = false;
  std::string network_message;  // why not
  std::vector<images::Image> images;
};

json::object node_labels(const NodeReport& r);
// status.{capacity,allocatable,addresses,daemonEndpoints,nodeInfo,conditions,images}; condition
// lastTransitionTimes come from `old_status` when a condition's status did not change.
json::object node_status(const NodeReport& r, const NodeFacts& f, const json::object& old_status);
// The Lease kube-node-lease/<node>, owned by the Node.
json::object node_lease(const std::string& node, const std::string& node_uid, int duration_s);

// node_loop.cc: registers the Node, brings up the pod network once the node has a podCIDR,
// renews the Lease and reports status until `wait` (which sleeps for the given time) returns
// false.
class NodeContext;
void node_loop(NodeContext& ctx, const std::function<bool(std::chrono::milliseconds)>& wait);


}  // namespace skiff::agent
