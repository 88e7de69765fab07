// The nameserver ClusterFirst pods get (agent.h effective_cluster_dns) and the address it
// defaults to (runtime/ipam.h nth_address): kubeadm's 10th address of the service range when
// the agent runs the service proxy, the host's resolvers otherwise or when asked.
#include <gtest/gtest.h>

#include "agent/agent.h"
#include "runtime/ipam.h"

namespace skiff::agent {
namespace {

TEST(ClusterDns, NthAddress) {
  EXPECT_EQ(runtime::nth_address("10.96.0.0/12", 10), "10.96.0.10");
  EXPECT_EQ(runtime::nth_address("10.96.0.0/12", 1), "10.96.0.1");
  EXPECT_EQ(runtime::nth_address("10.100.7.0/24", 10), "10.100.7.10");  // host bits ignored
  EXPECT_EQ(runtime::nth_address("10.0.0.0/29", 6), "10.0.0.6");
  EXPECT_FALSE(runtime::nth_address("10.0.0.0/29", 7));  // the broadcast address
  EXPECT_FALSE(runtime::nth_address("10.0.0.0/29", 0));
  EXPECT_FALSE(runtime::nth_address("not a cidr", 10));
}

TEST(ClusterDns, Defaults) {
  AgentOptions o;  // flannel none: no proxy, so a ClusterIP routes nowhere
  EXPECT_EQ(effective_cluster_dns(o), "");
  o.flannel_backend = "vxlan";
  EXPECT_EQ(effective_cluster_dns(o), "10.96.0.10");
  o.service_cidr = "10.200.0.0/16";
  EXPECT_EQ(effective_cluster_dns(o), "10.200.0.10");
  o.proxy = "off";
  EXPECT_EQ(effective_cluster_dns(o), "");
  o.proxy = "on";
  o.flannel_backend = "none";
  EXPECT_EQ(effective_cluster_dns(o), "10.200.0.10");
  o.cluster_dns = "host";
  EXPECT_EQ(effective_cluster_dns(o), "");
  o.cluster_dns = "192.0.2.53";
  EXPECT_EQ(effective_cluster_dns(o), "192.0.2.53");
}

}  // namespace
}  // namespace skiff::agent
