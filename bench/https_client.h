// A small blocking HTTP/1.1 keep-alive client for the benchmarks: one connection, used by one
// thread. HTTPS with a client certificate (the API server) or plain HTTP (etcd's JSON gateway).
// Every step has a deadline (asio async operations run to completion on a private io_context),
// so an unresponsive server gives an error instead of a hang.
#pragma once
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace skiff::bench {

struct Endpoint {
  bool tls = true;
  std::string host;
  std::string port;
  // PEM text; ca_pem verifies the server, cert_pem/key_pem identify the client (both optional).
  std::string ca_pem;
  std::string cert_pem;
  std::string key_pem;
  std::string url() const { return (tls ? "https://" : "http://") + host + ":" + port; }
};

// "https://host:port" or "http://host:port" (a trailing path is ignored). Throws
// std::runtime_error on anything else.
Endpoint parse_url(const std::string& url);

// The server and credentials of a kubeconfig's current context. Understands what skiff writes
// (and the common kubectl layout): server, certificate-authority[-data],
// client-certificate[-data], client-key[-data]. Throws std::runtime_error.
Endpoint load_kubeconfig(const std::string& path);

// Reads a whole file; throws std::runtime_error naming the file.
std::string read_file(const std::string& path);

struct Response {
  int status = 0;
  std::string body;
};

class HttpClient {
 public:
  explicit HttpClient(const Endpoint& ep,
                      std::chrono::milliseconds timeout = std::chrono::seconds(120));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Connects (TCP + TLS handshake) if not connected. Throws std::runtime_error.
  void connect();
  // One request on the keep-alive connection; connects first if needed, and retries once on a
  // fresh connection when a reused one turns out to be closed. Throws std::runtime_error on
  // transport errors; HTTP errors are returned as the status.
  Response request(std::string_view method, const std::string& target,
                   const std::string& body = {},
                   std::string_view content_type = "application/json");

  // A streamed GET (a watch): sends the request and reads the response header; returns the
  // status. A non-200 status has its body read into *error_body (if given).
  int open_stream(const std::string& target, std::string* error_body = nullptr);
  // The next newline-terminated line of the stream (without the newline). False at the end of
  // the stream, on error, or when nothing arrives within `idle` (then *timed_out is set).
  bool read_line(std::string& line, std::chrono::milliseconds idle, bool* timed_out = nullptr);

  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace skiff::bench
