#include "client/http_conn.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <limits>
#include <optional>
#include <stdexcept>

#include "client/token_file.h"

namespace skiff::client::detail {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

std::string Endpoint::url() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return (tls ? "https://" : "http://") + h + ":" + port;
}

bool parse_server_url(const std::string& url, Endpoint& ep, std::string* err) {
  auto fail = [&](const std::string& why) {
    if (err) *err = why + ": " + url;
    return false;
  };
  std::string rest;
  if (url.rfind("https://", 0) == 0) {
    ep.tls = true;
    rest = url.substr(8);
  } else if (url.rfind("http://", 0) == 0) {
    ep.tls = false;
    rest = url.substr(7);
  } else {
    return fail("bad server URL (want https://host:port)");
  }
  if (auto slash = rest.find('/'); slash != std::string::npos) rest.resize(slash);
  if (rest.empty()) return fail("bad server URL (no host)");
  ep.port.clear();
  if (rest[0] == '[') {
    auto close = rest.find(']');
    if (close == std::string::npos) return fail("bad server URL");
    ep.host = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') return fail("bad server URL");
      ep.port = rest.substr(close + 2);
    }
  } else if (auto colon = rest.rfind(':'); colon != std::string::npos) {
    ep.host = rest.substr(0, colon);
    ep.port = rest.substr(colon + 1);
  } else {
    ep.host = rest;
  }
  if (ep.host.empty()) return fail("bad server URL (no host)");
  if (ep.port.empty()) ep.port = ep.tls ? "443" : "80";
  return true;
}

std::shared_ptr<ssl::context> make_tls_context(const std::string& ca_pem,
                                               const std::string& cert_pem,
                                               const std::string& key_pem) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  try {
    if (ca_pem.empty()) {
      ctx->set_verify_mode(ssl::verify_none);
    } else {
      ctx->set_verify_mode(ssl::verify_peer);
      ctx->add_certificate_authority(asio::buffer(ca_pem));
    }
    if (!cert_pem.empty()) ctx->use_certificate_chain(asio::buffer(cert_pem));
    if (!key_pem.empty()) ctx->use_private_key(asio::buffer(key_pem), ssl::context::pem);
  } catch (const std::exception& ex) {
    throw std::runtime_error(std::string("TLS credentials: ") + ex.what());
  }
  return ctx;
}

std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

struct HttpConn::Impl {
  Endpoint ep;
  std::shared_ptr<ssl::context> ctx;
  bool verify;
  RequestHeaders headers;
  asio::io_context ioc;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
  std::optional<beast::tcp_stream> plain;
  beast::flat_buffer buf;
  bool is_connected = false;
  bool is_reused = false;
  // A streamed response in progress.
  std::optional<http::response_parser<http::buffer_body>> sparser;
  std::string pending;
  size_t pending_pos = 0;
  bool stream_done = true;

