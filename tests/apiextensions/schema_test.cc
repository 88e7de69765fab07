// Structural schemas: the schema checks a CRD write gets, and pruning, defaulting and
// validation of custom objects, table-driven for the tricky cases.
#include <gtest/gtest.h>

#include "apiextensions/jsonpath.h"
#include "apiextensions/schema.h"

namespace skiff::apiextensions {
namespace {

json::object parse(const char* text) { return json::parse(text).as_object(); }

const char* kCronTab = R"({
  "type": "object",
  "properties": {
    "spec": {"type": "object", "required": ["cronSpec"], "properties": {
      "cronSpec": {"type": "string", "pattern": "^(\\S+ ){4}\\S+$"},
      "image": {"type": "string", "maxLength": 10},
      "replicas": {"type": "integer", "minimum": 0, "default": 1},
      "port": {"x-kubernetes-int-or-string": true},
      "mode": {"type": "string", "enum": ["a", "b"]},
      "note": {"type": "string", "nullable": true},
      "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": true,
                "properties": {"typed": {"type": "object", "properties": {"x": {"type": "integer"}}}}},
      "labels": {"type": "object", "additionalProperties": {"type": "string"}},
      "template": {"type": "object", "x-kubernetes-embedded-resource": true,
                   "properties": {"spec": {"type": "object"}}},
      "tags": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
      "ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                "items": {"type": "object", "properties": {"name": {"type": "string"}, "n": {"type": "integer"}}}}
    }},
    "status": {"type": "object", "properties": {"replicas": {"type": "integer"}}}
  }})";

std::vector<std::string> fields(const std::vector<FieldCause>& cs) {
  std::vector<std::string> out;
  for (const auto& c : cs) out.push_back(c.field + ": " + c.message);
  return out;
}

TEST(StructuralSchema, PrunesUnknownFieldsAndReportsTheirPaths) {
  StructuralSchema s(parse(kCronTab));
  auto obj = parse(R"({"apiVersion":"x/v1","kind":"CronTab","metadata":{"name":"a"},
    "junk": 1, "spec": {"cronSpec": "* * * * *", "junk": 2,
      "extra": {"free": 1, "typed": {"x": 1, "y": 2}},
      "labels": {"k": "v"},
      "template": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"c": 1}, "bad": 1},
      "ports": [{"name": "a", "zzz": 1}]}})");
  std::vector<std::string> unknown;
  s.prune(obj, &unknown);
  std::sort(unknown.begin(), unknown.end());
  EXPECT_EQ(unknown, (std::vector<std::string>{"junk", "spec.extra.typed.y", "spec.junk",
                                               "spec.ports[0].zzz", "spec.template.bad",
                                               "spec.template.spec.c"}));
  // preserve-unknown-fields keeps what it does not know, but prunes under a typed child
  EXPECT_TRUE(obj["spec"].as_object()["extra"].as_object().contains("free"));
  EXPECT_EQ(obj["spec"].as_object()["labels"].as_object()["k"], "v");
  // an embedded resource keeps apiVersion, kind and metadata
  auto& tmpl = obj["spec"].as_object()["template"].as_object();
  EXPECT_TRUE(tmpl.contains("apiVersion") && tmpl.contains("kind") && tmpl.contains("metadata"));
  EXPECT_TRUE(obj.contains("metadata"));
}

TEST(StructuralSchema, DefaultsMissingAndNullNonNullableFields) {
  StructuralSchema s(parse(kCronTab));
  auto a = parse(R"({"spec": {"cronSpec": "* * * * *"}})");
  s.apply_defaults(a);
  EXPECT_EQ(a["spec"].as_object()["replicas"], 1);
  auto b = parse(R"({"spec": {"cronSpec": "* * * * *", "replicas": null}})");
  s.apply_defaults(b);
  EXPECT_EQ(b["spec"].as_object()["replicas"], 1);
  auto c = parse(R"({"spec": {"cronSpec": "* * * * *", "replicas": 4}})");
  s.apply_defaults(c);
  EXPECT_EQ(c["spec"].as_object()["replicas"], 4);
}

struct Case {
  const char* name;
  const char* spec;
  std::vector<std::string> want;  // "path: message" of every cause
};

