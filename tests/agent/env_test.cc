#include "agent/env.h"

#include <gtest/gtest.h>

#include <map>

#include "common/base64.h"

namespace skiff::agent {
namespace {

json::object obj(std::string_view text) { return json::parse(text).as_object(); }

// An in-memory API: "configmaps/greet" -> object; anything else is a 404.
struct FakeApi {
  std::map<std::string, json::object> objects;
  int calls = 0;
  ObjectGetter getter() {
    return [this](const std::string& resource, const std::string& ns,
                  const std::string& name) -> Result<json::object> {
      ++calls;
      EXPECT_EQ(ns, "default");
      auto it = objects.find(resource + "/" + name);
      if (it == objects.end()) return ApiError::not_found(resource, name);
      return it->second;
    };
  }
};

const char* kPod = R"J({
  "metadata": {"name": "web", "namespace": "default", "uid": "u-1",
               "labels": {"app": "web", "tier": "a \"b\""}, "annotations": {"note": "x\ny"}},
  "spec": {"nodeName": "n1", "serviceAccountName": "sa",
           "containers": [{"name": "main", "resources": {"limits": {"cpu": "250m"}}},
                          {"name": "side", "resources": {"requests": {"memory": "100Mi"}}}]},
  "status": {"podIPs": [{"ip": "10.0.0.5"}, {"ip": "fd00::5"}]}
})J";

class EnvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pod = obj(kPod);
    facts.node_name = "n1";
    facts.host_ip = "192.168.1.2";
    facts.pod_ip = "10.0.0.5";
    facts.node_allocatable = obj(R"J({"cpu": "4", "memory": "8Gi", "ephemeral-storage": "10Gi"})J");
    api.objects["configmaps/greet"] =
        obj(R"J({"data": {"env": "prod", "GREETING": "hi", "1bad": "x"}})J");
    api.objects["secrets/s"] =
        obj(json::serialize(json::object{{"data", {{"k", base64_encode("s3cret")}}}}));
  }
  bool run(const std::string& container, std::vector<std::string>* out,
           std::vector<std::string> base = {}) {
    auto g = api.getter();
    return container_env(pod, obj(container), facts, base, g, out, &err);
  }
  json::object pod;
  PodFacts facts;
  FakeApi api;
  EnvError err;
};

TEST_F(EnvTest, OrderOverrideAndExpansion) {
  std::vector<std::string> env;
  ASSERT_TRUE(run(R"J({"name": "main",
      "envFrom": [{"configMapRef": {"name": "greet"}, "prefix": "CM_"},
                  {"secretRef": {"name": "s"}}],
      "env": [{"name": "PATH", "value": "/opt:$(PATH)"},
              {"name": "A", "value": "x"},
              {"name": "B", "value": "$(A)-$(CM_env)-$$(A)-$(NOPE)-$(A"},
              {"name": "A", "value": "y$(A)"},
              {"name": "E"}]})J",
                  &env, {"PATH=/bin", "SVC_HOST=1.2.3.4"}));
  std::vector<std::string> want = {
      "PATH=/opt:/bin", "SVC_HOST=1.2.3.4", "CM_1bad=x",  "CM_GREETING=hi", "CM_env=prod",
      "k=s3cret",       "A=yx",             "B=x-prod-$(A)-$(NOPE)-$(A",    "E="};
  EXPECT_EQ(env, want);
  EXPECT_EQ(api.calls, 2);
}

TEST_F(EnvTest, EnvFromSkipsInvalidNames) {
  std::vector<std::string> env;
  ASSERT_TRUE(run(R"J({"name": "main", "envFrom": [{"configMapRef": {"name": "greet"}}]})J", &env));
  EXPECT_EQ(env, (std::vector<std::string>{"GREETING=hi", "env=prod"}));  // "1bad" skipped
}

TEST_F(EnvTest, KeyRefs) {
  std::vector<std::string> env;
  ASSERT_TRUE(run(R"J({"name": "main", "env": [
      {"name": "E", "valueFrom": {"configMapKeyRef": {"name": "greet", "key": "env"}}},
      {"name": "S", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}},
      {"name": "V", "value": "v", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]})J",
                  &env));
  EXPECT_EQ(env, (std::vector<std::string>{"E=prod", "S=s3cret", "V=v"}));
}

