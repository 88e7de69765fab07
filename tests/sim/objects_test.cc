// Unit tests of the pure parts of `skiff sim`: flags, address plan, pod IP allocation, and the
// Node, Lease and pod status objects.
#include <gtest/gtest.h>

#include <set>

#include "sim/objects.h"

namespace skiff::sim {
namespace {

Result<SimConfig> parse(std::vector<std::string> args, bool* help = nullptr) {
  args.insert(args.begin(), "sim");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  bool h = false;
  return parse_sim_flags(static_cast<int>(argv.size()), argv.data(), help ? help : &h);
}

TEST(SimFlags, DefaultsAndRequired) {
  auto cfg = parse({"--kubeconfig", "k.yaml", "--nodes", "3"});
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->kubeconfig, "k.yaml");
  EXPECT_EQ(cfg->nodes, 3);
  EXPECT_EQ(cfg->name_prefix, "sim-");
  EXPECT_EQ(cfg->cpu, "4");
  EXPECT_EQ(cfg->memory, "16Gi");
  EXPECT_EQ(cfg->pods, 110);
  EXPECT_EQ(cfg->pod_start_delay.count(), 0);
  EXPECT_EQ(cfg->heartbeat_interval, std::chrono::seconds(10));

  auto no_nodes = parse({"--kubeconfig", "k.yaml"});
  ASSERT_FALSE(no_nodes);
  EXPECT_EQ(no_nodes.error().message, "--nodes is required");
  auto no_kc = parse({"--nodes", "3"});
  ASSERT_FALSE(no_kc);
  EXPECT_EQ(no_kc.error().message, "--kubeconfig is required");
}

TEST(SimFlags, AllFlags) {
  auto cfg = parse({"--kubeconfig=k", "--nodes=5000", "--name-prefix", "hollow-", "--cpu", "8",
                    "--memory=32Gi", "--pods", "250", "--labels", "zone=a,tier=gold",
                    "--taints", "dedicated=sim:NoSchedule,spot:PreferNoSchedule",
                    "--pod-start-delay", "1.5s", "--heartbeat-interval", "1s", "--workers", "4"});
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->nodes, 5000);
  EXPECT_EQ(cfg->name_prefix, "hollow-");
  EXPECT_EQ(cfg->cpu, "8");
  EXPECT_EQ(cfg->memory, "32Gi");
  EXPECT_EQ(cfg->pods, 250);
  ASSERT_EQ(cfg->labels.size(), 2u);
  EXPECT_EQ(cfg->labels[1].first, "tier");
  EXPECT_EQ(cfg->labels[1].second, "gold");
  ASSERT_EQ(cfg->taints.size(), 2u);
  EXPECT_EQ(cfg->taints[0].key, "dedicated");
  EXPECT_EQ(cfg->taints[0].value, "sim");
  EXPECT_EQ(cfg->taints[0].effect, "NoSchedule");
  EXPECT_EQ(cfg->taints[1].key, "spot");
  EXPECT_EQ(cfg->taints[1].value, "");
  EXPECT_EQ(cfg->pod_start_delay, std::chrono::milliseconds(1500));
  EXPECT_EQ(cfg->heartbeat_interval, std::chrono::seconds(1));
  EXPECT_EQ(cfg->workers, 4);
  auto zero = parse({"--kubeconfig=k", "--nodes=1", "--pod-start-delay", "0"});
  ASSERT_TRUE(zero);
  EXPECT_EQ(zero->pod_start_delay.count(), 0);
  EXPECT_EQ(zero->pod_cidr_wait, std::chrono::seconds(30));
  auto own = parse({"--kubeconfig=k", "--nodes=1", "--pod-cidr-wait", "0"});
  ASSERT_TRUE(own);
  EXPECT_EQ(own->pod_cidr_wait.count(), 0);
  auto soon = parse({"--kubeconfig=k", "--nodes=1", "--pod-cidr-wait=2s"});
  ASSERT_TRUE(soon);
  EXPECT_EQ(soon->pod_cidr_wait, std::chrono::seconds(2));
  EXPECT_FALSE(parse({"--kubeconfig=k", "--nodes=1", "--pod-cidr-wait", "later"}));
}

