// FlagSet (common/flags.h): value forms, booleans, lists, errors and the generated --help.
#include "common/flags.h"

#include <gtest/gtest.h>

namespace skiff {
namespace {
using namespace std::chrono_literals;

struct Opts {
  std::string name = "def";
  int port = 6443;
  int64_t big = 0;
  bool verbose = false;
  std::chrono::milliseconds grace = 40s;
  std::string cpu = "4";
  std::string backend = "none";
  std::vector<std::string> upstreams;
  std::string proxy = "auto";
};

FlagSet make(Opts& o) {
  FlagSet fs("skiff test", "[flags]", "A test command.");
  fs.string("--name", &o.name, "a name", "NAME")
      .integer("--port", &o.port, "a port", 0, 65535)
      .integer("--big", &o.big, "a big number")
      .boolean("--verbose", &o.verbose, "debug logging")
      .alias("-v", "--verbose")
      .section("more")
      .duration("--grace", &o.grace, "grace period", 1ms)
      .quantity("--cpu", &o.cpu, "cpu")
      .choice("--backend", &o.backend, {"none", "host-gw", "vxlan"}, "backend")
      .list("--upstream", &o.upstreams, "an upstream")
      .custom_bool("--no-proxy", "no proxy", [&o](bool on) { o.proxy = on ? "off" : "auto"; });
  return fs;
}

TEST(Flags, ValueForms) {
  Opts o;
  auto fs = make(o);
  ASSERT_EQ(fs.parse({"--name=a", "--port", "80", "--big=-5", "--grace", "2m", "--cpu=500m",
                      "--backend", "vxlan", "--upstream", "1.1.1.1", "--upstream=8.8.8.8", "-v",
                      "--no-proxy"}),
            FlagSet::Outcome::kOk)
      << fs.error();
  EXPECT_EQ(o.name, "a");
  EXPECT_EQ(o.port, 80);
  EXPECT_EQ(o.big, -5);
  EXPECT_EQ(o.grace, 2min);
  EXPECT_EQ(o.cpu, "500m");
  EXPECT_EQ(o.backend, "vxlan");
  EXPECT_EQ(o.upstreams, (std::vector<std::string>{"1.1.1.1", "8.8.8.8"}));
  EXPECT_TRUE(o.verbose);
  EXPECT_EQ(o.proxy, "off");
  EXPECT_TRUE(fs.seen("--port"));
  EXPECT_FALSE(fs.seen("--help"));
}

TEST(Flags, DefaultsStayWhenAbsent) {
  Opts o;
  auto fs = make(o);
  ASSERT_EQ(fs.parse({}), FlagSet::Outcome::kOk);
  EXPECT_EQ(o.port, 6443);
  EXPECT_EQ(o.grace, 40s);
  EXPECT_FALSE(fs.seen("--port"));
}

TEST(Flags, BooleansTakeNoSeparateValue) {
  Opts o;
  o.verbose = true;
  auto fs = make(o);
  ASSERT_EQ(fs.parse({"--verbose=false"}), FlagSet::Outcome::kOk);
  EXPECT_FALSE(o.verbose);
  // A boolean never swallows the next argument: "false" here is a positional, refused.
  EXPECT_EQ(fs.parse({"--verbose", "false"}), FlagSet::Outcome::kError);
  EXPECT_EQ(fs.error(), "unexpected argument \"false\"");
  EXPECT_EQ(fs.parse({"--verbose=maybe"}), FlagSet::Outcome::kError);
  EXPECT_EQ(fs.error(), "--verbose: \"maybe\" is not true or false");
}

TEST(Flags, RepeatedFlagKeepsTheLastValue) {
  Opts o;
  auto fs = make(o);
  ASSERT_EQ(fs.parse({"--port=1", "--port=2"}), FlagSet::Outcome::kOk);
  EXPECT_EQ(o.port, 2);
}

TEST(Flags, Errors) {
  Opts o;
  auto fs = make(o);
  EXPECT_EQ(fs.parse({"--no-such-flag"}), FlagSet::Outcome::kError);
  EXPECT_EQ(fs.error(), "unknown flag --no-such-flag");
  EXPECT_EQ(fs.parse({"--no-such-flag=1"}), FlagSet::Outcome::kError);
  EXPECT_EQ(fs.error(), "unknown flag --no-such-flag");
  EXPECT_EQ(fs.parse({"--port", "abc"}), FlagSet::Outcome::kError);
  EXPECT_EQ(fs.error(), "--port: \"abc\" is not an integer");
  EXPECT_EQ(fs.parse({"--port=70000"}), FlagSet::Outcome::kError);
  EXPECT_EQ(fs.error(), "--port: \"70000\" is out of range (0..65535)");
  EXPECT_EQ(fs.parse({"--port"}), FlagSet::Outcome::kError);
  EXPECT_EQ(fs.error(), "--port needs a value");
  EXPECT_EQ(fs.parse({"--grace=soon"}), FlagSet::Outcome::kError);
  EXPECT_EQ(fs.error(), "--grace: \"soon\" is not a duration (such as 500ms, 40s or 5m)");
  EXPECT_EQ(fs.parse({"--grace=0s"}), FlagSet::Outcome::kError);
  EXPECT_EQ(fs.parse({"--cpu=lots"}), FlagSet::Outcome::kError);
  EXPECT_EQ(fs.parse({"--cpu=0"}), FlagSet::Outcome::kError);
  EXPECT_EQ(fs.parse({"--backend=udp"}), FlagSet::Outcome::kError);
  EXPECT_EQ(fs.error(), "--backend: \"udp\" is not one of none, host-gw, vxlan");
  EXPECT_EQ(fs.parse({"extra"}), FlagSet::Outcome::kError);
}

TEST(Flags, Help) {
  Opts o;
  auto fs = make(o);
  EXPECT_EQ(fs.parse({"--port=1", "--help"}), FlagSet::Outcome::kHelp);
  EXPECT_EQ(fs.parse({"-h"}), FlagSet::Outcome::kHelp);
  Opts fresh;
  std::string u = make(fresh).usage();
  EXPECT_NE(u.find("usage: skiff test [flags]\n"), std::string::npos) << u;
  EXPECT_NE(u.find("A test command."), std::string::npos);
  EXPECT_NE(u.find("--name NAME"), std::string::npos);
  EXPECT_NE(u.find("(default \"def\")"), std::string::npos);
  EXPECT_NE(u.find("(default 6443)"), std::string::npos);
  EXPECT_NE(u.find("(default 40s)"), std::string::npos);
  EXPECT_NE(u.find("-v, --verbose"), std::string::npos);
  EXPECT_NE(u.find("--backend none|host-gw|vxlan"), std::string::npos);
  EXPECT_NE(u.find("\nmore:\n"), std::string::npos);
  EXPECT_NE(u.find("-h, --help"), std::string::npos);
}

TEST(Flags, Positionals) {
  std::string dir = "/d";
  FlagSet fs("skiff images", "[flags] COMMAND [ARGS]");
  fs.string("--data-dir", &dir, "dir").allow_args("commands: ls");
  ASSERT_EQ(fs.parse({"--data-dir", "/x", "import", "a.tar", "--", "--odd"}),
            FlagSet::Outcome::kOk);
  EXPECT_EQ(dir, "/x");
  EXPECT_EQ(fs.args(), (std::vector<std::string>{"import", "a.tar", "--odd"}));
  EXPECT_EQ(fs.parse({"ls", "--bad"}), FlagSet::Outcome::kError);
  EXPECT_EQ(fs.error(), "unknown flag --bad");
}

TEST(Flags, CustomSetterErrorsNameTheFlag) {
  std::string ip;
  FlagSet fs("skiff x", "");
  fs.custom("--cluster-dns", "IP", "dns", "", [&ip](const std::string& v) -> std::string {
    if (v != "host" && v.find('.') == std::string::npos) return "\"" + v + "\" is not an IPv4 address";
    ip = v;
    return "";
  });
  EXPECT_EQ(fs.parse({"--cluster-dns=foo"}), FlagSet::Outcome::kError);
  EXPECT_EQ(fs.error(), "--cluster-dns: \"foo\" is not an IPv4 address");
  EXPECT_EQ(fs.parse({"--cluster-dns=10.0.0.10"}), FlagSet::Outcome::kOk);
  EXPECT_EQ(ip, "10.0.0.10");
}

}  // namespace
}  // namespace skiff