TEST_F(EnvTest, MissingRequiredReferencesFail) {
  std::vector<std::string> env;
  EXPECT_FALSE(run(R"J({"env": [{"name": "E", "valueFrom":
      {"configMapKeyRef": {"name": "nope", "key": "env"}}}]})J", &env));
  EXPECT_EQ(err.message, "configmap \"nope\" not found");
  EXPECT_FALSE(run(R"J({"env": [{"name": "E", "valueFrom":
      {"configMapKeyRef": {"name": "greet", "key": "missing"}}}]})J", &env));
  EXPECT_EQ(err.message, "couldn't find key missing in ConfigMap default/greet");
  EXPECT_FALSE(run(R"J({"env": [{"name": "E", "valueFrom":
      {"secretKeyRef": {"name": "s", "key": "x"}}}]})J", &env));
  EXPECT_EQ(err.message, "couldn't find key x in Secret default/s");
  EXPECT_FALSE(run(R"J({"envFrom": [{"secretRef": {"name": "gone"}}]})J", &env));
  EXPECT_EQ(err.message, "secret \"gone\" not found");
}

TEST_F(EnvTest, MissingOptionalReferencesAreSkipped) {
  std::vector<std::string> env;
  ASSERT_TRUE(run(R"J({"envFrom": [{"configMapRef": {"name": "nope", "optional": true}}],
      "env": [{"name": "A", "valueFrom":
                  {"configMapKeyRef": {"name": "greet", "key": "zz", "optional": true}}},
              {"name": "B", "valueFrom":
                  {"secretKeyRef": {"name": "nope", "key": "k", "optional": true}}},
              {"name": "C", "value": "c"}]})J",
                  &env));
  EXPECT_EQ(env, (std::vector<std::string>{"C=c"}));
}

TEST_F(EnvTest, OtherApiErrorsAreReported) {
  ObjectGetter failing = [](const std::string&, const std::string&,
                            const std::string&) -> Result<json::object> {
    return ApiError::internal("etcd is down");
  };
  std::vector<std::string> env;
  EXPECT_FALSE(container_env(pod, obj(R"J({"envFrom": [{"configMapRef":
      {"name": "x", "optional": true}}]})J"), facts, {}, failing, &env, &err));
  EXPECT_EQ(err.message, "Internal error occurred: etcd is down");  // the API's message
}

TEST_F(EnvTest, FieldRefPaths) {
  auto f = [&](const std::string& path) {
    std::string v;
    EXPECT_TRUE(field_ref_value(pod, path, facts, &v)) << path;
    return v;
  };
  EXPECT_EQ(f("metadata.name"), "web");
  EXPECT_EQ(f("metadata.namespace"), "default");
  EXPECT_EQ(f("metadata.uid"), "u-1");
  EXPECT_EQ(f("metadata.labels['app']"), "web");
  EXPECT_EQ(f("metadata.labels['none']"), "");
  EXPECT_EQ(f("metadata.annotations['note']"), "x\ny");
  EXPECT_EQ(f("metadata.labels"), "app=\"web\"\ntier=\"a \\\"b\\\"\"");
  EXPECT_EQ(f("metadata.annotations"), "note=\"x\\ny\"");
  EXPECT_EQ(f("spec.nodeName"), "n1");
  EXPECT_EQ(f("spec.serviceAccountName"), "sa");
  EXPECT_EQ(f("status.hostIP"), "192.168.1.2");
  EXPECT_EQ(f("status.hostIPs"), "192.168.1.2");
  EXPECT_EQ(f("status.podIP"), "10.0.0.5");
  EXPECT_EQ(f("status.podIPs"), "10.0.0.5,fd00::5");
  std::string v;
  EXPECT_FALSE(field_ref_value(pod, "spec.restartPolicy", facts, &v));
  EXPECT_FALSE(field_ref_value(pod, "metadata.generation['x']", facts, &v));

  std::vector<std::string> env;
  ASSERT_TRUE(run(R"J({"env": [
      {"name": "N", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
      {"name": "X", "value": "$(N).svc"}]})J", &env));
  EXPECT_EQ(env, (std::vector<std::string>{"N=web", "X=web.svc"}));
  EXPECT_FALSE(run(R"J({"env": [{"name": "N", "valueFrom": {"fieldRef": {"fieldPath": "bad"}}}]})J",
                   &env));
  EXPECT_EQ(err.message, "field label not supported: bad");
}

