// rules.h and transaction.h: Services, EndpointSlices and hostPort pods -> nftables fragments, the incremental
// diff and the full sync; as root, the transactions are applied in a private network namespace.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "proxy/rules.h"
#include "proxy/transaction.h"
#include "runtime/process.h"

namespace skiff::proxy {
namespace {

json::object obj(const char* text) { return json::parse(text).as_object(); }

const char* kService = R"({"metadata":{"namespace":"default","name":"web"},
  "spec":{"type":"NodePort","clusterIP":"10.96.0.20","ports":[
    {"name":"http","protocol":"TCP","port":80,"targetPort":"http","nodePort":30080},
    {"name":"dns","protocol":"UDP","port":53,"targetPort":5353}]}})";

const char* kSlice = R"({"metadata":{"namespace":"default","name":"web-x",
    "labels":{"kubernetes.io/service-name":"web"}},"addressType":"IPv4",
  "ports":[{"name":"http","protocol":"TCP","port":8080},{"name":"dns","protocol":"UDP","port":5353}],
  "endpoints":[{"addresses":["10.244.1.5"],"conditions":{"ready":true},"nodeName":"n1"},
               {"addresses":["10.244.2.6"],"nodeName":"n2"},
               {"addresses":["10.244.3.7"],"conditions":{"ready":false},"nodeName":"n1"}]})";

std::string all_text(const Fragment& f) { return diff({}, f); }

RuleOptions opts(const char* node, const char* service_cidr = "") {
  RuleOptions o;
  o.node_name = node;
  o.cluster_cidr = "10.244.0.0/16";
  o.service_cidr = service_cidr;
  return o;
}

TEST(ServiceRules, ClusterIpNodePortNamedPortsAndReadiness) {
  auto svc = obj(kService), slice = obj(kSlice);
  Fragment f = service_rules(svc, {&slice}, opts("n1"));
  EXPECT_EQ(f.elements.at({"services", "10.96.0.20 . tcp . 80"}), "goto service-default/web/tcp/http");
  EXPECT_EQ(f.elements.at({"services", "10.96.0.20 . udp . 53"}), "goto service-default/web/udp/dns");
  EXPECT_EQ(f.elements.at({"nodeports", "tcp . 30080"}), "goto external-default/web/tcp/http");
  std::string t = all_text(f);
  // Without affinity, no endpoint chains: one DNAT map (named targetPort resolved per slice).
  EXPECT_NE(t.find("meta l4proto tcp dnat ip to numgen random mod 2 map { 0 : 10.244.1.5 . 8080, 1 : 10.244.2.6 . 8080 }"),
            std::string::npos) << t;
  EXPECT_NE(t.find("10.244.2.6 . 5353"), std::string::npos) << t;
  EXPECT_EQ(t.find("10.244.3.7"), std::string::npos) << t;  // not ready
  EXPECT_NE(t.find("ip saddr != 10.244.0.0/16 jump mark-for-masquerade"), std::string::npos) << t;
  EXPECT_NE(t.find("ip saddr 10.244.2.6 jump mark-for-masquerade"), std::string::npos) << t;  // hairpin
  EXPECT_EQ(t.find("chain ip skiff-proxy endpoint-"), std::string::npos) << t;
  EXPECT_TRUE(f.udp_flows.count("10.96.0.20 53 10.244.1.5")) << t;
  EXPECT_TRUE(f.sets.empty());
}

TEST(ServiceRules, NoEndpointsRejectsHeadlessIsSkippedTerminatingFallback) {
  auto svc = obj(kService);
  Fragment f = service_rules(svc, {}, {});
  EXPECT_EQ(f.elements.at({"no-endpoint-services", "10.96.0.20 . tcp . 80"}), "goto reject-chain");
  EXPECT_EQ(f.elements.at({"no-endpoint-nodeports", "tcp . 30080"}), "goto reject-chain");
  EXPECT_TRUE(f.chains.empty());
  auto headless = obj(R"({"metadata":{"namespace":"default","name":"h"},"spec":{"clusterIP":"None","ports":[{"port":80}]}})");
  EXPECT_TRUE(service_rules(headless, {}, {}).empty());
  // Only terminating-but-serving endpoints: used rather than rejecting.
  auto slice = obj(R"({"metadata":{"namespace":"default","name":"x"},"ports":[{"name":"http","port":81}],
    "endpoints":[{"addresses":["10.244.1.9"],"conditions":{"ready":false,"serving":true,"terminating":true}}]})");
  f = service_rules(svc, {&slice}, {});
  EXPECT_NE(all_text(f).find("0 : 10.244.1.9 . 81 }"), std::string::npos);
}

