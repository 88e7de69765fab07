// Unit tests of the pure logic of the Endpoints, EndpointSlice and namespace controllers
// (controllers/services.h): port resolution, subset grouping, slice building and planning,
// namespace deletion conditions.
#include <gtest/gtest.h>

#include "controllers/services.h"

namespace skiff::controllers {
namespace {

json::object parse(const std::string& text) {
  json::value v;
  std::string err;
  EXPECT_TRUE(parse_json(text, v, err)) << err;
  return v.as_object();
}

// A Running pod in ns "ns" labelled app=web, with a container port named http.
client::ObjectPtr pod(const std::string& name, const std::string& ip, bool ready,
                      int http_port = 8080, const std::string& extra_spec = "",
                      bool terminating = false) {
  std::string text = R"({"metadata":{"name":")" + name + R"(","namespace":"ns","uid":"uid-)" +
                     name + R"(","labels":{"app":"web"})" +
                     (terminating ? R"(,"deletionTimestamp":"2024-01-01T00:00:00Z")" : "") +
                     R"(},"spec":{"nodeName":"n1",)" + extra_spec +
                     R"("containers":[{"name":"c","ports":[{"name":"http","containerPort":)" +
                     std::to_string(http_port) + R"(}]}]},"status":{"phase":"Running","podIP":")" +
                     ip + R"(","conditions":[{"type":"Ready","status":")" +
                     (ready ? "True" : "False") + R"("}]}})";
  return std::make_shared<const json::object>(parse(text));
}

json::object service(const std::string& ports, const std::string& extra = "") {
  return parse(R"({"metadata":{"name":"web","namespace":"ns","uid":"svc-uid"},"spec":{)" + extra +
               R"("selector":{"app":"web"},"ports":)" + ports + "}}");
}

TEST(ResolveTargetPort, NumberNameAndMissing) {
  auto p = pod("a", "10.0.0.1", true, 9090);
  EXPECT_EQ(resolve_target_port(*p, parse(R"({"port":80,"targetPort":8080})")), 8080);
  EXPECT_EQ(resolve_target_port(*p, parse(R"({"port":80})")), 80);
  EXPECT_EQ(resolve_target_port(*p, parse(R"({"port":80,"targetPort":"http"})")), 9090);
  EXPECT_EQ(resolve_target_port(*p, parse(R"({"port":80,"targetPort":"nope"})")), std::nullopt);
  // The protocol must match too.
  EXPECT_EQ(resolve_target_port(*p, parse(R"({"port":80,"protocol":"UDP","targetPort":"http"})")),
            std::nullopt);
}

TEST(PodInEndpoints, NeedsAnIpAndNotTerminal) {
  EXPECT_TRUE(pod_in_endpoints(*pod("a", "10.0.0.1", true), false));
  EXPECT_FALSE(pod_in_endpoints(*pod("a", "", true), false));
  auto t = pod("a", "10.0.0.1", true, 8080, "", true);
  EXPECT_FALSE(pod_in_endpoints(*t, false));
  EXPECT_TRUE(pod_in_endpoints(*t, true));
  json::object done = *pod("a", "10.0.0.1", true);
  done["status"].as_object()["phase"] = "Succeeded";
  EXPECT_FALSE(pod_in_endpoints(done, true));
}

TEST(BuildEndpointSubsets, ReadyAndNotReadySharePortsInOneSubset) {
  auto svc = service(R"([{"name":"http","port":80,"protocol":"TCP","targetPort":8080}])");
  auto subsets = build_endpoint_subsets(
      svc, {pod("b", "10.0.0.2", true), pod("a", "10.0.0.1", true), pod("c", "10.0.0.3", false)});
  ASSERT_EQ(subsets.size(), 1u);
  const auto& s = subsets[0].as_object();
  ASSERT_EQ(s.at("addresses").as_array().size(), 2u);
  EXPECT_EQ(get_string(s.at("addresses").as_array()[0], {"ip"}), "10.0.0.1");
  EXPECT_EQ(get_string(s.at("addresses").as_array()[0], {"targetRef", "name"}), "a");
  EXPECT_EQ(get_string(s.at("addresses").as_array()[0], {"targetRef", "uid"}), "uid-a");
  EXPECT_EQ(get_string(s.at("addresses").as_array()[0], {"nodeName"}), "n1");
  ASSERT_EQ(s.at("notReadyAddresses").as_array().size(), 1u);
  EXPECT_EQ(get_string(s.at("notReadyAddresses").as_array()[0], {"ip"}), "10.0.0.3");
  EXPECT_EQ(canonical_json(s.at("ports")), R"([{"name":"http","port":8080,"protocol":"TCP"}])");
}

