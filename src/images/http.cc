#include "images/http.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>

#include "images/error.h"

namespace skiff::images {
namespace {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

[[noreturn]] void fail(const std::string& msg) { throw ImageError(Status::Code::kRegistry, msg); }

struct Url {
  bool tls = false;
  std::string host, port, target;
};

Url parse_url(const std::string& url) {
  Url u;
  std::string rest;
  if (url.rfind("https://", 0) == 0) {
    u.tls = true;
    rest = url.substr(8);
  } else if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else {
    fail("unsupported URL " + url);
  }
  auto slash = rest.find('/');
  std::string hostport = rest.substr(0, slash);
  u.target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (!hostport.empty() && hostport[0] == '[') {
    auto close = hostport.find(']');
    if (close == std::string::npos) fail("bad URL " + url);
    u.host = hostport.substr(1, close - 1);
    if (close + 1 < hostport.size() && hostport[close + 1] == ':') u.port = hostport.substr(close + 2);
  } else {
    auto colon = hostport.find(':');
    u.host = hostport.substr(0, colon);
    if (colon != std::string::npos) u.port = hostport.substr(colon + 1);
  }
  if (u.host.empty()) fail("bad URL " + url);
  if (u.port.empty()) u.port = u.tls ? "443" : "80";
  return u;
}

std::string host_header(const Url& u) {
  std::string h = u.host.find(':') != std::string::npos ? "[" + u.host + "]" : u.host;
  if (u.port != (u.tls ? "443" : "80")) h += ":" + u.port;
  return h;
}

// One connection: runs each asynchronous step to completion on a private io_context, with the
// tcp_stream's expiry as the deadline.
class Conn {
 public:
  Conn(const Url& u, const HttpOptions& o) : u_(u), o_(o), tcp_(ioc_) {}

  void connect() {
    tcp::resolver res(ioc_);
    beast::error_code ec;
    auto eps = res.resolve(u_.host, u_.port, ec);
    if (ec) fail("resolve " + u_.host + ": " + ec.message());
    tcp_.expires_after(o_.timeout);
    step([&](auto h) { tcp_.async_connect(eps, [h](beast::error_code e, auto) { h(e); }); },
         "connect to " + u_.host + ":" + u_.port);
    if (!u_.tls) return;
    ctx_.emplace(ssl::context::tls_client);
    ctx_->set_default_verify_paths();
    if (!o_.ca_file.empty()) {
      beast::error_code e2;
      ctx_->load_verify_file(o_.ca_file, e2);
      if (e2) fail("load CA file " + o_.ca_file + ": " + e2.message());
    }
    ctx_->set_verify_mode(o_.insecure_skip_verify ? ssl::verify_none : ssl::verify_peer);
    tls_.emplace(std::move(tcp_), *ctx_);
    SSL* s = tls_->native_handle();
    beast::error_code ip_ec;
    asio::ip::make_address(u_.host, ip_ec);
    if (ip_ec) SSL_set_tlsext_host_name(s, u_.host.c_str());
    if (!o_.insecure_skip_verify) {
      if (!ip_ec) X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(s), u_.host.c_str());
      else SSL_set1_host(s, u_.host.c_str());
    }
    lowest().expires_after(o_.timeout);
    step([&](auto h) { tls_->async_handshake(ssl::stream_base::client, h); },
         "TLS handshake with " + u_.host);
  }

  template <class F>
  void with_stream(F f) {
    if (tls_) f(*tls_);
    else f(tcp_);
  }
  beast::tcp_stream& lowest() { return tls_ ? beast::get_lowest_layer(*tls_) : tcp_; }

  template <class Start>
  void step(Start start, const std::string& what) {
    beast::error_code ec;
    bool done = false;
    start([&](beast::error_code e, std::size_t = 0) {
      ec = e;
      done = true;
    });
    ioc_.restart();
    ioc_.run();
    if (!done) fail(what + ": did not complete");
    if (ec == beast::error::timeout) fail(what + ": timed out");
    // need_buffer: a buffer_body chunk is full, which is how the body loop makes progress.
    if (ec && ec != http::error::end_of_stream && ec != http::error::need_buffer)
      fail(what + ": " + ec.message());
  }

