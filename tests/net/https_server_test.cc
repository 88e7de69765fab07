// Tests for net/HttpsServer against a real TLS client (Beast over asio::ssl) on 127.0.0.1:0 with
// certificates from pki/: request decoding, client-certificate identity, limits, error paths,
// chunked streams and client disconnects, keep-alive, timeouts and stop(). When installed, curl
// and the real kubectl are used as clients too.
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "common/json.h"
#include "net/http.h"
#include "net/url.h"
#include "pki/pki.h"

#include "support/temp_dir.h"
#include "support/test_server.h"

namespace skiff::net {
namespace {
using testing::TempDir;

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

struct TestPki {
  pki::CertKey ca, serving, other_ca;
};
const TestPki& test_pki() {
  static const TestPki p = [] {
    TestPki t;
    t.ca = pki::make_ca("test-ca");
    t.serving = pki::make_serving_cert(t.ca, "kube-apiserver", {"localhost"}, {"127.0.0.1", "::1"});
    t.other_ca = pki::make_ca("other-ca");
    return t;
  }();
  return p;
}

std::unique_ptr<HttpsServer> start_server(Handler h, ServerOptions o = {}, bool client_ca = true) {
  o.bind_address = "127.0.0.1";
  o.port = 0;
  const TestPki& p = test_pki();
  TlsConfig t{p.serving.cert_pem, p.serving.key_pem, client_ca ? p.ca.cert_pem : ""};
  auto s = std::make_unique<HttpsServer>(t, o, std::move(h));
  s->start();
  return s;
}

// A blocking HTTPS client verifying the server against the test CA.
class Client {
 public:
  explicit Client(const pki::CertKey* cert = nullptr,
                  std::vector<std::string> alpn = {}) {
    ctx_.add_certificate_authority(asio::buffer(test_pki().ca.cert_pem));
    ctx_.set_verify_mode(ssl::verify_peer);
    if (cert) {
      ctx_.use_certificate_chain(asio::buffer(cert->cert_pem));
      ctx_.use_private_key(asio::buffer(cert->key_pem), ssl::context::pem);
    }
    if (!alpn.empty()) {
      std::string wire;
      for (auto& a : alpn) wire += static_cast<char>(a.size()) + a;
      SSL_CTX_set_alpn_protos(ctx_.native_handle(),
                              reinterpret_cast<const unsigned char*>(wire.data()),
                              static_cast<unsigned>(wire.size()));
    }
  }

  error_code connect(uint16_t port, const std::string& ip = "127.0.0.1") {
    s_ = std::make_unique<ssl::stream<tcp::socket>>(ioc_, ctx_);
    error_code ec;
    s_->lowest_layer().connect({asio::ip::make_address(ip), port}, ec);
    if (ec) return ec;
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(s_->native_handle()), ip.c_str());
    s_->handshake(ssl::stream_base::client, ec);
    return ec;
  }

  error_code send(http::request<http::string_body> req) {
    req.version(11);
    if (req[http::field::host].empty()) req.set(http::field::host, "127.0.0.1");
    req.prepare_payload();
    error_code ec;
    http::write(*s_, req, ec);
    return ec;
  }

  error_code read(http::response<http::string_body>& res) {
    error_code ec;
    http::read(*s_, buf_, res, ec);
    return ec;
  }

  http::response<http::string_body> roundtrip(http::verb verb, const std::string& target,
                                              std::string body = {},
                                              const Headers& headers = {}) {
    http::request<http::string_body> req{verb, target, 11};
    for (auto& [k, v] : headers) req.set(k, v);
    req.body() = std::move(body);
    http::response<http::string_body> res;
    error_code ec = send(std::move(req));
    EXPECT_FALSE(ec) << ec.message();
    ec = read(res);
    EXPECT_FALSE(ec) << ec.message();
    return res;
  }

  // Reads until the connection reports end of stream or an error (true), discarding data; false
  // if it keeps delivering data.
  bool closed_by_peer() {
    error_code ec;
    std::array<char, 256> b;
    for (int i = 0; i < 100; ++i) {  // bounded: each read either returns data or fails
      s_->read_some(asio::buffer(b), ec);
      if (ec) return true;
    }
    return false;
  }

  ssl::stream<tcp::socket>& stream() { return *s_; }
  beast::flat_buffer& buffer() { return buf_; }
  void abort() {
    error_code ec;
    s_->lowest_layer().shutdown(tcp::socket::shutdown_both, ec);
    s_->lowest_layer().close(ec);
  }

 private:
  asio::io_context ioc_;
  ssl::context ctx_{ssl::context::tls_client};
  std::unique_ptr<ssl::stream<tcp::socket>> s_;
  beast::flat_buffer buf_;
};

std::string run(const std::string& cmd, int* status = nullptr) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int st = ::pclose(p);
  if (status) *status = st;
  return out;
}


// ---- url.h ----

TEST(Url, PercentDecode) {
  EXPECT_EQ(percent_decode("/a%20b/%2Fc", false), "/a b//c");
  EXPECT_EQ(percent_decode("a+b", false), "a+b");
  EXPECT_EQ(percent_decode("a+b%2B", true), "a b+");
  EXPECT_EQ(percent_decode("bad%zz%4", false), "bad%zz%4");
  EXPECT_EQ(percent_decode("%e2%9c%93", false), "\xe2\x9c\x93");
}

TEST(Url, ParseQuery) {
  auto q = parse_query("a=1&b=x+y&b=%2Fz&flag&&c=a%3Db&=v");
  EXPECT_EQ(q.count("a"), 1u);
  EXPECT_EQ(q.find("a")->second, "1");
  auto [b, e] = q.equal_range("b");
  std::vector<std::string> bs;
  for (auto it = b; it != e; ++it) bs.push_back(it->second);
  EXPECT_EQ(bs, (std::vector<std::string>{"x y", "/z"}));
  EXPECT_EQ(q.find("flag")->second, "");
  EXPECT_EQ(q.find("c")->second, "a=b");
  EXPECT_EQ(q.find("")->second, "v");
}

// ---- server ----

