// validate_create / validate_update: upstream's field paths and messages.
#include <gtest/gtest.h>

#include "api/kinds.h"

namespace skiff::api {
namespace {

json::object parse(const char* text) { return json::parse(text).as_object(); }
const ResourceInfo& res(const char* group, const char* kind) {
  return *find_kind(group, "v1", kind);
}

// Defaults then validates on create, as the API server does.
std::vector<FieldCause> create(const char* group, const char* kind, const char* text) {
  auto obj = parse(text);
  apply_defaults(res(group, kind), obj);
  return validate_create(res(group, kind), obj);
}
std::vector<FieldCause> update(const char* group, const char* kind, const char* now,
                               const char* old) {
  auto a = parse(now), b = parse(old);
  apply_defaults(res(group, kind), a);
  apply_defaults(res(group, kind), b);
  return validate_update(res(group, kind), a, b);
}
std::string dump(const std::vector<FieldCause>& cs) {
  std::string out;
  for (const auto& c : cs) out += c.type + " " + c.field + ": " + c.message + "\n";
  return out;
}
bool has_cause(const std::vector<FieldCause>& cs, const std::string& type, const std::string& field,
               const std::string& message) {
  for (const auto& c : cs)
    if (c.type == type && c.field == field && c.message == message) return true;
  return false;
}
#define EXPECT_CAUSE(cs, type, field, message) \
  EXPECT_TRUE(has_cause(cs, type, field, message)) << dump(cs)

const char* kPod = R"({"metadata":{"name":"nginx","namespace":"default"},
    "spec":{"containers":[{"name":"nginx","image":"nginx"}]}})";
const char* kDeploy = R"({"metadata":{"name":"web","namespace":"default"},
    "spec":{"selector":{"matchLabels":{"app":"web"}},
    "template":{"metadata":{"labels":{"app":"web"}},
                "spec":{"containers":[{"name":"web","image":"nginx"}]}}}})";

std::string with(const char* base, const std::string& from, const std::string& to) {
  std::string s = base;
  auto pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  return s.replace(pos, from.size(), to);
}

TEST(Validation, ValidPodAndDeployment) {
  EXPECT_TRUE(create("", "Pod", kPod).empty()) << dump(create("", "Pod", kPod));
  EXPECT_TRUE(create("apps", "Deployment", kDeploy).empty())
      << dump(create("apps", "Deployment", kDeploy));
}

TEST(Validation, PodWithoutImage) {
  auto cs = create("", "Pod", R"({"metadata":{"name":"p","namespace":"default"},
      "spec":{"containers":[{"name":"c"}]}})");
  ASSERT_EQ(cs.size(), 1u) << dump(cs);
  EXPECT_EQ(cs[0].type, "FieldValueRequired");
  EXPECT_EQ(cs[0].field, "spec.containers[0].image");
  EXPECT_EQ(cs[0].message, "Required value");
}

TEST(Validation, PodWithoutContainers) {
  auto cs = create("", "Pod", R"({"metadata":{"name":"p","namespace":"default"},"spec":{}})");
  EXPECT_CAUSE(cs, "FieldValueRequired", "spec.containers", "Required value");
}

TEST(Validation, Names) {
  auto cs = create("", "Pod", R"({"metadata":{"namespace":"default"},
      "spec":{"containers":[{"name":"c","image":"x"}]}})");
  EXPECT_CAUSE(cs, "FieldValueRequired", "metadata.name",
               "Required value: name or generateName is required");
  EXPECT_TRUE(create("", "Pod", R"({"metadata":{"generateName":"web-","namespace":"default"},
      "spec":{"containers":[{"name":"c","image":"x"}]}})")
                  .empty());

  cs =
      create("", "Pod", with(kPod, "\"nginx\",\"namespace\"", "\"Nginx_1\",\"namespace\"").c_str());
  EXPECT_CAUSE(cs, "FieldValueInvalid", "metadata.name",
               "Invalid value: \"Nginx_1\": a lowercase RFC 1123 subdomain must consist of lower "
               "case alphanumeric characters, '-' or '.', and must start and end with an "
               "alphanumeric character (e.g. 'example.com', regex used for validation is "
               "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");

  cs = create("", "Namespace", R"({"metadata":{"name":"a.b"}})");
  EXPECT_CAUSE(cs, "FieldValueInvalid", "metadata.name",
               "Invalid value: \"a.b\": must not contain dots");
  cs = create("", "Service",
              R"({"metadata":{"name":"1web","namespace":"d"},"spec":{"ports":[{"port":80}]}})");
  EXPECT_CAUSE(cs, "FieldValueInvalid", "metadata.name",
               "Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric "
               "characters or '-', start with an alphabetic character, and end with an "
               "alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation "
               "is '[a-z]([-a-z0-9]*[a-z0-9])?')");
  cs = create("", "Node", R"({"metadata":{"name":"node-1.example.com"}})");
  EXPECT_TRUE(cs.empty()) << dump(cs);
  cs = create("", "Node", R"({"metadata":{"name":"n","namespace":"x"}})");
  EXPECT_CAUSE(cs, "FieldValueForbidden", "metadata.namespace",
               "Forbidden: not allowed on this type");
  cs = create("", "ConfigMap", R"({"metadata":{"name":"c"}})");
  EXPECT_CAUSE(cs, "FieldValueRequired", "metadata.namespace", "Required value");
}

