// A connection on the I/O threads, on its strand: TLS handshake, waiting for a request without
// a buffer or a thread, reading the header (line and size limits) and the body, the server's own
// error answers (400, 413, 429, 431, 503) and handing a complete request to a worker.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <boost/asio/write.hpp>
#include <sstream>
#include <stdexcept>

#include "common/json.h"
#include "common/log.h"
#include "net/https_internal.h"

namespace skiff::net::detail {
namespace {

constexpr size_t kHeaderLimit = 1 << 20;  // Go's http.DefaultMaxHeaderBytes
// One header line (request line or field). Beast cannot hold a field near 64 KiB; real clients
// send a few KiB at most (kubectl's whole header is under 1 KiB, large OIDC tokens ~10 KiB).
constexpr size_t kHeaderLineLimit = 32 << 10;
constexpr size_t kReadChunk = 16 << 10;  // one TLS record

std::string endpoint_text(const tcp::endpoint& ep) {
  asio::ip::address addr = ep.address();
  if (addr.is_v6() && addr.to_v6().is_v4_mapped())  // a v4 client of a dual-stack "::" listener
    addr = asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6());
  std::string a = addr.to_string();
  if (addr.is_v6()) a = "[" + a + "]";
  return a + ":" + std::to_string(ep.port());
}

bool is_http_category(const error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_target).category();
}

// metav1 has no reason for 431; BadRequest is the closest (clients go by the code).
ApiError header_too_large(const std::string& why) {
  ApiError e = ApiError::bad_request("Request Header Fields Too Large: " + why);
  e.code = 431;
  return e;
}

// Upstream's max-in-flight answer (apiserver/pkg/endpoints/handlers/responsewriters).
ApiError too_many_requests() {
  ApiError e;
  e.code = 429;
  e.reason = "TooManyRequests";
  e.message = "Too many requests, please try again later.";
  e.retry_after_seconds = 1;
  return e;
}

}  // namespace

std::string status_body(const ApiError& e) { return json::serialize(e.to_status()); }

Conn::Conn(Server& server, tcp::socket sock, SSL_CTX* ctx)
    : srv(server), s(std::move(sock), ctx), fd(s.socket().native_handle()) {
  error_code ec;
  tcp::endpoint ep = s.socket().remote_endpoint(ec);
  remote = ec ? "unknown" : endpoint_text(ep);
  s.socket().set_option(tcp::no_delay(true), ec);  // each chunk of a watch goes out at once
  s.socket().set_option(asio::socket_base::keep_alive(true), ec);
  int idle = 30, intvl = 15, cnt = 4;  // a vanished peer shows as an error within ~90 s
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof intvl);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof cnt);
}

Conn::~Conn() {
  std::lock_guard<std::mutex> lk(srv.conns_mu);
  srv.conns.erase(reg);
}

// ---- Conn: the async part, on the connection's strand ----

void Conn::start() {
  set_deadline(srv.opts.handshake_timeout);
  s.async_handshake([self = shared_from_this()](error_code ec, size_t) {
    self->clear_deadline();
    if (ec) {
      SKIFF_LOG(DEBUG) << "http: TLS handshake with " << self->remote << ": " << ec.message();
      return;  // dropping the last reference closes the socket
    }
    if (!self->srv.tls.client_ca_pem.empty())
      peer_identity(self->s.native_handle(), self->cert_user, self->cert_groups);
    self->wait_request(true);
  });
}

// Waits without a buffer or a thread until the next request's first bytes arrive. The first
// request of a connection is due within header_timeout of the handshake (as in Go); later ones
// may take idle_timeout to start.
void Conn::wait_request(bool first) {
  if (srv.stopping) return;
  parser.reset();
  buf.shrink_to_fit();  // frees the buffer unless a pipelined request is in it
  if (tls_pending(s, buf)) return begin_request(true);
  set_deadline(first ? srv.opts.header_timeout : srv.opts.idle_timeout);
  s.socket().async_wait(tcp::socket::wait_read,
                            [self = shared_from_this(), first](error_code ec) {
                              if (ec || self->srv.stopping) return;
                              self->begin_request(!first);
                            });
}

void Conn::begin_request(bool header_deadline) {
  request_start_ns = steady_now_ns();
  if (header_deadline) deadline_ns = request_start_ns + to_ns(srv.opts.header_timeout);
  parser.emplace();
  parser->header_limit(static_cast<std::uint32_t>(kHeaderLimit));
  parser->body_limit(srv.opts.max_body_bytes);
  scanned = 0;
  line_len = 0;
  seen_line = false;
  parse_header();
}

