// HttpsServer (net/http.h): Boost.Beast HTTP/1.1 over asio::ssl::stream with blocking I/O and one
// thread per connection.
//
// Threads:
//  - the acceptor thread polls the listening socket (plus an eventfd that stop() signals), spawns
//    a connection thread per accepted socket, and once a second joins finished connection threads
//    and enforces I/O deadlines (shutdown(2) of a socket whose deadline passed);
//  - each connection thread does the TLS handshake and the keep-alive request loop, calling the
//    handler synchronously; it alone touches its ssl::stream and closes its socket.
// Blocking asio calls ignore SO_RCVTIMEO, so timeouts are deadlines a connection thread sets
// around each blocking step and the acceptor thread enforces by shutting the socket down; the
// blocked call then fails and the thread exits. stop() uses the same shutdown to end every
// connection, then joins every thread.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <list>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "common/api_error.h"
#include "common/json.h"
#include "common/log.h"
#include "net/http.h"
#include "net/url.h"

namespace skiff::net {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using TlsStream = ssl::stream<tcp::socket>;
using boost::system::error_code;

constexpr size_t kHeaderLimit = 1 << 20;  // Go's http.DefaultMaxHeaderBytes
constexpr auto kCloseTimeout = std::chrono::seconds(3);
constexpr auto kReapInterval = std::chrono::milliseconds(1000);

int64_t steady_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// One accepted connection as seen from outside its thread (acceptor/reaper and stop()).
struct Conn {
  int fd = -1;         // the socket; set before the thread starts, open until `closed`
  std::string remote;  // "ip:port"
  // Deadline of the current blocking step (steady clock ns; 0 = none). Written by the
  // connection thread, read by the reaper.
  std::atomic<int64_t> deadline_ns{0};
  std::atomic<bool> finished{false};  // the thread function has returned; join is prompt
  std::thread thread;                 // touched only by the acceptor thread and stop()

  std::mutex mu;        // guards `closed`, so shutdown(fd) never hits a closed (reused) fd
  bool closed = false;  // the connection thread has closed the socket

  template <typename Dur>
  void set_deadline(Dur d) {
    deadline_ns = steady_now_ns() + std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
  }
  void clear_deadline() { deadline_ns = 0; }
  // Wakes any I/O blocked on the socket; it fails and the connection thread winds down.
  void interrupt() {
    std::lock_guard<std::mutex> lk(mu);
    if (!closed) ::shutdown(fd, SHUT_RDWR);
  }
};

std::string endpoint_text(const tcp::endpoint& ep) {
  asio::ip::address addr = ep.address();
  if (addr.is_v6() && addr.to_v6().is_v4_mapped())  // a v4 client of a dual-stack "::" listener
    addr = asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6());
  std::string a = addr.to_string();
  if (addr.is_v6()) a = "[" + a + "]";
  return a + ":" + std::to_string(ep.port());
}

std::string openssl_errors() {
  std::string out;
  char buf[256];
  while (unsigned long e = ERR_get_error()) {
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

// CN and O's of the peer's verified certificate.
void peer_identity(SSL* ssl, std::string& user, std::vector<std::string>& groups) {
  X509* peer = SSL_get0_peer_certificate(ssl);
  if (!peer || SSL_get_verify_result(ssl) != X509_V_OK) return;
  X509_NAME* name = X509_get_subject_name(peer);
  auto field = [&](int idx) {
    unsigned char* utf8 = nullptr;
    int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx)));
    std::string s = n >= 0 ? std::string(reinterpret_cast<char*>(utf8), static_cast<size_t>(n))
                           : std::string();
    OPENSSL_free(utf8);
    return s;
  };
  int cn = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (cn >= 0) user = field(cn);
  for (int i = -1; (i = X509_NAME_get_index_by_NID(name, NID_organizationName, i)) >= 0;)
    groups.push_back(field(i));
}

int alpn_select(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                unsigned int inlen, void*) {
  static const unsigned char kProtos[] = "\x08http/1.1";
  unsigned char* sel = nullptr;
  if (SSL_select_next_proto(&sel, outlen, kProtos, sizeof kProtos - 1, in, inlen) !=
      OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_NOACK;  // e.g. only h2 offered: proceed without ALPN
  *out = sel;
  return SSL_TLSEXT_ERR_OK;
}

bool is_http_category(const error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_target).category();
}

std::string status_body(const ApiError& e) { return json::serialize(e.to_status()); }

}  // namespace