TEST(Validation, LabelsAndAnnotations) {
  auto cs = create("", "ConfigMap", R"({"metadata":{"name":"c","namespace":"d",
      "labels":{"app":"-bad","a/b/c":"x"},"annotations":{"-x":"y"}}})");
  EXPECT_CAUSE(cs, "FieldValueInvalid", "metadata.labels",
               "Invalid value: \"-bad\": a valid label must be an empty string or consist of "
               "alphanumeric characters, '-', '_' or '.', and must start and end with an "
               "alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
               "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
  EXPECT_CAUSE(cs, "FieldValueInvalid", "metadata.labels",
               "Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric "
               "characters, '-', '_' or '.', and must start and end with an alphanumeric "
               "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
               "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS "
               "subdomain prefix and '/' (e.g. 'example.com/MyName')");
  EXPECT_EQ(cs.size(), 3u) << dump(cs);
  std::string big(300 * 1024, 'x');
  auto cm = parse(R"({"metadata":{"name":"c","namespace":"d","annotations":{}}})");
  cm["metadata"].as_object()["annotations"].as_object()["k"] = big;
  cs = validate_create(res("", "ConfigMap"), cm);
  EXPECT_CAUSE(cs, "FieldValueTooLong", "metadata.annotations",
               "Too long: may not be more than 262144 bytes");
}

TEST(Validation, PublicChecks) {
  EXPECT_EQ(check_dns1123_label("ok-1"), "");
  EXPECT_NE(check_dns1123_label("Bad"), "");
  EXPECT_EQ(check_dns1123_label(std::string(64, 'a')), "must be no more than 63 characters");
  EXPECT_EQ(check_dns1123_subdomain("a.b.c"), "");
  EXPECT_EQ(check_qualified_name("example.com/my-key"), "");
  EXPECT_EQ(check_qualified_name("/x"), "prefix part must be non-empty");
  EXPECT_EQ(check_label_value(""), "");
  EXPECT_NE(check_label_value("a b"), "");
}

TEST(Validation, ContainerFields) {
  auto cs = create("", "Pod", R"({"metadata":{"name":"p","namespace":"d"},"spec":{
      "restartPolicy":"Sometimes","dnsPolicy":"Nope",
      "containers":[{"name":"c","image":"x","imagePullPolicy":"Maybe",
        "ports":[{"containerPort":70000,"protocol":"HTTP","name":"this-name-is-too-long"}],
        "env":[{"name":"1BAD"}],
        "volumeMounts":[{"name":"missing","mountPath":"/data"}],
        "livenessProbe":{"periodSeconds":5}},
       {"name":"c","image":"y"}]}})");
  EXPECT_CAUSE(
      cs, "FieldValueNotSupported", "spec.restartPolicy",
      "Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"");
  EXPECT_CAUSE(cs, "FieldValueNotSupported", "spec.dnsPolicy",
               "Unsupported value: \"Nope\": supported values: \"ClusterFirstWithHostNet\", "
               "\"ClusterFirst\", \"Default\", \"None\"");
  EXPECT_CAUSE(
      cs, "FieldValueNotSupported", "spec.containers[0].imagePullPolicy",
      "Unsupported value: \"Maybe\": supported values: \"Always\", \"IfNotPresent\", \"Never\"");
  EXPECT_CAUSE(cs, "FieldValueInvalid", "spec.containers[0].ports[0].containerPort",
               "Invalid value: 70000: must be between 1 and 65535, inclusive");
  EXPECT_CAUSE(cs, "FieldValueNotSupported", "spec.containers[0].ports[0].protocol",
               "Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\"");
  EXPECT_CAUSE(cs, "FieldValueInvalid", "spec.containers[0].ports[0].name",
               "Invalid value: \"this-name-is-too-long\": must be no more than 15 characters");
  EXPECT_CAUSE(cs, "FieldValueInvalid", "spec.containers[0].env[0].name",
               "Invalid value: \"1BAD\": a valid environment variable name must consist of "
               "alphabetic characters, digits, '_', '-', or '.', and must not start with a digit "
               "(e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for "
               "validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')");
  EXPECT_CAUSE(cs, "FieldValueNotFound", "spec.containers[0].volumeMounts[0].name",
               "Not found: \"missing\"");
  EXPECT_CAUSE(cs, "FieldValueRequired", "spec.containers[0].livenessProbe",
               "Required value: must specify a handler type");
  EXPECT_CAUSE(cs, "FieldValueDuplicate", "spec.containers[1].name", "Duplicate value: \"c\"");
}