TEST(SimFlags, BadValues) {
  auto msg = [](std::vector<std::string> extra) {
    std::vector<std::string> args{"--kubeconfig", "k", "--nodes", "2"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = parse(args);
    return r ? std::string("ok") : r.error().message;
  };
  EXPECT_EQ(msg({"--nodes", "0"}), "--nodes: \"0\" is not a positive number of nodes");
  EXPECT_EQ(msg({"--nodes", "x"}), "--nodes: \"x\" is not a positive number of nodes");
  EXPECT_NE(msg({"--cpu", "four"}).find("--cpu: \"four\""), std::string::npos);
  EXPECT_NE(msg({"--memory", "-1Gi"}).find("--memory: "), std::string::npos);
  EXPECT_NE(msg({"--labels", "novalue"}).find("key=value"), std::string::npos);
  EXPECT_NE(msg({"--labels", "bad key=v"}).find("--labels: "), std::string::npos);
  EXPECT_NE(msg({"--taints", "k=v:Sometimes"}).find("NoSchedule"), std::string::npos);
  EXPECT_NE(msg({"--pod-start-delay", "soon"}).find("duration"), std::string::npos);
  EXPECT_NE(msg({"--name-prefix", "Sim_"}).find("lower case"), std::string::npos);
  EXPECT_EQ(msg({"--bogus"}), "unknown flag --bogus");
  EXPECT_EQ(msg({"--cpu"}), "--cpu needs a value");
  EXPECT_NE(msg({"--nodes", "20000"}).find("does not fit"), std::string::npos);
  bool help = false;
  auto h = parse({"--help"}, &help);
  EXPECT_TRUE(help);
}

TEST(AddressPlan, BlocksAndAddresses) {
  auto plan = AddressPlan::make(5000, 110);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->prefix_length(), 24);
  EXPECT_EQ(plan->pod_cidr(0), "10.128.0.0/24");
  EXPECT_EQ(plan->pod_cidr(1), "10.128.1.0/24");
  EXPECT_EQ(plan->pod_cidr(300), "10.129.44.0/24");
  EXPECT_EQ(plan->pod_cidr(4999), "10.147.135.0/24");
  EXPECT_EQ(plan->internal_ip(0), "10.250.0.1");
  EXPECT_EQ(plan->internal_ip(4999), "10.250.19.136");
  EXPECT_EQ(plan->node_of_ip("10.129.44.17", 5000), 300);
  EXPECT_EQ(plan->node_of_ip("10.250.0.1", 5000), -1);
  EXPECT_EQ(plan->node_of_ip("garbage", 5000), -1);
  // Unique across all nodes.
  std::set<std::string> cidrs, ips;
  for (int i = 0; i < 5000; ++i) {
    cidrs.insert(plan->pod_cidr(i));
    ips.insert(plan->internal_ip(i));
  }
  EXPECT_EQ(cidrs.size(), 5000u);
  EXPECT_EQ(ips.size(), 5000u);

  auto big = AddressPlan::make(100, 500);
  ASSERT_TRUE(big);
  EXPECT_EQ(big->prefix_length(), 23);
  EXPECT_EQ(big->pod_cidr(1), "10.128.2.0/23");
  EXPECT_TRUE(AddressPlan::make(16384, 110));
  EXPECT_FALSE(AddressPlan::make(16385, 110));
}

TEST(IpAllocator, AllocateReuseRelease) {
  auto plan = *AddressPlan::make(2, 110);
  IpAllocator ips(plan, 2);
  EXPECT_EQ(ips.allocate("ns/a", 0), "10.128.0.2");
  EXPECT_EQ(ips.allocate("ns/b", 0), "10.128.0.3");
  EXPECT_EQ(ips.allocate("ns/a", 0), "10.128.0.2");  // idempotent per pod
  EXPECT_EQ(ips.allocate("ns/c", 1), "10.128.1.2");
  EXPECT_EQ(ips.in_use(0), 2u);
  ips.release("ns/a");
  EXPECT_EQ(ips.in_use(0), 1u);
  // Next-fit: the freed address is not handed out right away.
  EXPECT_EQ(ips.allocate("ns/d", 0), "10.128.0.4");
  // A pod moved to another node gives its old address back.
  EXPECT_EQ(ips.allocate("ns/d", 1), "10.128.1.3");
  EXPECT_EQ(ips.in_use(0), 1u);
  EXPECT_EQ(ips.size(), 3u);
  ips.release("nobody");  // harmless
}

