#include "agent/kubelet_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <thread>

#include "agent/logs.h"
#include "common/log.h"
#include "net/http.h"
#include "pki/pki.h"
#include "streaming/portforward.h"
#include "streaming/remotecommand.h"

namespace skiff::agent {
namespace {

std::vector<std::string> split_path(const std::string& p) {
  std::vector<std::string> out;
  std::stringstream ss(p);
  for (std::string s; std::getline(ss, s, '/');)
    if (!s.empty()) out.push_back(s);
  return out;
}

bool authorized(const net::Request& req) {
  if (req.cert_user == "kube-apiserver-kubelet-client") return true;
  for (const auto& g : req.cert_groups)
    if (g == "system:masters") return true;
  return false;
}

// Copies everything readable from fd to the session until EOF.
void pump_out(int fd, streaming::RemoteCommandSession& s, bool err) {
  char buf[16384];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    std::string_view d(buf, static_cast<size_t>(n));
    if (!(err ? s.write_stderr(d) : s.write_stdout(d))) break;
  }
}

void pump_in(int fd, streaming::RemoteCommandSession& s) {
  char buf[16384];
  long n;
  while ((n = s.read_stdin(buf, sizeof buf)) > 0)
    if (::write(fd, buf, static_cast<size_t>(n)) < 0) break;
}

streaming::ExitStatus run_exec(runtime::Runtime& rt, const std::string& id,
                               streaming::RemoteCommandSession& s) {
  const auto& o = s.options();
  if (o.command.empty()) return {0, "command is required", true};
  runtime::ExecIO io;
  int code = -1;
  runtime::Status st;
  if (o.tty) {
    std::thread out, in, resize;
    io.tty = true;
    io.on_tty = [&](int master) {
      out = std::thread([&s, master] { pump_out(master, s, false); });
      in = std::thread([&s, master] { pump_in(master, s); });
      resize = std::thread([&s, master] {
        while (auto ts = s.next_resize()) {
          winsize ws{};
          ws.ws_col = ts->width;
          ws.ws_row = ts->height;
          ::ioctl(master, TIOCSWINSZ, &ws);
        }
      });
    };
    st = rt.exec(id, o.command, io, &code);
    if (out.joinable()) out.join();  // EIO once the terminal's last user is gone
    s.close_stdin();
    s.end();
    if (in.joinable()) in.join();
    if (resize.joinable()) resize.join();
  } else {
    int in_p[2] = {-1, -1}, out_p[2] = {-1, -1}, err_p[2] = {-1, -1};
    if ((o.stdin && ::pipe2(in_p, O_CLOEXEC)) || ::pipe2(out_p, O_CLOEXEC) ||
        ::pipe2(err_p, O_CLOEXEC))
      return {0, std::string("pipe: ") + std::strerror(errno), true};
    io.stdin_fd = in_p[0];
    io.stdout_fd = out_p[1];
    io.stderr_fd = err_p[1];
    std::thread out([&] { pump_out(out_p[0], s, false); });
    std::thread err([&] { pump_out(err_p[0], s, true); });
    std::thread in;
    if (o.stdin) in = std::thread([&] {
      pump_in(in_p[1], s);
      ::close(in_p[1]);
      in_p[1] = -1;
    });
    st = rt.exec(id, o.command, io, &code);
    ::close(out_p[1]);
    ::close(err_p[1]);
    if (in_p[0] >= 0) ::close(in_p[0]);
    out.join();
    err.join();
    ::close(out_p[0]);
    ::close(err_p[0]);
    s.close_stdin();
    if (in.joinable()) in.join();
    if (in_p[1] >= 0) ::close(in_p[1]);
  }
  if (!st.ok()) return {0, st.message(), true};
  return {code, "", false};
}

// The log options of a containerLogs request (its query string); false with *err.
bool request_log_options(const net::Request& req, LogOptions* lo, std::string* err) {
  auto q = req.target.find('?');
  return parse_log_options(q == std::string::npos ? "" : std::string_view(req.target).substr(q + 1),
                           lo, err);
}

bool wants_previous(const net::Request& req) {
  return req.query_param("previous") == "true" || req.query_param("previous") == "1";
}

}  // namespace

