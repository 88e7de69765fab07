// check_types: the JSON type of every field of the built-in kinds, from the protobuf tables.
#include <gtest/gtest.h>

#include "api/typecheck.h"
#include "common/json.h"

namespace skiff::api {
namespace {

json::object parse(const std::string& text) {
  json::value v;
  std::string err;
  EXPECT_TRUE(parse_json(text, v, err)) << err << ": " << text;
  return v.is_object() ? v.get_object() : json::object{};
}
const ResourceInfo& deployment() { return *find_resource("apps", "v1", "deployments"); }
const ResourceInfo& configmap() { return *find_resource("", "v1", "configmaps"); }

std::string dep(const std::string& meta, const std::string& replicas,
                const std::string& container) {
  return R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d")" + meta +
         R"(},"spec":{"replicas":)" + replicas +
         R"(,"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},)"
         R"("spec":{"containers":[{"name":"c","image":"i")" + container + "}]}}}}";
}

// The error message of checking `text` as a Deployment, or "" when it passes.
std::string dep_error(const std::string& text) {
  auto obj = parse(text);
  auto st = check_types(deployment(), obj);
  return st ? "" : st.error().message;
}

TEST(TypeCheck, AcceptsAWellTypedDeployment) {
  EXPECT_EQ(dep_error(dep("", "3", R"(,"ports":[{"containerPort":80}])")), "");
}

TEST(TypeCheck, RefusesWrongTypesWithUpstreamsWording) {
  EXPECT_EQ(dep_error(dep("", "\"0\"", "")),
            "Deployment in version \"v1\" cannot be handled as a Deployment: json: cannot "
            "unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32");
  EXPECT_NE(dep_error(dep(R"(,"labels":[[1]])", "1", "")).find(
                "cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type "
                "map[string]string"),
            std::string::npos);
  EXPECT_NE(dep_error(dep(R"(,"annotations":5)", "1", "")).find("metadata.annotations"),
            std::string::npos);
  EXPECT_NE(dep_error(dep(R"(,"finalizers":"s")", "1", "")).find("of type []string"),
            std::string::npos);
  EXPECT_NE(dep_error(dep("", "1", R"(,"ports":[{"containerPort":"80"}])"))
                .find("ContainerPort.spec.template.spec.containers.ports.containerPort of type "
                      "int32"),
            std::string::npos);
}

TEST(TypeCheck, IntegersMustBeIntegersInRange) {
  EXPECT_NE(dep_error(dep("", "0.5", "")).find("cannot unmarshal number 0.5"), std::string::npos);
  EXPECT_NE(dep_error(dep("", "2147483648", "")).find("number 2147483648"), std::string::npos);
  EXPECT_EQ(dep_error(dep("", "2147483647", "")), "");
  EXPECT_NE(dep_error(dep("", "-2147483649", "")), "");
  EXPECT_NE(dep_error(dep("", "1e2", "")), "");  // Go: a float literal never fits an int
  EXPECT_NE(dep_error(dep("", "1", R"(,"ports":[{"containerPort":1e2}])")), "");
  // int64 fields keep full precision; 2^63 does not fit.
  EXPECT_EQ(dep_error(dep("", "1", R"(,"livenessProbe":{"terminationGracePeriodSeconds":9223372036854775807})")), "");
  EXPECT_NE(dep_error(dep("", "1", R"(,"livenessProbe":{"terminationGracePeriodSeconds":9223372036854775808})")), "");
}

TEST(TypeCheck, NonFiniteNumbersAreRefusedAnywhere) {
  for (const char* v : {"1e400", "-1e400", "1e309"}) {
    auto obj = parse(std::string(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"x":)") + v + "}");
    auto st = check_types(configmap(), obj);
    ASSERT_FALSE(st) << v;
    EXPECT_EQ(st.error().code, 400);
    EXPECT_NE(st.error().message.find("field x"), std::string::npos) << st.error().message;
  }
  EXPECT_NE(dep_error(dep("", "1e400", "")), "");
}