TEST(IpAllocator, ExhaustionAndWrap) {
  auto plan = *AddressPlan::make(1, 110);
  IpAllocator ips(plan, 1);
  std::set<std::string> seen;
  for (int i = 0; i < 253; ++i) {  // .2 .. .254
    auto ip = ips.allocate("p" + std::to_string(i), 0);
    ASSERT_TRUE(ip) << i;
    seen.insert(*ip);
  }
  EXPECT_EQ(seen.size(), 253u);
  EXPECT_FALSE(seen.count("10.128.0.0") || seen.count("10.128.0.1") || seen.count("10.128.0.255"));
  EXPECT_FALSE(ips.allocate("one-more", 0));
  ips.release("p7");  // had 10.128.0.9
  EXPECT_EQ(ips.allocate("one-more", 0), "10.128.0.9");
  EXPECT_FALSE(ips.allocate("out-of-range-node", 5));
}

TEST(IpAllocator, BlocksFromNodePodCidrs) {
  IpAllocator ips(3);
  EXPECT_FALSE(ips.has_block(0));
  EXPECT_FALSE(ips.allocate("ns/early", 0));  // no podCIDR yet: nothing to hand out
  EXPECT_FALSE(ips.reserve("ns/early", 0, "10.244.0.2"));
  EXPECT_TRUE(ips.set_block(0, "10.244.3.0/24"));
  EXPECT_TRUE(ips.set_block(1, "10.244.8.0/26"));
  EXPECT_TRUE(ips.has_block(0));
  EXPECT_EQ(ips.block_cidr(0), "10.244.3.0/24");
  EXPECT_EQ(ips.block_cidr(2), "");
  EXPECT_EQ(ips.allocate("ns/early", 0), "10.244.3.2");
  EXPECT_EQ(ips.allocate("ns/x", 1), "10.244.8.2");
  EXPECT_TRUE(ips.reserve("ns/y", 1, "10.244.8.62"));
  EXPECT_FALSE(ips.reserve("ns/z", 1, "10.244.8.63"));  // broadcast of the /26
  EXPECT_FALSE(ips.reserve("ns/z", 1, "10.244.3.9"));   // node 0's block
  // A /26 holds 61 pods (.2 .. .62).
  int got = 2;  // x and y
  while (ips.allocate("ns/fill" + std::to_string(got), 1)) ++got;
  EXPECT_EQ(got, 61);
  // The same block again is fine; another one is refused while pods hold addresses.
  EXPECT_TRUE(ips.set_block(0, "10.244.3.0/24"));
  EXPECT_FALSE(ips.set_block(0, "10.244.4.0/24"));
  EXPECT_EQ(ips.block_cidr(0), "10.244.3.0/24");
  EXPECT_TRUE(ips.set_block(2, "10.244.5.77/24"));  // host bits cleared
  EXPECT_EQ(ips.block_cidr(2), "10.244.5.0/24");
  EXPECT_FALSE(ips.set_block(2, "garbage"));
  IpAllocator tiny(1);
  EXPECT_FALSE(tiny.set_block(0, "10.0.0.0/31"));
  EXPECT_FALSE(tiny.set_block(5, "10.0.0.0/24"));  // no such node
  EXPECT_EQ(parse_cidr("10.244.1.0/24")->second, 24);
  EXPECT_FALSE(parse_cidr("10.244.1.0/240"));
  EXPECT_FALSE(parse_cidr("10.244.1.0"));
}

