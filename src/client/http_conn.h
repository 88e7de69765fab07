// Private to the client library: one blocking HTTP/1.1 keep-alive connection (HTTPS or plain
// HTTP) with deadlines on every step, plus a streamed-response mode for watches. Each connection
// owns a private io_context; asynchronous operations are run to completion on the calling
// thread, so an unresponsive server gives an error instead of a hang. Not thread-safe: a
// connection is used by one thread at a time (the Client's pool hands it out exclusively).
#pragma once
#include <atomic>
#include <chrono>
#include <memory>
#include <string>

namespace boost::asio::ssl {
class context;
}

namespace skiff::client {
class TokenFile;
}

namespace skiff::client::detail {

struct Endpoint {
  bool tls = true;
  std::string host;  // without brackets for IPv6
  std::string port;
  std::string url() const;
};

// "https://host:port[/...]" or "http://host:port". False with *err on anything else.
bool parse_server_url(const std::string& url, Endpoint& ep, std::string* err);

// The TLS settings every connection of one Client shares (TLS 1.2+, CA, client cert/key).
// Throws std::runtime_error on bad PEM.
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const std::string& ca_pem,
                                                            const std::string& cert_pem,
                                                            const std::string& key_pem);

struct HttpResponse {
  int status = 0;
  std::string body;
};

struct RequestHeaders {
  std::string user_agent;
  std::string token;  // bearer token, optional
  std::shared_ptr<TokenFile> token_file;  // when set, the bearer token comes from it
};

class HttpConn {
 public:
  // tls_ctx may be null for plain HTTP endpoints; verify_peer says whether the server's
  // certificate and host name (DNS or IP SAN) are checked.
  HttpConn(Endpoint ep, std::shared_ptr<boost::asio::ssl::context> tls_ctx, bool verify_peer,
           RequestHeaders headers);
  ~HttpConn();
  HttpConn(const HttpConn&) = delete;
  HttpConn& operator=(const HttpConn&) = delete;

  bool connected() const;
  // True once a response has completed on the current connection (it came from the pool).
  bool reused() const;

  // TCP connect + TLS handshake (no-op when connected). False with *err on failure.
  bool connect(std::chrono::milliseconds timeout, std::string* err);

  // One request/response. Connects when needed. On a transport failure returns false with
  // *err and closes the connection; *retryable says whether the failure looks like a reused
  // keep-alive connection the server had closed (worth one retry on a fresh connection).
  bool request(const std::string& method, const std::string& target, const std::string& body,
               const std::string& content_type, std::chrono::milliseconds timeout,
               HttpResponse& out, std::string* err, bool* retryable);

  // Starts a streamed GET: sends the request and reads the response header. Returns false on a
  // transport failure (*err). On a non-200 status the body is read into out.body and the
  // connection is closed; on 200 read_line() delivers the body line by line.
  bool open_stream(const std::string& target, std::chrono::milliseconds timeout,
                   HttpResponse& out, std::string* err);

  enum class LineStatus { kLine, kEnd, kStopped, kIdleTimeout, kError };
  // The next '\n'-terminated line of the stream (without the newline). Checks *stop (if given)
  // about every 200 ms; gives kIdleTimeout when nothing arrives within `idle`.
  LineStatus read_line(std::string& line, std::chrono::milliseconds idle,
                       const std::atomic<bool>* stop, std::string* err);

  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Percent-encodes a query parameter value (RFC 3986 unreserved characters stay).
std::string url_encode(const std::string& s);

}  // namespace skiff::client::detail