TEST(ServiceRules, SessionAffinitySetsPerEndpoint) {
  auto svc = obj(R"({"metadata":{"namespace":"ns","name":"a"},"spec":{"clusterIP":"10.96.0.30",
    "sessionAffinity":"ClientIP","sessionAffinityConfig":{"clientIP":{"timeoutSeconds":60}},"ports":[{"port":80}]}})");
  auto slice = obj(R"({"metadata":{"namespace":"ns","name":"a-1"},"ports":[{"port":8080}],
    "endpoints":[{"addresses":["10.244.1.5"]},{"addresses":["10.244.2.6"]}]})");
  Fragment f = service_rules(svc, {&slice}, {});
  ASSERT_EQ(f.sets.size(), 2u);
  EXPECT_EQ(f.sets.at("affinity-ns/a/tcp/80__10.244.1.5/8080"),
            "{ type ipv4_addr ; flags dynamic,timeout ; timeout 60s ; }");
  const auto& svc_chain = f.chains.at("service-ns/a/tcp/80");
  EXPECT_EQ(svc_chain[1], "ip saddr @affinity-ns/a/tcp/80__10.244.1.5/8080 goto endpoint-ns/a/tcp/80__10.244.1.5/8080");
  EXPECT_EQ(f.chains.at("endpoint-ns/a/tcp/80__10.244.2.6/8080")[1], "update @affinity-ns/a/tcp/80__10.244.2.6/8080 { ip saddr }");
  // Default timeout: 10800 s.
  auto svc2 = obj(R"({"metadata":{"namespace":"ns","name":"a"},"spec":{"clusterIP":"10.96.0.30",
    "sessionAffinity":"ClientIP","ports":[{"port":80}]}})");
  EXPECT_NE(service_rules(svc2, {&slice}, {}).sets.begin()->second.find("timeout 10800s"), std::string::npos);
}

TEST(ServiceRules, TrafficPolicyLocalAndExternalIPs) {
  auto svc = obj(R"({"metadata":{"namespace":"ns","name":"l"},"spec":{"type":"NodePort","clusterIP":"10.96.0.40",
    "externalTrafficPolicy":"Local","externalIPs":["192.0.2.7"],"ports":[{"port":80,"nodePort":30100}]}})");
  auto slice = obj(R"({"metadata":{"namespace":"ns","name":"l-1"},"ports":[{"port":8080}],
    "endpoints":[{"addresses":["10.244.1.5"],"nodeName":"n1"},{"addresses":["10.244.2.6"],"nodeName":"n2"}]})");
  RuleOptions n1 = opts("n1"), n3 = opts("n3");
  Fragment f = service_rules(svc, {&slice}, n1);
  EXPECT_EQ(f.elements.at({"nodeports", "tcp . 30100"}), "goto external-ns/l/tcp/80");
  EXPECT_EQ(f.elements.at({"services", "192.0.2.7 . tcp . 80"}), "goto external-ns/l/tcp/80");
  const auto& ext = f.chains.at("external-ns/l/tcp/80");
  EXPECT_EQ(ext.back(), "goto local-ns/l/tcp/80");  // outside clients: no masquerade
  EXPECT_EQ(ext[0], "ip saddr 10.244.0.0/16 goto service-ns/l/tcp/80");
  EXPECT_EQ(f.chains.at("local-ns/l/tcp/80").back(), "meta l4proto tcp dnat ip to numgen random mod 1 map { 0 : 10.244.1.5 . 8080 }");
  // A node without a local endpoint drops external traffic; the ClusterIP still works.
  f = service_rules(svc, {&slice}, n3);
  EXPECT_EQ(f.elements.at({"no-endpoint-nodeports", "tcp . 30100"}), "drop");
  EXPECT_EQ(f.elements.at({"no-endpoint-services", "192.0.2.7 . tcp . 80"}), "drop");
  EXPECT_EQ(f.elements.at({"services", "10.96.0.40 . tcp . 80"}), "goto service-ns/l/tcp/80");
  // internalTrafficPolicy Local: the ClusterIP only to local endpoints; none here: drop.
  auto itp = obj(R"({"metadata":{"namespace":"ns","name":"i"},"spec":{"clusterIP":"10.96.0.41",
    "internalTrafficPolicy":"Local","ports":[{"port":80}]}})");
  auto islice = obj(R"({"metadata":{"namespace":"ns","name":"i-1"},"ports":[{"port":8080}],
    "endpoints":[{"addresses":["10.244.1.5"],"nodeName":"n1"}]})");
  EXPECT_EQ(service_rules(itp, {&islice}, n1).elements.at({"services", "10.96.0.41 . tcp . 80"}), "goto local-ns/i/tcp/80");
  EXPECT_EQ(service_rules(itp, {&islice}, n3).elements.at({"no-endpoint-services", "10.96.0.41 . tcp . 80"}), "drop");
}

