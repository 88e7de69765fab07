// The name a node gets when none is given: this host's name made a valid DNS subdomain (lower
// case letters, digits, '-' and '.'), as the kubelet and kube-proxy both default to it. One
// function, so the agent and a standalone proxy on the same host agree on the Node.
#pragma once
#include <string>

namespace skiff {
std::string default_node_name();
}  // namespace skiff