TEST_F(EnvTest, ResourceFieldRefRoundsUpAndDefaultsToAllocatable) {
  json::object c = obj(R"J({"name": "c", "resources": {
      "limits": {"cpu": "250m", "memory": "100Mi"},
      "requests": {"cpu": "100m", "memory": "1000", "ephemeral-storage": "1G"}}})J");
  auto r = [&](const std::string& ref, const json::object& ctr = {}) {
    std::string v, e;
    EXPECT_TRUE(resource_field_value(ctr.empty() ? c : ctr, obj(ref), facts, &v, &e)) << ref << e;
    return v;
  };
  EXPECT_EQ(r(R"J({"resource": "limits.cpu"})J"), "1");  // ceil(250m / 1)
  EXPECT_EQ(r(R"J({"resource": "limits.cpu", "divisor": "1m"})J"), "250");
  EXPECT_EQ(r(R"J({"resource": "limits.cpu", "divisor": "100m"})J"), "3");  // ceil(2.5)
  EXPECT_EQ(r(R"J({"resource": "requests.cpu", "divisor": "1m"})J"), "100");
  EXPECT_EQ(r(R"J({"resource": "limits.memory"})J"), "104857600");
  EXPECT_EQ(r(R"J({"resource": "limits.memory", "divisor": "1Mi"})J"), "100");
  EXPECT_EQ(r(R"J({"resource": "limits.memory", "divisor": "1M"})J"), "105");  // ceil(104.8576)
  EXPECT_EQ(r(R"J({"resource": "requests.memory", "divisor": "1Ki"})J"), "1");  // ceil(1000/1024)
  EXPECT_EQ(r(R"J({"resource": "requests.ephemeral-storage", "divisor": "1Mi"})J"), "954");
  EXPECT_EQ(r(R"J({"resource": "limits.cpu", "divisor": "0"})J"), "1");  // zero divisor = 1
  json::object bare = obj(R"J({"name": "b"})J");
  EXPECT_EQ(r(R"J({"resource": "limits.cpu"})J", bare), "4");
  EXPECT_EQ(r(R"J({"resource": "limits.memory", "divisor": "1Gi"})J", bare), "8");
  EXPECT_EQ(r(R"J({"resource": "limits.ephemeral-storage", "divisor": "1Gi"})J", bare), "10");
  EXPECT_EQ(r(R"J({"resource": "requests.cpu"})J", bare), "0");  // requests never default
  std::string v, e;
  EXPECT_FALSE(resource_field_value(c, obj(R"J({"resource": "limits.gpu"})J"), facts, &v, &e));
  EXPECT_EQ(e, "unsupported container resource : limits.gpu");

  // Through env: containerName picks another container of the pod.
  std::vector<std::string> env;
  ASSERT_TRUE(run(R"J({"name": "main", "resources": {"limits": {"cpu": "250m"}}, "env": [
      {"name": "CPU", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu",
                                                         "divisor": "1m"}}},
      {"name": "MEM", "valueFrom": {"resourceFieldRef": {"containerName": "side",
                                    "resource": "requests.memory", "divisor": "1Mi"}}}]})J",
                  &env));
  EXPECT_EQ(env, (std::vector<std::string>{"CPU=250", "MEM=100"}));
}

TEST(ExpandVars, Semantics) {
  std::vector<std::string> vars = {"A=1", "B=two", "A=3"};
  EXPECT_EQ(expand_vars("$(A)-$(B)", vars), "3-two");
  EXPECT_EQ(expand_vars("$$(A) $$ $", vars), "$(A) $ $");
  EXPECT_EQ(expand_vars("$(C) $() $(A", vars), "$(C) $() $(A");
  EXPECT_EQ(expand_vars("x$Ay$(A)$(A)", vars), "x$Ay33");
  EXPECT_EQ(expand_vars("$$$(B)", vars), "$two");
  EXPECT_EQ(expand_vars("", vars), "");
}

}  // namespace
}  // namespace skiff::agent
