// Logging to stderr: `SKIFF_LOG(INFO) << "listening on " << port;` One line per statement,
// prefixed with the level letter and a UTC timestamp, written atomically.
//
// Component logs. One process runs several of the cluster's components (`skiff server`: the
// API server, scheduler, controller manager, proxy and flannel backend), and `kubectl logs` of
// each one's mirror pod shows that component's lines only. A line's component comes from the
// folder of the source file that logs it (log_component_of: src/scheduler/ -> kube-scheduler,
// ...); shared code (src/client, src/net) belongs to none. Once set_component_log_dir() has
// been called, each component's lines are also appended to <dir>/<component>.log in the CRI
// log format the kubelet's log endpoint reads (agent/logs.h), rotated at kComponentLogMaxBytes
// into "<file>.1" .. "<file>.(kComponentLogFiles-1)". The last kComponentLogRing lines of each
// component logged before that are kept in memory and written first, so a component's log
// starts at its start even though the node agent that owns the directory starts later.
#pragma once
#include <sstream>
#include <string>
#include <string_view>

namespace skiff {
enum class LogLevel { DEBUG, INFO, WARN, ERROR };
void set_log_level(LogLevel level);
bool log_enabled(LogLevel level);

inline constexpr long long kComponentLogMaxBytes = 4LL * 1024 * 1024;
inline constexpr int kComponentLogFiles = 3;  // counting the live file
inline constexpr size_t kComponentLogRing = 500;

// "kube-apiserver", "kube-scheduler", "kube-controller-manager", "kube-proxy", "kube-flannel",
// or "" for a file of shared code. `file` is a __FILE__ path.
std::string_view log_component_of(std::string_view file);
// The first call wins (one node agent per process owns the files); creates `dir`.
void set_component_log_dir(const std::string& dir);
// <dir>/<component>.log, or "" before set_component_log_dir().
std::string component_log_path(std::string_view component);

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
  std::string_view component_;
  std::ostringstream os_;
};
}  // namespace skiff

#define SKIFF_LOG(level)                                   \
  if (!::skiff::log_enabled(::skiff::LogLevel::level)) {   \
  } else                                                   \
    ::skiff::LogLine(::skiff::LogLevel::level, __FILE__, __LINE__)
