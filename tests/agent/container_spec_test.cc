// build_container_spec / qos_class / container_argv: the pod-to-OCI translation without a runtime.
#include "agent/container_spec.h"

#include <gtest/gtest.h>

namespace skiff::agent {
namespace {

json::object parse(const char* text) {
  json::value v;
  std::string err;
  EXPECT_TRUE(parse_json(text, v, err)) << err;
  return v.as_object();
}

images::Image busybox() {
  images::Image img;
  img.name = "docker.io/library/busybox:1";
  img.config.entrypoint = {"/bin/entry"};
  img.config.cmd = {"default", "cmd"};
  img.config.working_dir = "/srv";
  img.layer_dirs = {"/layers/bottom", "/layers/top"};
  return img;
}

TEST(ContainerSpec, CommandReplacesEntrypointAndArgsReplaceCmd) {
  auto img = busybox();
  EXPECT_EQ(container_argv(parse(R"({"name":"c"})"), img, {}),
            (std::vector<std::string>{"/bin/entry", "default", "cmd"}));
  EXPECT_EQ(container_argv(parse(R"({"args":["x"]})"), img, {}),
            (std::vector<std::string>{"/bin/entry", "x"}));
  EXPECT_EQ(container_argv(parse(R"({"command":["sh"]})"), img, {}),
            (std::vector<std::string>{"sh"}));
  EXPECT_EQ(container_argv(parse(R"J({"command":["echo","$(A)","$$(A)","$(B)"]})J"), img, {"A=1"}),
            (std::vector<std::string>{"echo", "1", "$(A)", "$(B)"}));
}

TEST(ContainerSpec, TranslatesSecurityResourcesAndNamespaces) {
  auto pod = parse(R"({"metadata":{"name":"web-1"},
    "spec":{"securityContext":{"runAsUser":1000,"supplementalGroups":[5]},
            "containers":[{"name":"c","image":"busybox",
              "resources":{"limits":{"cpu":"250m","memory":"64Mi"}},
              "securityContext":{"runAsGroup":2000,"readOnlyRootFilesystem":true,
                "allowPrivilegeEscalation":false,"capabilities":{"add":["NET_ADMIN"],"drop":["ALL"]}}}]}})");
  auto img = busybox();
  SpecInputs in;
  in.pod = &pod;
  in.container = &pod.at("spec").at("containers").as_array()[0].as_object();
  in.image = &img;
  in.env = {"PATH=/bin"};
  in.netns = "/run/netns/x";
  in.ipcns = "/run/ipc/x";
  in.upper_dir = "/u";
  in.work_dir = "/w";
  runtime::ContainerSpec s;
  std::string err;
  ASSERT_TRUE(build_container_spec(in, &s, &err)) << err;
  EXPECT_EQ(s.uid, 1000u);
  EXPECT_EQ(s.gid, 2000u);
  EXPECT_EQ(s.additional_gids, std::vector<uint32_t>{5});
  EXPECT_TRUE(s.read_only_rootfs);
  EXPECT_TRUE(s.no_new_privileges);
  EXPECT_EQ(s.cap_add, std::vector<std::string>{"NET_ADMIN"});
  EXPECT_EQ(s.cap_drop, std::vector<std::string>{"ALL"});
  EXPECT_EQ(s.resources.memory_limit, 64 * 1024 * 1024);
  EXPECT_EQ(s.resources.cpu_quota, 25000);
  EXPECT_EQ(s.resources.cpu_period, 100000u);
  EXPECT_EQ(s.resources.cpu_shares, 256u);
  EXPECT_EQ(s.hostname, "web-1");
  EXPECT_EQ(s.namespaces.at("network"), "/run/netns/x");
  EXPECT_EQ(s.namespaces.at("ipc"), "/run/ipc/x");
  EXPECT_EQ(s.cwd, "/srv");
  // Overlay lowerdirs are topmost first.
  EXPECT_EQ(s.lower_dirs, (std::vector<std::string>{"/layers/top", "/layers/bottom"}));
  EXPECT_EQ(s.oom_score_adj, -997);  // Guaranteed
}

TEST(ContainerSpec, RunAsNonRootRefusesARootImage) {
  auto pod = parse(R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c",
    "securityContext":{"runAsNonRoot":true}}]}})");
  auto img = busybox();
  SpecInputs in;
  in.pod = &pod;
  in.container = &pod.at("spec").at("containers").as_array()[0].as_object();
  in.image = &img;
  runtime::ContainerSpec s;
  std::string err;
  EXPECT_FALSE(build_container_spec(in, &s, &err));
  EXPECT_NE(err.find("runAsNonRoot"), std::string::npos);
}

}  // namespace
}  // namespace skiff::agent