struct HttpsServer::Impl {
  Impl(TlsConfig t, ServerOptions o, Handler h)
      : tls(std::move(t)), opts(std::move(o)), handler(std::move(h)) {}

  const TlsConfig tls;
  const ServerOptions opts;
  const Handler handler;

  asio::io_context ioc;  // owns the sockets' service; never run (all I/O is blocking)
  std::unique_ptr<ssl::context> ssl_ctx;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::string listen_text;
  uint16_t bound_port = 0;
  int wake_fd = -1;                   // eventfd; stop() writes it to wake the acceptor's poll
  std::atomic<bool> stopping{false};  // set once by stop(); read everywhere
  std::thread accept_thread;

  std::mutex lifecycle_mu;  // serializes start() and stop()
  bool running = false;     // guarded by lifecycle_mu

  std::mutex conns_mu;                        // guards conns
  std::list<std::shared_ptr<Conn>> conns;     // live connection threads

  void setup_tls();
  void accept_loop();
  void spawn(tcp::socket sock);
  void reap();
  void serve(Conn& c, TlsStream& s);
};

namespace {

// A connection taken over by its handler (ResponseWriter::hijack): bytes the HTTP parser read
// past the request come first, then the TLS stream itself.
class HijackedStream final : public RawStream {
 public:
  HijackedStream(const std::atomic<bool>& stopping, std::chrono::seconds write_timeout, Conn& c,
                 TlsStream& s, beast::flat_buffer& buf)
      : stopping_(stopping), write_timeout_(write_timeout), c_(c), s_(s), buf_(buf) {}

  long read_some(char* out, size_t n) override {
    if (stopping_) return -1;
    if (buf_.size() > 0) {
      size_t k = asio::buffer_copy(asio::buffer(out, n), buf_.data());
      buf_.consume(k);
      return static_cast<long>(k);
    }
    error_code ec;
    size_t k = s_.read_some(asio::buffer(out, n), ec);
    if (ec == asio::error::eof || ec == ssl::error::stream_truncated) return 0;
    return ec ? -1 : static_cast<long>(k);
  }
  bool write_all(std::string_view data) override {
    if (stopping_) return false;
    error_code ec;
    c_.set_deadline(write_timeout_);
    asio::write(s_, asio::buffer(data.data(), data.size()), ec);
    c_.clear_deadline();
    return !ec;
  }
  int fd() const override { return c_.fd; }
  bool pending() override {
    // Decrypted bytes, a buffered record, or ciphertext asio's engine holds in its BIO pair.
    SSL* ssl = s_.native_handle();
    return buf_.size() > 0 || SSL_pending(ssl) > 0 || SSL_has_pending(ssl) ||
           BIO_ctrl_pending(SSL_get_rbio(ssl)) > 0;
  }

 private:
  const std::atomic<bool>& stopping_;
  const std::chrono::seconds write_timeout_;
  Conn& c_;
  TlsStream& s_;
  beast::flat_buffer& buf_;
};

// The ResponseWriter of one request, used on its connection's thread.
class ConnWriter final : public ResponseWriter {
 public:
  ConnWriter(const std::atomic<bool>& stopping, std::chrono::seconds write_timeout, Conn& c,
             TlsStream& s, beast::flat_buffer& buf, unsigned version, bool keep_alive, bool head)
      : stopping_(stopping),
        write_timeout_(write_timeout),
        c_(c),
        s_(s),
        buf_(buf),
        version_(version),
        want_keep_alive_(keep_alive),
        head_(head) {}

  RawStream* hijack() override {
    if (state_ != State::kNone) return nullptr;
    state_ = State::kHijacked;
    hijacked_ = std::make_unique<HijackedStream>(stopping_, write_timeout_, c_, s_, buf_);
    return hijacked_.get();
  }

  void respond(int status, std::string_view content_type, std::string body,
               const Headers& extra) override {
    if (state_ != State::kNone) {
      SKIFF_LOG(ERROR) << "http: second response to one request ignored";
      return;
    }
    state_ = State::kResponded;
    http::response<http::string_body> res;
    res.version(version_);
    res.result(static_cast<unsigned>(status));
    if (!content_type.empty()) res.set(http::field::content_type, content_type);
    for (const auto& [k, v] : extra) res.insert(k, v);
    keep_alive_ = want_keep_alive_ && res.keep_alive() && !stopping_;
    res.keep_alive(keep_alive_);
    bool no_body = status / 100 == 1 || status == 204 || status == 304;
    if (no_body) body.clear();
    else res.content_length(body.size());
    error_code ec;
    c_.set_deadline(write_timeout_);
    if (head_) {
      http::response_serializer<http::string_body> sr(res);
      http::write_header(s_, sr, ec);
    } else {
      res.body() = std::move(body);
      http::write(s_, res, ec);
    }
    c_.clear_deadline();
    if (ec) broken_ = true;
  }

