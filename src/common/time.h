// Time as the API writes it: RFC 3339 in UTC, second precision for metav1.Time and microseconds
// for metav1.MicroTime; and kubectl's short human durations for table AGE columns.
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace skiff {
using Clock = std::chrono::system_clock;

std::string format_rfc3339(Clock::time_point t);        // 2024-01-02T03:04:05Z
std::string format_rfc3339_micro(Clock::time_point t);  // 2024-01-02T03:04:05.123456Z
std::string now_rfc3339();
// Parses RFC 3339 (with optional fraction and Z or +hh:mm offset).
std::optional<Clock::time_point> parse_rfc3339(std::string_view s);
// kubectl's duration.HumanDuration: "5s", "3m10s", "2d3h", "4y".
std::string human_duration(std::chrono::seconds d);
// Parses a Go-style duration such as "300ms", "1m30s", "2h".
std::optional<std::chrono::milliseconds> parse_duration(std::string_view s);
}  // namespace skiff
