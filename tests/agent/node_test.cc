// The Node status and Lease shapes the agent reports.
#include "agent/node.h"

#include <gtest/gtest.h>

namespace skiff::agent {
namespace {

NodeFacts facts() {
  NodeFacts f;
  f.cpus = 4;
  f.memory_bytes = 8LL << 30;
  f.memory_available = 4LL << 30;
  f.disk_bytes = 100LL << 30;
  f.disk_available = 50LL << 30;
  f.kernel_version = "6.1.0";
  f.os_image = "Debian GNU/Linux 12 (bookworm)";
  return f;
}

const json::value* condition(const json::object& status, const std::string& type) {
  for (const auto& c : status.at("conditions").as_array())
    if (get_string(c, {"type"}) == type) return &c;
  return nullptr;
}

TEST(NodeStatus, CapacityAllocatableAndInfo) {
  NodeReport r;
  r.name = "n1";
  r.ip = "10.0.0.5";
  r.kubelet_port = 12345;
  r.runtime_version = "crun://1.8.1";
  r.network_ready = true;
  auto s = node_status(r, facts(), {});
  EXPECT_EQ(get_string(s, {"capacity", "cpu"}), "4");
  EXPECT_EQ(get_string(s, {"capacity", "memory"}), "8388608Ki");
  EXPECT_EQ(get_string(s, {"capacity", "pods"}), "110");
  EXPECT_EQ(get_string(s, {"allocatable", "memory"}), std::to_string(8388608 - 102400) + "Ki");
  EXPECT_EQ(get_int(s, {"daemonEndpoints", "kubeletEndpoint", "Port"}), 12345);
  EXPECT_EQ(get_string(s, {"nodeInfo", "containerRuntimeVersion"}), "crun://1.8.1");
  EXPECT_EQ(get_string(s, {"nodeInfo", "kernelVersion"}), "6.1.0");
  EXPECT_EQ(get_string(s.at("addresses").as_array()[0], {"address"}), "10.0.0.5");
  ASSERT_NE(condition(s, "Ready"), nullptr);
  EXPECT_EQ(get_string(*condition(s, "Ready"), {"status"}), "True");
  EXPECT_EQ(get_string(*condition(s, "MemoryPressure"), {"status"}), "False");
}

TEST(NodeStatus, NotReadyWithoutNetworkAndTransitionTimesKept) {
  NodeReport r;
  r.name = "n1";
  r.network_message = "no podCIDR";
  auto first = node_status(r, facts(), {});
  const auto* ready = condition(first, "Ready");
  ASSERT_NE(ready, nullptr);
  EXPECT_EQ(get_string(*ready, {"status"}), "False");
  EXPECT_NE(get_string(*ready, {"message"}).find("no podCIDR"), std::string::npos);
  json::object old = first;
  old["conditions"].as_array()[0].as_object()["lastTransitionTime"] = "2020-01-01T00:00:00Z";
  auto second = node_status(r, facts(), old);
  EXPECT_EQ(get_string(*condition(second, "MemoryPressure"), {"lastTransitionTime"}),
            "2020-01-01T00:00:00Z");
}

TEST(NodeLease, OwnedByTheNode) {
  auto l = node_lease("n1", "uid-1", 40);
  EXPECT_EQ(get_string(l, {"spec", "holderIdentity"}), "n1");
  EXPECT_EQ(get_int(l, {"spec", "leaseDurationSeconds"}), 40);
  EXPECT_EQ(get_string(l.at("metadata").at("ownerReferences").as_array()[0], {"uid"}), "uid-1");
}

}  // namespace
}  // namespace skiff::agent