TEST(BuildEndpointSubsets, NamedPortWithDifferentNumbersSplitsSubsets) {
  auto svc = service(R"([{"port":80,"protocol":"TCP","targetPort":"http"}])");
  auto subsets = build_endpoint_subsets(svc, {pod("a", "10.0.0.1", true, 8080),
                                              pod("b", "10.0.0.2", true, 9090),
                                              pod("c", "10.0.0.3", true, 8080),
                                              pod("x", "10.0.0.4", true, 8080, "", true)});
  ASSERT_EQ(subsets.size(), 2u);
  EXPECT_EQ(get_int(subsets[0].as_object().at("ports").as_array()[0], {"port"}), 8080);
  EXPECT_EQ(subsets[0].as_object().at("addresses").as_array().size(), 2u);  // a, c; x terminating
  EXPECT_EQ(get_int(subsets[1].as_object().at("ports").as_array()[0], {"port"}), 9090);
}

TEST(BuildEndpointSubsets, PublishNotReadyHeadlessHostnameAndSelector) {
  auto svc = service("[]", R"("clusterIP":"None","publishNotReadyAddresses":true,)");
  json::object other = *pod("o", "10.0.0.9", true);
  other["metadata"].as_object()["labels"] = json::object{{"app", "other"}};
  auto subsets = build_endpoint_subsets(
      svc, {pod("a", "10.0.0.1", false, 8080, R"("hostname":"a","subdomain":"web",)"),
            std::make_shared<const json::object>(other)});
  ASSERT_EQ(subsets.size(), 1u);
  const auto& s = subsets[0].as_object();
  EXPECT_FALSE(s.contains("ports"));
  EXPECT_FALSE(s.contains("notReadyAddresses"));
  ASSERT_EQ(s.at("addresses").as_array().size(), 1u);
  EXPECT_EQ(get_string(s.at("addresses").as_array()[0], {"hostname"}), "a");
}

TEST(RepackSubsets, AddressesOfferingDifferentPortSetsGoApart) {
  auto addr = [](const char* ip) { return json::object{{"ip", ip}}; };
  auto port = [](int n) { return json::array{json::object{{"port", n}, {"protocol", "TCP"}}}; };
  auto out = repack_subsets({{addr("1.1.1.1"), true, port(80)},
                             {addr("1.1.1.1"), true, port(443)},
                             {addr("2.2.2.2"), true, port(80)}});
  // 80 is offered by both, 443 only by 1.1.1.1.
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].as_object().at("addresses").as_array().size(), 2u);
  EXPECT_EQ(get_int(out[0].as_object().at("ports").as_array()[0], {"port"}), 80);
  EXPECT_EQ(canonical_json(out[1].as_object().at("addresses")), R"([{"ip":"1.1.1.1"}])");
  EXPECT_EQ(get_int(out[1].as_object().at("ports").as_array()[0], {"port"}), 443);
}

TEST(BuildSliceGroups, ConditionsPortsAndGroups) {
  auto svc = service(R"([{"name":"web","port":80,"protocol":"TCP","targetPort":"http"}])");
  auto groups = build_slice_groups(
      svc,
      {pod("a", "10.0.0.1", true, 8080), pod("b", "10.0.0.2", false, 8080),
       pod("t", "10.0.0.3", true, 8080, "", true), pod("z", "10.0.0.4", true, 9090)},
      [](const std::string& node) { return node == "n1" ? "zone-a" : ""; });
  ASSERT_EQ(groups.size(), 2u);
  const SliceGroup& g8080 = groups.at(R"([{"name":"web","port":8080,"protocol":"TCP"}])");
  ASSERT_EQ(g8080.endpoints.size(), 3u);
  const auto& a = g8080.endpoints[0];
  EXPECT_EQ(canonical_json(a.at("conditions")), R"({"ready":true,"serving":true,"terminating":false})");
  EXPECT_EQ(get_string(a, {"zone"}), "zone-a");
  EXPECT_EQ(get_string(a, {"targetRef", "kind"}), "Pod");
  EXPECT_EQ(canonical_json(g8080.endpoints[1].at("conditions")),
            R"({"ready":false,"serving":false,"terminating":false})");
  // A terminating pod is kept: serving per readiness, never ready.
  EXPECT_EQ(canonical_json(g8080.endpoints[2].at("conditions")),
            R"({"ready":false,"serving":true,"terminating":true})");
}

