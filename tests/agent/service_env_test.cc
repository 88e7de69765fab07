// Service environment variables as upstream's kubelet writes them.
#include "agent/service_env.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace skiff::agent {
namespace {

json::object svc(const char* text) {
  json::value v;
  std::string err;
  EXPECT_TRUE(parse_json(text, v, err)) << err;
  return v.as_object();
}

bool has(const std::vector<std::string>& env, const std::string& line) {
  return std::find(env.begin(), env.end(), line) != env.end();
}

TEST(ServiceEnv, DockerLinkVariables) {
  auto env = service_env({svc(R"({"metadata":{"name":"redis-master"},"spec":{"clusterIP":"10.0.0.11",
      "ports":[{"name":"db","port":6379,"protocol":"TCP"},{"port":53,"protocol":"UDP"}]}})")});
  EXPECT_TRUE(has(env, "REDIS_MASTER_SERVICE_HOST=10.0.0.11"));
  EXPECT_TRUE(has(env, "REDIS_MASTER_SERVICE_PORT=6379"));
  EXPECT_TRUE(has(env, "REDIS_MASTER_SERVICE_PORT_DB=6379"));
  EXPECT_TRUE(has(env, "REDIS_MASTER_PORT=tcp://10.0.0.11:6379"));
  EXPECT_TRUE(has(env, "REDIS_MASTER_PORT_6379_TCP=tcp://10.0.0.11:6379"));
  EXPECT_TRUE(has(env, "REDIS_MASTER_PORT_6379_TCP_PROTO=tcp"));
  EXPECT_TRUE(has(env, "REDIS_MASTER_PORT_6379_TCP_PORT=6379"));
  EXPECT_TRUE(has(env, "REDIS_MASTER_PORT_6379_TCP_ADDR=10.0.0.11"));
  EXPECT_TRUE(has(env, "REDIS_MASTER_PORT_53_UDP=udp://10.0.0.11:53"));
}

TEST(ServiceEnv, HeadlessServicesGiveNothing) {
  EXPECT_TRUE(service_env({svc(R"({"metadata":{"name":"h"},"spec":{"clusterIP":"None",
      "ports":[{"port":80}]}})")}).empty());
}

TEST(ServiceEnv, KubernetesAlwaysOthersOnlyWithServiceLinks) {
  auto kube = svc(R"({"metadata":{"name":"kubernetes","namespace":"default"}})");
  auto other = svc(R"({"metadata":{"name":"db","namespace":"prod"}})");
  auto pod = svc(R"({"metadata":{"namespace":"prod"},"spec":{}})");
  EXPECT_EQ(services_for_pod(pod, {other}, {kube}).size(), 2u);
  auto no_links = svc(R"({"metadata":{"namespace":"prod"},"spec":{"enableServiceLinks":false}})");
  auto only = services_for_pod(no_links, {other}, {kube});
  ASSERT_EQ(only.size(), 1u);
  EXPECT_EQ(get_string(only[0], {"metadata", "name"}), "kubernetes");
  // In the default namespace the kubernetes service is not listed twice.
  auto in_default = svc(R"({"metadata":{"namespace":"default"},"spec":{}})");
  EXPECT_EQ(services_for_pod(in_default, {kube}, {kube}).size(), 1u);
}

}  // namespace
}  // namespace skiff::agent
