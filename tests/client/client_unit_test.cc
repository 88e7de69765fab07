// Client pieces that need no server: paths, query encoding, kubeconfig parsing, transport
// errors, Status decoding.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "api/resources.h"
#include "client/client.h"
#include "client/http_conn.h"
#include "client/token_file.h"
#include "common/base64.h"

#include "support/temp_dir.h"

namespace skiff::client {
namespace {
using testing::TempDir;

const api::ResourceInfo& res(const char* group, const char* version, const char* resource) {
  const api::ResourceInfo* r = api::find_resource(group, version, resource);
  if (!r) throw std::runtime_error(std::string("no resource ") + resource);
  return *r;
}

TEST(ClientPaths, PathFor) {
  auto& pods = res("", "v1", "pods");
  auto& nodes = res("", "v1", "nodes");
  auto& deps = res("apps", "v1", "deployments");
  EXPECT_EQ(Client::path_for(pods, "default", "nginx", "status"),
            "/api/v1/namespaces/default/pods/nginx/status");
  EXPECT_EQ(Client::path_for(pods, ""), "/api/v1/pods");
  EXPECT_EQ(Client::path_for(nodes, "ignored", "n1"), "/api/v1/nodes/n1");
  EXPECT_EQ(Client::path_for(deps, "kube-system"), "/apis/apps/v1/namespaces/kube-system/deployments");
}

TEST(ClientPaths, UrlEncode) {
  EXPECT_EQ(detail::url_encode("app in (a,b),tier!=x"), "app%20in%20%28a%2Cb%29%2Ctier%21%3Dx");
  EXPECT_EQ(detail::url_encode("a-b_c.d~e"), "a-b_c.d~e");
}

TEST(ClientUrl, Parse) {
  detail::Endpoint ep;
  ASSERT_TRUE(detail::parse_server_url("https://127.0.0.1:6443", ep, nullptr));
  EXPECT_EQ(ep.host, "127.0.0.1");
  EXPECT_EQ(ep.port, "6443");
  ASSERT_TRUE(detail::parse_server_url("https://[::1]:8443/", ep, nullptr));
  EXPECT_EQ(ep.host, "::1");
  EXPECT_EQ(ep.port, "8443");
  ASSERT_TRUE(detail::parse_server_url("https://example.com", ep, nullptr));
  EXPECT_EQ(ep.port, "443");
  EXPECT_FALSE(detail::parse_server_url("ftp://x", ep, nullptr));
}

TEST(ClientStatus, FromStatusObject) {
  json::object st{{"kind", "Status"},
                  {"apiVersion", "v1"},
                  {"status", "Failure"},
                  {"message", "Pod \"x\" is invalid"},
                  {"reason", "Invalid"},
                  {"code", 422},
                  {"details", json::object{{"name", "x"},
                                           {"kind", "pods"},
                                           {"causes", json::array{json::object{
                                                          {"reason", "FieldValueRequired"},
                                                          {"message", "Required value"},
                                                          {"field", "spec.containers"}}}}}}};
  ApiError e = api_error_from_status(st);
  EXPECT_EQ(e.code, 422);
  EXPECT_EQ(e.reason, "Invalid");
  EXPECT_EQ(e.name, "x");
  ASSERT_EQ(e.causes.size(), 1u);
  EXPECT_EQ(e.causes[0].field, "spec.containers");
  EXPECT_EQ(e.causes[0].type, "FieldValueRequired");
}

int closed_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  int port = ntohs(a.sin_port);
  close(fd);
  return port;
}

TEST(ClientTransport, ConnectionRefusedIs503) {
  Config cfg;
  cfg.server = "https://127.0.0.1:" + std::to_string(closed_port());
  Client c(cfg);
  auto r = c.get(res("", "v1", "namespaces"), "", "default");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, 503);
  EXPECT_EQ(r.error().reason, "ServiceUnavailable");
  EXPECT_NE(r.error().message.find("connect"), std::string::npos) << r.error().message;
  std::atomic<bool> stop{false};
  auto w = c.watch(res("", "v1", "pods"), "", {}, [](WatchEvent&) { return true; }, &stop);
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().code, 503);
}

TEST(ClientTransport, BadServerUrlIs503) {
  Config cfg;
  cfg.server = "not a url";
  Client c(cfg);
  auto r = c.request("GET", "/version");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, 503);
}


void write(const std::string& p, const std::string& text) { std::ofstream(p) << text; }