int dial_in_netns(const std::string& netns_path, uint16_t port, std::string* err) {
  int fd = -1;
  // setns affects only the calling thread: a short-lived thread enters the pod's namespace and
  // makes the socket there; the socket stays in that namespace after the thread is gone.
  std::thread t([&] {
    if (!netns_path.empty() && netns_path != "host") {
      int ns = ::open(netns_path.c_str(), O_RDONLY | O_CLOEXEC);
      if (ns < 0 || ::setns(ns, CLONE_NEWNET) != 0) {
        *err = "enter network namespace: " + std::string(std::strerror(errno));
        if (ns >= 0) ::close(ns);
        return;
      }
      ::close(ns);
    }
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      *err = "failed to connect to localhost:" + std::to_string(port) +
             " inside namespace: " + std::strerror(errno);
      ::close(fd);
      fd = -1;
    }
  });
  t.join();
  return fd;
}

struct KubeletRequest {
  net::Request& req;
  net::ResponseWriter& w;
};

KubeletServer::KubeletServer(NodeContext& ctx, WorkerLookup lookup, PodLister list,
                             MirrorLogLookup mirror_logs)
    : ctx_(ctx), lookup_(std::move(lookup)), list_(std::move(list)), mirror_logs_(std::move(mirror_logs)) {}

KubeletServer::~KubeletServer() { stop(); }

void KubeletServer::start() {
  auto ca = pki::make_ca(ctx_.options.node_name + "-kubelet-ca", 3650);
  std::vector<std::string> ips = {ctx_.host_ip};
  if (ctx_.host_ip != "127.0.0.1") ips.push_back("127.0.0.1");
  auto serving = pki::make_serving_cert(ca, ctx_.options.node_name, {ctx_.options.node_name, "localhost"},
                                        ips, 365);
  net::ServerOptions opts;
  opts.bind_address = ctx_.options.kubelet_address;
  opts.port = static_cast<uint16_t>(ctx_.options.kubelet_port);
  server_ = std::make_unique<net::HttpsServer>(
      net::TlsConfig{serving.cert_pem, serving.key_pem, ctx_.options.client_ca_pem}, opts,
      [this](net::Request& req, net::ResponseWriter& w) {
        KubeletRequest kr{req, w};
        try {
          handle(kr);
        } catch (const std::exception& e) {
          SKIFF_LOG(WARN) << "kubelet server: " << req.target << ": " << e.what();
        }
      });
  server_->start();
}

void KubeletServer::stop() {
  if (server_) server_->stop();
  server_.reset();
}

uint16_t KubeletServer::port() const { return server_ ? server_->port() : 0; }

