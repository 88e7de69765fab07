#include "apimachinery/selectors.h"

#include <gtest/gtest.h>

#include <random>

namespace skiff {
namespace {

using Labels = std::map<std::string, std::string>;

json::value parse(std::string_view text) {
  json::value v;
  std::string err;
  EXPECT_TRUE(parse_json(text, v, err)) << err;
  return v;
}

// ---- label selector: parsing and canonical form ----

struct ParseCase {
  const char* input;
  const char* canonical;
};

TEST(LabelSelectorParse, ValidInputsAndCanonicalForm) {
  const ParseCase cases[] = {
      {"", ""},
      {"   ", ""},
      {"a=b", "a=b"},
      {"a==b", "a=b"},
      {"a!=b", "a!=b"},
      {"a=", "a="},
      {"a==", "a="},
      {"a!=", "a!="},
      {"a", "a"},
      {"!a", "!a"},
      {" ! a ", "!a"},
      {"a in (x,y)", "a in (x,y)"},
      {"a in (y, x ,x)", "a in (x,y)"},
      {"a notin (z)", "a notin (z)"},
      {"a in ()", "a in ()"},
      {"a in (,x)", "a in (,x)"},
      {"a in (x,)", "a in (,x)"},
      {"a in (x,,y)", "a in (,x,y)"},
      {"a in(x)", "a in (x)"},
      {"z=1,a=2", "a=2,z=1"},
      {"  a = b ,  c != d  ", "a=b,c!=d"},
      {"x in (a),!y,z,w notin (b)", "w notin (b),x in (a),!y,z"},
      {"example.com/app=web", "example.com/app=web"},
      {"app.kubernetes.io/name in (nginx)", "app.kubernetes.io/name in (nginx)"},
      {"in=notin", "in=notin"},  // keywords are plain identifiers where a key or value goes
      {"a in (in,notin)", "a in (in,notin)"},
      {"a=b\t,\nc", "a=b,c"},
      {"a>1", "a>1"},
      {"a<10,b", "a<10,b"},
      {"A_b.c-D=X_y.Z-1", "A_b.c-D=X_y.Z-1"},
  };
  for (const auto& c : cases) {
    auto sel = LabelSelector::parse(c.input);
    ASSERT_TRUE(sel.ok()) << c.input << ": " << sel.error().message;
    EXPECT_EQ(sel->to_string(), c.canonical) << c.input;
    // The canonical form parses back to itself.
    auto again = LabelSelector::parse(sel->to_string());
    ASSERT_TRUE(again.ok()) << c.canonical;
    EXPECT_EQ(again->to_string(), c.canonical);
  }
}

TEST(LabelSelectorParse, Requirements) {
  auto sel = LabelSelector::parse("b in (y,x),a");
  ASSERT_TRUE(sel.ok());
  ASSERT_EQ(sel->requirements().size(), 2u);
  EXPECT_EQ(sel->requirements()[0].key, "a");
  EXPECT_EQ(sel->requirements()[0].op, LabelSelector::Op::kExists);
  EXPECT_TRUE(sel->requirements()[0].values.empty());
  EXPECT_EQ(sel->requirements()[1].key, "b");
  EXPECT_EQ(sel->requirements()[1].op, LabelSelector::Op::kIn);
  EXPECT_EQ(sel->requirements()[1].values, (std::vector<std::string>{"x", "y"}));
  EXPECT_FALSE(sel->empty());
  EXPECT_TRUE(LabelSelector::parse("")->empty());
}

struct ErrorCase {
  const char* input;
  const char* message;  // exact message, or a substring when `exact` is false
  bool exact;
};

TEST(LabelSelectorParse, Errors) {
  const ErrorCase cases[] = {
      {"a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt",
       true},
      {"a=b c", "found 'c', expected: ',' or 'end of string'", true},
      {"a=b,", "found '', expected: identifier after ','", true},
      {"a=b,,c", "found ',', expected: identifier after ','", true},
      {",a", "found ',', expected: !, identifier, or 'end of string'", true},
      {"=b", "found '=', expected: !, identifier, or 'end of string'", true},
      {"!", "unable to parse requirement: found '', expected: identifier", true},
      {"!=a", "found '!=', expected: !, identifier, or 'end of string'", true},
      {"!a=b", "found '=', expected: ',' or 'end of string'", true},
      {"a in b", "unable to parse requirement: found 'b' expected: '('", true},
      {"a in (b", "unable to parse requirement: found '', expected: ',' or ')'", true},
      {"a in (b c)", "unable to parse requirement: found 'c', expected: ',' or ')'", true},
      {"a in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier",
       true},
      {"a in", "unable to parse requirement: found '' expected: '('", true},
      {"a=(b)", "unable to parse requirement: found '(', expected: identifier", true},
      {"a==b==c", "found '==', expected: ',' or 'end of string'", true},
      {"a>=1", "unable to parse requirement: found '=', expected: identifier", true},
      {"a>x", "for 'Gt', 'Lt' operators, the value must be an integer", false},
      {"a b=c", "found 'b'", false},
      {"a=b!", "found '!', expected: ',' or 'end of string'", true},
      // keys
      {"-a=b", "unable to parse requirement: key: Invalid value: \"-a\": name part must consist of "
               "alphanumeric characters, '-', '_' or '.', and must start and end with an "
               "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used "
               "for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')", true},
      {"a-=b", "name part must consist of", false},
      {"/a=b", "prefix part must be non-empty", false},
      {"a/=b", "name part must be non-empty", false},
      {"Example.com/a=b", "prefix part a lowercase RFC 1123 subdomain", false},
      {"a/b/c=d", "a qualified name must consist of", false},
      {"a*b", "name part must consist of", false},
      {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=b",  // 64 chars
       "name part must be no more than 63 characters", false},
      // values
      {"a=-b", "unable to parse requirement: values[0][a]: Invalid value: \"-b\": a valid label "
               "must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
               "and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
               "'my_value',  or '12345', regex used for validation is "
               "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')", true},
      {"a in (ok,b*d)", "values[1][a]: Invalid value: \"b*d\"", false},
      {"a=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
       "must be no more than 63 characters", false},
  };
  for (const auto& c : cases) {
    auto sel = LabelSelector::parse(c.input);
    ASSERT_FALSE(sel.ok()) << c.input << " parsed as " << sel->to_string();
    EXPECT_EQ(sel.error().code, 400) << c.input;
    EXPECT_EQ(sel.error().reason, "BadRequest") << c.input;
    if (c.exact) {
      EXPECT_EQ(sel.error().message, c.message) << c.input;
    } else {
      EXPECT_NE(sel.error().message.find(c.message), std::string::npos)
          << c.input << ": " << sel.error().message;
    }
  }
}

TEST(LabelSelectorParse, BoundaryLengths) {
  std::string name63(63, 'a');
  std::string prefix253;
  while (prefix253.size() < 253) prefix253 += prefix253.empty() ? "a" : ".a";
  prefix253.resize(253);
  EXPECT_TRUE(LabelSelector::parse(name63 + "=" + name63).ok());
  EXPECT_TRUE(LabelSelector::parse(prefix253 + "/" + name63).ok());
  EXPECT_FALSE(LabelSelector::parse(prefix253 + "a/" + name63).ok());
}

// ---- label selector: matching ----

struct MatchCase {
  const char* selector;
  Labels labels;
  bool matches;
};

TEST(LabelSelectorMatch, Table) {
  const MatchCase cases[] = {
      {"", {}, true},
      {"", {{"a", "b"}}, true},
      {"a=b", {{"a", "b"}}, true},
      {"a=b", {{"a", "c"}}, false},
      {"a=b", {}, false},
      {"a==b", {{"a", "b"}, {"x", "y"}}, true},
      {"a=", {{"a", ""}}, true},
      {"a=", {}, false},
      {"a!=b", {{"a", "c"}}, true},
      {"a!=b", {{"a", "b"}}, false},
      {"a!=b", {}, true},  // upstream: != matches objects without the key
      {"a in (x,y)", {{"a", "y"}}, true},
      {"a in (x,y)", {{"a", "z"}}, false},
      {"a in (x,y)", {}, false},
      {"a in (,x)", {{"a", ""}}, true},
      {"a notin (x,y)", {{"a", "z"}}, true},
      {"a notin (x,y)", {{"a", "x"}}, false},
      {"a notin (x,y)", {}, true},
      {"a", {{"a", ""}}, true},
      {"a", {{"b", "a"}}, false},
      {"!a", {{"b", "a"}}, true},
      {"!a", {{"a", ""}}, false},
      {"a=b,c=d", {{"a", "b"}, {"c", "d"}}, true},
      {"a=b,c=d", {{"a", "b"}}, false},
      {"a=b,!c", {{"a", "b"}}, true},
      {"a>1", {{"a", "2"}}, true},
      {"a>1", {{"a", "1"}}, false},
      {"a>1", {{"a", "x"}}, false},
      {"a>1", {}, false},
      {"a<1", {{"a", "-5"}}, true},
      {"example.com/x=y", {{"example.com/x", "y"}}, true},
  };
  for (const auto& c : cases) {
    auto sel = LabelSelector::parse(c.selector);
    ASSERT_TRUE(sel.ok()) << c.selector;
    EXPECT_EQ(sel->matches(c.labels), c.matches) << c.selector;
    json::object obj;
    for (const auto& [k, v] : c.labels) obj[k] = v;
    EXPECT_EQ(sel->matches(&obj), c.matches) << c.selector << " (json)";
  }
}

TEST(LabelSelectorMatch, NullLabelsObject) {
  EXPECT_TRUE(LabelSelector::parse("")->matches(static_cast<const json::object*>(nullptr)));
  EXPECT_TRUE(LabelSelector::parse("a!=b")->matches(static_cast<const json::object*>(nullptr)));
  EXPECT_TRUE(LabelSelector::parse("!a")->matches(static_cast<const json::object*>(nullptr)));
  EXPECT_FALSE(LabelSelector::parse("a")->matches(static_cast<const json::object*>(nullptr)));
}

// ---- label selector: metav1.LabelSelector ----

TEST(LabelSelectorFromJson, NullAndEmpty) {
  auto none = LabelSelector::from_json(nullptr);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->empty());
  EXPECT_FALSE(none->matches(Labels{}));
  EXPECT_FALSE(none->matches(Labels{{"a", "b"}}));

