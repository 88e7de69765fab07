// `skiff scheduler --kubeconfig FILE [flags]`: the scheduler as its own process, in the
// foreground, logging to stderr, until SIGTERM or SIGINT.
#include <atomic>
#include <csignal>
#include <memory>
#include <cstring>
#include <iostream>
#include <string>

#include "client/client.h"
#include "client/leader_election.h"
#include "cmd/commands.h"
#include "common/flags.h"
#include "common/log.h"
#include "common/stop_signal.h"
#include "scheduler/scheduler.h"

namespace skiff::cmd {

int scheduler_main(int argc, char** argv) {
  std::string kubeconfig, name = "default-scheduler";
  bool leader_elect = true, verbose = false;
  FlagSet flags("skiff scheduler", "--kubeconfig FILE [flags]",
                "Runs the scheduler against an API server in the foreground, logging to stderr, until\n"
                "SIGTERM or SIGINT.");
  flags.string("--kubeconfig", &kubeconfig, "credentials for the API server (required)", "FILE")
      .string("--scheduler-name", &name, "the spec.schedulerName of the pods this one binds", "NAME")
      .boolean("--leader-elect", &leader_elect,
               "run only while holding the Lease kube-system/kube-scheduler")
      .boolean("--verbose", &verbose, "debug logging")
      .alias("-v", "--verbose");
  if (auto rc = flags.parse_or_exit(argc, argv)) return *rc;
  if (verbose) set_log_level(LogLevel::DEBUG);
  if (kubeconfig.empty()) return flags.fail("--kubeconfig is required");
  auto cfg = client::Config::from_kubeconfig(kubeconfig);
  if (!cfg) {
    std::cerr << "skiff scheduler: " << cfg.error().message << "\n";
    return 1;
  }
  cfg->user_agent = "skiff-scheduler";

  block_stop_signals();  // threads started below inherit the mask

  client::Client c(*cfg);
  scheduler::Scheduler s(c, name);
  // With leader election the scheduler runs only while it holds kube-system/kube-scheduler; a
  // lost lease ends the process, as upstream's "leaderelection lost".
  std::unique_ptr<client::LeaderElector> elector;
  std::atomic<bool> stopping{false};
  if (leader_elect) {
    client::LeaderElectionConfig lc;
    lc.lease_name = "kube-scheduler";
    lc.on_started_leading = [&s] { s.start(); };
    lc.on_stopped_leading = [&s, &stopping] {
      s.stop();
      if (stopping) return;
      SKIFF_LOG(ERROR) << "scheduler: leaderelection lost";
      std::_Exit(1);
    };
    elector = std::make_unique<client::LeaderElector>(c, std::move(lc));
    elector->start();
  } else {
    s.start();
  }
  int sig = wait_stop_signal();
  SKIFF_LOG(INFO) << "scheduler: signal " << sig << ", stopping";
  stopping = true;
  if (elector) elector->stop();  // stops the scheduler, then releases the lease
  s.stop();
  return 0;
}

}  // namespace skiff::cmd
