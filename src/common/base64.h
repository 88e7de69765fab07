// Standard base64 (RFC 4648, with padding) for continue tokens, Secret data and kubeconfigs.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace skiff {
std::string base64_encode(std::string_view in);
// nullopt on invalid input (bad characters or length).
std::optional<std::string> base64_decode(std::string_view in);
}  // namespace skiff
