// TlsSocket: TLS (OpenSSL) straight on a server connection's non-blocking socket, with the
// synchronous calls a worker uses and the async operations the I/O threads use; plus the
// OpenSSL helpers of the HTTPS server. Internal to src/net (the interface is net/http.h).
#pragma once
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <array>
#include <boost/asio/append.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <cerrno>
#include <string>
#include <utility>
#include <vector>

namespace skiff::net::detail {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using boost::system::error_code;

// The queued OpenSSL errors as text ("; "-separated); clears the queue.
std::string openssl_errors();
// CN and O's of the peer's verified certificate.
void peer_identity(SSL* ssl, std::string& user, std::vector<std::string>& groups);
// Names the calling server thread and blocks SIGPIPE in it (see TlsSocket).
void init_thread(const char* name);

enum class Want { kDone, kRead, kWrite, kError };

// TLS straight on a connection's non-blocking socket (SSL_set_fd): the stream of every Conn.
// Unlike asio::ssl::stream, which holds 2 x 17 KiB of buffers and a 2 x 17 KiB BIO pair per
// connection, it keeps nothing of its own, and with SSL_MODE_RELEASE_BUFFERS OpenSSL frees its
// record buffers while they are empty: an idle connection costs its SSL object. Async operations
// wait for socket readiness (asio async_wait) and retry; synchronous ones poll(2) the socket.
// One operation at a time; SIGPIPE must be blocked in the calling thread (OpenSSL uses write(2)).
class TlsSocket {
 public:
  using executor_type = tcp::socket::executor_type;

  TlsSocket(tcp::socket sock, SSL_CTX* ctx);  // throws when OpenSSL can't make an SSL
  ~TlsSocket();
  TlsSocket(const TlsSocket&) = delete;
  TlsSocket& operator=(const TlsSocket&) = delete;

  executor_type get_executor() { return sock_.get_executor(); }
  tcp::socket& socket() { return sock_; }
  SSL* native_handle() { return ssl_; }
  // Decrypted bytes, or a record read but not yet processed.
  bool pending() { return SSL_pending(ssl_) > 0 || SSL_has_pending(ssl_); }

  // ---- synchronous (the worker's) ----
  template <typename MutableBuffers>
  size_t read_some(const MutableBuffers& b, error_code& ec) {
    asio::mutable_buffer buf = *asio::buffer_sequence_begin(b);
    if (buf.size() == 0) return ec = {}, 0;
    return sync_io([&](size_t& n) { return SSL_read_ex(ssl_, buf.data(), buf.size(), &n); }, ec);
  }
  template <typename MutableBuffers>
  size_t read_some(const MutableBuffers& b) {
    error_code ec;
    size_t n = read_some(b, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }
  // Small buffers (a header's fields) are gathered into one record.
  template <typename ConstBuffers>
  size_t write_some(const ConstBuffers& b, error_code& ec) {
    std::array<char, 16384> gathered;
    asio::const_buffer buf = *asio::buffer_sequence_begin(b);
    if (buf.size() < gathered.size() && asio::buffer_size(b) > buf.size())
      buf = asio::buffer(gathered.data(), asio::buffer_copy(asio::buffer(gathered), b));
    if (buf.size() == 0) return ec = {}, 0;
    return sync_io([&](size_t& n) { return SSL_write_ex(ssl_, buf.data(), buf.size(), &n); },
                   ec);
  }
  template <typename ConstBuffers>
  size_t write_some(const ConstBuffers& b) {
    error_code ec;
    size_t n = write_some(b, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }
  // close_notify both ways.
  void shutdown(error_code& ec);

  // ---- asynchronous (the I/O threads') ----
  template <typename MutableBuffers, typename Token>
  auto async_read_some(const MutableBuffers& b, Token&& token) {
    asio::mutable_buffer buf = *asio::buffer_sequence_begin(b);
    return async_io(
        [this, buf](size_t& n) {
          if (buf.size() == 0) return n = 0, 1;
          return SSL_read_ex(ssl_, buf.data(), buf.size(), &n);
        },
        std::forward<Token>(token));
  }
  template <typename ConstBuffers, typename Token>
  auto async_write_some(const ConstBuffers& b, Token&& token) {
    asio::const_buffer buf = *asio::buffer_sequence_begin(b);
    return async_io(
        [this, buf](size_t& n) {
          if (buf.size() == 0) return n = 0, 1;
          return SSL_write_ex(ssl_, buf.data(), buf.size(), &n);
        },
        std::forward<Token>(token));
  }
  template <typename Token>
  auto async_handshake(Token&& token) {
    return async_io(
        [this](size_t& n) {
          n = 0;
          return SSL_do_handshake(ssl_);
        },
        std::forward<Token>(token));
  }

 private:
  // Maps an SSL call's result to what to do next; sets `ec` on kError.
  Want classify(int r, error_code& ec);

  // Blocks until the socket is ready for `w` (or shut down: the retried call then fails).
  bool wait(Want w, error_code& ec);

  template <typename Op>
  size_t sync_io(Op op, error_code& ec) {
    ec = {};
    for (;;) {
      size_t n = 0;
      ERR_clear_error();
      errno = 0;
      Want w = classify(op(n), ec);
      if (w == Want::kDone) return n;
      if (w == Want::kError || !wait(w, ec)) return 0;
    }
  }

  // Tries `op`, waits for readiness while OpenSSL wants it, completes with (error, bytes). A
  // result ready at once is delivered through the executor, never inside the initiating call.
  template <typename Op, typename Token>
  auto async_io(Op op, Token&& token) {
    return asio::async_compose<Token, void(error_code, size_t)>(
        [this, op, started = false](auto& self, error_code ec = {}, size_t n = 0,
                                    bool done = false) mutable {
          if (done || ec) return self.complete(ec, n);
          bool at_initiation = !started;
          started = true;
          ERR_clear_error();
          errno = 0;
          Want w = classify(op(n), ec);
          if (w == Want::kRead || w == Want::kWrite) {
            sock_.async_wait(w == Want::kRead ? tcp::socket::wait_read : tcp::socket::wait_write,
                             std::move(self));
            return;
          }
          if (w == Want::kError) n = 0;
          if (at_initiation) {
            auto ex = sock_.get_executor();
            return asio::post(ex, asio::append(std::move(self), ec, n, true));
          }
          self.complete(ec, n);
        },
        token, sock_);
  }

  tcp::socket sock_;
  SSL* ssl_;  // freed before sock_ closes the descriptor it uses
};

// Bytes received but not yet handed out (in the HTTP read buffer or in OpenSSL): a socket wait
// would miss them.
inline bool tls_pending(TlsSocket& s, const beast::flat_buffer& buf) {
  return buf.size() > 0 || s.pending();
}

}  // namespace skiff::net::detail
