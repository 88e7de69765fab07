#include "dns/http_status.h"

#include <boost/asio.hpp>
#include <stdexcept>
#include <thread>

namespace skiff::dns {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

const char* reason(int code) {
  switch (code) {
    case 200: return "OK";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    default: return "Service Unavailable";
  }
}

struct Conn : std::enable_shared_from_this<Conn> {
  Conn(tcp::socket s, const HttpEndpoint& ep) : sock(std::move(s)), timer(sock.get_executor()), endpoint(ep) {}

  void run() {
    auto self = shared_from_this();
    timer.expires_after(std::chrono::seconds(5));
    timer.async_wait([self](auto ec) {
      boost::system::error_code e;
      if (!ec) self->sock.close(e);
    });
    asio::async_read_until(sock, asio::dynamic_buffer(in, 8192), "\r\n\r\n", [self](auto ec, size_t) {
      if (ec) return;
      self->answer();
    });
  }

  void answer() {
    // "GET /ready HTTP/1.1": the method and the path without its query.
    auto sp1 = in.find(' '), sp2 = in.find(' ', sp1 + 1);
    HttpReply r;
    if (sp1 == std::string::npos || sp2 == std::string::npos) {
      r = {400, "text/plain; charset=utf-8", "bad request\n"};
    } else if (in.compare(0, sp1, "GET") != 0 && in.compare(0, sp1, "HEAD") != 0) {
      r = {405, "text/plain; charset=utf-8", "method not allowed\n"};
    } else {
      std::string path = in.substr(sp1 + 1, sp2 - sp1 - 1);
      path = path.substr(0, path.find('?'));
      r = endpoint.handler(path);
    }
    const bool head = in.compare(0, 4, "HEAD") == 0;
    out = "HTTP/1.1 " + std::to_string(r.code) + " " + (r.code == 400 ? "Bad Request" : reason(r.code)) +
          "\r\nContent-Type: " + r.content_type + "\r\nContent-Length: " + std::to_string(r.body.size()) +
          "\r\nConnection: close\r\n\r\n" + (head ? "" : r.body);
    auto self = shared_from_this();
    asio::async_write(sock, asio::buffer(out), [self](auto, size_t) {
      boost::system::error_code e;
      self->timer.cancel();
      self->sock.shutdown(tcp::socket::shutdown_both, e);
      self->sock.close(e);
    });
  }

  tcp::socket sock;
  asio::steady_timer timer;
  const HttpEndpoint& endpoint;
  std::string in, out;
};

}  // namespace

struct HttpStatusServer::Impl {
  explicit Impl(std::vector<HttpEndpoint> eps) : endpoints(std::move(eps)) {}
  std::vector<HttpEndpoint> endpoints;
  asio::io_context io;  // before the acceptors: destroyed after them
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  std::thread thread;

  void accept(size_t i) {
    acceptors[i]->async_accept([this, i](auto ec, tcp::socket s) {
      if (ec == asio::error::operation_aborted || !acceptors[i]->is_open()) return;
      if (!ec) std::make_shared<Conn>(std::move(s), endpoints[i])->run();
      accept(i);
    });
  }
};

HttpStatusServer::HttpStatusServer(std::vector<HttpEndpoint> endpoints)
    : impl_(std::make_unique<Impl>(std::move(endpoints))) {}

HttpStatusServer::~HttpStatusServer() { stop(); }

void HttpStatusServer::start() {
  auto& s = *impl_;
  for (const auto& ep : s.endpoints) {
    auto colon = ep.listen.rfind(':');
    std::string host = colon == std::string::npos ? "" : ep.listen.substr(0, colon);
    std::string port = colon == std::string::npos ? "" : ep.listen.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (host.empty()) host = "0.0.0.0";
    boost::system::error_code ec;
    auto addr = asio::ip::make_address(host, ec);
    char* end = nullptr;
    long p = std::strtol(port.c_str(), &end, 10);
    if (ec || port.empty() || *end || p < 0 || p > 65535)
      throw std::runtime_error("dns: invalid status address " + ep.listen + " (want [ADDR]:PORT)");
    auto a = std::make_unique<tcp::acceptor>(s.io);
    tcp::endpoint tep(addr, static_cast<uint16_t>(p));
    a->open(tep.protocol());
    a->set_option(tcp::acceptor::reuse_address(true));
    a->bind(tep, ec);
    if (ec) throw std::runtime_error("dns: bind " + ep.listen + ": " + ec.message());
    a->listen(asio::socket_base::max_listen_connections);
    s.acceptors.push_back(std::move(a));
  }
  for (size_t i = 0; i < s.acceptors.size(); ++i) s.accept(i);
  s.thread = std::thread([&s] { s.io.run(); });
}

void HttpStatusServer::stop() {
  auto& s = *impl_;
  s.io.stop();
  if (s.thread.joinable()) s.thread.join();
  boost::system::error_code ec;
  for (auto& a : s.acceptors) a->close(ec);
}

uint16_t HttpStatusServer::port(size_t i) const {
  return i < impl_->acceptors.size() ? impl_->acceptors[i]->local_endpoint().port() : 0;
}

}  // namespace skiff::dns
