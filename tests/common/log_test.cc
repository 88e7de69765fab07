// Tests of the component logs of common/log.h: which component a source file belongs to, and
// lines logged before set_component_log_dir() reaching the component's file first, in the CRI
// format the kubelet's log reader parses.
#include "common/log.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/temp_dir.h"

namespace skiff {
namespace {

TEST(LogComponent, FromSourceFolder) {
  EXPECT_EQ(log_component_of("/work/x/src/scheduler/scheduler.cc"), "kube-scheduler");
  EXPECT_EQ(log_component_of("../src/controllers/podgc_controller.cc"), "kube-controller-manager");
  EXPECT_EQ(log_component_of("src/apiserver/server.cc"), "kube-apiserver");
  EXPECT_EQ(log_component_of("/a/src/storage/sqlite_store.cc"), "kube-apiserver");
  EXPECT_EQ(log_component_of("/a/src/proxy/proxy.cc"), "kube-proxy");
  EXPECT_EQ(log_component_of("/a/src/agent/flannel.cc"), "kube-flannel");
  EXPECT_EQ(log_component_of("/a/src/agent/agent.cc"), "");
  EXPECT_EQ(log_component_of("/a/src/client/informer.cc"), "");
  // Only the last /src/ counts: a checkout under some other src/ folder.
  EXPECT_EQ(log_component_of("/home/me/src/skiff/src/client/informer.cc"), "");
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ComponentLog, EarlyLinesAreKeptAndWrittenFirst) {
  skiff::testing::TempDir dir;
  // A line as if logged from the scheduler before the agent set the directory.
  LogLine(LogLevel::INFO, "/x/src/scheduler/scheduler.cc", 1) << "early line\nsecond part";
  EXPECT_EQ(component_log_path("kube-scheduler"), "");
  set_component_log_dir(dir.path() + "/logs");
  LogLine(LogLevel::WARN, "/x/src/scheduler/scheduler.cc", 2) << "late line";
  LogLine(LogLevel::INFO, "/x/src/client/informer.cc", 3) << "shared line";
  const std::string path = component_log_path("kube-scheduler");
  EXPECT_EQ(path, dir.path() + "/logs/kube-scheduler.log");
  std::string text = slurp(path);
  auto early = text.find(" stderr F I "), late = text.find("scheduler.cc:2] late line");
  ASSERT_NE(early, std::string::npos) << text;
  EXPECT_NE(text.find("scheduler.cc:1] early line\n"), std::string::npos) << text;
  EXPECT_NE(text.find(" stderr F second part\n"), std::string::npos) << text;
  ASSERT_NE(late, std::string::npos) << text;
  EXPECT_LT(early, late);
  EXPECT_EQ(text.find("shared line"), std::string::npos);
  // Quiet components have an empty file (their mirror pod's log is empty, not missing).
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/logs/kube-proxy.log"));
}

}  // namespace
}  // namespace skiff
