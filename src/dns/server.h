// The DNS server of `skiff dns`: UDP and TCP (2-byte length prefix, RFC 1035 4.2.2) on one
// address, answering from a Zone and forwarding every other name to upstream servers over UDP,
// with a small bounded cache of upstream answers that honours their TTLs. Boost.Asio on a
// fixed number of threads.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dns/metrics.h"
#include "dns/zone.h"

namespace skiff::dns {

struct ServerOptions {
  std::string listen = "0.0.0.0:53";        // ADDR:PORT ([v6]:PORT); port 0 picks one (tests)
  std::vector<std::string> upstreams;        // IP[:PORT]; none: every foreign name is SERVFAIL
  int threads = 2;
  std::chrono::milliseconds upstream_timeout{2000};  // per upstream, tried in order
  std::chrono::milliseconds tcp_idle_timeout{10000};
  size_t max_tcp_connections = 256;
  size_t cache_entries = 4096;
  uint32_t max_cache_ttl = 300;  // seconds; upstream TTLs above this are cached this long
  Metrics* metrics = nullptr;    // counters to bump (not owned; must outlive the server)
};

// The nameservers of a resolv.conf text, as IP strings, leaving out 127.0.0.0/8 and ::1 when
// skip_loopback (they would be ourselves when we listen on port 53 of every address).
std::vector<std::string> resolv_conf_nameservers(const std::string& text, bool skip_loopback);

class Server {
 public:
  // zone must outlive the server.
  Server(const Zone& zone, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  // Binds UDP and TCP and starts the threads; throws std::runtime_error on a bad address or a
  // failed bind.
  void start();
  void stop();  // idempotent; the destructor calls it
  uint16_t port() const;  // the bound port (after start)
  // Upstream queries sent so far (each attempt counts), for tests and the log.
  uint64_t upstream_queries() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace skiff::dns