  bool start_stream(int status, std::string_view content_type, const Headers& extra) override {
    if (state_ != State::kNone) {
      SKIFF_LOG(ERROR) << "http: start_stream after a response ignored";
      return false;
    }
    state_ = State::kStreaming;
    http::response<http::empty_body> res;
    res.version(version_);
    res.result(static_cast<unsigned>(status));
    if (!content_type.empty()) res.set(http::field::content_type, content_type);
    for (const auto& [k, v] : extra) res.insert(k, v);
    keep_alive_ = want_keep_alive_ && res.keep_alive() && !stopping_ && version_ >= 11;
    res.keep_alive(keep_alive_);
    res.chunked(true);
    http::response_serializer<http::empty_body> sr(res);
    error_code ec;
    c_.set_deadline(write_timeout_);
    http::write_header(s_, sr, ec);
    c_.clear_deadline();
    if (ec) broken_ = true;
    return !client_gone();
  }

  bool write_chunk(std::string_view data) override {
    if (state_ != State::kStreaming || client_gone()) return false;  // also when hijacked
    if (data.empty() || head_) return true;  // an empty chunk would end the stream
    error_code ec;
    c_.set_deadline(write_timeout_);
    asio::write(s_, http::make_chunk(asio::const_buffer(data.data(), data.size())), ec);
    c_.clear_deadline();
    if (ec) broken_ = true;
    return !broken_;
  }

  void end_stream() override {
    if (state_ != State::kStreaming) return;
    state_ = State::kEnded;
    if (broken_ || head_) return;  // a HEAD response has headers only
    error_code ec;
    c_.set_deadline(write_timeout_);
    asio::write(s_, http::make_chunk_last(), ec);
    c_.clear_deadline();
    if (ec) broken_ = true;
  }

  bool client_gone() override {
    if (broken_ || stopping_) return true;
    pollfd p{c_.fd, POLLIN | POLLRDHUP, 0};
    int r = ::poll(&p, 1, 0);
    // Readable during a response means EOF, an error, or (with TLS) a close_notify or garbage:
    // a well-behaved HTTP/1.1 client sends nothing while it waits for the response.
    if (r > 0 && (p.revents & (POLLIN | POLLRDHUP | POLLHUP | POLLERR | POLLNVAL))) broken_ = true;
    return broken_;
  }

  // After the handler: completes what it left open. Returns whether the connection may serve
  // another request.
  bool finish(const std::string& error) {
    if (state_ == State::kHijacked) return false;  // the handler owned it; close
    if (state_ == State::kNone) {
      if (!broken_) {
        ApiError e = ApiError::internal(error.empty() ? "the handler sent no response" : error);
        respond(e.code, "application/json", status_body(e), {});
      }
    } else if (state_ == State::kStreaming) {
      if (!error.empty()) broken_ = true;  // can't report it mid-stream; cut the stream
      end_stream();
    }
    return !broken_ && keep_alive_ && !stopping_;
  }

 private:
  enum class State { kNone, kResponded, kStreaming, kEnded, kHijacked };
  const std::atomic<bool>& stopping_;  // the server's
  const std::chrono::seconds write_timeout_;
  Conn& c_;
  TlsStream& s_;
  beast::flat_buffer& buf_;  // the connection's read buffer (bytes past the request)
  std::unique_ptr<HijackedStream> hijacked_;
  const unsigned version_;
  const bool want_keep_alive_;  // what the request asked for
  const bool head_;
  State state_ = State::kNone;
  bool keep_alive_ = false;  // what the response said
  bool broken_ = false;      // a write failed or the peer left: close the connection
};

// Sends an error Status with Connection: close (the caller closes).
void send_error(Conn& c, TlsStream& s, const ApiError& e, std::chrono::seconds timeout) {
  http::response<http::string_body> res;
  res.version(11);
  res.result(static_cast<unsigned>(e.code));
  res.set(http::field::content_type, "application/json");
  res.keep_alive(false);
  res.body() = status_body(e);
  res.prepare_payload();
  error_code ec;
  c.set_deadline(timeout);
  http::write(s, res, ec);
  c.clear_deadline();
}

// Closes after an error response while the client may still be sending (e.g. the rest of an
// oversized body): half-close, then drain raw bytes briefly, so the kernel doesn't answer the
// unread data with a RST that could destroy the response before the client reads it.
void lingering_close(Conn& c, TlsStream& s) {
  ::shutdown(c.fd, SHUT_WR);
  c.set_deadline(kCloseTimeout);
  char buf[16384];
  auto until = std::chrono::steady_clock::now() + kCloseTimeout;
  while (std::chrono::steady_clock::now() < until) {
    pollfd p{c.fd, POLLIN, 200};
    if (::poll(&p, 1, 200) < 0) break;
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = ::recv(c.fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n <= 0 && !(n < 0 && (errno == EAGAIN || errno == EINTR))) break;
    }
  }
  c.clear_deadline();
}