TEST(PlanSlices, KeepsEndpointsInPlaceFillsAndSplits) {
  SliceGroup g;
  for (int i = 0; i < 250; ++i)
    g.endpoints.push_back(json::object{
        {"addresses", json::array{json::value("10.0." + std::to_string(i / 200) + "." +
                                              std::to_string(i % 200))}},
        {"targetRef", json::object{{"uid", "u" + std::to_string(1000 + i)}}}});
  // An existing slice holds u1240 and a pod that went away.
  auto existing = std::make_shared<const json::object>(json::object{
      {"metadata", json::object{{"name", "web-aaaaa"}}},
      {"endpoints", json::array{json::object{{"targetRef", json::object{{"uid", "u1240"}}}},
                                json::object{{"targetRef", json::object{{"uid", "gone"}}}}}}});
  auto empty = std::make_shared<const json::object>(
      json::object{{"metadata", json::object{{"name", "web-zzzzz"}}}, {"endpoints", json::array{}}});
  SlicePlan plan = plan_slices(g, {empty, existing}, 100);
  ASSERT_EQ(plan.keep.size(), 2u);
  EXPECT_EQ(plan.keep[0].first, "web-aaaaa");
  EXPECT_EQ(get_string(plan.keep[0].second[0], {"targetRef", "uid"}), "u1240");
  EXPECT_EQ(plan.keep[0].second.size(), 100u);
  EXPECT_EQ(plan.keep[1].second.size(), 100u);
  ASSERT_EQ(plan.create.size(), 1u);
  EXPECT_EQ(plan.create[0].size(), 50u);
  EXPECT_TRUE(plan.remove.empty());

  SliceGroup small;
  small.endpoints.push_back(g.endpoints[0]);
  plan = plan_slices(small, {existing, empty}, 100);
  ASSERT_EQ(plan.keep.size(), 1u);
  EXPECT_EQ(plan.keep[0].first, "web-aaaaa");
  EXPECT_EQ(plan.remove, std::vector<std::string>{"web-zzzzz"});
}

TEST(NamespaceConditions, OkVariantsThenRemainingAndTransitions) {
  NamespaceContent c;
  json::array conds = namespace_conditions({}, c, "T1");
  ASSERT_EQ(conds.size(), 5u);
  EXPECT_EQ(get_string(conds[0], {"type"}), "NamespaceDeletionDiscoveryFailure");
  EXPECT_EQ(get_string(conds[3], {"reason"}), "ContentRemoved");
  EXPECT_EQ(get_string(conds[3], {"status"}), "False");

  c.remaining["configmaps."] = 2;
  c.remaining["deployments.apps"] = 1;
  c.finalizers["example.com/hold"] = 1;
  c.delete_errors.push_back("pods.: boom");
  json::array next = namespace_conditions(conds, c, "T2");
  ASSERT_EQ(next.size(), 5u);
  EXPECT_EQ(get_string(next[2], {"reason"}), "ContentDeletionFailed");
  EXPECT_EQ(get_string(next[2], {"message"}),
            "Failed to delete all resource types, 1 remaining: pods.: boom");
  EXPECT_EQ(get_string(next[3], {"status"}), "True");
  EXPECT_EQ(get_string(next[3], {"reason"}), "SomeResourcesRemain");
  EXPECT_EQ(get_string(next[3], {"message"}),
            "Some resources are remaining: configmaps. has 2 resource instances, "
            "deployments.apps has 1 resource instances");
  EXPECT_EQ(get_string(next[3], {"lastTransitionTime"}), "T2");
  EXPECT_EQ(get_string(next[4], {"reason"}), "SomeFinalizerRemain");
  EXPECT_EQ(get_string(next[4], {"message"}),
            "Some finalizers are remaining: example.com/hold in 1 resource instances");
  EXPECT_EQ(get_string(next[0], {"lastTransitionTime"}), "T1");  // unchanged status keeps it
}

}  // namespace
}  // namespace skiff::controllers
