// Taints against tolerations and node selector terms / required node affinity
// (apimachinery/node_matching.h), as the scheduler and the node controllers share them.
#include "apimachinery/node_matching.h"

#include <gtest/gtest.h>

namespace skiff {
namespace {

using Labels = std::map<std::string, std::string>;

json::value parse(std::string_view text) { return json::parse(text); }  // throws: test fails

Taint taint(std::string key, std::string effect, std::string value = "") {
  return Taint{std::move(key), std::move(value), std::move(effect)};
}

Toleration tol(std::string key, std::string op, std::string value, std::string effect) {
  return Toleration{std::move(key), std::move(op), std::move(value), std::move(effect)};
}

// ---- tolerations ----

TEST(Tolerations, MatchLikeUpstream) {
  Taint t = taint("node.kubernetes.io/unreachable", "NoExecute");
  EXPECT_TRUE(tol("node.kubernetes.io/unreachable", "Exists", "", "NoExecute").tolerates(t));
  EXPECT_TRUE(tol("node.kubernetes.io/unreachable", "Exists", "", "").tolerates(t));  // any effect
  EXPECT_TRUE(tol("", "Exists", "", "").tolerates(t));  // tolerates everything
  EXPECT_TRUE(tol("", "Exists", "", "NoExecute").tolerates(t));
  EXPECT_FALSE(tol("", "Exists", "", "NoSchedule").tolerates(t));
  EXPECT_FALSE(tol("", "Equal", "", "").tolerates(t));  // empty key needs Exists
  EXPECT_FALSE(tol("node.kubernetes.io/unreachable", "Exists", "", "NoSchedule").tolerates(t));
  EXPECT_FALSE(tol("node.kubernetes.io/not-ready", "Exists", "", "NoExecute").tolerates(t));

  Taint v = taint("dedicated", "NoSchedule", "gpu");
  EXPECT_TRUE(tol("dedicated", "Equal", "gpu", "NoSchedule").tolerates(v));
  EXPECT_TRUE(tol("dedicated", "", "gpu", "").tolerates(v));  // operator defaults to Equal
  EXPECT_TRUE(tol("dedicated", "Exists", "", "").tolerates(v));  // Exists ignores the value
  EXPECT_FALSE(tol("dedicated", "Equal", "cpu", "NoSchedule").tolerates(v));
  EXPECT_FALSE(tol("dedicated", "Equal", "", "NoSchedule").tolerates(v));
  EXPECT_FALSE(tol("other", "Equal", "gpu", "NoSchedule").tolerates(v));
  EXPECT_FALSE(tol("dedicated", "Bogus", "gpu", "NoSchedule").tolerates(v));  // unknown operator
  // A taint without a value matches Equal with an empty value.
  EXPECT_TRUE(tol("k", "Equal", "", "").tolerates(taint("k", "NoSchedule")));
  // Default-constructed operator is Equal.
  Toleration d;
  d.key = "dedicated";
  d.value = "gpu";
  EXPECT_TRUE(d.tolerates(v));
}

TEST(Tolerations, ParsedFromObjects) {
  auto node = parse(R"({"spec":{"taints":[
      {"key":"a","value":"1","effect":"NoSchedule"},
      {"key":"node.kubernetes.io/unreachable","effect":"NoExecute","timeAdded":"2024-01-01T00:00:10Z"}]}})");
  auto ts = parse_taints(find_path(node, {"spec", "taints"}));
  ASSERT_EQ(ts.size(), 2u);
  EXPECT_EQ(ts[0].key, "a");
  EXPECT_EQ(ts[0].value, "1");
  EXPECT_EQ(ts[0].effect, "NoSchedule");
  EXPECT_FALSE(ts[0].time_added);
  ASSERT_TRUE(ts[1].time_added);
  EXPECT_EQ(*ts[1].time_added, *parse_rfc3339("2024-01-01T00:00:10Z"));

  auto pod = parse(R"({"spec":{"tolerations":[
      {"key":"k","operator":"Exists","effect":"NoExecute","tolerationSeconds":30},{"key":"x"}]}})");
  auto tols = parse_tolerations(find_path(pod, {"spec", "tolerations"}));
  ASSERT_EQ(tols.size(), 2u);
  EXPECT_EQ(tols[0].op, "Exists");
  EXPECT_EQ(tols[0].seconds, 30);
  EXPECT_EQ(tols[1].op, "Equal");
  EXPECT_FALSE(tols[1].seconds);

  EXPECT_TRUE(parse_taints(nullptr).empty());
  json::value not_array = parse(R"({"a":1})");
  EXPECT_TRUE(parse_tolerations(&not_array).empty());
}

