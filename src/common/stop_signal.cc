#include "common/stop_signal.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>

namespace skiff {
namespace {
std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop = true; }
}  // namespace

void install_stop_handlers() {
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
}

bool stop_requested() { return g_stop; }

void wait_for_stop() {
  while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(200));
}
}  // namespace skiff
