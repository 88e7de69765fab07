// Pure logic of the DaemonSet and StatefulSet controllers and their revision history.
#include <gtest/gtest.h>

#include "controllers/apps.h"

namespace skiff::controllers {
namespace {

json::object parse(std::string_view text) {
  json::value v;
  std::string err;
  EXPECT_TRUE(parse_json(text, v, err)) << err;
  return v.as_object();
}

json::object node(std::string_view name, std::string_view labels = "{}",
                  std::string_view taints = "[]") {
  return parse(std::string(R"({"metadata":{"name":")") + std::string(name) + R"(","labels":)" +
               std::string(labels) + R"(},"spec":{"taints":)" + std::string(taints) + "}}");
}

json::object daemon_spec(std::string_view spec) {
  json::object s = parse(spec);
  s["tolerations"] = daemon_tolerations(s);
  return s;
}

TEST(DaemonNodeFit, NodeSelectorAndAffinity) {
  auto spec = daemon_spec(R"({"nodeSelector":{"disk":"ssd"}})");
  EXPECT_TRUE(daemon_node_fit(node("a", R"({"disk":"ssd"})"), spec).should_run);
  NodeFit f = daemon_node_fit(node("b", R"({"disk":"hdd"})"), spec);
  EXPECT_FALSE(f.should_run);
  EXPECT_FALSE(f.should_continue_running);

  auto aff = daemon_spec(R"({"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":
      {"nodeSelectorTerms":[{"matchExpressions":[{"key":"cpus","operator":"Gt","values":["4"]}]},
                            {"matchFields":[{"key":"metadata.name","operator":"In","values":["c"]}]}]}}}})");
  EXPECT_TRUE(daemon_node_fit(node("a", R"({"cpus":"8"})"), aff).should_run);
  EXPECT_FALSE(daemon_node_fit(node("a", R"({"cpus":"2"})"), aff).should_run);
  EXPECT_TRUE(daemon_node_fit(node("c"), aff).should_run);  // second term, by name
  EXPECT_FALSE(daemon_node_fit(node("a"), daemon_spec(R"({"nodeName":"b"})")).should_run);
}

TEST(DaemonNodeFit, Taints) {
  auto plain = daemon_spec("{}");
  // NoSchedule: no new pod, but a running one stays.
  NodeFit f = daemon_node_fit(node("a", "{}", R"([{"key":"k","value":"v","effect":"NoSchedule"}])"), plain);
  EXPECT_FALSE(f.should_run);
  EXPECT_TRUE(f.should_continue_running);
  // NoExecute: neither.
  f = daemon_node_fit(node("a", "{}", R"([{"key":"k","effect":"NoExecute"}])"), plain);
  EXPECT_FALSE(f.should_run);
  EXPECT_FALSE(f.should_continue_running);
  // PreferNoSchedule is ignored; the default tolerations cover cordoned and not-ready nodes.
  EXPECT_TRUE(daemon_node_fit(node("a", "{}", R"([{"key":"k","effect":"PreferNoSchedule"}])"), plain).should_run);
  EXPECT_TRUE(daemon_node_fit(node("a", "{}", R"([{"key":"node.kubernetes.io/unschedulable","effect":"NoSchedule"},
      {"key":"node.kubernetes.io/not-ready","effect":"NoExecute"}])"), plain).should_run);
  // A matching toleration (Equal with value, Exists with empty key).
  auto tol = daemon_spec(R"({"tolerations":[{"key":"k","operator":"Equal","value":"v"}]})");
  EXPECT_TRUE(daemon_node_fit(node("a", "{}", R"([{"key":"k","value":"v","effect":"NoExecute"}])"), tol).should_run);
  EXPECT_FALSE(daemon_node_fit(node("a", "{}", R"([{"key":"k","value":"w","effect":"NoExecute"}])"), tol).should_run);
  auto all = daemon_spec(R"({"tolerations":[{"operator":"Exists"}]})");
  EXPECT_TRUE(daemon_node_fit(node("a", "{}", R"([{"key":"x","effect":"NoExecute"}])"), all).should_run);
}

TEST(DaemonPods, DefaultTolerationsAndNodeAffinity) {
  json::array t = daemon_tolerations(parse(R"({"hostNetwork":true})"));
  EXPECT_EQ(t.size(), 7u);
  EXPECT_EQ(daemon_tolerations(parse("{}")).size(), 6u);
  // Not duplicated when the template already has one.
  EXPECT_EQ(daemon_tolerations(parse(R"({"tolerations":[{"key":"node.kubernetes.io/unreachable",
      "operator":"Exists","effect":"NoExecute"}]})")).size(), 6u);
  json::object spec = daemon_pod_spec(parse(R"({"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":
      {"nodeSelectorTerms":[{"matchExpressions":[{"key":"a","operator":"Exists"}]}]}}}})"), "n1");
  json::object pod{{"spec", spec}};
  EXPECT_EQ(daemon_pod_node(pod), "n1");
  EXPECT_EQ(find_path(pod, {"spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution",
                            "nodeSelectorTerms"})->as_array().size(), 1u);
  pod["spec"].as_object()["nodeName"] = "n2";
  EXPECT_EQ(daemon_pod_node(pod), "n2");
}

