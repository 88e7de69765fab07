#include "runtime/sandbox.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "runtime/host.h"
#include "runtime/process.h"

namespace skiff::runtime {
namespace fs = std::filesystem;
namespace {

}  // namespace

PodNetwork::PodNetwork(NetworkConfig config)
    : config_(std::move(config)),
      net_(parse_cidr(config_.pod_cidr).value_or(Ipv4Net{})),
      ipam_(config_.ipam_dir, net_),
      ip_(find_tool("ip")),
      nsenter_(find_tool("nsenter")) {}

std::string PodNetwork::veth_name(const std::string& pod_id) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (unsigned char c : pod_id) h = (h ^ c) * 1099511628211ULL;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%011llx", static_cast<unsigned long long>(h & 0xfffffffffffULL));
  return "veth" + std::string(buf);
}

std::string PodNetwork::netns_path(const std::string& pod_id) const {
  return config_.run_dir + "/netns/" + pod_id;
}

Status PodNetwork::ensure_bridge() {
  if (net_.prefix == 0) return Status::Invalid("invalid pod CIDR \"" + config_.pod_cidr + "\"");
  const std::string& br = config_.bridge;
  if (run_command({ip_, "link", "show", "dev", br}).exit_code != 0) {
    auto r = run_command({ip_, "link", "add", br, "mtu", std::to_string(config_.mtu), "type", "bridge"});
    if (r.exit_code != 0 && r.err.find("File exists") == std::string::npos)
      return Status::Failed("create bridge " + br + ": " + command_error(r));
  }
  std::string gw = format_ipv4(net_.gateway()) + "/" + std::to_string(net_.prefix);
  auto r = run_command({ip_, "addr", "replace", gw, "dev", br});
  if (r.exit_code != 0) return Status::Failed("address " + gw + " on " + br + ": " + command_error(r));
  r = run_command({ip_, "link", "set", br, "up"});
  if (r.exit_code != 0) return Status::Failed("bring up " + br + ": " + command_error(r));
  return Status::Ok();
}

Status PodNetwork::delete_bridge() {
  auto r = run_command({ip_, "link", "del", "dev", config_.bridge});
  if (r.exit_code != 0 && run_command({ip_, "link", "show", "dev", config_.bridge}).exit_code == 0)
    return Status::Failed("delete bridge: " + command_error(r));
  return Status::Ok();
}

Status pin_new_namespace(const std::string& path, int clone_flag) {
  if (is_mount_point(path)) return Status::Ok();
  const char* self = clone_flag == CLONE_NEWNET   ? "/proc/self/ns/net"
                     : clone_flag == CLONE_NEWIPC ? "/proc/self/ns/ipc"
                     : clone_flag == CLONE_NEWUTS ? "/proc/self/ns/uts"
                                                  : nullptr;
  if (!self) return Status::Invalid("unsupported namespace type");
  int fd = ::open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0444);
  if (fd < 0) return Status::Failed("create " + path + ": " + std::strerror(errno));
  ::close(fd);
  // A child enters a new namespace and pins it with a bind mount on the file; it shares our
  // mount namespace, so the mount is ours.
  const char* target = path.c_str();
  auto child = [target, clone_flag, self]() -> int {
    if (::unshare(clone_flag) != 0) ::_exit(1);
    if (::mount(self, target, nullptr, MS_BIND, nullptr) != 0) ::_exit(2);
    ::_exit(0);
  };
  pid_t pid = spawn_child(child);
  int st = 0;
  if (pid < 0 || ::waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    ::unlink(path.c_str());
    return Status::Failed(std::string("cannot create namespace ") + path);
  }
  return Status::Ok();
}

