// The server on 127.0.0.1 port 0: UDP and TCP answers from the record table, and forwarding
// to a fake upstream with caching.
#include "dns/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>

#include "common/json.h"
#include "dns/records.h"

namespace skiff::dns {
namespace {

using Bytes = std::vector<uint8_t>;
using namespace std::chrono_literals;

sockaddr_in loopback(uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

Bytes query_bytes(const std::string& name, uint16_t t, uint16_t id) {
  Message m;
  m.id = id;
  m.flags = kFlagRD;
  m.questions.push_back({name, t, kClassIN});
  return encode(m);
}

// Sends q over UDP and waits for the reply with q's id, resending every 500 ms until 10 s pass.
std::optional<Message> udp_ask(uint16_t port, const Bytes& q) {
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) return std::nullopt;
  auto to = loopback(port);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  std::optional<Message> out;
  while (!out && std::chrono::steady_clock::now() < deadline) {
    ::sendto(fd, q.data(), q.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 500) <= 0) continue;
    uint8_t buf[65535];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) continue;
    auto m = parse(std::span<const uint8_t>(buf, static_cast<size_t>(n)));
    if (m && q.size() >= 2 && m->id == (q[0] << 8 | q[1])) out = m;
  }
  ::close(fd);
  return out;
}

bool read_all(int fd, uint8_t* p, size_t n) {
  while (n > 0) {
    pollfd pf{fd, POLLIN, 0};
    if (::poll(&pf, 1, 10000) <= 0) return false;
    ssize_t r = ::recv(fd, p, n, 0);
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

std::optional<Message> tcp_ask(uint16_t port, const Bytes& q) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return std::nullopt;
  auto to = loopback(port);
  std::optional<Message> out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0) {
    Bytes framed = {static_cast<uint8_t>(q.size() >> 8), static_cast<uint8_t>(q.size())};
    framed.insert(framed.end(), q.begin(), q.end());
    uint8_t len[2];
    if (::send(fd, framed.data(), framed.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(framed.size()) &&
        read_all(fd, len, 2)) {
      Bytes body(size_t{len[0]} << 8 | len[1]);
      if (read_all(fd, body.data(), body.size())) out = parse(body);
    }
  }
  ::close(fd);
  return out;
}

// A fake upstream: answers every A question with 192.0.2.7, TTL 60, and counts queries.
class FakeUpstream {
 public:
  FakeUpstream() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    auto a = loopback(0);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return;
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~FakeUpstream() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    ::close(fd_);
  }
  uint16_t port() const { return port_; }
  int queries() const { return queries_.load(); }

 private:
  void run() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      uint8_t buf[4096];
      sockaddr_in from{};
      socklen_t len = sizeof from;
      ssize_t n = ::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n <= 0) continue;
      auto q = parse(std::span<const uint8_t>(buf, static_cast<size_t>(n)));
      if (!q || q->questions.size() != 1) continue;
      ++queries_;
      Message r = reply_to(*q, Rcode::kNoError);
      r.flags |= kFlagRA;
      r.answers.push_back(a_record(q->questions[0].name, 60, {192, 0, 2, 7}));
      auto w = encode(r);
      ::sendto(fd_, w.data(), w.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
    }
  }
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> queries_{0};
  std::thread thread_;
};

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(upstream.port(), 0);
    table.rebuild({std::make_shared<const json::object>(
                      json::parse(R"({"metadata":{"name":"web","namespace":"default"},
                                      "spec":{"clusterIP":"10.96.0.10"}})")
                          .as_object())},
                  {});
    ServerOptions o;
    o.listen = "127.0.0.1:0";
    o.upstreams = {"127.0.0.1:" + std::to_string(upstream.port())};
    o.metrics = &metrics;
    server = std::make_unique<Server>(table, o);
    server->start();
    ASSERT_NE(server->port(), 0);
  }
  void TearDown() override { server.reset(); }

  FakeUpstream upstream;
  Metrics metrics;  // before the server: it must outlive it
  RecordTable table{"cluster.local", 30};
  std::unique_ptr<Server> server;
};