// Checks the new header bytes for an overlong line, then lets Beast parse the header once it is
// complete; reads more while it is not.
void Conn::parse_header() {
  const auto* p = static_cast<const char*>(buf.data().data());
  size_t n = buf.size();
  for (; scanned < n; ++scanned) {
    char ch = p[scanned];
    if (ch == '\n') {
      if (line_len == 0 && seen_line) break;  // the empty line ending the header
      seen_line = seen_line || line_len > 0;
      line_len = 0;
    } else if (ch != '\r' && ++line_len > kHeaderLineLimit) {
      return reply_error(header_too_large("a header line is longer than " +
                                          std::to_string(kHeaderLineLimit) + " bytes"),
                         After::kLinger);
    }
  }
  error_code ec;
  size_t used = 0;
  try {
    used = parser->put(buf.data(), ec);
  } catch (const std::length_error&) {  // Beast's limit on one field's size
    return reply_error(header_too_large("a header field is too long"), After::kLinger);
  }
  // Beast may take the request line before the fields are complete.
  buf.consume(used);
  scanned = used > scanned ? 0 : scanned - used;
  if (ec == http::error::need_more) {
    s.async_read_some(buf.prepare(kReadChunk),
                      [self = shared_from_this()](error_code ec, size_t got) {
                        self->buf.commit(got);
                        if (ec || self->srv.stopping) return;  // peer gone, timed out, stopping
                        self->parse_header();
                      });
    return;
  }
  if (ec == http::error::body_limit)  // a Content-Length over the limit
    return reply_error(ApiError::too_large("Request entity too large: limit is " +
                                           std::to_string(srv.opts.max_body_bytes)),
                       After::kLinger);
  if (ec == http::error::header_limit)
    return reply_error(header_too_large("the header is larger than " +
                                        std::to_string(kHeaderLimit) + " bytes"),
                       After::kLinger);
  if (ec)
    return reply_error(ApiError::bad_request("malformed HTTP request: " + ec.message()),
                       After::kLinger);
  on_header();
}

void Conn::on_header() {
  auto len = parser->content_length();
  if (len && *len > srv.opts.max_body_bytes)
    return reply_error(ApiError::too_large("Request entity too large: limit is " +
                                           std::to_string(srv.opts.max_body_bytes)),
                       After::kLinger);
  deadline_ns = request_start_ns + to_ns(srv.opts.request_timeout);
  if (parser->is_done()) return dispatch();
  if (beast::iequals(parser->get()[http::field::expect], "100-continue")) {
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    asio::async_write(s, asio::buffer(kContinue),
                      [self = shared_from_this()](error_code ec, size_t) {
                        if (ec || self->srv.stopping) return;
                        self->read_body();
                      });
    return;
  }
  read_body();
}

void Conn::read_body() {
  http::async_read(s, buf, *parser, [self = shared_from_this()](error_code ec, size_t) {
    if (self->srv.stopping) return;
    if (ec == http::error::body_limit)
      return self->reply_error(ApiError::too_large("Request entity too large: limit is " +
                                                   std::to_string(self->srv.opts.max_body_bytes)),
                               After::kLinger);
    if (ec && is_http_category(ec) && ec != http::error::end_of_stream &&
        ec != http::error::partial_message)
      return self->reply_error(ApiError::bad_request("malformed HTTP request: " + ec.message()),
                               After::kLinger);
    if (ec) return;  // I/O errors: the peer is gone or timed out
    self->dispatch();
  });
}

// Hands the complete request to a worker, or answers 429 when max_inflight handlers run.
void Conn::dispatch() {
  clear_deadline();
  if (srv.inflight.fetch_add(1) >= srv.max_inflight) {
    srv.inflight.fetch_sub(1);
    bool keep = parser->get().keep_alive();
    parser.reset();
    return reply_error(too_many_requests(), keep ? After::kKeepAlive : After::kClose);
  }
  if (!srv.pool.submit([self = shared_from_this()] { self->serve(); })) {
    srv.inflight.fetch_sub(1);
    if (srv.stopping) return;
    reply_error(ApiError::service_unavailable("the server cannot start a thread for the request"),
                After::kClose);
  }
}

// Sends an error Status. kKeepAlive then waits for the next request; kLinger half-closes and
// drains what the client still sends (see linger()); kClose just closes.
void Conn::reply_error(const ApiError& e, After after) {
  auto res = std::make_unique<http::response<http::string_body>>();
  res->version(11);
  res->result(static_cast<unsigned>(e.code));
  res->set(http::field::content_type, "application/json");
  if (e.retry_after_seconds > 0)
    res->set(http::field::retry_after, std::to_string(e.retry_after_seconds));
  res->keep_alive(after == After::kKeepAlive);
  res->body() = status_body(e);
  res->prepare_payload();
  std::ostringstream os;
  os << *res;
  auto wire = std::make_shared<std::string>(os.str());
  set_deadline(srv.opts.write_timeout);
  asio::async_write(s, asio::buffer(*wire), [self = shared_from_this(), wire, after](error_code ec,
                                                                                    size_t) {
    self->clear_deadline();
    if (ec || self->srv.stopping) return;
    if (after == After::kKeepAlive) return self->wait_request(false);
    if (after == After::kLinger) self->linger();
  });
}

// Closes after an error response while the client may still be sending (e.g. the rest of an
// oversized body): half-close, then drain raw bytes briefly, so the kernel doesn't answer the
// unread data with a RST that could destroy the response before the client reads it.
void Conn::linger() {
  ::shutdown(fd, SHUT_WR);
  parser.reset();
  buf.clear();
  set_deadline(kCloseTimeout);
  drain();
}

void Conn::drain() {
  s.socket().async_read_some(buf.prepare(4096),
                                 [self = shared_from_this()](error_code ec, size_t) {
                                   if (!ec) self->drain();
                                 });
}

}  // namespace skiff::net::detail
