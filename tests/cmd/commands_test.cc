// Every `skiff COMMAND` as the built binary: --help prints the usage and exits 0, an unknown
// flag and a bad value exit 2 naming the flag, before anything starts.
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "support/test_server.h"

namespace skiff {
namespace {

struct Run {
  int code = -1;
  std::string out;  // stdout and stderr
};

Run run(const std::string& args) {
  Run r;
  std::string cmd = "'" + testsupport::skiff_binary() + "' " + args + " 2>&1 </dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int st = pclose(p);
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

const std::vector<std::string> kCommands = {
    "server", "agent", "scheduler", "controller-manager", "proxy",        "dns",
    "node-reset", "sim", "images",  "debug-kubelet",      "version"};

class Commands : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (testsupport::skiff_binary().empty()) GTEST_SKIP() << "no skiff binary";
  }
};

TEST_P(Commands, HelpExitsZero) {
  auto r = run(GetParam() + " --help");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("usage: skiff " + GetParam()), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--help"), std::string::npos) << r.out;
}

TEST_P(Commands, UnknownFlagIsNamed) {
  auto r = run(GetParam() + " --no-such-flag");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("skiff " + GetParam() + ": unknown flag --no-such-flag (see skiff " +
                       GetParam() + " --help)"),
            std::string::npos)
      << r.out;
  auto with_value = run(GetParam() + " --no-such-flag=1");
  EXPECT_EQ(with_value.code, 2) << with_value.out;
  EXPECT_NE(with_value.out.find("unknown flag --no-such-flag"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(All, Commands, ::testing::ValuesIn(kCommands),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (auto& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });

TEST(CommandValues, BadValuesNameFlagAndValue) {
  if (testsupport::skiff_binary().empty()) GTEST_SKIP() << "no skiff binary";
  struct Case {
    std::string args, want;
  };
  for (const auto& c : std::vector<Case>{
           {"agent --kubelet-port abc", "skiff agent: --kubelet-port: \"abc\" is not an integer"},
           {"server --port=70000", "skiff server: --port: \"70000\" is out of range"},
           {"server --compaction-interval soon", "--compaction-interval: \"soon\" is not a duration"},
           {"server --flannel-backend udp", "--flannel-backend: \"udp\" is not one of none, host-gw, vxlan"},
           {"server --leader-elect=maybe", "--leader-elect: \"maybe\" is not true or false"},
           {"server --port", "skiff server: --port needs a value"},
           {"server extra", "skiff server: unexpected argument \"extra\""},
           {"controller-manager --node-cidr-mask-size 40", "--node-cidr-mask-size: \"40\" is out of range"},
           {"dns --ttl -1", "--ttl: \"-1\" is out of range"},
           {"sim --kubeconfig k --nodes 0", "--nodes: \"0\" is not a positive number of nodes"},
           {"scheduler", "skiff scheduler: --kubeconfig is required"},
           {"images", "skiff images: a command is required"},
       }) {
    auto r = run(c.args);
    EXPECT_EQ(r.code, 2) << c.args << ": " << r.out;
    EXPECT_NE(r.out.find(c.want), std::string::npos) << c.args << ": " << r.out;
  }
}

TEST(CommandValues, UnknownCommand) {
  if (testsupport::skiff_binary().empty()) GTEST_SKIP() << "no skiff binary";
  auto r = run("no-such-command");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("unknown command no-such-command"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace skiff
