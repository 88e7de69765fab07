// The HTTPS server's lifecycle (net/http.h's HttpsServer): the TLS context, the acceptor with
// its connection cap, the sweep timer that enforces every connection's deadline, starting the
// I/O threads and stopping it all. How the server's pieces fit: see https_internal.h.
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/resource.h>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <stdexcept>

#include "common/log.h"
#include "net/https_internal.h"

namespace skiff::net::detail {
namespace {

constexpr auto kSweepInterval = std::chrono::milliseconds(250);
constexpr auto kWarnInterval = std::chrono::seconds(10);
constexpr auto kAcceptRetry = std::chrono::milliseconds(100);
constexpr size_t kFdHeadroom = 256;  // descriptors kept for everything but server connections

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

}  // namespace

void Server::setup_tls() {
  ssl_ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  SSL_CTX* ctx = ssl_ctx->native_handle();
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                               SSL_OP_NO_COMPRESSION);
  // OpenSSL's record buffers (~34 KiB) are freed while a connection has nothing buffered.
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
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

void Server::accept_next() {
  acceptor->async_accept(asio::make_strand(ioc),
                         asio::bind_executor(ctl, [this](error_code ec, tcp::socket sock) {
                           on_accept(ec, std::move(sock));
                         }));
}

void Server::on_accept(error_code ec, tcp::socket sock) {
  if (stopping || ec == asio::error::operation_aborted) return;
  if (ec) {
    // e.g. EMFILE: don't spin on a listening socket that stays readable.
    auto now = std::chrono::steady_clock::now();
    if (now - last_warn >= kWarnInterval) {
      last_warn = now;
      SKIFF_LOG(WARN) << "http: accept on " << listen_text << ": " << ec.message()
                      << (ec == asio::error::no_descriptors
                              ? " (the process is out of file descriptors: raise `ulimit -n`)"
                              : "");
    }
    retry_timer.expires_after(kAcceptRetry);
    retry_timer.async_wait([this](error_code ec) {
      if (!ec && !stopping) accept_next();
    });
    return;
  }
  std::shared_ptr<Conn> c;
  size_t open = 0;
  {
    std::lock_guard<std::mutex> lk(conns_mu);
    if (stopping) return;  // stop() has interrupted the registered ones; this one just closes
    open = conns.size();
    if (open < max_conns) {
      auto it = conns.insert(conns.end(), nullptr);  // filled below, before conns_mu is released
      try {
        c = std::make_shared<Conn>(*this, std::move(sock), ssl_ctx->native_handle());
        *it = c.get();
        c->reg = it;
      } catch (const std::exception& e) {
        conns.erase(it);
        SKIFF_LOG(ERROR) << "http: connection on " << listen_text << ": " << e.what();
      }
    }
  }
  if (!c) {
    error_code ignored;
    sock.close(ignored);
    if (open >= max_conns) warn_refused(open);
  } else {
    asio::post(c->s.get_executor(), [c] { c->start(); });
  }
  accept_next();
}

void Server::warn_refused(size_t open) {
  ++refused_since_warn;
  auto now = std::chrono::steady_clock::now();
  if (now - last_warn < kWarnInterval) return;
  last_warn = now;
  rlimit rl{};
  ::getrlimit(RLIMIT_NOFILE, &rl);
  SKIFF_LOG(WARN) << "http: refused " << refused_since_warn << " connection(s) on " << listen_text
                  << ": " << open << " connections are open, the limit is " << max_conns
                  << " (ServerOptions::max_connections " << opts.max_connections
                  << ", bounded by the open-files limit " << rl.rlim_cur << " minus "
                  << kFdHeadroom << "); raise `ulimit -n` or max_connections for more";
  refused_since_warn = 0;
}

void Server::arm_sweep() {
  sweep_timer.expires_after(kSweepInterval);
  sweep_timer.async_wait([this](error_code ec) {
    if (ec || stopping) return;
    sweep();
    arm_sweep();
  });
}

// Interrupts connections past their deadline.
void Server::sweep() {
  int64_t now = steady_now_ns();
  std::lock_guard<std::mutex> lk(conns_mu);
  for (Conn* c : conns) {
    // The exchange skips a connection whose step finished (deadline cleared or moved) since
    // the load; a step that completes between it and interrupt() still loses its connection,
    // which is what a client that took the whole timeout risks anyway.
    int64_t d = c->deadline_ns;
    if (d != 0 && now > d && c->deadline_ns.compare_exchange_strong(d, 0)) {
      SKIFF_LOG(DEBUG) << "http: " << c->remote << " timed out";
      c->interrupt();
    }
  }
}

void Server::start() {
  setup_tls();
  std::string addr_text = opts.bind_address;
  if (addr_text.find(':') != std::string::npos) addr_text = "[" + addr_text + "]";
  listen_text = addr_text + ":" + std::to_string(opts.port);
  auto fail = [&](const std::string& why) {
    acceptor.reset();
    throw std::runtime_error("listen on " + listen_text + ": " + why);
  };
  error_code ec;
  asio::ip::address addr = asio::ip::make_address(opts.bind_address, ec);
  if (ec) fail("invalid address");
  tcp::endpoint ep(addr, opts.port);
  acceptor = std::make_unique<tcp::acceptor>(ctl);
  if (acceptor->open(ep.protocol(), ec); ec) fail(ec.message());
  if (acceptor->set_option(asio::socket_base::reuse_address(true), ec); ec) fail(ec.message());
  if (acceptor->bind(ep, ec); ec) fail(ec.message());
  if (acceptor->listen(asio::socket_base::max_listen_connections, ec); ec) fail(ec.message());
  bound_port = acceptor->local_endpoint(ec).port();
  if (ec) fail(ec.message());
  listen_text = addr_text + ":" + std::to_string(bound_port);

  max_conns = std::max<size_t>(1, opts.max_connections);
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
    size_t files = static_cast<size_t>(rl.rlim_cur);
    size_t fit = files > 2 * kFdHeadroom ? files - kFdHeadroom : files / 2;
    if (fit < max_conns) {
      max_conns = std::max<size_t>(1, fit);
      SKIFF_LOG(INFO) << "http: at most " << max_conns << " connections on " << listen_text
                      << " (open-files limit " << files << " minus " << files - max_conns
                      << " for other files); raise `ulimit -n` for more";
    }
  }

