#include <gtest/gtest.h>

#include "scheduler/plugins.h"
#include "test_util.h"

namespace skiff::scheduler {
namespace {
using namespace testing;

Snapshot snap_of(std::vector<NodeInfoPtr> nodes) {
  Snapshot s;
  s.nodes = std::move(nodes);
  s.index_images();
  return s;
}

// Runs one plugin's PreFilter (if any) and Filter for `pod` on `node` (in `snap`).
PluginStatus run_filter(Plugin& pl, const PodInfo& pod, const NodeInfo& node, const Snapshot& snap) {
  CycleState st;
  if (auto* pf = dynamic_cast<PreFilterPlugin*>(&pl)) {
    auto s = pf->pre_filter(st, pod, snap);
    if (s.is_skip()) return PluginStatus::success();
    if (!s.ok()) return s;
  }
  return dynamic_cast<FilterPlugin&>(pl).filter(st, pod, node);
}
PluginStatus run_filter(Plugin& pl, const PodInfo& pod, const NodeInfoPtr& node) {
  return run_filter(pl, pod, *node, snap_of({node}));
}

TEST(NodeUnschedulable, RejectsUnlessTolerated) {
  auto n = node_json("n1");
  n["spec"].as_object()["unschedulable"] = true;
  auto pl = make_node_unschedulable();
  auto st = run_filter(*pl, *pod_info(pod_json("p")), node_info(n));
  EXPECT_EQ(st.code(), Code::kUnschedulableAndUnresolvable);
  EXPECT_EQ(st.message(), "node(s) were unschedulable");
  auto p = pod_json("p");
  p["spec"].as_object()["tolerations"] = json::parse(
      R"([{"key":"node.kubernetes.io/unschedulable","operator":"Exists","effect":"NoSchedule"}])");
  EXPECT_TRUE(run_filter(*pl, *pod_info(p), node_info(n)).ok());
  EXPECT_TRUE(run_filter(*pl, *pod_info(pod_json("p")), node_info(node_json("n2"))).ok());
}

TEST(NodeName, Matches) {
  auto pl = make_node_name();
  auto p = pod_json("p");
  p["spec"].as_object()["nodeName"] = "n2";
  EXPECT_EQ(run_filter(*pl, *pod_info(p), node_info(node_json("n1"))).message(),
            "node(s) didn't match the requested node name");
  EXPECT_TRUE(run_filter(*pl, *pod_info(p), node_info(node_json("n2"))).ok());
}

TEST(NodeAffinity, SelectorAndExpressions) {
  auto pl = make_node_affinity();
  auto n = node_json("n1");
  auto& labels = at(n, {"metadata", "labels"}).as_object();
  labels["zone"] = "a";
  labels["cores"] = "8";
  auto ni = node_info(n);

  auto with_aff = [](const char* terms) {
    auto p = pod_json("p");
    p["spec"].as_object()["affinity"] = json::parse(
        std::string(R"({"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":)") +
        terms + "}}}");
    return pod_info(p);
  };
  auto ok = [&](const char* terms) { return run_filter(*pl, *with_aff(terms), ni).ok(); };
  EXPECT_TRUE(ok(R"([{"matchExpressions":[{"key":"zone","operator":"In","values":["a","b"]}]}])"));
  EXPECT_FALSE(ok(R"([{"matchExpressions":[{"key":"zone","operator":"NotIn","values":["a"]}]}])"));
  EXPECT_TRUE(ok(R"([{"matchExpressions":[{"key":"zone","operator":"Exists"}]}])"));
  EXPECT_FALSE(ok(R"([{"matchExpressions":[{"key":"gpu","operator":"Exists"}]}])"));
  EXPECT_TRUE(ok(R"([{"matchExpressions":[{"key":"gpu","operator":"DoesNotExist"}]}])"));
  EXPECT_TRUE(ok(R"([{"matchExpressions":[{"key":"cores","operator":"Gt","values":["4"]}]}])"));
  EXPECT_FALSE(ok(R"([{"matchExpressions":[{"key":"cores","operator":"Lt","values":["4"]}]}])"));
  EXPECT_TRUE(ok(R"([{"matchFields":[{"key":"metadata.name","operator":"In","values":["n1"]}]}])"));
  EXPECT_FALSE(ok(R"([{"matchFields":[{"key":"metadata.name","operator":"In","values":["n2"]}]}])"));
  // terms are ORed, requirements ANDed
  EXPECT_TRUE(ok(R"([{"matchExpressions":[{"key":"gpu","operator":"Exists"}]},
                     {"matchExpressions":[{"key":"zone","operator":"In","values":["a"]}]}])"));
  EXPECT_FALSE(ok(R"([{"matchExpressions":[{"key":"zone","operator":"In","values":["a"]},
                                           {"key":"gpu","operator":"Exists"}]}])"));
  EXPECT_FALSE(ok("[]"));