TEST(HostPort, DnatOnNodeAddressesOrHostIP) {
  auto pod = obj(R"({"metadata":{"namespace":"ns","name":"p"},"status":{"podIP":"10.244.1.5","phase":"Running"},
    "spec":{"containers":[{"name":"c","ports":[{"containerPort":80,"hostPort":8081},
      {"containerPort":53,"hostPort":5353,"protocol":"UDP","hostIP":"192.0.2.1"},{"containerPort":9000}]}]}})");
  Fragment f = hostport_rules(pod, {});
  EXPECT_EQ(f.elements.at({"hostports", "tcp . 8081"}), "goto hostport-ns/p/tcp/8081");
  EXPECT_EQ(f.elements.at({"hostip-ports", "192.0.2.1 . udp . 5353"}), "goto hostport-ns/p/udp/5353");
  EXPECT_EQ(f.chains.at("hostport-ns/p/tcp/8081")[1], "meta l4proto tcp dnat to 10.244.1.5:80");
  EXPECT_EQ(f.chains.size(), 2u);
}

TEST(Diff, TouchesOnlyWhatChanged) {
  auto svc = obj(R"({"metadata":{"namespace":"ns","name":"a"},"spec":{"clusterIP":"10.96.0.30",
    "sessionAffinity":"ClientIP","ports":[{"port":80},{"name":"b","port":81}]}})");
  auto slice = obj(R"({"metadata":{"namespace":"ns","name":"a-1"},"ports":[{"port":8080},{"name":"b","port":8081}],
    "endpoints":[{"addresses":["10.244.1.5"]},{"addresses":["10.244.2.6"]}]})");
  Fragment a = service_rules(svc, {&slice}, {});
  EXPECT_EQ(diff(a, a), "");
  auto slice2 = obj(R"({"metadata":{"namespace":"ns","name":"a-1"},"ports":[{"port":8080},{"name":"b","port":8081}],
    "endpoints":[{"addresses":["10.244.1.5"]}]})");
  Fragment b = service_rules(svc, {&slice2}, {});
  std::string d = diff(a, b);
  EXPECT_NE(d.find("delete chain ip skiff-proxy endpoint-ns/a/tcp/80__10.244.2.6/8080"), std::string::npos) << d;
  EXPECT_NE(d.find("delete set ip skiff-proxy affinity-ns/a/tcp/80__10.244.2.6/8080"), std::string::npos) << d;
  EXPECT_NE(d.find("flush chain ip skiff-proxy service-ns/a/tcp/80\n"), std::string::npos) << d;
  // The remaining endpoint's chain and set are untouched (its clients keep their affinity).
  EXPECT_EQ(d.find("chain ip skiff-proxy endpoint-ns/a/tcp/80__10.244.1.5/8080\n"), std::string::npos) << d;
  EXPECT_EQ(d.find("rule ip skiff-proxy endpoint-ns/a/tcp/80__10.244.1.5/8080"), std::string::npos) << d;
  EXPECT_EQ(d.find("set ip skiff-proxy affinity-ns/a/tcp/80__10.244.1.5"), std::string::npos) << d;
  EXPECT_EQ(d.find("element"), std::string::npos) << d;  // the map entries stay
  // The flush comes before the delete of the chain it referred to.
  EXPECT_LT(d.find("flush chain ip skiff-proxy service-ns/a/tcp/80\n"), d.find("delete chain"));
}