TEST(Validation, Volumes) {
  auto cs = create("", "Pod", R"({"metadata":{"name":"p","namespace":"d"},"spec":{
      "volumes":[{"name":"a","emptyDir":{},"hostPath":{"path":"/x"}},{"name":"b","configMap":{}},
                 {"name":"Bad_Name","emptyDir":{}},{"name":"d","secret":{"secretName":"s","defaultMode":1000}}],
      "containers":[{"name":"c","image":"x"}]}})");
  EXPECT_CAUSE(cs, "FieldValueForbidden", "spec.volumes[0].hostPath",
               "Forbidden: may not specify more than 1 volume type");
  EXPECT_CAUSE(cs, "FieldValueRequired", "spec.volumes[1].configMap.name", "Required value");
  EXPECT_CAUSE(cs, "FieldValueInvalid", "spec.volumes[3].secret.defaultMode",
               "Invalid value: 1000: must be a number between 0 and 0777 (octal), both inclusive");
  bool bad_name = false;
  for (const auto& c : cs) bad_name = bad_name || c.field == "spec.volumes[2].name";
  EXPECT_TRUE(bad_name) << dump(cs);
}

TEST(Validation, Quantities) {
  auto cs = create("", "Pod", R"({"metadata":{"name":"p","namespace":"d"},"spec":{
      "containers":[{"name":"c","image":"x","resources":{
        "limits":{"cpu":"1","memory":"12x"},"requests":{"cpu":"1500m","memory":"1Gi","gpu":"1"}}}]}})");
  EXPECT_CAUSE(cs, "FieldValueInvalid", "spec.containers[0].resources.limits[memory]",
               "Invalid value: \"12x\": quantities must match the regular expression "
               "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  EXPECT_CAUSE(cs, "FieldValueInvalid", "spec.containers[0].resources.requests",
               "Invalid value: \"1500m\": must be less than or equal to cpu limit of 1");
  EXPECT_CAUSE(cs, "FieldValueInvalid", "spec.containers[0].resources.requests[gpu]",
               "Invalid value: \"gpu\": must be a standard resource for containers");
  for (const char* ok : {"100m", "1.5", "128Mi", "1G", "1e3", "0", "+1", "2Ki", "500u", "3E"}) {
    std::string pod =
        std::string(
            R"({"metadata":{"name":"p","namespace":"d"},"spec":{"containers":[{"name":"c","image":"x","resources":{"requests":{"cpu":")") +
        ok + R"("}}}]}})";
    EXPECT_TRUE(create("", "Pod", pod.c_str()).empty())
        << ok << dump(create("", "Pod", pod.c_str()));
  }
  for (const char* bad : {"", "abc", "1.2.3x", "1Qi", "--1", "Mi"}) {
    std::string pod =
        std::string(
            R"({"metadata":{"name":"p","namespace":"d"},"spec":{"containers":[{"name":"c","image":"x","resources":{"requests":{"cpu":")") +
        bad + R"("}}}]}})";
    EXPECT_FALSE(create("", "Pod", pod.c_str()).empty()) << bad;
  }
  cs = create("", "Pod", R"({"metadata":{"name":"p","namespace":"d"},"spec":{
      "containers":[{"name":"c","image":"x","resources":{"requests":{"memory":"-1"}}}]}})");
  EXPECT_CAUSE(cs, "FieldValueInvalid", "spec.containers[0].resources.requests[memory]",
               "Invalid value: \"-1\": must be greater than or equal to 0");
}

TEST(Validation, TemplateInDeployment) {
  auto cs =
      create("apps", "Deployment", with(kDeploy, R"("image":"nginx")", R"("image":"")").c_str());
  ASSERT_EQ(cs.size(), 1u) << dump(cs);
  EXPECT_CAUSE(cs, "FieldValueRequired", "spec.template.spec.containers[0].image",
               "Required value");
}