TEST(Tolerations, FindUntolerated) {
  std::vector<Taint> taints{taint("soft", "PreferNoSchedule"), taint("a", "NoSchedule", "1"),
                            taint("b", "NoExecute")};
  std::vector<Toleration> none;
  const Taint* t = find_untolerated(taints, none, {"NoSchedule", "NoExecute"});
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->key, "a");  // the first one with a listed effect
  t = find_untolerated(taints, none, {"NoExecute"});
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->key, "b");
  EXPECT_EQ(find_untolerated(taints, none, {"Other"}), nullptr);

  std::vector<Toleration> some{tol("a", "Equal", "1", "NoSchedule")};
  t = find_untolerated(taints, some, {"NoSchedule", "NoExecute"});
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->key, "b");
  some.push_back(tol("b", "Exists", "", ""));
  EXPECT_EQ(find_untolerated(taints, some, {"NoSchedule", "NoExecute"}), nullptr);
  EXPECT_EQ(find_untolerated(taints, {tol("", "Exists", "", "")}, {"NoSchedule", "NoExecute"}),
            nullptr);
  EXPECT_EQ(find_untolerated({}, none, {"NoSchedule"}), nullptr);
}

// ---- node selector terms ----

NodeSelectorTerm term(std::string_view text) { return parse_node_selector_term(parse(text)); }

