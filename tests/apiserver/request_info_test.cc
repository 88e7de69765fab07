// Paths and methods to what they address, as upstream's RequestInfoFactory parses them.
#include "apiserver/request_info.h"

#include <gtest/gtest.h>

namespace skiff::apiserver {
namespace {
RequestInfo parse(const std::string& method, const std::string& path, const std::string& query = "") {
  net::Request r;
  r.method = method;
  r.path = path;
  if (!query.empty()) r.query.emplace(query, "true");
  return parse_request_info(r);
}

TEST(RequestInfo, NamespacedObjectAndSubresource) {
  auto i = parse("GET", "/api/v1/namespaces/default/pods/nginx/status");
  EXPECT_TRUE(i.is_resource_request);
  EXPECT_EQ(i.verb, "get");
  EXPECT_EQ(i.group, "");
  EXPECT_EQ(i.version, "v1");
  EXPECT_EQ(i.namespace_, "default");
  EXPECT_EQ(i.resource, "pods");
  EXPECT_EQ(i.name, "nginx");
  EXPECT_EQ(i.subresource, "status");
}

TEST(RequestInfo, WatchParameterIsAGoBool) {
  auto with = [](const std::string& value) {
    net::Request r;
    r.method = "GET";
    r.path = "/api/v1/namespaces/x/pods";
    r.query.emplace("watch", value);
    return parse_request_info(r).verb;
  };
  for (const char* yes : {"true", "True", "TRUE", "1", "t"}) EXPECT_EQ(with(yes), "watch") << yes;
  for (const char* no : {"false", "0", "False", "", "yes"}) EXPECT_EQ(with(no), "list") << no;
}

TEST(RequestInfo, GroupCollectionVerbs) {
  EXPECT_EQ(parse("GET", "/apis/apps/v1/namespaces/x/deployments").verb, "list");
  EXPECT_EQ(parse("GET", "/apis/apps/v1/namespaces/x/deployments", "watch").verb, "watch");
  EXPECT_EQ(parse("GET", "/apis/apps/v1/watch/namespaces/x/deployments").verb, "watch");
  EXPECT_EQ(parse("POST", "/apis/apps/v1/namespaces/x/deployments").verb, "create");
  EXPECT_EQ(parse("DELETE", "/apis/apps/v1/namespaces/x/deployments").verb, "deletecollection");
  EXPECT_EQ(parse("DELETE", "/apis/apps/v1/namespaces/x/deployments/web").verb, "delete");
  EXPECT_EQ(parse("PATCH", "/apis/apps/v1/namespaces/x/deployments/web/scale").subresource, "scale");
  auto all = parse("GET", "/apis/apps/v1/deployments");
  EXPECT_EQ(all.namespace_, "");
  EXPECT_EQ(all.resource, "deployments");
}

TEST(RequestInfo, NamespacesAreClusterScoped) {
  auto ns = parse("GET", "/api/v1/namespaces/kube-system");
  EXPECT_EQ(ns.resource, "namespaces");
  EXPECT_EQ(ns.name, "kube-system");
  EXPECT_EQ(ns.namespace_, "");
  auto fin = parse("PUT", "/api/v1/namespaces/x/finalize");
  EXPECT_EQ(fin.resource, "namespaces");
  EXPECT_EQ(fin.name, "x");
  EXPECT_EQ(fin.subresource, "finalize");
  EXPECT_EQ(parse("GET", "/api/v1/namespaces").verb, "list");
}

TEST(RequestInfo, NonResourcePaths) {
  EXPECT_FALSE(parse("GET", "/api").is_resource_request);
  EXPECT_FALSE(parse("GET", "/api/v1").is_resource_request);
  EXPECT_FALSE(parse("GET", "/apis/apps/v1").is_resource_request);
  EXPECT_FALSE(parse("GET", "/version").is_resource_request);
}
}  // namespace
}  // namespace skiff::apiserver
