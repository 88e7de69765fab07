#include "common/log.h"

#include <atomic>
#include <cstdio>
#include <cstring>

#include "common/time.h"

namespace skiff {
namespace {
std::atomic<int> g_level{static_cast<int>(LogLevel::INFO)};
}
void set_log_level(LogLevel level) { g_level = static_cast<int>(level); }
bool log_enabled(LogLevel level) { return static_cast<int>(level) >= g_level.load(); }

LogLine::LogLine(LogLevel level, const char* file, int line) : level_(level) {
  static const char kLetters[] = "DIWE";
  const char* base = std::strrchr(file, '/');
  os_ << kLetters[static_cast<int>(level)] << ' ' << format_rfc3339_micro(Clock::now()) << ' '
      << (base ? base + 1 : file) << ':' << line << "] ";
}
LogLine::~LogLine() {
  os_ << '\n';
  auto s = os_.str();
  std::fwrite(s.data(), 1, s.size(), stderr);
}
}  // namespace skiff
