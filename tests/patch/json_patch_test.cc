#include <gtest/gtest.h>

#include "patch/patch.h"
#include "test_json.h"

namespace skiff {
namespace {
using patch_test::J;

json::value apply_ok(std::string_view doc, std::string_view patch) {
  auto r = apply_json_patch(J(doc), J(patch));
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : json::value();
}

int error_code(std::string_view doc, std::string_view patch) {
  auto r = apply_json_patch(J(doc), J(patch));
  return r.ok() ? 200 : r.error().code;
}

// RFC 6902 appendix A.
TEST(JsonPatch, Rfc6902Examples) {
  EXPECT_EQ(apply_ok(R"({"foo":"bar"})", R"([{"op":"add","path":"/baz","value":"qux"}])"),
            J(R"({"baz":"qux","foo":"bar"})"));  // A.1
  EXPECT_EQ(apply_ok(R"({"foo":["bar","baz"]})", R"([{"op":"add","path":"/foo/1","value":"qux"}])"),
            J(R"({"foo":["bar","qux","baz"]})"));  // A.2
  EXPECT_EQ(apply_ok(R"({"baz":"qux","foo":"bar"})", R"([{"op":"remove","path":"/baz"}])"),
            J(R"({"foo":"bar"})"));  // A.3
  EXPECT_EQ(apply_ok(R"({"foo":["bar","qux","baz"]})", R"([{"op":"remove","path":"/foo/1"}])"),
            J(R"({"foo":["bar","baz"]})"));  // A.4
  EXPECT_EQ(apply_ok(R"({"baz":"qux","foo":"bar"})",
                     R"([{"op":"replace","path":"/baz","value":"boo"}])"),
            J(R"({"baz":"boo","foo":"bar"})"));  // A.5
  EXPECT_EQ(apply_ok(R"({"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}})",
                     R"([{"op":"move","from":"/foo/waldo","path":"/qux/thud"}])"),
            J(R"({"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}})"));  // A.6
  EXPECT_EQ(apply_ok(R"({"foo":["all","grass","cows","eat"]})",
                     R"([{"op":"move","from":"/foo/1","path":"/foo/3"}])"),
            J(R"({"foo":["all","cows","eat","grass"]})"));  // A.7
  EXPECT_EQ(apply_ok(R"({"baz":"qux","foo":["a",2,"c"]})",
                     R"([{"op":"test","path":"/baz","value":"qux"},
                         {"op":"test","path":"/foo/1","value":2}])"),
            J(R"({"baz":"qux","foo":["a",2,"c"]})"));  // A.8
  EXPECT_EQ(error_code(R"({"baz":"qux"})", R"([{"op":"test","path":"/baz","value":"bar"}])"),
            422);  // A.9
  EXPECT_EQ(apply_ok(R"({"foo":"bar"})",
                     R"([{"op":"add","path":"/child","value":{"grandchild":{}}}])"),
            J(R"({"foo":"bar","child":{"grandchild":{}}})"));  // A.10
  EXPECT_EQ(apply_ok(R"({"foo":"bar"})",
                     R"([{"op":"add","path":"/baz","value":"qux","xyz":123}])"),
            J(R"({"foo":"bar","baz":"qux"})"));  // A.11
  EXPECT_EQ(error_code(R"({"foo":"bar"})", R"([{"op":"add","path":"/baz/bat","value":"qux"}])"),
            422);  // A.12
  EXPECT_EQ(apply_ok(R"({"/":9,"~1":10})", R"([{"op":"test","path":"/~01","value":10}])"),
            J(R"({"/":9,"~1":10})"));  // A.14
  EXPECT_EQ(error_code(R"({"/":9,"~1":10})", R"([{"op":"test","path":"/~01","value":"10"}])"),
            422);  // A.15
  EXPECT_EQ(apply_ok(R"({"foo":["bar"]})",
                     R"([{"op":"add","path":"/foo/-","value":["abc","def"]}])"),
            J(R"({"foo":["bar",["abc","def"]]})"));  // A.16
}

TEST(JsonPatch, PointerEscapes) {
  EXPECT_EQ(apply_ok(R"({"metadata":{"annotations":{}}})",
                     R"([{"op":"add","path":"/metadata/annotations/example.com~1a~0b","value":"x"}])"),
            J(R"({"metadata":{"annotations":{"example.com/a~b":"x"}}})"));
  EXPECT_EQ(error_code("{}", R"([{"op":"add","path":"/a~2","value":1}])"), 400);
  EXPECT_EQ(error_code("{}", R"([{"op":"add","path":"a","value":1}])"), 400);
}

