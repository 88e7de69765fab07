// apply_defaults against upstream's v1 defaulting for the common kinds.
#include <gtest/gtest.h>

#include "api/kinds.h"

namespace skiff::api {
namespace {

json::object parse(const char* text) { return json::parse(text).as_object(); }
const ResourceInfo& res(const char* group, const char* kind) {
  const auto* r = find_kind(group, "v1", kind);
  EXPECT_NE(r, nullptr) << kind;
  return *r;
}
json::object defaulted(const char* group, const char* kind, const char* text) {
  auto obj = parse(text);
  apply_defaults(res(group, kind), obj);
  return obj;
}
// The value at a path, or the string "<missing>".
json::value at(const json::object& o, std::initializer_list<std::string_view> path) {
  json::value holder = o;
  const auto* p = find_path(holder, path);
  return p ? *p : json::value("<missing>");
}

TEST(Defaults, TutorialNginxPod) {
  auto pod = defaulted("", "Pod",
                       R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"nginx"},
                           "spec":{"containers":[{"name":"nginx","image":"nginx"}]}})");
  const auto& spec = pod.at("spec").as_object();
  EXPECT_EQ(spec.at("restartPolicy"), "Always");
  EXPECT_EQ(spec.at("dnsPolicy"), "ClusterFirst");
  EXPECT_EQ(spec.at("schedulerName"), "default-scheduler");
  EXPECT_EQ(spec.at("terminationGracePeriodSeconds"), 30);
  EXPECT_EQ(spec.at("securityContext"), json::object{});
  EXPECT_EQ(spec.at("enableServiceLinks"), true);
  EXPECT_EQ(spec.at("priority"), 0);
  EXPECT_EQ(spec.at("preemptionPolicy"), "PreemptLowerPriority");
  const auto& c = spec.at("containers").as_array()[0].as_object();
  EXPECT_EQ(c.at("imagePullPolicy"), "Always");
  EXPECT_EQ(c.at("terminationMessagePath"), "/dev/termination-log");
  EXPECT_EQ(c.at("terminationMessagePolicy"), "File");
  EXPECT_EQ(c.at("resources"), json::object{});
}

TEST(Defaults, ImagePullPolicyFromTag) {
  auto policy = [](const char* image) {
    auto pod = parse(R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]}})");
    pod["spec"].as_object()["containers"].as_array()[0].as_object()["image"] = image;
    apply_defaults(*find_kind("", "v1", "Pod"), pod);
    return std::string(pod["spec"]
                           .as_object()["containers"]
                           .as_array()[0]
                           .as_object()["imagePullPolicy"]
                           .as_string());
  };
  EXPECT_EQ(policy("nginx"), "Always");
  EXPECT_EQ(policy("nginx:latest"), "Always");
  EXPECT_EQ(policy("nginx:1.25"), "IfNotPresent");
  EXPECT_EQ(policy("registry:5000/nginx"), "Always");
  EXPECT_EQ(policy("registry:5000/nginx:1.2"), "IfNotPresent");
  EXPECT_EQ(policy("nginx@sha256:abcd"), "IfNotPresent");
}

TEST(Defaults, ExplicitValuesKept) {
  auto pod = defaulted("", "Pod",
                       R"({"metadata":{"name":"p"},"spec":{"restartPolicy":"Never",
                           "containers":[{"name":"c","image":"x","imagePullPolicy":"Never"}]}})");
  EXPECT_EQ(at(pod, {"spec", "restartPolicy"}), "Never");
  EXPECT_EQ(pod["spec"].as_object()["containers"].as_array()[0].as_object()["imagePullPolicy"],
            "Never");
}