TEST(HttpsServer, GetRoundTripWithQueryDecoding) {
  std::mutex mu;
  Request seen;
  auto srv = start_server([&](Request& r, ResponseWriter& w) {
    {
      std::lock_guard<std::mutex> lk(mu);
      seen = r;
    }
    w.respond(200, "text/plain", "hello " + r.query_param("name"), {{"X-Reply", "yes"}});
  });
  ASSERT_NE(srv->port(), 0);
  Client c;
  ASSERT_FALSE(c.connect(srv->port()));
  auto res = c.roundtrip(http::verb::get, "/api/v1/name%20x?name=a+b%26c&b=1&b=%2F&flag",
                         {}, {{"X-Custom-Header", "V"}});
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "hello a b&c");
  EXPECT_EQ(res[http::field::content_type], "text/plain");
  EXPECT_EQ(res["X-Reply"], "yes");
  EXPECT_TRUE(res.keep_alive());

  std::lock_guard<std::mutex> lk(mu);
  EXPECT_EQ(seen.method, "GET");
  EXPECT_EQ(seen.target, "/api/v1/name%20x?name=a+b%26c&b=1&b=%2F&flag");
  EXPECT_EQ(seen.path, "/api/v1/name x");
  EXPECT_EQ(seen.query.count("b"), 2u);
  EXPECT_TRUE(seen.has_query("flag"));
  EXPECT_EQ(seen.query_param("missing", "def"), "def");
  EXPECT_EQ(seen.header("x-custom-header"), "V");
  EXPECT_EQ(seen.header("host"), "127.0.0.1");
  EXPECT_EQ(seen.remote_addr.rfind("127.0.0.1:", 0), 0u) << seen.remote_addr;
  EXPECT_TRUE(seen.cert_user.empty());  // no client certificate: served anonymously
  EXPECT_TRUE(seen.cert_groups.empty());
}