TEST(IpAllocator, Reserve) {
  auto plan = *AddressPlan::make(2, 110);
  IpAllocator ips(plan, 2);
  EXPECT_TRUE(ips.reserve("ns/a", 0, "10.128.0.2"));
  EXPECT_TRUE(ips.reserve("ns/a", 0, "10.128.0.2"));    // again: fine
  EXPECT_FALSE(ips.reserve("ns/b", 0, "10.128.0.2"));   // someone else's
  EXPECT_FALSE(ips.reserve("ns/b", 0, "10.128.1.5"));   // another node's block
  EXPECT_FALSE(ips.reserve("ns/b", 0, "10.128.0.255"));  // broadcast
  EXPECT_FALSE(ips.reserve("ns/b", 0, "nonsense"));
  EXPECT_EQ(ips.allocate("ns/c", 0), "10.128.0.3");  // skips the reserved one
  EXPECT_EQ(ips.allocate("ns/a", 0), "10.128.0.2");
}

TEST(Objects, Node) {
  auto cfg = *parse({"--kubeconfig", "k", "--nodes", "10", "--labels", "zone=b", "--taints",
                     "dedicated=sim:NoSchedule", "--cpu", "8", "--memory", "32Gi", "--pods", "50"});
  auto plan = *AddressPlan::make(10, 50);
  auto t = *parse_rfc3339("2024-01-02T03:04:05Z");
  auto node = make_node(cfg, plan, 7, t, "boot-1");
  EXPECT_EQ(get_string(node, {"kind"}), "Node");
  EXPECT_EQ(get_string(node, {"metadata", "name"}), "sim-7");
  EXPECT_EQ(get_string(node, {"metadata", "labels", "kubernetes.io/hostname"}), "sim-7");
  EXPECT_EQ(get_string(node, {"metadata", "labels", "node.kubernetes.io/instance-type"}), "sim");
  EXPECT_EQ(get_string(node, {"metadata", "labels", "kubernetes.io/os"}), "linux");
  EXPECT_EQ(get_string(node, {"metadata", "labels", "zone"}), "b");
  // By default the node IPAM controller sets the podCIDR; the node is registered without one.
  EXPECT_FALSE(node.at("spec").as_object().contains("podCIDR"));
  cfg.pod_cidr_wait = std::chrono::milliseconds(0);  // no IPAM: the sim's own block
  auto own = make_node(cfg, plan, 7, t, "boot-1");
  EXPECT_EQ(get_string(own, {"spec", "podCIDR"}), "10.128.7.0/24");
  EXPECT_EQ(own.at("spec").at("podCIDRs").as_array().size(), 1u);
  const auto& taint = node.at("spec").at("taints").as_array().at(0);
  EXPECT_EQ(get_string(taint, {"key"}), "dedicated");
  EXPECT_EQ(get_string(taint, {"value"}), "sim");
  EXPECT_EQ(get_string(taint, {"effect"}), "NoSchedule");
  for (const char* part : {"capacity", "allocatable"}) {
    EXPECT_EQ(get_string(node, {"status", part, "cpu"}), "8");
    EXPECT_EQ(get_string(node, {"status", part, "memory"}), "32Gi");
    EXPECT_EQ(get_string(node, {"status", part, "pods"}), "50");
    EXPECT_EQ(get_string(node, {"status", part, "ephemeral-storage"}), "100Gi");
  }
  const auto& addrs = node.at("status").at("addresses").as_array();
  ASSERT_EQ(addrs.size(), 2u);
  EXPECT_EQ(get_string(addrs[0], {"type"}), "InternalIP");
  EXPECT_EQ(get_string(addrs[0], {"address"}), "10.250.0.8");
  EXPECT_EQ(get_string(addrs[1], {"type"}), "Hostname");
  EXPECT_EQ(get_string(addrs[1], {"address"}), "sim-7");
  std::map<std::string, std::string> conds;
  for (const auto& c : node.at("status").at("conditions").as_array()) {
    conds[get_string(c, {"type"})] = get_string(c, {"status"});
    EXPECT_EQ(get_string(c, {"lastHeartbeatTime"}), "2024-01-02T03:04:05Z");
    EXPECT_EQ(get_string(c, {"lastTransitionTime"}), "2024-01-02T03:04:05Z");
    if (get_string(c, {"type"}) == "Ready") {
      EXPECT_EQ(get_string(c, {"reason"}), "KubeletReady");
      EXPECT_EQ(get_string(c, {"message"}), "kubelet is posting ready status");
    }
  }
  EXPECT_EQ(conds, (std::map<std::string, std::string>{{"Ready", "True"},
                                                       {"MemoryPressure", "False"},
                                                       {"DiskPressure", "False"},
                                                       {"PIDPressure", "False"}}));
  EXPECT_EQ(get_string(node, {"status", "nodeInfo", "kubeletVersion"}), "v1.32.0-skiff-sim");
  EXPECT_EQ(get_string(node, {"status", "nodeInfo", "containerRuntimeVersion"}), "sim://0");
  EXPECT_EQ(get_string(node, {"status", "nodeInfo", "osImage"}), "skiff sim");
  EXPECT_EQ(get_string(node, {"status", "nodeInfo", "bootID"}), "boot-1");
  EXPECT_EQ(get_string(node, {"status", "nodeInfo", "machineID"}).size(), 32u);
  EXPECT_EQ(get_string(node, {"status", "nodeInfo", "systemUUID"}).size(), 36u);
  // Stable identity across runs, distinct across nodes.
  auto again = make_node(cfg, plan, 7, t, "boot-2");
  EXPECT_EQ(get_string(again, {"status", "nodeInfo", "machineID"}),
            get_string(node, {"status", "nodeInfo", "machineID"}));
  auto other = make_node(cfg, plan, 8, t, "boot-1");
  EXPECT_NE(get_string(other, {"status", "nodeInfo", "machineID"}),
            get_string(node, {"status", "nodeInfo", "machineID"}));
}