// An orderly TLS close (close_notify both ways), bounded in time.
void graceful_close(Conn& c, TlsStream& s) {
  error_code ec;
  c.set_deadline(kCloseTimeout);
  s.shutdown(ec);
  c.clear_deadline();
}

Request build_request(http::request<http::string_body>&& msg, const Conn& c) {
  Request r;
  r.method = std::string(msg.method_string());
  r.target = std::string(msg.target());
  std::string_view t = r.target;
  size_t q = t.find('?');
  r.path = percent_decode(t.substr(0, q), false);
  if (q != std::string_view::npos) r.query = parse_query(t.substr(q + 1));
  for (const auto& f : msg) {
    std::string name(f.name_string());
    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    auto [it, inserted] = r.headers.emplace(name, std::string(f.value()));
    if (!inserted) it->second += ", " + std::string(f.value());
  }
  r.body = std::move(msg.body());
  r.remote_addr = c.remote;
  return r;
}

}  // namespace

void HttpsServer::Impl::setup_tls() {
  ssl_ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  SSL_CTX* ctx = ssl_ctx->native_handle();
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                               SSL_OP_NO_COMPRESSION);
  error_code ec;
  ssl_ctx->use_certificate_chain(asio::buffer(tls.cert_pem), ec);
  if (ec) throw std::runtime_error("tls: serving certificate: " + ec.message());
  ssl_ctx->use_private_key(asio::buffer(tls.key_pem), ssl::context::pem, ec);
  if (ec) throw std::runtime_error("tls: serving key: " + ec.message());
  if (SSL_CTX_check_private_key(ctx) != 1)
    throw std::runtime_error("tls: key does not match certificate: " + openssl_errors());
  if (!tls.client_ca_pem.empty()) {
    ssl_ctx->add_certificate_authority(asio::buffer(tls.client_ca_pem), ec);
    if (ec) throw std::runtime_error("tls: client CA: " + ec.message());
    // Name the acceptable CAs in the CertificateRequest so clients pick the right certificate.
    BIO* bio = BIO_new_mem_buf(tls.client_ca_pem.data(), static_cast<int>(tls.client_ca_pem.size()));
    while (X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
      SSL_CTX_add_client_CA(ctx, x);
      X509_free(x);
    }
    BIO_free(bio);
    ERR_clear_error();  // the end-of-PEM "no start line"
    // Ask for a certificate but accept clients without one (they authenticate otherwise).
    ssl_ctx->set_verify_mode(ssl::verify_peer);
    static const unsigned char kSidCtx[] = "skiff-apiserver";
    SSL_CTX_set_session_id_context(ctx, kSidCtx, sizeof kSidCtx - 1);
  }
  SSL_CTX_set_alpn_select_cb(ctx, alpn_select, nullptr);
}

void HttpsServer::Impl::accept_loop() {
  int lfd = acceptor->native_handle();
  while (!stopping) {
    pollfd fds[2] = {{lfd, POLLIN, 0}, {wake_fd, POLLIN, 0}};
    int n = ::poll(fds, 2, static_cast<int>(kReapInterval.count()));
    reap();
    if (stopping) break;
    if (n <= 0 || !(fds[0].revents & POLLIN)) continue;
    for (int i = 0; i < 64 && !stopping; ++i) {  // drain the backlog
      tcp::socket sock(ioc);
      error_code ec;
      acceptor->accept(sock, ec);
      if (ec == asio::error::would_block || ec == asio::error::try_again) break;
      if (ec) {
        // e.g. EMFILE: don't spin on a listening socket that stays readable.
        SKIFF_LOG(WARN) << "http: accept on " << listen_text << ": " << ec.message();
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        break;
      }
      spawn(std::move(sock));
    }
  }
}

