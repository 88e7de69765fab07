// Tests of agent/probes.h: exec (fake ExecFn), httpGet against in-test HTTP and HTTPS servers on
// 127.0.0.1:0 (200, 500, redirect, a server that never answers), tcpSocket against a listening
// and a closed port, named ports, and ProbeWorker's timing and thresholds on synthetic times.
#include "agent/probes.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "net/http.h"
#include "pki/pki.h"

namespace skiff::agent {
namespace {
using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

json::object obj(std::string_view text) { return json::parse(text).as_object(); }

// A socket bound to 127.0.0.1 on a free port; listening or not (then connects are refused).
int bound_socket(bool listening, int* port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  if (listening) {
    EXPECT_EQ(::listen(fd, 16), 0);
  }
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  *port = ntohs(a.sin_port);
  return fd;
}

// A plain HTTP/1.1 server: /ok -> 200, /fail -> 500, /moved -> 302, /hang -> never answers.
// It records the last request head it read.
class TestHttpServer {
 public:
  TestHttpServer() {
    fd_ = bound_socket(true, &port_);
    ::pipe2(stop_, O_CLOEXEC);
    thread_ = std::thread([this] { serve(); });
  }
  ~TestHttpServer() {
    (void)!::write(stop_[1], "x", 1);
    thread_.join();
    for (int c : held_) ::close(c);
    ::close(fd_), ::close(stop_[0]), ::close(stop_[1]);
  }
  int port() const { return port_; }
  std::string last_request() {
    std::lock_guard<std::mutex> lk(mu_);
    return last_;
  }

 private:
  void serve() {
    for (;;) {
      pollfd p[2] = {{fd_, POLLIN, 0}, {stop_[0], POLLIN, 0}};
      if (::poll(p, 2, -1) < 0 || p[1].revents) return;
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c >= 0) answer(c);
    }
  }
  void answer(int c) {
    std::string head;
    char buf[4096];
    timeval tv{2, 0};
    ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    while (head.find("\r\n\r\n") == std::string::npos) {
      ssize_t n = ::read(c, buf, sizeof buf);
      if (n <= 0) break;
      head.append(buf, static_cast<size_t>(n));
    }
    {
      std::lock_guard<std::mutex> lk(mu_);
      last_ = head;
    }
    if (head.rfind("GET ", 0) != 0) return (void)::close(c);  // a tcpSocket probe's bare connect
    std::string target = head.substr(4, head.find(' ', 4) - 4);
    if (target == "/hang") return held_.push_back(c);  // answered never; closed at the end
    std::string status = target == "/ok"      ? "200 OK"
                         : target == "/moved" ? "302 Found\r\nLocation: http://elsewhere/"
                                              : "500 Internal Server Error";
    std::string resp = "HTTP/1.1 " + status + "\r\nContent-Length: 2\r\n\r\nhi";
    (void)!::send(c, resp.data(), resp.size(), MSG_NOSIGNAL);
    ::close(c);
  }

