// `skiff controller-manager`: the controllers (controllers/controller_manager.h) as their own
// process against an API server, in the foreground, until SIGTERM or SIGINT.
#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "client/client.h"
#include "client/leader_election.h"
#include "cmd/commands.h"
#include "common/log.h"
#include "common/stop_signal.h"
#include "controllers/controller_manager.h"
#include "controllers/nodeipam.h"

namespace skiff::cmd {
using controllers::ControllerManager;
using controllers::ControllerOptions;

int controller_manager_main(int argc, char** argv) {
  std::string kubeconfig;
  bool leader_elect = true, verbose = false;
  ControllerOptions opts;
  FlagSet flags("skiff controller-manager", "--kubeconfig FILE [flags]",
                "Runs the controllers against an API server in the foreground until SIGTERM or SIGINT.");
  flags.string("--kubeconfig", &kubeconfig, "credentials for the API server (required)", "FILE")
      .duration("--node-monitor-grace-period", &opts.node_monitor_grace_period,
                "a node whose kubelet has not heartbeated for this long becomes Ready=Unknown",
                std::chrono::milliseconds(1))
      .boolean("--leader-elect", &leader_elect,
               "run only while holding the Lease kube-system/kube-controller-manager")
      .boolean("--verbose", &verbose, "debug logging")
      .alias("-v", "--verbose");
  controllers::add_node_ipam_flags(flags, opts);
  if (auto rc = flags.parse_or_exit(argc, argv)) return *rc;
  if (verbose) set_log_level(LogLevel::DEBUG);
  if (auto st = controllers::check_node_ipam_options(opts); !st) return flags.fail(st.error().message);
  if (kubeconfig.empty()) return flags.fail("--kubeconfig is required");
  auto cfg = client::Config::from_kubeconfig(kubeconfig);
  if (!cfg) {
    std::cerr << "controller-manager: " << cfg.error().message << "\n";
    return 1;
  }
  cfg->user_agent = "skiff-controller-manager";
  if (opts.root_ca_pem.empty()) opts.root_ca_pem = cfg->ca_pem;
  // Block the stop signals in every thread; this one waits for them.
  block_stop_signals();  // threads started below inherit the mask
  client::Client client(*cfg);
  ControllerManager cm(client, opts);
  // With leader election the controllers run only while this process holds
  // kube-system/kube-controller-manager; a lost lease ends the process, as upstream's.
  std::unique_ptr<client::LeaderElector> elector;
  std::atomic<bool> stopping{false};
  if (leader_elect) {
    client::LeaderElectionConfig lc;
    lc.lease_name = "kube-controller-manager";
    lc.on_started_leading = [&cm] { cm.start(); };
    lc.on_stopped_leading = [&cm, &stopping] {
      cm.stop();
      if (stopping) return;
      SKIFF_LOG(ERROR) << "controller-manager: leaderelection lost";
      std::_Exit(1);
    };
    elector = std::make_unique<client::LeaderElector>(client, std::move(lc));
    elector->start();
  } else {
    cm.start();
  }
  SKIFF_LOG(INFO) << "controller-manager running against " << cfg->server;
  int sig = wait_stop_signal();
  SKIFF_LOG(INFO) << "controller-manager: signal " << sig << ", stopping";
  stopping = true;
  if (elector) elector->stop();  // stops the controllers, then releases the lease
  cm.stop();
  return 0;
}

}  // namespace skiff::cmd
