// Container logs as the kubelet serves them (upstream: pkg/kubelet/kuberuntime/logs): the CRI
// log files the runtime monitor writes ("<RFC 3339 nano> stdout|stderr F|P <text>" per line),
// read back with kubectl's options. Partial lines (P) are joined with the next line.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace skiff::agent {

struct LogOptions {
  bool follow = false;
  std::optional<int64_t> tail_lines;           // last N lines (0 = none)
  std::optional<int64_t> limit_bytes;          // stop after this many bytes of output
  bool timestamps = false;                     // prefix each line with its RFC 3339 nano time
  std::optional<std::chrono::system_clock::time_point> since;  // lines at or after this time
};

// Parses the kubelet's containerLogs query parameters (follow, tailLines, limitBytes,
// timestamps, sinceSeconds, sinceTime). false with *err (a 400 message) on a bad value.
// `query` is the raw query string without '?'.
bool parse_log_options(std::string_view query, LogOptions* out, std::string* err);

// One parsed CRI log line; false when `line` (without '\n') is malformed.
struct LogLine {
  std::chrono::system_clock::time_point time;
  std::string_view stream;  // "stdout" or "stderr"
  bool partial = false;
  std::string_view text;
};
bool parse_cri_line(std::string_view line, LogLine* out);

// Writes the log at `path` with `opts` to `sink` (which returns false once the client is gone).
// With follow, keeps reading new lines until `keep_following()` returns false (checked at least
// every 200 ms; the caller stops when the container has exited and the file is drained, or the
// client left). Files rotated by the writer ("<path>.1", ... oldest last) are read first when
// the tail needs them. Returns false when the file cannot be opened (never existed).
bool write_logs(const std::string& path, const LogOptions& opts,
                const std::function<bool(std::string_view)>& sink,
                const std::function<bool()>& keep_following);

}  // namespace skiff::agent
