// The container monitor's entry point, and this test program's main(): the runtime starts a
// monitor by exec'ing /proc/self/exe as `skiff-monitor <container>`, so in runtime_tests, as in
// skiff, main() must hand such a start to the monitor instead of running the tests again.
#include "runtime/monitor.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "common/uuid.h"
#include "runtime/process.h"

namespace skiff::runtime {
namespace {
namespace fs = std::filesystem;

TEST(Monitor, IsChosenByItsProgramName) {
  EXPECT_TRUE(is_monitor_command("skiff-monitor"));
  EXPECT_TRUE(is_monitor_command("/proc/self/exe/../skiff-monitor"));
  EXPECT_FALSE(is_monitor_command("skiff"));
  EXPECT_FALSE(is_monitor_command("skiff-monitorx"));
  EXPECT_FALSE(is_monitor_command(nullptr));
}

TEST(Monitor, RefusesToRunWhenNotStartedByTheRuntime) {
  // This program under the monitor's name, as a user might start it: no arguments pipe, no
  // report pipe. It must say so and exit, not wait for a container.
  auto dir = fs::temp_directory_path() / ("skiff-mon-" + random_suffix(8));
  fs::create_directories(dir);
  fs::create_symlink(fs::read_symlink("/proc/self/exe"), dir / "skiff-monitor");
  CommandOptions o;
  o.timeout = std::chrono::seconds(10);
  auto r = run_command({(dir / "skiff-monitor").string(), "c1"}, o);
  fs::remove_all(dir);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("not for use by hand"), std::string::npos) << r.err;
}

TEST(Monitor, SpawnFailsCleanlyWhenTheProgramCannotRunIt) {
  MonitorArgs a;
  a.container_id = "c1";
  a.exe = "/nonexistent/skiff";
  a.create_argv = {"/bin/true"};
  a.pid_file = a.exit_file = a.log_path = "/nonexistent/x";
  int pid = 0;
  Status s = spawn_monitor(a, &pid);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("cannot exec the monitor"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace skiff::runtime

int main(int argc, char** argv) {
  if (skiff::runtime::is_monitor_command(argv[0])) return skiff::runtime::monitor_main(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