TEST(Validation, SelectorMismatch) {
  auto cs = create(
      "apps", "Deployment",
      with(kDeploy, R"("labels":{"app":"web"})", R"("labels":{"app":"other","tier":"x"})").c_str());
  ASSERT_EQ(cs.size(), 1u) << dump(cs);
  EXPECT_CAUSE(cs, "FieldValueInvalid", "spec.template.metadata.labels",
               "Invalid value: map[string]string{\"app\":\"other\", \"tier\":\"x\"}: `selector` "
               "does not match template `labels`");
  cs = create("apps", "Deployment",
              with(kDeploy, R"("selector":{"matchLabels":{"app":"web"}},)", "").c_str());
  EXPECT_CAUSE(cs, "FieldValueRequired", "spec.selector", "Required value");
  cs =
      create("apps", "Deployment", with(kDeploy, R"({"matchLabels":{"app":"web"}})", "{}").c_str());
  EXPECT_CAUSE(cs, "FieldValueInvalid", "spec.selector",
               "Invalid value: {}: empty selector is invalid for deployment");
  cs = create("apps", "ReplicaSet",
              with(kDeploy, R"({"matchLabels":{"app":"web"}})",
                   R"({"matchExpressions":[{"key":"app","operator":"In","values":["web","api"]}]})")
                  .c_str());
  EXPECT_TRUE(cs.empty()) << dump(cs);
}

TEST(Validation, WorkloadEnums) {
  auto cs = create(
      "apps", "Deployment",
      with(kDeploy, R"("spec":{"containers")", R"("spec":{"restartPolicy":"Never","containers")")
          .c_str());
  EXPECT_CAUSE(cs, "FieldValueNotSupported", "spec.template.spec.restartPolicy",
               "Unsupported value: \"Never\": supported values: \"Always\"");
  cs = create("apps", "Deployment",
              with(kDeploy, R"("spec":{"selector")",
                   R"("spec":{"replicas":-1,"strategy":{"type":"Blue"},"selector")")
                  .c_str());
  EXPECT_CAUSE(cs, "FieldValueInvalid", "spec.replicas",
               "Invalid value: -1: must be greater than or equal to 0");
  EXPECT_CAUSE(cs, "FieldValueNotSupported", "spec.strategy.type",
               "Unsupported value: \"Blue\": supported values: \"Recreate\", \"RollingUpdate\"");
  cs = create(
      "apps", "Deployment",
      with(
          kDeploy, R"("spec":{"selector")",
          R"("spec":{"strategy":{"rollingUpdate":{"maxSurge":0,"maxUnavailable":"0%"}},"selector")")
          .c_str());
  EXPECT_CAUSE(cs, "FieldValueInvalid", "spec.strategy.rollingUpdate.maxUnavailable",
               "Invalid value: \"0%\": may not be 0 when `maxSurge` is 0");
  cs = create("apps", "Deployment",
              with(kDeploy, R"("spec":{"selector")",
                   R"("spec":{"strategy":{"rollingUpdate":{"maxSurge":"x"}},"selector")")
                  .c_str());
  EXPECT_CAUSE(cs, "FieldValueInvalid", "spec.strategy.rollingUpdate.maxSurge",
               "Invalid value: \"x\": a valid percent string must be a numeric string followed by "
               "an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')");
  cs = create(
      "apps", "StatefulSet",
      with(kDeploy, R"("spec":{"selector")", R"("spec":{"podManagementPolicy":"Random","selector")")
          .c_str());
  EXPECT_CAUSE(cs, "FieldValueInvalid", "spec.podManagementPolicy",
               "Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'");
  cs = create("apps", "DaemonSet",
              with(kDeploy, R"("spec":{"selector")",
                   R"("spec":{"updateStrategy":{"type":"Fast"},"selector")")
                  .c_str());
  EXPECT_CAUSE(cs, "FieldValueNotSupported", "spec.updateStrategy.type",
               "Unsupported value: \"Fast\": supported values: \"RollingUpdate\", \"OnDelete\"");
  EXPECT_TRUE(create("apps", "DaemonSet", kDeploy).empty())
      << dump(create("apps", "DaemonSet", kDeploy));
  EXPECT_TRUE(create("apps", "StatefulSet", kDeploy).empty())
      << dump(create("apps", "StatefulSet", kDeploy));
}

