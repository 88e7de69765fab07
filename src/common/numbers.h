// Scalars from text (query parameters, flags, resource versions). Integers: the whole string
// must be a base-10 integer that fits, so "abc", "1x", "" and 2^64 are refused instead of read
// as 0 or clamped. Booleans: Go's strconv.ParseBool, which upstream uses for query parameters
// (client libraries send `watch=True`).
#pragma once
#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace skiff {
inline std::optional<int64_t> parse_int64(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}
inline std::optional<bool> parse_bool(std::string_view s) {
  if (s == "1" || s == "t" || s == "T" || s == "true" || s == "TRUE" || s == "True") return true;
  if (s == "0" || s == "f" || s == "F" || s == "false" || s == "FALSE" || s == "False")
    return false;
  return std::nullopt;
}
}  // namespace skiff