DaemonPodState dpod(std::string name, bool updated, bool ready, bool terminating = false,
                    bool finished = false) {
  DaemonPodState s;
  s.name = std::move(name);
  s.updated = updated;
  s.ready = s.available = ready;
  s.terminating = terminating;
  s.finished = finished;
  return s;
}

TEST(DaemonPlan, PerNode) {
  NodeFit run{true, true}, stay{false, true}, none{false, false};
  EXPECT_TRUE(plan_daemon_node(run, {}, false).create);
  EXPECT_FALSE(plan_daemon_node(stay, {}, false).create);  // tainted NoSchedule: no new pod
  EXPECT_TRUE(plan_daemon_node(stay, {dpod("p", true, true)}, false).remove.empty());
  EXPECT_EQ(plan_daemon_node(none, {dpod("p", true, true)}, false).remove,
            std::vector<std::string>{"p"});
  // A terminating pod blocks a replacement until it is gone.
  auto a = plan_daemon_node(run, {dpod("p", true, true, true)}, false);
  EXPECT_FALSE(a.create);
  EXPECT_TRUE(a.remove.empty());
  // A failed pod is deleted (and replaced on a later sync).
  EXPECT_EQ(plan_daemon_node(run, {dpod("p", true, false, false, true)}, false).remove,
            std::vector<std::string>{"p"});
  // Duplicates: the oldest stays.
  EXPECT_EQ(plan_daemon_node(run, {dpod("old", true, true), dpod("new", true, true)}, false).remove,
            std::vector<std::string>{"new"});
  // Surge: old ready + new not ready coexist; once the new one is ready the old one goes.
  EXPECT_TRUE(plan_daemon_node(run, {dpod("o", false, true), dpod("n", true, false)}, true).remove.empty());
  EXPECT_EQ(plan_daemon_node(run, {dpod("o", false, true), dpod("n", true, true)}, true).remove,
            std::vector<std::string>{"o"});
}

TEST(DaemonPlan, RollingUpdateWithoutSurge) {
  std::vector<DaemonNodeState> nodes{
      {"a", true, {dpod("pa", false, true)}},
      {"b", true, {dpod("pb", false, true)}},
      {"c", true, {dpod("pc", false, false)}},  // unavailable: replaced regardless of budget
  };
  auto r = plan_daemon_rollout(nodes, 0, 1);
  EXPECT_EQ(r.remove, (std::vector<std::string>{"pc", "pa"}));
  EXPECT_TRUE(r.create.empty());
  // A new pod still coming up uses the budget.
  nodes[2].pods = {dpod("pc2", true, false)};
  EXPECT_TRUE(plan_daemon_rollout(nodes, 0, 1).remove.empty());
  EXPECT_EQ(plan_daemon_rollout(nodes, 0, 2).remove, std::vector<std::string>{"pa"});
  // All updated: nothing to do.
  nodes = {{"a", true, {dpod("pa", true, true)}}};
  EXPECT_TRUE(plan_daemon_rollout(nodes, 0, 1).remove.empty());
}

TEST(DaemonPlan, RollingUpdateWithSurge) {
  std::vector<DaemonNodeState> nodes{
      {"a", true, {dpod("pa", false, true)}},
      {"b", true, {dpod("pb", false, true)}},
      {"c", true, {dpod("pc", false, true), dpod("pc2", true, true)}},  // replaced
  };
  auto r = plan_daemon_rollout(nodes, 1, 0);
  EXPECT_EQ(r.remove, std::vector<std::string>{"pc"});
  EXPECT_EQ(r.create, std::vector<std::string>{"a"});
  nodes[2].pods[1].available = false;  // surge in progress: no budget left
  r = plan_daemon_rollout(nodes, 1, 0);
  EXPECT_TRUE(r.create.empty());
  EXPECT_TRUE(r.remove.empty());
}

TEST(StatefulSet, Ordinals) {
  EXPECT_EQ(ordinal_of("web", "web-0"), 0);
  EXPECT_EQ(ordinal_of("web", "web-12"), 12);
  EXPECT_EQ(ordinal_of("web", "web-"), -1);
  EXPECT_EQ(ordinal_of("web", "web-01"), -1);
  EXPECT_EQ(ordinal_of("web", "web-x"), -1);
  EXPECT_EQ(ordinal_of("web", "webx-1"), -1);
  EXPECT_EQ(ordinal_of("web", "web-a-1"), -1);
  EXPECT_EQ(ordinal_of("web-a", "web-a-1"), 1);
}

