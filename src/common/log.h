// Logging to stderr: `SKIFF_LOG(INFO) << "listening on " << port;` One line per statement,
// prefixed with the level letter and a UTC timestamp, written atomically.
#pragma once
#include <sstream>

namespace skiff {
enum class LogLevel { DEBUG, INFO, WARN, ERROR };
void set_log_level(LogLevel level);
bool log_enabled(LogLevel level);

class LogLine {
 public:
  LogLine(LogLevel level, const char* file, int line);
  ~LogLine();
  template <typename T>
  LogLine& operator<<(const T& v) {
    os_ << v;
    return *this;
  }

 private:
  LogLevel level_;
  std::ostringstream os_;
};
}  // namespace skiff

#define SKIFF_LOG(level)                                   \
  if (!::skiff::log_enabled(::skiff::LogLevel::level)) {   \
  } else                                                   \
    ::skiff::LogLine(::skiff::LogLevel::level, __FILE__, __LINE__)