  work.emplace(ioc.get_executor());
  asio::post(ctl, [this] {
    accept_next();
    arm_sweep();
  });
  unsigned n = std::max(1u, opts.io_threads);
  try {
    for (unsigned i = 0; i < n; ++i)
      io_threads.emplace_back([this] {
        init_thread("skiff-http-io");
        for (;;) {
          try {
            ioc.run();
            return;
          } catch (const std::exception& e) {  // a handler threw (allocation failure)
            SKIFF_LOG(ERROR) << "http: I/O thread: " << e.what();
          }
        }
      });
  } catch (const std::system_error& e) {
    stop();
    fail(std::string("cannot start I/O threads: ") + e.what());
  }
}

void Server::stop() {
  stopping = true;
  // No new connections (the handlers see `stopping`); timers end.
  asio::post(ctl, [this] {
    error_code ec;
    if (acceptor) acceptor->close(ec);
    sweep_timer.cancel();
    retry_timer.cancel();
  });
  // End every connection: pending async operations and blocked calls fail.
  {
    std::lock_guard<std::mutex> lk(conns_mu);
    for (Conn* c : conns) c->interrupt();
  }
  // Handlers return (client_gone() is true, their I/O fails); workers exit.
  pool.stop();
  // The I/O threads finish the failing operations and connections handed back by workers,
  // then run out of work.
  work.reset();
  for (auto& t : io_threads)
    if (t.joinable()) t.join();
  io_threads.clear();
}

}  // namespace skiff::net::detail

namespace skiff::net {

struct HttpsServer::Impl : detail::Server {
  using Server::Server;
};

HttpsServer::HttpsServer(TlsConfig tls, ServerOptions opts, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(tls), std::move(opts), std::move(handler))) {}

HttpsServer::~HttpsServer() { stop(); }

void HttpsServer::start() {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> lk(m.lifecycle_mu);
  if (m.running) return;
  if (m.stopping) throw std::runtime_error("http: server already stopped");
  m.start();
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
  m.stop();
}

}  // namespace skiff::net
