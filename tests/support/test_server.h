// A real `skiff server` for integration tests: a child process in a temporary directory on a
// free loopback port, started with --no-agent plus whatever flags the test adds, and a client
// Config for its admin.kubeconfig once /readyz answers. The binary is $SKIFF_BIN, else the
// `skiff` next to the test executable; tests skip when there is none.
//
// Most tests get one through the gtest fixtures in server_test.h; by hand:
//   TestServer server({.name = "skiff-foo", .args = {"--disable-scheduler"}});
//   if (!server.start()) { ... server.error(), server.skipped() ... }
//   auto client = server.client();
//   // ~TestServer stops the server and removes its directory.
//
// Not thread-safe: one test thread owns a TestServer.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "client/client.h"

namespace skiff::testsupport {

// A loopback port nothing listens on right now (bound to port 0 and released).
int free_port();

// $SKIFF_BIN, else the `skiff` next to the running executable ("" when that cannot be read).
std::string skiff_binary();

// Polls pred every `every` until it holds or `within` has passed; the last call decides.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds within = std::chrono::seconds(10),
                std::chrono::milliseconds every = std::chrono::milliseconds(20)) {
  auto end = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(every);
  }
  return pred();
}

class TestServer {
 public:
  struct Options {
    std::string name = "skiff-test";  // prefix of the temporary directory
    std::vector<std::string> args{};  // after the common flags, e.g. "--disable-scheduler"
    std::chrono::milliseconds ready_timeout = std::chrono::seconds(60);
  };

  TestServer() : TestServer(Options{}) {}
  explicit TestServer(Options opts);
  // Stops the server (SIGTERM, SIGKILL after 5 s) and removes the directory unless kept.
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  // Spawns the server and waits until its kubeconfig loads and /readyz answers. On false,
  // error() says why (pointing at the server log) and skipped() whether that is only a missing
  // binary, which a test reports with GTEST_SKIP rather than as a failure.
  bool start();
  // SIGTERM, then SIGKILL if it has not exited within 5 s. Idempotent.
  void stop();
  bool running() const { return pid_ > 0; }
  bool ready() const { return ready_; }  // the last start() succeeded and stop() came not since
  bool skipped() const { return skipped_; }
  const std::string& error() const { return error_; }

  // Keep the directory after destruction (e.g. keep_dir(HasFailure()) in TearDown). It is also
  // kept when $SKIFF_KEEP_TEST_DIR is set.
  void keep_dir(bool keep) { keep_dir_ = keep; }

  const std::string& dir() const { return dir_; }  // holds data/ and server.log
  std::string data_dir() const { return dir_ + "/data"; }
  std::string log_path() const { return dir_ + "/server.log"; }
  std::string kubeconfig_path() const { return data_dir() + "/admin.kubeconfig"; }
  int port() const { return port_; }
  // Valid after a successful start().
  const client::Config& config() const { return cfg_; }
  std::unique_ptr<client::Client> client() const { return std::make_unique<client::Client>(cfg_); }

 private:
  Options opts_;
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = 0;
  bool keep_dir_ = false;
  bool ready_ = false, skipped_ = false;
  std::string error_;
  client::Config cfg_;
};

}  // namespace skiff::testsupport
