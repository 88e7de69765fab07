// Integration test of HollowNodes against a real `skiff server --no-agent`
// (support/test_server.h). Skipped when the skiff binary is missing.
#include <gtest/gtest.h>

#include <thread>

#include "sim/pod_lifecycle.h"
#include "sim/sim.h"
#include "support/server_test.h"

namespace skiff::sim {
namespace {

using namespace std::chrono_literals;
using testsupport::eventually;

const api::ResourceInfo& res(const char* group, const char* name) {
  return *api::find_resource(group, "v1", name);
}

class HollowNodesTest : public testsupport::ServerPerTest {
 protected:
  virtual std::vector<std::string> server_args() { return {}; }
  testsupport::TestServer::Options server_options() override {
    return {.name = "skiff-sim-test", .args = server_args()};
  }

  SimConfig config() {
    SimConfig cfg;
    cfg.nodes = 3;
    cfg.heartbeat_interval = 1s;
    cfg.node_status_interval = 2s;
    cfg.workers = 2;
    cfg.heartbeat_threads = 2;
    cfg.registration_threads = 2;
    return cfg;
  }

  // Creates a pod that no scheduler picks up and binds it to `node` the way a scheduler does.
  void create_and_bind(const std::string& name, const std::string& node) {
    json::object pod{
        {"apiVersion", "v1"},
        {"kind", "Pod"},
        {"metadata", json::object{{"name", name}}},
        {"spec", json::object{{"schedulerName", "nobody"},
                              {"containers", json::array{json::object{{"name", "web"},
                                                                      {"image", "nginx:1.27"}}}}}}};
    auto created = client_->create(res("", "pods"), "default", pod);
    ASSERT_TRUE(created) << created.error().message;
    json::object binding{{"apiVersion", "v1"},
                         {"kind", "Binding"},
                         {"metadata", json::object{{"name", name}}},
                         {"target", json::object{{"apiVersion", "v1"}, {"kind", "Node"}, {"name", node}}}};
    auto bound = client_->post_subresource(res("", "pods"), "default", name, "binding", binding);
    ASSERT_TRUE(bound) << bound.error().message;
  }

