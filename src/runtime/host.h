// Host detection: what this machine's kernel, cgroups and OCI runtimes look like, so the runtime
// layer adapts to it instead of assuming. Everything is read from files whose paths can be
// redirected (HostPaths), so the parsers are unit-tested on fake /proc and /sys contents.
//
// Quirks handled (docs/runtime.md):
//  - cgroup "hybrid" mode: v1 controllers plus a cgroup2 mount (usually /sys/fs/cgroup/unified).
//    crun refuses it, so crun create runs in a private mount namespace with that mount removed.
//  - no CAP_SYS_RESOURCE: the oom_score_adj of a container may not go below ours.
//  - no systemd: the cgroupfs driver (never --systemd-cgroup).
#pragma once
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace skiff::runtime {

enum class CgroupMode {
  kNone,    // no cgroup filesystem mounted
  kV1,      // only v1 hierarchies
  kV2,      // unified hierarchy only (modern hosts)
  kHybrid,  // v1 hierarchies plus a cgroup2 mount; crun refuses this unless it is hidden
};
const char* to_string(CgroupMode m);

// One line of /proc/<pid>/mountinfo.
struct MountInfo {
  std::string mount_point;
  std::string fstype;
  std::string source;
  std::string super_options;  // e.g. "rw,memory" for a v1 memory hierarchy
};
std::vector<MountInfo> parse_mountinfo(std::string_view text);

// Where to read from; defaults are the real files. Tests point these at a temp dir.
struct HostPaths {
  std::string mountinfo = "/proc/self/mountinfo";
  std::string self_status = "/proc/self/status";
  std::string self_cgroup = "/proc/self/cgroup";
  std::string self_oom_score_adj = "/proc/self/oom_score_adj";
  std::string init_comm = "/proc/1/comm";
  std::string systemd_run_dir = "/run/systemd/system";
  std::vector<std::string> bin_dirs = {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin",
                                       "/usr/bin", "/sbin", "/bin"};
};

struct HostInfo {
  CgroupMode cgroup_mode = CgroupMode::kNone;
  // v2 or hybrid: the cgroup2 mount point ("/sys/fs/cgroup" or "/sys/fs/cgroup/unified").
  std::string unified_mount;
  // v1: controller name ("memory", "cpu", "pids", "name=systemd", ...) -> mount point.
  std::map<std::string, std::string> v1_mounts;
  // Our own cgroup: the unified path on v2, the memory hierarchy's path on v1/hybrid. Container
  // cgroups go under it by default so they stay inside the limits we run under.
  std::string self_cgroup = "/";
  std::string crun_path;  // empty when absent
  std::string runc_path;  // empty when absent
  bool cap_sys_resource = false;
  int self_oom_score_adj = 0;
  bool systemd = false;  // PID 1 is systemd: only then may --systemd-cgroup be used

  // The lowest oom_score_adj a container may get: without CAP_SYS_RESOURCE the kernel refuses
  // values below our own (runc's nsexec dies on it).
  int min_oom_score_adj() const { return cap_sys_resource ? -1000 : self_oom_score_adj; }
  // Directory of `controller`'s hierarchy for a cgroup path ("/a/b"), or "" when not mounted.
  std::string cgroup_dir(const std::string& controller, const std::string& path) const;
};

// Pure parsers, exposed for tests.
CgroupMode cgroup_mode_from_mounts(const std::vector<MountInfo>& mounts, std::string* unified,
                                   std::map<std::string, std::string>* v1);
bool status_has_capability(std::string_view proc_status, int cap);  // reads CapEff
// The path for `controller` (v1) or the unified path ("0::") when controller is empty.
std::string cgroup_path_from_proc(std::string_view proc_cgroup, std::string_view controller);

HostInfo detect_host(const HostPaths& paths = {});

// Mount points at `dir` or below it (paths exactly as in /proc/self/mountinfo, unescaped), in
// mount order (later ones on top), and whether `path` itself is one.
std::vector<std::string> mounts_under(const std::string& dir);
bool is_mount_point(const std::string& path);

// Reads a whole small file; "" when it cannot be read.
std::string read_file(const std::string& path);

}  // namespace skiff::runtime