TEST(HttpsServer, PostBodyAndHead) {
  auto srv = start_server([&](Request& r, ResponseWriter& w) {
    w.respond(201, "application/json", r.method + ":" + r.body);
  });
  Client c;
  ASSERT_FALSE(c.connect(srv->port()));
  auto res = c.roundtrip(http::verb::post, "/x", "{\"a\":1}",
                         {{"Content-Type", "application/json"}});
  EXPECT_EQ(res.result_int(), 201);
  EXPECT_EQ(res.body(), "POST:{\"a\":1}");

  // HEAD: headers with the length of the would-be body, no body bytes; the connection survives.
  http::request<http::string_body> req{http::verb::head, "/x", 11};
  ASSERT_FALSE(c.send(req));
  http::response_parser<http::string_body> p;
  p.skip(true);
  error_code ec;
  http::read(c.stream(), c.buffer(), p, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(p.get()[http::field::content_length], "5");
  res = c.roundtrip(http::verb::get, "/again");
  EXPECT_EQ(res.body(), "GET:");
}

TEST(HttpsServer, ClientCertificateIdentity) {
  std::mutex mu;
  std::string user;
  std::vector<std::string> groups;
  auto srv = start_server([&](Request& r, ResponseWriter& w) {
    std::lock_guard<std::mutex> lk(mu);
    user = r.cert_user;
    groups = r.cert_groups;
    w.respond(200, "text/plain", "ok");
  });
  pki::CertKey cert = pki::make_client_cert(test_pki().ca, "jane", {"devs", "system:masters"});
  Client c(&cert);
  ASSERT_FALSE(c.connect(srv->port()));
  EXPECT_EQ(c.roundtrip(http::verb::get, "/").result_int(), 200);
  std::lock_guard<std::mutex> lk(mu);
  EXPECT_EQ(user, "jane");
  EXPECT_EQ(groups, (std::vector<std::string>{"devs", "system:masters"}));
}

TEST(HttpsServer, ForeignClientCertificateRejected) {
  std::atomic<int> calls{0};
  auto srv = start_server([&](Request&, ResponseWriter& w) {
    ++calls;
    w.respond(200, "text/plain", "ok");
  });
  pki::CertKey cert = pki::make_client_cert(test_pki().other_ca, "mallory", {"system:masters"});
  Client c(&cert);
  // With TLS 1.3 the client finishes its handshake before the server checks the certificate,
  // so the failure may show on the first read instead.
  bool failed = static_cast<bool>(c.connect(srv->port()));
  if (!failed) {
    http::request<http::string_body> req{http::verb::get, "/", 11};
    c.send(req);
    http::response<http::string_body> res;
    failed = static_cast<bool>(c.read(res));
  }
  EXPECT_TRUE(failed);
  EXPECT_EQ(calls.load(), 0);
}

TEST(HttpsServer, NoClientCaMeansNoIdentity) {
  std::string user = "unset";
  auto srv = start_server(
      [&](Request& r, ResponseWriter& w) {
        user = r.cert_user;
        w.respond(200, "text/plain", "ok");
      },
      {}, /*client_ca=*/false);
  pki::CertKey cert = pki::make_client_cert(test_pki().ca, "jane", {});
  Client c(&cert);
  ASSERT_FALSE(c.connect(srv->port()));
  EXPECT_EQ(c.roundtrip(http::verb::get, "/").result_int(), 200);
  srv->stop();
  EXPECT_EQ(user, "");
}

TEST(HttpsServer, OversizedBodyGets413AndClose) {
  std::atomic<int> calls{0};
  ServerOptions o;
  o.max_body_bytes = 1024;
  auto srv = start_server(
      [&](Request& r, ResponseWriter& w) {
        ++calls;
        w.respond(200, "text/plain", std::to_string(r.body.size()));
      },
      o);
  Client c;
  ASSERT_FALSE(c.connect(srv->port()));
  EXPECT_EQ(c.roundtrip(http::verb::post, "/", std::string(1024, 'x')).body(), "1024");

  auto res = c.roundtrip(http::verb::post, "/", std::string(4096, 'x'));
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_EQ(res[http::field::content_type], "application/json");
  json::value v;
  std::string err;
  ASSERT_TRUE(parse_json(res.body(), v, err)) << err;
  EXPECT_EQ(get_string(v, {"kind"}), "Status");
  EXPECT_EQ(get_string(v, {"reason"}), "RequestEntityTooLarge");
  EXPECT_EQ(get_int(v, {"code"}), 413);
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(c.closed_by_peer());
  EXPECT_EQ(calls.load(), 1);

  // A chunked body over the limit too.
  Client c2;
  ASSERT_FALSE(c2.connect(srv->port()));
  http::request<http::string_body> req{http::verb::post, "/", 11};
  req.set(http::field::host, "x");
  req.chunked(true);
  req.body() = std::string(3000, 'y');
  error_code ec;
  http::write(c2.stream(), req, ec);
  ASSERT_FALSE(ec);
  http::response<http::string_body> res2;
  ASSERT_FALSE(c2.read(res2));
  EXPECT_EQ(res2.result_int(), 413);
  EXPECT_EQ(calls.load(), 1);
}

TEST(HttpsServer, MalformedRequestGets400) {
  auto srv = start_server([&](Request&, ResponseWriter& w) { w.respond(200, "text/plain", "ok"); });
  Client c;
  ASSERT_FALSE(c.connect(srv->port()));
  std::string junk = "GET /\x01 NOT-HTTP\r\n\r\n";
  error_code ec;
  asio::write(c.stream(), asio::buffer(junk), ec);
  ASSERT_FALSE(ec);
  http::response<http::string_body> res;
  ASSERT_FALSE(c.read(res));
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_NE(res.body().find("BadRequest"), std::string::npos);
  EXPECT_TRUE(c.closed_by_peer());
}

TEST(HttpsServer, HandlerErrorsBecome500) {
  auto srv = start_server([&](Request& r, ResponseWriter& w) {
    if (r.path == "/throw") throw std::runtime_error("boom");
    if (r.path == "/silent") return;
    w.respond(200, "text/plain", "ok");
  });
  Client c;
  ASSERT_FALSE(c.connect(srv->port()));
  auto res = c.roundtrip(http::verb::get, "/throw");
  EXPECT_EQ(res.result_int(), 500);
  EXPECT_NE(res.body().find("\"kind\":\"Status\""), std::string::npos) << res.body();
  EXPECT_NE(res.body().find("boom"), std::string::npos) << res.body();
  res = c.roundtrip(http::verb::get, "/silent");
  EXPECT_EQ(res.result_int(), 500);
  res = c.roundtrip(http::verb::get, "/fine");  // same connection still usable
  EXPECT_EQ(res.result_int(), 200);
}

TEST(HttpsServer, ManyKeepAliveRequestsOnOneConnection) {
  std::mutex mu;
  std::set<std::string> remotes;
  auto srv = start_server([&](Request& r, ResponseWriter& w) {
    {
      std::lock_guard<std::mutex> lk(mu);
      remotes.insert(r.remote_addr);
    }
    w.respond(200, "text/plain", r.query_param("i"));
  });
  Client c;
  ASSERT_FALSE(c.connect(srv->port()));
  for (int i = 0; i < 300; ++i) {
    auto res = c.roundtrip(i % 2 ? http::verb::get : http::verb::put, "/n?i=" + std::to_string(i),
                           i % 2 ? "" : std::string(i, 'b'));
    ASSERT_EQ(res.body(), std::to_string(i));
    ASSERT_TRUE(res.keep_alive());
  }
  std::lock_guard<std::mutex> lk(mu);
  EXPECT_EQ(remotes.size(), 1u);
}

TEST(HttpsServer, ConnectionCloseHonored) {
  auto srv = start_server([&](Request&, ResponseWriter& w) { w.respond(200, "text/plain", "ok"); });
  Client c;
  ASSERT_FALSE(c.connect(srv->port()));
  auto res = c.roundtrip(http::verb::get, "/", {}, {{"Connection", "close"}});
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(c.closed_by_peer());
}

// Reads chunk bodies of a streamed response until `want` chunks arrived.
std::vector<std::string> read_chunks(Client& c, size_t want, int* status) {
  std::vector<std::string> chunks;
  http::response_parser<http::string_body> p;
  // Called per piece of chunk data; the server's small chunks each arrive whole.
  auto on_chunk = [&](std::uint64_t, std::string_view body, error_code&) -> std::size_t {
    chunks.emplace_back(body);
    return body.size();
  };
  p.on_chunk_body(on_chunk);  // Beast keeps a reference: on_chunk outlives the parser
  error_code ec;
  http::read_header(c.stream(), c.buffer(), p, ec);
  if (ec) return chunks;
  *status = p.get().result_int();
  EXPECT_TRUE(p.get().chunked());
  while (chunks.size() < want && !p.is_done()) {
    http::read_some(c.stream(), c.buffer(), p, ec);
    if (ec) break;
  }
  return chunks;
}

TEST(HttpsServer, StreamEndsWhenClientDisconnects) {
  std::promise<std::string> outcome;
  auto srv = start_server([&](Request&, ResponseWriter& w) {
    if (!w.start_stream(200, "application/json")) {
      outcome.set_value("start failed");
      return;
    }
    auto give_up = SteadyClock::now() + 20s;
    for (int n = 0; SteadyClock::now() < give_up; ++n) {
      if (!w.write_chunk("{\"n\":" + std::to_string(n) + "}\n")) {
        outcome.set_value("write_chunk false");
        return;
      }
      if (w.client_gone()) {
        outcome.set_value("client_gone");
        return;
      }
      std::this_thread::sleep_for(5ms);  // the event rate of the stream, not a readiness wait
    }
    outcome.set_value("never noticed");
  });
  Client c;
  ASSERT_FALSE(c.connect(srv->port()));
  http::request<http::string_body> req{http::verb::get, "/watch", 11};
  ASSERT_FALSE(c.send(req));
  int status = 0;
  auto chunks = read_chunks(c, 3, &status);
  EXPECT_EQ(status, 200);
  ASSERT_GE(chunks.size(), 3u);
  EXPECT_EQ(chunks[0], "{\"n\":0}\n");
  c.abort();
  auto f = outcome.get_future();
  ASSERT_EQ(f.wait_for(10s), std::future_status::ready);
  std::string how = f.get();
  EXPECT_TRUE(how == "write_chunk false" || how == "client_gone") << how;
}

TEST(HttpsServer, StreamEndedByHandlerKeepsConnection) {
  auto srv = start_server([&](Request& r, ResponseWriter& w) {
    if (r.path == "/stream") {
      w.start_stream(200, "text/plain", {{"X-Stream", "1"}});
      w.write_chunk("a");
      w.write_chunk("");  // ignored, must not end the stream
      w.write_chunk("bc");
      // returns without end_stream: the server ends it
      return;
    }
    w.respond(200, "text/plain", "plain");
  });
  Client c;
  ASSERT_FALSE(c.connect(srv->port()));
  auto res = c.roundtrip(http::verb::get, "/stream");
  EXPECT_EQ(res.body(), "abc");
  EXPECT_EQ(res["X-Stream"], "1");
  EXPECT_TRUE(res.keep_alive());
  EXPECT_EQ(c.roundtrip(http::verb::get, "/other").body(), "plain");
}

TEST(HttpsServer, StopWhileStreaming) {
  std::atomic<bool> saw_gone{false};
  std::atomic<bool> in_stream{false};
  auto srv = start_server([&](Request& r, ResponseWriter& w) {
    if (r.path != "/watch") {
      w.respond(200, "text/plain", "ok");
      return;
    }
    w.start_stream(200, "application/json");
    in_stream = true;
    auto give_up = SteadyClock::now() + 30s;
    while (SteadyClock::now() < give_up) {
      if (w.client_gone()) {
        saw_gone = true;
        return;
      }
      w.write_chunk("{}\n");
      std::this_thread::sleep_for(10ms);
    }
  });
  Client idle;
  ASSERT_FALSE(idle.connect(srv->port()));
  EXPECT_EQ(idle.roundtrip(http::verb::get, "/").body(), "ok");
  Client c;
  ASSERT_FALSE(c.connect(srv->port()));
  http::request<http::string_body> req{http::verb::get, "/watch", 11};
  ASSERT_FALSE(c.send(req));
  int status = 0;
  ASSERT_GE(read_chunks(c, 1, &status).size(), 1u);
  ASSERT_TRUE(in_stream.load());

  auto t0 = SteadyClock::now();
  srv->stop();
  auto took = SteadyClock::now() - t0;
  EXPECT_LT(took, 2s);
  EXPECT_TRUE(saw_gone.load());
  EXPECT_TRUE(c.closed_by_peer());
  EXPECT_TRUE(idle.closed_by_peer());
  srv->stop();  // idempotent
}

TEST(HttpsServer, PlainHttpToTlsPortJustCloses) {
  auto srv = start_server([&](Request&, ResponseWriter& w) { w.respond(200, "text/plain", "ok"); });
  {
    asio::io_context ioc;
    tcp::socket s(ioc);
    s.connect({asio::ip::make_address("127.0.0.1"), srv->port()});
    std::string plain = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    asio::write(s, asio::buffer(plain));
    std::array<char, 1024> b;
    error_code ec;
    for (int i = 0; i < 100 && !ec; ++i) s.read_some(asio::buffer(b), ec);
    EXPECT_TRUE(ec);  // closed (possibly after a TLS alert)
  }
  Client c;
  ASSERT_FALSE(c.connect(srv->port()));
  EXPECT_EQ(c.roundtrip(http::verb::get, "/").body(), "ok");
}

TEST(HttpsServer, SilentConnectionTimesOut) {
  ServerOptions o;
  o.handshake_timeout = 1s;
  o.header_timeout = 1s;
  o.request_timeout = 1s;
  o.idle_timeout = 1s;
  auto srv = start_server([&](Request&, ResponseWriter& w) { w.respond(200, "text/plain", "ok"); },
                          o);
  // No TLS handshake at all.
  asio::io_context ioc;
  tcp::socket s(ioc);
  s.connect({asio::ip::make_address("127.0.0.1"), srv->port()});
  auto t0 = SteadyClock::now();
  std::array<char, 16> b;
  error_code ec;
  s.read_some(asio::buffer(b), ec);  // blocks until the server gives up on us
  EXPECT_TRUE(ec);
  EXPECT_LT(SteadyClock::now() - t0, 10s);

  // An idle keep-alive connection is closed after idle_timeout too.
  Client c;
  ASSERT_FALSE(c.connect(srv->port()));
  EXPECT_EQ(c.roundtrip(http::verb::get, "/").body(), "ok");
  t0 = SteadyClock::now();
  EXPECT_TRUE(c.closed_by_peer());
  EXPECT_LT(SteadyClock::now() - t0, 10s);
}

// ---- connection handling: event-driven I/O, limits, deadlines ----

size_t thread_count() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/task")) ++n;
  return n;
}