const char* kJob = R"({"metadata":{"name":"pi","namespace":"d"},"spec":{"template":{"spec":{
    "restartPolicy":"Never","containers":[{"name":"pi","image":"perl"}]}}}})";

TEST(Validation, Jobs) {
  EXPECT_TRUE(create("batch", "Job", kJob).empty()) << dump(create("batch", "Job", kJob));
  auto cs = create("batch", "Job", with(kJob, R"("restartPolicy":"Never",)", "").c_str());
  EXPECT_CAUSE(cs, "FieldValueNotSupported", "spec.template.spec.restartPolicy",
               "Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\"");
  cs = create("batch", "Job",
              with(kJob, R"("spec":{"template")",
                   R"("spec":{"parallelism":-1,"completionMode":"Odd","template")")
                  .c_str());
  EXPECT_CAUSE(cs, "FieldValueInvalid", "spec.parallelism",
               "Invalid value: -1: must be greater than or equal to 0");
  EXPECT_CAUSE(cs, "FieldValueNotSupported", "spec.completionMode",
               "Unsupported value: \"Odd\": supported values: \"NonIndexed\", \"Indexed\"");
}

const char* kCron =
    R"({"metadata":{"name":"hello","namespace":"d"},"spec":{"schedule":"*/5 * * * *",
    "jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"OnFailure",
    "containers":[{"name":"c","image":"busybox"}]}}}}}})";

TEST(Validation, CronJobs) {
  EXPECT_TRUE(create("batch", "CronJob", kCron).empty()) << dump(create("batch", "CronJob", kCron));
  for (const char* ok : {"@hourly", "0 0 * * 0", "0 9-17 * * mon-fri", "15,45 */2 1 jan,jul *",
                         "@every 1h30m", "0 0 ? * *"}) {
    auto cs = create("batch", "CronJob", with(kCron, "*/5 * * * *", ok).c_str());
    EXPECT_TRUE(cs.empty()) << ok << dump(cs);
  }
  auto cs = create("batch", "CronJob", with(kCron, "*/5 * * * *", "* * *").c_str());
  EXPECT_CAUSE(cs, "FieldValueInvalid", "spec.schedule",
               "Invalid value: \"* * *\": expected exactly 5 fields, found 3: [* * *]");
  cs = create("batch", "CronJob", with(kCron, "*/5 * * * *", "61 * * * *").c_str());
  EXPECT_CAUSE(cs, "FieldValueInvalid", "spec.schedule",
               "Invalid value: \"61 * * * *\": end of range (61) above maximum (59): 61");
  cs = create("batch", "CronJob", with(kCron, "*/5 * * * *", "@sometimes").c_str());
  EXPECT_CAUSE(cs, "FieldValueInvalid", "spec.schedule",
               "Invalid value: \"@sometimes\": unrecognized descriptor: @sometimes");
  cs = create("batch", "CronJob", with(kCron, R"("schedule":"*/5 * * * *",)", "").c_str());
  EXPECT_CAUSE(cs, "FieldValueRequired", "spec.schedule", "Required value");
  cs = create("batch", "CronJob",
              with(kCron, R"("schedule")", R"("concurrencyPolicy":"Never","schedule")").c_str());
  EXPECT_CAUSE(
      cs, "FieldValueNotSupported", "spec.concurrencyPolicy",
      "Unsupported value: \"Never\": supported values: \"Allow\", \"Forbid\", \"Replace\"");
  cs = create("batch", "CronJob",
              with(kCron, R"("restartPolicy":"OnFailure")", R"("restartPolicy":"Always")").c_str());
  EXPECT_CAUSE(cs, "FieldValueNotSupported", "spec.jobTemplate.spec.template.spec.restartPolicy",
               "Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\"");
}

const char* kSvc = R"({"metadata":{"name":"web","namespace":"d"},"spec":{"selector":{"app":"web"},
    "ports":[{"port":80}]}})";

