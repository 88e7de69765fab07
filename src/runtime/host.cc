#include "runtime/host.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace skiff::runtime {
namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t p = s.find(sep, start);
    if (p == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, p - start));
    start = p + 1;
  }
}

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape_octal(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      int v = 0;
      bool ok = true;
      for (size_t j = 1; j <= 3; ++j) {
        char c = s[i + j];
        if (c < '0' || c > '7') ok = false;
        v = v * 8 + (c - '0');
      }
      if (ok) {
        out.push_back(static_cast<char>(v));
        i += 3;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

bool executable(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
}

std::string find_binary(const std::vector<std::string>& dirs, const std::string& name) {
  for (const auto& d : dirs) {
    std::string p = d + "/" + name;
    if (executable(p)) return p;
  }
  return {};
}

}  // namespace

const char* to_string(CgroupMode m) {
  switch (m) {
    case CgroupMode::kNone: return "none";
    case CgroupMode::kV1: return "v1";
    case CgroupMode::kV2: return "v2";
    case CgroupMode::kHybrid: return "hybrid";
  }
  return "?";
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<MountInfo> parse_mountinfo(std::string_view text) {
  // id parent major:minor root mount_point options [optional...] - fstype source super_options
  std::vector<MountInfo> out;
  for (auto line : split(text, '\n')) {
    if (line.empty()) continue;
    auto f = split(line, ' ');
    size_t dash = 0;
    for (size_t i = 6; i < f.size(); ++i) {
      if (f[i] == "-") {
        dash = i;
        break;
      }
    }
    if (dash == 0 || dash + 2 >= f.size()) continue;
    MountInfo m;
    m.mount_point = unescape_octal(f[4]);
    m.fstype = std::string(f[dash + 1]);
    m.source = unescape_octal(f[dash + 2]);
    if (dash + 3 < f.size()) m.super_options = std::string(f[dash + 3]);
    out.push_back(std::move(m));
  }
  return out;
}

CgroupMode cgroup_mode_from_mounts(const std::vector<MountInfo>& mounts, std::string* unified,
                                   std::map<std::string, std::string>* v1) {
  std::string uni;
  std::map<std::string, std::string> ctl;
  for (const auto& m : mounts) {
    if (m.fstype == "cgroup2") {
      // Prefer the canonical location when several are mounted.
      if (uni.empty() || m.mount_point == "/sys/fs/cgroup") uni = m.mount_point;
    } else if (m.fstype == "cgroup") {
      for (auto opt : split(m.super_options, ',')) {
        if (opt == "rw" || opt == "ro" || opt.empty() || opt == "clone_children" ||
            opt == "noprefix" || opt.starts_with("release_agent=") || opt == "xattr")
          continue;
        ctl.emplace(std::string(opt), m.mount_point);
      }
    }
  }
  if (unified) *unified = uni;
  if (v1) *v1 = ctl;
  if (ctl.empty()) return uni.empty() ? CgroupMode::kNone : CgroupMode::kV2;
  return uni.empty() ? CgroupMode::kV1 : CgroupMode::kHybrid;
}

bool status_has_capability(std::string_view proc_status, int cap) {
  for (auto line : split(proc_status, '\n')) {
    if (!line.starts_with("CapEff:")) continue;
    auto hex = line.substr(7);
    while (!hex.empty() && (hex.front() == ' ' || hex.front() == '\t')) hex.remove_prefix(1);
    unsigned long long v = std::strtoull(std::string(hex).c_str(), nullptr, 16);
    return cap < 64 && ((v >> cap) & 1ULL);
  }
  return false;
}

std::string cgroup_path_from_proc(std::string_view proc_cgroup, std::string_view controller) {
  // hierarchy-id:controller-list:path
  for (auto line : split(proc_cgroup, '\n')) {
    size_t a = line.find(':');
    if (a == std::string_view::npos) continue;
    size_t b = line.find(':', a + 1);
    if (b == std::string_view::npos) continue;
    auto ctls = line.substr(a + 1, b - a - 1);
    auto path = line.substr(b + 1);
    if (controller.empty()) {
      if (line.substr(0, a) == "0" && ctls.empty()) return std::string(path);
      continue;
    }
    for (auto c : split(ctls, ','))
      if (c == controller) return std::string(path);
  }
  return "/";
}

std::string HostInfo::cgroup_dir(const std::string& controller, const std::string& path) const {
  std::string base;
  if (cgroup_mode == CgroupMode::kV2) {
    base = unified_mount;
  } else {
    auto it = v1_mounts.find(controller);
    if (it == v1_mounts.end()) return {};
    base = it->second;
  }
  if (path.empty() || path == "/") return base;
  return base + (path.front() == '/' ? "" : "/") + path;
}

HostInfo detect_host(const HostPaths& paths) {
  HostInfo h;
  h.cgroup_mode =
      cgroup_mode_from_mounts(parse_mountinfo(read_file(paths.mountinfo)), &h.unified_mount,
                              &h.v1_mounts);
  std::string proc_cgroup = read_file(paths.self_cgroup);
  h.self_cgroup = cgroup_path_from_proc(proc_cgroup, h.cgroup_mode == CgroupMode::kV2 ? "" : "memory");
  // Inside a container the root of our hierarchy may be reported as "/.." paths; keep "/" then.
  if (h.self_cgroup.empty() || h.self_cgroup.find("..") != std::string::npos) h.self_cgroup = "/";
  h.crun_path = find_binary(paths.bin_dirs, "crun");
  h.runc_path = find_binary(paths.bin_dirs, "runc");
  constexpr int kCapSysResource = 24;
  h.cap_sys_resource = status_has_capability(read_file(paths.self_status), kCapSysResource);
  std::string adj = read_file(paths.self_oom_score_adj);
  h.self_oom_score_adj = adj.empty() ? 0 : std::atoi(adj.c_str());
  std::string comm = read_file(paths.init_comm);
  while (!comm.empty() && (comm.back() == '\n' || comm.back() == ' ')) comm.pop_back();
  struct stat st;
  // sd_booted()'s test is the directory; comm guards against a stale directory in a container.
  h.systemd = ::stat(paths.systemd_run_dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode) &&
              (comm.empty() || comm == "systemd");
  return h;
}

std::vector<std::string> mounts_under(const std::string& dir) {
  std::vector<std::string> out;
  for (auto& m : parse_mountinfo(read_file("/proc/self/mountinfo")))
    if (m.mount_point == dir || m.mount_point.starts_with(dir + "/")) out.push_back(m.mount_point);
  return out;
}

bool is_mount_point(const std::string& path) {
  for (const auto& m : parse_mountinfo(read_file("/proc/self/mountinfo")))
    if (m.mount_point == path) return true;
  return false;
}

}  // namespace skiff::runtime
