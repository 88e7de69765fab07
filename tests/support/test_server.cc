#include "support/test_server.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace skiff::testsupport {
namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
}  // namespace

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  close(fd);
  return port;
}

std::string skiff_binary() {
  if (const char* env = std::getenv("SKIFF_BIN"); env && *env) return env;
  std::error_code ec;
  auto self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : (self.parent_path() / "skiff").string();
}

TestServer::TestServer(Options opts) : opts_(std::move(opts)) {}

TestServer::~TestServer() {
  stop();
  if (dir_.empty()) return;
  if (keep_dir_ || std::getenv("SKIFF_KEEP_TEST_DIR")) {
    std::fprintf(stderr, "test server directory kept: %s\n", dir_.c_str());
    return;
  }
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

bool TestServer::start() {
  auto fail = [this](std::string why) {
    error_ = std::move(why);
    return false;
  };
  if (running()) return fail("test server already running");
  ready_ = skipped_ = false;
  error_.clear();
  const std::string bin = skiff_binary();
  if (bin.empty() || access(bin.c_str(), X_OK) != 0) {
    skipped_ = true;
    return fail("no skiff binary at \"" + bin + "\" (set SKIFF_BIN)");
  }
  if (dir_.empty()) {
    std::string t = (fs::temp_directory_path() / (opts_.name + "-XXXXXX")).string();
    if (!mkdtemp(t.data())) return fail("mkdtemp " + t + ": " + std::strerror(errno));
    dir_ = t;
    std::error_code ec;
    fs::create_directories(data_dir(), ec);
    if (ec) return fail("mkdir " + data_dir() + ": " + ec.message());
  }
  if (port_ == 0) port_ = free_port();
  if (port_ == 0) return fail("no free port");

  // Everything the child needs is prepared before fork(): between fork and exec only
  // async-signal-safe calls are allowed (other test threads may hold malloc's locks).
  std::vector<std::string> args = {bin,           "server",    "--data-dir", data_dir(),
                                   "--bind-address", "127.0.0.1", "--port",  std::to_string(port_),
                                   "--no-agent"};
  args.insert(args.end(), opts_.args.begin(), opts_.args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string log = log_path();
  const pid_t parent = getpid();

  pid_t pid = fork();
  if (pid < 0) return fail(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    // The server dies with the thread that started it, even when the test process crashes
    // and never reaches a destructor.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      if (fd > 2) close(fd);
    }
    execv(argv[0], argv.data());
    _exit(127);
  }
  pid_ = pid;

  std::unique_ptr<client::Client> probe;
  const auto deadline = Clock::now() + opts_.ready_timeout;
  while (Clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = 0;
      std::string how = WIFEXITED(status) ? "with status " + std::to_string(WEXITSTATUS(status))
                                          : "on signal " + std::to_string(WTERMSIG(status));
      return fail("skiff server exited early " + how + "; see " + log);
    }
    if (!probe && fs::exists(kubeconfig_path())) {
      // Retried until it parses: the file may still be being written.
      if (auto cfg = client::Config::from_kubeconfig(kubeconfig_path())) {
        cfg_ = *cfg;
        probe = std::make_unique<client::Client>(cfg_);
      }
    }
    if (probe && probe->request("GET", "/readyz")) return ready_ = true;
    std::this_thread::sleep_for(50ms);
  }
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(opts_.ready_timeout).count();
  return fail("skiff server not ready within " + std::to_string(secs) + " s; see " + log);
}

void TestServer::stop() {
  ready_ = false;
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  int status = 0;
  bool exited = false;
  for (int i = 0; i < 100 && !exited; ++i) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) exited = true;
    else std::this_thread::sleep_for(50ms);
  }
  if (!exited) {
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
  }
  pid_ = 0;
}

}  // namespace skiff::testsupport