TEST(Validation, Services) {
  EXPECT_TRUE(create("", "Service", kSvc).empty()) << dump(create("", "Service", kSvc));
  auto cs =
      create("", "Service",
             with(kSvc, R"([{"port":80}])", R"([{"port":0},{"port":70000,"name":"b"}])").c_str());
  EXPECT_CAUSE(cs, "FieldValueInvalid", "spec.ports[0].port",
               "Invalid value: 0: must be between 1 and 65535, inclusive");
  EXPECT_CAUSE(cs, "FieldValueInvalid", "spec.ports[1].port",
               "Invalid value: 70000: must be between 1 and 65535, inclusive");
  EXPECT_CAUSE(cs, "FieldValueRequired", "spec.ports[0].name", "Required value");
  cs = create(
      "", "Service",
      with(kSvc, R"([{"port":80}])", R"([{"port":80,"name":"a"},{"port":81,"name":"a"}])").c_str());
  EXPECT_CAUSE(cs, "FieldValueDuplicate", "spec.ports[1].name", "Duplicate value: \"a\"");
  cs = create("", "Service", with(kSvc, R"("ports":[{"port":80}])", R"("ports":[])").c_str());
  EXPECT_CAUSE(cs, "FieldValueRequired", "spec.ports", "Required value");
  EXPECT_TRUE(
      create("", "Service", with(kSvc, R"("ports":[{"port":80}])", R"("clusterIP":"None")").c_str())
          .empty());
  cs = create("", "Service", with(kSvc, R"("selector")", R"("type":"Magic","selector")").c_str());
  EXPECT_CAUSE(cs, "FieldValueNotSupported", "spec.type",
               "Unsupported value: \"Magic\": supported values: \"ClusterIP\", \"ExternalName\", "
               "\"LoadBalancer\", \"NodePort\"");
  cs = create("", "Service",
              with(kSvc, R"("selector")", R"("clusterIP":"10.0.0.300","selector")").c_str());
  EXPECT_CAUSE(cs, "FieldValueInvalid", "spec.clusterIPs[0]",
               "Invalid value: \"10.0.0.300\": must be a valid IP address, (e.g. 10.9.8.7 or "
               "2001:db8::ffff)");
  cs = create(
      "", "Service",
      with(kSvc, R"([{"port":80}])", R"([{"port":80,"protocol":"ICMP","targetPort":"Http_1"}])")
          .c_str());
  EXPECT_CAUSE(cs, "FieldValueNotSupported", "spec.ports[0].protocol",
               "Unsupported value: \"ICMP\": supported values: \"SCTP\", \"TCP\", \"UDP\"");
  EXPECT_CAUSE(cs, "FieldValueInvalid", "spec.ports[0].targetPort",
               "Invalid value: \"Http_1\": must contain only alpha-numeric characters (a-z, 0-9), "
               "and hyphens (-)");
  cs = create("", "Service",
              with(kSvc, R"([{"port":80}])", R"([{"port":80,"nodePort":30080}])").c_str());
  EXPECT_CAUSE(cs, "FieldValueForbidden", "spec.ports[0].nodePort",
               "Forbidden: may not be used when `type` is 'ClusterIP'");
  cs = create("", "Service",
              with(kSvc, R"("selector")", R"("sessionAffinity":"Sticky","selector")").c_str());
  EXPECT_CAUSE(cs, "FieldValueNotSupported", "spec.sessionAffinity",
               "Unsupported value: \"Sticky\": supported values: \"ClientIP\", \"None\"");
}

TEST(Validation, ConfigMapsAndSecrets) {
  auto cs =
      create("", "ConfigMap",
             R"({"metadata":{"name":"c","namespace":"d"},"data":{"bad key":"v","ok.key":"v"}})");
  ASSERT_EQ(cs.size(), 1u) << dump(cs);
  EXPECT_EQ(cs[0].field, "data[bad key]");
  cs = create("", "Secret",
              R"({"metadata":{"name":"s","namespace":"d"},"data":{"a":"not base64!"}})");
  ASSERT_EQ(cs.size(), 1u) << dump(cs);
  EXPECT_EQ(cs[0].field, "data[a]");
  EXPECT_EQ(cs[0].message,
            "Invalid value: \"<secret contents redacted>\": illegal base64 data at input byte 3");
  EXPECT_TRUE(
      create("", "Secret", R"({"metadata":{"name":"s","namespace":"d"},"data":{"a":"YWRtaW4="}})")
          .empty());
  cs = create("", "Secret",
              R"({"metadata":{"name":"s","namespace":"d"},"type":"kubernetes.io/tls","data":{}})");
  EXPECT_CAUSE(cs, "FieldValueRequired", "data[tls.key]", "Required value");
  EXPECT_CAUSE(cs, "FieldValueRequired", "data[tls.crt]", "Required value");
  std::string big(1024 * 1024 + 1, 'x');
  auto cm = parse(R"({"metadata":{"name":"c","namespace":"d"},"data":{}})");
  cm["data"].as_object()["k"] = big;
  cs = validate_create(res("", "ConfigMap"), cm);
  EXPECT_CAUSE(cs, "FieldValueTooLong", "", "Too long: may not be more than 1048576 bytes");
}

