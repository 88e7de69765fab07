// The pod sandbox without a pause container: the pod's network namespace (runtime::PodNetwork,
// an address from the node's podCIDR), an IPC namespace pinned by a bind mount so all containers
// share it, and the /etc/hosts, /etc/resolv.conf and /etc/hostname files bound into every
// container. Everything lives under the pod's directory, keyed by the pod UID, so an agent
// restart finds it again (setup is idempotent) and teardown leaves nothing behind.
#pragma once
#include <string>
#include <vector>

#include "agent/context.h"
#include "common/json.h"
#include "runtime/bundle.h"

namespace skiff::agent {

struct PodSandbox {
  std::string netns;  // path, or "host"
  std::string ipcns;  // path, or "host"
  std::string ip;     // the pod IP (the node's for hostNetwork pods)
  std::vector<runtime::MountSpec> etc_mounts;
};

// Creates what is missing (or finds what an earlier agent made). false with *err when the
// network or a namespace cannot be made (the caller retries with back-off).
bool ensure_sandbox(NodeContext& ctx, const json::object& pod, PodSandbox* out, std::string* err);

// Removes the network (veth, namespace, lease), the IPC namespace and the /etc files. Safe to call
// for a pod that never had a sandbox or after a partial setup.
void teardown_sandbox(NodeContext& ctx, const std::string& uid);

}  // namespace skiff::agent