Status PodNetwork::lookup(const std::string& pod_id, SandboxNetwork* out) const {
  std::string path = netns_path(pod_id);
  auto ip = ipam_.find(pod_id);
  if (!ip || !is_mount_point(path)) return Status::NotFound("no network for pod " + pod_id);
  out->netns_path = path;
  out->ip = *ip;
  out->prefix = net_.prefix;
  out->gateway = format_ipv4(net_.gateway());
  out->host_veth = veth_name(pod_id);
  return Status::Ok();
}

Status PodNetwork::setup(const std::string& pod_id, SandboxNetwork* out) {
  if (net_.prefix == 0) return Status::Invalid("invalid pod CIDR \"" + config_.pod_cidr + "\"");
  if (pod_id.empty() || pod_id.find('/') != std::string::npos || pod_id[0] == '.')
    return Status::Invalid("invalid pod id \"" + pod_id + "\"");
  std::string veth = veth_name(pod_id);
  if (lookup(pod_id, out).ok() && run_command({ip_, "link", "show", "dev", veth}).exit_code == 0)
    return Status::Ok();
  std::error_code ec;
  std::string path = netns_path(pod_id);
  if (fs::exists(path, ec) || ipam_.find(pod_id)) teardown(pod_id);  // a half-made attempt
  fs::create_directories(config_.run_dir + "/netns", ec);
  Status s = pin_new_namespace(path, CLONE_NEWNET);
  if (!s.ok()) return s;
  auto fail = [&](const std::string& what, const CommandResult& r) {
    teardown(pod_id);
    return Status::Failed(what + ": " + command_error(r));
  };
  std::string ip;
  s = ipam_.allocate(pod_id, &ip);
  if (!s.ok()) {
    teardown(pod_id);
    return s;
  }
  std::string mtu = std::to_string(config_.mtu);
  // One `ip -batch` per namespace keeps pod start fast. `ip link ... netns` takes a path when
  // the argument contains a slash. Hairpin mode on the bridge port, as the CNI bridge plugin
  // sets it for kubelet: a frame the bridge would send back out of the port it came in on (a pod
  // reaching itself through a Service address rewritten on the bridge) is not dropped.
  CommandOptions root;
  root.input = "link add " + veth + " mtu " + mtu + " type veth peer name eth0 mtu " + mtu +
               " netns " + path + "\nlink set " + veth + " master " + config_.bridge + " up\n" +
               "link set dev " + veth + " type bridge_slave hairpin on\n";
  auto r = run_command({ip_, "-batch", "-"}, root);
  if (r.exit_code != 0) return fail("create veth " + veth + " on " + config_.bridge, r);
  std::string gw = format_ipv4(net_.gateway());
  CommandOptions o;
  o.input = "link set lo up\naddr add " + ip + "/" + std::to_string(net_.prefix) +
            " dev eth0\nlink set eth0 up\nroute add default via " + gw + " dev eth0\n";
  r = run_command({nsenter_, "--net=" + path, ip_, "-batch", "-"}, o);
  if (r.exit_code != 0) return fail("configure " + path, r);
  out->netns_path = path;
  out->ip = ip;
  out->prefix = net_.prefix;
  out->gateway = gw;
  out->host_veth = veth;
  return Status::Ok();
}

Status PodNetwork::teardown(const std::string& pod_id) {
  std::string veth = veth_name(pod_id);
  std::string path = netns_path(pod_id);
  std::string errors;
  auto r = run_command({ip_, "link", "del", "dev", veth});
  if (r.exit_code != 0 && r.err.find("Cannot find device") == std::string::npos)
    errors += "delete " + veth + ": " + command_error(r) + "; ";
  while (is_mount_point(path)) {
    if (::umount2(path.c_str(), MNT_DETACH) != 0) {
      errors += "umount " + path + ": " + std::strerror(errno) + "; ";
      break;
    }
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    errors += "remove " + path + ": " + std::strerror(errno) + "; ";
  Status s = ipam_.release(pod_id);
  if (!s.ok()) errors += s.message();
  if (!errors.empty()) return Status::Failed(errors);
  return Status::Ok();
}

}  // namespace skiff::runtime
