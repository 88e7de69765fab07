// LeaderElector against a real `skiff server` (child process in a temporary data dir, binary
// from $SKIFF_BIN else the `skiff` next to this test executable): two candidates for one Lease,
// only one leads; a released lease passes at once, an abandoned one once it expires.
#include "client/leader_election.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <thread>

#include "api/resources.h"
#include "client/client.h"

extern char** environ;

namespace skiff::client {
namespace {
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using Steady = std::chrono::steady_clock;

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  int port = ntohs(a.sin_port);
  close(fd);
  return port;
}

std::string skiff_binary() {
  if (const char* env = std::getenv("SKIFF_BIN"); env && *env) return env;
  std::error_code ec;
  auto self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : (self.parent_path() / "skiff").string();
}

template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds within) {
  auto end = Steady::now() + within;
  while (Steady::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return pred();
}

const api::ResourceInfo& leases() {
  return *api::find_resource("coordination.k8s.io", "v1", "leases");
}

class LeaderElection : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string bin = skiff_binary();
    if (bin.empty() || !fs::exists(bin)) {
      skip_ = "no skiff binary at \"" + bin + "\" (set SKIFF_BIN)";
      return;
    }
    std::string t = (fs::temp_directory_path() / "skiff-le-it-XXXXXX").string();
    dir_ = mkdtemp(t.data());
    std::string log = dir_ + "/server.log";
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    std::vector<std::string> args = {bin,         "server",        "--data-dir",
                                     dir_,        "--bind-address", "127.0.0.1",
                                     "--port",    std::to_string(free_port()), "--no-agent",
                                     "--disable-scheduler", "--disable-controllers"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int rc = posix_spawn(&pid_, bin.c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
      error_ = "posix_spawn " + bin + " failed: " + std::strerror(rc);
      pid_ = 0;
      return;
    }
    const std::string kc = dir_ + "/admin.kubeconfig";
    auto deadline = Steady::now() + 60s;
    while (Steady::now() < deadline && !fs::exists(kc)) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = 0;
        error_ = "skiff server exited early; see " + log;
        return;
      }
      std::this_thread::sleep_for(50ms);
    }
    std::this_thread::sleep_for(50ms);
    auto cfg = Config::from_kubeconfig(kc);
    if (!cfg) {
      error_ = "kubeconfig: " + cfg.error().message;
      return;
    }
    cfg_ = *cfg;
    Client c(cfg_);
    while (Steady::now() < deadline)
      if (c.request("GET", "/readyz")) return;
      else std::this_thread::sleep_for(100ms);
    error_ = "server not ready within 60 s; see " + log;
  }

  static void TearDownTestSuite() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      bool exited = false;
      for (int i = 0; i < 100 && !exited; ++i) {
        if (waitpid(pid_, &status, WNOHANG) == pid_) exited = true;
        else std::this_thread::sleep_for(50ms);
      }
      if (!exited) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
      }
      pid_ = 0;
    }
    if (!dir_.empty()) {
      std::error_code ec;
      fs::remove_all(dir_, ec);
    }
  }

  void SetUp() override {
    if (!skip_.empty()) GTEST_SKIP() << skip_;
    ASSERT_TRUE(error_.empty()) << error_;
    client_ = std::make_unique<Client>(cfg_);
  }

  // A fast-cycling candidate for `lease` in the default namespace, counting its callbacks.
  struct Candidate {
    std::atomic<int> started{0}, stopped{0};
    std::unique_ptr<LeaderElector> le;
  };
  std::unique_ptr<Candidate> candidate(const std::string& lease, const std::string& id,
                                       bool release = true) {
    auto c = std::make_unique<Candidate>();
    LeaderElectionConfig lc;
    lc.lease_namespace = "default";
    lc.lease_name = lease;
    lc.identity = id;
    lc.lease_duration = 3s;
    lc.renew_deadline = 2s;
    lc.retry_period = 200ms;
    lc.release_on_cancel = release;
    Candidate* raw = c.get();
    lc.on_started_leading = [raw] { ++raw->started; };
    lc.on_stopped_leading = [raw] { ++raw->stopped; };
    c->le = std::make_unique<LeaderElector>(*client_, std::move(lc));
    return c;
  }

  json::object lease(const std::string& name) {
    auto r = client_->get(leases(), "default", name);
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : json::object{};
  }

  static inline pid_t pid_ = 0;
  static inline std::string dir_, skip_, error_;
  static inline Config cfg_;
  std::unique_ptr<Client> client_;
};

