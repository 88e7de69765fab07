// render(): Services + EndpointSlices -> the nft text of table ip skiff-proxy.
#include <gtest/gtest.h>
#include <unistd.h>

#include "proxy/proxy.h"
#include "runtime/process.h"

namespace skiff::proxy {
namespace {

client::ObjectPtr obj(const char* text) {
  return std::make_shared<const json::object>(json::parse(text).as_object());
}

const char* kService = R"({"metadata":{"namespace":"default","name":"web"},
  "spec":{"type":"NodePort","clusterIP":"10.96.0.20","ports":[
    {"name":"http","protocol":"TCP","port":80,"targetPort":"http","nodePort":30080},
    {"name":"dns","protocol":"UDP","port":53,"targetPort":5353}]}})";

TEST(Render, ClusterIpNodePortNamedPortsAndReadiness) {
  auto slice = obj(R"({"metadata":{"namespace":"default","name":"web-x",
      "labels":{"kubernetes.io/service-name":"web"}},"addressType":"IPv4",
    "ports":[{"name":"http","protocol":"TCP","port":8080},{"name":"dns","protocol":"UDP","port":5353}],
    "endpoints":[{"addresses":["10.244.1.5"],"conditions":{"ready":true}},
                 {"addresses":["10.244.2.6"]},
                 {"addresses":["10.244.3.7"],"conditions":{"ready":false}}]})");
  std::string t = render({obj(kService)}, {slice}, "10.244.0.0/16");
  EXPECT_NE(t.find("10.96.0.20 . tcp . 80 : goto svc-0"), std::string::npos) << t;
  EXPECT_NE(t.find("10.96.0.20 . udp . 53 : goto svc-1"), std::string::npos) << t;
  EXPECT_NE(t.find("tcp . 30080 : goto svc-0-np"), std::string::npos) << t;
  EXPECT_NE(t.find("numgen random mod 2 vmap"), std::string::npos) << t;
  EXPECT_NE(t.find("dnat to 10.244.1.5:8080"), std::string::npos) << t;  // named targetPort
  EXPECT_NE(t.find("dnat to 10.244.2.6:5353"), std::string::npos) << t;
  EXPECT_EQ(t.find("10.244.3.7"), std::string::npos) << t;  // not ready
  EXPECT_NE(t.find("ip saddr != 10.244.0.0/16 meta mark set"), std::string::npos) << t;
  if (::geteuid() == 0 && ::access("/usr/sbin/nft", X_OK) == 0) {  // nft accepts it (check only)
    runtime::CommandOptions co;
    co.input = t;
    auto r = runtime::run_command({"/usr/sbin/nft", "-c", "-f", "-"}, co);
    EXPECT_EQ(r.exit_code, 0) << r.err << t;
  }
}

TEST(Render, NoEndpointsRejectsAndHeadlessIsSkipped) {
  auto headless = obj(R"({"metadata":{"namespace":"default","name":"h"},
    "spec":{"clusterIP":"None","ports":[{"port":80}]}})");
  std::string t = render({obj(kService), headless}, {}, "10.244.0.0/16");
  EXPECT_NE(t.find("10.96.0.20 . tcp . 80 : goto reject-no-endpoints"), std::string::npos) << t;
  EXPECT_NE(t.find("tcp . 30080 : goto reject-no-endpoints"), std::string::npos) << t;
  EXPECT_EQ(t.find("chain svc-"), std::string::npos) << t;
  EXPECT_EQ(t.find("None"), std::string::npos) << t;
}

}  // namespace
}  // namespace skiff::proxy
