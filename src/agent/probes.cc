// Container probes (agent/probes.h), following pkg/probe/{exec,http,tcp} and
// pkg/kubelet/prober: the messages are upstream's, so events read the same as on a kubelet.
//
// Network probes use plain non-blocking sockets and poll() against one deadline per attempt
// (Go's Client.Timeout/DialTimeout cover the whole attempt the same way); HTTPS runs OpenSSL on
// the same socket without verifying the server (upstream sets InsecureSkipVerify for probes).
#include "agent/probes.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstring>
#include <memory>

namespace skiff::agent {
namespace {
using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kUserAgent[] = "kube-probe/1.31";
constexpr size_t kMaxHead = 64 * 1024;  // a response head larger than this is malformed

// A field of the probe in seconds, or `def` when absent or not positive (or, with allow_zero,
// negative).
milliseconds probe_seconds(const json::object& probe, std::string_view key, int64_t def,
                           bool allow_zero = false) {
  int64_t v = get_int(probe, {key}, def);
  if (v < 0 || (v == 0 && !allow_zero)) v = def;
  return seconds(std::min<int64_t>(v, INT_MAX / 1000));
}

int threshold(const json::object& probe, std::string_view key, int def) {
  int64_t v = get_int(probe, {key}, def);
  return v > 0 ? static_cast<int>(std::min<int64_t>(v, INT_MAX)) : def;
}

// Go spells errno texts in lower case ("connection refused").
std::string errno_text(int e) {
  std::string s = std::strerror(e);
  if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

std::string host_port(const std::string& host, int port) {  // net.JoinHostPort
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

const json::object* child(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_object() ? &it->value().as_object() : nullptr;
}

// The probe's port (upstream's extractPort): a number, or a name of one of the container's
// ports, or as a last resort a number written as a string. false with *err when unresolved.
bool resolve_port(const json::object& action, const json::object& container, int* port,
                  std::string* err) {
  auto it = action.find("port");
  const json::value* v = it == action.end() ? nullptr : &it->value();
  int64_t n = -1;
  if (v && v->is_int64()) n = v->as_int64();
  if (v && v->is_uint64()) n = static_cast<int64_t>(std::min<uint64_t>(v->as_uint64(), INT_MAX));
  if (v && v->is_string()) {
    std::string name(v->as_string());
    if (auto ports = container.find("ports"); ports != container.end() && ports->value().is_array())
      for (const auto& p : ports->value().as_array())
        if (p.is_object() && get_string(p, {"name"}) == name) n = get_int(p, {"containerPort"}, -1);
    if (n < 0 && !name.empty() && std::all_of(name.begin(), name.end(), ::isdigit) &&
        name.size() < 10)
      n = std::stoll(name);
    if (n < 0) return *err = "couldn't find port: " + name + " in container", false;
  }
  if (n <= 0 || n >= 65536) return *err = "invalid port number: " + std::to_string(n), false;
  *port = static_cast<int>(n);
  return true;
}

// ---- Sockets with a deadline ------------------------------------------------------------------

enum class Io { kOk, kTimeout, kError };

// Waits until fd is ready for `events`; kTimeout once the deadline has passed.
Io wait_fd(int fd, short events, Steady::time_point deadline) {
  for (;;) {
    auto left = std::chrono::ceil<milliseconds>(deadline - Steady::now()).count();
    if (left <= 0) return Io::kTimeout;
    pollfd p{fd, events, 0};
    int r = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left, INT_MAX)));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return Io::kError;
    if (r > 0) return Io::kOk;
  }
}

// A peer that hangs up early must not kill the agent with SIGPIPE (OpenSSL writes with
// write(2), so MSG_NOSIGNAL is not enough): blocked on this thread for the attempt, and one that
// became pending is discarded.
class NoSigpipe {
 public:
  NoSigpipe() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGPIPE);
    ::pthread_sigmask(SIG_BLOCK, &set_, &old_);
  }
  ~NoSigpipe() {
    timespec zero{0, 0};
    while (::sigtimedwait(&set_, nullptr, &zero) > 0) {
    }
    ::pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }

 private:
  sigset_t set_, old_;
};

struct Dialed {
  int fd = -1;
  Io io = Io::kError;
  std::string error;  // Go's dial error text
};