void KubeletServer::handle(KubeletRequest& kr) {
  auto& req = kr.req;
  auto& w = kr.w;
  if (req.cert_user.empty()) return w.respond(401, "text/plain", "Unauthorized\n");
  if (!authorized(req))
    return w.respond(403, "text/plain",
                     "Forbidden (user=" + req.cert_user + ", verb=get, resource=nodes, subresource=proxy)\n");
  auto parts = split_path(req.path);
  if (req.path == "/healthz") return w.respond(200, "text/plain", "ok");
  if (req.path == "/pods" || req.path == "/pods/") {
    json::object list{{"kind", "PodList"}, {"apiVersion", "v1"}, {"metadata", json::object{}},
                      {"items", list_()}};
    return w.respond(200, "application/json", json::serialize(list));
  }
  if (parts.empty()) return w.respond(404, "text/plain", "404 page not found\n");
  const std::string& kind = parts[0];
  if ((kind == "containerLogs" && parts.size() != 4) ||
      ((kind == "exec" || kind == "attach") && parts.size() != 4 && parts.size() != 5) ||
      (kind == "portForward" && parts.size() != 3 && parts.size() != 4) ||
      (kind != "containerLogs" && kind != "exec" && kind != "attach" && kind != "portForward"))
    return w.respond(404, "text/plain", "404 page not found\n");
  auto worker = lookup_(parts[1], parts[2]);
  if (!worker && mirror_logs_) {
    if (auto log = mirror_logs_(parts[1], parts[2], parts.back()))
      return serve_mirror(kr, kind, *log);
  }
  if (!worker) return w.respond(404, "text/plain", "pod " + parts[1] + "/" + parts[2] + " not found\n");
  if (kind == "portForward") {
    std::string netns = worker->netns();
    return streaming::serve_port_forward(req, w, [netns](uint16_t port, std::string* err) {
      return dial_in_netns(netns, port, err);
    });
  }
  const std::string& cname = parts.back();
  auto info = worker->container(cname);
  if (kind == "containerLogs") {
    LogOptions lo;
    std::string err;
    if (!request_log_options(req, &lo, &err)) return w.respond(400, "text/plain", err + "\n");
    bool previous = wants_previous(req);
    std::string path = !info ? "" : previous ? info->previous_log : info->log_path;
    if (path.empty())
      return w.respond(400, "text/plain",
                       previous ? "previous terminated container \"" + cname + "\" in pod \"" +
                                      parts[2] + "\" not found\n"
                                : "container \"" + cname + "\" in pod \"" + parts[2] +
                                      "\" is waiting to start: ContainerCreating\n");
    if (!w.start_stream(200, "text/plain")) return;
    auto keep = [&, previous] {
      if (previous || w.client_gone()) return false;
      auto now = worker->container(cname);
      return now && now->running && now->log_path == path;
    };
    if (!write_logs(path, lo, [&](std::string_view d) { return w.write_chunk(d); }, keep))
      w.write_chunk("");
    w.end_stream();
    return;
  }
  if (!info || !info->running) {
    return streaming::serve_remote_command(req, w, [&](streaming::RemoteCommandSession&) {
      return streaming::ExitStatus{0, "container " + cname + " is not running", true};
    });
  }
  std::string id = info->id;
  if (kind == "exec") {
    SKIFF_LOG(INFO) << "exec in " << parts[1] << "/" << parts[2] << "/" << cname;
    return streaming::serve_remote_command(req, w, [&](streaming::RemoteCommandSession& s) {
      return run_exec(*ctx_.runtime, id, s);
    });
  }
  // attach: the main process's output as it is written (its stdin is not connected).
  std::string log = info->log_path;
  streaming::serve_remote_command(req, w, [&](streaming::RemoteCommandSession& s) {
    LogOptions lo;
    lo.follow = true;
    lo.tail_lines = 0;
    write_logs(log, lo, [&](std::string_view d) { return s.write_stdout(d); }, [&] {
      auto now = worker->container(cname);
      return !s.ended() && now && now->running && now->log_path == log;
    });
    return streaming::ExitStatus{0, "", false};
  });
}

// A mirror pod's container is a component of this process: its log is the component's log
// file (followed until the client leaves: the component runs as long as this process).
void KubeletServer::serve_mirror(KubeletRequest& kr, const std::string& kind, const std::string& log) {
  auto& req = kr.req;
  auto& w = kr.w;
  if (kind != "containerLogs")
    return w.respond(400, "text/plain",
                     "this is a mirror pod: its component runs inside the skiff process on the "
                     "node, so " + kind + " is not available\n");
  LogOptions lo;
  std::string err;
  if (!request_log_options(req, &lo, &err)) return w.respond(400, "text/plain", err + "\n");
  if (wants_previous(req))
    return w.respond(400, "text/plain", "previous terminated container not found (a mirror pod's "
                                        "component has never restarted)\n");
  if (!w.start_stream(200, "text/plain")) return;
  if (!write_logs(log, lo, [&](std::string_view d) { return w.write_chunk(d); },
                  [&] { return !w.client_gone(); }))
    w.write_chunk("");
  w.end_stream();
}

}  // namespace skiff::agent