void HttpsServer::Impl::spawn(tcp::socket sock) {
  auto c = std::make_shared<Conn>();
  error_code ec;
  c->fd = sock.native_handle();
  tcp::endpoint ep = sock.remote_endpoint(ec);
  c->remote = ec ? "unknown" : endpoint_text(ep);
  sock.set_option(tcp::no_delay(true), ec);  // each chunk of a watch goes out at once
  sock.set_option(asio::socket_base::keep_alive(true), ec);
  int idle = 30, intvl = 15, cnt = 4;  // a vanished peer shows as an error within ~90 s
  ::setsockopt(c->fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  ::setsockopt(c->fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof intvl);
  ::setsockopt(c->fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof cnt);
  std::lock_guard<std::mutex> lk(conns_mu);
  try {
    c->thread = std::thread([this, c, sock = std::move(sock)]() mutable {
      try {
        TlsStream s(std::move(sock), *ssl_ctx);
        try {
          serve(*c, s);
        } catch (const std::exception& e) {
          SKIFF_LOG(ERROR) << "http: connection " << c->remote << ": " << e.what();
        } catch (...) {
          SKIFF_LOG(ERROR) << "http: connection " << c->remote << ": unknown exception";
        }
        std::lock_guard<std::mutex> lk(c->mu);
        error_code ec;
        s.lowest_layer().close(ec);
        c->closed = true;
      } catch (...) {
        // Only the socket close above can get here (allocation failure): nothing to report to.
      }
      c->finished = true;
    });
  } catch (const std::system_error& e) {
    SKIFF_LOG(ERROR) << "http: cannot start a connection thread: " << e.what();
    return;  // the socket was moved into the destroyed lambda and is closed
  }
  conns.push_back(std::move(c));
}

// Joins finished connection threads and interrupts connections past their deadline.
void HttpsServer::Impl::reap() {
  int64_t now = steady_now_ns();
  std::lock_guard<std::mutex> lk(conns_mu);
  for (auto it = conns.begin(); it != conns.end();) {
    Conn& c = **it;
    if (c.finished) {
      if (c.thread.joinable()) c.thread.join();
      it = conns.erase(it);
      continue;
    }
    // The exchange skips a connection whose step finished (deadline cleared or moved) since
    // the load; a step that completes between it and interrupt() still loses its connection,
    // which is what a client that took the whole timeout risks anyway.
    int64_t d = c.deadline_ns;
    if (d != 0 && now > d && c.deadline_ns.compare_exchange_strong(d, 0)) {
      SKIFF_LOG(DEBUG) << "http: " << c.remote << " timed out";
      c.interrupt();
    }
    ++it;
  }
}

void HttpsServer::Impl::serve(Conn& c, TlsStream& s) {
  error_code ec;
  c.set_deadline(opts.request_timeout);
  s.handshake(ssl::stream_base::server, ec);
  c.clear_deadline();
  if (ec) {
    SKIFF_LOG(DEBUG) << "http: TLS handshake with " << c.remote << ": " << ec.message();
    return;
  }
  std::string cert_user;
  std::vector<std::string> cert_groups;
  if (!tls.client_ca_pem.empty()) peer_identity(s.native_handle(), cert_user, cert_groups);

  beast::flat_buffer buf;
  while (!stopping) {
    if (buf.size() == 0) {  // idle between requests: wait for the first bytes of the next one
      c.set_deadline(opts.idle_timeout);
      size_t n = s.read_some(buf.prepare(16384), ec);
      c.clear_deadline();
      if (ec) return;  // peer closed, timed out or server stopping
      buf.commit(n);
    }
    c.set_deadline(opts.request_timeout);
    http::request_parser<http::string_body> p;
    p.header_limit(kHeaderLimit);
    p.body_limit(opts.max_body_bytes);
    http::read_header(s, buf, p, ec);
    if (!ec) {
      auto len = p.content_length();
      if (len && *len > opts.max_body_bytes) ec = http::error::body_limit;
    }
    if (!ec && !p.is_done()) {
      if (beast::iequals(p.get()[http::field::expect], "100-continue")) {
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        asio::write(s, asio::buffer(kContinue), ec);
      }
      if (!ec) http::read(s, buf, p, ec);
    }
    c.clear_deadline();
    if (ec) {
      if (ec == http::error::body_limit) {
        send_error(c, s,
                   ApiError::too_large("Request entity too large: limit is " +
                                       std::to_string(opts.max_body_bytes)),
                   opts.request_timeout);
        lingering_close(c, s);
      } else if (ec == http::error::header_limit) {
        ApiError e = ApiError::bad_request("request header too large");
        e.code = 431;
        send_error(c, s, e, opts.request_timeout);
        lingering_close(c, s);
      } else if (is_http_category(ec) && ec != http::error::end_of_stream &&
                 ec != http::error::partial_message) {
        send_error(c, s, ApiError::bad_request("malformed HTTP request: " + ec.message()),
                   opts.request_timeout);
        lingering_close(c, s);
      }
      return;  // I/O errors: the peer is gone or we are stopping
    }

    http::request<http::string_body> msg = p.release();
    bool keep_alive = msg.keep_alive();
    unsigned version = msg.version();
    bool head = msg.method() == http::verb::head;
    Request req = build_request(std::move(msg), c);
    req.cert_user = cert_user;
    req.cert_groups = cert_groups;

    ConnWriter w(stopping, opts.idle_timeout, c, s, buf, version, keep_alive, head);
    std::string error;
    try {
      handler(req, w);
    } catch (const std::exception& e) {
      SKIFF_LOG(ERROR) << "http: handler for " << req.method << " " << req.path
                       << " threw: " << e.what();
      error = e.what()[0] ? e.what() : "handler failed";
    } catch (...) {
      SKIFF_LOG(ERROR) << "http: handler for " << req.method << " " << req.path
                       << " threw a non-exception";
      error = "handler failed";
    }
    if (!w.finish(error)) {
      if (!stopping && !w.client_gone()) graceful_close(c, s);
      return;
    }
  }
}

HttpsServer::HttpsServer(TlsConfig tls, ServerOptions opts, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(tls), std::move(opts), std::move(handler))) {}

