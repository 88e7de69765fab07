// The API server's own endpoint reconciler (upstream pkg/controlplane/reconcilers): the
// `kubernetes` Service in `default` has no selector, so the server itself keeps its Endpoints
// and its EndpointSlice naming the address and port it serves on. Run at start-up and then
// periodically from the maintenance loop, so edits and deletions are undone.
#pragma once
#include <string>

#include "common/api_error.h"

namespace skiff::apiserver {
class ObjectStore;

// Creates or updates default/kubernetes Endpoints and EndpointSlice for ip:port (port name
// `https`, TCP). Writes only what differs.
Status reconcile_kubernetes_endpoints(ObjectStore& os, const std::string& ip, int port);

// The address the server advertises: its --bind-address, or for a wildcard bind the host's
// first address (127.0.0.1 if it has none).
std::string advertised_address(const std::string& bind_address);

}  // namespace skiff::apiserver