  int fd_ = -1, port_ = 0, stop_[2] = {-1, -1};
  std::vector<int> held_;
  std::mutex mu_;
  std::string last_;
  std::thread thread_;
};

std::string http_probe(int port, std::string_view path, std::string_view extra = "") {
  return "{\"httpGet\":{\"port\":" + std::to_string(port) + ",\"path\":\"" + std::string(path) +
         "\"" + std::string(extra) + "}}";
}

const ExecFn kNoExec = nullptr;

TEST(HttpProbe, SuccessFailureAndRedirect) {
  TestHttpServer srv;
  auto r = run_probe(obj(http_probe(srv.port(), "/ok")), {}, "127.0.0.1", kNoExec);
  EXPECT_EQ(r.result, ProbeResult::kSuccess) << r.message;
  std::string req = srv.last_request();
  EXPECT_EQ(req.rfind("GET /ok HTTP/1.1\r\n", 0), 0u) << req;
  EXPECT_NE(req.find("User-Agent: kube-probe/1.31\r\n"), std::string::npos) << req;
  EXPECT_NE(req.find("Host: 127.0.0.1:" + std::to_string(srv.port()) + "\r\n"), std::string::npos);

  r = run_probe(obj(http_probe(srv.port(), "/fail")), {}, "127.0.0.1", kNoExec);
  EXPECT_EQ(r.result, ProbeResult::kFailure);
  EXPECT_EQ(r.message, "HTTP probe failed with statuscode: 500");

  r = run_probe(obj(http_probe(srv.port(), "/moved")), {}, "127.0.0.1", kNoExec);
  EXPECT_EQ(r.result, ProbeResult::kSuccess) << r.message;  // redirects are not followed
}

TEST(HttpProbe, HostAndHeaders) {
  TestHttpServer srv;
  // host given explicitly (the pod IP is unused), custom headers, Host overridden.
  auto r = run_probe(obj(http_probe(srv.port(), "ok",
                                    ",\"host\":\"127.0.0.1\",\"httpHeaders\":["
                                    "{\"name\":\"X-Check\",\"value\":\"yes\"},"
                                    "{\"name\":\"Host\",\"value\":\"example.com\"},"
                                    "{\"name\":\"User-Agent\",\"value\":\"mine\"}]")),
                     {}, "192.0.2.1", kNoExec);
  EXPECT_EQ(r.result, ProbeResult::kSuccess) << r.message;
  std::string req = srv.last_request();
  EXPECT_EQ(req.rfind("GET /ok ", 0), 0u) << req;
  EXPECT_NE(req.find("X-Check: yes\r\n"), std::string::npos) << req;
  EXPECT_NE(req.find("Host: example.com\r\n"), std::string::npos) << req;
  EXPECT_NE(req.find("User-Agent: mine\r\n"), std::string::npos) << req;
  EXPECT_EQ(req.find("kube-probe"), std::string::npos) << req;
}

TEST(HttpProbe, TimeoutWhileAwaitingHeaders) {
  TestHttpServer srv;
  auto start = Steady::now();
  auto r = run_probe(obj(http_probe(srv.port(), "/hang", ",\"scheme\":\"HTTP\"")), {}, "127.0.0.1",
                     kNoExec);
  auto took = Steady::now() - start;
  EXPECT_EQ(r.result, ProbeResult::kFailure);
  EXPECT_EQ(r.message, "Get \"http://127.0.0.1:" + std::to_string(srv.port()) +
                           "/hang\": context deadline exceeded (Client.Timeout exceeded while "
                           "awaiting headers)");
  EXPECT_GE(took, 900ms);  // timeoutSeconds defaults to 1
  EXPECT_LT(took, 3s);
}

TEST(HttpProbe, ConnectionRefused) {
  int port = 0;
  int fd = bound_socket(false, &port);
  auto r = run_probe(obj(http_probe(port, "/")), {}, "127.0.0.1", kNoExec);
  ::close(fd);
  EXPECT_EQ(r.result, ProbeResult::kFailure);
  std::string addr = "127.0.0.1:" + std::to_string(port);
  EXPECT_EQ(r.message,
            "Get \"http://" + addr + "/\": dial tcp " + addr + ": connect: connection refused");
}

TEST(HttpProbe, NamedPorts) {
  TestHttpServer srv;
  json::object container =
      obj("{\"name\":\"app\",\"ports\":[{\"name\":\"metrics\","
          "\"containerPort\":1},{\"name\":\"http\",\"containerPort\":" +
          std::to_string(srv.port()) + "}]}");
  auto r = run_probe(obj("{\"httpGet\":{\"port\":\"http\",\"path\":\"/ok\"}}"), container,
                     "127.0.0.1", kNoExec);
  EXPECT_EQ(r.result, ProbeResult::kSuccess) << r.message;
  r = run_probe(obj("{\"httpGet\":{\"port\":\"nope\",\"path\":\"/ok\"}}"), container, "127.0.0.1",
                kNoExec);
  EXPECT_EQ(r.result, ProbeResult::kFailure);
  EXPECT_NE(r.message.find("couldn't find port: nope"), std::string::npos) << r.message;
  r = run_probe(obj("{\"tcpSocket\":{\"port\":\"http\"}}"), container, "127.0.0.1", kNoExec);
  EXPECT_EQ(r.result, ProbeResult::kSuccess) << r.message;
  r = run_probe(obj("{\"tcpSocket\":{\"port\":0}}"), container, "127.0.0.1", kNoExec);
  EXPECT_EQ(r.message, "invalid port number: 0");
}

TEST(HttpProbe, Https) {
  pki::CertKey ca = pki::make_ca("probe-ca");
  pki::CertKey cert = pki::make_serving_cert(ca, "pod", {}, {"127.0.0.1"});
  std::atomic<int> hits{0};
  net::ServerOptions so;
  so.bind_address = "127.0.0.1";
  so.port = 0;
  net::HttpsServer srv(
      {cert.cert_pem, cert.key_pem, ""}, so, [&](net::Request& req, net::ResponseWriter& w) {
        ++hits;
        bool ok = req.path == "/ok" && req.header("user-agent") == "kube-probe/1.31";
        w.respond(ok ? 200 : 503, "text/plain", "x");
      });
  srv.start();
  std::string extra = ",\"scheme\":\"HTTPS\"";
  auto r = run_probe(obj(http_probe(srv.port(), "/ok", extra)), {}, "127.0.0.1", kNoExec);
  EXPECT_EQ(r.result, ProbeResult::kSuccess) << r.message;  // unverified certificate is fine
  r = run_probe(obj(http_probe(srv.port(), "/bad", extra)), {}, "127.0.0.1", kNoExec);
  EXPECT_EQ(r.message, "HTTP probe failed with statuscode: 503");
  EXPECT_EQ(hits, 2);
  // HTTPS against a plain HTTP server fails (here at the deadline: that server waits for a
  // request head and never answers the TLS hello).
  TestHttpServer plain;
  r = run_probe(obj(http_probe(plain.port(), "/ok", extra)), {}, "127.0.0.1", kNoExec);
  EXPECT_EQ(r.result, ProbeResult::kFailure);
  srv.stop();
}

TEST(TcpProbe, OpenAndClosedPorts) {
  int port = 0;
  int lfd = bound_socket(true, &port);
  auto r = run_probe(obj("{\"tcpSocket\":{\"port\":" + std::to_string(port) + "}}"), {},
                     "127.0.0.1", kNoExec);
  EXPECT_EQ(r.result, ProbeResult::kSuccess) << r.message;
  ::close(lfd);
  int cfd = bound_socket(false, &port);
  r = run_probe(obj("{\"tcpSocket\":{\"port\":" + std::to_string(port) + "}}"), {}, "127.0.0.1",
                kNoExec);
  ::close(cfd);
  EXPECT_EQ(r.result, ProbeResult::kFailure);
  EXPECT_EQ(r.message,
            "dial tcp 127.0.0.1:" + std::to_string(port) + ": connect: connection refused");
}

TEST(ExecProbe, ResultsAndMessages) {
  std::vector<std::string> seen_cmd;
  std::chrono::milliseconds seen_timeout{};
  int code = 0;
  bool time_out = false;
  std::string output;
  ExecFn fake = [&](const std::vector<std::string>& cmd, std::chrono::milliseconds timeout,
                    std::string* out, bool* timed_out) {
    seen_cmd = cmd;
    seen_timeout = timeout;
    *out = output;
    *timed_out = time_out;
    return code;
  };
  auto probe = obj(R"({"exec":{"command":["cat","/tmp/healthy"]}})");
  output = "ok\n";
  auto r = run_probe(probe, {}, "", fake);
  EXPECT_EQ(r.result, ProbeResult::kSuccess);
  EXPECT_EQ(seen_cmd, (std::vector<std::string>{"cat", "/tmp/healthy"}));
  EXPECT_EQ(seen_timeout, 1s);

  code = 1;
  output = "cat: can't open '/tmp/healthy': No such file or directory\n";
  r = run_probe(obj(R"({"exec":{"command":["cat","/tmp/healthy"]},"timeoutSeconds":5})"), {}, "",
                fake);
  EXPECT_EQ(r.result, ProbeResult::kFailure);
  EXPECT_EQ(r.message, output);
  EXPECT_EQ(seen_timeout, 5s);

  time_out = true;
  output.clear();
  r = run_probe(probe, {}, "", fake);
  EXPECT_EQ(r.result, ProbeResult::kFailure);
  EXPECT_EQ(r.message, "command \"cat /tmp/healthy\" timed out");

  time_out = false;
  code = -1;
  r = run_probe(probe, {}, "", fake);
  EXPECT_EQ(r.result, ProbeResult::kFailure);
  EXPECT_FALSE(r.message.empty());
}

TEST(RunProbe, MissingAndUnsupportedHandlers) {
  EXPECT_EQ(run_probe(obj("{\"periodSeconds\":3}"), {}, "", kNoExec).result, ProbeResult::kFailure);
  EXPECT_EQ(run_probe(obj("{\"grpc\":{\"port\":9}}"), {}, "", kNoExec).result,
            ProbeResult::kUnknown);
}

TEST(ProbeWorker, DefaultsAndDueTimes) {
  const Steady::time_point t0{};  // synthetic: the container started here
  ProbeWorker w(obj("{\"httpGet\":{\"port\":80}}"), ProbeResult::kFailure);
  EXPECT_EQ(w.timeout(), 1s);
  EXPECT_EQ(w.result(), ProbeResult::kFailure);
  EXPECT_TRUE(w.due(t0, t0));  // initialDelaySeconds 0: at once
  EXPECT_EQ(w.next_due(t0), t0);
  w.record(ProbeResult::kSuccess, t0 + 1s);
  EXPECT_EQ(w.next_due(t0), t0 + 11s);  // periodSeconds 10
  EXPECT_FALSE(w.due(t0 + 10s, t0));
  EXPECT_TRUE(w.due(t0 + 11s, t0));

  ProbeWorker d(obj(R"({"exec":{"command":["x"]},"initialDelaySeconds":5,"periodSeconds":2,
                       "timeoutSeconds":3})"),
                ProbeResult::kSuccess);
  EXPECT_EQ(d.timeout(), 3s);
  EXPECT_FALSE(d.due(t0 + 4s, t0));
  EXPECT_TRUE(d.due(t0 + 5s, t0));
  EXPECT_EQ(d.next_due(t0), t0 + 5s);
  d.record(ProbeResult::kSuccess, t0 + 5s);
  EXPECT_EQ(d.next_due(t0), t0 + 7s);
}