TEST(Defaults, ContainerDetails) {
  auto pod = defaulted("", "Pod", R"({"metadata":{"name":"p"},"spec":{
      "containers":[{"name":"c","image":"x","ports":[{"containerPort":80}],
        "env":[{"name":"N","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}],
        "livenessProbe":{"httpGet":{"port":80}},
        "resources":{"limits":{"cpu":"1","memory":128}}}],
      "volumes":[{"name":"a","configMap":{"name":"cm"}},{"name":"b","secret":{"secretName":"s"}},
                 {"name":"c"}]}})");
  const auto& c = pod["spec"].as_object()["containers"].as_array()[0].as_object();
  EXPECT_EQ(c.at("ports").as_array()[0].as_object().at("protocol"), "TCP");
  EXPECT_EQ(c.at("env")
                .as_array()[0]
                .as_object()
                .at("valueFrom")
                .as_object()
                .at("fieldRef")
                .as_object()
                .at("apiVersion"),
            "v1");
  const auto& probe = c.at("livenessProbe").as_object();
  EXPECT_EQ(probe.at("timeoutSeconds"), 1);
  EXPECT_EQ(probe.at("periodSeconds"), 10);
  EXPECT_EQ(probe.at("successThreshold"), 1);
  EXPECT_EQ(probe.at("failureThreshold"), 3);
  EXPECT_EQ(probe.at("httpGet").as_object().at("scheme"), "HTTP");
  EXPECT_EQ(probe.at("httpGet").as_object().at("path"), "/");
  // Pod-only: requests default to limits; numeric quantities become strings.
  EXPECT_EQ(at(c, {"resources", "requests", "cpu"}), "1");
  EXPECT_EQ(at(c, {"resources", "requests", "memory"}), "128");
  const auto& vols = pod["spec"].as_object()["volumes"].as_array();
  EXPECT_EQ(at(vols[0].as_object(), {"configMap", "defaultMode"}), 420);
  EXPECT_EQ(at(vols[1].as_object(), {"secret", "defaultMode"}), 420);
  EXPECT_EQ(vols[2].as_object().at("emptyDir"), json::object{});
}

TEST(Defaults, Deployment) {
  auto d = defaulted("apps", "Deployment", R"({"metadata":{"name":"web"},"spec":{
      "selector":{"matchLabels":{"app":"web"}},
      "template":{"metadata":{"labels":{"app":"web"}},
                  "spec":{"containers":[{"name":"web","image":"nginx:1.25"}]}}}})");
  EXPECT_EQ(at(d, {"spec", "replicas"}), 1);
  EXPECT_EQ(at(d, {"spec", "strategy", "type"}), "RollingUpdate");
  EXPECT_EQ(at(d, {"spec", "strategy", "rollingUpdate", "maxSurge"}), "25%");
  EXPECT_EQ(at(d, {"spec", "strategy", "rollingUpdate", "maxUnavailable"}), "25%");
  EXPECT_EQ(at(d, {"spec", "revisionHistoryLimit"}), 10);
  EXPECT_EQ(at(d, {"spec", "progressDeadlineSeconds"}), 600);
  EXPECT_EQ(at(d, {"spec", "template", "spec", "restartPolicy"}), "Always");
  EXPECT_EQ(at(d, {"spec", "template", "spec", "dnsPolicy"}), "ClusterFirst");
  // Pod-only defaults stay off templates.
  EXPECT_EQ(at(d, {"spec", "template", "spec", "enableServiceLinks"}), "<missing>");
  EXPECT_EQ(at(d, {"spec", "template", "spec", "priority"}), "<missing>");
  // Not defaulted in apps/v1.
  EXPECT_EQ(at(d, {"spec", "selector"}), json::parse(R"({"matchLabels":{"app":"web"}})"));
  auto recreate = defaulted("apps", "Deployment", R"({"spec":{"strategy":{"type":"Recreate"}}})");
  EXPECT_EQ(at(recreate, {"spec", "strategy", "rollingUpdate"}), "<missing>");
}

