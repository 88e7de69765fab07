#include "common/log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>

#include "common/time.h"

namespace skiff {
namespace {
std::atomic<int> g_level{static_cast<int>(LogLevel::INFO)};

// The per-component files (log.h). One mutex: lines of all components are rare enough.
struct ComponentLog {
  int fd = -1;
  long long size = 0;
  std::deque<std::string> ring;  // CRI records logged before the directory was set
};
std::mutex g_mu;                                         // guards g_dir and g_logs
std::string g_dir;
std::map<std::string_view, ComponentLog> g_logs;         // keys are log_component_of's literals

std::string path_of(std::string_view component) { return g_dir + "/" + std::string(component) + ".log"; }

void open_log(std::string_view component, ComponentLog& l) {
  auto path = path_of(component);
  l.fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  struct stat st {};
  l.size = l.fd >= 0 && ::fstat(l.fd, &st) == 0 ? st.st_size : 0;
}

// As the container monitor rotates (runtime/monitor.cc): the live file becomes ".1", older ones
// shift up, the oldest is overwritten; readers follow by the inode change.
void rotate(std::string_view component, ComponentLog& l) {
  auto path = path_of(component);
  for (int i = kComponentLogFiles - 1; i > 1; --i)
    ::rename((path + "." + std::to_string(i - 1)).c_str(), (path + "." + std::to_string(i)).c_str());
  ::rename(path.c_str(), (path + ".1").c_str());
  if (l.fd >= 0) ::close(l.fd);
  open_log(component, l);
}

void write_record(std::string_view component, ComponentLog& l, const std::string& rec) {
  if (l.fd < 0) return;
  if (l.size > 0 && l.size + static_cast<long long>(rec.size()) > kComponentLogMaxBytes) rotate(component, l);
  if (l.fd < 0) return;
  ssize_t w = ::write(l.fd, rec.data(), rec.size());
  if (w > 0) l.size += w;
}

// One CRI record per line of the message: "<RFC 3339 time> stderr F <text>\n".
void record(std::string_view component, const std::string& line) {
  std::string stamp = format_rfc3339_micro(Clock::now()), recs;
  size_t start = 0;
  while (start < line.size()) {
    size_t nl = line.find('\n', start);
    if (nl == std::string::npos) nl = line.size();
    recs += stamp + " stderr F " + line.substr(start, nl - start) + "\n";
    start = nl + 1;
  }
  std::lock_guard lock(g_mu);
  auto& l = g_logs[component];
  if (g_dir.empty()) {
    l.ring.push_back(std::move(recs));
    if (l.ring.size() > kComponentLogRing) l.ring.pop_front();
  } else {
    write_record(component, l, recs);
  }
}
}  // namespace

void set_log_level(LogLevel level) { g_level = static_cast<int>(level); }
bool log_enabled(LogLevel level) { return static_cast<int>(level) >= g_level.load(); }

std::string_view log_component_of(std::string_view file) {
  auto at = file.rfind("/src/");
  // __FILE__ is absolute, or relative to the build dir ("../src/...") under ccache's base_dir.
  std::string_view rel = at != std::string_view::npos ? file.substr(at + 5)
                         : file.substr(0, 4) == "src/" ? file.substr(4)
                                                        : file;
  auto in = [&](std::string_view dir) { return rel.substr(0, dir.size()) == dir; };
  if (in("apiserver/") || in("storage/")) return "kube-apiserver";
  if (in("scheduler/")) return "kube-scheduler";
  if (in("controllers/")) return "kube-controller-manager";
  if (in("proxy/")) return "kube-proxy";
  if (rel == "agent/flannel.cc") return "kube-flannel";
  return "";
}

void set_component_log_dir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::lock_guard lock(g_mu);
  if (!g_dir.empty()) return;
  g_dir = dir;
  for (auto& [component, l] : g_logs) {
    open_log(component, l);
    for (const auto& rec : l.ring) write_record(component, l, rec);
    l.ring.clear();
  }
  // Components that have not logged yet get their (empty) file now, so `kubectl logs` of a
  // quiet component answers with nothing rather than an error.
  for (std::string_view c : {"kube-apiserver", "kube-scheduler", "kube-controller-manager",
                             "kube-proxy", "kube-flannel"})
    if (!g_logs.count(c)) open_log(c, g_logs[c]);
}

std::string component_log_path(std::string_view component) {
  std::lock_guard lock(g_mu);
  return g_dir.empty() ? "" : path_of(component);
}

LogLine::LogLine(LogLevel level, const char* file, int line)
    : level_(level), component_(log_component_of(file)) {
  static const char kLetters[] = "DIWE";
  const char* base = std::strrchr(file, '/');
  os_ << kLetters[static_cast<int>(level)] << ' ' << format_rfc3339_micro(Clock::now()) << ' '
      << (base ? base + 1 : file) << ':' << line << "] ";
}
LogLine::~LogLine() {
  auto s = os_.str();
  if (!component_.empty()) record(component_, s);
  s += '\n';
  std::fwrite(s.data(), 1, s.size(), stderr);
}
}  // namespace skiff
