#include "https_client.h"

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "common/base64.h"

namespace skiff::bench {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Endpoint parse_url(const std::string& url) {
  Endpoint ep;
  std::string rest;
  if (url.rfind("https://", 0) == 0) {
    ep.tls = true;
    rest = url.substr(8);
  } else if (url.rfind("http://", 0) == 0) {
    ep.tls = false;
    rest = url.substr(7);
  } else {
    throw std::runtime_error("bad URL (want http[s]://host:port): " + url);
  }
  if (auto slash = rest.find('/'); slash != std::string::npos) rest.resize(slash);
  if (rest.empty()) throw std::runtime_error("bad URL (no host): " + url);
  if (rest[0] == '[') {  // [v6]:port
    auto close = rest.find(']');
    if (close == std::string::npos) throw std::runtime_error("bad URL: " + url);
    ep.host = rest.substr(1, close - 1);
    if (close + 1 < rest.size() && rest[close + 1] == ':') ep.port = rest.substr(close + 2);
  } else if (auto colon = rest.rfind(':'); colon != std::string::npos) {
    ep.host = rest.substr(0, colon);
    ep.port = rest.substr(colon + 1);
  } else {
    ep.host = rest;
  }
  if (ep.port.empty()) ep.port = ep.tls ? "443" : "80";
  return ep;
}

namespace {
std::string trim(std::string s) {
  size_t b = s.find_first_not_of(" \t\r");
  size_t e = s.find_last_not_of(" \t\r");
  if (b == std::string::npos) return {};
  s = s.substr(b, e - b + 1);
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front())
    s = s.substr(1, s.size() - 2);
  return s;
}

using Item = std::map<std::string, std::string>;

// The list items of each top-level section (clusters, contexts, users) as flat maps of their
// leaf `key: value` pairs, plus the top-level scalars. Enough for kubeconfigs; not general YAML.
struct Kubeconfig {
  std::map<std::string, std::vector<Item>> sections;
  Item top;
};

Kubeconfig parse_kubeconfig(const std::string& text) {
  Kubeconfig kc;
  std::istringstream in(text);
  std::string line, section;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto first = line.find_first_not_of(' ');
    if (first == std::string::npos || line[first] == '#') continue;
    std::string body = line.substr(first);
    if (first == 0 && body[0] != '-') {  // a top-level key
      auto colon = body.find(':');
      if (colon == std::string::npos) continue;
      std::string key = body.substr(0, colon), value = trim(body.substr(colon + 1));
      if (value.empty()) {
        section = key;
      } else {
        section.clear();
        kc.top[key] = value;
      }
      continue;
    }
    if (section.empty()) continue;
    auto& items = kc.sections[section];
    if (body.rfind("- ", 0) == 0) {
      items.emplace_back();
      body = trim(body.substr(2));
    }
    if (items.empty()) continue;
    auto colon = body.find(':');
    if (colon == std::string::npos) continue;
    std::string key = trim(body.substr(0, colon)), value = trim(body.substr(colon + 1));
    if (!value.empty()) items.back()[key] = value;
  }
  return kc;
}

const Item* find_item(const Kubeconfig& kc, const std::string& section, const std::string& name) {
  auto it = kc.sections.find(section);
  if (it == kc.sections.end()) return nullptr;
  for (auto& item : it->second) {
    auto n = item.find("name");
    if (n != item.end() && n->second == name) return &item;
  }
  // A single entry without a matching name: take it (hand-written kubeconfigs).
  if (name.empty() && it->second.size() == 1) return &it->second[0];
  return nullptr;
}

// `key-data` (base64 PEM) or `key` (a file path, relative to the kubeconfig's directory).
std::string credential(const Item& item, const std::string& key, const std::string& dir) {
  if (auto d = item.find(key + "-data"); d != item.end()) {
    auto pem = base64_decode(d->second);
    if (!pem) throw std::runtime_error("kubeconfig: invalid base64 in " + key + "-data");
    return *pem;
  }
  if (auto f = item.find(key); f != item.end()) {
    std::filesystem::path p(f->second);
    if (p.is_relative()) p = std::filesystem::path(dir) / p;
    return read_file(p.string());
  }
  return {};
}
}  // namespace