TEST(JsonPatch, ArrayIndexBounds) {
  const char* doc = R"({"a":[1,2]})";
  EXPECT_EQ(apply_ok(doc, R"([{"op":"add","path":"/a/2","value":3}])"), J(R"({"a":[1,2,3]})"));
  EXPECT_EQ(apply_ok(doc, R"([{"op":"add","path":"/a/-","value":3}])"), J(R"({"a":[1,2,3]})"));
  EXPECT_EQ(error_code(doc, R"([{"op":"add","path":"/a/3","value":3}])"), 422);
  EXPECT_EQ(error_code(doc, R"([{"op":"add","path":"/a/01","value":3}])"), 422);
  EXPECT_EQ(error_code(doc, R"([{"op":"add","path":"/a/-1","value":3}])"), 422);
  EXPECT_EQ(error_code(doc, R"([{"op":"remove","path":"/a/2"}])"), 422);
  EXPECT_EQ(error_code(doc, R"([{"op":"remove","path":"/a/-"}])"), 422);
  EXPECT_EQ(error_code(doc, R"([{"op":"replace","path":"/a/5","value":0}])"), 422);
  EXPECT_EQ(apply_ok(doc, R"([{"op":"replace","path":"/a/1","value":0}])"), J(R"({"a":[1,0]})"));
}

TEST(JsonPatch, MoveCopyReplaceRoot) {
  EXPECT_EQ(apply_ok(R"({"a":{"b":1}})", R"([{"op":"copy","from":"/a","path":"/c"}])"),
            J(R"({"a":{"b":1},"c":{"b":1}})"));
  EXPECT_EQ(error_code(R"({"a":{"b":1}})", R"([{"op":"move","from":"/a","path":"/a/b/c"}])"),
            422);
  EXPECT_EQ(apply_ok(R"({"a":1})", R"([{"op":"move","from":"/a","path":"/a"}])"), J(R"({"a":1})"));
  EXPECT_EQ(error_code(R"({"a":1})", R"([{"op":"copy","from":"/x","path":"/y"}])"), 422);
  EXPECT_EQ(apply_ok(R"({"a":1})", R"([{"op":"replace","path":"","value":{"b":2}}])"),
            J(R"({"b":2})"));
  EXPECT_EQ(apply_ok(R"({"a":1})", R"([{"op":"add","path":"/a","value":null}])"),
            J(R"({"a":null})"));
}

TEST(JsonPatch, TestComparesNumbersByValueAndObjectsByContent) {
  EXPECT_EQ(apply_ok(R"({"n":1,"o":{"x":1,"y":[1,2]}})",
                     R"([{"op":"test","path":"/n","value":1.0},
                         {"op":"test","path":"/o","value":{"y":[1,2],"x":1}}])"),
            J(R"({"n":1,"o":{"x":1,"y":[1,2]}})"));
  EXPECT_EQ(error_code(R"({"o":{"y":[1,2]}})",
                       R"([{"op":"test","path":"/o","value":{"y":[2,1]}}])"),
            422);
  EXPECT_EQ(error_code(R"({"a":1})", R"([{"op":"test","path":"/b","value":1}])"), 422);
}

TEST(JsonPatch, FailureLeavesNoPartialResultAndNamesTheOperation) {
  auto r = apply_json_patch(J(R"({"a":1})"), J(R"([{"op":"replace","path":"/a","value":2},
                                                   {"op":"remove","path":"/missing"}])"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, 422);
  EXPECT_NE(r.error().message.find("/missing"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("remove"), std::string::npos) << r.error().message;
}

TEST(JsonPatch, MalformedDocumentsAreBadRequests) {
  EXPECT_EQ(error_code("{}", R"({"op":"add"})"), 400);
  EXPECT_EQ(error_code("{}", R"([1])"), 400);
  EXPECT_EQ(error_code("{}", R"([{"path":"/a","value":1}])"), 400);
  EXPECT_EQ(error_code("{}", R"([{"op":"add","value":1}])"), 400);
  EXPECT_EQ(error_code("{}", R"([{"op":"add","path":5,"value":1}])"), 400);
  EXPECT_EQ(error_code("{}", R"([{"op":"add","path":"/a"}])"), 400);
  EXPECT_EQ(error_code("{}", R"([{"op":"frobnicate","path":"/a"}])"), 400);
  EXPECT_EQ(error_code("{}", R"([{"op":"move","path":"/a"}])"), 400);
  EXPECT_EQ(error_code(R"({"a":1})", R"([{"op":"remove","path":""}])"), 422);
  EXPECT_EQ(apply_ok(R"({"a":1})", "[]"), J(R"({"a":1})"));
}

}  // namespace
}  // namespace skiff