TEST(Defaults, StatefulSetDaemonSetReplicaSet) {
  auto s = defaulted("apps", "StatefulSet", R"({"spec":{"volumeClaimTemplates":[
      {"metadata":{"name":"data"},"spec":{"accessModes":["ReadWriteOnce"]}}]}})");
  EXPECT_EQ(at(s, {"spec", "replicas"}), 1);
  EXPECT_EQ(at(s, {"spec", "podManagementPolicy"}), "OrderedReady");
  EXPECT_EQ(at(s, {"spec", "updateStrategy", "type"}), "RollingUpdate");
  EXPECT_EQ(at(s, {"spec", "updateStrategy", "rollingUpdate", "partition"}), 0);
  EXPECT_EQ(at(s, {"spec", "revisionHistoryLimit"}), 10);
  EXPECT_EQ(at(s, {"spec", "persistentVolumeClaimRetentionPolicy", "whenDeleted"}), "Retain");
  EXPECT_EQ(at(s, {"spec", "persistentVolumeClaimRetentionPolicy", "whenScaled"}), "Retain");
  const auto& vct = s["spec"].as_object().at("volumeClaimTemplates").as_array()[0].as_object();
  EXPECT_EQ(at(vct, {"spec", "volumeMode"}), "Filesystem");
  EXPECT_EQ(vct.at("kind"), "PersistentVolumeClaim");

  auto ds = defaulted("apps", "DaemonSet", R"({"spec":{}})");
  EXPECT_EQ(at(ds, {"spec", "updateStrategy", "type"}), "RollingUpdate");
  EXPECT_EQ(at(ds, {"spec", "updateStrategy", "rollingUpdate", "maxUnavailable"}), 1);
  EXPECT_EQ(at(ds, {"spec", "updateStrategy", "rollingUpdate", "maxSurge"}), 0);
  EXPECT_EQ(at(ds, {"spec", "revisionHistoryLimit"}), 10);

  auto rs = defaulted("apps", "ReplicaSet", R"({"spec":{}})");
  EXPECT_EQ(at(rs, {"spec", "replicas"}), 1);
}

TEST(Defaults, JobAndCronJob) {
  auto j = defaulted("batch", "Job", R"({"metadata":{"name":"pi","uid":"u-1"},"spec":{"template":{
      "spec":{"restartPolicy":"Never","containers":[{"name":"pi","image":"perl"}]}}}})");
  EXPECT_EQ(at(j, {"spec", "completions"}), 1);
  EXPECT_EQ(at(j, {"spec", "parallelism"}), 1);
  EXPECT_EQ(at(j, {"spec", "backoffLimit"}), 6);
  EXPECT_EQ(at(j, {"spec", "completionMode"}), "NonIndexed");
  EXPECT_EQ(at(j, {"spec", "suspend"}), false);
  EXPECT_EQ(at(j, {"spec", "template", "spec", "restartPolicy"}), "Never");
  EXPECT_EQ(at(j, {"spec", "selector", "matchLabels", "batch.kubernetes.io/controller-uid"}),
            "u-1");
  EXPECT_EQ(at(j, {"spec", "template", "metadata", "labels", "job-name"}), "pi");
  EXPECT_EQ(at(j, {"metadata", "labels", "batch.kubernetes.io/job-name"}), "pi");

  auto par = defaulted("batch", "Job", R"({"spec":{"completions":5}})");
  EXPECT_EQ(at(par, {"spec", "completions"}), 5);
  EXPECT_EQ(at(par, {"spec", "parallelism"}), 1);

  auto cj = defaulted("batch", "CronJob", R"({"spec":{"schedule":"* * * * *","jobTemplate":{
      "spec":{"template":{"spec":{"containers":[{"name":"c","image":"busybox"}]}}}}}})");
  EXPECT_EQ(at(cj, {"spec", "concurrencyPolicy"}), "Allow");
  EXPECT_EQ(at(cj, {"spec", "suspend"}), false);
  EXPECT_EQ(at(cj, {"spec", "successfulJobsHistoryLimit"}), 3);
  EXPECT_EQ(at(cj, {"spec", "failedJobsHistoryLimit"}), 1);
  EXPECT_EQ(at(cj, {"spec", "jobTemplate", "spec", "template", "spec", "dnsPolicy"}),
            "ClusterFirst");
}