// net.DialTimeout("tcp", host:port): each resolved address in turn, non-blocking connect.
Dialed dial(const std::string& host, int port, Steady::time_point deadline) {
  Dialed d;
  const std::string addr = host_port(host, port);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* res = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res); rc != 0) {
    d.error = "dial tcp: lookup " + host + ": " + ::gai_strerror(rc);
    return d;
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> guard(res, ::freeaddrinfo);
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      d.error = "dial tcp " + addr + ": socket: " + errno_text(errno);
      continue;
    }
    int e = ::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ? 0 : errno;
    if (e == EINPROGRESS) {
      if (wait_fd(fd, POLLOUT, deadline) == Io::kTimeout) {
        ::close(fd);
        return {-1, Io::kTimeout, "dial tcp " + addr + ": i/o timeout"};
      }
      socklen_t len = sizeof e;
      if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) != 0) e = errno;
    }
    if (e == 0) return {fd, Io::kOk, {}};
    ::close(fd);
    d.error = "dial tcp " + addr + ": connect: " + errno_text(e);
  }
  return d;
}

// One HTTP or HTTPS connection whose every step is bounded by the attempt's deadline.
class Conn {
 public:
  Conn(int fd, Steady::time_point deadline) : fd_(fd), deadline_(deadline) {}
  ~Conn() {
    if (ssl_) SSL_free(ssl_);
    if (ctx_) SSL_CTX_free(ctx_);
    ::close(fd_);
  }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  Io start_tls(const std::string& host, std::string* err) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    if (!ctx_ || !(ssl_ = SSL_new(ctx_))) return *err = "tls: out of memory", Io::kError;
    SSL_set_verify(ssl_, SSL_VERIFY_NONE, nullptr);
    in6_addr ip;  // Go sends SNI for names only
    if (::inet_pton(AF_INET, host.c_str(), &ip) != 1 &&
        ::inet_pton(AF_INET6, host.c_str(), &ip) != 1)
      SSL_set_tlsext_host_name(ssl_, host.c_str());
    SSL_set_fd(ssl_, fd_);
    return ssl_step([&] { return SSL_connect(ssl_); }, err);
  }
  Io write_all(std::string_view data, std::string* err) {
    while (!data.empty()) {
      long n = 0;
      int len = static_cast<int>(std::min<size_t>(data.size(), INT_MAX));
      auto tls = [&] { return n = SSL_write(ssl_, data.data(), len); };
      auto raw = [&] { return n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL); };
      if (Io io = ssl_ ? ssl_step(tls, err) : raw_step(POLLOUT, raw, err); io != Io::kOk) return io;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return Io::kOk;
  }
  // Bytes read into buf (*n, 0 at the end of the stream).
  Io read_some(char* buf, size_t cap, long* n, std::string* err) {
    int len = static_cast<int>(std::min<size_t>(cap, INT_MAX));
    auto raw = [&] { return *n = ::read(fd_, buf, cap); };
    if (!ssl_) return raw_step(POLLIN, raw, err);
    Io io = ssl_step([&] { return *n = SSL_read(ssl_, buf, len); }, err);
    if (io == Io::kError && eof_) *n = 0, io = Io::kOk;  // close_notify or a bare close: EOF
    return io;
  }

 private:
  // Retries a non-blocking system call until it makes progress or the deadline passes.
  template <class F>
  Io raw_step(short events, F call, std::string* err) {
    for (;;) {
      if (call() >= 0) return Io::kOk;
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return *err = errno_text(errno), Io::kError;
      if (Io io = wait_fd(fd_, events, deadline_); io != Io::kOk) return io;
    }
  }
  template <class F>
  Io ssl_step(F call, std::string* err) {
    for (;;) {
      ERR_clear_error();
      long r = call();
      if (r > 0) return Io::kOk;
      int e = SSL_get_error(ssl_, static_cast<int>(r));
      short events = e == SSL_ERROR_WANT_READ ? POLLIN : e == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
      if (events == 0) {
        unsigned long code = ERR_get_error();
        const char* reason = code ? ERR_reason_error_string(code) : nullptr;
        eof_ = e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && code == 0);
        *err = reason ? std::string("tls: ") + reason : code ? "tls: handshake failed" : "EOF";
        return Io::kError;
      }
      if (Io io = wait_fd(fd_, events, deadline_); io != Io::kOk) return io;
    }
  }

  int fd_;
  Steady::time_point deadline_;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  bool eof_ = false;
};

