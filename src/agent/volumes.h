// Pod volumes on the node (upstream: pkg/volume/{emptydir,hostpath,configmap,secret,downwardapi,
// projected}). Every volume lives under <pod_dir>/volumes/<name>; set_up() creates or refreshes
// them before containers start (and again periodically, so configMap/secret/downwardAPI updates
// propagate), mounts() says what to bind into a container, tear_down() removes them after the
// pod's containers are gone.
//
// Files of configMap, secret, downwardAPI and projected volumes are written as upstream's
// AtomicWriter does: the payload goes into a new timestamped directory "..<ts>", the symlink
// "..data" is swapped to it with a rename, and each top-level name is a symlink into "..data",
// so a container never sees half an update. emptyDir with medium Memory and secret volumes are
// tmpfs mounts (projected volumes too, as upstream, since they usually carry secrets).
#pragma once
#include <string>
#include <vector>

#include "agent/env.h"
#include "agent/volume_token.h"
#include "common/json.h"
#include "runtime/bundle.h"

namespace skiff::agent {

class PodVolumes {
 public:
  // pod_dir: <agent data dir>/pods/<pod uid>; created when missing.
  explicit PodVolumes(std::string pod_dir);

  // Creates every volume of `pod` or refreshes its contents. Supported: emptyDir (medium ""
  // or "Memory", sizeLimit as the tmpfs size), hostPath (types "", DirectoryOrCreate, Directory,
  // FileOrCreate, File, Socket, CharDevice, BlockDevice, checked as upstream), configMap and
  // secret (items, defaultMode, mode per item, optional), downwardAPI (fieldRef and
  // resourceFieldRef items), projected (configMap, secret, downwardAPI and serviceAccountToken
  // sources: a token bound to the pod, from request_token, kept and renewed by
  // token_needs_refresh on later calls; a failed renewal keeps the old token while it is
  // valid). Returns false with *err (upstream's wording,
  // e.g. `configmap "greet" not found`, `hostPath type check failed: /x is not a directory`)
  // when a required source is missing; volumes already set up stay.
  bool set_up(const json::object& pod, const PodFacts& facts, const ObjectGetter& get,
              std::string* err, const TokenRequester& request_token = {});

  // The bind mounts for `container`'s volumeMounts (mountPath, readOnly, subPath; configMap,
  // secret, downwardAPI and projected volumes are always read-only). false with *err for a mount
  // naming an unknown volume or a subPath escaping the volume. A missing subPath is created as a
  // directory inside the volume (as upstream); subPathExpr is not supported (an error).
  bool mounts(const json::object& pod, const json::object& container,
              std::vector<runtime::MountSpec>* out, std::string* err) const;

  // Unmounts tmpfs volumes and removes <pod_dir>/volumes. Never follows hostPath volumes
  // (they are not under pod_dir). Ok when nothing was set up.
  bool tear_down(std::string* err);

  // The directory of volume `name`.
  std::string volume_dir(const std::string& name) const;

 private:
  std::string pod_dir_;
  ProjectedTokens tokens_;  // used by the pod worker's thread only
};

}  // namespace skiff::agent
