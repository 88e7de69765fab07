// The coredns addon's objects (addons/coredns.h): what kubeadm's CoreDNS manifests hold, with
// skiff's system image and `skiff dns`.
#include "addons/coredns.h"

#include <gtest/gtest.h>

namespace skiff::addons {
namespace {

DnsAddonOptions opts() { return {"10.96.0.10", "example.org", "localhost/skiff/system:0.1.0-abc"}; }

TEST(CoreDns, Service) {
  auto s = kube_dns_service(opts());
  EXPECT_EQ(get_string(s, {"metadata", "name"}), "kube-dns");
  EXPECT_EQ(get_string(s, {"metadata", "namespace"}), "kube-system");
  EXPECT_EQ(get_string(s, {"metadata", "labels", "k8s-app"}), "kube-dns");
  EXPECT_EQ(get_string(s, {"metadata", "labels", "kubernetes.io/name"}), "CoreDNS");
  EXPECT_EQ(get_string(s, {"spec", "clusterIP"}), "10.96.0.10");
  EXPECT_EQ(get_string(s, {"spec", "selector", "k8s-app"}), "kube-dns");
  const auto& ports = find_path(s, {"spec", "ports"})->as_array();
  ASSERT_EQ(ports.size(), 3u);
  EXPECT_EQ(get_string(ports[0], {"name"}), "dns");
  EXPECT_EQ(get_string(ports[0], {"protocol"}), "UDP");
  EXPECT_EQ(get_string(ports[1], {"name"}), "dns-tcp");
  EXPECT_EQ(get_int(ports[1], {"port"}), 53);
  EXPECT_EQ(get_string(ports[2], {"name"}), "metrics");
  EXPECT_EQ(get_int(ports[2], {"port"}), 9153);
}

TEST(CoreDns, Deployment) {
  auto d = coredns_deployment(opts());
  EXPECT_EQ(get_string(d, {"metadata", "name"}), "coredns");
  EXPECT_EQ(get_int(d, {"spec", "replicas"}), 2);
  EXPECT_EQ(get_string(d, {"spec", "selector", "matchLabels", "k8s-app"}), "kube-dns");
  EXPECT_EQ(get_string(d, {"spec", "template", "metadata", "labels", "k8s-app"}), "kube-dns");
  const auto& spec = find_path(d, {"spec", "template", "spec"})->as_object();
  EXPECT_EQ(get_string(spec, {"dnsPolicy"}), "Default");
  EXPECT_EQ(get_string(spec, {"serviceAccountName"}), "coredns");
  EXPECT_EQ(get_string(spec, {"priorityClassName"}), "system-cluster-critical");
  EXPECT_EQ(find_path(spec, {"affinity", "podAntiAffinity", "preferredDuringSchedulingIgnoredDuringExecution"})
                ->as_array()[0].at("podAffinityTerm").at("topologyKey").as_string(),
            "kubernetes.io/hostname");
  const auto& tol = find_path(spec, {"tolerations"})->as_array();
  ASSERT_EQ(tol.size(), 2u);
  EXPECT_EQ(get_string(tol[0], {"key"}), "CriticalAddonsOnly");
  EXPECT_EQ(get_string(tol[1], {"key"}), "node-role.kubernetes.io/control-plane");
  const auto& c = find_path(spec, {"containers"})->as_array()[0].as_object();
  EXPECT_EQ(get_string(c, {"image"}), "localhost/skiff/system:0.1.0-abc");
  EXPECT_EQ(get_string(c, {"imagePullPolicy"}), "Never");
  EXPECT_EQ(json::serialize(c.at("command")), R"(["/usr/bin/skiff","dns"])");
  const std::string args = json::serialize(c.at("args"));
  EXPECT_NE(args.find(R"("--cluster-domain","example.org")"), std::string::npos) << args;
  EXPECT_NE(args.find(R"("--listen","0.0.0.0:53")"), std::string::npos) << args;
  EXPECT_EQ(get_string(c, {"resources", "requests", "cpu"}), "100m");
  EXPECT_EQ(get_string(c, {"resources", "requests", "memory"}), "70Mi");
  EXPECT_EQ(get_string(c, {"resources", "limits", "memory"}), "170Mi");
  EXPECT_EQ(get_int(c, {"readinessProbe", "httpGet", "port"}), 8181);
  EXPECT_EQ(get_string(c, {"readinessProbe", "httpGet", "path"}), "/ready");
  EXPECT_EQ(get_int(c, {"livenessProbe", "httpGet", "port"}), 8080);
  EXPECT_EQ(get_string(c, {"livenessProbe", "httpGet", "path"}), "/health");
}

}  // namespace
}  // namespace skiff::addons
