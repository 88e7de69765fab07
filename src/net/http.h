// The HTTPS server every API request comes through: TLS 1.2+ (OpenSSL via Boost.Beast/Asio),
// optional client-certificate verification against the cluster CA, HTTP/1.1 keep-alive,
// streaming (chunked) responses for watches and logs.
//
// Threading: connections are event-driven; handlers are synchronous. A few I/O threads accept,
// do TLS handshakes, wait on idle keep-alive connections and read whole requests (header and
// body) without blocking, so an idle connection or one in its handshake holds no thread. A
// complete request is handed to a worker thread from a pool that grows on demand (up to
// ServerOptions::max_inflight running handlers; beyond that the request is answered 429) and
// shrinks when idle. The handler runs there with blocking I/O on its connection through the
// ResponseWriter; a watch or a hijacked stream holds its worker for its duration. Afterwards the
// connection goes back to the I/O threads for its next request.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace skiff::net {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: path and query
  std::string path;    // percent-decoded path, without the query
  std::multimap<std::string, std::string> query;  // percent-decoded ('+' = space)
  std::map<std::string, std::string> headers;     // names lower-cased
  std::string body;
  std::string remote_addr;  // "ip:port"
  // The verified TLS client certificate's identity (CN and O's); empty when none was sent.
  std::string cert_user;
  std::vector<std::string> cert_groups;

  bool has_query(const std::string& name) const { return query.count(name) > 0; }
  std::string query_param(const std::string& name, const std::string& def = {}) const;
  std::string header(const std::string& lower_name) const;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// A byte stream taken over from HTTP (a hijacked server connection after an upgrade, or a TLS
// client connection to a backend). Blocking I/O; one thread at a time. fd() and pending() let a
// caller poll(2) several streams on one thread: read_some blocks only when !pending() and the
// socket is not readable (a partially received TLS record aside).
class RawStream {
 public:
  virtual ~RawStream() = default;
  // Reads up to n bytes; 0 at end of stream, -1 on an error (or the server stopping).
  virtual long read_some(char* buf, size_t n) = 0;
  // Writes everything; false on an error or when a write stays blocked past the write timeout.
  virtual bool write_all(std::string_view data) = 0;
  virtual int fd() const = 0;
  // True when bytes already received are buffered (in TLS or HTTP parser buffers).
  virtual bool pending() = 0;
};

class ResponseWriter {
 public:
  virtual ~ResponseWriter() = default;
  // A whole response. Call once (or start_stream once).
  virtual void respond(int status, std::string_view content_type, std::string body,
                       const Headers& extra = {}) = 0;
  // A streamed response with chunked transfer encoding; returns false if the client is gone.
  virtual bool start_stream(int status, std::string_view content_type,
                            const Headers& extra = {}) = 0;
  // Writes and flushes one chunk; false once the client is gone (then stop writing).
  virtual bool write_chunk(std::string_view data) = 0;
  virtual void end_stream() = 0;
  // True when the peer has closed the connection or the server is stopping (polls the socket).
  virtual bool client_gone() = 0;
  // Takes over the connection (protocol upgrades, reverse proxies): instead of a response, the
  // handler reads and writes raw bytes (e.g. "HTTP/1.1 101 ...", then frames) on the returned
  // stream, which starts with any bytes the client sent after the request. Call before any
  // response; the stream lives until the handler returns, then the server closes the
  // connection. nullptr when unsupported or a response was already started. Reads have no
  // deadline; stop() ends them.
  virtual RawStream* hijack() { return nullptr; }
};

using Handler = std::function<void(Request&, ResponseWriter&)>;

struct TlsConfig {
  std::string cert_pem;       // serving certificate chain
  std::string key_pem;        // its private key
  std::string client_ca_pem;  // CA for client certificates; clients without one still connect
};

// Limits and timeouts. A request header may be 1 MiB in all (Go's DefaultMaxHeaderBytes) and
// 32 KiB per line; beyond either the client gets 431 and the connection is closed.
struct ServerOptions {
  std::string bind_address = "0.0.0.0";
  uint16_t port = 6443;                     // 0 = pick a free port (see HttpsServer::port)
  size_t max_body_bytes = 3 * 1024 * 1024;  // larger bodies get 413 without reaching the handler
  // Open connections (any state). Further ones are accepted and closed at once, with a
  // rate-limited warning. start() lowers it to RLIMIT_NOFILE minus headroom for other files.
  size_t max_connections = 10000;
  // Handlers running at once, watches and hijacked streams included (each holds a worker
  // thread). A complete request beyond it is answered 429 with Retry-After: 1, as upstream's
  // max-in-flight filter does, and the connection stays open.
  size_t max_inflight = 2048;
  // The TLS handshake must finish within this of the TCP accept.
  std::chrono::seconds handshake_timeout{10};
  // The whole request header must arrive within this of its first byte (of the handshake's end
  // for a connection's first request): upstream's ReadHeaderTimeout (32 s).
  std::chrono::seconds header_timeout{32};
  // The whole request, body included, must arrive within this of its first byte.
  std::chrono::seconds request_timeout{60};
  // A keep-alive connection with no request for this long is closed: upstream's IdleTimeout
  // (90 s, equal to client-go's idle-connection timeout; clients retry on a connection the
  // server closed while idle).
  std::chrono::seconds idle_timeout{90};
  // A single write (a piece of a response or of a chunk, at most one TLS record) blocked this
  // long by a client that stopped reading fails, and the connection is closed.
  std::chrono::seconds write_timeout{60};
  unsigned io_threads = 2;  // accept, handshakes, reading requests
  // A worker thread with no request for this long exits.
  std::chrono::seconds worker_idle_timeout{10};
};

class HttpsServer {
 public:
  HttpsServer(TlsConfig tls, ServerOptions opts, Handler handler);
  ~HttpsServer();
  // Binds and starts accepting; throws std::runtime_error with a clear message on failure.
  void start();
  uint16_t port() const;
  // Stops accepting, shuts down all connections (streams see client_gone(), blocked reads and
  // writes fail), joins all threads.
  // It waits for running handlers to return, so a long handler (a watch) must poll
  // client_gone(); never call stop() from a handler.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace skiff::net
