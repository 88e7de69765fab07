// Pod sandbox networking: one network namespace per pod, bind-mounted at
// <run_dir>/netns/<pod id> (not in /var/run/netns, so `ip netns` names of others are never
// touched), with loopback up and eth0 = one end of a veth pair whose other end is a port of the
// node bridge; the address comes from the node's pod range (Ipam) and the default route goes via
// the bridge's address. Uses iproute2 (`ip`, and `nsenter` to run it inside the namespace).
//
// Thread safety: calls for different pods may run concurrently; one pod's calls must not.
#pragma once
#include <string>

#include "runtime/ipam.h"
#include "runtime/status.h"

namespace skiff::runtime {

struct NetworkConfig {
  std::string bridge = "skiff0";
  std::string pod_cidr;  // e.g. "10.88.0.0/24"; the bridge gets the first host address
  std::string run_dir;   // netns bind mounts under <run_dir>/netns
  std::string ipam_dir;  // leases
  int mtu = 1500;
};

struct SandboxNetwork {
  std::string netns_path;  // join with ContainerSpec::namespaces["network"]
  std::string ip;          // "10.88.0.5"
  int prefix = 0;
  std::string gateway;    // the bridge's address
  std::string host_veth;  // e.g. "veth1a2b3c4d5e6"
};

// Creates a new namespace of type `clone_flag` (CLONE_NEWNET, CLONE_NEWIPC or CLONE_NEWUTS) and
// pins it with a bind mount on the file `path`, so it lives without any process in it; join it
// with ContainerSpec::namespaces. Ok when `path` already pins one.
Status pin_new_namespace(const std::string& path, int clone_flag);

class PodNetwork {
 public:
  explicit PodNetwork(NetworkConfig config);
  const NetworkConfig& config() const { return config_; }

  // Creates the bridge with the gateway address when missing and brings it up.
  Status ensure_bridge();
  // Removes the bridge (tests; a node keeps it).
  Status delete_bridge();
  // Creates the pod's namespace, veth, address and route. Idempotent for an existing setup
  // (returns what is there, e.g. after an agent restart). Undone on failure.
  Status setup(const std::string& pod_id, SandboxNetwork* out);
  // What setup made for the pod, or NotFound.
  Status lookup(const std::string& pod_id, SandboxNetwork* out) const;
  // Removes the veth, the namespace mount and file, and the lease. Ok when nothing was there.
  Status teardown(const std::string& pod_id);

  // The host-side veth name for a pod: "veth" + 11 hex digits of a hash of the id.
  static std::string veth_name(const std::string& pod_id);

 private:
  std::string netns_path(const std::string& pod_id) const;

  NetworkConfig config_;
  Ipv4Net net_;
  Ipam ipam_;
  std::string ip_, nsenter_;
};

}  // namespace skiff::runtime
