// Connection-level tests over real TLS on 127.0.0.1:0: HttpsServer's hijack, net::tls_connect
// and net::pipe_streams (the API server proxy's building blocks), and exec over WebSocket
// v5.channel.k8s.io and SPDY/3.1 v4.channel.k8s.io against serve_remote_command.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <thread>

#include "net/http.h"
#include "net/tls_client.h"
#include "pki/pki.h"
#include "streaming/remotecommand.h"
#include "streaming/spdy.h"
#include "streaming/websocket.h"

namespace skiff::streaming {
namespace {

struct TestServer {
  explicit TestServer(net::Handler h) {
    auto ca = pki::make_ca("test-ca", 1);
    auto cert = pki::make_serving_cert(ca, "localhost", {"localhost"}, {"127.0.0.1"}, 1);
    net::ServerOptions o;
    o.bind_address = "127.0.0.1";
    o.port = 0;
    server = std::make_unique<net::HttpsServer>(net::TlsConfig{cert.cert_pem, cert.key_pem, ""},
                                                o, std::move(h));
    server->start();
  }
  std::unique_ptr<net::RawStream> connect() {
    std::string err;
    auto s = net::tls_connect("127.0.0.1", server->port(), {}, &err);
    EXPECT_TRUE(s) << err;
    return s;
  }
  std::unique_ptr<net::HttpsServer> server;
};

// Reads until `want` bytes arrived (or EOF).
std::string read_n(net::RawStream& s, size_t want) {
  std::string out;
  char buf[4096];
  while (out.size() < want) {
    long n = s.read_some(buf, std::min(sizeof buf, want - out.size()));
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

// An upgrade handler that echoes every byte back after a 101.
void echo_handler(net::Request&, net::ResponseWriter& w) {
  net::RawStream* s = w.hijack();
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(w.hijack(), nullptr);  // only once
  s->write_all("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n");
  char buf[4096];
  long n;
  while ((n = s->read_some(buf, sizeof buf)) > 0)
    if (!s->write_all(std::string_view(buf, static_cast<size_t>(n)))) break;
}

TEST(Hijack, BytesSentWithTheRequestComeFirstThenEcho) {
  TestServer srv(echo_handler);
  auto c = srv.connect();
  ASSERT_TRUE(c);
  // The first payload bytes travel in the same write as the request.
  ASSERT_TRUE(c->write_all("GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nearly"));
  std::string rest;
  std::string head = net::read_http_head(*c, &rest);
  EXPECT_EQ(head.rfind("HTTP/1.1 101", 0), 0u) << head;
  rest += read_n(*c, 5 - rest.size());
  EXPECT_EQ(rest, "early");
  std::string big(300000, 'z');
  ASSERT_TRUE(c->write_all(big));
  EXPECT_EQ(read_n(*c, big.size()), big);
}

TEST(Hijack, PipeStreamsProxiesAnUpgradeBothWays) {
  TestServer backend(echo_handler);
  uint16_t bport = backend.server->port();
  TestServer proxy([bport](net::Request& req, net::ResponseWriter& w) {
    std::string err;
    auto up = net::tls_connect("127.0.0.1", bport, {}, &err);
    ASSERT_TRUE(up) << err;
    up->write_all(req.method + " " + req.target + " HTTP/1.1\r\nHost: b\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n");
    std::string rest;
    std::string head = net::read_http_head(*up, &rest);
    net::RawStream* c = w.hijack();
    c->write_all(head + rest);
    net::pipe_streams(*c, *up);
  });
  auto c = proxy.connect();
  ASSERT_TRUE(c);
  c->write_all("GET /x HTTP/1.1\r\nHost: p\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n");
  std::string rest;
  EXPECT_EQ(net::read_http_head(*c, &rest).rfind("HTTP/1.1 101", 0), 0u);
  std::string msg(100000, 'q');
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c->write_all(msg));
    EXPECT_EQ(rest + read_n(*c, msg.size() - rest.size()), msg);
    rest.clear();
  }
}

TEST(Hijack, ConnectErrorsAreReported) {
  std::string err;
  auto s = net::tls_connect("127.0.0.1", 1, {}, &err);
  EXPECT_FALSE(s);
  EXPECT_NE(err.find("dial tcp 127.0.0.1:1"), std::string::npos) << err;
}

// stdin -> stdout, "err" on stderr, exit code 7.
ExitStatus echo_command(RemoteCommandSession& s) {
  char buf[1024];
  long n;
  while ((n = s.read_stdin(buf, sizeof buf)) > 0)
    s.write_stdout(std::string_view(buf, static_cast<size_t>(n)));
  s.write_stderr("err");
  return {7, "", false};
}

TEST(Exec, WebSocketV5StdinCloseSignalAndExitCode) {
  TestServer srv([](net::Request& req, net::ResponseWriter& w) {
    serve_remote_command(req, w, echo_command);
  });
  auto c = srv.connect();
  ASSERT_TRUE(c);
  c->write_all(
      "GET /exec/ns/p/c?command=x&stdin=true&stdout=true&stderr=true HTTP/1.1\r\nHost: k\r\n"
      "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "Sec-WebSocket-Protocol: v5.channel.k8s.io, v4.channel.k8s.io\r\n\r\n");
  std::string rest;
  std::string head = net::read_http_head(*c, &rest);
  ASSERT_EQ(head.rfind("HTTP/1.1 101", 0), 0u) << head;
  EXPECT_NE(head.find("Sec-WebSocket-Protocol: v5.channel.k8s.io"), std::string::npos);
  EXPECT_NE(head.find("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), std::string::npos);
  const uint8_t mask[4] = {0x11, 0x22, 0x33, 0x44};
  c->write_all(encode_frame(Opcode::kBinary, std::string("\x00" "hello", 6), true, mask));
  c->write_all(encode_frame(Opcode::kPing, "hb", true, mask));
  c->write_all(encode_frame(Opcode::kBinary, std::string("\xff\x00", 2), true, mask));
  FrameDecoder d(false);
  d.feed(rest);
  std::map<int, std::string> channels;
  bool pong = false, closed = false;
  char buf[4096];
  while (!closed) {
    while (auto f = d.next()) {
      if (f->opcode == Opcode::kPong) pong = f->payload == "hb";
      else if (f->opcode == Opcode::kClose) closed = true;
      else if (!f->payload.empty()) channels[static_cast<uint8_t>(f->payload[0])] += f->payload.substr(1);
    }
    if (closed) break;
    long n = c->read_some(buf, sizeof buf);
    if (n <= 0) break;
    d.feed(std::string_view(buf, static_cast<size_t>(n)));
  }
  EXPECT_TRUE(closed);
  EXPECT_TRUE(pong);
  EXPECT_EQ(channels[1], "hello");
  EXPECT_EQ(channels[2], "err");
  EXPECT_NE(channels[3].find(R"({"reason":"ExitCode","message":"7"})"), std::string::npos)
      << channels[3];
}

TEST(Exec, SpdyV4StreamsByType) {
  TestServer srv([](net::Request& req, net::ResponseWriter& w) {
    serve_remote_command(req, w, echo_command);
  });
  auto c = srv.connect();
  ASSERT_TRUE(c);
  c->write_all(
      "POST /exec/ns/p/c?command=x&stdin=true&stdout=true&stderr=true HTTP/1.1\r\nHost: k\r\n"
      "Content-Length: 0\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n"
      "X-Stream-Protocol-Version: v4.channel.k8s.io\r\n"
      "X-Stream-Protocol-Version: v3.channel.k8s.io\r\n\r\n");
  std::string rest;
  std::string head = net::read_http_head(*c, &rest);
  ASSERT_EQ(head.rfind("HTTP/1.1 101", 0), 0u) << head;
  EXPECT_NE(head.find("X-Stream-Protocol-Version: v4.channel.k8s.io"), std::string::npos);
  SpdyCodec client;
  uint32_t id = 1;
  std::map<std::string, uint32_t> ids;
  for (const char* t : {"error", "stdin", "stdout", "stderr"}) {
    ids[t] = id;
    c->write_all(client.syn_stream(id, {{"streamType", t}}));
    id += 2;
  }
  c->write_all(SpdyCodec::data(ids["stdin"], "abc", kSpdyFlagFin));
  client.feed(rest);
  std::map<uint32_t, std::string> data;
  std::set<uint32_t> fins;
  int replies = 0;
  char buf[4096];
  while (fins.size() < 3) {
    while (auto f = client.next()) {
      if (f->type == SpdyType::kSynReply) ++replies;
      if (f->type == SpdyType::kData) {
        data[f->stream_id] += f->data;
        if (f->fin()) fins.insert(f->stream_id);
      }
    }
    if (fins.size() >= 3) break;
    long n = c->read_some(buf, sizeof buf);
    if (n <= 0) break;
    client.feed(std::string_view(buf, static_cast<size_t>(n)));
  }
  EXPECT_EQ(client.error(), "");
  EXPECT_EQ(replies, 4);
  EXPECT_EQ(data[ids["stdout"]], "abc");
  EXPECT_EQ(data[ids["stderr"]], "err");
  EXPECT_NE(data[ids["error"]].find(R"("reason":"NonZeroExitCode")"), std::string::npos);
  c->write_all(SpdyCodec::goaway(0));
}

}  // namespace
}  // namespace skiff::streaming