TEST(StructuralSchema, Validates) {
  StructuralSchema s(parse(kCronTab));
  const Case cases[] = {
      {"valid", R"({"cronSpec": "* * * * */5", "replicas": 2, "port": "http", "note": null,
                    "tags": ["a", "b"], "ports": [{"name": "a"}, {"name": "b"}]})", {}},
      {"int-or-string number", R"({"cronSpec": "* * * * *", "port": 80})", {}},
      {"required", R"({"image": "x"})", {"spec.cronSpec: Required value"}},
      {"pattern", R"({"cronSpec": "bad"})",
       {"spec.cronSpec: Invalid value: \"bad\": spec.cronSpec in body should match '^(\\S+ ){4}\\S+$'"}},
      {"type", R"({"cronSpec": "* * * * *", "replicas": "two"})",
       {"spec.replicas: Invalid value: \"two\": spec.replicas in body must be of type integer: \"string\""}},
      {"minimum", R"({"cronSpec": "* * * * *", "replicas": -1})",
       {"spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0"}},
      {"integral float is an integer", R"({"cronSpec": "* * * * *", "replicas": 2.0})", {}},
      {"int-or-string bool", R"({"cronSpec": "* * * * *", "port": true})",
       {"spec.port: Invalid value: true: spec.port in body must be of type integer,string: \"boolean\""}},
      {"enum", R"({"cronSpec": "* * * * *", "mode": "c"})",
       {"spec.mode: Unsupported value: \"c\": supported values: \"a\", \"b\""}},
      {"null not nullable", R"({"cronSpec": "* * * * *", "image": null})",
       {"spec.image: Invalid value: null: spec.image in body must be of type string: \"null\""}},
      {"maxLength", R"({"cronSpec": "* * * * *", "image": "0123456789x"})",
       {"spec.image: Too long: may not be more than 10 bytes"}},
      {"set duplicate", R"({"cronSpec": "* * * * *", "tags": ["a", "a"]})",
       {"spec.tags[1]: Duplicate value: \"a\""}},
      {"map duplicate", R"({"cronSpec": "* * * * *", "ports": [{"name": "a"}, {"name": "a", "n": 1}]})",
       {"spec.ports[1]: Duplicate value: {\"name\":\"a\"}"}},
      {"additionalProperties type", R"({"cronSpec": "* * * * *", "labels": {"k": 1}})",
       {"spec.labels.k: Invalid value: 1: spec.labels.k in body must be of type string: \"integer\""}},
  };
  for (const auto& c : cases) {
    auto obj = parse((std::string(R"({"apiVersion":"x/v1","kind":"CronTab","metadata":{"name":"a"},"spec":)") +
                      c.spec + "}").c_str());
    EXPECT_EQ(fields(s.validate(obj)), c.want) << c.name;
  }
}

TEST(StructuralSchema, ChecksTheSchemaItself) {
  auto causes = StructuralSchema::check(parse(R"({"type": "object", "properties": {
      "a": {"properties": {}},
      "b": {"type": "array"},
      "c": {"type": "string", "pattern": "(["},
      "d": {"type": "string", "x-kubernetes-validations": [{"rule": "self != ''"}]},
      "e": {"x-kubernetes-int-or-string": true},
      "f": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}})"), "s");
  std::vector<std::string> paths;
  for (const auto& c : causes) paths.push_back(c.field);
  EXPECT_EQ(paths, (std::vector<std::string>{"s.properties[a].type", "s.properties[b].items",
                                             "s.properties[c].pattern",
                                             "s.properties[d].x-kubernetes-validations"}));
  EXPECT_NE(causes[3].message.find("not supported"), std::string::npos);
  EXPECT_EQ(StructuralSchema::check(parse(R"({"type": "string"})"), "s").size(), 1u);
  EXPECT_TRUE(StructuralSchema::check(parse(kCronTab), "s").empty());
}

TEST(JsonPath, GetsAndSets) {
  json::value v = json::parse(R"({"spec": {"replicas": 3, "list": [{"a": 1}], "m": {"x.y": "z"}}})");
  EXPECT_EQ(*json_path_get(v, ".spec.replicas"), 3);
  EXPECT_EQ(*json_path_get(v, ".spec.list[0].a"), 1);
  EXPECT_EQ(*json_path_get(v, ".spec.m['x.y']"), "z");
  EXPECT_EQ(json_path_get(v, ".spec.list[1]"), nullptr);
  EXPECT_EQ(json_path_get(v, "spec"), nullptr);
  json::object o;
  EXPECT_TRUE(json_path_set(o, ".spec.replicas", 5));
  EXPECT_EQ(json::serialize(o), R"({"spec":{"replicas":5}})");
  EXPECT_FALSE(json_path_set(o, ".spec.list[0]", 1));
}

}  // namespace
}  // namespace skiff::apiextensions
