// The HTTPS server's internal declarations, shared by its files and not part of the interface
// (net/http.h): Conn, one accepted connection, and Server, what the server's threads share.
// The files: tls_socket.{h,cc} TLS on a connection's socket; worker_pool.{h,cc} the handler
// threads; https_conn.cc a connection on the I/O threads (handshake, idle wait, reading a
// request, the server's own error answers, handing the request to a worker); https_serve.cc
// serving a request on a worker (the ResponseWriter, hijacked streams); https_server.cc the
// lifecycle (TLS context, acceptor, deadline sweep, start/stop) and HttpsServer itself.
//
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
#pragma once
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/api_error.h"
#include "net/http.h"
#include "net/tls_socket.h"
#include "net/worker_pool.h"

namespace skiff::net::detail {

namespace http = beast::http;
using Strand = asio::strand<asio::io_context::executor_type>;

constexpr auto kCloseTimeout = std::chrono::seconds(3);

inline int64_t steady_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

template <typename Dur>
int64_t to_ns(Dur d) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}

// An error Status as a response body.
std::string status_body(const ApiError& e);

class Server;

// One accepted connection. See the ownership rule at the top of this file: `s`, `buf`, `parser`
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

}  // namespace skiff::net::detail