Endpoint load_kubeconfig(const std::string& path) {
  Kubeconfig kc = parse_kubeconfig(read_file(path));
  std::string dir = std::filesystem::path(path).parent_path().string();
  std::string ctx_name = kc.top.count("current-context") ? kc.top["current-context"] : "";
  const Item* ctx = find_item(kc, "contexts", ctx_name);
  std::string cluster_name, user_name;
  if (ctx) {
    if (auto c = ctx->find("cluster"); c != ctx->end()) cluster_name = c->second;
    if (auto u = ctx->find("user"); u != ctx->end()) user_name = u->second;
  }
  const Item* cluster = find_item(kc, "clusters", cluster_name);
  if (!cluster) throw std::runtime_error("kubeconfig " + path + ": no cluster for the current context");
  auto server = cluster->find("server");
  if (server == cluster->end()) throw std::runtime_error("kubeconfig " + path + ": cluster has no server");
  Endpoint ep = parse_url(server->second);
  ep.ca_pem = credential(*cluster, "certificate-authority", dir);
  if (const Item* user = find_item(kc, "users", user_name)) {
    ep.cert_pem = credential(*user, "client-certificate", dir);
    ep.key_pem = credential(*user, "client-key", dir);
  }
  return ep;
}

struct HttpClient::Impl {
  Endpoint ep;
  std::chrono::milliseconds timeout;
  asio::io_context ioc;
  ssl::context ctx{ssl::context::tls_client};
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
  std::optional<beast::tcp_stream> plain;
  beast::flat_buffer buf;
  bool connected = false;
  bool reused = false;  // a response has completed on this connection
  // A streamed response in progress.
  std::optional<http::response_parser<http::buffer_body>> sparser;
  std::string pending;
  size_t pending_pos = 0;
  bool stream_done = true;