  json::value null_value = nullptr;
  auto null_sel = LabelSelector::from_json(&null_value);
  ASSERT_TRUE(null_sel.ok());
  EXPECT_FALSE(null_sel->matches(Labels{}));

  json::value empty = parse("{}");
  auto all = LabelSelector::from_json(&empty);
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->empty());
  EXPECT_TRUE(all->matches(Labels{}));
  EXPECT_TRUE(all->matches(Labels{{"a", "b"}}));

  json::value empty_lists = parse(R"({"matchLabels":{},"matchExpressions":[]})");
  EXPECT_TRUE(LabelSelector::from_json(&empty_lists)->matches(Labels{}));
}

TEST(LabelSelectorFromJson, LabelsAndExpressions) {
  json::value v = parse(R"({
    "matchLabels": {"app": "web", "tier": "front"},
    "matchExpressions": [
      {"key": "env", "operator": "In", "values": ["prod", "staging"]},
      {"key": "canary", "operator": "DoesNotExist"},
      {"key": "zone", "operator": "NotIn", "values": ["b"]},
      {"key": "release", "operator": "Exists", "values": []}
    ]})");
  auto sel = LabelSelector::from_json(&v);
  ASSERT_TRUE(sel.ok()) << sel.error().message;
  EXPECT_EQ(sel->to_string(),
            "app=web,!canary,env in (prod,staging),release,tier=front,zone notin (b)");
  Labels good{{"app", "web"}, {"tier", "front"}, {"env", "prod"}, {"release", "1"}};
  EXPECT_TRUE(sel->matches(good));
  Labels canary = good;
  canary["canary"] = "true";
  EXPECT_FALSE(sel->matches(canary));
  Labels zone_b = good;
  zone_b["zone"] = "b";
  EXPECT_FALSE(sel->matches(zone_b));
  Labels dev = good;
  dev["env"] = "dev";
  EXPECT_FALSE(sel->matches(dev));
}