// Reads and discards from a raw socket until the peer closes it (true) or `limit` passes
// (false).
bool peer_closes(int fd, std::chrono::seconds limit = 30s) {
  auto until = SteadyClock::now() + limit;
  std::array<char, 4096> b;
  while (SteadyClock::now() < until) {
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, 100);
    if (r < 0 && errno != EINTR) return true;
    if (r <= 0) continue;
    ssize_t n = ::recv(fd, b.data(), b.size(), MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return true;
  }
  return false;
}

std::unique_ptr<tcp::socket> raw_connect(asio::io_context& ioc, uint16_t port) {
  auto s = std::make_unique<tcp::socket>(ioc);
  s->connect({asio::ip::make_address("127.0.0.1"), port});
  return s;
}

// A gate handlers wait at until the test opens it; counts who arrived.
class Gate {
 public:
  void arrive_and_wait() {
    std::unique_lock<std::mutex> lk(mu_);
    ++arrived_;
    cv_.notify_all();
    cv_.wait(lk, [&] { return open_; });
  }
  bool wait_arrived(int n) {
    std::unique_lock<std::mutex> lk(mu_);
    return cv_.wait_for(lk, 30s, [&] { return arrived_ >= n; });
  }
  void open() {
    std::lock_guard<std::mutex> lk(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int arrived_ = 0;
  bool open_ = false;
};

TEST(HttpsServer, IdleConnectionsHoldNoThreads) {
  ServerOptions o;
  o.worker_idle_timeout = 300s;  // the warm-up's worker stays for the count
  auto srv = start_server([&](Request&, ResponseWriter& w) { w.respond(200, "text/plain", "ok"); },
                          o);
  Client warm;
  ASSERT_FALSE(warm.connect(srv->port()));
  EXPECT_EQ(warm.roundtrip(http::verb::get, "/").body(), "ok");
  size_t base = thread_count();

  // Idle keep-alive connections that each served a request, and connections that never start
  // their TLS handshake.
  std::vector<std::unique_ptr<Client>> idle;
  for (int i = 0; i < 200; ++i) {
    idle.push_back(std::make_unique<Client>());
    ASSERT_FALSE(idle.back()->connect(srv->port()));
    ASSERT_EQ(idle.back()->roundtrip(http::verb::get, "/").body(), "ok");
  }
  asio::io_context ioc;
  std::vector<std::unique_ptr<tcp::socket>> silent;
  for (int i = 0; i < 100; ++i) silent.push_back(raw_connect(ioc, srv->port()));
  // A thread per connection would add 300. Sequential requests may each find the one worker
  // not yet back in the pool and start another, so allow a few.
  size_t now = thread_count();
  EXPECT_LT(now, base + 16) << "threads before " << base << ", after 300 connections " << now;
  // All still usable.
  for (auto& c : idle) ASSERT_EQ(c->roundtrip(http::verb::get, "/").body(), "ok");
}

TEST(HttpsServer, WorkersGrowOnDemandAndExitWhenIdle) {
  ServerOptions o;
  o.worker_idle_timeout = 1s;
  Gate gate;
  auto srv = start_server(
      [&](Request&, ResponseWriter& w) {
        gate.arrive_and_wait();
        w.respond(200, "text/plain", "ok");
      },
      o);
  size_t base = thread_count();
  constexpr int kN = 6;
  std::vector<std::unique_ptr<Client>> cs;
  for (int i = 0; i < kN; ++i) {
    cs.push_back(std::make_unique<Client>());
    ASSERT_FALSE(cs.back()->connect(srv->port()));
    ASSERT_FALSE(cs.back()->send(http::request<http::string_body>{http::verb::get, "/", 11}));
  }
  ASSERT_TRUE(gate.wait_arrived(kN));  // kN handlers at once: kN workers
  EXPECT_GE(thread_count(), base + kN);
  gate.open();
  for (auto& c : cs) {
    http::response<http::string_body> res;
    ASSERT_FALSE(c->read(res));
    EXPECT_EQ(res.body(), "ok");
  }
  EXPECT_TRUE(testsupport::eventually([&] { return thread_count() <= base; }, 30s))
      << "workers left: " << thread_count() - base;
}

TEST(HttpsServer, HandshakeTimeoutClosesSilentConnection) {
  ServerOptions o;
  o.handshake_timeout = 1s;
  auto srv = start_server([&](Request&, ResponseWriter& w) { w.respond(200, "text/plain", "ok"); },
                          o);
  asio::io_context ioc;
  auto s = raw_connect(ioc, srv->port());  // never sends a ClientHello
  EXPECT_TRUE(peer_closes(s->native_handle()));
  Client c;  // the server is fine
  ASSERT_FALSE(c.connect(srv->port()));
  EXPECT_EQ(c.roundtrip(http::verb::get, "/").body(), "ok");
}

TEST(HttpsServer, HeaderTimeoutClosesSlowHeader) {
  ServerOptions o;
  o.header_timeout = 1s;
  o.idle_timeout = 300s;  // not what closes it
  auto srv = start_server([&](Request&, ResponseWriter& w) { w.respond(200, "text/plain", "ok"); },
                          o);
  // A request that serves, then a header that never ends (one line, then silence).
  Client c;
  ASSERT_FALSE(c.connect(srv->port()));
  EXPECT_EQ(c.roundtrip(http::verb::get, "/").body(), "ok");
  std::string part = "GET / HTTP/1.1\r\nHost: x\r\n";
  asio::write(c.stream(), asio::buffer(part));
  EXPECT_TRUE(peer_closes(c.stream().lowest_layer().native_handle()));
  // A handshake and then no request at all.
  Client quiet;
  ASSERT_FALSE(quiet.connect(srv->port()));
  EXPECT_TRUE(peer_closes(quiet.stream().lowest_layer().native_handle()));
}

http::response<http::string_body> send_raw_and_read(Client& c, const std::string& bytes) {
  http::response<http::string_body> res;
  error_code ec;
  asio::write(c.stream(), asio::buffer(bytes), ec);
  EXPECT_FALSE(ec) << ec.message();
  ec = c.read(res);
  EXPECT_FALSE(ec) << ec.message();
  return res;
}

void expect_431(const http::response<http::string_body>& res) {
  EXPECT_EQ(res.result_int(), 431);
  EXPECT_EQ(res[http::field::content_type], "application/json");
  json::value v;
  std::string err;
  ASSERT_TRUE(parse_json(res.body(), v, err)) << err << ": " << res.body();
  EXPECT_EQ(get_string(v, {"kind"}), "Status");
  EXPECT_EQ(get_int(v, {"code"}), 431);
  EXPECT_NE(get_string(v, {"message"}).find("Request Header Fields Too Large"), std::string::npos)
      << res.body();
  EXPECT_FALSE(res.keep_alive());
}

TEST(HttpsServer, LongHeaderLineGets431) {
  std::atomic<int> calls{0};
  auto srv = start_server([&](Request&, ResponseWriter& w) {
    ++calls;
    w.respond(200, "text/plain", "ok");
  });
  // A 32 KiB line is still fine.
  Client ok;
  ASSERT_FALSE(ok.connect(srv->port()));
  auto res = send_raw_and_read(
      ok, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(32000, 'a') + "\r\n\r\n");
  EXPECT_EQ(res.result_int(), 200) << res.body();

  Client c;
  ASSERT_FALSE(c.connect(srv->port()));
  res = send_raw_and_read(
      c, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(64 * 1024, 'a') + "\r\n\r\n");
  expect_431(res);
  EXPECT_TRUE(c.closed_by_peer());

  // The line arrives in pieces, and the request line may be the long one.
  Client c2;
  ASSERT_FALSE(c2.connect(srv->port()));
  res = send_raw_and_read(c2, "GET /" + std::string(64 * 1024, 'p') + " HTTP/1.1\r\n\r\n");
  expect_431(res);
  EXPECT_EQ(calls.load(), 1);
}

TEST(HttpsServer, HugeHeaderGets431) {
  auto srv = start_server([&](Request&, ResponseWriter& w) { w.respond(200, "text/plain", "ok"); });
  std::string req = "GET / HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; req.size() <= (1u << 20) + 100000; ++i)
    req += "X-H" + std::to_string(i) + ": " + std::string(8000, 'v') + "\r\n";
  req += "\r\n";
  Client c;
  ASSERT_FALSE(c.connect(srv->port()));
  expect_431(send_raw_and_read(c, req));
  EXPECT_TRUE(c.closed_by_peer());
}

TEST(HttpsServer, PipelinedRequestsAllAnswered) {
  auto srv = start_server(
      [&](Request& r, ResponseWriter& w) { w.respond(200, "text/plain", r.path + ":" + r.body); });
  Client c;
  ASSERT_FALSE(c.connect(srv->port()));
  std::string two =
      "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nxyz";
  http::response<http::string_body> r1, r2;
  asio::write(c.stream(), asio::buffer(two));
  ASSERT_FALSE(c.read(r1));
  ASSERT_FALSE(c.read(r2));
  EXPECT_EQ(r1.body(), "/a:");
  EXPECT_EQ(r2.body(), "/b:xyz");
}

TEST(HttpsServer, ConnectionCapRefusesMore) {
  ServerOptions o;
  o.max_connections = 3;
  auto srv = start_server([&](Request&, ResponseWriter& w) { w.respond(200, "text/plain", "ok"); },
                          o);
  std::vector<std::unique_ptr<Client>> cs;
  for (int i = 0; i < 3; ++i) {
    cs.push_back(std::make_unique<Client>());
    ASSERT_FALSE(cs.back()->connect(srv->port()));
    ASSERT_EQ(cs.back()->roundtrip(http::verb::get, "/").body(), "ok");
  }
  Client extra;
  EXPECT_TRUE(extra.connect(srv->port())) << "a fourth connection got through";
  for (auto& c : cs) EXPECT_EQ(c->roundtrip(http::verb::get, "/").body(), "ok");
  // Once one leaves there is room again.
  cs.front()->abort();
  EXPECT_TRUE(testsupport::eventually([&] {
    Client again;
    if (again.connect(srv->port())) return false;
    http::request<http::string_body> req{http::verb::get, "/", 11};
    if (again.send(req)) return false;
    http::response<http::string_body> res;
    return !again.read(res) && res.body() == "ok";
  }, 30s));
}

TEST(HttpsServer, MaxInflightAnswers429) {
  ServerOptions o;
  o.max_inflight = 2;
  Gate gate;
  auto srv = start_server(
      [&](Request& r, ResponseWriter& w) {
        if (r.path == "/block") gate.arrive_and_wait();
        w.respond(200, "text/plain", "done " + r.path);
      },
      o);
  Client b1, b2;
  for (Client* c : {&b1, &b2}) {
    ASSERT_FALSE(c->connect(srv->port()));
    ASSERT_FALSE(c->send(http::request<http::string_body>{http::verb::get, "/block", 11}));
  }
  ASSERT_TRUE(gate.wait_arrived(2));
  Client c;
  ASSERT_FALSE(c.connect(srv->port()));
  auto res = c.roundtrip(http::verb::get, "/x");
  EXPECT_EQ(res.result_int(), 429);
  EXPECT_EQ(res[http::field::retry_after], "1");
  json::value v;
  std::string err;
  ASSERT_TRUE(parse_json(res.body(), v, err)) << err;
  EXPECT_EQ(get_string(v, {"reason"}), "TooManyRequests");
  EXPECT_EQ(get_int(v, {"code"}), 429);
  EXPECT_EQ(get_int(v, {"details", "retryAfterSeconds"}), 1);
  EXPECT_TRUE(res.keep_alive());

  gate.open();
  for (Client* bc : {&b1, &b2}) {
    http::response<http::string_body> r;
    ASSERT_FALSE(bc->read(r));
    EXPECT_EQ(r.body(), "done /block");
  }
  // The refused client's connection stays usable; the slots free as the handlers finish.
  EXPECT_TRUE(testsupport::eventually(
      [&] { return c.roundtrip(http::verb::get, "/x").result_int() == 200; }, 30s));
}

TEST(HttpsServer, StalledReaderClosedAfterWriteTimeout) {
  ServerOptions o;
  o.write_timeout = 1s;
  std::promise<std::string> stream_outcome, respond_outcome;
  auto srv = start_server(
      [&](Request& r, ResponseWriter& w) {
        if (r.path == "/big") {  // far more than the socket buffers hold
          w.respond(200, "text/plain", std::string(256 << 20, 'z'));
          respond_outcome.set_value(w.client_gone() ? "gone" : "not gone");
          return;
        }
        w.start_stream(200, "text/plain");
        const std::string chunk(64 << 10, 'c');
        for (int i = 0; i < 100000; ++i) {
          if (!w.write_chunk(chunk)) {
            stream_outcome.set_value("write_chunk false");
            return;
          }
        }
        stream_outcome.set_value("never blocked");
      },
      o);
  Client streamer, getter;
  ASSERT_FALSE(streamer.connect(srv->port()));
  ASSERT_FALSE(streamer.send(http::request<http::string_body>{http::verb::get, "/stream", 11}));
  ASSERT_FALSE(getter.connect(srv->port()));
  ASSERT_FALSE(getter.send(http::request<http::string_body>{http::verb::get, "/big", 11}));
  // Neither client reads.
  auto f1 = stream_outcome.get_future();
  auto f2 = respond_outcome.get_future();
  ASSERT_EQ(f1.wait_for(60s), std::future_status::ready);
  EXPECT_EQ(f1.get(), "write_chunk false");
  ASSERT_EQ(f2.wait_for(60s), std::future_status::ready);
  EXPECT_EQ(f2.get(), "gone");
  EXPECT_TRUE(peer_closes(streamer.stream().lowest_layer().native_handle()));
  EXPECT_TRUE(peer_closes(getter.stream().lowest_layer().native_handle()));
}

// Reads from a TLS client until "\r\n\r\n"; returns the head, leaves the rest in `rest`.
std::string read_head(Client& c, std::string& rest) {
  std::string got;
  std::array<char, 1024> b;
  error_code ec;
  size_t end;
  while ((end = got.find("\r\n\r\n")) == std::string::npos) {
    size_t n = c.stream().read_some(asio::buffer(b), ec);
    if (ec) return {};
    got.append(b.data(), n);
  }
  rest = got.substr(end + 4);
  return got.substr(0, end + 4);
}

std::string read_exactly(Client& c, std::string have, size_t n) {
  std::array<char, 1024> b;
  error_code ec;
  while (have.size() < n) {
    size_t k = c.stream().read_some(asio::buffer(b), ec);
    if (ec) break;
    have.append(b.data(), k);
  }
  return have;
}

// Echoes upper-cased bytes on a hijacked stream, the way exec/attach handlers use it: poll(2)
// on fd() unless pending().
void echo_upper(RawStream& s) {
  std::array<char, 4096> b;
  for (;;) {
    if (!s.pending()) {
      pollfd p{s.fd(), POLLIN, 0};
      if (::poll(&p, 1, 200) == 0) continue;
    }
    long n = s.read_some(b.data(), b.size());
    if (n <= 0) return;
    for (long i = 0; i < n; ++i) b[i] = static_cast<char>(std::toupper(b[i]));
    if (!s.write_all(std::string_view(b.data(), static_cast<size_t>(n)))) return;
  }
}

TEST(HttpsServer, HijackedConnectionCarriesRawBytes) {
  std::promise<void> done;
  auto srv = start_server([&](Request& r, ResponseWriter& w) {
    RawStream* s = w.hijack();
    if (!s) {
      w.respond(500, "text/plain", "no hijack");
      return;
    }
    EXPECT_EQ(w.hijack(), nullptr);
    EXPECT_FALSE(w.start_stream(200, "text/plain"));
    s->write_all("HTTP/1.1 101 Switching Protocols\r\nUpgrade: " + r.header("upgrade") +
                 "\r\nConnection: Upgrade\r\n\r\n");
    echo_upper(*s);
    done.set_value();
  });
  Client c;
  ASSERT_FALSE(c.connect(srv->port()));
  // Bytes right behind the request arrive with it and must not be lost.
  std::string req =
      "GET /upgrade HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nhello";
  asio::write(c.stream(), asio::buffer(req));
  std::string rest;
  std::string head = read_head(c, rest);
  EXPECT_EQ(head.rfind("HTTP/1.1 101 ", 0), 0u) << head;
  EXPECT_EQ(read_exactly(c, rest, 5), "HELLO");
  asio::write(c.stream(), asio::buffer(std::string("more")));
  EXPECT_EQ(read_exactly(c, "", 4), "MORE");
  c.abort();
  EXPECT_EQ(done.get_future().wait_for(30s), std::future_status::ready);
}

TEST(HttpsServer, StopEndsWatchesHijacksAndIdleConnections) {
  std::atomic<int> watch_gone{0}, hijack_ended{0};
  std::atomic<int> streaming{0};
  auto srv = start_server([&](Request& r, ResponseWriter& w) {
    if (r.path == "/hijack") {
      RawStream* s = w.hijack();
      s->write_all("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n");
      ++streaming;
      std::array<char, 256> b;
      while (s->read_some(b.data(), b.size()) > 0) {
      }
      ++hijack_ended;
      return;
    }
    if (r.path == "/watch") {
      w.start_stream(200, "application/json");
      ++streaming;
      while (!w.client_gone()) {
        w.write_chunk("{}\n");
        std::this_thread::sleep_for(10ms);  // the event rate of the stream
      }
      ++watch_gone;
      return;
    }
    w.respond(200, "text/plain", "ok");
  });
  std::vector<std::unique_ptr<Client>> clients;
  auto client = [&] {
    clients.push_back(std::make_unique<Client>());
    EXPECT_FALSE(clients.back()->connect(srv->port()));
    return clients.back().get();
  };
  for (int i = 0; i < 3; ++i)
    ASSERT_FALSE(client()->send(http::request<http::string_body>{http::verb::get, "/watch", 11}));
  for (int i = 0; i < 2; ++i) {
    std::string req = "GET /hijack HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\n";
    asio::write(client()->stream(), asio::buffer(req));
  }
  for (int i = 0; i < 5; ++i) EXPECT_EQ(client()->roundtrip(http::verb::get, "/").body(), "ok");
  asio::io_context ioc;
  std::vector<std::unique_ptr<tcp::socket>> silent;
  for (int i = 0; i < 3; ++i) silent.push_back(raw_connect(ioc, srv->port()));
  ASSERT_TRUE(testsupport::eventually([&] { return streaming.load() == 5; }, 30s));

  auto stopped = std::async(std::launch::async, [&] { srv->stop(); });
  ASSERT_EQ(stopped.wait_for(60s), std::future_status::ready) << "stop() hangs";
  EXPECT_EQ(watch_gone.load(), 3);
  EXPECT_EQ(hijack_ended.load(), 2);
  for (auto& c : clients) EXPECT_TRUE(peer_closes(c->stream().lowest_layer().native_handle()));
  for (auto& s : silent) EXPECT_TRUE(peer_closes(s->native_handle()));
}

TEST(HttpsServer, AlpnNeverH2) {
  auto srv = start_server([&](Request&, ResponseWriter& w) { w.respond(200, "text/plain", "ok"); });
  Client c(nullptr, {"h2", "http/1.1"});
  ASSERT_FALSE(c.connect(srv->port()));
  const unsigned char* proto = nullptr;
  unsigned len = 0;
  SSL_get0_alpn_selected(c.stream().native_handle(), &proto, &len);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(proto), len), "http/1.1");
  EXPECT_EQ(c.roundtrip(http::verb::get, "/").body(), "ok");

