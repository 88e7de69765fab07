// LeaderElector against a real `skiff server` (support/test_server.h, without its own scheduler
// and controllers): two candidates for one Lease, only one leads; a released lease passes at
// once, an abandoned one once it expires.
#include "client/leader_election.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "api/resources.h"
#include "client/client.h"
#include "support/server_test.h"

namespace skiff::client {
namespace {
using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;
using testsupport::eventually;
using testsupport::TestServer;

const api::ResourceInfo& leases() {
  return *api::find_resource("coordination.k8s.io", "v1", "leases");
}

class LeaderElection : public testsupport::SharedServerTest<LeaderElection> {
 public:
  static TestServer::Options server_options() {
    return {.name = "skiff-le-it", .args = {"--disable-scheduler", "--disable-controllers"}};
  }

 protected:
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

  leader->le->stop();  // releases
  EXPECT_EQ(leader->stopped.load(), 1);
  EXPECT_FALSE(leader->le->is_leader());
  // Well within the lease duration: the release lets the other take over at its next retry.
  ASSERT_TRUE(eventually([&] { return other->le->is_leader(); }, 3s));
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
