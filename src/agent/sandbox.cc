#include "agent/sandbox.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "common/log.h"
#include "runtime/host.h"
#include "runtime/sandbox.h"

namespace skiff::agent {
namespace fs = std::filesystem;
namespace {

bool is_true(const json::object& pod, std::initializer_list<std::string_view> path) {
  const auto* v = find_path(pod, path);
  return v && v->is_bool() && v->get_bool();
}

bool write_if_changed(const std::string& path, const std::string& content) {
  std::ifstream in(path);
  std::stringstream cur;
  cur << in.rdbuf();
  if (in && cur.str() == content) return true;
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << content;
    if (!out) return false;
  }
  // The file is bind-mounted into running containers: rewrite in place so they see it (a rename
  // would leave them with the old inode).
  if (fs::exists(path)) {
    std::ofstream out(path, std::ios::trunc);
    out << content;
    fs::remove(tmp);
    return static_cast<bool>(out);
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

std::string hosts_file(const json::object& pod, const std::string& ip, bool host_network) {
  if (host_network) {
    std::ifstream in("/etc/hosts");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::string name = get_string(pod, {"spec", "hostname"});
  if (name.empty()) name = get_string(pod, {"metadata", "name"});
  std::ostringstream o;
  o << "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n"
    << "::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\n"
    << "fe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n"
    << ip << "\t" << name << "\n";
  if (const auto* ha = find_path(pod, {"spec", "hostAliases"}); ha && ha->is_array()) {
    o << "\n# Entries added by HostAliases.\n";
    for (const auto& a : ha->get_array()) {
      o << get_string(a, {"ip"});
      if (const auto* hn = find_path(a, {"hostnames"}); hn && hn->is_array())
        for (const auto& h : hn->get_array())
          if (h.is_string()) o << "\t" << h.get_string();
      o << "\n";
    }
  }
  return o.str();
}

// A pod's resolver configuration, written as containerd's CRI plugin writes it: search,
// nameservers, options.
struct DnsConf {
  std::vector<std::string> servers, searches, options;  // options as "name" or "name:value"
  static void add(std::vector<std::string>& v, const std::string& x) {
    if (!x.empty() && std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
  }
  // dnsConfig.options replace a base option of the same name (upstream's merge).
  void add_option(const std::string& o) {
    const std::string name = o.substr(0, o.find(':'));
    std::erase_if(options, [&](const std::string& x) { return x.substr(0, x.find(':')) == name; });
    options.push_back(o);
  }
  std::string text() const {
    std::ostringstream o;
    if (!searches.empty()) {
      o << "search";
      for (const auto& x : searches) o << " " << x;
      o << "\n";
    }
    for (const auto& x : servers) o << "nameserver " << x << "\n";
    if (!options.empty()) {
      o << "options";
      for (const auto& x : options) o << " " << x;
      o << "\n";
    }
    return o.str();
  }
};

// The node's resolv.conf (--resolv-conf) without nameservers a pod cannot reach (127.x: a
// local stub resolver).
DnsConf host_resolv(const std::string& path) {
  std::ifstream in(path);
  DnsConf c;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream l(line);
    std::string key, v;
    l >> key;
    if (key == "nameserver" && l >> v && v.rfind("127.", 0) != 0) DnsConf::add(c.servers, v);
    if (key == "search" || key == "domain") {
      c.searches.clear();  // the last search/domain line wins, as in resolv.conf(5)
      while (l >> v) DnsConf::add(c.searches, v);
    }
    if (key == "options")
      while (l >> v) c.add_option(v);
  }
  return c;
}

std::string resolv_file(const NodeContext& ctx, const json::object& pod, bool host_network) {
  std::string policy = get_string(pod, {"spec", "dnsPolicy"}, "ClusterFirst");
  bool cluster = !ctx.options.cluster_dns.empty() &&
                 (policy == "ClusterFirst" || (policy == "ClusterFirstWithHostNet" && host_network));
  if (host_network && policy == "ClusterFirst") cluster = false;  // upstream: Default for hostNetwork
  DnsConf c;
  if (policy != "None") {
    if (cluster) {
      const std::string& d = ctx.options.cluster_domain;
      std::string ns = get_string(pod, {"metadata", "namespace"}, "default");
      c.searches = {ns + ".svc." + d, "svc." + d, d};
      for (const auto& x : host_resolv(ctx.options.resolv_conf).searches) DnsConf::add(c.searches, x);  // as kubelet
      c.servers = {ctx.options.cluster_dns};
      c.options = {"ndots:5"};
    } else {
      c = host_resolv(ctx.options.resolv_conf);
    }
  }
  // dnsConfig adds to any policy (and is all there is for None).
  if (const auto* ns = find_path(pod, {"spec", "dnsConfig", "nameservers"}); ns && ns->is_array())
    for (const auto& n : ns->get_array())
      if (n.is_string()) DnsConf::add(c.servers, std::string(n.get_string()));
  if (const auto* s = find_path(pod, {"spec", "dnsConfig", "searches"}); s && s->is_array())
    for (const auto& n : s->get_array())
      if (n.is_string()) DnsConf::add(c.searches, std::string(n.get_string()));
  if (const auto* o = find_path(pod, {"spec", "dnsConfig", "options"}); o && o->is_array())
    for (const auto& n : o->get_array()) {
      std::string name = get_string(n, {"name"});
      if (name.empty()) continue;
      const auto* v = n.is_object() ? n.get_object().if_contains("value") : nullptr;
      c.add_option(v && v->is_string() ? name + ":" + std::string(v->get_string()) : name);
    }
  return c.text();
}

runtime::MountSpec bind_file(const std::string& src, const std::string& dst) {
  return {dst, "bind", src, {"rbind", "rprivate"}};
}

}  // namespace

bool ensure_sandbox(NodeContext& ctx, const json::object& pod, PodSandbox* out, std::string* err) {
  std::string uid = get_string(pod, {"metadata", "uid"});
  std::string dir = ctx.pod_dir(uid);
  std::error_code ec;
  fs::create_directories(dir + "/etc", ec);
  fs::create_directories(dir + "/ns", ec);
  bool host_network = is_true(pod, {"spec", "hostNetwork"});
  PodSandbox sb;
  if (host_network) {
    sb.netns = "host";
    sb.ip = ctx.host_ip;
  } else {
    auto net = ctx.network();
    if (!net) {
      *err = "network is not ready: the node has no podCIDR yet";
      return false;
    }
    runtime::SandboxNetwork sn;
    auto st = net->setup(uid, &sn);
    if (!st.ok()) {
      *err = "failed to set up pod network: " + st.message();
      return false;
    }
    sb.netns = sn.netns_path;
    sb.ip = sn.ip;
  }
  if (is_true(pod, {"spec", "hostIPC"})) {
    sb.ipcns = "host";
  } else {
    sb.ipcns = dir + "/ns/ipc";
    auto st = runtime::pin_new_namespace(sb.ipcns, CLONE_NEWIPC);
    if (!st.ok()) {
      *err = st.message();
      return false;
    }
  }
  std::string hostname = get_string(pod, {"spec", "hostname"});
  if (hostname.empty()) hostname = get_string(pod, {"metadata", "name"});
  if (!write_if_changed(dir + "/etc/hosts", hosts_file(pod, sb.ip, host_network)) ||
      !write_if_changed(dir + "/etc/resolv.conf", resolv_file(ctx, pod, host_network)) ||
      !write_if_changed(dir + "/etc/hostname", hostname + "\n")) {
    *err = "cannot write the pod's /etc files under " + dir;
    return false;
  }
  sb.etc_mounts = {bind_file(dir + "/etc/hosts", "/etc/hosts"),
                   bind_file(dir + "/etc/resolv.conf", "/etc/resolv.conf"),
                   bind_file(dir + "/etc/hostname", "/etc/hostname")};
  *out = std::move(sb);
  return true;
}

void teardown_sandbox(NodeContext& ctx, const std::string& uid) {
  if (auto net = ctx.network()) {
    auto st = net->teardown(uid);
    if (!st.ok()) {
      SKIFF_LOG(WARN) << "pod " << uid << ": network teardown: " << st.message();
    }
  }
  std::string ipc = ctx.pod_dir(uid) + "/ns/ipc";
  if (runtime::is_mount_point(ipc)) ::umount2(ipc.c_str(), MNT_DETACH);
  std::error_code ec;
  fs::remove(ipc, ec);
  fs::remove_all(ctx.pod_dir(uid) + "/etc", ec);
}

}  // namespace skiff::agent
