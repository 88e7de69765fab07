#include "discovery/discovery.h"

#include <gtest/gtest.h>

#include <set>

#include "api/resources.h"

namespace skiff::discovery {
namespace {

std::vector<std::string> strings(const json::value& v) {
  std::vector<std::string> out;
  for (const auto& e : v.as_array()) out.emplace_back(e.as_string());
  return out;
}

const json::object* find_named(const json::array& a, std::string_view key, std::string_view name) {
  for (const auto& e : a)
    if (e.as_object().at(key).as_string() == name) return &e.as_object();
  return nullptr;
}

TEST(CoreApiVersions, Structure) {
  auto o = core_api_versions();
  EXPECT_EQ(o.at("kind").as_string(), "APIVersions");
  EXPECT_EQ(strings(o.at("versions")), std::vector<std::string>{"v1"});
  EXPECT_TRUE(o.at("serverAddressByClientCIDRs").as_array().empty());

  auto w = core_api_versions("10.0.0.1:6443");
  const auto& cidrs = w.at("serverAddressByClientCIDRs").as_array();
  ASSERT_EQ(cidrs.size(), 1u);
  EXPECT_EQ(cidrs[0].at("clientCIDR").as_string(), "0.0.0.0/0");
  EXPECT_EQ(cidrs[0].at("serverAddress").as_string(), "10.0.0.1:6443");
}

TEST(ApiGroupList, EveryNamedGroupWithPreferredVersion) {
  auto o = api_group_list();
  EXPECT_EQ(o.at("kind").as_string(), "APIGroupList");
  EXPECT_EQ(o.at("apiVersion").as_string(), "v1");
  const auto& groups = o.at("groups").as_array();
  std::set<std::string> names;
  for (const auto& g : groups) {
    std::string name(g.at("name").as_string());
    EXPECT_FALSE(name.empty()) << "the core group is served at /api, not /apis";
    names.insert(name);
    const auto& versions = g.at("versions").as_array();
    ASSERT_FALSE(versions.empty());
    for (const auto& v : versions)
      EXPECT_EQ(v.at("groupVersion").as_string(), name + "/" + std::string(v.at("version").as_string()));
    EXPECT_EQ(g.at("preferredVersion"), versions[0]);
  }
  for (const auto& gv : api::served_groups()) {
    if (!gv.group.empty()) {
      EXPECT_TRUE(names.count(gv.group)) << gv.group;
    }
  }
  EXPECT_TRUE(names.count("apps"));
  EXPECT_EQ(names.size() + 1, api::served_groups().size());
}

TEST(ApiResourceList, UnknownGroupVersion) {
  EXPECT_FALSE(api_resource_list("", "v2").has_value());
  EXPECT_FALSE(api_resource_list("apps", "v1alpha1").has_value());
  EXPECT_TRUE(api_resource_list("apps", "v1beta1").has_value());  // legacy, api/conversion.h
  EXPECT_FALSE(api_resource_list("nope.example.com", "v1").has_value());
  EXPECT_FALSE(api_resource_list("autoscaling", "v1").has_value());
}

TEST(ApiResourceList, EveryRegistryResourcePresent) {
  for (const auto& r : api::all_resources()) {
    auto list = api_resource_list(r.group, r.version);
    ASSERT_TRUE(list.has_value()) << r.api_version();
    EXPECT_EQ(list->at("kind").as_string(), "APIResourceList");
    EXPECT_EQ(list->at("apiVersion").as_string(), "v1");
    EXPECT_EQ(list->at("groupVersion").as_string(), r.api_version());
    const auto& resources = list->at("resources").as_array();
    const auto* e = find_named(resources, "name", r.resource);
    ASSERT_NE(e, nullptr) << r.resource;
    EXPECT_EQ(e->at("singularName").as_string(), r.singular);
    EXPECT_EQ(e->at("namespaced").as_bool(), r.namespaced);
    EXPECT_EQ(e->at("kind").as_string(), r.kind);
    EXPECT_EQ(strings(e->at("verbs")), r.verbs);
    if (r.short_names.empty()) EXPECT_FALSE(e->contains("shortNames")) << r.resource;
    else EXPECT_EQ(strings(e->at("shortNames")), r.short_names);
    if (r.categories.empty()) EXPECT_FALSE(e->contains("categories")) << r.resource;
    else EXPECT_EQ(strings(e->at("categories")), r.categories);
    EXPECT_FALSE(e->contains("group"));

    for (const auto& s : r.subresources) {
      const auto* se = find_named(resources, "name", r.resource + "/" + s.name);
      ASSERT_NE(se, nullptr) << r.resource << "/" << s.name;
      EXPECT_EQ(se->at("singularName").as_string(), "");
      EXPECT_EQ(se->at("namespaced").as_bool(), r.namespaced);
      EXPECT_EQ(se->at("kind").as_string(), s.kind);
      EXPECT_EQ(strings(se->at("verbs")), s.verbs);
      EXPECT_FALSE(se->contains("shortNames"));
    }
  }
}

TEST(ApiResourceList, OnlyThisGroupVersion) {
  auto list = api_resource_list("", "v1");
  ASSERT_TRUE(list);
  for (const auto& e : list->at("resources").as_array()) {
    std::string name(e.at("name").as_string());
    EXPECT_NE(name, "deployments");
  }
  size_t top = 0;
  for (const auto& r : api::all_resources()) top += (r.group.empty() && r.version == "v1");
  size_t seen = 0;
  for (const auto& e : list->at("resources").as_array())
    seen += std::string_view(e.at("name").as_string()).find('/') == std::string_view::npos;
  EXPECT_EQ(seen, top);
}

TEST(ApiResourceList, CrossGroupSubresources) {
  auto apps = api_resource_list("apps", "v1");
  ASSERT_TRUE(apps);
  const auto* scale = find_named(apps->at("resources").as_array(), "name", "deployments/scale");
  ASSERT_NE(scale, nullptr);
  EXPECT_EQ(scale->at("group").as_string(), "autoscaling");
  EXPECT_EQ(scale->at("version").as_string(), "v1");
  EXPECT_EQ(scale->at("kind").as_string(), "Scale");
  EXPECT_EQ(strings(scale->at("verbs")), (std::vector<std::string>{"get", "patch", "update"}));
  EXPECT_TRUE(scale->at("namespaced").as_bool());

  const auto* dstatus = find_named(apps->at("resources").as_array(), "name", "deployments/status");
  ASSERT_NE(dstatus, nullptr);
  EXPECT_FALSE(dstatus->contains("group"));  // same group-version: omitted like upstream
  EXPECT_EQ(dstatus->at("kind").as_string(), "Deployment");

  auto core = api_resource_list("", "v1");
  ASSERT_TRUE(core);
  const auto& res = core->at("resources").as_array();
  const auto* ev = find_named(res, "name", "pods/eviction");
  ASSERT_NE(ev, nullptr);
  EXPECT_EQ(ev->at("group").as_string(), "policy");
  EXPECT_EQ(ev->at("kind").as_string(), "Eviction");
  const auto* token = find_named(res, "name", "serviceaccounts/token");
  ASSERT_NE(token, nullptr);
  EXPECT_EQ(token->at("group").as_string(), "authentication.k8s.io");
  EXPECT_EQ(token->at("kind").as_string(), "TokenRequest");
  for (const char* n : {"pods/status", "pods/log", "pods/exec", "pods/binding", "nodes/status",
                        "namespaces/finalize"})
    EXPECT_NE(find_named(res, "name", n), nullptr) << n;
  const auto* pstatus = find_named(res, "name", "pods/status");
  EXPECT_FALSE(pstatus->contains("group"));
  const auto* nstatus = find_named(res, "name", "nodes/status");
  EXPECT_FALSE(nstatus->at("namespaced").as_bool());
}

TEST(ApiResourceList, ShortNamesAndCategories) {
  auto core = api_resource_list("", "v1");
  const auto* pods = find_named(core->at("resources").as_array(), "name", "pods");
  ASSERT_NE(pods, nullptr);
  EXPECT_EQ(strings(pods->at("shortNames")), std::vector<std::string>{"po"});
  EXPECT_EQ(strings(pods->at("categories")), std::vector<std::string>{"all"});
  const auto* secrets = find_named(core->at("resources").as_array(), "name", "secrets");
  EXPECT_FALSE(secrets->contains("shortNames"));
  EXPECT_FALSE(secrets->contains("categories"));
}

void check_aggregated(std::string_view version) {
  for (bool core : {true, false}) {
    auto o = aggregated_discovery(core, version);
    EXPECT_EQ(o.at("kind").as_string(), "APIGroupDiscoveryList");
    EXPECT_EQ(o.at("apiVersion").as_string(), "apidiscovery.k8s.io/" + std::string(version));
    const auto& items = o.at("items").as_array();
    ASSERT_FALSE(items.empty());
    if (core) {
      ASSERT_EQ(items.size(), 1u);
      EXPECT_EQ(items[0].at("metadata").at("name").as_string(), "");
    }
    std::set<std::string> groups;
    for (const auto& it : items) {
      std::string g(it.at("metadata").at("name").as_string());
      EXPECT_EQ(g.empty(), core);
      EXPECT_TRUE(it.at("metadata").at("creationTimestamp").is_null());
      groups.insert(g);
      for (const auto& v : it.at("versions").as_array()) {
        EXPECT_EQ(v.at("freshness").as_string(), "Current");
        std::string ver(v.at("version").as_string());
        for (const auto& r : v.at("resources").as_array()) {
          const auto& ro = r.as_object();
          const auto* info = api::find_resource(g, ver, ro.at("resource").as_string());
          ASSERT_NE(info, nullptr) << ro.at("resource").as_string();
          EXPECT_EQ(ro.at("responseKind").at("group").as_string(), info->group);
          EXPECT_EQ(ro.at("responseKind").at("version").as_string(), info->version);
          EXPECT_EQ(ro.at("responseKind").at("kind").as_string(), info->kind);
          EXPECT_EQ(ro.at("scope").as_string(), info->namespaced ? "Namespaced" : "Cluster");
          EXPECT_EQ(ro.at("singularResource").as_string(), info->singular);
          EXPECT_EQ(strings(ro.at("verbs")), info->verbs);
          if (info->short_names.empty()) EXPECT_FALSE(ro.contains("shortNames"));
          else EXPECT_EQ(strings(ro.at("shortNames")), info->short_names);
          if (info->categories.empty()) EXPECT_FALSE(ro.contains("categories"));
          else EXPECT_EQ(strings(ro.at("categories")), info->categories);
          if (info->subresources.empty()) {
            EXPECT_FALSE(ro.contains("subresources"));
            continue;
          }
          const auto& subs = ro.at("subresources").as_array();
          ASSERT_EQ(subs.size(), info->subresources.size());
          for (size_t i = 0; i < subs.size(); ++i) {
            const auto& s = info->subresources[i];
            EXPECT_EQ(subs[i].at("subresource").as_string(), s.name);
            EXPECT_EQ(subs[i].at("responseKind").at("group").as_string(), s.group);
            EXPECT_EQ(subs[i].at("responseKind").at("version").as_string(), s.version);
            EXPECT_EQ(subs[i].at("responseKind").at("kind").as_string(), s.kind);
            EXPECT_EQ(strings(subs[i].at("verbs")), s.verbs);
          }
        }
      }
    }
    // Every registry resource of this half appears exactly once.
    size_t expected = 0, seen = 0;
    for (const auto& r : api::all_resources()) expected += (r.group.empty() == core);
    for (const auto& it : items)
      for (const auto& v : it.at("versions").as_array()) seen += v.at("resources").as_array().size();
    EXPECT_EQ(seen, expected);
  }
}

TEST(AggregatedDiscovery, V2) { check_aggregated("v2"); }
TEST(AggregatedDiscovery, V2Beta1) { check_aggregated("v2beta1"); }

TEST(AggregatedDiscovery, DeploymentScale) {
  auto o = aggregated_discovery(false, "v2");
  const json::object* apps = nullptr;
  for (const auto& it : o.at("items").as_array())
    if (it.at("metadata").at("name").as_string() == "apps") apps = &it.as_object();
  ASSERT_NE(apps, nullptr);
  const auto& resources = apps->at("versions").as_array()[0].at("resources").as_array();
  const auto* deploy = find_named(resources, "resource", "deployments");
  ASSERT_NE(deploy, nullptr);
  const auto* scale = find_named(deploy->at("subresources").as_array(), "subresource", "scale");
  ASSERT_NE(scale, nullptr);
  json::object want;
  want["group"] = "autoscaling";
  want["version"] = "v1";
  want["kind"] = "Scale";
  EXPECT_EQ(scale->at("responseKind").as_object(), want);
}

TEST(AggregatedDiscovery, AcceptNegotiation) {
  // kubectl 1.30+.
  EXPECT_EQ(aggregated_discovery_version(
                "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
                "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
                "application/json"),
            "v2");
  // kubectl 1.27.
  EXPECT_EQ(aggregated_discovery_version(
                "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
                "application/json"),
            "v2beta1");
  // Protobuf first (we only speak JSON), spaces after separators.
  EXPECT_EQ(aggregated_discovery_version(
                "application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;"
                "as=APIGroupDiscoveryList, application/json; g=apidiscovery.k8s.io; v=v2; "
                "as=APIGroupDiscoveryList, application/json"),
            "v2");
  EXPECT_FALSE(aggregated_discovery_version("application/json, */*"));
  EXPECT_FALSE(aggregated_discovery_version(""));
  EXPECT_FALSE(aggregated_discovery_version(
      "application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList"));
  EXPECT_FALSE(aggregated_discovery_version("application/json;as=Table;v=v1;g=meta.k8s.io"));
  EXPECT_EQ(aggregated_discovery_content_type("v2"),
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
}

}  // namespace
}  // namespace skiff::discovery