TEST(LabelSelectorFromJson, Errors) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"matchExpressions":[{"key":"a","operator":"In"}]})",
       "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty"},
      {R"({"matchExpressions":[{"key":"a","operator":"NotIn","values":[]}]})",
       "values set can't be empty"},
      {R"({"matchExpressions":[{"key":"a","operator":"Exists","values":["x"]}]})",
       "values: Invalid value: []string{\"x\"}: values set must be empty for exists and does not "
       "exist"},
      {R"({"matchExpressions":[{"key":"a","operator":"DoesNotExist","values":["x"]}]})",
       "values set must be empty"},
      {R"({"matchExpressions":[{"key":"a","operator":"Gt","values":["1"]}]})",
       "\"Gt\" is not a valid label selector operator"},
      {R"({"matchExpressions":[{"key":"a"}]})", "\"\" is not a valid label selector operator"},
      {R"({"matchExpressions":[{"key":"-a","operator":"Exists"}]})",
       "key: Invalid value: \"-a\""},
      {R"({"matchLabels":{"a":"-b"}})", "values[0][a]: Invalid value: \"-b\""},
      {R"({"matchLabels":{"":"b"}})", "name part must be non-empty"},
      {R"({"matchLabels":{"a":1}})", "must be a string"},
      {R"({"matchLabels":[]})", "matchLabels must be an object"},
      {R"({"matchExpressions":{}})", "matchExpressions must be an array"},
      {R"({"matchExpressions":[1]})", "must be objects"},
      {R"({"matchExpressions":[{"key":"a","operator":"In","values":[1]}]})", "must be strings"},
      {R"("a=b")", "label selector must be an object"},
  };
  for (const auto& [text, message] : cases) {
    json::value v = parse(text);
    auto sel = LabelSelector::from_json(&v);
    ASSERT_FALSE(sel.ok()) << text;
    EXPECT_EQ(sel.error().code, 400);
    EXPECT_NE(sel.error().message.find(message), std::string::npos)
        << text << ": " << sel.error().message;
  }
}

