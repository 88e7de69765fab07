// `skiff scheduler --kubeconfig FILE [--scheduler-name NAME] [--leader-elect=false] [-v]`: the scheduler as its own
// process, in the foreground, logging to stderr, until SIGTERM or SIGINT.
#include <atomic>
#include <csignal>
#include <memory>
#include <cstring>
#include <iostream>
#include <string>

#include "client/client.h"
#include "client/leader_election.h"
#include "common/log.h"
#include "scheduler/scheduler.h"

namespace skiff::scheduler {
namespace {
int usage() {
  std::cerr << "usage: skiff scheduler --kubeconfig FILE [--scheduler-name NAME] "
               "[--leader-elect=false] [-v]\n";
  return 2;
}
}  // namespace
}  // namespace skiff::scheduler

int scheduler_main(int argc, char** argv) {
  using namespace skiff;
  std::string kubeconfig, name = "default-scheduler";
  bool leader_elect = true;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const std::string& flag, std::string& out) {
      if (a == flag && i + 1 < argc) {
        out = argv[++i];
        return true;
      }
      if (a.rfind(flag + "=", 0) == 0) {
        out = a.substr(flag.size() + 1);
        return true;
      }
      return false;
    };
    if (value("--kubeconfig", kubeconfig) || value("--scheduler-name", name)) continue;
    if (a == "--leader-elect" || a.rfind("--leader-elect=", 0) == 0) {
      leader_elect = a == "--leader-elect" || a.substr(15) != "false";
      continue;
    }
    if (a == "-v" || a == "--verbose") {
      set_log_level(LogLevel::DEBUG);
      continue;
    }
    if (a == "scheduler" && i == 1) continue;  // invoked as `skiff scheduler ...` with argv intact
    if (a == "-h" || a == "--help") return scheduler::usage();
    std::cerr << "skiff scheduler: unknown flag " << a << "\n";
    return scheduler::usage();
  }
  if (kubeconfig.empty()) return scheduler::usage();
  auto cfg = client::Config::from_kubeconfig(kubeconfig);
  if (!cfg) {
    std::cerr << "skiff scheduler: " << cfg.error().message << "\n";
    return 1;
  }
  cfg->user_agent = "skiff-scheduler";

  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // threads started below inherit the mask

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
  int sig = 0;
  sigwait(&set, &sig);
  SKIFF_LOG(INFO) << "scheduler: signal " << sig << ", stopping";
  stopping = true;
  if (elector) elector->stop();  // stops the scheduler, then releases the lease
  s.stop();
  return 0;
}