  auto p = pod_json("p");
  p["spec"].as_object()["nodeSelector"] = json::object{{"zone", "b"}};
  auto st = run_filter(*pl, *pod_info(p), ni);
  EXPECT_EQ(st.code(), Code::kUnschedulableAndUnresolvable);
  EXPECT_EQ(st.message(), "node(s) didn't match Pod's node affinity/selector");
}

TEST(TaintToleration, FilterAndScore) {
  auto pl = make_taint_toleration();
  auto n = node_json("n1");
  n["spec"].as_object()["taints"] =
      json::parse(R"([{"key":"dedicated","value":"gpu","effect":"NoSchedule"}])");
  auto st = run_filter(*pl, *pod_info(pod_json("p")), node_info(n));
  EXPECT_EQ(st.code(), Code::kUnschedulableAndUnresolvable);
  EXPECT_EQ(st.message(), "node(s) had untolerated taint {dedicated: gpu}");
  auto p = pod_json("p");
  p["spec"].as_object()["tolerations"] =
      json::parse(R"([{"key":"dedicated","operator":"Equal","value":"gpu","effect":"NoSchedule"}])");
  EXPECT_TRUE(run_filter(*pl, *pod_info(p), node_info(n)).ok());
  p["spec"].as_object()["tolerations"] =
      json::parse(R"([{"key":"dedicated","operator":"Equal","value":"cpu"}])");
  EXPECT_FALSE(run_filter(*pl, *pod_info(p), node_info(n)).ok());
  n["spec"].as_object()["taints"] =
      json::parse(R"([{"key":"evict","effect":"NoExecute"}])");
  EXPECT_FALSE(run_filter(*pl, *pod_info(pod_json("p")), node_info(n)).ok());
  n["spec"].as_object()["taints"] = json::parse(R"([{"key":"soft","effect":"PreferNoSchedule"}])");
  EXPECT_TRUE(run_filter(*pl, *pod_info(pod_json("p")), node_info(n)).ok());

  // Score: the PreferNoSchedule-tainted node scores lower.
  auto& sp = dynamic_cast<ScorePlugin&>(*pl);
  CycleState cs;
  auto pod = pod_info(pod_json("p"));
  std::vector<int64_t> s{sp.score(cs, *pod, *node_info(n)), sp.score(cs, *pod, *node_info(node_json("n2")))};
  sp.normalize_score(cs, *pod, s);
  EXPECT_EQ(s[0], 0);
  EXPECT_EQ(s[1], 100);
}

TEST(NodeResourcesFit, Reasons) {
  auto pl = make_node_resources_fit();
  NodeInfo n = *node_info(node_json("n1", "2", "1Gi", "2"));
  n.add_pod(bound(pod_json("a", "1500m", "512Mi"), "n1"));
  auto ni = std::make_shared<NodeInfo>(n);
  EXPECT_TRUE(run_filter(*pl, *pod_info(pod_json("p", "500m", "512Mi")), ni).ok());
  auto st = run_filter(*pl, *pod_info(pod_json("p", "600m", "600Mi")), ni);
  EXPECT_EQ(st.code(), Code::kUnschedulable);
  EXPECT_EQ(st.reasons(), (std::vector<std::string>{"Insufficient cpu", "Insufficient memory"}));
  n.add_pod(bound(pod_json("b"), "n1"));
  st = run_filter(*pl, *pod_info(pod_json("p")), std::make_shared<NodeInfo>(n));
  EXPECT_EQ(st.message(), "Too many pods");
}

