// serve_port_forward of streaming/portforward.h.
#include "streaming/portforward.h"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <thread>

#include "common/json.h"
#include "common/log.h"
#include "streaming/spdy_conn.h"
#include "streaming/websocket.h"

namespace skiff::streaming {
namespace {

constexpr const char* kProtocol = "portforward.k8s.io";
constexpr const char* kTunnelProtocol = "SPDY/3.1+portforward.k8s.io";

// One forwarded connection: a (data, error) stream pair and the socket to the pod's port.
// Created and changed on the loop thread; `reader` copies the socket to the data stream.
struct Forward {
  uint16_t port = 0;
  uint32_t data_id = 0, error_id = 0;
  bool started = false;
  int fd = -1;
  std::thread reader;
};

bool write_fd(int fd, std::string_view d) {
  while (!d.empty()) {
    ssize_t n = ::send(fd, d.data(), d.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    d.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void respond_error(net::ResponseWriter& w, int code, const std::string& message) {
  json::object st{{"kind", "Status"}, {"apiVersion", "v1"}, {"metadata", json::object{}},
                  {"status", "Failure"}, {"message", message},
                  {"reason", code == 403 ? "Forbidden" : "BadRequest"}, {"code", code}};
  w.respond(code, "application/json", json::serialize(st));
}

}  // namespace

int dial_tcp(const std::string& host, uint16_t port, std::string* error) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
  if (rc != 0) {
    if (error) *error = gai_strerror(rc);
    return -1;
  }
  int fd = -1;
  std::string why = "no address";
  for (addrinfo* a = res; a; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
    why = std::strerror(errno);
    ::close(fd);
    fd = -1;
  }
  ::freeaddrinfo(res);
  if (fd < 0 && error)
    *error = "dial tcp " + host + ":" + std::to_string(port) + ": connect: " + why;
  return fd;
}

void serve_port_forward(net::Request& req, net::ResponseWriter& w, const PortDialer& dial) {
  bool tunnel = is_websocket_request(req);
  std::string response;
  if (tunnel) {
    if (negotiate_subprotocol(req, {kTunnelProtocol}).empty())
      return respond_error(w, 400, std::string("unable to negotiate a WebSocket subprotocol: ") +
                                       "the server supports " + kTunnelProtocol);
    response = websocket_upgrade_response(req, kTunnelProtocol);
  } else {
    bool ok = false;
    for (const auto& p : offered_stream_protocols(req)) ok = ok || p == kProtocol;
    std::string upgrade = req.header("upgrade");
    if (upgrade != "SPDY/3.1" && upgrade != "spdy/3.1")
      return respond_error(w, 400, "Upgrade request required");
    if (!ok)
      return respond_error(w, 403, "unable to upgrade: unable to negotiate protocol: client "
                                   "supports [" + req.header("x-stream-protocol-version") +
                                   "], server supports [portforward.k8s.io]");
    response = spdy_upgrade_response(kProtocol);
  }
  net::RawStream* s = w.hijack();
  if (!s || !s->write_all(response)) return;

  IoLoop loop(*s);
  SpdyConn conn(loop, tunnel);
  std::map<std::string, std::unique_ptr<Forward>> by_request;
  std::map<uint32_t, Forward*> by_data;

  auto start = [&](Forward& fw) {
    fw.started = true;
    std::string err;
    fw.fd = dial(fw.port, &err);
    if (fw.fd < 0) {
      conn.data(fw.error_id, "error forwarding port " + std::to_string(fw.port) + ": " + err, true);
      conn.fin(fw.data_id);
      return;
    }
    by_data[fw.data_id] = &fw;
    fw.reader = std::thread([&conn, &fw] {
      char buf[32768];
      for (;;) {
        ssize_t n = ::recv(fw.fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        if (!conn.data(fw.data_id, std::string_view(buf, static_cast<size_t>(n)))) break;
      }
      conn.fin(fw.data_id);
    });
  };

  conn.run([&](SpdyFrame& f) {
    if (f.type == SpdyType::kSynStream) {
      std::string type = f.header("streamtype"), rid = f.header("requestid");
      long port = std::atol(f.header("port").c_str());
      if ((type != "data" && type != "error") || port <= 0 || port > 65535) {
        conn.rst(f.stream_id, 1 /* PROTOCOL_ERROR */);
        return true;
      }
      conn.reply(f.stream_id);
      auto& fw = by_request[rid];
      if (!fw) fw = std::make_unique<Forward>();
      fw->port = static_cast<uint16_t>(port);
      (type == "data" ? fw->data_id : fw->error_id) = f.stream_id;
      if (fw->data_id && fw->error_id && !fw->started) start(*fw);
    } else if (f.type == SpdyType::kData) {
      auto it = by_data.find(f.stream_id);
      if (it == by_data.end()) return true;  // e.g. the client half-closing its error stream
      if (!f.data.empty() && !write_fd(it->second->fd, f.data))
        ::shutdown(it->second->fd, SHUT_RDWR);
      if (f.fin()) ::shutdown(it->second->fd, SHUT_WR);
    } else if (f.type == SpdyType::kRstStream) {
      if (auto it = by_data.find(f.stream_id); it != by_data.end())
        ::shutdown(it->second->fd, SHUT_RDWR);
    } else if (f.type == SpdyType::kGoaway) {
      return false;
    }
    return true;
  });
  for (auto& [rid, fw] : by_request) {
    if (fw->fd >= 0) ::shutdown(fw->fd, SHUT_RDWR);
    if (fw->reader.joinable()) fw->reader.join();
    if (fw->fd >= 0) ::close(fw->fd);
  }
}

}  // namespace skiff::streaming
