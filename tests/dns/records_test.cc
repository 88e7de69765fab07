// The record table: every kind of record, NXDOMAIN vs NODATA, case-insensitivity.
#include "dns/records.h"

#include <gtest/gtest.h>

#include "common/json.h"

namespace skiff::dns {
namespace {

client::ObjectPtr obj(const char* text) {
  return std::make_shared<const json::object>(json::parse(text).as_object());
}

class RecordTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<client::ObjectPtr> services = {
        obj(R"({"metadata":{"name":"web","namespace":"default"},
                "spec":{"type":"ClusterIP","clusterIP":"10.96.0.10",
                        "ports":[{"name":"http","port":80,"protocol":"TCP"},{"port":81}]}})"),
        obj(R"({"metadata":{"name":"db","namespace":"prod"},
                "spec":{"clusterIP":"None","ports":[{"name":"pg","port":5432}]}})"),
        obj(R"({"metadata":{"name":"ext","namespace":"default"},
                "spec":{"type":"ExternalName","externalName":"example.com"}})")};
    std::vector<client::ObjectPtr> slices = {
        obj(R"({"metadata":{"name":"db-abc","namespace":"prod","labels":{"kubernetes.io/service-name":"db"}},
                "addressType":"IPv4",
                "ports":[{"name":"pg","port":5433,"protocol":"TCP"}],
                "endpoints":[{"addresses":["10.244.1.5"],"hostname":"db-0","conditions":{"ready":true}},
                             {"addresses":["10.244.2.6"],"conditions":{"ready":true}},
                             {"addresses":["10.244.3.7"],"hostname":"db-2","conditions":{"ready":false}}]})")};
    table.rebuild(services, slices);
  }
  RecordTable table{"cluster.local", 30};
};

TEST_F(RecordTableTest, ClusterIPService) {
  auto a = table.lookup("web.default.svc.cluster.local", type::kA);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->rcode, Rcode::kNoError);
  ASSERT_EQ(a->answers.size(), 1u);
  EXPECT_EQ(a->answers[0].type, type::kA);
  EXPECT_EQ(a->answers[0].ttl, 30u);
  EXPECT_EQ(a->answers[0].addr[0], 10);
  EXPECT_EQ(a->answers[0].addr[1], 96);
  EXPECT_EQ(a->answers[0].addr[3], 10);
}

TEST_F(RecordTableTest, CaseInsensitiveAndTrailingDot) {
  auto a = table.lookup("WEB.Default.SVC.cluster.LOCAL.", type::kA);
  ASSERT_TRUE(a);
  ASSERT_EQ(a->answers.size(), 1u);
  EXPECT_EQ(a->answers[0].addr[3], 10);
}

TEST_F(RecordTableTest, NxDomainVsNoData) {
  auto nx = table.lookup("nope.default.svc.cluster.local", type::kA);
  ASSERT_TRUE(nx);
  EXPECT_EQ(nx->rcode, Rcode::kNxDomain);
  EXPECT_TRUE(nx->answers.empty());
  ASSERT_EQ(nx->authority.size(), 1u);
  EXPECT_EQ(nx->authority[0].type, type::kSOA);

  auto nodata = table.lookup("web.default.svc.cluster.local", type::kAAAA);
  ASSERT_TRUE(nodata);
  EXPECT_EQ(nodata->rcode, Rcode::kNoError);
  EXPECT_TRUE(nodata->answers.empty());
  ASSERT_EQ(nodata->authority.size(), 1u);
  EXPECT_EQ(nodata->authority[0].type, type::kSOA);

  // Names between a record and the domain exist (empty non-terminals).
  for (const char* n : {"default.svc.cluster.local", "svc.cluster.local", "_tcp.web.default.svc.cluster.local"}) {
    auto r = table.lookup(n, type::kA);
    ASSERT_TRUE(r) << n;
    EXPECT_EQ(r->rcode, Rcode::kNoError) << n;
    EXPECT_TRUE(r->answers.empty()) << n;
  }
  // ExternalName is not answered in this slice.
  EXPECT_EQ(table.lookup("ext.default.svc.cluster.local", type::kA)->rcode, Rcode::kNxDomain);
  // The apex answers SOA.
  auto soa = table.lookup("cluster.local", type::kSOA);
  ASSERT_TRUE(soa);
  ASSERT_EQ(soa->answers.size(), 1u);
  EXPECT_EQ(soa->answers[0].type, type::kSOA);
}

TEST_F(RecordTableTest, NamesOutsideTheDomainAreNotOurs) {
  EXPECT_FALSE(table.lookup("example.com", type::kA));
  EXPECT_FALSE(table.lookup("notcluster.local", type::kA));
  EXPECT_FALSE(table.lookup("9.9.9.9.in-addr.arpa", type::kPTR));  // unknown address: upstream's
}