TEST(NodeResourcesFit, InitContainersAndExtendedResources) {
  auto pl = make_node_resources_fit();
  auto ni = node_info(node_json("n1", "2"));
  auto p = pod_json("p", "1");
  p["spec"].as_object()["initContainers"] =
      json::parse(R"([{"name":"i","image":"x","resources":{"requests":{"cpu":"3"}}}])");
  EXPECT_EQ(run_filter(*pl, *pod_info(p), ni).message(), "Insufficient cpu");
  auto g = pod_json("g");
  at(g, {"spec", "containers"}).as_array()[0].as_object()["resources"] =
      json::parse(R"({"limits":{"example.com/gpu":"1"}})");
  EXPECT_EQ(run_filter(*pl, *pod_info(g), ni).message(), "Insufficient example.com/gpu");
  auto gn = node_json("n2");
  at(gn, {"status", "allocatable"}).as_object()["example.com/gpu"] = "2";
  EXPECT_TRUE(run_filter(*pl, *pod_info(g), node_info(gn)).ok());
}

TEST(NodePorts, Conflicts) {
  auto pl = make_node_ports();
  auto with_port = [](const std::string& name, int port, const char* ip = nullptr) {
    auto p = pod_json(name);
    json::object pp{{"containerPort", 80}, {"hostPort", port}};
    if (ip) pp["hostIP"] = ip;
    at(p, {"spec", "containers"}).as_array()[0].as_object()["ports"] = json::array{pp};
    return p;
  };
  NodeInfo n = *node_info(node_json("n1"));
  n.add_pod(bound(with_port("a", 8080), "n1"));
  auto ni = std::make_shared<NodeInfo>(n);
  auto st = run_filter(*pl, *pod_info(with_port("p", 8080)), ni);
  EXPECT_EQ(st.code(), Code::kUnschedulable);
  EXPECT_EQ(st.message(), "node(s) didn't have free ports for the requested pod ports");
  EXPECT_FALSE(run_filter(*pl, *pod_info(with_port("p", 8080, "10.0.0.1")), ni).ok());
  EXPECT_TRUE(run_filter(*pl, *pod_info(with_port("p", 8081)), ni).ok());
  EXPECT_TRUE(run_filter(*pl, *pod_info(pod_json("p")), ni).ok());
}

TEST(Scores, LeastAllocatedPrefersEmptierNode) {
  auto pl = make_node_resources_fit();
  auto& sp = dynamic_cast<ScorePlugin&>(*pl);
  NodeInfo busy = *node_info(node_json("busy"));
  busy.add_pod(bound(pod_json("a", "3", "6Gi"), "busy"));
  auto empty = node_info(node_json("empty"));
  CycleState cs;
  auto p = pod_info(pod_json("p", "1", "1Gi"));
  int64_t s_busy = sp.score(cs, *p, busy), s_empty = sp.score(cs, *p, *empty);
  EXPECT_GT(s_empty, s_busy);
  EXPECT_EQ(s_empty, 81);  // cpu (4-1)/4 = 75, memory (8-1)/8 = 87 -> (75+87)/2
  EXPECT_EQ(s_busy, 6);    // cpu (4-4)/4 = 0, memory (8-7)/8 = 12 -> (0+12)/2
}

TEST(Scores, BalancedAllocation) {
  auto pl = make_balanced_allocation();
  auto& sp = dynamic_cast<ScorePlugin&>(*pl);
  CycleState cs;
  auto p = pod_info(pod_json("p", "2", "4Gi"));  // 1/2 cpu, 1/2 memory on an empty 4/8Gi node
  EXPECT_EQ(sp.score(cs, *p, *node_info(node_json("n"))), 100);
  auto q = pod_info(pod_json("q", "2", "0"));  // 1/2 cpu, 0 memory -> std 0.25
  EXPECT_EQ(sp.score(cs, *q, *node_info(node_json("n"))), 75);
}

