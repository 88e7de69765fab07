// `skiff sim`: flags, signals, and the HollowNodes that do the work.
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "cmd/commands.h"
#include "common/log.h"
#include "common/stop_signal.h"
#include "sim/sim.h"

namespace skiff::cmd {
using namespace sim;


int sim_main(int argc, char** argv) {
  bool help = false;
  auto parsed = parse_sim_flags(argc, argv, &help);
  if (help) {
    std::fputs(sim_usage().c_str(), stdout);
    return 0;
  }
  if (!parsed) {
    std::fprintf(stderr, "skiff sim: %s (see skiff sim --help)\n", parsed.error().message.c_str());
    return 2;
  }
  SimConfig cfg = std::move(*parsed);
  if (cfg.verbose) set_log_level(LogLevel::DEBUG);
  auto ccfg = client::Config::from_kubeconfig(cfg.kubeconfig);
  if (!ccfg) {
    std::fprintf(stderr, "skiff sim: reading %s: %s\n", cfg.kubeconfig.c_str(),
                 ccfg.error().message.c_str());
    return 1;
  }
  ccfg->user_agent = "skiff-sim";
  // Every registration, heartbeat and pod worker thread may hold one connection, and so may
  // the two informers (pods, nodes) and the podCIDR fallback.
  ccfg->max_connections = std::max(
      ccfg->max_connections, cfg.workers + heartbeat_threads(cfg) + cfg.registration_threads + 3);

  // Signals are taken synchronously by one thread; every other thread blocks them.
  block_stop_signals();  // threads started below inherit the mask

  client::Client client(*ccfg);
  HollowNodes nodes(client, cfg);
  std::atomic<bool> signalled{false};
  std::thread waiter([&] {
    int sig = wait_stop_signal();
    if (!signalled.exchange(true)) {  // a real signal, not the wake-up after a failed start
      SKIFF_LOG(INFO) << "received " << strsignal(sig) << ", stopping heartbeats (nodes stay)";
      // Requests in flight end when the server answers; a busy server must not hold up the
      // exit, and nothing is left to clean up (the nodes are meant to stay).
      std::thread([] {
        std::this_thread::sleep_for(std::chrono::seconds(3));
        SKIFF_LOG(INFO) << "stopped (requests still in flight abandoned)";
        std::_Exit(0);
      }).detach();
    }
    nodes.stop();
  });
  SKIFF_LOG(INFO) << "skiff sim: " << cfg.nodes << " nodes " << node_name(cfg, 0) << ".."
                  << node_name(cfg, cfg.nodes - 1) << " (cpu " << cfg.cpu << ", memory "
                  << cfg.memory << ", pods " << cfg.pods << ", podCIDR "
                  << (cfg.pod_cidr_wait.count() > 0
                          ? "from node IPAM, own /" + std::to_string(nodes.plan().prefix_length()) +
                                " after " + std::to_string(cfg.pod_cidr_wait.count()) + " ms"
                          : "own /" + std::to_string(nodes.plan().prefix_length()))
                  << ")";
  auto st = nodes.start();
  int rc = 0;
  if (!st && !signalled) {
    SKIFF_LOG(ERROR) << "skiff sim: " << st.error().message;
    rc = 1;
    signalled = true;
    pthread_kill(waiter.native_handle(), SIGTERM);  // wake the waiter so it can be joined
  } else if (st) {
    SKIFF_LOG(INFO) << "running; SIGTERM or Ctrl-C stops the heartbeats";
  }
  waiter.join();
  nodes.stop();
  SKIFF_LOG(INFO) << "stopped";
  return rc;
}

}  // namespace skiff::cmd