TEST_F(RecordTableTest, SrvForNamedPortsOfAClusterIPService) {
  auto a = table.lookup("_http._tcp.web.default.svc.cluster.local", type::kSRV);
  ASSERT_TRUE(a);
  ASSERT_EQ(a->answers.size(), 1u);
  EXPECT_EQ(a->answers[0].port, 80);
  EXPECT_EQ(a->answers[0].target, "web.default.svc.cluster.local");
  // The unnamed port has none, and a wrong protocol does not exist.
  EXPECT_EQ(table.lookup("_http._udp.web.default.svc.cluster.local", type::kSRV)->rcode, Rcode::kNxDomain);
}

TEST_F(RecordTableTest, HeadlessService) {
  auto a = table.lookup("db.prod.svc.cluster.local", type::kA);
  ASSERT_TRUE(a);
  ASSERT_EQ(a->answers.size(), 2u);  // the not-ready endpoint is left out
  std::set<int> last;
  for (const auto& r : a->answers) last.insert(r.addr[3]);
  EXPECT_EQ(last, (std::set<int>{5, 6}));

  auto host = table.lookup("db-0.db.prod.svc.cluster.local", type::kA);
  ASSERT_TRUE(host);
  ASSERT_EQ(host->answers.size(), 1u);
  EXPECT_EQ(host->answers[0].addr[3], 5);
  auto dashed = table.lookup("10-244-2-6.db.prod.svc.cluster.local", type::kA);
  ASSERT_TRUE(dashed);
  ASSERT_EQ(dashed->answers.size(), 1u);
  EXPECT_EQ(table.lookup("db-2.db.prod.svc.cluster.local", type::kA)->rcode, Rcode::kNxDomain);

  auto srv = table.lookup("_pg._tcp.db.prod.svc.cluster.local", type::kSRV);
  ASSERT_TRUE(srv);
  ASSERT_EQ(srv->answers.size(), 2u);
  std::set<std::string> targets;
  for (const auto& r : srv->answers) {
    EXPECT_EQ(r.port, 5433);  // the endpoint's port
    targets.insert(r.target);
  }
  EXPECT_EQ(targets, (std::set<std::string>{"db-0.db.prod.svc.cluster.local",
                                            "10-244-2-6.db.prod.svc.cluster.local"}));
}

TEST_F(RecordTableTest, PodNames) {
  auto a = table.lookup("10-244-1-9.anyns.pod.cluster.local", type::kA);
  ASSERT_TRUE(a);
  ASSERT_EQ(a->answers.size(), 1u);
  EXPECT_EQ(a->answers[0].addr[0], 10);
  EXPECT_EQ(a->answers[0].addr[1], 244);
  EXPECT_EQ(a->answers[0].addr[2], 1);
  EXPECT_EQ(a->answers[0].addr[3], 9);
  EXPECT_EQ(table.lookup("10-244-1-9.anyns.pod.cluster.local", type::kAAAA)->rcode, Rcode::kNoError);
  EXPECT_TRUE(table.lookup("10-244-1-9.anyns.pod.cluster.local", type::kAAAA)->answers.empty());
  EXPECT_EQ(table.lookup("10-244-1-999.anyns.pod.cluster.local", type::kA)->rcode, Rcode::kNxDomain);
  EXPECT_EQ(table.lookup("not-an-ip.anyns.pod.cluster.local", type::kA)->rcode, Rcode::kNxDomain);
}

TEST_F(RecordTableTest, Ptr) {
  auto svc = table.lookup("10.0.96.10.in-addr.arpa", type::kPTR);
  ASSERT_TRUE(svc);
  ASSERT_EQ(svc->answers.size(), 1u);
  EXPECT_EQ(svc->answers[0].target, "web.default.svc.cluster.local");
  auto ep = table.lookup("5.1.244.10.IN-ADDR.ARPA", type::kPTR);
  ASSERT_TRUE(ep);
  ASSERT_EQ(ep->answers.size(), 1u);
  EXPECT_EQ(ep->answers[0].target, "db-0.db.prod.svc.cluster.local");
  auto nodata = table.lookup("10.0.96.10.in-addr.arpa", type::kA);
  ASSERT_TRUE(nodata);
  EXPECT_TRUE(nodata->answers.empty());
}

TEST_F(RecordTableTest, RebuildReplacesEverything) {
  table.rebuild({}, {});
  EXPECT_EQ(table.lookup("web.default.svc.cluster.local", type::kA)->rcode, Rcode::kNxDomain);
  EXPECT_FALSE(table.lookup("10.0.96.10.in-addr.arpa", type::kPTR));
}

}  // namespace
}  // namespace skiff::dns