TEST(Scores, ProfilePrefersEmptierNode) {
  auto prof = Profile::make_default("default-scheduler");
  NodeInfo busy = *node_info(node_json("busy"));
  busy.add_pod(bound(pod_json("a", "2", "4Gi"), "busy"));
  for (int i = 0; i < 5; ++i) {
    auto r = prof->schedule(*pod_info(pod_json("p", "500m", "512Mi")),
                            snap_of({std::make_shared<NodeInfo>(busy), node_info(node_json("empty"))}));
    ASSERT_EQ(r.code, Code::kSuccess);
    EXPECT_EQ(r.node, "empty");
  }
}

TEST(Scores, PreferredNodeAffinity) {
  auto prof = Profile::make_default("default-scheduler");
  auto a = node_json("a"), b = node_json("b");
  at(b, {"metadata", "labels"}).as_object()["fast"] = "yes";
  auto p = pod_json("p", "100m");
  p["spec"].as_object()["affinity"] = json::parse(R"({"nodeAffinity":{
      "preferredDuringSchedulingIgnoredDuringExecution":[{"weight":50,"preference":
      {"matchExpressions":[{"key":"fast","operator":"In","values":["yes"]}]}}]}})");
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(prof->schedule(*pod_info(p), snap_of({node_info(a), node_info(b)})).node, "b");
}

TEST(Scores, ImageLocality) {
  auto prof = Profile::make_default("default-scheduler");
  auto a = node_json("a"), b = node_json("b");
  at(b, {"status"}).as_object()["images"] =
      json::parse(R"([{"names":["docker.io/library/nginx:latest","nginx:latest"],"sizeBytes":500000000}])");
  auto p = pod_json("p");
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(prof->schedule(*pod_info(p), snap_of({node_info(a), node_info(b)})).node, "b");
}

// ---- InterPodAffinity ----

json::object with_labels(json::object p, std::map<std::string, std::string> labels) {
  auto& l = at(p, {"metadata", "labels"}).as_object();
  for (auto& [k, v] : labels) l[k] = v;
  return p;
}

std::vector<NodeInfoPtr> zoned_cluster(std::vector<PodInfoPtr> pods) {
  // n1, n2 in zone a; n3 in zone b
  std::vector<NodeInfoPtr> out;
  for (auto [name, zone] : std::vector<std::pair<std::string, std::string>>{
           {"n1", "a"}, {"n2", "a"}, {"n3", "b"}}) {
    auto n = node_json(name);
    at(n, {"metadata", "labels"}).as_object()["zone"] = zone;
    NodeInfo ni = *node_info(n);
    for (auto& p : pods)
      if (p->node_name == name) ni.add_pod(p);
    out.push_back(std::make_shared<NodeInfo>(ni));
  }
  return out;
}