// ---- The three kinds --------------------------------------------------------------------------

ProbeOutcome failure(std::string message) { return {ProbeResult::kFailure, std::move(message)}; }

std::string build_request(const json::object& action, const std::string& path,
                          const std::string& authority) {
  std::string host = authority, extra;
  bool ua = false, accept = false;
  if (auto h = action.find("httpHeaders"); h != action.end() && h->value().is_array())
    for (const auto& hv : h->value().as_array()) {
      std::string name = get_string(hv, {"name"}), value = get_string(hv, {"value"}), lower = name;
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      if (name.empty() || name.find_first_of("\r\n:") != name.npos ||
          value.find_first_of("\r\n") != value.npos)
        continue;             // would break the request; upstream's validation rejects these
      if (lower == "host") {  // Go puts it in req.Host
        host = value;
        continue;
      }
      ua = ua || lower == "user-agent";
      accept = accept || lower == "accept";
      extra += name + ": " + value + "\r\n";
    }
  std::string req = "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n";
  if (!ua) req += std::string("User-Agent: ") + kUserAgent + "\r\n";
  if (!accept) req += "Accept: */*\r\n";
  return req + extra + "Connection: close\r\n\r\n";
}

// Reads the response head and returns its status code; on failure *err is Go's text.
Io read_status(Conn& c, int* status, std::string* err) {
  std::string head;
  char buf[4096];
  while (head.find("\r\n\r\n") == head.npos && head.find("\n\n") == head.npos) {
    long n = 0;
    if (Io io = c.read_some(buf, sizeof buf, &n, err); io != Io::kOk) return io;
    if (n == 0) return *err = head.empty() ? "EOF" : "unexpected EOF", Io::kError;
    head.append(buf, static_cast<size_t>(n));
    if (head.size() > kMaxHead) return *err = "net/http: response headers too large", Io::kError;
  }
  std::string line = head.substr(0, head.find_first_of("\r\n"));
  if (line.compare(0, 7, "HTTP/1.") != 0 || line.size() < 12 || line[8] != ' ')
    return *err = "malformed HTTP response \"" + line + "\"", Io::kError;
  std::string code = line.substr(9, 3);
  if (!std::all_of(code.begin(), code.end(), ::isdigit) || (line.size() > 12 && line[12] != ' '))
    return *err = "malformed HTTP status code \"" + code + "\"", Io::kError;
  *status = std::stoi(code);
  return Io::kOk;
}

ProbeOutcome http_probe(const json::object& action, const json::object& container,
                        const std::string& pod_ip, milliseconds timeout) {
  std::string scheme = get_string(action, {"scheme"}, "HTTP");
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), ::tolower);
  std::string host = get_string(action, {"host"}, pod_ip), path = get_string(action, {"path"}, "/");
  if (path.empty() || path[0] != '/') path.insert(0, "/");
  int port = 0;
  std::string err;
  if (!resolve_port(action, container, &port, &err)) return failure(err);
  const std::string url = scheme + "://" + host_port(host, port) + path;
  auto fail = [&](Io io, const std::string& why) {
    return failure("Get \"" + url + "\": " +
                   (io == Io::kTimeout ? "context deadline exceeded (Client.Timeout exceeded "
                                         "while awaiting headers)"
                                       : why));
  };
  if (scheme != "http" && scheme != "https")
    return fail(Io::kError, "unsupported protocol scheme \"" + scheme + "\"");
  const auto deadline = Steady::now() + timeout;
  NoSigpipe no_sigpipe;
  Dialed d = dial(host, port, deadline);
  if (d.fd < 0) return fail(d.io, d.error);
  Conn conn(d.fd, deadline);
  if (scheme == "https")
    if (Io io = conn.start_tls(host, &err); io != Io::kOk) return fail(io, err);
  if (Io io = conn.write_all(build_request(action, path, host_port(host, port)), &err);
      io != Io::kOk)
    return fail(io, err);
  int status = 0;
  if (Io io = read_status(conn, &status, &err); io != Io::kOk) return fail(io, err);
  // 3xx: redirects are not followed; upstream reports them as success (a warning).
  if (status >= 200 && status < 400) return {ProbeResult::kSuccess, {}};
  return failure("HTTP probe failed with statuscode: " + std::to_string(status));
}

