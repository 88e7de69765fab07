// skiff: one binary for every component; the tool is chosen by argv[0] (a `kubectl` symlink, a
// container monitor started as `skiff-monitor`) or by the first argument (`skiff server ...`).
#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "cmd/commands.h"
#include "common/flags.h"
#include "common/version.h"
#include "kubectl/kubectl.h"
#include "runtime/monitor.h"

namespace {
// The server's allocator: glibc's defaults (8 arenas per core, an mmap threshold that grows to
// 32 MiB as large blocks are freed) keep freed memory in the process, so RSS only ever grows.
// Fewer arenas (one connection thread each no longer means a heap each), and blocks of 128 KiB
// and more always mmapped (so given back on free), keep it near what is in use; the server calls
// malloc_trim(0) after compactions for the free pages inside the heaps. MALLOC_ARENA_MAX and
// MALLOC_MMAP_THRESHOLD_ in the environment still win.
void tune_malloc_for_server() {
  if (!std::getenv("MALLOC_ARENA_MAX")) mallopt(M_ARENA_MAX, 4);
  if (!std::getenv("MALLOC_MMAP_THRESHOLD_")) mallopt(M_MMAP_THRESHOLD, 128 * 1024);
}

void usage() {
  std::fprintf(stderr,
               "skiff: a Kubernetes-compatible container orchestrator in one binary\n\n"
               "usage: skiff COMMAND [ARGS]\n\n"
               "commands:\n"
               "  server              run the control plane (API server on the embedded store,\n"
               "                      scheduler, controller manager)\n"
               "  scheduler           run the scheduler against an API server\n"
               "  controller-manager  run the controllers against an API server\n"
               "  agent               run the node agent (kubelet) for this machine\n"
               "  proxy               run the service proxy (kube-proxy, nftables) for this machine\n"
               "  dns                 run the cluster DNS server (Services, pods; forwards the rest)\n"
               "  node-reset          remove every container and pod network an agent left\n"
               "  sim                 simulated (hollow) nodes for scheduling and scale tests\n"
               "  kubectl             the kubectl tool (also when the binary is called kubectl)\n"
               "  images              import, list, remove and pull images on this node\n"
               "  debug-kubelet       a test tool: kubelet streaming endpoints on the host\n"
               "  version             print the version\n\n"
               "Run `skiff COMMAND --help` for a command's flags.\n");
}
}  // namespace

int main(int argc, char** argv) {
  std::string self = argv[0];
  auto slash = self.rfind('/');
  if (slash != std::string::npos) self = self.substr(slash + 1);
  if (self == "kubectl") return skiff::kubectl::main(argc, argv);
  // The container monitors: the node agent execs this binary as `skiff-monitor <container>`.
  if (skiff::runtime::is_monitor_command(argv[0])) return skiff::runtime::monitor_main(argc, argv);
  if (argc < 2) {
    usage();
    return 2;
  }
  std::string cmd = argv[1];
  if (cmd == "server") {
    tune_malloc_for_server();
    return skiff::cmd::server_main(argc - 1, argv + 1);
  }
  if (cmd == "kubectl") return skiff::kubectl::main(argc - 1, argv + 1);
  if (cmd == "scheduler") return skiff::cmd::scheduler_main(argc - 1, argv + 1);
  if (cmd == "controller-manager") return skiff::cmd::controller_manager_main(argc - 1, argv + 1);
  if (cmd == "agent") return skiff::cmd::agent_main(argc - 1, argv + 1);
  if (cmd == "proxy") return skiff::cmd::proxy_main(argc - 1, argv + 1);
  if (cmd == "dns") return skiff::cmd::dns_main(argc - 1, argv + 1);
  if (cmd == "node-reset") return skiff::cmd::node_reset_main(argc - 1, argv + 1);
  if (cmd == "sim") return skiff::cmd::sim_main(argc - 1, argv + 1);
  if (cmd == "images") return skiff::cmd::images_main(argc - 1, argv + 1);
  if (cmd == "debug-kubelet") return skiff::cmd::debug_kubelet_main(argc - 1, argv + 1);
  if (cmd == "version" || cmd == "--version") {
    skiff::FlagSet flags("skiff version", "", "Prints the version.");
    if (auto rc = flags.parse_or_exit(argc - 1, argv + 1)) return *rc;
    std::printf("skiff version %s (Kubernetes API %s, commit %s)\n", skiff::kSkiffVersion,
                skiff::kKubeGitVersion, skiff::kSkiffCommit);
    return 0;
  }
  if (cmd == "-h" || cmd == "--help" || cmd == "help") {
    usage();
    return 0;
  }
  std::fprintf(stderr, "skiff: unknown command %s\n\n", cmd.c_str());
  usage();
  return 2;
}
