// The scheduler against a real `skiff server --disable-scheduler` (support/test_server.h;
// skipped without a skiff binary): 3 Node objects, pods with requests get spec.nodeName; a pod
// too big for any node gets a FailedScheduling event.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <thread>

#include "api/resources.h"
#include "client/client.h"
#include "scheduler/scheduler.h"
#include "support/server_test.h"

namespace skiff::scheduler {
namespace {
using namespace std::chrono_literals;

class SchedulerIntegration : public testsupport::ServerPerTest {
 protected:
  testsupport::TestServer::Options server_options() override {
    // The test runs its own scheduler: the embedded one would race it for the pods.
    return {.name = "skiff-sched", .args = {"--disable-scheduler"}};
  }

  const api::ResourceInfo& res(const char* r) { return *api::find_resource("", "v1", r); }

  void create_node(const std::string& name) {
    json::object alloc{{"cpu", "4"}, {"memory", "8Gi"}, {"pods", "110"}};
    json::object node{
        {"apiVersion", "v1"},
        {"kind", "Node"},
        {"metadata", json::object{{"name", name},
                                  {"labels", json::object{{"kubernetes.io/hostname", name}}}}},
        {"status", json::object{{"capacity", alloc},
                                {"allocatable", alloc},
                                {"conditions", json::array{json::object{{"type", "Ready"},
                                                                        {"status", "True"}}}}}}};
    auto r = client_->create(res("nodes"), "", node);
    ASSERT_TRUE(r) << r.error().message;
    // Status may be dropped on create (status is a subresource): write it too. The server's
    // controllers (node IPAM) may update the new Node first: re-read it on a conflict.
    json::object cur = *r;
    Result<json::object> u = ApiError::conflict("nodes", name, "not written yet");
    for (int attempt = 0; attempt < 10 && !u && u.error().code == 409; ++attempt) {
      if (attempt > 0) {
        auto latest = client_->get(res("nodes"), "", name);
        ASSERT_TRUE(latest) << latest.error().message;
        cur = *latest;
      }
      cur["status"] = node["status"];
      u = client_->update(res("nodes"), "", name, cur, "status");
    }
    ASSERT_TRUE(u) << u.error().message;
  }

  void create_pod(const std::string& name, const std::string& cpu) {
    json::object pod{
        {"apiVersion", "v1"},
        {"kind", "Pod"},
        {"metadata", json::object{{"name", name}, {"namespace", "default"}}},
        {"spec", json::object{{"containers",
                               json::array{json::object{
                                   {"name", "c"},
                                   {"image", "nginx"},
                                   {"resources", json::object{{"requests",
                                                               json::object{{"cpu", cpu}}}}}}}}}}};
    auto r = client_->create(res("pods"), "default", pod);
    ASSERT_TRUE(r) << r.error().message;
  }

  std::string node_of(const std::string& pod) {
    auto r = client_->get(res("pods"), "default", pod);
    return r ? get_string(*r, {"spec", "nodeName"}) : "";
  }
};

TEST_F(SchedulerIntegration, BindsPodsAndReportsFailures) {
  for (auto n : {"node-1", "node-2", "node-3"}) create_node(n);
  Scheduler s(*client_);
  s.start();
  for (int i = 0; i < 6; ++i) create_pod("p" + std::to_string(i), "1");
  create_pod("huge", "64");

  std::map<std::string, int> per_node;
  for (int i = 0; i < 6; ++i) {
    std::string pod = "p" + std::to_string(i), node;
    for (int t = 0; t < 100 && node.empty(); ++t) {
      node = node_of(pod);
      if (node.empty()) std::this_thread::sleep_for(100ms);
    }
    EXPECT_FALSE(node.empty()) << pod << " was not bound";
    ++per_node[node];
  }
  EXPECT_EQ(per_node.size(), 3u);  // least-allocated spreads 6 equal pods over 3 equal nodes
  for (auto& [n, c] : per_node) EXPECT_EQ(c, 2) << n;

  bool found_failed = false, found_scheduled = false;
  for (int t = 0; t < 100 && !(found_failed && found_scheduled); ++t) {
    auto evs = client_->list(res("events"), "default");
    ASSERT_TRUE(evs);
    for (const auto& e : evs->at("items").as_array()) {
      std::string reason = get_string(e, {"reason"}), msg = get_string(e, {"message"});
      std::string obj = get_string(e, {"involvedObject", "name"});
      if (reason == "FailedScheduling" && obj == "huge" &&
          msg.find("0/3 nodes are available: 3 Insufficient cpu.") != std::string::npos) {
        found_failed = true;
        EXPECT_EQ(get_string(e, {"type"}), "Warning");
        EXPECT_EQ(get_string(e, {"source", "component"}), "default-scheduler");
      }
      if (reason == "Scheduled" && obj == "p0") {
        found_scheduled = true;
        EXPECT_EQ(msg, "Successfully assigned default/p0 to " + node_of("p0"));
      }
    }
    if (!(found_failed && found_scheduled)) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(found_failed);
  EXPECT_TRUE(found_scheduled);
  EXPECT_EQ(node_of("huge"), "");

  // Room appears (a new big node): the parked pod is retried and bound.
  json::object alloc{{"cpu", "128"}, {"memory", "8Gi"}, {"pods", "110"}};
  json::object big{{"apiVersion", "v1"},
                   {"kind", "Node"},
                   {"metadata", json::object{{"name", "node-big"}}},
                   {"status", json::object{{"capacity", alloc}, {"allocatable", alloc}}}};
  auto r = client_->create(res("nodes"), "", big);
  ASSERT_TRUE(r) << r.error().message;
  json::object cur = *r;
  cur["status"] = big["status"];
  ASSERT_TRUE(client_->update(res("nodes"), "", "node-big", cur, "status"));
  std::string n;
  for (int t = 0; t < 150 && n.empty(); ++t) {
    n = node_of("huge");
    if (n.empty()) std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(n, "node-big");
  s.stop();
}

}  // namespace
}  // namespace skiff::scheduler
