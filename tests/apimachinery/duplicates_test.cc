// Duplicate fields in JSON text (json_duplicate_fields) and YAML (yaml_to_json's duplicate
// keys): the paths and words upstream's strict decoding reports.
#include <gtest/gtest.h>

#include "apimachinery/duplicates.h"
#include "apimachinery/yaml.h"

namespace skiff {
namespace {

using V = std::vector<std::string>;

TEST(JsonDuplicateFields, NoneInOrdinaryObjects) {
  EXPECT_EQ(json_duplicate_fields(R"({"a":1,"b":{"a":2},"c":[{"a":1},{"a":2}]})"), V{});
  EXPECT_EQ(json_duplicate_fields("[]"), V{});
  EXPECT_EQ(json_duplicate_fields("{}"), V{});
}

TEST(JsonDuplicateFields, PathsAtEveryDepth) {
  EXPECT_EQ(json_duplicate_fields(R"({"kind":"Pod","kind":"Pod"})"), V{"kind"});
  EXPECT_EQ(json_duplicate_fields(R"({"spec":{"replicas":1,"paused":true,"replicas":2}})"),
            V{"spec.replicas"});
  EXPECT_EQ(json_duplicate_fields(
                R"({"spec":{"containers":[{"name":"a"},{"name":"b","image":"x","image":"y"}]}})"),
            V{"spec.containers[1].image"});
  // Map keys (labels) count too; a key repeated three times is reported once.
  EXPECT_EQ(json_duplicate_fields(R"({"metadata":{"labels":{"a":"1","a":"2","a":"3"}}})"),
            V{"metadata.labels.a"});
  // Several, in document order.
  EXPECT_EQ(json_duplicate_fields(R"({"b":{"x":1,"x":1},"a":0,"a":1})"), (V{"b.x", "a"}));
}

TEST(JsonDuplicateFields, EscapedKeysAreCompared) {
  EXPECT_EQ(json_duplicate_fields(R"({"name":1,"n\u0061me":2})"), V{"name"});
  EXPECT_EQ(json_duplicate_fields(R"({"a\"b":1,"a\"b":2,"s":"}\"{"})"), V{"a\"b"});
}

TEST(JsonDuplicateFields, MalformedTextStops) {
  EXPECT_EQ(json_duplicate_fields(R"({"a":1,"a":2,)"), V{"a"});
  EXPECT_EQ(json_duplicate_fields(R"({"a":)"), V{});
  EXPECT_EQ(json_duplicate_fields(std::string(100000, '[')), V{});
}

TEST(YamlDuplicateKeys, ReportedWithLines) {
  V dups;
  auto v = yaml_to_json("kind: Pod\nspec:\n  replicas: 1\n  replicas: 2\n1: a\n1: b\n", &dups);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->at("spec").at("replicas").as_int64(), 2);  // the last one wins
  EXPECT_EQ(dups, (V{"line 4: key \"replicas\" already set in map", "line 6: key 1 already set in map"}));
  dups.clear();
  // Merge keys are not duplicates.
  ASSERT_TRUE(yaml_to_json("base: &b {x: 1}\nm:\n  <<: *b\n  x: 2\n", &dups));
  EXPECT_EQ(dups, V{});
}

}  // namespace
}  // namespace skiff