  Client h2only(nullptr, {"h2"});
  ASSERT_FALSE(h2only.connect(srv->port()));
  SSL_get0_alpn_selected(h2only.stream().native_handle(), &proto, &len);
  EXPECT_EQ(len, 0u);
}

TEST(HttpsServer, Ipv6AndDualStackRemoteAddr) {
  const TestPki& p = test_pki();
  std::mutex mu;
  std::string remote;
  ServerOptions o;
  o.bind_address = "::";
  o.port = 0;
  HttpsServer srv(TlsConfig{p.serving.cert_pem, p.serving.key_pem, p.ca.cert_pem}, o,
                  [&](Request& r, ResponseWriter& w) {
                    std::lock_guard<std::mutex> lk(mu);
                    remote = r.remote_addr;
                    w.respond(200, "text/plain", "ok");
                  });
  try {
    srv.start();
  } catch (const std::runtime_error& e) {
    GTEST_SKIP() << "no IPv6: " << e.what();
  }
  Client v6;
  if (v6.connect(srv.port(), "::1")) GTEST_SKIP() << "no IPv6 loopback";
  EXPECT_EQ(v6.roundtrip(http::verb::get, "/").body(), "ok");
  {
    std::lock_guard<std::mutex> lk(mu);
    EXPECT_EQ(remote.rfind("[::1]:", 0), 0u) << remote;
  }
  Client v4;
  ASSERT_FALSE(v4.connect(srv.port(), "127.0.0.1"));
  EXPECT_EQ(v4.roundtrip(http::verb::get, "/").body(), "ok");
  std::lock_guard<std::mutex> lk(mu);
  EXPECT_EQ(remote.rfind("127.0.0.1:", 0), 0u) << remote;
}