TEST(LabelSelectorFromJson, SeveralErrorsAreAggregated) {
  json::value v = parse(R"({"matchExpressions":[{"key":"-a","operator":"In"}]})");
  auto sel = LabelSelector::from_json(&v);
  ASSERT_FALSE(sel.ok());
  EXPECT_EQ(sel.error().message.front(), '[');
  EXPECT_NE(sel.error().message.find("key: Invalid value"), std::string::npos);
  EXPECT_NE(sel.error().message.find("values set can't be empty"), std::string::npos);
}

// ---- field selectors ----

TEST(FieldSelectorParse, Valid) {
  struct Case {
    const char* input;
    std::vector<FieldSelector::Requirement> reqs;
    const char* canonical;
  };
  const Case cases[] = {
      {"", {}, ""},
      {"a=b", {{"a", true, "b"}}, "a=b"},
      {"a==b", {{"a", true, "b"}}, "a=b"},
      {"a!=b", {{"a", false, "b"}}, "a!=b"},
      {"a=", {{"a", true, ""}}, "a="},
      {"metadata.name=x,status.phase!=Running",
       {{"metadata.name", true, "x"}, {"status.phase", false, "Running"}},
       "metadata.name=x,status.phase!=Running"},
      {"a=b,,c=d,", {{"a", true, "b"}, {"c", true, "d"}}, "a=b,c=d"},
      {"a=x\\,y", {{"a", true, "x,y"}}, "a=x\\,y"},
      {"a=x\\=y", {{"a", true, "x=y"}}, "a=x\\=y"},
      {"a=x\\\\y", {{"a", true, "x\\y"}}, "a=x\\\\y"},
      {"a=b!c", {{"a", true, "b!c"}}, "a=b!c"},
      {"a!=!b", {{"a", false, "!b"}}, "a!=!b"},
      {"a\\=b=c", {{"a\\=b", true, "c"}}, "a\\=b=c"},  // escapes keep '=' out of the field name
      {"a==", {{"a", true, ""}}, "a="},
  };
  for (const auto& c : cases) {
    auto sel = FieldSelector::parse(c.input);
    ASSERT_TRUE(sel.ok()) << c.input << ": " << sel.error().message;
    ASSERT_EQ(sel->requirements().size(), c.reqs.size()) << c.input;
    for (size_t i = 0; i < c.reqs.size(); ++i) {
      EXPECT_EQ(sel->requirements()[i].field, c.reqs[i].field) << c.input;
      EXPECT_EQ(sel->requirements()[i].equals, c.reqs[i].equals) << c.input;
      EXPECT_EQ(sel->requirements()[i].value, c.reqs[i].value) << c.input;
    }
    EXPECT_EQ(sel->to_string(), c.canonical) << c.input;
  }
}