TEST_F(LeaderElection, DefaultIdentityIsHostnameUnderscoreUuid) {
  std::string id = default_identity();
  auto us = id.rfind('_');
  ASSERT_NE(us, std::string::npos);
  EXPECT_EQ(id.size() - us - 1, 36u) << id;
  EXPECT_NE(default_identity(), id);
}

TEST_F(LeaderElection, OnlyOneLeadsAndAReleasedLeasePassesAtOnce) {
  auto a = candidate("le-handover", "candidate-a");
  auto b = candidate("le-handover", "candidate-b");
  a->le->start();
  b->le->start();
  ASSERT_TRUE(eventually([&] { return a->le->is_leader() || b->le->is_leader(); }, 10s));
  // For a few renew periods exactly one leads, and the Lease names it.
  auto until = Steady::now() + 1500ms;
  while (Steady::now() < until) {
    ASSERT_NE(a->le->is_leader(), b->le->is_leader());
    std::this_thread::sleep_for(50ms);
  }
  Candidate* leader = a->le->is_leader() ? a.get() : b.get();
  Candidate* other = leader == a.get() ? b.get() : a.get();
  auto l = lease("le-handover");
  EXPECT_EQ(get_string(l, {"spec", "holderIdentity"}), leader->le->identity());
  EXPECT_EQ(get_int(l, {"spec", "leaseDurationSeconds"}), 3);
  EXPECT_FALSE(get_string(l, {"spec", "renewTime"}).empty());
  EXPECT_FALSE(get_string(l, {"spec", "acquireTime"}).empty());
  EXPECT_EQ(other->le->holder(), leader->le->identity());
  EXPECT_EQ(leader->started.load(), 1);
  EXPECT_EQ(other->started.load(), 0);
  int64_t transitions = get_int(l, {"spec", "leaseTransitions"});

  auto t0 = Steady::now();
  leader->le->stop();  // releases
  EXPECT_EQ(leader->stopped.load(), 1);
  EXPECT_FALSE(leader->le->is_leader());
  // Well within the lease duration: the release lets the other take over at its next retry.
  ASSERT_TRUE(eventually([&] { return other->le->is_leader(); }, 3s));
  EXPECT_LT(Steady::now() - t0, 3s);
  l = lease("le-handover");
  EXPECT_EQ(get_string(l, {"spec", "holderIdentity"}), other->le->identity());
  EXPECT_EQ(get_int(l, {"spec", "leaseTransitions"}), transitions + 1);
  other->le->stop();
  EXPECT_EQ(other->stopped.load(), 1);
  EXPECT_EQ(get_string(lease("le-handover"), {"spec", "holderIdentity"}), "");
}

TEST_F(LeaderElection, AnAbandonedLeaseIsTakenOverOnceItExpires) {
  auto a = candidate("le-expiry", "crashed", /*release=*/false);
  a->le->start();
  ASSERT_TRUE(eventually([&] { return a->le->is_leader(); }, 10s));
  a->le->stop();  // no release: as if the process had died
  auto b = candidate("le-expiry", "successor");
  auto t0 = Steady::now();
  b->le->start();
  // Not before the 3 s lease runs out on b's clock...
  std::this_thread::sleep_for(1500ms);
  EXPECT_FALSE(b->le->is_leader());
  EXPECT_EQ(b->le->holder(), "crashed");
  // ...but soon after.
  ASSERT_TRUE(eventually([&] { return b->le->is_leader(); }, 6s));
  EXPECT_GE(Steady::now() - t0, 2900ms);
  EXPECT_EQ(get_string(lease("le-expiry"), {"spec", "holderIdentity"}), "successor");
  b->le->stop();
}

}  // namespace
}  // namespace skiff::client