  Impl(const Endpoint& e, std::chrono::milliseconds t) : ep(e), timeout(t) {
    if (!ep.tls) return;
    try {
      if (ep.ca_pem.empty()) {
        ctx.set_verify_mode(ssl::verify_none);
      } else {
        ctx.set_verify_mode(ssl::verify_peer);
        ctx.add_certificate_authority(asio::buffer(ep.ca_pem));
      }
      if (!ep.cert_pem.empty()) ctx.use_certificate_chain(asio::buffer(ep.cert_pem));
      if (!ep.key_pem.empty()) ctx.use_private_key(asio::buffer(ep.key_pem), ssl::context::pem);
    } catch (const std::exception& ex) {
      throw std::runtime_error(std::string("TLS credentials: ") + ex.what());
    }
  }

  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }

  template <class F>
  void with_stream(F&& f) {
    if (tls)
      f(*tls);
    else
      f(*plain);
  }

  // Runs one asynchronous operation to completion with a deadline; returns its error.
  template <class Start>
  beast::error_code run(Start&& start, std::chrono::milliseconds deadline) {
    beast::error_code result = asio::error::would_block;
    lowest().expires_after(deadline);
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    ioc.run();
    return result;
  }

  std::string where() const { return ep.url(); }

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
    connected = false;
    reused = false;
    stream_done = true;
  }

  void connect() {
    if (connected) return;
    close();
    beast::error_code ec;
    tcp::resolver resolver(ioc);
    auto results = resolver.resolve(ep.host, ep.port, ec);
    if (ec) throw std::runtime_error("cannot resolve " + ep.host + ": " + ec.message());
    if (ep.tls) {
      tls.emplace(ioc, ctx);
      boost::system::error_code aec;
      asio::ip::make_address(ep.host, aec);
      if (aec) SSL_set_tlsext_host_name(tls->native_handle(), ep.host.c_str());  // SNI for names
      if (!ep.ca_pem.empty()) tls->set_verify_callback(ssl::host_name_verification(ep.host));
    } else {
      plain.emplace(ioc);
    }
    ec = run([&](auto h) { lowest().async_connect(results, h); }, timeout);
    if (ec) {
      close();
      throw std::runtime_error("cannot connect to " + where() + ": " + ec.message() +
                               " (is the server running?)");
    }
    lowest().socket().set_option(tcp::no_delay(true), ec);
    if (tls) {
      ec = run([&](auto h) { tls->async_handshake(ssl::stream_base::client, h); }, timeout);
      if (ec) {
        close();
        throw std::runtime_error("TLS handshake with " + where() + " failed: " + ec.message());
      }
    }
    connected = true;
  }

  beast::error_code write(const std::string& method, const std::string& target,
                          const std::string& body, std::string_view content_type) {
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, ep.host + ":" + ep.port);
    req.set(http::field::user_agent, "skiff-bench");
    req.set(http::field::accept, "application/json");
    if (!body.empty()) {
      req.set(http::field::content_type, content_type);
      req.body() = body;
    }
    req.prepare_payload();
    return run([&](auto h) { with_stream([&](auto& s) { http::async_write(s, req, h); }); },
               timeout);
  }

  Response request(const std::string& method, const std::string& target, const std::string& body,
                   std::string_view content_type) {
    for (int attempt = 0;; ++attempt) {
      bool was_reused = connected && reused;
      connect();
      beast::error_code ec = write(method, target, body, content_type);
      if (!ec) {
        http::response_parser<http::string_body> p;
        p.body_limit(std::numeric_limits<std::uint64_t>::max());
        ec = run([&](auto h) { with_stream([&](auto& s) { http::async_read(s, buf, p, h); }); },
                 timeout);
        if (!ec) {
          Response r{static_cast<int>(p.get().result_int()), std::move(p.get().body())};
          reused = true;
          if (!p.get().keep_alive()) close();
          return r;
        }
      }
      close();
      // A keep-alive connection the server closed while idle: retry once on a new one.
      if (was_reused && attempt == 0 && ec != beast::error::timeout) continue;
      throw std::runtime_error(method + " " + target + " on " + where() + ": " + ec.message());
    }
  }

  // Reads some of the streamed body into `pending`; false at the end or on error.
  bool read_some(std::chrono::milliseconds deadline, beast::error_code& ec) {
    char tmp[64 * 1024];
    auto& b = sparser->get().body();
    b.data = tmp;
    b.size = sizeof tmp;
    ec = run([&](auto h) {
      with_stream([&](auto& s) { http::async_read_some(s, buf, *sparser, h); });
    }, deadline);
    if (ec == http::error::need_buffer) ec = {};
    if (ec) return false;
    pending.append(tmp, sizeof tmp - b.size);
    if (sparser->is_done()) stream_done = true;
    return true;
  }

  int open_stream(const std::string& target, std::string* error_body) {
    connect();
    beast::error_code ec = write("GET", target, {}, {});
    if (ec) {
      close();
      throw std::runtime_error("GET " + target + " on " + where() + ": " + ec.message());
    }
    sparser.emplace();
    sparser->body_limit(std::numeric_limits<std::uint64_t>::max());
    ec = run([&](auto h) {
      with_stream([&](auto& s) { http::async_read_header(s, buf, *sparser, h); });
    }, timeout);
    if (ec) {
      close();
      throw std::runtime_error("GET " + target + " on " + where() + ": " + ec.message());
    }
    pending.clear();
    pending_pos = 0;
    stream_done = sparser->is_done();
    int status = static_cast<int>(sparser->get().result_int());
    if (status != 200) {
      while (!stream_done && read_some(timeout, ec)) {
      }
      if (error_body) *error_body = pending;
      close();
    }
    return status;
  }

  bool read_line(std::string& line, std::chrono::milliseconds idle, bool* timed_out) {
    if (timed_out) *timed_out = false;
    for (;;) {
      auto nl = pending.find('\n', pending_pos);
      if (nl != std::string::npos) {
        line.assign(pending, pending_pos, nl - pending_pos);
        pending_pos = nl + 1;
        if (pending_pos > 256 * 1024) {
          pending.erase(0, pending_pos);
          pending_pos = 0;
        }
        return true;
      }
      if (stream_done || !sparser) return false;
      beast::error_code ec;
      if (!read_some(idle, ec)) {
        if (timed_out && ec == beast::error::timeout) *timed_out = true;
        close();
        return false;
      }
    }
  }
};

HttpClient::HttpClient(const Endpoint& ep, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>(ep, timeout)) {}
HttpClient::~HttpClient() = default;

void HttpClient::connect() { impl_->connect(); }

Response HttpClient::request(std::string_view method, const std::string& target,
                             const std::string& body, std::string_view content_type) {
  return impl_->request(std::string(method), target, body, content_type);
}

int HttpClient::open_stream(const std::string& target, std::string* error_body) {
  return impl_->open_stream(target, error_body);
}

bool HttpClient::read_line(std::string& line, std::chrono::milliseconds idle, bool* timed_out) {
  return impl_->read_line(line, idle, timed_out);
}

void HttpClient::close() { impl_->close(); }

}  // namespace skiff::bench