TEST(Validation, UpdatesImmutables) {
  auto cs = update(
      "apps", "Deployment",
      with(kDeploy, R"({"matchLabels":{"app":"web"}})", R"({"matchLabels":{"app":"web","v":"2"}})")
          .c_str(),
      kDeploy);
  EXPECT_CAUSE(
      cs, "FieldValueInvalid", "spec.selector",
      "Invalid value: {\"matchLabels\":{\"app\":\"web\",\"v\":\"2\"}}: field is immutable");
  EXPECT_TRUE(update("apps", "Deployment",
                     with(kDeploy, R"("image":"nginx")", R"("image":"nginx:2")").c_str(), kDeploy)
                  .empty());
  cs = update(
      "apps", "ReplicaSet",
      with(kDeploy, R"({"matchLabels":{"app":"web"}})", R"({"matchLabels":{"app":"web","v":"2"}})")
          .c_str(),
      kDeploy);
  EXPECT_EQ(cs.size(), 2u) << dump(cs);  // immutable + template mismatch
  cs = update("batch", "Job", with(kJob, R"("image":"perl")", R"("image":"perl:2")").c_str(), kJob);
  ASSERT_EQ(cs.size(), 1u) << dump(cs);
  EXPECT_EQ(cs[0].field, "spec.template");

  // Pods: images may change; other fields not. (Both sides are defaulted independently here, so
  // keep the pull policy the same: a tag-less image defaults to Always, a tagged one does not.)
  auto pod125 = with(kPod, R"("image":"nginx")", R"("image":"nginx:1.25")");
  EXPECT_TRUE(update("", "Pod", with(kPod, R"("image":"nginx")", R"("image":"nginx:1.26")").c_str(),
                     pod125.c_str())
                  .empty());
  EXPECT_FALSE(update("", "Pod", pod125.c_str(), kPod).empty());
  cs =
      update("", "Pod",
             with(kPod, R"("image":"nginx")", R"("image":"nginx","command":["sh"])").c_str(), kPod);
  ASSERT_EQ(cs.size(), 1u) << dump(cs);
  EXPECT_EQ(cs[0].type, "FieldValueForbidden");
  EXPECT_EQ(cs[0].field, "spec");
  EXPECT_EQ(
      cs[0].message.rfind(
          "Forbidden: pod updates may not change fields other than `spec.containers[*].image`", 0),
      0u);
  EXPECT_TRUE(
      update("", "Pod",
             with(kPod, R"("spec":{)",
                  R"("spec":{"activeDeadlineSeconds":30,"tolerations":[{"operator":"Exists"}],)")
                 .c_str(),
             kPod)
          .empty());
  const char* tol = R"("spec":{"tolerations":[{"key":"a","operator":"Exists"}],)";
  cs = update("", "Pod", kPod, with(kPod, R"("spec":{)", tol).c_str());
  EXPECT_EQ(cs.size(), 1u) << dump(cs);

  // Services: clusterIP stays.
  auto svc = with(kSvc, R"("selector")", R"("clusterIP":"10.0.0.5","selector")");
  auto moved = with(kSvc, R"("selector")", R"("clusterIP":"10.0.0.6","selector")");
  cs = update("", "Service", moved.c_str(), svc.c_str());
  EXPECT_CAUSE(cs, "FieldValueInvalid", "spec.clusterIPs[0]",
               "Invalid value: [\"10.0.0.6\"]: may not change once set");
  EXPECT_TRUE(update("", "Service", svc.c_str(), svc.c_str()).empty());

  // ConfigMaps marked immutable.
  const char* cm = R"({"metadata":{"name":"c","namespace":"d"},"immutable":true,"data":{"a":"1"}})";
  cs = update("", "ConfigMap", with(cm, R"("a":"1")", R"("a":"2")").c_str(), cm);
  EXPECT_CAUSE(cs, "FieldValueForbidden", "data",
               "Forbidden: field is immutable when `immutable` is set");
  cs = update("", "ConfigMap", with(cm, "true", "false").c_str(), cm);
  EXPECT_CAUSE(cs, "FieldValueForbidden", "immutable",
               "Forbidden: field is immutable when `immutable` is set");

  // StatefulSets: only some spec fields may change.
  auto sts = with(kDeploy, R"("spec":{"selector")", R"("spec":{"serviceName":"a","selector")");
  cs = update("apps", "StatefulSet",
              with(sts.c_str(), R"("serviceName":"a")", R"("serviceName":"b")").c_str(),
              sts.c_str());
  ASSERT_EQ(cs.size(), 1u) << dump(cs);
  EXPECT_EQ(cs[0].field, "spec");
  EXPECT_TRUE(update("apps", "StatefulSet",
                     with(sts.c_str(), R"("spec":{)", R"("spec":{"replicas":3,)").c_str(),
                     sts.c_str())
                  .empty());
}

