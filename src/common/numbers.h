// Integers from text (query parameters, flags, resource versions): the whole string must be a
// base-10 integer that fits, so "abc", "1x", "" and 2^64 are refused instead of read as 0 or
// clamped.
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
}  // namespace skiff
