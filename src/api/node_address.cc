#include "api/node_address.h"

namespace skiff::api {
std::string node_address(const json::object& node, std::string_view type) {
  const auto* addrs = find_path(node, {"status", "addresses"});
  if (!addrs || !addrs->is_array()) return "";
  for (const auto& a : addrs->get_array())
    if (get_string(a, {"type"}) == type) return get_string(a, {"address"});
  return "";
}
}  // namespace skiff::api