ProbeOutcome tcp_probe(const json::object& action, const json::object& container,
                       const std::string& pod_ip, milliseconds timeout) {
  int port = 0;
  std::string err;
  if (!resolve_port(action, container, &port, &err)) return failure(err);
  Dialed d = dial(get_string(action, {"host"}, pod_ip), port, Steady::now() + timeout);
  if (d.fd < 0) return failure(d.error);
  ::close(d.fd);  // a completed handshake is all upstream checks
  return {ProbeResult::kSuccess, {}};
}

ProbeOutcome exec_probe(const json::object& action, milliseconds timeout, const ExecFn& exec) {
  std::vector<std::string> cmd;
  if (auto c = action.find("command"); c != action.end() && c->value().is_array())
    for (const auto& a : c->value().as_array())
      if (a.is_string()) cmd.emplace_back(a.as_string());
  if (cmd.empty() || !exec) return failure("exec probe has no command to run");
  std::string output;
  bool timed_out = false;
  int code = exec(cmd, timeout, &output, &timed_out);
  if (timed_out) {  // the CRI's ExecSync deadline error, which upstream reports as the output
    std::string joined;
    for (const auto& a : cmd) joined += (joined.empty() ? "" : " ") + a;
    return failure("command \"" + joined + "\" timed out");
  }
  if (code == 0) return {ProbeResult::kSuccess, output};
  if (code < 0 && output.empty()) return failure("failed to run the probe command");
  return failure(output);  // upstream: the command's combined output is the message
}

}  // namespace

ProbeOutcome run_probe(const json::object& probe, const json::object& container,
                       const std::string& pod_ip, const ExecFn& exec) {
  const milliseconds timeout = probe_seconds(probe, "timeoutSeconds", 1);
  if (const json::object* a = child(probe, "exec")) return exec_probe(*a, timeout, exec);
  if (const json::object* a = child(probe, "httpGet"))
    return http_probe(*a, container, pod_ip, timeout);
  if (const json::object* a = child(probe, "tcpSocket"))
    return tcp_probe(*a, container, pod_ip, timeout);
  // Unknown rather than Failure: a container must not be restarted (liveness) for a probe kind
  // this agent cannot run; readiness stays at its initial Failure.
  if (child(probe, "grpc")) return {ProbeResult::kUnknown, "grpc probes are not supported"};
  return failure("missing probe handler");
}

ProbeWorker::ProbeWorker(const json::object& probe, ProbeResult initial)
    : period_(probe_seconds(probe, "periodSeconds", 10)),
      timeout_(probe_seconds(probe, "timeoutSeconds", 1)),
      initial_delay_(probe_seconds(probe, "initialDelaySeconds", 0, true)),
      success_threshold_(threshold(probe, "successThreshold", 1)),
      failure_threshold_(threshold(probe, "failureThreshold", 3)),
      result_(initial) {}

bool ProbeWorker::due(std::chrono::steady_clock::time_point now,
                      std::chrono::steady_clock::time_point started) const {
  return now >= next_due(started);
}

std::chrono::steady_clock::time_point ProbeWorker::next_due(
    std::chrono::steady_clock::time_point started) const {
  // Upstream skips attempts until initialDelaySeconds after the container started, then runs
  // one every periodSeconds.
  auto first = started + initial_delay_;
  return ran_ ? std::max(first, last_ + period_) : first;
}

bool ProbeWorker::record(ProbeResult r, std::chrono::steady_clock::time_point now) {
  ran_ = true;
  last_ = now;
  if (r == ProbeResult::kUnknown) return false;  // nothing learned (see run_probe)
  // Consecutive runs of the same result (upstream's resultRun); the published result flips
  // only once a run reaches its threshold.
  int& run = r == ProbeResult::kSuccess ? successes_ : failures_;
  (r == ProbeResult::kSuccess ? failures_ : successes_) = 0;
  int needed = r == ProbeResult::kSuccess ? success_threshold_ : failure_threshold_;
  run = std::min(run + 1, needed);  // capped: only "reached" matters, and it cannot overflow
  if (run < needed || result_ == r) return false;
  result_ = r;
  return true;
}

}  // namespace skiff::agent
