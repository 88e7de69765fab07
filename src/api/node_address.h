// A Node's address of one type from status.addresses ("InternalIP", "ExternalIP", "Hostname"):
// the one reading of that list that the API server (kubelet proxy), the printers and the
// agent's pod network share.
#pragma once
#include <string>
#include <string_view>

#include "common/json.h"

namespace skiff::api {
// The first address of `type`, or "" when the node has none.
std::string node_address(const json::object& node, std::string_view type);
}  // namespace skiff::api