TEST(NodeSelectorTerm, Operators) {
  const Labels labels{{"zone", "a"}, {"cpus", "8"}, {"empty", ""}};
  auto m = [&](std::string_view expr) {
    return term(std::string(R"({"matchExpressions":[)") + std::string(expr) + "]}")
        .matches(labels, "n1");
  };
  EXPECT_TRUE(m(R"({"key":"zone","operator":"In","values":["a","b"]})"));
  EXPECT_FALSE(m(R"({"key":"zone","operator":"In","values":["b"]})"));
  EXPECT_FALSE(m(R"({"key":"missing","operator":"In","values":["a"]})"));
  EXPECT_TRUE(m(R"({"key":"zone","operator":"NotIn","values":["b"]})"));
  EXPECT_FALSE(m(R"({"key":"zone","operator":"NotIn","values":["a"]})"));
  EXPECT_TRUE(m(R"({"key":"missing","operator":"NotIn","values":["a"]})"));  // absent: not in
  EXPECT_TRUE(m(R"({"key":"zone","operator":"Exists"})"));
  EXPECT_TRUE(m(R"({"key":"empty","operator":"Exists"})"));
  EXPECT_FALSE(m(R"({"key":"missing","operator":"Exists"})"));
  EXPECT_TRUE(m(R"({"key":"missing","operator":"DoesNotExist"})"));
  EXPECT_FALSE(m(R"({"key":"zone","operator":"DoesNotExist"})"));
  EXPECT_TRUE(m(R"({"key":"cpus","operator":"Gt","values":["4"]})"));
  EXPECT_FALSE(m(R"({"key":"cpus","operator":"Gt","values":["8"]})"));
  EXPECT_TRUE(m(R"({"key":"cpus","operator":"Lt","values":["10"]})"));
  EXPECT_FALSE(m(R"({"key":"cpus","operator":"Lt","values":["8"]})"));
  EXPECT_TRUE(m(R"({"key":"cpus","operator":"Gt","values":["-3"]})"));
  EXPECT_TRUE(m(R"({"key":"cpus","operator":"Gt","values":["+3"]})"));
  // Gt/Lt: absent or non-integer labels, non-integer or several bounds never match.
  EXPECT_FALSE(m(R"({"key":"missing","operator":"Gt","values":["1"]})"));
  EXPECT_FALSE(m(R"({"key":"zone","operator":"Gt","values":["1"]})"));
  EXPECT_FALSE(m(R"({"key":"empty","operator":"Lt","values":["1"]})"));
  EXPECT_FALSE(m(R"({"key":"cpus","operator":"Gt","values":["4x"]})"));
  EXPECT_FALSE(m(R"({"key":"cpus","operator":"Gt","values":["1","2"]})"));
  EXPECT_FALSE(m(R"({"key":"cpus","operator":"Gt","values":["99999999999999999999"]})"));
  EXPECT_FALSE(m(R"({"key":"zone","operator":"Bogus","values":["a"]})"));
  // Requirements are ANDed.
  EXPECT_TRUE(m(R"({"key":"zone","operator":"In","values":["a"]},
                   {"key":"cpus","operator":"Gt","values":["4"]})"));
  EXPECT_FALSE(m(R"({"key":"zone","operator":"In","values":["a"]},
                    {"key":"cpus","operator":"Gt","values":["9"]})"));
}

TEST(NodeSelectorTerm, FieldsAndEmptyTerms) {
  const Labels labels{{"zone", "a"}};
  auto by_name = term(R"({"matchFields":[{"key":"metadata.name","operator":"In","values":["n1"]}]})");
  EXPECT_TRUE(by_name.matches(labels, "n1"));
  EXPECT_FALSE(by_name.matches(labels, "n2"));
  EXPECT_TRUE(term(R"({"matchFields":[{"key":"metadata.name","operator":"NotIn","values":["n2"]}]})")
                  .matches(labels, "n1"));
  // Only metadata.name is a node field.
  EXPECT_FALSE(term(R"({"matchFields":[{"key":"spec.podCIDR","operator":"NotIn","values":["x"]}]})")
                   .matches(labels, "n1"));
  // Fields and expressions of one term are ANDed.
  auto both = term(R"({"matchExpressions":[{"key":"zone","operator":"In","values":["a"]}],
                       "matchFields":[{"key":"metadata.name","operator":"In","values":["n1"]}]})");
  EXPECT_TRUE(both.matches(labels, "n1"));
  EXPECT_FALSE(both.matches(labels, "n2"));
  EXPECT_FALSE(both.matches({{"zone", "b"}}, "n1"));
  // A term without requirements matches nothing (upstream).
  EXPECT_FALSE(term("{}").matches(labels, "n1"));
  EXPECT_FALSE(term(R"({"matchExpressions":[],"matchFields":[]})").matches(labels, "n1"));
  EXPECT_FALSE(term("null").matches(labels, "n1"));
}

TEST(RequiredNodeAffinity, SelectorAndTerms) {
  auto spec = [](std::string_view text) {
    return RequiredNodeAffinity::from_pod_spec(parse(text).as_object());
  };
  // No constraints: every node.
  EXPECT_TRUE(spec("{}").matches({}, "n1"));
  // nodeSelector: every pair must be a label with that value.
  auto sel = spec(R"({"nodeSelector":{"disk":"ssd","zone":"a"}})");
  EXPECT_TRUE(sel.matches({{"disk", "ssd"}, {"zone", "a"}, {"x", "y"}}, "n1"));
  EXPECT_FALSE(sel.matches({{"disk", "ssd"}}, "n1"));
  EXPECT_FALSE(sel.matches({{"disk", "hdd"}, {"zone", "a"}}, "n1"));

  // Terms are ORed.
  auto aff = spec(R"({"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":
      {"nodeSelectorTerms":[{"matchExpressions":[{"key":"cpus","operator":"Gt","values":["4"]}]},
                            {"matchFields":[{"key":"metadata.name","operator":"In","values":["c"]}]}]}}}})");
  EXPECT_TRUE(aff.has_affinity);
  ASSERT_EQ(aff.terms.size(), 2u);
  EXPECT_TRUE(aff.matches({{"cpus", "8"}}, "a"));
  EXPECT_FALSE(aff.matches({{"cpus", "2"}}, "a"));
  EXPECT_TRUE(aff.matches({}, "c"));  // second term, by name

  // nodeSelector and affinity are ANDed.
  auto both = spec(R"({"nodeSelector":{"disk":"ssd"},"affinity":{"nodeAffinity":{
      "requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[
        {"matchExpressions":[{"key":"zone","operator":"In","values":["a"]}]}]}}}})");
  EXPECT_TRUE(both.matches({{"disk", "ssd"}, {"zone", "a"}}, "n"));
  EXPECT_FALSE(both.matches({{"disk", "ssd"}, {"zone", "b"}}, "n"));
  EXPECT_FALSE(both.matches({{"zone", "a"}}, "n"));

  // Required affinity present with no (or only empty) terms matches no node.
  EXPECT_FALSE(spec(R"({"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":
      {"nodeSelectorTerms":[]}}}})").matches({}, "n"));
  EXPECT_FALSE(spec(R"({"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":
      {"nodeSelectorTerms":[{}]}}}})").matches({}, "n"));
  // Only preferred affinity: no requirement.
  auto pref = spec(R"({"affinity":{"nodeAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":
      [{"weight":1,"preference":{"matchExpressions":[{"key":"zone","operator":"In","values":["a"]}]}}]}}})");
  EXPECT_FALSE(pref.has_affinity);
  EXPECT_TRUE(pref.matches({}, "n"));
}

TEST(StringMap, KeepsStringMembers) {
  auto v = parse(R"({"a":"1","b":2,"c":""})");
  auto m = string_map(&v);
  EXPECT_EQ(m, (Labels{{"a", "1"}, {"c", ""}}));
  EXPECT_TRUE(string_map(nullptr).empty());
}

}  // namespace
}  // namespace skiff
