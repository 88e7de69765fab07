// The status endpoints of `skiff dns` (dns/http_status.h) and its counters (dns/metrics.h).
#include "dns/http_status.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio.hpp>

#include "dns/metrics.h"

namespace skiff::dns {
namespace {
namespace asio = boost::asio;

// The whole response to "GET path" on 127.0.0.1:port.
std::string get(uint16_t port, const std::string& path) {
  asio::io_context io;
  asio::ip::tcp::socket s(io);
  s.connect({asio::ip::make_address("127.0.0.1"), port});
  std::string req = "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
  asio::write(s, asio::buffer(req));
  std::string out;
  boost::system::error_code ec;
  asio::read(s, asio::dynamic_buffer(out), ec);  // until the server closes
  return out;
}

TEST(HttpStatus, HealthReadyMetrics) {
  std::atomic<bool> ready{false};
  Metrics m;
  HttpStatusServer srv({{"127.0.0.1:0", [](const std::string& p) {
                           return p == "/health" ? HttpReply{200, "text/plain", "OK"} : HttpReply{404, "text/plain", ""};
                         }},
                        {"127.0.0.1:0", [&](const std::string&) {
                           return ready ? HttpReply{200, "text/plain", "OK"} : HttpReply{503, "text/plain", "no"};
                         }},
                        {"127.0.0.1:0", [&](const std::string&) { return HttpReply{200, "text/plain", m.render()}; }}});
  srv.start();
  EXPECT_EQ(get(srv.port(0), "/health").rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
  EXPECT_EQ(get(srv.port(0), "/nothing").rfind("HTTP/1.1 404", 0), 0u);
  EXPECT_EQ(get(srv.port(1), "/ready").rfind("HTTP/1.1 503", 0), 0u);
  ready = true;
  EXPECT_EQ(get(srv.port(1), "/ready?verbose").rfind("HTTP/1.1 200", 0), 0u);
  m.request(false, 1);
  m.request(false, 1);
  m.request(true, 33);
  m.request(false, 99);
  m.response(3);
  m.cache_miss();
  m.forward();
  std::string text = get(srv.port(2), "/metrics");
  EXPECT_NE(text.find("coredns_dns_requests_total{proto=\"udp\",type=\"A\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("coredns_dns_requests_total{proto=\"tcp\",type=\"SRV\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("coredns_dns_requests_total{proto=\"udp\",type=\"other\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("coredns_dns_responses_total{rcode=\"NXDOMAIN\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("coredns_cache_misses_total 1\n"), std::string::npos);
  EXPECT_NE(text.find("coredns_forward_requests_total 1\n"), std::string::npos);
  EXPECT_NE(text.find("process_resident_memory_bytes "), std::string::npos);
  EXPECT_EQ(m.requests(), 4u);
  srv.stop();
}

TEST(HttpStatus, BadAddressIsAnError) {
  HttpStatusServer srv({{"nowhere:x", [](const std::string&) { return HttpReply{}; }}});
  EXPECT_THROW(srv.start(), std::runtime_error);
}

}  // namespace
}  // namespace skiff::dns