TEST(HttpsServer, ListenFailureThrows) {
  auto srv = start_server([&](Request&, ResponseWriter& w) { w.respond(200, "text/plain", "ok"); });
  ServerOptions o;
  o.bind_address = "127.0.0.1";
  o.port = srv->port();
  const TestPki& p = test_pki();
  // SO_REUSEADDR does not allow two listeners on one port.
  HttpsServer second(TlsConfig{p.serving.cert_pem, p.serving.key_pem, ""}, o,
                     [](Request&, ResponseWriter&) {});
  try {
    second.start();
    FAIL() << "second listener started";
  } catch (const std::runtime_error& e) {
    std::string want = "listen on 127.0.0.1:" + std::to_string(srv->port()) + ": ";
    EXPECT_EQ(std::string(e.what()).rfind(want, 0), 0u) << e.what();
  }
  o.bind_address = "not-an-ip";
  HttpsServer third(TlsConfig{p.serving.cert_pem, p.serving.key_pem, ""}, o,
                    [](Request&, ResponseWriter&) {});
  EXPECT_THROW(third.start(), std::runtime_error);
}

TEST(HttpsServer, BadTlsConfigThrows) {
  ServerOptions o;
  o.bind_address = "127.0.0.1";
  o.port = 0;
  const TestPki& p = test_pki();
  HttpsServer s(TlsConfig{p.serving.cert_pem, test_pki().ca.key_pem, ""}, o,
                [](Request&, ResponseWriter&) {});
  EXPECT_THROW(s.start(), std::runtime_error);
}