TEST(TypeCheck, UnknownFieldsAreReportedWithIndicesAndPruned) {
  auto obj = parse(dep("", "1", R"(,"imagee":"x")") );
  obj["spce"] = 1;
  std::vector<std::string> unknown;
  ASSERT_TRUE(check_types(deployment(), obj, {true, &unknown}));
  ASSERT_EQ(unknown.size(), 2u);
  EXPECT_EQ(unknown[0], "spec.template.spec.containers[0].imagee");
  EXPECT_EQ(unknown[1], "spce");
  EXPECT_FALSE(obj.contains("spce"));
  EXPECT_FALSE(find_path(obj, {"spec", "template", "spec"})
                   ->as_object()
                   .at("containers")
                   .as_array()[0]
                   .as_object()
                   .contains("imagee"));
  // Without pruning they stay.
  auto keep = parse(dep("", "1", "") );
  keep["spce"] = 1;
  ASSERT_TRUE(check_types(deployment(), keep, {false, nullptr}));
  EXPECT_TRUE(keep.contains("spce"));
}

TEST(TypeCheck, NullsBecomeZeroValues) {
  auto obj = parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","labels":null,)"
                   R"("finalizers":["a",null]},"data":{"k":null}})");
  ASSERT_TRUE(check_types(configmap(), obj));
  EXPECT_FALSE(obj["metadata"].as_object().contains("labels"));
  EXPECT_EQ(json::serialize(obj["metadata"].as_object()["finalizers"]), R"(["a",""])");
  EXPECT_EQ(json::serialize(obj["data"]), R"({"k":""})");
}

TEST(TypeCheck, InlineStructsTimesQuantitiesAndBytes) {
  // Volume inlines VolumeSource: emptyDir is a field of the volume itself.
  EXPECT_EQ(dep_error(dep("", "1", R"(,"resources":{"limits":{"memory":"64Mi","cpu":1}})")), "");
  EXPECT_NE(dep_error(dep("", "1", R"(,"resources":{"limits":{"memory":"lots"}})")), "");
  auto pod = parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","creationTimestamp":"2024-01-02T03:04:05Z"},)"
                   R"("spec":{"volumes":[{"name":"v","emptyDir":{"sizeLimit":"1Gi"}}],"containers":[]}})");
  EXPECT_TRUE(check_types(*find_resource("", "v1", "pods"), pod));
  auto bad_time = parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","creationTimestamp":"yesterday"}})");
  EXPECT_FALSE(check_types(*find_resource("", "v1", "pods"), bad_time));
  auto secret = parse(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"data":{"a":"!!"}})");
  EXPECT_FALSE(check_types(*find_resource("", "v1", "secrets"), secret));
  auto good = parse(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"data":{"a":"aGk="}})");
  EXPECT_TRUE(check_types(*find_resource("", "v1", "secrets"), good));
}

TEST(TypeCheck, IntOrStringRange) {
  auto svc = [](const std::string& port) {
    auto o = parse(R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"ports":[{"port":80,"targetPort":)" + port + "}]}}");
    return bool(check_types(*find_resource("", "v1", "services"), o));
  };
  EXPECT_TRUE(svc("8080"));
  EXPECT_TRUE(svc("\"http\""));
  EXPECT_FALSE(svc("4294967296"));
  EXPECT_FALSE(svc("1.5"));
  EXPECT_FALSE(svc("true"));
}

TEST(TypeCheck, EveryServedKindHasASchema) {
  for (const auto& r : all_resources()) {
    // Other versions are checked as their storage version after conversion; a CRD's fields are
    // checked by its own validation (api/kinds_apiextensions.cc).
    if (r.storage || r.kind == "CustomResourceDefinition") continue;
    EXPECT_TRUE(has_schema(r.api_version(), r.kind)) << r.api_version() << " " << r.kind;
  }
}

TEST(Numbers, GetIntNeverInventsACount) {
  auto o = parse(R"({"a":1e400,"b":0.5,"c":2.0,"d":18446744073709551615,"e":-3})");
  EXPECT_EQ(get_int(o, {"a"}, 7), 7);
  EXPECT_EQ(get_int(o, {"b"}, 7), 7);
  EXPECT_EQ(get_int(o, {"c"}, 7), 2);
  EXPECT_EQ(get_int(o, {"d"}, 7), INT64_MAX);
  EXPECT_EQ(get_int(o, {"e"}, 7), -3);
  EXPECT_EQ(exact_int64(o["c"]), std::nullopt);
  EXPECT_EQ(exact_int64(o["e"]), -3);
  std::string path;
  auto nested = parse(R"({"x":[1,{"y":1e999}]})");
  EXPECT_NE(find_non_finite(nested, &path), nullptr);
  EXPECT_EQ(path, "x[1].y");
  EXPECT_EQ(find_non_finite(parse(R"({"x":[1.5,2]})"), &path), nullptr);
}

}  // namespace
}  // namespace skiff::api
