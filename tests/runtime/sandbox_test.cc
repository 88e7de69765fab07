#include "runtime/sandbox.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "runtime/ipam.h"
#include "test_network.h"

namespace skiff::runtime {
namespace {
namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() : path(fs::temp_directory_path() / ("skiff-sb-" + random_suffix(8))) {
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path path;
};

TEST(Cidr, ParsesAndFormats) {
  auto n = parse_cidr("10.88.3.7/24");
  ASSERT_TRUE(n);
  EXPECT_EQ(format_ipv4(n->network), "10.88.3.0");
  EXPECT_EQ(format_ipv4(n->gateway()), "10.88.3.1");
  EXPECT_EQ(format_ipv4(n->broadcast()), "10.88.3.255");
  EXPECT_FALSE(parse_cidr("10.88.3.0"));
  EXPECT_FALSE(parse_cidr("10.88.3.0/31"));
  EXPECT_FALSE(parse_cidr("x/24"));
}

TEST(Ipam, AllocatesUniqueAddressesPersistsAndReleases) {
  TempDir d;
  Ipv4Net net = *parse_cidr("10.1.2.0/29");  // hosts .2 .. .6 (.1 is the gateway)
  std::set<std::string> ips;
  {
    Ipam ipam(d.path.string(), net);
    for (int i = 0; i < 5; ++i) {
      std::string ip;
      ASSERT_TRUE(ipam.allocate("pod" + std::to_string(i), &ip).ok());
      ips.insert(ip);
    }
    std::string again;
    ASSERT_TRUE(ipam.allocate("pod3", &again).ok());  // idempotent per owner
    EXPECT_EQ(again, *ipam.find("pod3"));
    std::string none;
    EXPECT_FALSE(ipam.allocate("pod9", &none).ok());  // full
  }
  EXPECT_EQ(ips, (std::set<std::string>{"10.1.2.2", "10.1.2.3", "10.1.2.4", "10.1.2.5", "10.1.2.6"}));
  Ipam restarted(d.path.string(), net);  // leases survive a restart
  std::string freed = *restarted.find("pod1");
  ASSERT_TRUE(restarted.release("pod1").ok());
  EXPECT_FALSE(restarted.find("pod1"));
  EXPECT_TRUE(restarted.release("pod1").ok());
  std::string ip;
  ASSERT_TRUE(restarted.allocate("new", &ip).ok());
  EXPECT_EQ(ip, freed);
}

TEST(PodNetwork, VethNamesFitAndDiffer) {
  auto a = PodNetwork::veth_name("default_nginx_uid1");
  EXPECT_EQ(a.size(), 15u);
  EXPECT_NE(a, PodNetwork::veth_name("default_nginx_uid2"));
}

TEST(PodNetwork, SetupPingTeardownLeavesNothing) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  TempDir d;
  testing::TestNetwork tn(d.path);
  ASSERT_TRUE(tn.net->ensure_bridge().ok());
  ASSERT_TRUE(tn.net->ensure_bridge().ok());  // idempotent
  std::string pod = "pod-" + random_suffix(6);
  tn.pods.push_back(pod);
  SandboxNetwork sb;
  Status s = tn.net->setup(pod, &sb);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(sb.ip, tn.prefix_ + "2");
  EXPECT_EQ(sb.gateway, tn.prefix_ + "1");
  EXPECT_TRUE(fs::exists(sb.netns_path));
  EXPECT_TRUE(testing::link_exists(sb.host_veth));
  SandboxNetwork again;
  ASSERT_TRUE(tn.net->setup(pod, &again).ok());  // re-adopted, same address
  EXPECT_EQ(again.ip, sb.ip);
  // The kernel in the pod's namespace answers: reachable from the node by its IP.
  auto ping = run_command({"/usr/bin/nsenter", "--net=" + sb.netns_path, "/usr/sbin/ip", "-br", "addr"});
  EXPECT_NE(ping.out.find(sb.ip), std::string::npos) << ping.out;
  auto route = run_command({"/usr/bin/nsenter", "--net=" + sb.netns_path, "/usr/sbin/ip", "route"});
  EXPECT_NE(route.out.find("default via " + sb.gateway), std::string::npos) << route.out;
  // A second pod gets another address.
  std::string pod2 = "pod-" + random_suffix(6);
  tn.pods.push_back(pod2);
  SandboxNetwork sb2;
  ASSERT_TRUE(tn.net->setup(pod2, &sb2).ok());
  EXPECT_NE(sb2.ip, sb.ip);
  // Pod to pod across the bridge, by address (busybox ping is not needed: use the host's).
  if (::access("/bin/ping", X_OK) == 0 || ::access("/usr/bin/ping", X_OK) == 0) {
    auto p = run_command({"/usr/bin/nsenter", "--net=" + sb2.netns_path, "/bin/sh", "-c",
                          "ping -c1 -W2 " + sb.ip});
    EXPECT_EQ(p.exit_code, 0) << p.out << p.err;
  }
  ASSERT_TRUE(tn.net->teardown(pod).ok());
  ASSERT_TRUE(tn.net->teardown(pod2).ok());
  ASSERT_TRUE(tn.net->teardown(pod2).ok());  // idempotent
  EXPECT_FALSE(fs::exists(sb.netns_path));
  EXPECT_FALSE(testing::link_exists(sb.host_veth));
  EXPECT_FALSE(testing::link_exists(sb2.host_veth));
  EXPECT_EQ(read_file("/proc/self/mountinfo").find(pod), std::string::npos);
  EXPECT_TRUE(tn.net->lookup(pod, &again).is_not_found());
  EXPECT_TRUE(fs::is_empty(d.path / "ipam") ||
              (fs::exists(d.path / "ipam/last") && std::distance(fs::directory_iterator(d.path / "ipam"),
                                                                  fs::directory_iterator()) == 1));
  ASSERT_TRUE(tn.net->delete_bridge().ok());
  EXPECT_FALSE(testing::link_exists(tn.net->config().bridge));
}

}  // namespace
}  // namespace skiff::runtime