TEST(HttpsServer, CurlExpectContinue) {
  if (::access("/usr/bin/curl", X_OK) != 0) GTEST_SKIP() << "no curl";
  ServerOptions o;
  o.max_body_bytes = 64 * 1024;
  auto srv = start_server(
      [&](Request& r, ResponseWriter& w) {
        w.respond(200, "text/plain", std::to_string(r.body.size()) + " " + r.cert_user);
      },
      o);
  TempDir tmp;
  pki::CertKey cert = pki::make_client_cert(test_pki().ca, "curly", {"g"});
  std::string ca = tmp.write("ca.crt", test_pki().ca.cert_pem);
  std::string crt = tmp.write("c.crt", cert.cert_pem), key = tmp.write("c.key", cert.key_pem);
  std::string small = tmp.write("small", std::string(50000, 'a'));
  std::string big = tmp.write("big", std::string(100000, 'a'));
  std::string base = "curl -sS --max-time 20 --cacert " + ca + " --cert " + crt + " --key " + key +
                     " -H 'Expect: 100-continue' -w ' %{http_code}' --data-binary @";
  std::string url = " https://127.0.0.1:" + std::to_string(srv->port()) + "/upload 2>&1";
  int st = -1;
  std::string out = run(base + small + url, &st);
  EXPECT_EQ(out, "50000 curly 200") << out;
  out = run(base + big + url, &st);
  EXPECT_NE(out.find("RequestEntityTooLarge"), std::string::npos) << out;
  EXPECT_NE(out.find(" 413"), std::string::npos) << out;
}