TEST(InterPodAffinity, RequiredAffinityAndAntiAffinity) {
  auto pl = make_inter_pod_affinity();
  auto nodes = zoned_cluster({bound(with_labels(pod_json("db"), {{"app", "db"}}), "n1")});
  auto snap = snap_of(nodes);
  auto p = pod_json("web");
  p["spec"].as_object()["affinity"] = json::parse(R"({"podAffinity":{
      "requiredDuringSchedulingIgnoredDuringExecution":[{"labelSelector":{"matchLabels":{"app":"db"}},
      "topologyKey":"zone"}]}})");
  auto pi = pod_info(p);
  EXPECT_TRUE(run_filter(*pl, *pi, *nodes[0], snap).ok());
  EXPECT_TRUE(run_filter(*pl, *pi, *nodes[1], snap).ok());  // same zone
  auto st = run_filter(*pl, *pi, *nodes[2], snap);
  EXPECT_EQ(st.code(), Code::kUnschedulableAndUnresolvable);
  EXPECT_EQ(st.message(), "node(s) didn't match pod affinity rules");

  auto q = pod_json("web2");
  q["spec"].as_object()["affinity"] = json::parse(R"({"podAntiAffinity":{
      "requiredDuringSchedulingIgnoredDuringExecution":[{"labelSelector":{"matchLabels":{"app":"db"}},
      "topologyKey":"kubernetes.io/hostname"}]}})");
  auto qi = pod_info(q);
  st = run_filter(*pl, *qi, *nodes[0], snap);
  EXPECT_EQ(st.code(), Code::kUnschedulable);
  EXPECT_EQ(st.message(), "node(s) didn't match pod anti-affinity rules");
  EXPECT_TRUE(run_filter(*pl, *qi, *nodes[1], snap).ok());

  // Other namespaces do not match by default.
  auto other = pod_json("web3", "", "", "other");
  other["spec"].as_object()["affinity"] = q["spec"].as_object()["affinity"];
  EXPECT_TRUE(run_filter(*pl, *pod_info(other), *nodes[0], snap).ok());
}

TEST(InterPodAffinity, ExistingPodsAntiAffinity) {
  auto pl = make_inter_pod_affinity();
  auto guard = with_labels(pod_json("guard"), {{"app", "guard"}});
  guard["spec"].as_object()["affinity"] = json::parse(R"({"podAntiAffinity":{
      "requiredDuringSchedulingIgnoredDuringExecution":[{"labelSelector":{"matchLabels":{"app":"web"}},
      "topologyKey":"zone"}]}})");
  auto nodes = zoned_cluster({bound(guard, "n1")});
  auto snap = snap_of(nodes);
  auto web = pod_info(with_labels(pod_json("web"), {{"app", "web"}}));
  EXPECT_EQ(run_filter(*pl, *web, *nodes[1], snap).message(),
            "node(s) didn't satisfy existing pods anti-affinity rules");
  EXPECT_TRUE(run_filter(*pl, *web, *nodes[2], snap).ok());
  EXPECT_TRUE(run_filter(*pl, *pod_info(pod_json("other")), *nodes[1], snap).ok());
}

TEST(InterPodAffinity, FirstPodOfSelfAffineGroup) {
  auto pl = make_inter_pod_affinity();
  auto nodes = zoned_cluster({});
  auto p = with_labels(pod_json("a"), {{"app", "a"}});
  p["spec"].as_object()["affinity"] = json::parse(R"({"podAffinity":{
      "requiredDuringSchedulingIgnoredDuringExecution":[{"labelSelector":{"matchLabels":{"app":"a"}},
      "topologyKey":"zone"}]}})");
  EXPECT_TRUE(run_filter(*pl, *pod_info(p), *nodes[0], snap_of(nodes)).ok());
}

TEST(InterPodAffinity, PreferredScore) {
  auto prof = Profile::make_default("default-scheduler");
  auto nodes = zoned_cluster({bound(with_labels(pod_json("cache"), {{"app", "cache"}}), "n3")});
  auto p = pod_json("web", "100m");
  p["spec"].as_object()["affinity"] = json::parse(R"({"podAffinity":{
      "preferredDuringSchedulingIgnoredDuringExecution":[{"weight":100,"podAffinityTerm":
      {"labelSelector":{"matchLabels":{"app":"cache"}},"topologyKey":"zone"}}]}})");
  for (int i = 0; i < 5; ++i) EXPECT_EQ(prof->schedule(*pod_info(p), snap_of(nodes)).node, "n3");
}

// ---- PodTopologySpread ----

json::object spread_pod(const std::string& name, const char* when, const char* key = "zone") {
  auto p = with_labels(pod_json(name, "100m"), {{"app", "s"}});
  p["spec"].as_object()["topologySpreadConstraints"] = json::array{json::object{
      {"maxSkew", 1},
      {"topologyKey", key},
      {"whenUnsatisfiable", when},
      {"labelSelector", json::object{{"matchLabels", json::object{{"app", "s"}}}}}}};
  return p;
}

