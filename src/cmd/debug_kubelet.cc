// `skiff debug-kubelet`: a TEST TOOL, not a kubelet. It serves the kubelet's streaming endpoints
// with src/streaming so the API server's proxy can be tested end to end with the real kubectl
// before the node agent exists: exec runs the command ON THE HOST (execvp, no container, no
// isolation), port-forward dials the port on 127.0.0.1, and containerLogs serves one file for
// every container. Bind it to loopback only.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "cmd/commands.h"
#include "common/flags.h"
#include "common/log.h"
#include "net/http.h"
#include "pki/pki.h"
#include "streaming/portforward.h"
#include "streaming/remotecommand.h"

namespace skiff::cmd {
using namespace streaming;

namespace {

std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop = true; }

struct Flags {
  std::string listen = "127.0.0.1:10250";
  std::string logs_file;
  std::string client_ca_file;  // when set, clients must present a certificate it signed
  std::string port_file;       // the bound port is written here (for --listen HOST:0)
};

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Runs opts.command on the host with pipes for stdin/stdout/stderr.
ExitStatus run_on_host(RemoteCommandSession& s) {
  const auto& o = s.options();
  if (o.command.empty()) return {0, "no command given", true};
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) || ::pipe2(out, O_CLOEXEC) || ::pipe2(err, O_CLOEXEC))
    return {0, std::string("pipe: ") + std::strerror(errno), true};
  pid_t pid = ::fork();
  if (pid < 0) return {0, std::string("fork: ") + std::strerror(errno), true};
  if (pid == 0) {
    ::setpgid(0, 0);
    int devnull = ::open("/dev/null", O_RDONLY);
    ::dup2(o.stdin ? in[0] : devnull, 0);
    ::dup2(out[1], 1);
    ::dup2(o.tty ? out[1] : err[1], 2);
    std::vector<char*> argv;
    for (const auto& a : o.command) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execvp(argv[0], argv.data());
    std::fprintf(stderr, "exec %s: %s\n", argv[0], std::strerror(errno));
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  std::thread stdin_pump([&] {
    char buf[16384];
    long n;
    while (o.stdin && (n = s.read_stdin(buf, sizeof buf)) > 0)
      if (::write(in[1], buf, static_cast<size_t>(n)) < 0) break;
    ::close(in[1]);
  });
  pollfd p[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[16384];
  while (open_fds > 0) {
    if (s.ended()) ::kill(-pid, SIGKILL);
    int r = ::poll(p, 2, 200);
    if (r < 0 && errno != EINTR) break;
    for (int i = 0; i < 2 && r > 0; ++i) {
      if (p[i].fd < 0 || !p[i].revents) continue;
      ssize_t n = ::read(p[i].fd, buf, sizeof buf);
      if (n <= 0) {
        ::close(p[i].fd);
        p[i].fd = -1;
        --open_fds;
        continue;
      }
      std::string_view d(buf, static_cast<size_t>(n));
      (void)(i == 0 ? s.write_stdout(d) : s.write_stderr(d));
    }
  }
  for (auto& q : p)
    if (q.fd >= 0) ::close(q.fd);
  int status = 0;
  ::waitpid(pid, &status, 0);
  s.close_stdin();  // the command is gone: stop waiting for its input
  stdin_pump.join();
  if (WIFEXITED(status)) return {WEXITSTATUS(status), "", false};
  return {128 + WTERMSIG(status), "", false};
}

// GET /containerLogs/{ns}/{pod}/{container}?follow=true&tailLines=N: the logs file.
void serve_logs(const Flags& f, net::Request& req, net::ResponseWriter& w) {
  std::ifstream in(f.logs_file, std::ios::binary);
  if (f.logs_file.empty() || !in) {
    w.respond(404, "text/plain", "no logs file\n");
    return;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string all = ss.str();
  in.clear();
  if (auto t = req.query_param("tailLines"); !t.empty()) {
    long n = std::atol(t.c_str());
    size_t start = n <= 0 ? all.size() : 0;
    long seen = 0;
    for (size_t i = all.size(); n > 0 && i-- > 0;)
      if (all[i] == '\n' && i + 1 != all.size() && ++seen == n) {
        start = i + 1;
        break;
      }
    all = all.substr(start);
  }
  bool follow = req.query_param("follow") == "true";
  if (!w.start_stream(200, "text/plain")) return;
  if (!w.write_chunk(all)) return;
  while (follow && !g_stop && !w.client_gone()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    char buf[16384];
    in.read(buf, sizeof buf);
    if (in.gcount() > 0 && !w.write_chunk(std::string_view(buf, static_cast<size_t>(in.gcount()))))
      return;
    in.clear();
  }
  w.end_stream();
}

void handle(const Flags& f, net::Request& req, net::ResponseWriter& w) {
  if (!f.client_ca_file.empty() && req.cert_user.empty()) {
    w.respond(401, "text/plain", "Unauthorized\n");
    return;
  }
  const std::string& p = req.path;
  if (p == "/healthz") return w.respond(200, "text/plain", "ok");
  if (p.rfind("/containerLogs/", 0) == 0) return serve_logs(f, req, w);
  if (p.rfind("/exec/", 0) == 0 || p.rfind("/attach/", 0) == 0) {
    if (p.rfind("/attach/", 0) == 0) {
      w.respond(400, "text/plain", "attach is not supported by the debug kubelet\n");
      return;
    }
    SKIFF_LOG(INFO) << "debug-kubelet: exec " << req.target;
    return serve_remote_command(req, w, run_on_host);
  }
  if (p.rfind("/portForward/", 0) == 0) {
    SKIFF_LOG(INFO) << "debug-kubelet: port-forward " << req.target;
    return serve_port_forward(req, w, [](uint16_t port, std::string* err) {
      return dial_tcp("127.0.0.1", port, err);
    });
  }
  w.respond(404, "text/plain", "404 page not found\n");
}

}  // namespace

int debug_kubelet_main(int argc, char** argv) {
  Flags f;
  FlagSet flags("skiff debug-kubelet", "[flags]",
                "A TEST TOOL: serves the kubelet's exec and containerLogs endpoints, running commands on\n"
                "this host without any container. Never expose it.");
  flags.string("--listen", &f.listen, "address to serve on", "HOST:PORT")
      .string("--logs-file", &f.logs_file, "the file containerLogs serves", "FILE")
      .string("--client-ca", &f.client_ca_file, "CA of the clients allowed (default: any client)",
              "FILE")
      .string("--port-file", &f.port_file, "write the port served on to this file", "FILE");
  if (auto rc = flags.parse_or_exit(argc, argv)) return *rc;
  auto colon = f.listen.rfind(':');
  if (colon == std::string::npos) {
    return flags.fail("--listen: wants HOST:PORT, not \"" + f.listen + "\"");
  }
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  auto ca = pki::make_ca("skiff-debug-kubelet-ca", 1);
  auto serving = pki::make_serving_cert(ca, "skiff-debug-kubelet", {"localhost"},
                                        {"127.0.0.1"}, 1);
  net::TlsConfig tls{serving.cert_pem, serving.key_pem,
                     f.client_ca_file.empty() ? std::string() : read_file(f.client_ca_file)};
  net::ServerOptions opts;
  opts.bind_address = f.listen.substr(0, colon);
  opts.port = static_cast<uint16_t>(std::atoi(f.listen.c_str() + colon + 1));
  net::HttpsServer server(tls, opts,
                          [&f](net::Request& req, net::ResponseWriter& w) { handle(f, req, w); });
  try {
    server.start();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "debug-kubelet: %s\n", e.what());
    return 1;
  }
  SKIFF_LOG(INFO) << "debug-kubelet (a test tool) listening on " << opts.bind_address << ":"
                  << server.port();
  if (!f.port_file.empty()) {
    std::ofstream pf(f.port_file + ".tmp");
    pf << server.port() << "\n";
    pf.close();
    std::rename((f.port_file + ".tmp").c_str(), f.port_file.c_str());
  }
  while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  server.stop();
  return 0;
}

}  // namespace skiff::cmd