  json::object wait_running(const std::string& name) {
    json::object pod;
    bool running = eventually([&] {
      auto p = client_->get(res("", "pods"), "default", name);
      if (!p || get_string(*p, {"status", "phase"}) != "Running") return false;
      pod = *p;
      return true;
    }, 20s);
    EXPECT_TRUE(running) << name << " did not become Running";
    return pod;
  }
};

TEST_F(HollowNodesTest, NodesLeasesPodsAndRestart) {
  auto sim = std::make_unique<HollowNodes>(*client_, config());
  auto st = sim->start();
  ASSERT_TRUE(st) << st.error().message;

  // Three Ready nodes with their InternalIP and a podCIDR from the node IPAM controller of
  // the server (10.244.0.0/16 by default), a different one each.
  std::string boot0;
  std::vector<std::string> cidrs(3);
  for (int i = 0; i < 3; ++i) {
    std::string name = "sim-" + std::to_string(i);
    std::optional<json::object> node;
    EXPECT_TRUE(eventually([&] {
      auto n = client_->get(res("", "nodes"), "", name);
      if (!n || get_string(*n, {"spec", "podCIDR"}).empty()) return false;
      node = *n;
      return true;
    }, 15s)) << name << " got no podCIDR";
    ASSERT_TRUE(node);
    cidrs[i] = get_string(*node, {"spec", "podCIDR"});
    EXPECT_EQ(cidrs[i].rfind("10.244.", 0), 0u) << cidrs[i];
    EXPECT_EQ(cidrs[i].substr(cidrs[i].size() - 5), ".0/24") << cidrs[i];
    for (int j = 0; j < i; ++j) EXPECT_NE(cidrs[i], cidrs[j]);
    std::string ready;
    for (const auto& c : node->at("status").at("conditions").as_array())
      if (get_string(c, {"type"}) == "Ready") ready = get_string(c, {"status"});
    EXPECT_EQ(ready, "True") << name;
    EXPECT_EQ(get_string(*node, {"status", "capacity", "pods"}), "110");
    EXPECT_EQ(get_string(node->at("status").at("addresses").as_array().at(0), {"address"}),
              "10.250.0." + std::to_string(i + 1));
    if (i == 0) boot0 = get_string(*node, {"status", "nodeInfo", "bootID"});
  }

  // Leases exist and are renewed.
  const auto& leases = *api::find_resource("coordination.k8s.io", "v1", "leases");
  std::vector<std::string> first(3);
  for (int i = 0; i < 3; ++i) {
    auto lease = client_->get(leases, "kube-node-lease", "sim-" + std::to_string(i));
    ASSERT_TRUE(lease) << lease.error().message;
    EXPECT_EQ(get_string(*lease, {"spec", "holderIdentity"}), "sim-" + std::to_string(i));
    EXPECT_EQ(get_int(*lease, {"spec", "leaseDurationSeconds"}), 40);
    first[i] = get_string(*lease, {"spec", "renewTime"});
    EXPECT_EQ(first[i].size(), 27u) << first[i];  // MicroTime
  }
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(eventually([&] {
      auto lease = client_->get(leases, "kube-node-lease", "sim-" + std::to_string(i));
      return lease && get_string(*lease, {"spec", "renewTime"}) != first[i];
    }, 5s)) << "lease of sim-" << i << " was not renewed";

  // A pod bound to sim-0 runs with an address from sim-0's podCIDR.
  create_and_bind("web-1", "sim-0");
  auto pod = wait_running("web-1");
  std::string ip1 = get_string(pod, {"status", "podIP"});
  const std::string net0 = cidrs[0].substr(0, cidrs[0].size() - 4);  // "10.244.N."
  EXPECT_EQ(ip1.rfind(net0, 0), 0u) << ip1 << " not in " << cidrs[0];
  EXPECT_EQ(get_string(pod, {"status", "hostIP"}), "10.250.0.1");
  EXPECT_FALSE(get_string(pod, {"status", "startTime"}).empty());
  const auto& cs = pod.at("status").at("containerStatuses").as_array();
  ASSERT_EQ(cs.size(), 1u);
  EXPECT_TRUE(cs[0].at("ready").as_bool());
  EXPECT_FALSE(get_string(cs[0], {"state", "running", "startedAt"}).empty());

  // Restart: the nodes are taken over (new bootID), the running pod keeps its address and a new
  // pod gets another one.
  sim->stop();
  sim.reset();
  sim = std::make_unique<HollowNodes>(*client_, config());
  st = sim->start();
  ASSERT_TRUE(st) << st.error().message;
  auto node0 = client_->get(res("", "nodes"), "", "sim-0");
  ASSERT_TRUE(node0);
  EXPECT_NE(get_string(*node0, {"status", "nodeInfo", "bootID"}), boot0);
  create_and_bind("web-2", "sim-0");
  auto pod2 = wait_running("web-2");
  std::string ip2 = get_string(pod2, {"status", "podIP"});
  EXPECT_EQ(ip2.rfind(net0, 0), 0u) << ip2 << " not in " << cidrs[0];
  EXPECT_NE(ip1, ip2);

  // Graceful deletion (kubectl's default: the server keeps the pod with a deletionTimestamp)
  // completes without waiting for the grace period.
  for (const char* name : {"web-1", "web-2"}) {
    auto del = client_->remove(res("", "pods"), "default", name);
    ASSERT_TRUE(del) << del.error().message;
  }
  for (const char* name : {"web-1", "web-2"})
    EXPECT_TRUE(eventually([&] {
      auto p = client_->get(res("", "pods"), "default", name);
      return !p && p.error().code == 404;
    }, 10s)) << name << " was not deleted";
  EXPECT_TRUE(eventually([&] { return sim->stats().pod_ips == 0; }, 5s));

  // Stopping leaves the nodes behind (dead machines, not deregistered ones).
  sim->stop();
  EXPECT_TRUE(client_->get(res("", "nodes"), "", "sim-2").ok());
}

TEST_F(HollowNodesTest, PodStartDelay) {
  auto cfg = config();
  cfg.nodes = 1;
  cfg.name_prefix = "slow-";
  cfg.pod_start_delay = 1500ms;
  HollowNodes sim(*client_, cfg);
  ASSERT_TRUE(sim.start());
  auto began = std::chrono::steady_clock::now();
  create_and_bind("late", "slow-0");
  wait_running("late");
  EXPECT_GE(std::chrono::steady_clock::now() - began, 1400ms);
}

// Pods meant to finish do (pod_lifecycle.h): exit 0 and exit N under Never end the pod, exit N
// under OnFailure restarts it, restartPolicy Always keeps it running.
TEST_F(HollowNodesTest, PodsFinish) {
  auto cfg = config();
  cfg.nodes = 1;
  cfg.name_prefix = "fin-";
  cfg.pod_run_duration = 300ms;
  HollowNodes sim(*client_, cfg);
  ASSERT_TRUE(sim.start());
  auto make = [&](const char* name, const char* policy, const char* code) {
    json::object md{{"name", name}};
    if (code) md["annotations"] = json::object{{kExitCodeAnnotation, code}};
    json::object pod{{"apiVersion", "v1"},
                     {"kind", "Pod"},
                     {"metadata", std::move(md)},
                     {"spec", json::object{{"nodeName", "fin-0"},
                                           {"restartPolicy", policy},
                                           {"containers", json::array{json::object{
                                                              {"name", "c"}, {"image", "x"}}}}}}};
    auto created = client_->create(res("", "pods"), "default", pod);
    ASSERT_TRUE(created) << created.error().message;
  };
  make("ok", "Never", nullptr);
  make("bad", "Never", "2");
  make("crash", "OnFailure", "1");
  make("forever", "Always", "1");
  auto phase_is = [&](const char* name, const char* phase) {
    return eventually([&] {
      auto p = client_->get(res("", "pods"), "default", name);
      return p && get_string(*p, {"status", "phase"}) == phase;
    }, 20s);
  };
  EXPECT_TRUE(phase_is("ok", "Succeeded"));
  EXPECT_TRUE(phase_is("bad", "Failed"));
  auto bad = client_->get(res("", "pods"), "default", "bad");
  ASSERT_TRUE(bad);
  const auto& cs = find_path(*bad, {"status", "containerStatuses"})->as_array().at(0);
  EXPECT_EQ(get_int(cs, {"state", "terminated", "exitCode"}, -1), 2);
  bool restarted = eventually([&] {
    auto p = client_->get(res("", "pods"), "default", "crash");
    const json::value* c = p ? find_path(*p, {"status", "containerStatuses"}) : nullptr;
    return c && c->is_array() && !c->as_array().empty() &&
           get_int(c->as_array()[0], {"restartCount"}, 0) >= 2 &&
           get_string(*p, {"status", "phase"}) == "Running";
  }, 20s);
  EXPECT_TRUE(restarted) << "an OnFailure pod exiting 1 restarts and keeps running";
  auto forever = client_->get(res("", "pods"), "default", "forever");
  ASSERT_TRUE(forever);
  EXPECT_EQ(get_string(*forever, {"status", "phase"}), "Running");
  EXPECT_GE(sim.stats().pods_finished, 4);  // ok, bad and two restarts of crash
}

}  // namespace
}  // namespace skiff::sim