TEST(Kubeconfig, EmbeddedDataAndCurrentContext) {
  TempDir d;
  std::string kc = d.path() + "/config";
  write(kc, "apiVersion: v1\nkind: Config\n"
            "clusters:\n"
            "- name: other\n  cluster:\n    server: https://10.0.0.9:1\n"
            "- name: c1\n  cluster:\n    server: \"https://127.0.0.1:6443\"\n"
            "    certificate-authority-data: " + base64_encode("CA PEM") + "\n"
            "contexts:\n- name: ctx\n  context:\n    cluster: c1\n    user: u1\n"
            "current-context: ctx\n"
            "users:\n- name: u1\n  user:\n"
            "    client-certificate-data: " + base64_encode("CERT") + "\n"
            "    client-key-data: " + base64_encode("KEY") + "\n"
            "    token: abc123\n");
  auto cfg = Config::from_kubeconfig(kc);
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->server, "https://127.0.0.1:6443");
  EXPECT_EQ(cfg->ca_pem, "CA PEM");
  EXPECT_EQ(cfg->cert_pem, "CERT");
  EXPECT_EQ(cfg->key_pem, "KEY");
  EXPECT_EQ(cfg->token, "abc123");
}

TEST(Kubeconfig, FilePathsRelativeToTheKubeconfig) {
  TempDir d;
  write(d.path() + "/ca.crt", "CA FILE");
  write(d.path() + "/client.crt", "CERT FILE");
  write(d.path() + "/client.key", "KEY FILE");
  std::string kc = d.path() + "/config";
  write(kc, "clusters:\n- name: c\n  cluster:\n    server: https://localhost:6443\n"
            "    certificate-authority: ca.crt\n"
            "contexts:\n- name: x\n  context: {cluster: c, user: u}\n"
            "current-context: x\n"
            "users:\n- name: u\n  user:\n    client-certificate: client.crt\n"
            "    client-key: " + d.path() + "/client.key\n");
  auto cfg = Config::from_kubeconfig(kc);
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->ca_pem, "CA FILE");
  EXPECT_EQ(cfg->cert_pem, "CERT FILE");
  EXPECT_EQ(cfg->key_pem, "KEY FILE");
}

TEST(Kubeconfig, Errors) {
  TempDir d;
  EXPECT_FALSE(Config::from_kubeconfig(d.path() + "/missing"));
  write(d.path() + "/bad", "clusters: [\n");
  EXPECT_FALSE(Config::from_kubeconfig(d.path() + "/bad"));
  write(d.path() + "/nocluster", "current-context: x\ncontexts:\n- name: x\n  context: {cluster: c}\n");
  EXPECT_FALSE(Config::from_kubeconfig(d.path() + "/nocluster"));
}

TEST(Kubeconfig, TokenFileIsKeptForRotation) {
  TempDir d;
  write(d.path() + "/token", "first\n");
  std::string kc = d.path() + "/config";
  write(kc, "clusters:\n- name: c\n  cluster: {server: 'https://localhost:6443'}\n"
            "contexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n"
            "users:\n- name: u\n  user: {tokenFile: token}\n");
  auto cfg = Config::from_kubeconfig(kc);
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->token, "first");
  EXPECT_EQ(cfg->token_file, d.path() + "/token");
}

TEST(TokenFile, RereadsAfterMaxAgeAndKeepsTheLastGoodToken) {
  TempDir d;
  std::string f = d.path() + "/token";
  write(f, "one\n");
  TokenFile cached(f, std::chrono::hours(1));
  TokenFile fresh(f, std::chrono::seconds(0));
  EXPECT_EQ(cached.get(), "one");
  EXPECT_EQ(fresh.get(), "one");
  write(f, "two");
  EXPECT_EQ(cached.get(), "one");  // younger than its max age: not re-read
  EXPECT_EQ(fresh.get(), "two");
  std::filesystem::remove(f);
  EXPECT_EQ(fresh.get(), "two");  // a missing file keeps the last good token
}

TEST(InCluster, OutsideAPodSaysWhatIsMissing) {
  ::unsetenv("KUBERNETES_SERVICE_HOST");
  auto cfg = Config::in_cluster();
  ASSERT_FALSE(cfg);
  EXPECT_NE(cfg.error().message.find("KUBERNETES_SERVICE_HOST"), std::string::npos);
}

}  // namespace
}  // namespace skiff::client