// As root: a full sync, an incremental change, a restart's full sync that adopts the table
// (no delete), and the removal of a service, applied by the kernel in a private namespace.
TEST(Apply, FullIncrementalAdoptRemove) {
  if (::geteuid() != 0 || ::access("/usr/sbin/nft", X_OK) != 0 || ::access("/usr/bin/unshare", X_OK) != 0)
    GTEST_SKIP() << "needs root, nft and unshare";
  auto svc = obj(kService), slice = obj(kSlice);
  RuleOptions ro = opts("n1", "10.96.0.0/12");
  auto aff = obj(R"({"metadata":{"namespace":"ns","name":"a"},"spec":{"clusterIP":"10.96.0.30",
    "sessionAffinity":"ClientIP","ports":[{"port":80}]}})");
  auto aslice = obj(R"({"metadata":{"namespace":"ns","name":"a-1"},"ports":[{"port":8080}],
    "endpoints":[{"addresses":["10.244.1.5"]},{"addresses":["10.244.2.6"]}]})");
  Fragment a = service_rules(svc, {&slice}, ro), b = service_rules(svc, {}, ro);
  Fragment x = service_rules(aff, {&aslice}, ro), pod = hostport_rules(obj(R"({"metadata":{"namespace":"ns","name":"p"},
    "status":{"podIP":"10.244.1.5"},"spec":{"containers":[{"ports":[{"containerPort":80,"hostPort":8081}]}]}})"), ro);
  std::set<std::string> chains, sets;
  auto join = [](const std::vector<std::string>& txs) {  // one `nft -f` per transaction
    std::string out;
    for (const auto& t : txs) out += "nft -f - <<'EOF'\n" + t + "EOF\n";
    return out;
  };
  std::string first = join(full_sync({}, {}, {&a, &x, &pod}, ro, 3));
  for (const auto& [n, r] : b.chains) chains.insert(n);  // what the table holds after diff(a, b)
  for (const auto& [n, r] : x.chains) chains.insert(n);
  for (const auto& [n, r] : pod.chains) chains.insert(n);
  for (const auto& [n, s] : x.sets) sets.insert(n);
  for (const char* n : {"mark-for-masquerade", "masquerading", "reject-chain", "services-check", "filter-prerouting",
                        "filter-output", "services", "nat-prerouting", "nat-output", "nat-postrouting"})
    chains.insert(n);
  std::string script = std::string(testing::TempDir()) + "/proxy_apply.sh";
  std::ofstream(script) << "set -e\n" << first << "nft -f - <<'EOF'\n" << diff(a, b) << "EOF\n"
                        << join(full_sync(chains, sets, {&b, &x}, ro, 3))
                        << "nft -f - <<'EOF'\n" << diff(x, {}) << "EOF\nnft -t list table ip skiff-proxy\n";
  auto r = runtime::run_command({"/usr/bin/unshare", "-n", "/bin/sh", script});
  ASSERT_EQ(r.exit_code, 0) << r.err << "\n" << first;
  EXPECT_NE(r.out.find("chain filter-prerouting"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ip daddr 10.96.0.0/12 reject with tcp reset"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("service-default"), std::string::npos) << r.out;  // gone with the endpoints
  EXPECT_EQ(r.out.find("affinity-"), std::string::npos) << r.out;        // gone with the service
  EXPECT_EQ(r.out.find("hostport-"), std::string::npos) << r.out;        // the pod was not in the resync
  std::set<std::string> c2, s2;
  parse_names(r.out, c2, s2);
  EXPECT_TRUE(c2.count("nat-prerouting"));
  EXPECT_TRUE(s2.count("no-endpoint-services"));
}

}  // namespace
}  // namespace skiff::proxy
