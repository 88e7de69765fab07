// tls_connect, pipe_streams and read_http_head of net/tls_client.h.
//
// The client connection is a Boost.Asio ssl::stream on its own io_context (never run: blocking
// I/O, as in the server). Deadlines (connect, handshake, writes) are enforced by a watchdog thread
// that shuts the socket down, so the blocked call fails.
#include "net/tls_client.h"

#include <netdb.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

namespace skiff::net {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;

// Shuts a socket down if a step takes longer than its deadline; one thread per connection.
class Watchdog {
 public:
  explicit Watchdog(int fd) : fd_(fd), thread_([this] { run(); }) {}
  ~Watchdog() {
    {
      std::lock_guard<std::mutex> lk(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void arm(std::chrono::seconds d) {
    std::lock_guard<std::mutex> lk(mu_);
    deadline_ = std::chrono::steady_clock::now() + d;
    armed_ = true;
    cv_.notify_all();
  }
  void disarm() {
    std::lock_guard<std::mutex> lk(mu_);
    armed_ = false;
  }

 private:
  void run() {
    std::unique_lock<std::mutex> lk(mu_);
    while (!done_) {
      if (!armed_) {
        cv_.wait(lk);
        continue;
      }
      if (cv_.wait_until(lk, deadline_) == std::cv_status::timeout && armed_ && !done_ &&
          std::chrono::steady_clock::now() >= deadline_) {
        ::shutdown(fd_, SHUT_RDWR);
        armed_ = false;
      }
    }
  }
  const int fd_;
  std::mutex mu_;  // guards the fields below
  std::condition_variable cv_;
  bool done_ = false;
  bool armed_ = false;
  std::chrono::steady_clock::time_point deadline_;
  std::thread thread_;  // last: starts after the fields are initialized
};

class TlsClientStream final : public RawStream {
 public:
  TlsClientStream(std::unique_ptr<asio::io_context> ioc, std::unique_ptr<ssl::context> ctx,
                  std::unique_ptr<ssl::stream<tcp::socket>> s, std::chrono::seconds wt)
      : ioc_(std::move(ioc)),
        ctx_(std::move(ctx)),
        s_(std::move(s)),
        write_timeout_(wt),
        fd_(s_->lowest_layer().native_handle()),
        dog_(std::make_unique<Watchdog>(s_->lowest_layer().native_handle())) {}
  ~TlsClientStream() override {
    dog_.reset();
    error_code ec;
    s_->lowest_layer().close(ec);
  }
  long read_some(char* out, size_t n) override {
    error_code ec;
    size_t k = s_->read_some(asio::buffer(out, n), ec);
    if (ec == asio::error::eof || ec == ssl::error::stream_truncated) return 0;
    return ec ? -1 : static_cast<long>(k);
  }
  bool write_all(std::string_view data) override {
    error_code ec;
    dog_->arm(write_timeout_);
    asio::write(*s_, asio::buffer(data.data(), data.size()), ec);
    dog_->disarm();
    return !ec;
  }
  int fd() const override { return fd_; }
  bool pending() override {
    SSL* ssl = s_->native_handle();
    return SSL_pending(ssl) > 0 || SSL_has_pending(ssl) ||
           BIO_ctrl_pending(SSL_get_rbio(ssl)) > 0;
  }

 private:
  // Declaration order matters: the stream uses the context and io_context.
  std::unique_ptr<asio::io_context> ioc_;
  std::unique_ptr<ssl::context> ctx_;
  std::unique_ptr<ssl::stream<tcp::socket>> s_;
  const std::chrono::seconds write_timeout_;
  const int fd_;
  std::unique_ptr<Watchdog> dog_;
};

}  // namespace

std::unique_ptr<RawStream> tls_connect(const std::string& host, uint16_t port,
                                       const TlsClientOptions& opts, std::string* error) {
  auto ioc = std::make_unique<asio::io_context>();
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
  error_code ec;
  auto fail = [&](const std::string& why) -> std::unique_ptr<RawStream> {
    if (error) *error = why;
    return nullptr;
  };
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  if (!opts.cert_pem.empty()) {
    ctx->use_certificate_chain(asio::buffer(opts.cert_pem), ec);
    if (!ec) ctx->use_private_key(asio::buffer(opts.key_pem), ssl::context::pem, ec);
    if (ec) return fail("client certificate: " + ec.message());
  }
  ctx->set_verify_mode(ssl::verify_none);
  tcp::resolver resolver(*ioc);
  auto results = resolver.resolve(host, std::to_string(port), ec);
  if (ec) return fail("resolve " + host + ": " + ec.message());
  auto s = std::make_unique<ssl::stream<tcp::socket>>(*ioc, *ctx);
  // Connect without blocking past the deadline: non-blocking connect, then poll.
  std::string last = "no address";
  bool connected = false;
  for (const auto& ep : results) {
    error_code e2;
    auto& sock = s->lowest_layer();
    if (sock.is_open()) sock.close(e2);
    sock.open(ep.endpoint().protocol(), e2);
    if (e2) { last = e2.message(); continue; }
    sock.non_blocking(true, e2);
    sock.connect(ep.endpoint(), e2);
    if (e2 == asio::error::in_progress || e2 == asio::error::would_block) {
      pollfd p{sock.native_handle(), POLLOUT, 0};
      int r = ::poll(&p, 1, static_cast<int>(opts.connect_timeout.count() * 1000));
      if (r <= 0) { last = "connection timed out"; continue; }
      int soerr = 0;
      socklen_t len = sizeof soerr;
      ::getsockopt(sock.native_handle(), SOL_SOCKET, SO_ERROR, &soerr, &len);
      if (soerr) { last = std::strerror(soerr); continue; }
      e2 = {};
    }
    if (e2) { last = e2.message(); continue; }
    sock.non_blocking(false, e2);
    sock.set_option(tcp::no_delay(true), e2);
    connected = true;
    break;
  }
  if (!connected) return fail("dial tcp " + host + ":" + std::to_string(port) + ": " + last);
  SSL_set_tlsext_host_name(s->native_handle(), host.c_str());
  {
    Watchdog dog(s->lowest_layer().native_handle());
    dog.arm(opts.connect_timeout);
    s->handshake(ssl::stream_base::client, ec);
    dog.disarm();
  }
  if (ec) return fail("TLS handshake with " + host + ":" + std::to_string(port) + ": " + ec.message());
  return std::make_unique<TlsClientStream>(std::move(ioc), std::move(ctx), std::move(s),
                                           opts.write_timeout);
}

void pipe_streams(RawStream& a, RawStream& b, const std::function<bool()>& stop) {
  std::string buf(32768, '\0');
  RawStream* sides[2] = {&a, &b};
  for (;;) {
    if (stop && stop()) return;
    bool ready[2] = {a.pending(), b.pending()};
    if (!ready[0] || !ready[1]) {
      pollfd p[2] = {{a.fd(), POLLIN, 0}, {b.fd(), POLLIN, 0}};
      int r = ::poll(p, 2, ready[0] || ready[1] ? 0 : 500);
      if (r < 0 && errno != EINTR) return;
      for (int i = 0; i < 2; ++i)
        if (r > 0 && p[i].revents) ready[i] = true;
    }
    for (int i = 0; i < 2; ++i) {
      if (!ready[i]) continue;
      long n = sides[i]->read_some(buf.data(), buf.size());
      if (n <= 0) return;
      if (!sides[1 - i]->write_all(std::string_view(buf.data(), static_cast<size_t>(n)))) return;
    }
  }
}

std::string read_http_head(RawStream& s, std::string* rest, std::chrono::seconds timeout) {
  std::string data;
  char buf[4096];
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    size_t end = data.find("\r\n\r\n");
    if (end != std::string::npos) {
      if (rest) *rest = data.substr(end + 4);
      data.resize(end + 4);
      return data;
    }
    if (data.size() > 65536) return {};
    if (!s.pending()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                      deadline - std::chrono::steady_clock::now()).count();
      pollfd p{s.fd(), POLLIN, 0};
      if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) return {};
    }
    long n = s.read_some(buf, sizeof buf);
    if (n <= 0) return {};
    data.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace skiff::net
