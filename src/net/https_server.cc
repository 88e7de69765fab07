// HttpsServer (net/http.h): Beast's HTTP/1.1 parser and serializer over TlsSocket (OpenSSL on
// the socket's descriptor). Connections are event-driven; handlers run synchronously on worker
// threads.
//
// Threads:
//  - ServerOptions::io_threads I/O threads run one io_context. They accept, do TLS handshakes,
//    wait on idle keep-alive connections, read whole requests (header and body) and write the
//    server's own answers (400, 413, 429, 431, 503), all with async operations; each
//    connection's async work runs on its own strand. An idle connection or one in its handshake
//    holds no thread, only its Conn: the SSL object, the socket and a few fields (the read
//    buffer and OpenSSL's record buffers are released between requests).
//  - worker threads (WorkerPool) run handlers. A connection with a complete request is handed
//    to a worker, which then owns it: no async operation is pending on it, so the worker does
//    blocking I/O on the same TlsSocket (its synchronous calls poll(2) the non-blocking
//    socket). Afterwards it posts the connection back to its strand for the next request, or
//    closes it. The pool starts a thread when no worker is free and a worker idle for
//    worker_idle_timeout exits; at most max_inflight handlers run at once, more get 429.
// Ownership: a Conn lives as long as a shared_ptr to it, held by its pending async operation's
// handler or by the worker job; exactly one of them at a time touches its stream and buffers.
// Deadlines: each Conn carries one deadline for its current step (handshake, idle wait, header,
// body, one blocking write). A sweep timer shuts down (shutdown(2)) the socket of every
// connection past its deadline, which makes the pending async operation or the blocked call
// fail, and the owner then drops the connection. stop() shuts down every connection the same
// way, waits for the workers and then for the I/O threads to run out of work.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <boost/asio/append.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <list>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <type_traits>

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
using boost::system::error_code;
using Strand = asio::strand<asio::io_context::executor_type>;

constexpr size_t kHeaderLimit = 1 << 20;  // Go's http.DefaultMaxHeaderBytes
// One header line (request line or field). Beast cannot hold a field near 64 KiB; real clients
// send a few KiB at most (kubectl's whole header is under 1 KiB, large OIDC tokens ~10 KiB).
constexpr size_t kHeaderLineLimit = 32 << 10;
constexpr size_t kReadChunk = 16 << 10;  // one TLS record
constexpr auto kCloseTimeout = std::chrono::seconds(3);
constexpr auto kSweepInterval = std::chrono::milliseconds(250);
constexpr auto kWarnInterval = std::chrono::seconds(10);
constexpr auto kAcceptRetry = std::chrono::milliseconds(100);
constexpr size_t kFdHeadroom = 256;  // descriptors kept for everything but server connections

int64_t steady_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

