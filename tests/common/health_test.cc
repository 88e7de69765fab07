// Tests of common/health.h with an injected clock: a loop that stops beating turns unhealthy
// after its max age, a failed state stays until the next report, forgetting every source reads
// "not running", and the start time survives.
#include "common/health.h"

#include <gtest/gtest.h>

namespace skiff::health {
namespace {
using namespace std::chrono_literals;

class HealthTest : public ::testing::Test {
 protected:
  void SetUp() override { reset_for_test(); }
  void TearDown() override { reset_for_test(); }
  Steady::time_point t0 = Steady::now();
};

TEST_F(HealthTest, UnknownComponentIsNotRunning) {
  auto r = check("kube-scheduler", t0);
  EXPECT_FALSE(r.running);
  EXPECT_FALSE(r.healthy);
  EXPECT_EQ(r.message, "kube-scheduler is not running");
}

TEST_F(HealthTest, LoopAgesOut) {
  beat("kube-scheduler", "loop", 5s, t0);
  EXPECT_TRUE(check("kube-scheduler", t0 + 4s).healthy);
  EXPECT_TRUE(check("kube-scheduler", t0 + 5s).healthy);
  auto r = check("kube-scheduler", t0 + 6s);
  EXPECT_TRUE(r.running);
  EXPECT_FALSE(r.healthy);
  EXPECT_EQ(r.message, "loop: no heartbeat for 6.0s (limit 5s)");
  beat("kube-scheduler", "loop", 5s, t0 + 7s);  // the loop came back
  EXPECT_TRUE(check("kube-scheduler", t0 + 8s).healthy);
}

TEST_F(HealthTest, EverySourceMustBeFresh) {
  beat("kube-controller-manager", "podgc", 30s, t0);
  beat("kube-controller-manager", "node-lifecycle", 15s, t0);
  EXPECT_TRUE(check("kube-controller-manager", t0 + 14s).healthy);
  auto r = check("kube-controller-manager", t0 + 16s);
  EXPECT_FALSE(r.healthy);
  EXPECT_NE(r.message.find("node-lifecycle"), std::string::npos);
  EXPECT_EQ(r.message.find("podgc"), std::string::npos);
}

TEST_F(HealthTest, StateWithoutMaxAgeHoldsUntilNextReport) {
  beat("kube-flannel", "routes", 0ms, t0);
  EXPECT_TRUE(check("kube-flannel", t0 + 24h).healthy);
  fail("kube-flannel", "routes", "route 10.1.0.0/24: no such device", t0 + 1s);
  auto r = check("kube-flannel", t0 + 2s);
  EXPECT_FALSE(r.healthy);
  EXPECT_EQ(r.message, "routes: route 10.1.0.0/24: no such device");
  beat("kube-flannel", "routes", 0ms, t0 + 3s);
  EXPECT_TRUE(check("kube-flannel", t0 + 4s).healthy);
}

TEST_F(HealthTest, ForgetKeepsStartTime) {
  beat("kube-scheduler", "loop", 5s, t0);
  auto started = check("kube-scheduler", t0).started;
  EXPECT_GT(started.time_since_epoch().count(), 0);
  forget("kube-scheduler", "loop");
  auto r = check("kube-scheduler", t0 + 1s);
  EXPECT_FALSE(r.running);
  EXPECT_FALSE(r.healthy);
  EXPECT_EQ(r.started, started);
  beat("kube-scheduler", "loop", 5s, t0 + 2s);
  EXPECT_EQ(check("kube-scheduler", t0 + 2s).started, started);
}

}  // namespace
}  // namespace skiff::health
