#include "runtime/bundle.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace skiff::runtime {
namespace {

HostInfo hybrid_host() {
  HostInfo h;
  h.cgroup_mode = CgroupMode::kHybrid;
  h.cap_sys_resource = false;
  h.self_oom_score_adj = 0;
  return h;
}

std::vector<std::string> strings(const json::value& v) {
  std::vector<std::string> out;
  for (const auto& s : v.as_array()) out.emplace_back(s.as_string());
  return out;
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(Bundle, DefaultsLikeContainerd) {
  ContainerSpec s;
  s.args = {"/bin/echo", "hello"};
  s.env = {"A=1"};
  s.hostname = "pod-a";
  s.uid = 1000;
  s.gid = 1001;
  auto c = make_oci_config(s, hybrid_host(), "rootfs", "/skiff/x");
  EXPECT_EQ(c["ociVersion"].as_string(), "1.0.2");
  EXPECT_EQ(get_string(c, {"root", "path"}), "rootfs");
  EXPECT_FALSE(find_path(c, {"root", "readonly"})->as_bool());
  EXPECT_EQ(get_string(c, {"hostname"}), "pod-a");
  EXPECT_EQ(get_int(c, {"process", "user", "uid"}), 1000);
  EXPECT_EQ(get_int(c, {"process", "user", "gid"}), 1001);
  EXPECT_EQ(strings(*find_path(c, {"process", "args"})), (std::vector<std::string>{"/bin/echo", "hello"}));
  auto env = strings(*find_path(c, {"process", "env"}));
  EXPECT_TRUE(env[0].starts_with("PATH="));
  EXPECT_TRUE(has(env, "A=1"));
  auto caps = strings(*find_path(c, {"process", "capabilities", "bounding"}));
  EXPECT_EQ(caps.size(), 14u);
  EXPECT_TRUE(has(caps, "CAP_NET_RAW"));
  EXPECT_FALSE(has(caps, "CAP_SYS_ADMIN"));
  EXPECT_EQ(get_string(c, {"linux", "cgroupsPath"}), "/skiff/x");
  auto ns = find_path(c, {"linux", "namespaces"})->as_array();
  std::vector<std::string> types;
  for (auto& n : ns) types.emplace_back(n.as_object().at("type").as_string());
  EXPECT_EQ(types, (std::vector<std::string>{"pid", "ipc", "uts", "mount", "network"}));
  EXPECT_TRUE(has(strings(*find_path(c, {"linux", "maskedPaths"})), "/proc/kcore"));
  EXPECT_TRUE(has(strings(*find_path(c, {"linux", "readonlyPaths"})), "/proc/sys"));
  std::vector<std::string> dests;
  for (auto& m : c["mounts"].as_array()) dests.emplace_back(m.as_object().at("destination").as_string());
  for (auto d : {"/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup"})
    EXPECT_TRUE(has(dests, d)) << d;
  EXPECT_FALSE(find_path(c, {"linux", "resources", "memory"}));
  EXPECT_FALSE(find_path(c, {"process", "rlimits"}));
}

TEST(Bundle, CapabilitiesAddDropAndPrivileged) {
  ContainerSpec s;
  s.cap_add = {"net_admin", "CAP_SYS_TIME"};
  s.cap_drop = {"NET_RAW", "CAP_KILL"};
  auto c1 = make_oci_config(s, hybrid_host(), "r", "/c");
  auto caps = strings(*find_path(c1, {"process", "capabilities", "effective"}));
  EXPECT_TRUE(has(caps, "CAP_NET_ADMIN"));
  EXPECT_TRUE(has(caps, "CAP_SYS_TIME"));
  EXPECT_FALSE(has(caps, "CAP_NET_RAW"));
  EXPECT_FALSE(has(caps, "CAP_KILL"));
  s.cap_drop = {"ALL"};
  s.cap_add = {"CHOWN"};
  auto c2 = make_oci_config(s, hybrid_host(), "r", "/c");
  caps = strings(*find_path(c2, {"process", "capabilities", "permitted"}));
  EXPECT_EQ(caps, std::vector<std::string>{"CAP_CHOWN"});
  ContainerSpec p;
  p.privileged = true;
  p.no_new_privileges = true;
  auto c = make_oci_config(p, hybrid_host(), "r", "/c");
  EXPECT_TRUE(has(strings(*find_path(c, {"process", "capabilities", "bounding"})), "CAP_SYS_ADMIN"));
  EXPECT_FALSE(find_path(c, {"linux", "maskedPaths"}));
  EXPECT_FALSE(find_path(c, {"process", "noNewPrivileges"})->as_bool());
  EXPECT_TRUE(find_path(c, {"linux", "resources", "devices"})->as_array()[0].as_object().at("allow").as_bool());
}

TEST(Bundle, ResourcesNamespacesMountsAndSecurity) {
  ContainerSpec s;
  s.resources.memory_limit = 64 << 20;
  s.resources.cpu_quota = 50000;
  s.resources.cpu_shares = 512;
  s.resources.pids_limit = 100;
  s.namespaces = {{"network", "/run/skiff/netns/p1"}, {"ipc", "/proc/42/ns/ipc"}, {"pid", "host"}};
  s.mounts = {{"/dev/shm", "bind", "/run/skiff/shm/p1", {"rbind", "rw"}},
              {"/data", "tmpfs", "tmpfs", {"size=1m"}}};
  s.read_only_rootfs = true;
  s.no_new_privileges = true;
  auto c = make_oci_config(s, hybrid_host(), "/abs/root", "/p/c");
  EXPECT_EQ(get_int(c, {"linux", "resources", "memory", "limit"}), 64 << 20);
  EXPECT_EQ(get_int(c, {"linux", "resources", "cpu", "quota"}), 50000);
  EXPECT_EQ(get_int(c, {"linux", "resources", "cpu", "period"}), 100000);
  EXPECT_EQ(get_int(c, {"linux", "resources", "cpu", "shares"}), 512);
  EXPECT_EQ(get_int(c, {"linux", "resources", "pids", "limit"}), 100);
  EXPECT_TRUE(find_path(c, {"root", "readonly"})->as_bool());
  EXPECT_TRUE(find_path(c, {"process", "noNewPrivileges"})->as_bool());
  std::map<std::string, std::string> ns;
  for (auto& n : find_path(c, {"linux", "namespaces"})->as_array())
    ns[std::string(n.as_object().at("type").as_string())] = get_string(n, {"path"});
  EXPECT_EQ(ns.count("pid"), 0u);
  EXPECT_EQ(ns["network"], "/run/skiff/netns/p1");
  EXPECT_EQ(ns["ipc"], "/proc/42/ns/ipc");
  EXPECT_EQ(ns.count("uts"), 1u);
  int shm = 0;
  for (auto& m : c["mounts"].as_array())
    if (m.as_object().at("destination").as_string() == "/dev/shm") {
      ++shm;
      EXPECT_EQ(get_string(m, {"source"}), "/run/skiff/shm/p1");
    }
  EXPECT_EQ(shm, 1);
}

TEST(Bundle, OomScoreAdjNeverBelowWhatTheHostAllows) {
  ContainerSpec s;
  s.oom_score_adj = -997;
  auto c = make_oci_config(s, hybrid_host(), "r", "/c");
  EXPECT_EQ(get_int(c, {"process", "oomScoreAdj"}), 0);
  HostInfo h = hybrid_host();
  h.cap_sys_resource = true;
  EXPECT_EQ(get_int(make_oci_config(s, h, "r", "/c"), {"process", "oomScoreAdj"}), -997);
  s.oom_score_adj = 1000;
  EXPECT_EQ(get_int(make_oci_config(s, hybrid_host(), "r", "/c"), {"process", "oomScoreAdj"}), 1000);
}

TEST(Bundle, CgroupNamespaceOnlyOnV2) {
  HostInfo h = hybrid_host();
  h.cgroup_mode = CgroupMode::kV2;
  bool found = false;
  auto c = make_oci_config({}, h, "r", "/c");
  for (auto& n : find_path(c, {"linux", "namespaces"})->as_array())
    found |= n.as_object().at("type").as_string() == "cgroup";
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace skiff::runtime