TEST(FieldSelectorParse, Errors) {
  const std::pair<const char*, const char*> cases[] = {
      {"a", "invalid selector: 'a'; can't understand 'a'"},
      {"a=b,c", "invalid selector: 'a=b,c'; can't understand 'c'"},
      {"a\\=b", "invalid selector: 'a\\=b'; can't understand 'a\\=b'"},
      {"a=b=c", "invalid field selector: unescaped character in value: ="},
      {"a==b=c", "invalid field selector: unescaped character in value: ="},
      {"a=b\\", "invalid field selector: invalid escape sequence: \\"},
      {"a=b\\x", "invalid field selector: invalid escape sequence: \\x"},
      {"a=b\\!", "invalid field selector: invalid escape sequence: \\!"},
  };
  for (const auto& [input, message] : cases) {
    auto sel = FieldSelector::parse(input);
    ASSERT_FALSE(sel.ok()) << input;
    EXPECT_EQ(sel.error().code, 400);
    EXPECT_EQ(sel.error().message, message) << input;
  }
}

TEST(FieldSelectorMatch, Table) {
  const std::map<std::string, std::string> fields{
      {"metadata.name", "web-1"}, {"metadata.namespace", "default"}, {"status.phase", ""}};
  const std::pair<const char*, bool> cases[] = {
      {"", true},
      {"metadata.name=web-1", true},
      {"metadata.name==web-1", true},
      {"metadata.name=web-2", false},
      {"metadata.name!=web-2", true},
      {"metadata.name!=web-1", false},
      {"metadata.name=web-1,metadata.namespace=default", true},
      {"metadata.name=web-1,metadata.namespace=kube-system", false},
      {"status.phase=", true},
      {"status.phase!=", false},
      {"spec.nodeName=x", false},   // unknown fields never match
      {"spec.nodeName!=x", false},
  };
  for (const auto& [input, want] : cases) {
    auto sel = FieldSelector::parse(input);
    ASSERT_TRUE(sel.ok()) << input;
    EXPECT_EQ(sel->matches(fields), want) << input;
  }
}

TEST(FieldSelector, CheckSupportedAndExact) {
  auto sel = FieldSelector::parse("metadata.name=a,spec.nodeName!=b,metadata.namespace==ns");
  ASSERT_TRUE(sel.ok());
  EXPECT_TRUE(sel->check_supported({"metadata.name", "metadata.namespace", "spec.nodeName"}).ok());
  auto st = sel->check_supported({"metadata.name", "metadata.namespace"});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, 400);
  EXPECT_EQ(st.error().message, "field label not supported: spec.nodeName");

  ASSERT_NE(sel->exact("metadata.name"), nullptr);
  EXPECT_EQ(*sel->exact("metadata.name"), "a");
  ASSERT_NE(sel->exact("metadata.namespace"), nullptr);
  EXPECT_EQ(*sel->exact("metadata.namespace"), "ns");
  EXPECT_EQ(sel->exact("spec.nodeName"), nullptr);  // != is not an exact match
  EXPECT_EQ(sel->exact("status.phase"), nullptr);
  EXPECT_TRUE(FieldSelector::parse("")->empty());
}

// ---- robustness ----

TEST(Selectors, RandomInputNeverCrashes) {
  const std::string alphabet = "ab=!(),<> \t\\in notin-._/Z9";
  std::mt19937 rng(12345);
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    size_t n = rng() % 24;
    for (size_t j = 0; j < n; ++j) s += alphabet[rng() % alphabet.size()];
    auto l = LabelSelector::parse(s);
    if (l.ok()) {
      // Whatever parses has a canonical form that parses to the same thing.
      auto again = LabelSelector::parse(l->to_string());
      ASSERT_TRUE(again.ok()) << s << " -> " << l->to_string();
      EXPECT_EQ(again->to_string(), l->to_string()) << s;
      l->matches(Labels{{"a", "b"}});
    } else {
      EXPECT_EQ(l.error().code, 400);
    }
    auto f = FieldSelector::parse(s);
    if (f.ok()) {
      auto again = FieldSelector::parse(f->to_string());
      ASSERT_TRUE(again.ok()) << s << " -> " << f->to_string();
      EXPECT_EQ(again->to_string(), f->to_string()) << s;
    } else {
      EXPECT_EQ(f.error().code, 400);
    }
  }
  std::string with_nul("a=b\0c", 5);
  EXPECT_FALSE(LabelSelector::parse(with_nul).ok());
}

}  // namespace
}  // namespace skiff
