// A container's environment as the kubelet builds it (upstream: makeEnvironmentVariables in
// pkg/kubelet/kubelet_pods.go): the image's env, then service links, then envFrom sources, then
// env entries, later names replacing earlier ones; $(VAR) references in env values expanded
// against what came before ($$ escapes, unknown references kept literally).
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "common/api_error.h"
#include "common/json.h"

namespace skiff::agent {

// Reads an object the pod refers to: resource is "configmaps" or "secrets". Errors are the API's
// (404 NotFound when missing).
using ObjectGetter = std::function<Result<json::object>(
    const std::string& resource, const std::string& ns, const std::string& name)>;

// What the kubelet knows about the pod beyond its spec (for fieldRef and resourceFieldRef).
struct PodFacts {
  std::string node_name;
  std::string host_ip;
  std::string pod_ip;
  json::object node_allocatable;  // the node's status.allocatable (limits default to it)
};

// A failure to build the environment: the message is what upstream's kubelet reports as the
// CreateContainerConfigError waiting message, e.g. `configmap "greet" not found` or
// `couldn't find key env in ConfigMap default/greet`.
struct EnvError {
  std::string message;
};

// "NAME=value" strings in order. `base` (the image's env, then service variables) comes first.
// Optional references (optional: true) that are missing are skipped. envFrom keys that are not
// valid environment variable names are skipped (upstream records an event; we do not).
// Returns false with *err set when a required reference is missing.
bool container_env(const json::object& pod, const json::object& container, const PodFacts& facts,
                   const std::vector<std::string>& base, const ObjectGetter& get,
                   std::vector<std::string>* out, EnvError* err);

// The value of a fieldRef path: metadata.name, metadata.namespace, metadata.uid,
// metadata.labels['k'], metadata.annotations['k'], metadata.labels, metadata.annotations
// (the downward-API file format: k="v" lines, sorted), spec.nodeName, spec.serviceAccountName,
// status.hostIP, status.hostIPs, status.podIP, status.podIPs. false for an unsupported path.
bool field_ref_value(const json::object& pod, const std::string& path, const PodFacts& facts,
                     std::string* out);

// The value of a resourceFieldRef ({resource: limits.cpu|limits.memory|limits.ephemeral-storage|
// requests.cpu|requests.memory|requests.ephemeral-storage, divisor}) for `container` (the pod's
// container of that name), rounded up as upstream does (cpu: ceil(value/divisor), default divisor
// 1; memory: ceil(bytes/divisor)). Unset limits fall back to the node's allocatable.
bool resource_field_value(const json::object& container, const json::object& ref,
                          const PodFacts& facts, std::string* out, std::string* err);

// Expands $(VAR) in `s` with `vars` ("NAME=value" entries, the last definition wins): $$ -> $,
// unknown $(X) stays as is. Also used for command and args.
std::string expand_vars(const std::string& s, const std::vector<std::string>& vars);

}  // namespace skiff::agent