TEST_F(ServerTest, AnswersOverUdp) {
  auto r = udp_ask(server->port(), query_bytes("web.default.svc.cluster.local", type::kA, 0x4242));
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->flags & kFlagQR);
  EXPECT_TRUE(r->flags & kFlagAA);
  EXPECT_EQ(r->rcode, Rcode::kNoError);
  ASSERT_EQ(r->answers.size(), 1u);
  EXPECT_EQ(r->answers[0].addr[0], 10);
  EXPECT_EQ(r->answers[0].addr[3], 10);
  EXPECT_EQ(r->answers[0].ttl, 30u);

  auto nx = udp_ask(server->port(), query_bytes("nope.default.svc.cluster.local", type::kA, 0x4243));
  ASSERT_TRUE(nx);
  EXPECT_EQ(nx->rcode, Rcode::kNxDomain);
  ASSERT_EQ(nx->authority.size(), 1u);
  EXPECT_EQ(nx->authority[0].type, type::kSOA);
  EXPECT_EQ(upstream.queries(), 0);
}

TEST_F(ServerTest, AnswersOverTcp) {
  auto r = tcp_ask(server->port(), query_bytes("WEB.default.svc.cluster.local", type::kA, 0x0707));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->id, 0x0707);
  EXPECT_EQ(r->rcode, Rcode::kNoError);
  ASSERT_EQ(r->answers.size(), 1u);
  EXPECT_EQ(r->answers[0].addr[1], 96);
}

TEST_F(ServerTest, MalformedQueryGetsFormErr) {
  // A header claiming one question, and no question.
  Bytes bad = {0x55, 0x66, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
  auto r = udp_ask(server->port(), bad);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rcode, Rcode::kFormErr);
  // The server is still there.
  EXPECT_TRUE(udp_ask(server->port(), query_bytes("web.default.svc.cluster.local", type::kA, 1)));
}

TEST_F(ServerTest, ForwardsOtherNamesAndCachesTheAnswer) {
  auto r = udp_ask(server->port(), query_bytes("www.example.com", type::kA, 0x1111));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->id, 0x1111);
  EXPECT_EQ(r->rcode, Rcode::kNoError);
  ASSERT_EQ(r->answers.size(), 1u);
  EXPECT_EQ(r->answers[0].addr[0], 192);
  EXPECT_EQ(r->answers[0].addr[3], 7);
  EXPECT_EQ(upstream.queries(), 1);

  // Again, over TCP and in another case: from the cache.
  auto again = tcp_ask(server->port(), query_bytes("WWW.example.com", type::kA, 0x2222));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->id, 0x2222);
  ASSERT_EQ(again->answers.size(), 1u);
  EXPECT_EQ(again->answers[0].addr[3], 7);
  EXPECT_LE(again->answers[0].ttl, 60u);
  EXPECT_EQ(upstream.queries(), 1);
  EXPECT_EQ(server->upstream_queries(), 1u);
  // Both counted by type and protocol; one miss then one hit; one forward.
  const std::string text = metrics.render();
  EXPECT_NE(text.find("coredns_dns_requests_total{proto=\"udp\",type=\"A\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("coredns_dns_requests_total{proto=\"tcp\",type=\"A\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("coredns_dns_responses_total{rcode=\"NOERROR\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("coredns_cache_hits_total 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("coredns_cache_misses_total 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("coredns_forward_requests_total 1\n"), std::string::npos) << text;
}

TEST(ServerFailure, UnreachableUpstreamIsServFail) {
  // A port nothing listens on (bound and closed at once): the upstream never answers.
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  auto a = loopback(0);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  RecordTable table{"cluster.local", 30};
  ServerOptions o;
  o.listen = "127.0.0.1:0";
  o.upstreams = {"127.0.0.1:" + std::to_string(ntohs(a.sin_port))};
  o.upstream_timeout = 200ms;
  Server s(table, o);
  s.start();
  auto r = udp_ask(s.port(), query_bytes("www.example.com", type::kA, 9));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rcode, Rcode::kServFail);
}

TEST(ResolvConf, Nameservers) {
  const std::string text = "# comment\nnameserver 127.0.0.53\nnameserver 10.0.0.2\nsearch x\nnameserver ::1\n";
  EXPECT_EQ(resolv_conf_nameservers(text, true), (std::vector<std::string>{"10.0.0.2"}));
  EXPECT_EQ(resolv_conf_nameservers(text, false), (std::vector<std::string>{"127.0.0.53", "10.0.0.2", "::1"}));
}

}  // namespace
}  // namespace skiff::dns
