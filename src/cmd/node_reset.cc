// `skiff node-reset`: removes everything a node agent left on this machine (kubeadm reset for
// the node side): every container of its runtime root, the pods' network namespaces, veths,
// address leases, IPC namespaces and volumes, and the pod directories. Images are kept.
// The agent must not be running: node-reset takes the data dir's lock (data_dir_lock.h) first
// and refuses while an agent, even one still shutting down, holds it.
#include <cstdio>
#include <filesystem>
#include <string>

#include "agent/context.h"
#include "agent/data_dir_lock.h"
#include "agent/flannel.h"
#include "proxy/proxy.h"
#include "agent/sandbox.h"
#include "agent/volumes.h"
#include "cmd/commands.h"
#include "common/flags.h"
#include "runtime/runtime.h"

namespace skiff::cmd {
using namespace agent;  // the node agent's parts this command takes apart

namespace fs = std::filesystem;

int node_reset_main(int argc, char** argv) {
  std::string data_dir = "/var/lib/skiff/agent", rt;
  FlagSet flags("skiff node-reset", "[flags]",
                "Stops and removes every container, pod network and volume the node agent with data\n"
                "dir DIR left behind. Stop the agent (or `skiff server`) first. Images are kept.");
  flags.string("--data-dir", &data_dir, "the agent's data dir", "DIR")
      .choice("--runtime", &rt, {"crun", "runc"}, "OCI runtime (default: crun when installed)");
  if (auto rc = flags.parse_or_exit(argc, argv)) return *rc;
  std::error_code ec;
  if (!fs::exists(data_dir, ec)) {
    std::printf("nothing to reset: %s does not exist\n", data_dir.c_str());
    return 0;
  }
  DataDirLock::Holder holder;
  std::string lock_err;
  auto lock = DataDirLock::try_acquire(data_dir, "node-reset", &holder, &lock_err);
  if (!lock && !lock_err.empty()) {
    std::fprintf(stderr, "node-reset: %s\n", lock_err.c_str());
    return 1;
  }
  if (!lock) {
    std::string who = holder.pid > 0 ? " (pid " + std::to_string(holder.pid) + ")" : "";
    if (holder.role == "node-reset")
      std::fprintf(stderr, "node-reset: another skiff node-reset%s is resetting data dir %s\n",
                   who.c_str(), data_dir.c_str());
    else
      std::fprintf(stderr,
                   "node-reset: the node agent%s is still running with data dir %s; stop it first "
                   "(make down / kill the skiff server) and run node-reset again\n",
                   who.c_str(), data_dir.c_str());
    return 1;
  }
  auto host = runtime::detect_host();
  runtime::Status st;
  auto runtime = runtime::make_oci_runtime({data_dir + "/runtime", rt, ""}, host, &st);
  int failures = 0, containers = 0, pods = 0;
  if (runtime) {
    for (const auto& id : runtime->list()) {
      auto s = runtime->remove(id);
      if (s.ok() || s.is_not_found()) {
        ++containers;
      } else {
        ++failures;
        std::fprintf(stderr, "container %s: %s\n", id.c_str(), s.message().c_str());
      }
    }
  } else {
    std::fprintf(stderr, "no runtime (%s): containers not removed\n", st.message().c_str());
    ++failures;
  }
  NodeContext ctx;
  ctx.options.data_dir = data_dir;
  runtime::NetworkConfig nc;
  nc.run_dir = data_dir + "/run";
  nc.ipam_dir = data_dir + "/ipam";
  ctx.set_network(std::make_shared<runtime::PodNetwork>(nc));
  for (const auto& e : fs::directory_iterator(data_dir + "/pods", ec)) {
    std::string uid = e.path().filename().string();
    PodVolumes vols(e.path().string());
    std::string err;
    if (!vols.tear_down(&err)) {
      ++failures;
      std::fprintf(stderr, "pod %s: volumes: %s\n", uid.c_str(), err.c_str());
    }
    teardown_sandbox(ctx, uid);
    fs::remove_all(e.path(), ec);
    ++pods;
  }
  // flannel routes (proto 157), flannel.1 and the masquerade table of this network namespace, if any.
  if (auto err = Flannel::remove_all(); !err.empty()) {
    ++failures;
    std::fprintf(stderr, "flannel network: %s\n", err.c_str());
  }
  if (auto err = proxy::Proxy::remove_table(); !err.empty()) {
    ++failures;
    std::fprintf(stderr, "service proxy: %s\n", err.c_str());
  }
  std::printf("removed %d container(s) and %d pod(s) from %s\n", containers, pods, data_dir.c_str());
  return failures ? 1 : 0;
}

}  // namespace skiff::cmd
