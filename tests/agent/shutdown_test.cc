// The agent's ownership of its data dir (one agent or node-reset at a time) and its shutdown
// rule (no container created or started once stop has begun).
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "agent/data_dir_lock.h"
#include "agent/start_gate.h"
#include "common/uuid.h"
#include "runtime/process.h"
#include "support/test_server.h"

namespace skiff::agent {
namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

class DataDirLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() / ("skiff-lock-" + random_suffix(8))).string();
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string dir_;
};

TEST_F(DataDirLockTest, ASecondHolderIsRefusedAndToldTheHoldersPid) {
  DataDirLock::Holder holder;
  std::string err;
  auto agent = DataDirLock::try_acquire(dir_, "agent", &holder, &err);
  ASSERT_TRUE(agent) << err;
  std::string content;
  std::getline(std::ifstream(DataDirLock::path(dir_)), content);
  EXPECT_EQ(content, std::to_string(::getpid()) + " agent");

  // flock locks belong to the open file, so a second open in this process conflicts as a
  // second process would.
  auto reset = DataDirLock::try_acquire(dir_, "node-reset", &holder, &err);
  EXPECT_FALSE(reset);
  EXPECT_EQ(err, "");
  EXPECT_EQ(holder.pid, ::getpid());
  EXPECT_EQ(holder.role, "agent");

  agent.reset();
  reset = DataDirLock::try_acquire(dir_, "node-reset", &holder, &err);
  ASSERT_TRUE(reset) << err;
  holder = {};
  EXPECT_FALSE(DataDirLock::try_acquire(dir_, "agent", &holder, &err));
  EXPECT_EQ(holder.role, "node-reset");
}

TEST_F(DataDirLockTest, AnotherProcessSeesTheLockAndChildrenDoNotInheritIt) {
  DataDirLock::Holder holder;
  std::string err;
  auto lock = DataDirLock::try_acquire(dir_, "agent", &holder, &err);
  ASSERT_TRUE(lock) << err;
  const std::string path = DataDirLock::path(dir_);
  // util-linux flock(1) from another process: refused while we hold it.
  if (::access("/usr/bin/flock", X_OK) == 0) {
    auto r = runtime::run_command({"/usr/bin/flock", "-n", path, "/bin/true"});
    EXPECT_EQ(r.exit_code, 1) << r.err;
  }
  // A child (a container monitor, crun) must not hold the lock file open: the lock would
  // outlive the agent.
  auto ls = runtime::run_command({"/bin/ls", "-l", "/proc/self/fd/"});
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_EQ(ls.out.find("agent.lock"), std::string::npos) << ls.out;
  lock.reset();
  if (::access("/usr/bin/flock", X_OK) == 0) {
    auto r = runtime::run_command({"/usr/bin/flock", "-n", path, "/bin/true"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }
}

TEST_F(DataDirLockTest, AMissingDirIsAnErrorNotAHolder) {
  DataDirLock::Holder holder;
  std::string err;
  EXPECT_FALSE(DataDirLock::try_acquire(dir_ + "/missing", "agent", &holder, &err));
  EXPECT_NE(err.find("cannot open"), std::string::npos) << err;
  EXPECT_EQ(holder.pid, 0);
}

TEST(StartGate, ClosingRefusesNewPermitsAndWaitsForThoseInFlight) {
  StartGate gate;
  auto permit = gate.enter();
  ASSERT_TRUE(permit);
  std::atomic<bool> closed{false};
  std::thread closer([&] {
    gate.close();
    closed = true;
  });
  ASSERT_TRUE(testsupport::eventually([&] { return gate.closed(); }));
  EXPECT_FALSE(gate.enter()) << "a permit after close began";
  // close() must still be waiting for the permit in flight. (A wrong gate would return at
  // once; give it a moment to show that.)
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(closed);
  permit = {};
  EXPECT_TRUE(testsupport::eventually([&] { return closed.load(); }));
  closer.join();
  EXPECT_FALSE(gate.enter());
}

}  // namespace
}  // namespace skiff::agent