namespace skiff::sim {
namespace {
// A cluster without node IPAM: nodes get the sim's own podCIDR after --pod-cidr-wait, and a pod
// bound before that waits for it instead of getting an address from nowhere.
class HollowNodesNoIpamTest : public HollowNodesTest {
 protected:
  std::vector<std::string> server_args() override { return {"--allocate-node-cidrs=false"}; }
};

TEST_F(HollowNodesNoIpamTest, FallsBackToOwnPodCidr) {
  auto cfg = config();
  cfg.nodes = 2;
  cfg.name_prefix = "own-";
  cfg.pod_cidr_wait = 1500ms;
  HollowNodes sim(*client_, cfg);
  ASSERT_TRUE(sim.start());
  auto node = client_->get(res("", "nodes"), "", "own-1");
  ASSERT_TRUE(node);
  EXPECT_EQ(get_string(*node, {"spec", "podCIDR"}), "");
  create_and_bind("early", "own-1");
  std::this_thread::sleep_for(500ms);
  auto p = client_->get(res("", "pods"), "default", "early");
  ASSERT_TRUE(p);
  EXPECT_EQ(get_string(*p, {"status", "phase"}), "Pending");
  auto pod = wait_running("early");
  EXPECT_EQ(get_string(pod, {"status", "podIP"}).rfind("10.128.1.", 0), 0u)
      << get_string(pod, {"status", "podIP"});
  node = client_->get(res("", "nodes"), "", "own-1");
  ASSERT_TRUE(node);
  EXPECT_EQ(get_string(*node, {"spec", "podCIDR"}), "10.128.1.0/24");
  // The podCIDR is set once: changing it is refused, as upstream.
  auto changed = client_->patch(
      res("", "nodes"), "", "own-1", "application/merge-patch+json",
      json::object{{"spec", json::object{{"podCIDR", "10.9.0.0/24"},
                                          {"podCIDRs", json::array{json::value("10.9.0.0/24")}}}}});
  ASSERT_FALSE(changed);
  EXPECT_EQ(changed.error().code, 422);
}

}  // namespace
}  // namespace skiff::sim
