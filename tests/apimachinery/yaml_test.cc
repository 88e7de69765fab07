#include "apimachinery/yaml.h"

#include <gtest/gtest.h>

#include <random>

namespace skiff {
namespace {

json::value parse(std::string_view text) {
  json::value v;
  std::string err;
  EXPECT_TRUE(parse_json(text, v, err)) << err;
  return v;
}

// The value of "v" in the one-key document "v: <scalar>".
json::value scalar(const std::string& text) {
  auto r = yaml_to_json("v: " + text + "\n");
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.error().message);
  if (!r.ok() || !r->is_object()) return json::value("<error>");
  return r->as_object().at("v");
}

TEST(YamlScalars, Table) {
  const std::pair<const char*, const char*> cases[] = {
      // nulls
      {"", "null"},
      {"~", "null"},
      {"null", "null"},
      {"Null", "null"},
      {"NULL", "null"},
      {"nULL", "\"nULL\""},
      // booleans, YAML 1.1 spellings as go-yaml v2 accepts them
      {"true", "true"},
      {"True", "true"},
      {"TRUE", "true"},
      {"false", "false"},
      {"yes", "true"},
      {"Yes", "true"},
      {"no", "false"},
      {"NO", "false"},
      {"on", "true"},
      {"Off", "false"},
      {"y", "true"},
      {"n", "false"},
      {"tRUE", "\"tRUE\""},
      // integers
      {"0", "0"},
      {"42", "42"},
      {"-17", "-17"},
      {"+5", "5"},
      {"0x1F", "31"},
      {"0X1f", "31"},
      {"-0x10", "-16"},
      {"0o17", "15"},
      {"017", "15"},
      {"0b101", "5"},
      {"1_000", "1000"},
      {"9223372036854775807", "9223372036854775807"},
      {"-9223372036854775808", "-9223372036854775808"},
      {"18446744073709551615", "18446744073709551615"},
      // floats (integral ones come out as integers, as after the API server's JSON round trip)
      {"1.5", "1.5"},
      {"-0.25", "-0.25"},
      {".5", "0.5"},
      {"+.5", "0.5"},
      {"1e3", "1000"},
      {"3.0", "3"},
      {"2.5e-1", "0.25"},
      {"08", "8"},
      {"1e30", "1E30"},
      {"99999999999999999999", "1E20"},
      // strings
      {"hello", "\"hello\""},
      {"1e400", "\"1e400\""},
      {"1.2.3", "\"1.2.3\""},
      {"0x", "\"0x\""},
      {"-x", "\"-x\""},
      {"+", "\"+\""},
      {"2001-12-14", "\"2001-12-14\""},
      {"2001-12-14T21:59:43.10-05:00", "\"2001-12-14T21:59:43.10-05:00\""},
      {"12:30", "\"12:30\""},
      {"1_000.5x", "\"1_000.5x\""},
      {"<<", "\"<<\""},
      {"a b  c", "\"a b  c\""},
      {"'yes'", "\"yes\""},
      {"\"123\"", "\"123\""},
      {"\"null\"", "\"null\""},
      {"''", "\"\""},
      {"\"\"", "\"\""},
      {"\"a\\tb\"", "\"a\\tb\""},
      {"!!str 123", "\"123\""},
      {"!!str true", "\"true\""},
      {"!!int \"7\"", "7"},
      {"!!float 1", "1"},
      {"!!float 1.5", "1.5"},
      {"!!bool yes", "true"},
      {"!!null ~", "null"},
      {"!custom 12", "\"12\""},
      {"!!timestamp 2001-12-14", "\"2001-12-14\""},
      {"|\n  line1\n  line2\n", "\"line1\\nline2\\n\""},
      {">-\n  folded\n  text\n", "\"folded text\""},
  };
  for (const auto& [text, want] : cases) {
    json::value got = scalar(text);
    EXPECT_EQ(got, parse(want)) << "v: " << text << " gave " << json::serialize(got);
  }
  // Types, not just text.
  EXPECT_TRUE(scalar("42").is_int64());
  EXPECT_TRUE(scalar("1.5").is_double());
  EXPECT_TRUE(scalar("3.0").is_int64());
  EXPECT_TRUE(scalar("18446744073709551615").is_uint64());
}

TEST(YamlScalars, TagMismatchIsAnError) {
  auto r = yaml_to_json("v: !!int abc\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, 400);
  EXPECT_NE(r.error().message.find("cannot decode !!str `abc` as a !!int"), std::string::npos)
      << r.error().message;
}

TEST(YamlScalars, NonFiniteFloatsAreRejected) {
  for (const char* text : {".nan", ".inf", "-.Inf", "+.INF"}) {
    auto r = yaml_to_json(std::string("v: ") + text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_NE(r.error().message.find("json: unsupported value"), std::string::npos);
  }
}

TEST(YamlDocuments, NestedObject) {
  auto r = yaml_to_json(R"(
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    app: web
    "on": "yes"
spec:
  containers:
  - name: nginx
    image: nginx:1.25
    ports:
    - containerPort: 80
    args: ["a", 1, true, null]
    env: []
  nodeSelector: {}
)");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, parse(R"({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "web", "labels": {"app": "web", "on": "yes"}},
    "spec": {
      "containers": [{"name": "nginx", "image": "nginx:1.25", "ports": [{"containerPort": 80}],
                      "args": ["a", 1, true, null], "env": []}],
      "nodeSelector": {}
    }})"));
}

TEST(YamlDocuments, JsonIsYaml) {
  auto r = yaml_to_json(R"({"a": [1, 2.5, "x", false, null], "b": {"c": {}}})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, parse(R"({"a": [1, 2.5, "x", false, null], "b": {"c": {}}})"));
}

TEST(YamlDocuments, TopLevelShapes) {
  EXPECT_EQ(*yaml_to_json("- 1\n- two\n"), parse(R"([1, "two"])"));
  EXPECT_EQ(*yaml_to_json("hello"), json::value("hello"));
  EXPECT_EQ(*yaml_to_json("12"), json::value(12));
}

TEST(YamlDocuments, KeysBecomeStrings) {
  auto r = yaml_to_json("1: a\n0x10: b\n1.5: c\nyes: d\nOff: e\n'y': f\nkey: g\n1e6: h\n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, parse(R"({"1": "a", "16": "b", "1.5": "c", "true": "d", "false": "e",
                          "y": "f", "key": "g", "1e+06": "h"})"));
}

TEST(YamlDocuments, UnsupportedKeys) {
  for (const char* text : {"~: a\n", "null: a\n", "? [a, b]\n: c\n", "? {a: 1}\n: c\n"}) {
    auto r = yaml_to_json(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_NE(r.error().message.find("unsupported map key"), std::string::npos) << text;
  }
}

TEST(YamlDocuments, DuplicateKeysLastWins) {
  auto r = yaml_to_json("a: 1\na: 2\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, parse(R"({"a": 2})"));
}

TEST(YamlDocuments, EmptyDocuments) {
  for (const char* text :
       {"", "   \n", "# just a comment\n", "---\n", "---\n...\n", "--- \n---\n"}) {
    auto r = yaml_to_json(text);
    ASSERT_TRUE(r.ok()) << text << ": " << r.error().message;
    EXPECT_TRUE(r->is_null()) << text;
  }
  // A stray separator around one document is tolerated.
  EXPECT_EQ(*yaml_to_json("---\na: 1\n"), parse(R"({"a": 1})"));
  EXPECT_EQ(*yaml_to_json("a: 1\n---\n"), parse(R"({"a": 1})"));
  EXPECT_EQ(*yaml_to_json("a: 1\n...\n"), parse(R"({"a": 1})"));
}

TEST(YamlDocuments, MultipleDocumentsAreAnError) {
  for (const char* text : {"a: 1\n---\nb: 2\n", "--- 1\n--- 2\n", "a: 1\n---\n---\nb: 2\n"}) {
    auto r = yaml_to_json(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().code, 400);
    EXPECT_EQ(r.error().reason, "BadRequest");
    EXPECT_NE(r.error().message.find("more than one"), std::string::npos) << r.error().message;
  }
}

TEST(YamlAnchors, AliasesAndMergeKeys) {
  auto r = yaml_to_json(R"(
base: &base
  image: nginx
  pull: Always
extra: &extra
  port: 80
  pull: Never
plain: *base
merged:
  <<: *base
  pull: IfNotPresent
multi:
  <<: [*base, *extra]
list: &l [1, 2]
again: *l
inline:
  <<: {a: 1}
  b: 2
)");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, parse(R"({
    "base": {"image": "nginx", "pull": "Always"},
    "extra": {"port": 80, "pull": "Never"},
    "plain": {"image": "nginx", "pull": "Always"},
    "merged": {"image": "nginx", "pull": "IfNotPresent"},
    "multi": {"image": "nginx", "pull": "Always", "port": 80},
    "list": [1, 2],
    "again": [1, 2],
    "inline": {"a": 1, "b": 2}
  })"));
}

TEST(YamlAnchors, QuotedMergeKeyIsAPlainKey) {
  auto r = yaml_to_json("'<<': {a: 1}\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, parse(R"({"<<": {"a": 1}})"));
}

TEST(YamlAnchors, SelfReferenceIsAnError) {
  for (const char* text : {"a: &x [1, *x]\n", "a: &x {b: *x}\n"}) {
    auto r = yaml_to_json(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_NE(r.error().message.find("anchor value contains itself"), std::string::npos)
        << r.error().message;
  }
}

TEST(YamlAnchors, BadMergeValue) {
  for (const char* text : {"a:\n  <<: 1\n", "a:\n  <<: [1]\n"}) {
    auto r = yaml_to_json(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_NE(r.error().message.find("map merge requires map or sequence of maps"),
              std::string::npos);
  }
}

TEST(YamlAnchors, ExcessiveAliasingIsRefused) {
  std::string doc = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 10; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    doc += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + prev;
    for (int j = 1; j < 10; ++j) doc += ", " + prev;
    doc += "]\n";
  }
  auto r = yaml_to_json(doc);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, 400);
  EXPECT_NE(r.error().message.find("excessive aliasing"), std::string::npos);
}

TEST(YamlErrors, MalformedInputReportsLine) {
  const std::pair<const char*, const char*> cases[] = {
      {"a: 1\nb: [1, 2\n", "line "},
      {"a: b: c\n", "line 1: "},
      {"a: 1\n  b: 2\nc: 3\n", "line 2: "},
      {"a: *missing\n", "line 1: "},
      {"a: [1, 2]]\n", "line 1: "},
      {"a: 'x' y\n", "line 1: "},
      {"- a\nb: c\n", "line 2: "},
      {"{a: 1\n", "line "},
      {"a:\n\t- b\n", "line "},
  };
  for (const auto& [text, where] : cases) {
    auto r = yaml_to_json(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().code, 400) << text;
    EXPECT_EQ(r.error().message.rfind("error converting YAML to JSON: yaml: ", 0), 0u)
        << r.error().message;
    EXPECT_NE(r.error().message.find(where), std::string::npos) << text << r.error().message;
  }
}

TEST(YamlErrors, DeepNestingIsAnErrorNotACrash) {
  std::string deep(100000, '[');
  auto r = yaml_to_json(deep);
  EXPECT_FALSE(r.ok());
  std::string deep_map;
  for (int i = 0; i < 5000; ++i) deep_map += "{a: ";
  EXPECT_FALSE(yaml_to_json(deep_map).ok());
}

TEST(YamlErrors, RandomInputNeverThrows) {
  const std::string alphabet = "ab:- \n\t[]{},&*!|>'\"#?%@`~<1.0x";
  std::mt19937 rng(4242);
  int ok = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    size_t n = rng() % 40;
    for (size_t j = 0; j < n; ++j) s += alphabet[rng() % alphabet.size()];
    Result<json::value> r = json::value();
    EXPECT_NO_THROW(r = yaml_to_json(s)) << s;
    if (r.ok()) {
      ++ok;
    } else {
      EXPECT_EQ(r.error().code, 400) << s;
    }
  }
  EXPECT_GT(ok, 0);
  for (const char* stuck : {",", ",a", " ,0||]~~]", "a: 1\n---\n,\n"}) {
    auto r = yaml_to_json(stuck);
    EXPECT_FALSE(r.ok()) << stuck;
  }
  std::string binary("a: \0\xff\xfe\n", 9);
  EXPECT_NO_THROW(yaml_to_json(binary));
}

}  // namespace
}  // namespace skiff