  Impl(Endpoint e, std::shared_ptr<ssl::context> c, bool v, RequestHeaders h)
      : ep(std::move(e)), ctx(std::move(c)), verify(v), headers(std::move(h)) {}

  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }

  template <class F>
  void with_stream(F&& f) {
    if (tls)
      f(*tls);
    else
      f(*plain);
  }

  // Runs one asynchronous operation to completion. `deadline` bounds it (the stream is closed
  // on expiry, giving beast::error::timeout); with `stop`, *stop is polled every 200 ms and a
  // set flag aborts the operation with asio::error::operation_aborted.
  template <class Start>
  beast::error_code run(Start&& start, std::chrono::milliseconds deadline,
                        const std::atomic<bool>* stop = nullptr) {
    beast::error_code result = asio::error::would_block;
    bool done = false;
    lowest().expires_after(deadline);
    start([&](beast::error_code ec, auto&&...) {
      result = ec;
      done = true;
    });
    ioc.restart();
    if (!stop) {
      ioc.run();
      return result;
    }
    while (!done) {
      ioc.run_for(200ms);
      if (!done && stop->load()) {
        beast::error_code ignored;
        lowest().socket().close(ignored);
        ioc.restart();
        ioc.run();
        return asio::error::operation_aborted;
      }
      if (!done) ioc.restart();
    }
    return result;
  }

  void close() {
    if (tls || plain) {
      beast::error_code ec;
      lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
      lowest().socket().close(ec);
    }
    sparser.reset();
    tls.reset();
    plain.reset();
    buf.clear();
    is_connected = false;
    is_reused = false;
    stream_done = true;
    pending.clear();
    pending_pos = 0;
  }

  bool connect(std::chrono::milliseconds timeout, std::string* err) {
    if (is_connected) return true;
    close();
    beast::error_code ec;
    tcp::resolver resolver(ioc);
    auto results = resolver.resolve(ep.host, ep.port, ec);
    if (ec) {
      if (err) *err = "cannot resolve " + ep.host + ": " + ec.message();
      return false;
    }
    if (ep.tls) {
      if (!ctx) {
        if (err) *err = "no TLS context for " + ep.url();
        return false;
      }
      tls.emplace(ioc, *ctx);
      SSL* ssl_handle = tls->native_handle();
      boost::system::error_code aec;
      asio::ip::make_address(ep.host, aec);
      const bool is_ip = !aec;
      if (!is_ip) SSL_set_tlsext_host_name(ssl_handle, ep.host.c_str());  // SNI for names only
      if (verify) {
        X509_VERIFY_PARAM* param = SSL_get0_param(ssl_handle);
        // Match the certificate's IP SANs for addresses, DNS SANs for names.
        int ok = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, ep.host.c_str())
                       : SSL_set1_host(ssl_handle, ep.host.c_str());
        if (ok != 1) {
          close();
          if (err) *err = "cannot set up host name verification for " + ep.host;
          return false;
        }
      }
    } else {
      plain.emplace(ioc);
    }
    ec = run([&](auto h) { lowest().async_connect(results, h); }, timeout);
    if (ec) {
      close();
      if (err) *err = "cannot connect to " + ep.url() + ": " + ec.message();
      return false;
    }
    lowest().socket().set_option(tcp::no_delay(true), ec);
    lowest().socket().set_option(asio::socket_base::keep_alive(true), ec);
    if (tls) {
      ec = run([&](auto h) { tls->async_handshake(ssl::stream_base::client, h); }, timeout);
      if (ec) {
        std::string detail = ec.message();
        long vr = SSL_get_verify_result(tls->native_handle());
        if (vr != X509_V_OK) detail += std::string(" (") + X509_verify_cert_error_string(vr) + ")";
        close();
        if (err) *err = "TLS handshake with " + ep.url() + " failed: " + detail;
        return false;
      }
    }
    is_connected = true;
    return true;
  }

  beast::error_code write(const std::string& method, const std::string& target,
                          const std::string& body, const std::string& content_type,
                          std::chrono::milliseconds timeout) {
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, ep.host.find(':') != std::string::npos
                                   ? "[" + ep.host + "]:" + ep.port
                                   : ep.host + ":" + ep.port);
    req.set(http::field::user_agent, headers.user_agent.empty() ? "skiff" : headers.user_agent);
    req.set(http::field::accept, "application/json");
    std::string token = headers.token_file ? headers.token_file->get() : headers.token;
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
    if (!body.empty()) {
      req.set(http::field::content_type, content_type);
      req.body() = body;
    }
    req.prepare_payload();
    return run([&](auto h) { with_stream([&](auto& s) { http::async_write(s, req, h); }); },
               timeout);
  }

  static bool looks_closed(const beast::error_code& ec) {
    return ec == http::error::end_of_stream || ec == asio::error::eof ||
           ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
           ec == asio::error::connection_aborted || ec == ssl::error::stream_truncated ||
           ec == http::error::partial_message;
  }

  bool request(const std::string& method, const std::string& target, const std::string& body,
               const std::string& content_type, std::chrono::milliseconds timeout,
               HttpResponse& out, std::string* err, bool* retryable) {
    if (retryable) *retryable = false;
    const bool was_reused = is_connected && is_reused;
    if (!connect(std::min<std::chrono::milliseconds>(timeout, 10s), err)) return false;
    beast::error_code ec = write(method, target, body, content_type, timeout);
    if (!ec) {
      http::response_parser<http::string_body> p;
      p.body_limit(std::numeric_limits<std::uint64_t>::max());
      ec = run([&](auto h) { with_stream([&](auto& s) { http::async_read(s, buf, p, h); }); },
               timeout);
      if (!ec) {
        out.status = static_cast<int>(p.get().result_int());
        out.body = std::move(p.get().body());
        is_reused = true;
        if (!p.get().keep_alive()) close();
        return true;
      }
    }
    close();
    if (retryable) *retryable = was_reused && looks_closed(ec);
    if (err) *err = method + " " + target + " on " + ep.url() + ": " + ec.message();
    return false;
  }

  // Reads some of the streamed body into `pending`.
  beast::error_code read_some(std::chrono::milliseconds deadline, const std::atomic<bool>* stop) {
    char tmp[64 * 1024];
    auto& b = sparser->get().body();
    b.data = tmp;
    b.size = sizeof tmp;
    beast::error_code ec = run(
        [&](auto h) {
          with_stream([&](auto& s) { http::async_read_some(s, buf, *sparser, h); });
        },
        deadline, stop);
    if (ec == http::error::need_buffer) ec = {};
    if (ec) return ec;
    pending.append(tmp, sizeof tmp - b.size);
    if (sparser->is_done()) stream_done = true;
    return {};
  }

  bool open_stream(const std::string& target, std::chrono::milliseconds timeout,
                   HttpResponse& out, std::string* err) {
    if (!connect(std::min<std::chrono::milliseconds>(timeout, 10s), err)) return false;
    beast::error_code ec = write("GET", target, {}, {}, timeout);
    if (!ec) {
      sparser.emplace();
      sparser->body_limit(std::numeric_limits<std::uint64_t>::max());
      ec = run(
          [&](auto h) {
            with_stream([&](auto& s) { http::async_read_header(s, buf, *sparser, h); });
          },
          timeout);
    }
    if (ec) {
      close();
      if (err) *err = "GET " + target + " on " + ep.url() + ": " + ec.message();
      return false;
    }
    pending.clear();
    pending_pos = 0;
    stream_done = sparser->is_done();
    out.status = static_cast<int>(sparser->get().result_int());
    out.body.clear();
    if (out.status != 200) {
      while (!stream_done) {
        if (read_some(timeout, nullptr)) break;
      }
      out.body = std::move(pending);
      close();
    }
    return true;
  }

  LineStatus read_line(std::string& line, std::chrono::milliseconds idle,
                       const std::atomic<bool>* stop, std::string* err) {
    for (;;) {
      auto nl = pending.find('\n', pending_pos);
      if (nl != std::string::npos) {
        line.assign(pending, pending_pos, nl - pending_pos);
        pending_pos = nl + 1;
        if (pending_pos > 256 * 1024 || pending_pos == pending.size()) {
          pending.erase(0, pending_pos);
          pending_pos = 0;
        }
        return LineStatus::kLine;
      }
      if (stop && stop->load()) {
        close();
        return LineStatus::kStopped;
      }
      if (stream_done || !sparser) {
        // A last line without a newline still counts.
        if (pending_pos < pending.size()) {
          line.assign(pending, pending_pos, std::string::npos);
          pending.clear();
          pending_pos = 0;
          return LineStatus::kLine;
        }
        close();
        return LineStatus::kEnd;
      }
      beast::error_code ec = read_some(idle, stop);
      if (ec) {
        close();
        if (ec == asio::error::operation_aborted && stop && stop->load()) return LineStatus::kStopped;
        if (ec == beast::error::timeout) {
          if (err) *err = "watch stream idle for " + std::to_string(idle.count()) + " ms";
          return LineStatus::kIdleTimeout;
        }
        if (err) *err = "watch stream from " + ep.url() + ": " + ec.message();
        return LineStatus::kError;
      }
    }
  }
};

