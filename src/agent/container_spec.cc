#include "agent/container_spec.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "agent/env.h"
#include "api/pod_helpers.h"
#include "common/quantity.h"

namespace skiff::agent {
namespace {

std::vector<std::string> strings(const json::value* v) {
  std::vector<std::string> out;
  if (!v || !v->is_array()) return out;
  for (const auto& s : v->get_array())
    if (s.is_string()) out.emplace_back(s.get_string());
  return out;
}

// securityContext field of the container, else of the pod (upstream's effective context).
const json::value* sec_field(const json::object& pod, const json::object& c, std::string_view f) {
  if (const auto* v = find_path(c, {"securityContext", f}); v && !v->is_null()) return v;
  if (const auto* v = find_path(pod, {"spec", "securityContext", f}); v && !v->is_null()) return v;
  return nullptr;
}

int64_t quantity(const json::object& c, std::string_view kind, std::string_view res, bool milli) {
  const auto* v = find_path(c, {"resources", kind, res});
  if (!v || !v->is_string()) return 0;
  auto q = milli ? parse_quantity_milli(v->get_string())
                 : parse_quantity(v->get_string());
  return q ? *q : 0;
}

// Looks `name` up in the image's /etc/passwd (or /etc/group), topmost layer first.
bool lookup_id(const images::Image& img, const char* file, const std::string& name, uint32_t* id,
               uint32_t* gid) {
  for (auto it = img.layer_dirs.rbegin(); it != img.layer_dirs.rend(); ++it) {
    std::ifstream in(*it + "/etc/" + file);
    if (!in) continue;
    std::string line;
    while (std::getline(in, line)) {
      std::vector<std::string> f;
      std::stringstream ss(line);
      for (std::string p; std::getline(ss, p, ':');) f.push_back(p);
      if (f.size() < 3 || f[0] != name) continue;
      *id = static_cast<uint32_t>(std::stoul(f[2]));
      if (gid && f.size() > 3) *gid = static_cast<uint32_t>(std::stoul(f[3]));
      return true;
    }
    return false;
  }
  return false;
}

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The image's USER ("uid", "uid:gid", "name", "name:group").
bool image_user(const images::Image& img, uint32_t* uid, uint32_t* gid, std::string* err) {
  std::string u = img.config.user;
  if (u.empty()) return true;
  std::string group;
  if (auto c = u.find(':'); c != std::string::npos) {
    group = u.substr(c + 1);
    u = u.substr(0, c);
  }
  if (all_digits(u)) {
    *uid = static_cast<uint32_t>(std::stoul(u));
  } else if (!lookup_id(img, "passwd", u, uid, gid)) {
    *err = "unable to find user " + u + ": no matching entries in passwd file";
    return false;
  }
  if (group.empty()) return true;
  if (all_digits(group)) *gid = static_cast<uint32_t>(std::stoul(group));
  else if (!lookup_id(img, "group", group, gid, nullptr)) {
    *err = "unable to find group " + group + ": no matching entries in group file";
    return false;
  }
  return true;
}

int oom_score_adj(const json::object& pod, const json::object& c, int64_t node_memory) {
  std::string q = api::pod_qos_class(pod);
  if (q == "Guaranteed") return -997;
  if (q == "BestEffort") return 1000;
  int64_t req = quantity(c, "requests", "memory", false);
  if (node_memory <= 0) return 999;
  int64_t adj = 1000 - (1000 * req) / node_memory;
  return static_cast<int>(std::clamp<int64_t>(adj, 2, 999));
}

}  // namespace

std::vector<std::string> container_argv(const json::object& c, const images::Image& image,
                                        const std::vector<std::string>& env) {
  auto command = strings(find_path(c, {"command"}));
  auto args = strings(find_path(c, {"args"}));
  std::vector<std::string> argv;
  if (!command.empty()) {
    argv = command;
  } else {
    argv = image.config.entrypoint;
    if (args.empty()) args = image.config.cmd;
  }
  argv.insert(argv.end(), args.begin(), args.end());
  for (auto& a : argv) a = expand_vars(a, env);
  return argv;
}

bool build_container_spec(const SpecInputs& in, runtime::ContainerSpec* out, std::string* err) {
  const auto& pod = *in.pod;
  const auto& c = *in.container;
  const auto& img = *in.image;
  runtime::ContainerSpec s;
  s.lower_dirs.assign(img.layer_dirs.rbegin(), img.layer_dirs.rend());
  s.upper_dir = in.upper_dir;
  s.work_dir = in.work_dir;
  s.args = container_argv(c, img, in.env);
  if (s.args.empty()) {
    *err = "no command specified";
    return false;
  }
  s.env = in.env;
  s.cwd = get_string(c, {"workingDir"});
  if (s.cwd.empty()) s.cwd = img.config.working_dir;
  if (s.cwd.empty()) s.cwd = "/";

  uint32_t uid = 0, gid = 0;
  if (!image_user(img, &uid, &gid, err)) return false;
  if (const auto* v = sec_field(pod, c, "runAsUser"); v && v->is_int64()) {
    uid = static_cast<uint32_t>(v->get_int64());
    gid = 0;
  }
  if (const auto* v = sec_field(pod, c, "runAsGroup"); v && v->is_int64())
    gid = static_cast<uint32_t>(v->get_int64());
  if (const auto* v = sec_field(pod, c, "runAsNonRoot"); v && v->is_bool() && v->get_bool() && uid == 0) {
    *err = "container has runAsNonRoot and image will run as root";
    return false;
  }
  s.uid = uid;
  s.gid = gid;
  if (const auto* g = find_path(pod, {"spec", "securityContext", "supplementalGroups"}); g && g->is_array())
    for (const auto& x : g->get_array())
      if (x.is_int64()) s.additional_gids.push_back(static_cast<uint32_t>(x.get_int64()));
  if (const auto* g = find_path(pod, {"spec", "securityContext", "fsGroup"}); g && g->is_int64())
    s.additional_gids.push_back(static_cast<uint32_t>(g->get_int64()));

  s.cap_add = strings(find_path(c, {"securityContext", "capabilities", "add"}));
  s.cap_drop = strings(find_path(c, {"securityContext", "capabilities", "drop"}));
  if (const auto* v = find_path(c, {"securityContext", "privileged"}); v && v->is_bool())
    s.privileged = v->get_bool();
  if (const auto* v = find_path(c, {"securityContext", "readOnlyRootFilesystem"}); v && v->is_bool())
    s.read_only_rootfs = v->get_bool();
  if (const auto* v = find_path(c, {"securityContext", "allowPrivilegeEscalation"}); v && v->is_bool())
    s.no_new_privileges = !v->get_bool() && !s.privileged;

  std::string hostname = get_string(pod, {"spec", "hostname"});
  if (hostname.empty()) hostname = get_string(pod, {"metadata", "name"});
  if (hostname.size() > 63) hostname.resize(63);
  bool host_network = find_path(pod, {"spec", "hostNetwork"}) &&
                      find_path(pod, {"spec", "hostNetwork"})->is_bool() &&
                      find_path(pod, {"spec", "hostNetwork"})->get_bool();
  s.namespaces["network"] = in.netns;
  s.namespaces["ipc"] = in.ipcns;
  if (host_network) s.namespaces["uts"] = "host";
  else s.hostname = hostname;
  if (const auto* v = find_path(pod, {"spec", "hostPID"}); v && v->is_bool() && v->get_bool())
    s.namespaces["pid"] = "host";
  s.mounts = in.mounts;

  int64_t mem = quantity(c, "limits", "memory", false);
  int64_t cpu_limit = quantity(c, "limits", "cpu", true);
  int64_t cpu_request = quantity(c, "requests", "cpu", true);
  if (cpu_request == 0) cpu_request = cpu_limit;
  s.resources.memory_limit = mem;
  if (cpu_limit > 0) {
    s.resources.cpu_period = 100000;
    s.resources.cpu_quota = std::max<int64_t>(1000, cpu_limit * 100);  // millicores -> us/100ms
  }
  // Upstream's MilliCPUToShares: 1024 per core, at least 2.
  s.resources.cpu_shares = cpu_request > 0 ? std::max<uint64_t>(2, cpu_request * 1024 / 1000) : 2;
  s.oom_score_adj = oom_score_adj(pod, c, in.node_memory_bytes);
  *out = std::move(s);
  return true;
}

}  // namespace skiff::agent