StatefulPodState spod(int ord, bool healthy = true, bool updated = true) {
  StatefulPodState s;
  s.ordinal = ord;
  s.name = "web-" + std::to_string(ord);
  s.healthy = healthy;
  s.updated = updated;
  return s;
}

TEST(StatefulSet, OrderedReadyCreatesInOrder) {
  StatefulSpecView spec{3, false, true, 0};
  EXPECT_EQ(plan_statefulset(spec, {}).create, std::vector<int>{0});
  EXPECT_TRUE(plan_statefulset(spec, {spod(0, false)}).create.empty());  // wait for web-0
  EXPECT_EQ(plan_statefulset(spec, {spod(0)}).create, std::vector<int>{1});
  // A deleted web-0 is recreated first, even with higher ordinals there.
  EXPECT_EQ(plan_statefulset(spec, {spod(1), spod(2)}).create, std::vector<int>{0});
  spec.parallel = true;
  EXPECT_EQ(plan_statefulset(spec, {}).create, (std::vector<int>{0, 1, 2}));
}

TEST(StatefulSet, ScaleDownFromTheHighestOrdinal) {
  StatefulSpecView spec{1, false, true, 0};
  auto a = plan_statefulset(spec, {spod(0), spod(1), spod(2)});
  EXPECT_EQ(a.remove, std::vector<std::string>{"web-2"});
  auto terminating = spod(2);
  terminating.terminating = true;
  EXPECT_TRUE(plan_statefulset(spec, {spod(0), spod(1), terminating}).remove.empty());
  // An unhealthy pod may go only if it is the first unhealthy one; otherwise scale-down waits.
  EXPECT_EQ(plan_statefulset(spec, {spod(0), spod(1, false)}).remove, std::vector<std::string>{"web-1"});
  EXPECT_TRUE(plan_statefulset(spec, {spod(0), spod(1, false), spod(2, false)}).remove.empty());
  spec.parallel = true;
  EXPECT_EQ(plan_statefulset(spec, {spod(0), spod(1), spod(2)}).remove,
            (std::vector<std::string>{"web-2", "web-1"}));
}

TEST(StatefulSet, RollingUpdateWithPartition) {
  StatefulSpecView spec{3, false, true, 0};
  auto a = plan_statefulset(spec, {spod(0, true, false), spod(1, true, false), spod(2, true, false)});
  EXPECT_EQ(a.remove, std::vector<std::string>{"web-2"});
  // web-2 updated but not ready yet: wait (OrderedReady stops at the unhealthy pod).
  EXPECT_TRUE(plan_statefulset(spec, {spod(0, true, false), spod(1, true, false), spod(2, false, true)})
                  .remove.empty());
  EXPECT_EQ(plan_statefulset(spec, {spod(0, true, false), spod(1, true, false), spod(2)}).remove,
            std::vector<std::string>{"web-1"});
  spec.partition = 2;
  EXPECT_TRUE(plan_statefulset(spec, {spod(0, true, false), spod(1, true, false), spod(2)}).remove.empty());
  spec.rolling_update = false;  // OnDelete
  spec.partition = 0;
  EXPECT_TRUE(plan_statefulset(spec, {spod(0, true, false)}).remove.empty());
  // A failed pod is deleted, to be recreated with the same name.
  auto failed = spod(0, false);
  failed.finished = true;
  EXPECT_EQ(plan_statefulset(spec, {failed}).remove, std::vector<std::string>{"web-0"});
}

TEST(Revisions, DataIsAReplacePatch) {
  json::object tmpl = parse(R"({"metadata":{"labels":{"app":"x"}},"spec":{"containers":[{"name":"c","image":"i"}]}})");
  json::object data = revision_data(tmpl);
  EXPECT_EQ(get_string(data, {"spec", "template", "$patch"}), "replace");
  json::object cr{{"data", data}, {"revision", 3}};
  EXPECT_EQ(canonical_json(revision_template(cr)), canonical_json(tmpl));
  EXPECT_EQ(revision_number(cr), 3);
  EXPECT_EQ(revision_hash(tmpl, 0), revision_hash(tmpl, 0));
  EXPECT_NE(revision_hash(tmpl, 0), revision_hash(tmpl, 1));
  EXPECT_EQ(revision_hash(tmpl, 0).find_first_of("aeiou"), std::string::npos);
}

}  // namespace
}  // namespace skiff::controllers