HttpsServer::~HttpsServer() { stop(); }

void HttpsServer::start() {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> lk(m.lifecycle_mu);
  if (m.running) return;
  if (m.stopping) throw std::runtime_error("http: server already stopped");
  m.setup_tls();

  std::string addr_text = m.opts.bind_address;
  if (addr_text.find(':') != std::string::npos) addr_text = "[" + addr_text + "]";
  m.listen_text = addr_text + ":" + std::to_string(m.opts.port);
  auto fail = [&](const std::string& why) {
    m.acceptor.reset();
    throw std::runtime_error("listen on " + m.listen_text + ": " + why);
  };
  error_code ec;
  asio::ip::address addr = asio::ip::make_address(m.opts.bind_address, ec);
  if (ec) fail("invalid address");
  tcp::endpoint ep(addr, m.opts.port);
  m.acceptor = std::make_unique<tcp::acceptor>(m.ioc);
  if (m.acceptor->open(ep.protocol(), ec); ec) fail(ec.message());
  if (m.acceptor->set_option(asio::socket_base::reuse_address(true), ec); ec) fail(ec.message());
  if (m.acceptor->bind(ep, ec); ec) fail(ec.message());
  if (m.acceptor->listen(asio::socket_base::max_listen_connections, ec); ec) fail(ec.message());
  if (m.acceptor->non_blocking(true, ec); ec) fail(ec.message());
  m.bound_port = m.acceptor->local_endpoint(ec).port();
  if (ec) fail(ec.message());
  m.listen_text = addr_text + ":" + std::to_string(m.bound_port);

  m.wake_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (m.wake_fd < 0) fail(std::string("eventfd: ") + std::strerror(errno));
  m.accept_thread = std::thread([&m] { m.accept_loop(); });
  m.running = true;
  SKIFF_LOG(INFO) << "https server listening on " << m.listen_text;
}

uint16_t HttpsServer::port() const { return impl_->bound_port; }

void HttpsServer::stop() {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> lk(m.lifecycle_mu);
  m.stopping = true;
  if (!m.running) return;
  m.running = false;
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(m.wake_fd, &one, sizeof one);
  if (m.accept_thread.joinable()) m.accept_thread.join();
  error_code ec;
  m.acceptor->close(ec);
  // No new connections now; end the live ones and wait for their threads.
  std::list<std::shared_ptr<Conn>> conns;
  {
    std::lock_guard<std::mutex> cl(m.conns_mu);
    conns.swap(m.conns);
  }
  for (auto& c : conns) c->interrupt();
  for (auto& c : conns)
    if (c->thread.joinable()) c->thread.join();
  ::close(m.wake_fd);
  m.wake_fd = -1;
}

}  // namespace skiff::net
