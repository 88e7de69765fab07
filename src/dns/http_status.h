// The plain-HTTP status endpoints of `skiff dns`, on the ports CoreDNS's plugins use: /health
// (8080, the liveness probe: 200 while the process serves), /ready (8181, the readiness probe:
// 200 once the record table holds the cluster's objects) and /metrics (9153, Prometheus text).
// One small Boost.Asio server on its own thread for all of them; a request is one GET, answered
// and closed (probes and scrapers open a connection per request). Requests over 8 KiB, or
// slower than 5 s, are dropped.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace skiff::dns {

struct HttpReply {
  int code = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

// One listener: ADDR:PORT (":8080" = every address) and what it answers for a path.
struct HttpEndpoint {
  std::string listen;
  std::function<HttpReply(const std::string& path)> handler;
};

class HttpStatusServer {
 public:
  explicit HttpStatusServer(std::vector<HttpEndpoint> endpoints);
  ~HttpStatusServer();
  // Binds every listener and starts the thread; throws std::runtime_error naming the address
  // on a bad address or a failed bind.
  void start();
  void stop();  // idempotent
  // The bound port of endpoint i (after start; for listeners given port 0).
  uint16_t port(size_t i) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace skiff::dns
