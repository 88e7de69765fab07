// TlsSocket's non-template part (setup, close_notify, mapping OpenSSL results, waiting for the
// socket) and the OpenSSL helpers of the HTTPS server. See tls_socket.h.
#include "net/tls_socket.h"

#include <openssl/x509.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>

#include <stdexcept>

namespace skiff::net::detail {

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

void init_thread(const char* name) {
  pthread_setname_np(pthread_self(), name);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

TlsSocket::TlsSocket(tcp::socket sock, SSL_CTX* ctx) : sock_(std::move(sock)), ssl_(SSL_new(ctx)) {
  if (!ssl_) throw std::runtime_error("SSL_new: " + openssl_errors());
  error_code ec;
  sock_.non_blocking(true, ec);
  SSL_set_fd(ssl_, sock_.native_handle());
  SSL_set_mode(ssl_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                         SSL_MODE_RELEASE_BUFFERS);
  SSL_set_accept_state(ssl_);
}

TlsSocket::~TlsSocket() { SSL_free(ssl_); }

void TlsSocket::shutdown(error_code& ec) {
  for (int zeros = 0;;) {
    ERR_clear_error();
    errno = 0;
    int r = SSL_shutdown(ssl_);
    if (r == 1) return;
    if (r == 0) {  // ours is sent; the next call waits for theirs
      if (++zeros > 2) return;
      continue;
    }
    Want w = classify(r, ec);
    if (w != Want::kRead && w != Want::kWrite) return;
    if (!wait(w, ec)) return;
  }
}

Want TlsSocket::classify(int r, error_code& ec) {
  int saved_errno = errno;
  if (r == 1) return Want::kDone;
  switch (SSL_get_error(ssl_, r)) {
    case SSL_ERROR_WANT_READ:
      return Want::kRead;
    case SSL_ERROR_WANT_WRITE:
      return Want::kWrite;
    case SSL_ERROR_ZERO_RETURN:
      ec = asio::error::eof;
      break;
    case SSL_ERROR_SYSCALL:
      ec = saved_errno ? error_code(saved_errno, boost::system::system_category())
                       : error_code(ssl::error::stream_truncated);
      break;
    case SSL_ERROR_SSL: {
      unsigned long e = ERR_peek_last_error();
      if (ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
        ec = ssl::error::stream_truncated;
      else
        ec = error_code(static_cast<int>(e), asio::error::get_ssl_category());
      break;
    }
    default:
      ec = asio::error::fault;
  }
  ERR_clear_error();
  return Want::kError;
}

bool TlsSocket::wait(Want w, error_code& ec) {
  pollfd p{sock_.native_handle(), static_cast<short>(w == Want::kRead ? POLLIN : POLLOUT), 0};
  while (::poll(&p, 1, -1) < 0) {
    if (errno != EINTR) {
      ec = error_code(errno, boost::system::system_category());
      return false;
    }
  }
  return true;
}

}  // namespace skiff::net::detail
