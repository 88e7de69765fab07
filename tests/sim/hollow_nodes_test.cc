// Integration test of HollowNodes against a real `skiff server --no-agent` in a temporary data
// dir on a free port. Skipped when the skiff binary is missing (SKIFF_BIN, else build/skiff of
// the source tree).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "sim/pod_lifecycle.h"
#include "sim/sim.h"

namespace skiff::sim {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string skiff_binary() {
  if (const char* b = std::getenv("SKIFF_BIN"); b && *b) return b;
  fs::path here = fs::path(__FILE__).parent_path();  // <src>/tests/sim
  return (here.parent_path().parent_path() / "build" / "skiff").string();
}

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

bool poll_until(std::chrono::milliseconds timeout, const std::function<bool()>& f) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (f()) return true;
    std::this_thread::sleep_for(100ms);
  }
  return f();
}

const api::ResourceInfo& res(const char* group, const char* name) {
  return *api::find_resource(group, "v1", name);
}

class HollowNodesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bin_ = skiff_binary();
    if (!fs::exists(bin_)) GTEST_SKIP() << "no skiff binary at " << bin_ << " (set SKIFF_BIN)";
    char tmpl[] = "/tmp/skiff-sim-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    int port = free_port();
    pid_ = fork();
    if (pid_ == 0) {
      std::string log = dir_ + "/server.log";
      FILE* f = std::freopen(log.c_str(), "w", stderr);
      (void)f;
      dup2(2, 1);
      std::string p = std::to_string(port), data = dir_ + "/data";
      execl(bin_.c_str(), bin_.c_str(), "server", "--data-dir", data.c_str(), "--bind-address",
            "127.0.0.1", "--port", p.c_str(), "--no-agent", static_cast<char*>(nullptr));
      _exit(127);
    }
    std::string kc = dir_ + "/data/admin.kubeconfig";
    bool ready = poll_until(60s, [&] {
      if (!fs::exists(kc) || fs::file_size(kc) == 0) return false;
      auto cfg = client::Config::from_kubeconfig(kc);
      if (!cfg) return false;
      if (!client_) client_ = std::make_unique<client::Client>(*cfg);
      return client_->list(res("", "namespaces"), "").ok();
    });
    ASSERT_TRUE(ready) << "server did not become ready; see " << dir_ << "/server.log";
  }

  void TearDown() override {
    client_.reset();
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int st = 0;
      waitpid(pid_, &st, 0);
    }
    if (!dir_.empty() && !HasFailure()) fs::remove_all(dir_);
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
    bool running = poll_until(20s, [&] {
      auto p = client_->get(res("", "pods"), "default", name);
      if (!p || get_string(*p, {"status", "phase"}) != "Running") return false;
      pod = *p;
      return true;
    });
    EXPECT_TRUE(running) << name << " did not become Running";
    return pod;
  }

  std::string bin_, dir_;
  pid_t pid_ = -1;
  std::unique_ptr<client::Client> client_;
};

TEST_F(HollowNodesTest, NodesLeasesPodsAndRestart) {
  auto sim = std::make_unique<HollowNodes>(*client_, config());
  auto st = sim->start();
  ASSERT_TRUE(st) << st.error().message;

  // Three Ready nodes with their podCIDR and InternalIP.
  std::string boot0;
  for (int i = 0; i < 3; ++i) {
    std::string name = "sim-" + std::to_string(i);
    auto node = client_->get(res("", "nodes"), "", name);
    ASSERT_TRUE(node) << node.error().message;
    EXPECT_EQ(get_string(*node, {"spec", "podCIDR"}), "10.128." + std::to_string(i) + ".0/24");
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
    EXPECT_TRUE(poll_until(5s, [&] {
      auto lease = client_->get(leases, "kube-node-lease", "sim-" + std::to_string(i));
      return lease && get_string(*lease, {"spec", "renewTime"}) != first[i];
    })) << "lease of sim-" << i << " was not renewed";

  // A pod bound to sim-0 runs with an address from sim-0's podCIDR.
  create_and_bind("web-1", "sim-0");
  auto pod = wait_running("web-1");
  std::string ip1 = get_string(pod, {"status", "podIP"});
  EXPECT_EQ(ip1.rfind("10.128.0.", 0), 0u) << ip1;
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
  EXPECT_EQ(ip2.rfind("10.128.0.", 0), 0u) << ip2;
  EXPECT_NE(ip1, ip2);

  // Graceful deletion (kubectl's default: the server keeps the pod with a deletionTimestamp)
  // completes without waiting for the grace period.
  for (const char* name : {"web-1", "web-2"}) {
    auto del = client_->remove(res("", "pods"), "default", name);
    ASSERT_TRUE(del) << del.error().message;
  }
  for (const char* name : {"web-1", "web-2"})
    EXPECT_TRUE(poll_until(10s, [&] {
      auto p = client_->get(res("", "pods"), "default", name);
      return !p && p.error().code == 404;
    })) << name << " was not deleted";
  EXPECT_TRUE(poll_until(5s, [&] { return sim->stats().pod_ips == 0; }));

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
  std::this_thread::sleep_for(700ms);
  auto p = client_->get(res("", "pods"), "default", "late");
  ASSERT_TRUE(p);
  EXPECT_EQ(get_string(*p, {"status", "phase"}), "Pending");
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
    return poll_until(20s, [&] {
      auto p = client_->get(res("", "pods"), "default", name);
      return p && get_string(*p, {"status", "phase"}) == phase;
    });
  };
  EXPECT_TRUE(phase_is("ok", "Succeeded"));
  EXPECT_TRUE(phase_is("bad", "Failed"));
  auto bad = client_->get(res("", "pods"), "default", "bad");
  ASSERT_TRUE(bad);
  const auto& cs = find_path(*bad, {"status", "containerStatuses"})->as_array().at(0);
  EXPECT_EQ(get_int(cs, {"state", "terminated", "exitCode"}, -1), 2);
  bool restarted = poll_until(20s, [&] {
    auto p = client_->get(res("", "pods"), "default", "crash");
    const json::value* c = p ? find_path(*p, {"status", "containerStatuses"}) : nullptr;
    return c && c->is_array() && !c->as_array().empty() &&
           get_int(c->as_array()[0], {"restartCount"}, 0) >= 2 &&
           get_string(*p, {"status", "phase"}) == "Running";
  });
  EXPECT_TRUE(restarted) << "an OnFailure pod exiting 1 restarts and keeps running";
  auto forever = client_->get(res("", "pods"), "default", "forever");
  ASSERT_TRUE(forever);
  EXPECT_EQ(get_string(*forever, {"status", "phase"}), "Running");
  EXPECT_GE(sim.stats().pods_finished, 4);  // ok, bad and two restarts of crash
}

}  // namespace
}  // namespace skiff::sim
