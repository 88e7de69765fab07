// The Docker-links-style environment variables of Services (upstream: pkg/kubelet/envvars):
// for a service "redis-master" with ClusterIP 10.0.0.11 and port 6379/TCP:
//   REDIS_MASTER_SERVICE_HOST=10.0.0.11  REDIS_MASTER_SERVICE_PORT=6379
//   REDIS_MASTER_PORT=tcp://10.0.0.11:6379  REDIS_MASTER_PORT_6379_TCP=tcp://10.0.0.11:6379
//   REDIS_MASTER_PORT_6379_TCP_PROTO=tcp  _PORT=6379  _ADDR=10.0.0.11
// plus REDIS_MASTER_SERVICE_PORT_<NAME> for named ports. Headless services and services without
// a ClusterIP give none.
#pragma once
#include <string>
#include <vector>

#include "common/json.h"

namespace skiff::agent {

std::vector<std::string> service_env(const std::vector<json::object>& services);

// The services whose variables a pod gets: every service of its namespace when
// enableServiceLinks is not false, and always default/kubernetes (upstream's rule), from the
// two lists given.
std::vector<json::object> services_for_pod(const json::object& pod,
                                           const std::vector<json::object>& pod_namespace,
                                           const std::vector<json::object>& default_namespace);

}  // namespace skiff::agent