template <typename Dur>
int64_t to_ns(Dur d) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}

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

  TlsSocket(tcp::socket sock, SSL_CTX* ctx) : sock_(std::move(sock)), ssl_(SSL_new(ctx)) {
    if (!ssl_) throw std::runtime_error("SSL_new: " + openssl_errors());
    error_code ec;
    sock_.non_blocking(true, ec);
    SSL_set_fd(ssl_, sock_.native_handle());
    SSL_set_mode(ssl_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                           SSL_MODE_RELEASE_BUFFERS);
    SSL_set_accept_state(ssl_);
  }
  ~TlsSocket() { SSL_free(ssl_); }
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
  void shutdown(error_code& ec) {
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
  Want classify(int r, error_code& ec) {
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

  // Blocks until the socket is ready for `w` (or shut down: the retried call then fails).
  bool wait(Want w, error_code& ec) {
    pollfd p{sock_.native_handle(), static_cast<short>(w == Want::kRead ? POLLIN : POLLOUT), 0};
    while (::poll(&p, 1, -1) < 0) {
      if (errno != EINTR) {
        ec = error_code(errno, boost::system::system_category());
        return false;
      }
    }
    return true;
  }

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
bool tls_pending(TlsSocket& s, const beast::flat_buffer& buf) { return buf.size() > 0 || s.pending(); }

// Names the calling server thread and blocks SIGPIPE in it (see TlsSocket).
void init_thread(const char* name) {
  pthread_setname_np(pthread_self(), name);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

// Threads that run jobs: one more is started when a job finds no idle worker, and a worker with
// nothing to do for `idle_exit` exits. The caller bounds the number of jobs at once.
class WorkerPool {
 public:
  explicit WorkerPool(std::chrono::seconds idle_exit) : idle_exit_(idle_exit) {}
  ~WorkerPool() { stop(); }

  // Runs `job` on a worker. False when stopping or no thread could be started (job dropped).
  bool submit(std::function<void()> job) {
    std::vector<std::thread> exited;
    bool ok = true;
    {
      std::lock_guard<std::mutex> lk(mu_);
      if (stopping_) return false;
      exited.swap(exited_);
      jobs_.push_back(std::move(job));
      if (idle_ >= jobs_.size()) {
        cv_.notify_one();
      } else {
        try {
          auto it = threads_.emplace(threads_.end());
          *it = std::thread([this, it] { run(it); });
        } catch (const std::system_error& e) {
          threads_.pop_back();
          jobs_.pop_back();
          SKIFF_LOG(ERROR) << "http: cannot start a worker thread (" << threads_.size()
                           << " running): " << e.what();
          ok = false;
        }
      }
    }
    for (auto& t : exited) t.join();  // returned or about to: prompt
    return ok;
  }

  // Runs the queued jobs, then joins every worker. Later submits fail.
  void stop() {
    std::list<std::thread> threads;
    std::vector<std::thread> exited;
    {
      std::lock_guard<std::mutex> lk(mu_);
      stopping_ = true;
      threads.swap(threads_);
      exited.swap(exited_);
    }
    cv_.notify_all();
    for (auto& t : threads)
      if (t.joinable()) t.join();
    for (auto& t : exited) t.join();
  }

 private:
  void run(std::list<std::thread>::iterator self) {
    init_thread("skiff-http-wk");
    std::unique_lock<std::mutex> lk(mu_);
    for (;;) {
      if (!jobs_.empty()) {
        std::function<void()> job = std::move(jobs_.front());
        jobs_.pop_front();
        lk.unlock();
        try {
          job();
        } catch (const std::exception& e) {
          SKIFF_LOG(ERROR) << "http: worker: " << e.what();
        } catch (...) {
          SKIFF_LOG(ERROR) << "http: worker: unknown exception";
        }
        job = nullptr;  // drops the connection outside the lock
        lk.lock();
        continue;
      }
      if (stopping_) return;  // stop() holds our handle
      ++idle_;
      bool woken = cv_.wait_for(lk, idle_exit_, [&] { return !jobs_.empty() || stopping_; });
      --idle_;
      if (!woken) {
        // Idle too long: hand our handle to whoever joins next.
        exited_.push_back(std::move(*self));
        threads_.erase(self);
        return;
      }
    }
  }

  const std::chrono::seconds idle_exit_;
  std::mutex mu_;  // guards everything below
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::list<std::thread> threads_;   // live workers; each erases itself when it exits idle
  std::vector<std::thread> exited_;  // workers that exited idle, not yet joined
  size_t idle_ = 0;                  // workers waiting for a job
  bool stopping_ = false;
};

class Server;

// One accepted connection. See the ownership rule in the file comment: `s`, `buf`, `parser`
// and the header-scan fields are touched only by the current owner (its strand's handlers, or
// the worker serving a request); `deadline_ns` and `closed` are shared with the sweep/stop().
struct Conn : std::enable_shared_from_this<Conn> {
  Conn(Server& srv, tcp::socket sock, SSL_CTX* ctx);  // throws when OpenSSL can't make an SSL
  // Unregisters first, so the sweep and stop(), which use the registry under conns_mu, never
  // see a Conn whose members are being destroyed.
  ~Conn();

  Server& srv;
  TlsSocket s;
  const int fd;
  std::string remote;  // "ip:port"
  std::list<Conn*>::iterator reg;  // in srv.conns; set at registration

  // Deadline of the current step (steady clock ns; 0 = none), enforced by the sweep.
  std::atomic<int64_t> deadline_ns{0};
  std::mutex mu;        // guards `closed`, so interrupt() never shuts down a reused fd
  bool closed = false;  // the owner closed the socket

  beast::flat_buffer buf;  // received bytes not yet parsed; empty and unallocated when idle
  std::optional<http::request_parser<http::string_body>> parser;  // the request being read
  size_t scanned = 0;      // header bytes of buf already checked for line length
  size_t line_len = 0;     // length of the header line being scanned
  bool seen_line = false;  // a non-empty header line was scanned
  int64_t request_start_ns = 0;
  std::string cert_user;
  std::vector<std::string> cert_groups;

  template <typename Dur>
  void set_deadline(Dur d) {
    deadline_ns = steady_now_ns() + to_ns(d);
  }
  void clear_deadline() { deadline_ns = 0; }
  // Wakes any I/O pending or blocked on the socket; it fails and the owner drops the connection.
  void interrupt() {
    std::lock_guard<std::mutex> lk(mu);
    if (!closed) ::shutdown(fd, SHUT_RDWR);
  }
  void close() {
    std::lock_guard<std::mutex> lk(mu);
    closed = true;
    error_code ec;
    s.socket().close(ec);
  }

  // On the strand.
  void start();
  void wait_request(bool first);
  void begin_request(bool header_deadline);
  void parse_header();
  void on_header();
  void read_body();
  void dispatch();
  enum class After { kKeepAlive, kClose, kLinger };
  void reply_error(const ApiError& e, After after);
  void linger();
  void drain();

  // On a worker.
  void serve();
  template <typename Buffers>
  bool write_all(const Buffers& b);
  void graceful_close();
};

// Everything the server shares between its threads. Declaration order matters: members
// destroyed later (the io_context) outlive those that use them.
class Server {
 public:
  Server(TlsConfig t, ServerOptions o, Handler h)
      : tls(std::move(t)),
        opts(std::move(o)),
        handler(std::move(h)),
        ctl(asio::make_strand(ioc)),
        sweep_timer(ctl),
        retry_timer(ctl),
        pool(opts.worker_idle_timeout) {}

  const TlsConfig tls;
  const ServerOptions opts;
  const Handler handler;
  size_t max_conns = 0;  // opts.max_connections bounded by RLIMIT_NOFILE; set by start()
  const size_t max_inflight = std::max<size_t>(1, opts.max_inflight);

  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::unique_ptr<ssl::context> ssl_ctx;
  Strand ctl;  // runs the acceptor's and the timers' handlers
  std::unique_ptr<tcp::acceptor> acceptor;  // used on ctl only
  asio::steady_timer sweep_timer;           // on ctl
  asio::steady_timer retry_timer;           // on ctl: accept again after an accept error
  std::string listen_text;
  uint16_t bound_port = 0;
  std::atomic<bool> stopping{false};  // set once by stop(); read everywhere
  std::atomic<size_t> inflight{0};    // handlers running (or queued to a worker)
  std::vector<std::thread> io_threads;

  std::mutex conns_mu;      // guards conns; taken before a Conn's mu
  std::list<Conn*> conns;   // every live Conn (raw: each unregisters in its destructor)

  // Rate-limited warnings; touched on ctl only.
  std::chrono::steady_clock::time_point last_warn{};
  size_t refused_since_warn = 0;

  WorkerPool pool;  // before the sockets' io_context goes: jobs hold connections

  std::mutex lifecycle_mu;  // serializes start() and stop()
  bool running = false;     // guarded by lifecycle_mu

  void setup_tls();
  void accept_next();
  void on_accept(error_code ec, tcp::socket sock);
  void warn_refused(size_t open);
  void arm_sweep();
  void sweep();
  void start();
  void stop();
};

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

// A connection taken over by its handler (ResponseWriter::hijack): bytes the HTTP parser read
// past the request come first, then the TLS stream itself. Used on the worker only.
class HijackedStream final : public RawStream {
 public:
  explicit HijackedStream(Conn& c) : c_(c) {}

  long read_some(char* out, size_t n) override {
    if (c_.srv.stopping) return -1;
    if (c_.buf.size() > 0) {
      size_t k = asio::buffer_copy(asio::buffer(out, n), c_.buf.data());
      c_.buf.consume(k);
      return static_cast<long>(k);
    }
    error_code ec;
    size_t k = c_.s.read_some(asio::buffer(out, n), ec);
    if (ec == asio::error::eof || ec == ssl::error::stream_truncated) return 0;
    return ec ? -1 : static_cast<long>(k);
  }
  bool write_all(std::string_view data) override {
    if (c_.srv.stopping) return false;
    return c_.write_all(asio::buffer(data.data(), data.size()));
  }
  int fd() const override { return c_.fd; }
  bool pending() override { return tls_pending(c_.s, c_.buf); }

 private:
  Conn& c_;
};

// The ResponseWriter of one request, used on the worker serving it.
class ConnWriter final : public ResponseWriter {
 public:
  ConnWriter(Conn& c, unsigned version, bool keep_alive, bool head)
      : c_(c), version_(version), want_keep_alive_(keep_alive), head_(head) {}

  RawStream* hijack() override {
    if (state_ != State::kNone) return nullptr;
    state_ = State::kHijacked;
    hijacked_ = std::make_unique<HijackedStream>(c_);
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
    keep_alive_ = want_keep_alive_ && res.keep_alive() && !stopping();
    res.keep_alive(keep_alive_);
    bool no_body = status / 100 == 1 || status == 204 || status == 304;
    if (no_body) body.clear();
    else res.content_length(body.size());
    if (!head_) res.body() = std::move(body);
    http::response_serializer<http::string_body> sr(res);
    if (!write(sr)) broken_ = true;
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
    keep_alive_ = want_keep_alive_ && res.keep_alive() && !stopping() && version_ >= 11;
    res.keep_alive(keep_alive_);
    res.chunked(true);
    http::response_serializer<http::empty_body> sr(res);
    if (!write(sr)) broken_ = true;
    return !client_gone();
  }

  bool write_chunk(std::string_view data) override {
    if (state_ != State::kStreaming || client_gone()) return false;  // also when hijacked
    if (data.empty() || head_) return true;  // an empty chunk would end the stream
    if (!c_.write_all(http::make_chunk(asio::const_buffer(data.data(), data.size()))))
      broken_ = true;
    return !broken_;
  }

  void end_stream() override {
    if (state_ != State::kStreaming) return;
    state_ = State::kEnded;
    if (broken_ || head_) return;  // a HEAD response has headers only
    if (!c_.write_all(http::make_chunk_last())) broken_ = true;
  }

  bool client_gone() override {
    if (broken_ || stopping()) return true;
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
    return !broken_ && keep_alive_ && !stopping();
  }

  bool hijacked() const { return state_ == State::kHijacked; }

 private:
  enum class State { kNone, kResponded, kStreaming, kEnded, kHijacked };

  bool stopping() const { return c_.srv.stopping; }

  // Writes a response's header (only, for HEAD or a stream) or all of it, one TLS record at a
  // time, each under the write timeout.
  template <typename Serializer>
  bool write(Serializer& sr) {
    constexpr bool kStream = std::is_same_v<Serializer, http::response_serializer<http::empty_body>>;
    bool header_only = head_ || kStream;
    if (header_only) sr.split(true);
    while (header_only ? !sr.is_header_done() : !sr.is_done()) {
      error_code ec;
      c_.set_deadline(c_.srv.opts.write_timeout);
      http::write_some(c_.s, sr, ec);
      c_.clear_deadline();
      if (ec) return false;
    }
    return true;
  }

  Conn& c_;
  std::unique_ptr<HijackedStream> hijacked_;
  const unsigned version_;
  const bool want_keep_alive_;  // what the request asked for
  const bool head_;
  State state_ = State::kNone;
  bool keep_alive_ = false;  // what the response said
  bool broken_ = false;      // a write failed or the peer left: close the connection
};

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
  r.cert_user = c.cert_user;
  r.cert_groups = c.cert_groups;
  return r;
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

// ---- Conn: serving a request, on a worker ----

template <typename Buffers>
bool Conn::write_all(const Buffers& b) {
  beast::buffers_suffix<Buffers> rest(b);
  while (beast::buffer_bytes(rest) > 0) {
    error_code ec;
    set_deadline(srv.opts.write_timeout);
    size_t n = s.write_some(rest, ec);
    clear_deadline();
    if (ec) return false;
    rest.consume(n);
  }
  return true;
}

// An orderly TLS close (close_notify both ways), bounded in time.
void Conn::graceful_close() {
  error_code ec;
  set_deadline(kCloseTimeout);
  s.shutdown(ec);
  clear_deadline();
}

void Conn::serve() {
  http::request<http::string_body> msg = parser->release();
  parser.reset();
  bool keep_alive = msg.keep_alive();
  unsigned version = msg.version();
  bool head = msg.method() == http::verb::head;
  Request req = build_request(std::move(msg), *this);

  ConnWriter w(*this, version, keep_alive, head);
  std::string error;
  try {
    srv.handler(req, w);
  } catch (const std::exception& e) {
    SKIFF_LOG(ERROR) << "http: handler for " << req.method << " " << req.path
                     << " threw: " << e.what();
    error = e.what()[0] ? e.what() : "handler failed";
  } catch (...) {
    SKIFF_LOG(ERROR) << "http: handler for " << req.method << " " << req.path
                     << " threw a non-exception";
    error = "handler failed";
  }
  bool again = w.finish(error);
  if (!again && !srv.stopping && !w.client_gone()) graceful_close();
  srv.inflight.fetch_sub(1);
  if (again) {
    asio::post(s.get_executor(), [self = shared_from_this()] { self->wait_request(false); });
    return;
  }
  close();
}

// ---- Server ----

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

}  // namespace

struct HttpsServer::Impl : Server {
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