TEST(Objects, Lease) {
  auto t = *parse_rfc3339("2024-01-02T03:04:05.123456Z");
  auto lease = make_lease("sim-0", "uid-1", t);
  EXPECT_EQ(get_string(lease, {"apiVersion"}), "coordination.k8s.io/v1");
  EXPECT_EQ(get_string(lease, {"metadata", "namespace"}), "kube-node-lease");
  EXPECT_EQ(get_string(lease, {"metadata", "name"}), "sim-0");
  EXPECT_EQ(get_string(lease, {"spec", "holderIdentity"}), "sim-0");
  EXPECT_EQ(get_int(lease, {"spec", "leaseDurationSeconds"}), 40);
  EXPECT_EQ(get_string(lease, {"spec", "renewTime"}), "2024-01-02T03:04:05.123456Z");
  const auto& owner = lease.at("metadata").at("ownerReferences").as_array().at(0);
  EXPECT_EQ(get_string(owner, {"kind"}), "Node");
  EXPECT_EQ(get_string(owner, {"uid"}), "uid-1");
  EXPECT_FALSE(make_lease("sim-0", "", t).at("metadata").as_object().contains("ownerReferences"));
}

TEST(Objects, RunningPodStatus) {
  json::value v;
  std::string err;
  ASSERT_TRUE(parse_json(R"({
    "metadata": {"name": "web", "namespace": "default", "uid": "u-1"},
    "spec": {"nodeName": "sim-0",
             "initContainers": [{"name": "init", "image": "busybox"},
                                {"name": "side", "image": "envoy", "restartPolicy": "Always"}],
             "containers": [{"name": "app", "image": "nginx:1.27"}, {"name": "log", "image": "fluent"}]},
    "status": {"phase": "Pending", "qosClass": "BestEffort",
               "conditions": [{"type": "PodScheduled", "status": "True",
                               "lastTransitionTime": "2024-01-01T00:00:00Z"}]}})",
                         v, err))
      << err;
  auto t = *parse_rfc3339("2024-01-02T03:04:05Z");
  auto patch = running_pod_status(v.as_object(), "10.128.0.2", "10.250.0.1", t);
  const auto& st = patch.at("status").as_object();
  EXPECT_EQ(get_string(st, {"phase"}), "Running");
  EXPECT_EQ(get_string(st, {"podIP"}), "10.128.0.2");
  EXPECT_EQ(get_string(st.at("podIPs").as_array().at(0), {"ip"}), "10.128.0.2");
  EXPECT_EQ(get_string(st, {"hostIP"}), "10.250.0.1");
  EXPECT_EQ(get_string(st.at("hostIPs").as_array().at(0), {"ip"}), "10.250.0.1");
  EXPECT_EQ(get_string(st, {"startTime"}), "2024-01-02T03:04:05Z");
  EXPECT_FALSE(st.contains("qosClass"));  // a merge patch leaves the server's value alone
  std::map<std::string, std::string> conds;
  for (const auto& c : st.at("conditions").as_array()) {
    EXPECT_EQ(get_string(c, {"status"}), "True");
    conds[get_string(c, {"type"})] = get_string(c, {"lastTransitionTime"});
  }
  EXPECT_EQ(conds["PodScheduled"], "2024-01-01T00:00:00Z");
  EXPECT_EQ(conds["Ready"], "2024-01-02T03:04:05Z");
  EXPECT_EQ(conds["ContainersReady"], "2024-01-02T03:04:05Z");
  EXPECT_EQ(conds["Initialized"], "2024-01-02T03:04:05Z");
  const auto& cs = st.at("containerStatuses").as_array();
  ASSERT_EQ(cs.size(), 2u);
  EXPECT_EQ(get_string(cs[0], {"name"}), "app");
  EXPECT_EQ(get_string(cs[0], {"image"}), "nginx:1.27");
  EXPECT_EQ(get_string(cs[0], {"imageID"}), "sim://nginx:1.27");
  EXPECT_EQ(get_string(cs[0], {"containerID"}), "sim://u-1-app");
  EXPECT_TRUE(cs[0].at("ready").as_bool());
  EXPECT_TRUE(cs[0].at("started").as_bool());
  EXPECT_EQ(get_int(cs[0], {"restartCount"}, -1), 0);
  EXPECT_EQ(get_string(cs[0], {"state", "running", "startedAt"}), "2024-01-02T03:04:05Z");
  EXPECT_EQ(get_string(cs[1], {"containerID"}), "sim://u-1-log");
  const auto& ics = st.at("initContainerStatuses").as_array();
  ASSERT_EQ(ics.size(), 2u);
  EXPECT_EQ(get_string(ics[0], {"state", "terminated", "reason"}), "Completed");
  EXPECT_EQ(get_int(ics[0], {"state", "terminated", "exitCode"}, -1), 0);
  EXPECT_EQ(get_string(ics[1], {"state", "running", "startedAt"}), "2024-01-02T03:04:05Z");

  // No init containers: no initContainerStatuses.
  json::object plain{{"metadata", json::object{{"uid", "u"}}},
                     {"spec", json::object{{"containers", json::array{json::object{{"name", "c"}, {"image", "i"}}}}}}};
  auto p2 = running_pod_status(plain, "10.128.0.3", "10.250.0.1", t);
  EXPECT_FALSE(p2.at("status").as_object().contains("initContainerStatuses"));
  std::string sched;
  for (const auto& c : p2.at("status").at("conditions").as_array())
    if (get_string(c, {"type"}) == "PodScheduled") sched = get_string(c, {"lastTransitionTime"});
  EXPECT_EQ(sched, "2024-01-02T03:04:05Z");
}

}  // namespace
}  // namespace skiff::sim

namespace skiff::sim {
namespace {
TEST(SimFlags, HeartbeatThreads) {
  SimConfig cfg;
  cfg.nodes = 5000;
  EXPECT_EQ(heartbeat_threads(cfg), 21);  // 500 renewals/s
  cfg.nodes = 3;
  EXPECT_EQ(heartbeat_threads(cfg), 2);
  cfg.nodes = 1;
  EXPECT_EQ(heartbeat_threads(cfg), 1);
  cfg.nodes = 100000;
  EXPECT_EQ(heartbeat_threads(cfg), 32);
  cfg.heartbeat_threads = 4;
  EXPECT_EQ(heartbeat_threads(cfg), 4);
}
}  // namespace
}  // namespace skiff::sim
