#include <gtest/gtest.h>

#include "patch/patch.h"
#include "test_json.h"

namespace skiff {
namespace {
using patch_test::J;

json::value merge(std::string_view doc, std::string_view patch) {
  auto r = apply_merge_patch(J(doc), J(patch));
  EXPECT_TRUE(r.ok());
  return r.ok() ? *r : json::value();
}

// RFC 7386 appendix A.
TEST(MergePatch, Rfc7386Examples) {
  EXPECT_EQ(merge(R"({"a":"b"})", R"({"a":"c"})"), J(R"({"a":"c"})"));
  EXPECT_EQ(merge(R"({"a":"b"})", R"({"b":"c"})"), J(R"({"a":"b","b":"c"})"));
  EXPECT_EQ(merge(R"({"a":"b"})", R"({"a":null})"), J(R"({})"));
  EXPECT_EQ(merge(R"({"a":"b","b":"c"})", R"({"a":null})"), J(R"({"b":"c"})"));
  EXPECT_EQ(merge(R"({"a":["b"]})", R"({"a":"c"})"), J(R"({"a":"c"})"));
  EXPECT_EQ(merge(R"({"a":"c"})", R"({"a":["b"]})"), J(R"({"a":["b"]})"));
  EXPECT_EQ(merge(R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})"), J(R"({"a":{"b":"d"}})"));
  EXPECT_EQ(merge(R"({"a":[{"b":"c"}]})", R"({"a":[1]})"), J(R"({"a":[1]})"));
  EXPECT_EQ(merge(R"(["a","b"])", R"(["c","d"])"), J(R"(["c","d"])"));
  EXPECT_EQ(merge(R"({"a":"b"})", R"(["c"])"), J(R"(["c"])"));
  EXPECT_EQ(merge(R"({"a":"foo"})", "null"), J("null"));
  EXPECT_EQ(merge(R"({"a":"foo"})", R"("bar")"), J(R"("bar")"));
  EXPECT_EQ(merge(R"({"e":null})", R"({"a":1})"), J(R"({"e":null,"a":1})"));
  EXPECT_EQ(merge(R"([1,2])", R"({"a":"b","c":null})"), J(R"({"a":"b"})"));
  EXPECT_EQ(merge(R"({})", R"({"a":{"bb":{"ccc":null}}})"), J(R"({"a":{"bb":{}}})"));
}

// RFC 7386 section 3.
TEST(MergePatch, Rfc7386Section3Example) {
  EXPECT_EQ(merge(R"({"title":"Goodbye!","author":{"givenName":"John","familyName":"Doe"},
                      "tags":["example","sample"],"content":"This will be unchanged"})",
                  R"({"title":"Hello!","phoneNumber":"+01-123-456-7890",
                      "author":{"familyName":null},"tags":["example"]})"),
            J(R"({"title":"Hello!","author":{"givenName":"John"},"tags":["example"],
                  "content":"This will be unchanged","phoneNumber":"+01-123-456-7890"})"));
}

TEST(MergePatch, DeletionKeepsTheOrderOfOtherKeys) {
  auto r = merge(R"({"a":1,"b":2,"c":3,"d":4})", R"({"b":null})");
  EXPECT_EQ(json::serialize(r), R"({"a":1,"c":3,"d":4})");
}

TEST(MergePatch, ScaleSubresourcePatch) {
  EXPECT_EQ(merge(R"({"spec":{"replicas":1,"selector":{"matchLabels":{"a":"b"}}}})",
                  R"({"spec":{"replicas":3}})"),
            J(R"({"spec":{"replicas":3,"selector":{"matchLabels":{"a":"b"}}}})"));
}

}  // namespace
}  // namespace skiff