TEST(HttpsServer, RealKubectlTalksToIt) {
  if (::access("/usr/bin/kubectl", X_OK) != 0) GTEST_SKIP() << "no kubectl";
  std::mutex mu;
  std::string user;
  auto srv = start_server([&](Request& r, ResponseWriter& w) {
    {
      std::lock_guard<std::mutex> lk(mu);
      user = r.cert_user + "/" + (r.cert_groups.empty() ? "" : r.cert_groups[0]);
    }
    if (r.path == "/stream") {
      w.start_stream(200, "text/plain");
      for (int i = 0; i < 3; ++i) w.write_chunk("line" + std::to_string(i) + "\n");
      w.end_stream();
      return;
    }
    w.respond(200, "text/plain", "ok");
  });
  TempDir tmp;
  pki::CertKey admin = pki::make_client_cert(test_pki().ca, "kubernetes-admin", {"system:masters"});
  std::string kc = tmp.path() + "/admin.conf";
  pki::write_kubeconfig(kc, "https://127.0.0.1:" + std::to_string(srv->port()),
                        test_pki().ca.cert_pem, admin, "kubernetes-admin");
  int st = -1;
  std::string out =
      run("/usr/bin/kubectl --kubeconfig " + kc + " --request-timeout=20s get --raw /healthz 2>&1",
          &st);
  EXPECT_EQ(st, 0) << out;
  EXPECT_EQ(out, "ok");
  {
    std::lock_guard<std::mutex> lk(mu);
    EXPECT_EQ(user, "kubernetes-admin/system:masters");
  }
  out = run("/usr/bin/kubectl --kubeconfig " + kc + " --request-timeout=20s get --raw /stream 2>&1",
            &st);
  EXPECT_EQ(st, 0) << out;
  EXPECT_EQ(out, "line0\nline1\nline2\n");
}

}  // namespace
}  // namespace skiff::net
