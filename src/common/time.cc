#include "common/time.h"

#include <cstdio>
#include <ctime>

namespace skiff {
namespace {
std::string format(Clock::time_point t, bool micro) {
  auto secs = std::chrono::time_point_cast<std::chrono::seconds>(t);
  std::time_t tt = Clock::to_time_t(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out(buf, n);
  if (micro) {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(t - secs).count();
    std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(us));
    out += buf;
  }
  out += 'Z';
  return out;
}
int digits(std::string_view s, size_t pos, size_t n, bool& ok) {
  int v = 0;
  if (pos + n > s.size()) {
    ok = false;
    return 0;
  }
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') ok = false;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}
}  // namespace

std::string format_rfc3339(Clock::time_point t) { return format(t, false); }
std::string format_rfc3339_micro(Clock::time_point t) { return format(t, true); }
std::string now_rfc3339() { return format_rfc3339(Clock::now()); }

std::optional<Clock::time_point> parse_rfc3339(std::string_view s) {
  bool ok = true;
  std::tm tm{};
  tm.tm_year = digits(s, 0, 4, ok) - 1900;
  tm.tm_mon = digits(s, 5, 2, ok) - 1;
  tm.tm_mday = digits(s, 8, 2, ok);
  tm.tm_hour = digits(s, 11, 2, ok);
  tm.tm_min = digits(s, 14, 2, ok);
  tm.tm_sec = digits(s, 17, 2, ok);
  if (!ok || s.size() < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
      s[13] != ':' || s[16] != ':')
    return std::nullopt;
  size_t pos = 19;
  long long frac_us = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int nd = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (nd < 6) frac_us = frac_us * 10 + (s[pos] - '0');
      ++nd;
      ++pos;
    }
    for (; nd < 6; ++nd) frac_us *= 10;
  }
  long offset = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int sign = s[pos] == '-' ? -1 : 1;
    int hh = digits(s, pos + 1, 2, ok), mm = digits(s, pos + 4, 2, ok);
    if (!ok) return std::nullopt;
    offset = sign * (hh * 3600 + mm * 60);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  std::time_t tt = timegm(&tm) - offset;
  return Clock::from_time_t(tt) + std::chrono::microseconds(frac_us);
}

std::string human_duration(std::chrono::seconds d) {
  long long seconds = d.count();
  char buf[64];
  auto out = [&](const char* fmt, long long a, long long b = 0) {
    std::snprintf(buf, sizeof buf, fmt, a, b);
    return std::string(buf);
  };
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return out("%llds", seconds);
  long long minutes = seconds / 60;
  if (minutes < 10) {
    long long s = seconds % 60;
    return s == 0 ? out("%lldm", minutes) : out("%lldm%llds", minutes, s);
  }
  if (minutes < 180) return out("%lldm", minutes);
  long long hours = seconds / 3600;
  if (hours < 8) {
    long long m = minutes % 60;
    return m == 0 ? out("%lldh", hours) : out("%lldh%lldm", hours, m);
  }
  if (hours < 48) return out("%lldh", hours);
  if (hours < 24 * 8) {
    long long h = hours % 24;
    return h == 0 ? out("%lldd", hours / 24) : out("%lldd%lldh", hours / 24, h);
  }
  if (hours < 24 * 365 * 2) return out("%lldd", hours / 24);
  if (hours < 24 * 365 * 8) {
    long long dy = (hours / 24) % 365;
    return dy == 0 ? out("%lldy", hours / 24 / 365) : out("%lldy%lldd", hours / 24 / 365, dy);
  }
  return out("%lldy", hours / 24 / 365);
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view s) {
  if (s.empty()) return std::nullopt;
  double total_ms = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
    if (start == i) return std::nullopt;
    double num = std::stod(std::string(s.substr(start, i - start)));
    size_t ustart = i;
    while (i < s.size() && !((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
    auto unit = s.substr(ustart, i - ustart);
    double mult;
    if (unit == "ms") mult = 1;
    else if (unit == "s") mult = 1000;
    else if (unit == "m") mult = 60000;
    else if (unit == "h") mult = 3600000;
    else if (unit == "us" || unit == "µs") mult = 0.001;
    else if (unit == "ns") mult = 0.000001;
    else return std::nullopt;
    total_ms += num * mult;
  }
  return std::chrono::milliseconds(static_cast<long long>(total_ms));
}
}  // namespace skiff
