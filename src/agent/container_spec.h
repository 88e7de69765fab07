// Translation of one container of a pod (plus its image and the pod sandbox) into the runtime's
// ContainerSpec, as upstream's kuberuntime does (generateContainerConfig + the OCI spec opts of
// containerd's CRI plugin): command/args vs. the image's entrypoint/cmd, $(VAR) expansion, user,
// working dir, capabilities, privileges, resources as cgroup limits, oom_score_adj by QoS class.
#pragma once
#include <string>
#include <vector>

#include "common/json.h"
#include "images/images.h"
#include "runtime/bundle.h"

namespace skiff::agent {

struct SpecInputs {
  const json::object* pod = nullptr;
  const json::object* container = nullptr;
  const images::Image* image = nullptr;
  std::vector<std::string> env;                // resolved, image env included
  std::vector<runtime::MountSpec> mounts;      // volumes and the pod's /etc files
  std::string netns, ipcns;                    // paths, or "host"
  std::string upper_dir, work_dir;             // the container's writable layer
  int64_t node_memory_bytes = 0;               // for Burstable oom_score_adj
};

// false with *err (the CreateContainerConfigError message) when the spec cannot be built.
bool build_container_spec(const SpecInputs& in, runtime::ContainerSpec* out, std::string* err);

// What the container runs: command+args, or the image's entrypoint+cmd, expanded.
std::vector<std::string> container_argv(const json::object& container, const images::Image& image,
                                        const std::vector<std::string>& env);

}  // namespace skiff::agent