TEST(Validation, OtherGroups) {
  EXPECT_TRUE(
      create(
          "coordination.k8s.io", "Lease",
          R"({"metadata":{"name":"l","namespace":"d"},"spec":{"holderIdentity":"x","leaseDurationSeconds":15}})")
          .empty());
  auto cs = create("policy", "PodDisruptionBudget", R"({"metadata":{"name":"p","namespace":"d"},
      "spec":{"minAvailable":1,"maxUnavailable":"10%","selector":{"matchLabels":{"a":"b"}}}})");
  ASSERT_EQ(cs.size(), 1u) << dump(cs);
  EXPECT_EQ(cs[0].field, "spec");
  cs = create("discovery.k8s.io", "EndpointSlice", R"({"metadata":{"name":"e","namespace":"d"},
      "addressType":"IPv4","endpoints":[{"addresses":["10.0.0.1"]},{"addresses":["::1"]}],"ports":[{"port":80}]})");
  ASSERT_EQ(cs.size(), 1u) << dump(cs);
  EXPECT_EQ(cs[0].field, "endpoints[1].addresses[0]");
  cs =
      create("", "PersistentVolumeClaim", R"({"metadata":{"name":"c","namespace":"d"},"spec":{}})");
  EXPECT_CAUSE(cs, "FieldValueRequired", "spec.accessModes",
               "Required value: at least 1 access mode is required");
  EXPECT_CAUSE(cs, "FieldValueRequired", "spec.resources[storage]", "Required value");
}

TEST(Fields, Selectable) {
  auto pod = parse(R"({"metadata":{"name":"p","namespace":"d"},"spec":{"nodeName":"n1"},
      "status":{"phase":"Running","podIPs":[{"ip":"10.1.0.4"}]}})");
  auto f = selectable_fields(res("", "Pod"), pod);
  EXPECT_EQ(f["metadata.name"], "p");
  EXPECT_EQ(f["metadata.namespace"], "d");
  EXPECT_EQ(f["spec.nodeName"], "n1");
  EXPECT_EQ(f["status.phase"], "Running");
  EXPECT_EQ(f["status.podIP"], "10.1.0.4");
  EXPECT_EQ(f["spec.hostNetwork"], "false");
  for (const auto& r : all_resources()) {
    auto names = selectable_field_names(r);
    EXPECT_NE(std::find(names.begin(), names.end(), "metadata.name"), names.end()) << r.resource;
    EXPECT_NE(std::find(names.begin(), names.end(), "metadata.namespace"), names.end())
        << r.resource;
  }
  auto ev =
      selectable_fields(res("", "Event"), parse(R"({"involvedObject":{"kind":"Pod","name":"p"},
      "reason":"Started","source":{"component":"kubelet"},"type":"Normal"})"));
  EXPECT_EQ(ev["involvedObject.kind"], "Pod");
  EXPECT_EQ(ev["source"], "kubelet");
  auto job = selectable_fields(res("batch", "Job"), parse(R"({"status":{"succeeded":2}})"));
  EXPECT_EQ(job["status.successful"], "2");
  auto node = selectable_fields(res("", "Node"), parse(R"({"spec":{"unschedulable":true}})"));
  EXPECT_EQ(node["spec.unschedulable"], "true");
  auto sec = selectable_fields(res("", "Secret"), parse(R"({"type":"Opaque"})"));
  EXPECT_EQ(sec["type"], "Opaque");
}

TEST(Validation, EveryKindValidatesWithoutCrashing) {
  // Garbage shapes must produce causes, never exceptions.
  for (const auto& r : all_resources()) {
    for (
        const char* text :
        {R"({})", R"({"metadata":5,"spec":[1],"status":"x","data":7})",
         R"({"spec":{"template":{"spec":{"containers":[1,{"ports":"x"}]}},"selector":"x","ports":[5]}})"}) {
      auto obj = parse(text);
      EXPECT_NO_THROW(apply_defaults(r, obj)) << r.resource << " " << text;
      EXPECT_NO_THROW(validate_create(r, obj)) << r.resource << " " << text;
      EXPECT_NO_THROW(validate_update(r, obj, obj)) << r.resource << " " << text;
      EXPECT_NO_THROW(selectable_fields(r, obj)) << r.resource;
    }
  }
}

}  // namespace
}  // namespace skiff::api