TEST(Defaults, Service) {
  auto s = defaulted("", "Service", R"({"metadata":{"name":"web"},"spec":{
      "selector":{"app":"web"},"ports":[{"port":80},{"port":443,"targetPort":8443}]}})");
  EXPECT_EQ(at(s, {"spec", "type"}), "ClusterIP");
  EXPECT_EQ(at(s, {"spec", "sessionAffinity"}), "None");
  EXPECT_EQ(at(s, {"spec", "internalTrafficPolicy"}), "Cluster");
  EXPECT_EQ(at(s, {"spec", "ipFamilyPolicy"}), "SingleStack");
  EXPECT_EQ(at(s, {"spec", "ipFamilies"}), json::array{"IPv4"});
  EXPECT_EQ(at(s, {"spec", "externalTrafficPolicy"}), "<missing>");
  const auto& ports = s["spec"].as_object().at("ports").as_array();
  EXPECT_EQ(ports[0].as_object().at("protocol"), "TCP");
  EXPECT_EQ(ports[0].as_object().at("targetPort"), 80);
  EXPECT_EQ(ports[1].as_object().at("targetPort"), 8443);

  auto np = defaulted("", "Service", R"({"spec":{"type":"NodePort","ports":[{"port":80}]}})");
  EXPECT_EQ(at(np, {"spec", "externalTrafficPolicy"}), "Cluster");
  auto en = defaulted("", "Service", R"({"spec":{"type":"ExternalName","externalName":"a.b"}})");
  EXPECT_EQ(at(en, {"spec", "ipFamilyPolicy"}), "<missing>");
  EXPECT_EQ(at(en, {"spec", "internalTrafficPolicy"}), "<missing>");
  auto ip = defaulted("", "Service", R"({"spec":{"clusterIP":"10.0.0.5","ports":[{"port":80}]}})");
  EXPECT_EQ(at(ip, {"spec", "clusterIPs"}), json::array{"10.0.0.5"});
}

TEST(Defaults, OtherCoreKinds) {
  auto sec = defaulted("", "Secret", R"({"stringData":{"user":"admin"},"data":{"a":"Yg=="}})");
  EXPECT_EQ(sec.at("type"), "Opaque");
  EXPECT_EQ(at(sec, {"data", "user"}), "YWRtaW4=");
  EXPECT_EQ(at(sec, {"data", "a"}), "Yg==");
  EXPECT_FALSE(sec.contains("stringData"));

  auto ns = defaulted("", "Namespace", R"({"metadata":{"name":"dev"}})");
  EXPECT_EQ(at(ns, {"spec", "finalizers"}), json::array{"kubernetes"});
  EXPECT_EQ(at(ns, {"status", "phase"}), "Active");
  auto terminating = defaulted("", "Namespace", R"({"spec":{},"status":{"phase":"Terminating"}})");
  EXPECT_EQ(at(terminating, {"spec", "finalizers"}), "<missing>");

  auto pvc = defaulted("", "PersistentVolumeClaim", R"({"spec":{}})");
  EXPECT_EQ(at(pvc, {"spec", "volumeMode"}), "Filesystem");
  auto pv = defaulted("", "PersistentVolume", R"({"spec":{}})");
  EXPECT_EQ(at(pv, {"spec", "persistentVolumeReclaimPolicy"}), "Retain");
  EXPECT_EQ(at(pv, {"spec", "volumeMode"}), "Filesystem");
  auto ep = defaulted("", "Endpoints", R"({"subsets":[{"ports":[{"port":80}]}]})");
  EXPECT_EQ(ep.at("subsets").as_array()[0].as_object().at("ports").as_array()[0].as_object().at(
                "protocol"),
            "TCP");
  auto eps = defaulted("discovery.k8s.io", "EndpointSlice", R"({"ports":[{"port":80}]})");
  EXPECT_EQ(eps.at("ports").as_array()[0].as_object().at("protocol"), "TCP");
  auto lr = defaulted("", "LimitRange",
                      R"({"spec":{"limits":[{"type":"Container","max":{"cpu":"2"}}]}})");
  EXPECT_EQ(lr.at("spec").as_object().at("limits").as_array()[0].as_object().at("defaultRequest"),
            json::parse(R"({"cpu":"2"})"));
}

TEST(Defaults, Idempotent) {
  auto once = defaulted("apps", "Deployment", R"({"spec":{"template":{"spec":{
      "containers":[{"name":"c","image":"nginx"}]}}}})");
  auto twice = once;
  apply_defaults(*find_kind("apps", "v1", "Deployment"), twice);
  EXPECT_EQ(once, twice);
}

}  // namespace
}  // namespace skiff::api
