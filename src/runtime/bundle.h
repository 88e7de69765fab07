// OCI bundles: the container description the kubelet hands to the runtime layer, and its
// translation into an OCI runtime-spec config.json (runtime-spec 1.0.2) with containerd's
// defaults (capabilities, mounts, masked and read-only paths) and this host's constraints
// (oom_score_adj floor, cgroup namespace only on v2).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/json.h"
#include "runtime/host.h"
#include "runtime/status.h"

namespace skiff::runtime {

struct MountSpec {
  std::string destination;  // absolute path inside the container
  std::string type;         // "bind", "tmpfs", "proc", ...
  std::string source;
  std::vector<std::string> options;  // e.g. {"rbind","ro"} or {"nosuid","size=64m"}
};

// Zero means "not set" for every field.
struct Resources {
  int64_t memory_limit = 0;   // bytes
  int64_t cpu_quota = 0;      // microseconds per period
  uint64_t cpu_period = 0;    // microseconds (100000 when a quota is set without one)
  uint64_t cpu_shares = 0;    // v1 shares; runtimes convert to cpu.weight on v2
  int64_t pids_limit = 0;
};

// What one container needs. Owned by the caller; read-only for the runtime layer.
struct ContainerSpec {
  // Root filesystem: either an existing directory, or an overlay of `lower_dirs` (topmost first)
  // with `upper_dir` and `work_dir`, which the driver mounts at <bundle>/rootfs.
  std::string rootfs;
  std::vector<std::string> lower_dirs;
  std::string upper_dir, work_dir;

  std::vector<std::string> args;
  std::vector<std::string> env;  // "NAME=value"; PATH is added when missing
  std::string cwd = "/";
  uint32_t uid = 0, gid = 0;
  std::vector<uint32_t> additional_gids;
  std::string hostname;

  // Capabilities, e.g. "NET_ADMIN" or "CAP_NET_ADMIN"; "ALL" in drop clears the defaults.
  std::vector<std::string> cap_add, cap_drop;
  bool privileged = false;
  bool read_only_rootfs = false;
  bool no_new_privileges = false;

  // Extra mounts, applied after the defaults (a mount on /dev/shm replaces the default one).
  std::vector<MountSpec> mounts;
  // Namespaces: type ("network", "ipc", "uts", "pid", "mount", "cgroup") -> path of one to join
  // (e.g. the pod's netns). "host" means "stay in the host's". Types absent are created new.
  std::map<std::string, std::string> namespaces;

  // Absolute cgroup path (e.g. "/skiff/pod-uid/ctr"); empty means "<host.self_cgroup>/skiff/<id>"
  // chosen by the driver.
  std::string cgroup_path;
  Resources resources;
  int oom_score_adj = 0;  // raised to host.min_oom_score_adj() when below it
};

// The default capability set (containerd's), with the CAP_ prefix.
const std::vector<std::string>& default_capabilities();

// The config.json object for `spec`. `root_path` is what goes in root.path ("rootfs" for a
// bundle-relative directory). `cgroup_path` must be resolved already.
json::object make_oci_config(const ContainerSpec& spec, const HostInfo& host,
                             const std::string& root_path, const std::string& cgroup_path);

// Writes <dir>/config.json atomically (temp file + rename). `dir` must exist.
Status write_config(const std::string& dir, const json::object& config);

}  // namespace skiff::runtime