TEST(ProbeWorker, FailureThreshold) {
  const Steady::time_point t0{};
  ProbeWorker w(obj("{\"tcpSocket\":{\"port\":80}}"), ProbeResult::kSuccess);  // liveness
  EXPECT_FALSE(w.record(ProbeResult::kFailure, t0 + 10s));
  EXPECT_FALSE(w.record(ProbeResult::kFailure, t0 + 20s));
  EXPECT_FALSE(w.record(ProbeResult::kSuccess, t0 + 30s));  // breaks the run
  EXPECT_FALSE(w.record(ProbeResult::kFailure, t0 + 40s));
  EXPECT_FALSE(w.record(ProbeResult::kFailure, t0 + 50s));
  EXPECT_EQ(w.result(), ProbeResult::kSuccess);
  EXPECT_TRUE(w.record(ProbeResult::kFailure, t0 + 60s));  // the third in a row
  EXPECT_EQ(w.result(), ProbeResult::kFailure);
  EXPECT_FALSE(w.record(ProbeResult::kFailure, t0 + 70s));  // no change, no report
  EXPECT_FALSE(w.record(ProbeResult::kUnknown, t0 + 80s));
  EXPECT_EQ(w.result(), ProbeResult::kFailure);
  EXPECT_TRUE(w.record(ProbeResult::kSuccess, t0 + 90s));  // successThreshold 1
  EXPECT_EQ(w.result(), ProbeResult::kSuccess);
}

TEST(ProbeWorker, SuccessThreshold) {
  const Steady::time_point t0{};
  ProbeWorker w(obj(R"({"tcpSocket":{"port":80},"successThreshold":2,"failureThreshold":1})"),
                ProbeResult::kFailure);  // readiness
  EXPECT_FALSE(w.record(ProbeResult::kSuccess, t0));
  EXPECT_FALSE(w.record(ProbeResult::kFailure, t0 + 10s));
  EXPECT_FALSE(w.record(ProbeResult::kSuccess, t0 + 20s));
  EXPECT_TRUE(w.record(ProbeResult::kSuccess, t0 + 30s));
  EXPECT_EQ(w.result(), ProbeResult::kSuccess);
  EXPECT_TRUE(w.record(ProbeResult::kFailure, t0 + 40s));  // failureThreshold 1
  EXPECT_EQ(w.result(), ProbeResult::kFailure);
}

}  // namespace
}  // namespace skiff::agent