TEST(PodTopologySpread, DoNotSchedule) {
  auto pl = make_pod_topology_spread();
  // zone a has 1 matching pod, zone b has 0: a new pod may only go to zone b.
  auto nodes = zoned_cluster({bound(with_labels(pod_json("x"), {{"app", "s"}}), "n1")});
  auto snap = snap_of(nodes);
  auto p = pod_info(spread_pod("p", "DoNotSchedule"));
  auto st = run_filter(*pl, *p, *nodes[1], snap);
  EXPECT_EQ(st.code(), Code::kUnschedulable);
  EXPECT_EQ(st.message(), "node(s) didn't match pod topology spread constraints");
  EXPECT_TRUE(run_filter(*pl, *p, *nodes[2], snap).ok());
  // A node without the topology label is unresolvable.
  auto bare = node_info(node_json("bare"));
  EXPECT_EQ(run_filter(*pl, *p, *bare, snap).code(), Code::kUnschedulableAndUnresolvable);
}

TEST(PodTopologySpread, ScheduleAnywayPrefersEmptierDomain) {
  auto prof = Profile::make_default("default-scheduler");
  auto nodes = zoned_cluster({bound(with_labels(pod_json("x"), {{"app", "s"}}), "n1")});
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(prof->schedule(*pod_info(spread_pod("p", "ScheduleAnyway")), snap_of(nodes)).node, "n3");
}

json::object owned_by(json::object p, const std::string& controller_uid) {
  p["metadata"].as_object()["ownerReferences"] = json::array{json::object{
      {"apiVersion", "apps/v1"}, {"kind", "ReplicaSet"}, {"name", "rs"},
      {"uid", controller_uid}, {"controller", true}}};
  return p;
}

TEST(PodTopologySpread, SystemDefaultsSpreadAControllersPods) {
  auto prof = Profile::make_default("default-scheduler");
  // Three equal nodes; two pods of the ReplicaSet already on n1, and a pod of another one on n2.
  auto nodes = zoned_cluster({bound(owned_by(pod_json("a"), "rs-1"), "n1"),
                              bound(owned_by(pod_json("b"), "rs-1"), "n1"),
                              bound(owned_by(pod_json("x"), "rs-2"), "n2")});
  auto p = pod_info(owned_by(pod_json("c"), "rs-1"));
  ASSERT_TRUE(p->spread_system_defaulted);
  ASSERT_EQ(p->spread_constraints.size(), 2u);
  EXPECT_FALSE(p->spread_constraints[0].do_not_schedule);
  EXPECT_EQ(p->spread_constraints[0].max_skew, 3);
  EXPECT_NE(prof->schedule(*p, snap_of(nodes)).node, "n1");
  // The plugin alone: n1 (2 pods of rs-1) scores lowest; n2's pod of rs-2 does not count, and the
  // zone constraint is skipped (these nodes have "zone", not topology.kubernetes.io/zone).
  auto pl = make_pod_topology_spread();
  auto& pre = dynamic_cast<PreScorePlugin&>(*pl);
  auto& sp = dynamic_cast<ScorePlugin&>(*pl);
  CycleState cs;
  std::vector<const NodeInfo*> feasible{nodes[0].get(), nodes[1].get(), nodes[2].get()};
  ASSERT_TRUE(pre.pre_score(cs, *p, snap_of(nodes), feasible).ok());
  std::vector<int64_t> s{sp.score(cs, *p, *nodes[0]), sp.score(cs, *p, *nodes[1]),
                         sp.score(cs, *p, *nodes[2])};
  sp.normalize_score(cs, *p, s);
  EXPECT_LT(s[0], s[1]);
  EXPECT_EQ(s[1], s[2]);
  // Without an owner (or with constraints of its own) there are no defaults.
  EXPECT_FALSE(pod_info(pod_json("bare"))->spread_system_defaulted);
  EXPECT_FALSE(pod_info(spread_pod("own", "ScheduleAnyway"))->spread_system_defaulted);
}

}  // namespace
}  // namespace skiff::scheduler