HttpConn::HttpConn(Endpoint ep, std::shared_ptr<ssl::context> tls_ctx, bool verify_peer,
                   RequestHeaders headers)
    : impl_(std::make_unique<Impl>(std::move(ep), std::move(tls_ctx), verify_peer,
                                   std::move(headers))) {}
HttpConn::~HttpConn() { impl_->close(); }

bool HttpConn::connected() const { return impl_->is_connected; }
bool HttpConn::reused() const { return impl_->is_reused; }
bool HttpConn::connect(std::chrono::milliseconds timeout, std::string* err) {
  return impl_->connect(timeout, err);
}
bool HttpConn::request(const std::string& method, const std::string& target,
                       const std::string& body, const std::string& content_type,
                       std::chrono::milliseconds timeout, HttpResponse& out, std::string* err,
                       bool* retryable) {
  return impl_->request(method, target, body, content_type, timeout, out, err, retryable);
}
bool HttpConn::open_stream(const std::string& target, std::chrono::milliseconds timeout,
                           HttpResponse& out, std::string* err) {
  return impl_->open_stream(target, timeout, out, err);
}
HttpConn::LineStatus HttpConn::read_line(std::string& line, std::chrono::milliseconds idle,
                                         const std::atomic<bool>* stop, std::string* err) {
  return impl_->read_line(line, idle, stop, err);
}
void HttpConn::close() { impl_->close(); }

}  // namespace skiff::client::detail
