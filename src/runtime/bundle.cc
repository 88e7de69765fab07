#include "runtime/bundle.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

namespace skiff::runtime {
namespace {

const std::vector<std::string> kAllCapabilities = {
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
    "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
    "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
    "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE"};

const std::vector<std::string> kMaskedPaths = {
    "/proc/acpi",         "/proc/asound",      "/proc/kcore",       "/proc/keys",
    "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
    "/sys/firmware",      "/proc/scsi"};
const std::vector<std::string> kReadonlyPaths = {"/proc/bus", "/proc/fs", "/proc/irq",
                                                 "/proc/sys", "/proc/sysrq-trigger"};

std::string cap_name(std::string c) {
  std::transform(c.begin(), c.end(), c.begin(), [](unsigned char ch) { return std::toupper(ch); });
  if (!c.starts_with("CAP_")) c = "CAP_" + c;
  return c;
}

json::array to_array(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

json::object mount(const std::string& dest, const std::string& type, const std::string& src,
                   const std::vector<std::string>& opts) {
  return {{"destination", dest}, {"type", type}, {"source", src}, {"options", to_array(opts)}};
}

std::vector<std::string> capabilities_for(const ContainerSpec& spec) {
  if (spec.privileged) return kAllCapabilities;
  std::vector<std::string> caps = default_capabilities();
  for (const auto& d : spec.cap_drop) {
    std::string n = cap_name(d);
    if (n == "CAP_ALL") {
      caps.clear();
      continue;
    }
    caps.erase(std::remove(caps.begin(), caps.end(), n), caps.end());
  }
  for (const auto& a : spec.cap_add) {
    std::string n = cap_name(a);
    if (n == "CAP_ALL") return kAllCapabilities;
    if (std::find(caps.begin(), caps.end(), n) == caps.end()) caps.push_back(n);
  }
  return caps;
}

}  // namespace

const std::vector<std::string>& default_capabilities() {
  static const std::vector<std::string> caps = {
      "CAP_CHOWN",  "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
      "CAP_MKNOD",  "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
      "CAP_SETFCAP", "CAP_SETPCAP",     "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
      "CAP_KILL",   "CAP_AUDIT_WRITE"};
  return caps;
}

json::object make_oci_config(const ContainerSpec& spec, const HostInfo& host,
                             const std::string& root_path, const std::string& cgroup_path) {
  json::object process;
  process["terminal"] = false;
  json::object user{{"uid", spec.uid}, {"gid", spec.gid}};
  if (!spec.additional_gids.empty()) {
    json::array g;
    for (auto id : spec.additional_gids) g.emplace_back(id);
    user["additionalGids"] = std::move(g);
  }
  process["user"] = std::move(user);
  process["args"] = to_array(spec.args);
  std::vector<std::string> env = spec.env;
  if (std::none_of(env.begin(), env.end(), [](const std::string& e) { return e.starts_with("PATH="); }))
    env.insert(env.begin(), "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  process["env"] = to_array(env);
  process["cwd"] = spec.cwd.empty() ? "/" : spec.cwd;
  auto caps = to_array(capabilities_for(spec));
  process["capabilities"] =
      json::object{{"bounding", caps}, {"effective", caps}, {"permitted", caps}};
  // No rlimits: raising a hard limit needs CAP_SYS_RESOURCE; containers inherit ours.
  process["noNewPrivileges"] = spec.no_new_privileges && !spec.privileged;
  process["oomScoreAdj"] = std::clamp(spec.oom_score_adj, host.min_oom_score_adj(), 1000);

  json::object cfg;
  cfg["ociVersion"] = "1.0.2";
  cfg["process"] = std::move(process);
  cfg["root"] = json::object{{"path", root_path}, {"readonly", spec.read_only_rootfs}};
  if (!spec.hostname.empty()) cfg["hostname"] = spec.hostname;

  // Default mounts (containerd's), then the caller's; a caller's mount replaces a default one
  // at the same destination.
  std::set<std::string> overridden;
  for (const auto& m : spec.mounts) overridden.insert(m.destination);
  std::string sys_ro = spec.privileged ? "rw" : "ro";
  std::vector<json::object> defaults = {
      mount("/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}),
      mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
      mount("/dev/pts", "devpts", "devpts",
            {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}),
      mount("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}),
      mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
      mount("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", sys_ro}),
      mount("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", sys_ro}),
  };
  json::array mounts;
  for (auto& m : defaults)
    if (!overridden.count(std::string(m["destination"].as_string()))) mounts.emplace_back(std::move(m));
  for (const auto& m : spec.mounts) mounts.emplace_back(mount(m.destination, m.type, m.source, m.options));
  cfg["mounts"] = std::move(mounts);

  json::object linux;
  linux["cgroupsPath"] = cgroup_path;
  json::object res;
  res["devices"] = spec.privileged ? json::array{json::object{{"allow", true}, {"access", "rwm"}}}
                                   : json::array{json::object{{"allow", false}, {"access", "rwm"}}};
  const Resources& r = spec.resources;
  if (r.memory_limit > 0) res["memory"] = json::object{{"limit", r.memory_limit}};
  json::object cpu;
  if (r.cpu_shares > 0) cpu["shares"] = r.cpu_shares;
  if (r.cpu_quota > 0) {
    cpu["quota"] = r.cpu_quota;
    cpu["period"] = r.cpu_period > 0 ? r.cpu_period : 100000;
  } else if (r.cpu_period > 0) {
    cpu["period"] = r.cpu_period;
  }
  if (!cpu.empty()) res["cpu"] = std::move(cpu);
  if (r.pids_limit > 0) res["pids"] = json::object{{"limit", r.pids_limit}};
  linux["resources"] = std::move(res);

  json::array ns;
  std::vector<std::string> types = {"pid", "ipc", "uts", "mount", "network"};
  if (host.cgroup_mode == CgroupMode::kV2) types.push_back("cgroup");
  for (const auto& [type, path] : spec.namespaces)
    if (std::find(types.begin(), types.end(), type) == types.end()) types.push_back(type);
  for (const auto& type : types) {
    auto it = spec.namespaces.find(type);
    if (it == spec.namespaces.end() || it->second.empty()) {
      ns.emplace_back(json::object{{"type", type}});
    } else if (it->second != "host") {
      ns.emplace_back(json::object{{"type", type}, {"path", it->second}});
    }
    // "host": no entry, the container stays in the runtime's namespace of that type.
  }
  linux["namespaces"] = std::move(ns);
  if (!spec.privileged) {
    linux["maskedPaths"] = to_array(kMaskedPaths);
    linux["readonlyPaths"] = to_array(kReadonlyPaths);
  }
  cfg["linux"] = std::move(linux);
  return cfg;
}

Status write_config(const std::string& dir, const json::object& config) {
  std::string path = dir + "/config.json";
  std::string tmp = path + ".tmp";
  std::string text = json::serialize(config);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Failed("open " + tmp + ": " + std::strerror(errno));
  size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int e = errno;
      ::close(fd);
      return Status::Failed("write " + tmp + ": " + std::strerror(e));
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) return Status::Failed("fsync " + tmp);
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    return Status::Failed("rename " + path + ": " + std::strerror(errno));
  return Status::Ok();
}

}  // namespace skiff::runtime