  asio::io_context ioc_;
  Url u_;
  HttpOptions o_;
  beast::tcp_stream tcp_;
  std::optional<ssl::context> ctx_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_;
  beast::flat_buffer buf_;
};

HttpResponse once(const HttpRequest& req, const HttpOptions& o, const BodySink& sink) {
  Url u = parse_url(req.url);
  Conn c(u, o);
  c.connect();
  http::request<http::string_body> r;
  r.method_string(req.method);
  r.target(u.target);
  r.version(11);
  r.set(http::field::host, host_header(u));
  r.set(http::field::user_agent, "skiff");
  r.set(http::field::connection, "close");
  for (auto& [k, v] : req.headers) r.insert(k, v);
  r.body() = req.body;
  if (!req.body.empty() || req.method == "PUT" || req.method == "POST" || req.method == "PATCH")
    r.prepare_payload();
  c.lowest().expires_after(o.timeout);
  c.with_stream([&](auto& s) {
    c.step([&](auto h) { http::async_write(s, r, h); }, "send request to " + u.host);
  });
  http::response_parser<http::buffer_body> p;
  p.body_limit(boost::none);
  if (req.method == "HEAD") p.skip(true);
  c.lowest().expires_after(o.timeout);
  c.with_stream([&](auto& s) {
    c.step([&](auto h) { http::async_read_header(s, c.buf_, p, h); }, "read response from " + u.host);
  });
  HttpResponse out;
  out.url = req.url;
  out.status = static_cast<int>(p.get().result_int());
  for (auto& f : p.get()) {
    std::string name(f.name_string());
    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    std::string v(f.value());
    auto& slot = out.headers[name];
    slot = slot.empty() ? v : slot + ", " + v;
  }
  bool stream = sink && out.status >= 200 && out.status < 300;
  std::vector<char> chunk(256 * 1024);
  int idle = 0;
  while (!p.is_done()) {
    p.get().body().data = chunk.data();
    p.get().body().size = chunk.size();
    c.lowest().expires_after(o.timeout);
    c.with_stream([&](auto& s) {
      c.step([&](auto h) { http::async_read(s, c.buf_, p, h); }, "read body from " + u.host);
    });
    size_t n = chunk.size() - p.get().body().size;
    if (n == 0 && ++idle > 3) fail("connection to " + u.host + " closed mid-response");
    if (n) idle = 0;
    if (stream) sink(chunk.data(), n);
    else out.body.append(chunk.data(), n);
  }
  return out;
}

}  // namespace

std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : s) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
      out += static_cast<char>(ch);
    } else {
      out += '%';
      out += hex[ch >> 4];
      out += hex[ch & 15];
    }
  }
  return out;
}

HttpResponse http_request(const HttpRequest& req, const HttpOptions& opts, const BodySink& sink) {
  HttpRequest cur = req;
  for (int i = 0;; ++i) {
    HttpResponse r = once(cur, opts, sink);
    bool redirect = r.status == 301 || r.status == 302 || r.status == 303 || r.status == 307 ||
                    r.status == 308;
    if (!redirect || (cur.method != "GET" && cur.method != "HEAD")) return r;
    if (i >= opts.max_redirects) fail("too many redirects from " + req.url);
    std::string loc = r.headers["location"];
    if (loc.empty()) fail("redirect without Location from " + cur.url);
    Url from = parse_url(cur.url);
    if (loc[0] == '/') {
      loc = std::string(from.tls ? "https://" : "http://") + host_header(from) + loc;
    }
    Url to = parse_url(loc);
    if (to.host != from.host || to.port != from.port)
      std::erase_if(cur.headers, [](auto& h) {
        std::string k = h.first;
        for (auto& ch : k) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        return k == "authorization";
      });
    cur.url = loc;
  }
}

}  // namespace skiff::images
