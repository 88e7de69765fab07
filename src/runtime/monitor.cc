#include "runtime/monitor.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "runtime/process.h"

// Two halves. spawn_monitor runs in the agent (large, many-threaded): its child is a vfork
// (spawn_child) that may only make system calls before it execs the monitor. monitor_main is a
// fresh single-threaded process; it prepares everything, then forks to detach, and the code
// after that fork (monitor_loop) still uses only system calls and memory prepared before it.
namespace skiff::runtime {
namespace {

struct Stream {
  int fd = -1;
  const char* name;  // " stdout " / " stderr "
  size_t len = 0;
  char buf[16384];
};

long long now_ns() {
  timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

void write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    p += w;
    n -= static_cast<size_t>(w);
  }
}

int format_int(long long v, char* out) {  // decimal, returns length
  char tmp[24];
  int n = 0;
  bool neg = v < 0;
  unsigned long long u = neg ? 0ULL - static_cast<unsigned long long>(v) : v;
  do tmp[n++] = static_cast<char>('0' + u % 10), u /= 10;
  while (u);
  int len = 0;
  if (neg) out[len++] = '-';
  while (n) out[len++] = tmp[--n];
  return len;
}

// Log rotation as the kubelet's container log manager does it (containerLogMaxSize 10Mi,
// containerLogMaxFiles 5 counting the live file), but by the writer itself, between lines:
// "<path>.3" -> ".4", ..., "<path>" -> ".1", a new "<path>". Readers (agent/logs.cc) notice the
// new inode and read "<path>.N" oldest first. Only rename/open/close: async-signal-safe.
constexpr long long kLogMaxBytes = 10LL * 1024 * 1024;
constexpr int kLogFiles = 5;

struct LogFile {
  int fd = -1;
  long long size = 0;                     // bytes in the live file
  const char* path = nullptr;             // nullptr: not rotated (the log could not be opened)
  const char* const* rotated = nullptr;   // "<path>.1" ... "<path>.(kLogFiles-1)"
};

void rotate(LogFile& log) {
  for (int i = kLogFiles - 2; i > 0; --i) ::rename(log.rotated[i - 1], log.rotated[i]);
  ::rename(log.path, log.rotated[0]);
  // Whatever happens, the count restarts: a failed open keeps writing to the renamed file
  // rather than rotating again on every line.
  log.size = 0;
  int fd = ::open(log.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) return;
  ::close(log.fd);
  log.fd = fd;
}

void emit(LogFile& log, const Stream& s, const char* data, size_t n, bool partial) {
  char ts[32];
  int tl = format_rfc3339_nano(now_ns(), ts);
  iovec iov[5] = {{ts, static_cast<size_t>(tl)},
                  {const_cast<char*>(s.name), 8},
                  {const_cast<char*>(partial ? "P " : "F "), 2},
                  {const_cast<char*>(data), n},
                  {const_cast<char*>("\n"), 1}};
  long long len = tl + 8 + 2 + static_cast<long long>(n) + 1;
  // Rotate before a line that would overflow the file, so files stay under the limit.
  if (log.path && log.size > 0 && log.size + len > kLogMaxBytes) rotate(log);
  ssize_t w;
  while ((w = ::writev(log.fd, iov, 5)) < 0 && errno == EINTR) {
  }
  if (w > 0) log.size += w;
}

// Emits the complete lines in the buffer; a full buffer without a newline becomes a partial.
void consume(Stream& s, LogFile& log) {
  size_t start = 0;
  for (size_t i = 0; i < s.len; ++i) {
    if (s.buf[i] != '\n') continue;
    emit(log, s, s.buf + start, i - start, false);
    start = i + 1;
  }
  if (start > 0) {
    std::memmove(s.buf, s.buf + start, s.len - start);
    s.len -= start;
  }
  if (s.len == sizeof s.buf) {
    emit(log, s, s.buf, s.len, true);
    s.len = 0;
  }
}

// Reads "key N" from a cgroup file such as memory.oom_control or memory.events.
long long read_counter(const char* path, const char* key) {
  if (!path || !*path) return 0;
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[4096];
  ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return 0;
  buf[n] = 0;
  size_t kl = std::strlen(key);
  for (char* line = buf; line && *line;) {
    if (std::strncmp(line, key, kl) == 0 && line[kl] == ' ') return std::atoll(line + kl + 1);
    line = std::strchr(line, '\n');
    if (line) ++line;
  }
  return 0;
}

struct Prepared {
  std::vector<char*> argv;
  const char* hide = nullptr;
  const char* pid_file;
  const char* exit_file;
  const char* exit_tmp;
  const char* log_path;
  const char* const* rotated_logs;  // kLogFiles - 1 names
  const char* oom_file;
};

void write_exit_file(const Prepared& p, int code, bool oom) {
  char line[96];
  int n = format_int(code, line);
  line[n++] = ' ';
  line[n++] = oom ? '1' : '0';
  line[n++] = ' ';
  n += format_int(now_ns(), line + n);
  line[n++] = '\n';
  int fd = ::open(p.exit_tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return;
  write_all(fd, line, static_cast<size_t>(n));
  ::fsync(fd);
  ::close(fd);
  ::rename(p.exit_tmp, p.exit_file);
}

[[noreturn]] void monitor_loop(const Prepared& p, int sync_fd, Stream* streams) {
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  sigset_t chld, empty;
  sigemptyset(&chld);
  sigemptyset(&empty);
  sigaddset(&chld, SIGCHLD);
  ::sigprocmask(SIG_SETMASK, &chld, nullptr);
  int sfd = ::signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  int out[2], err[2];
  int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (sfd < 0 || devnull < 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    write_all(sync_fd, "Emonitor setup failed\n", 22);
    ::_exit(1);
  }
  pid_t c = ::fork();
  if (c == 0) {
    ::dup2(devnull, 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    ::sigprocmask(SIG_SETMASK, &empty, nullptr);
    if (p.hide && enter_private_mount_ns_without(p.hide) != 0) ::_exit(126);
    ::execv(p.argv[0], p.argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(err[1]);
  int st = 0;
  while (c > 0 && ::waitpid(c, &st, 0) < 0 && errno == EINTR) {
  }
  if (c < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    char msg[4200] = "E";
    size_t n = 1 + static_cast<size_t>(format_int(c < 0 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), msg + 1));
    msg[n++] = ' ';
    ::fcntl(err[0], F_SETFL, O_NONBLOCK);
    ssize_t r = ::read(err[0], msg + n, sizeof msg - n - 1);
    if (r > 0) n += static_cast<size_t>(r);
    write_all(sync_fd, msg, n);
    ::_exit(1);
  }
  char pidbuf[32] = {0};
  int pfd = ::open(p.pid_file, O_RDONLY | O_CLOEXEC);
  if (pfd >= 0) {
    (void)!::read(pfd, pidbuf, sizeof pidbuf - 1);
    ::close(pfd);
  }
  pid_t pid = std::atoi(pidbuf);
  if (pid <= 0) {
    write_all(sync_fd, "Eno pid file\n", 13);
    ::_exit(1);
  }
  char ok[64] = "P";
  int on = 1 + format_int(pid, ok + 1);
  ok[on++] = ' ';
  on += format_int(::getpid(), ok + on);
  write_all(sync_fd, ok, static_cast<size_t>(on));
  ::close(sync_fd);

  LogFile log;
  log.fd = ::open(p.log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (log.fd >= 0) {
    struct stat st;
    if (::fstat(log.fd, &st) == 0) log.size = st.st_size;
    log.path = p.log_path;
    log.rotated = p.rotated_logs;
  } else {
    log.fd = devnull;
  }
  streams[0].fd = out[0];
  streams[1].fd = err[0];
  bool exited = false;
  while (true) {
    // Reap everything: the container's init and whatever was re-parented to us.
    int s = 0;
    pid_t w;
    while ((w = ::waitpid(-1, &s, WNOHANG)) > 0) {
      if (w != pid) continue;
      int code = WIFEXITED(s) ? WEXITSTATUS(s) : 128 + WTERMSIG(s);
      bool oom = read_counter(p.oom_file, "oom_kill") > 0;
      exited = true;
      for (int i = 0; i < 2; ++i) ::fcntl(streams[i].fd, F_SETFL, O_NONBLOCK);
      // Drain what the container wrote before exiting, so the log is complete first.
      for (int i = 0; i < 2; ++i) {
        while (streams[i].fd >= 0) {
          ssize_t r = ::read(streams[i].fd, streams[i].buf + streams[i].len,
                             sizeof streams[i].buf - streams[i].len);
          if (r <= 0) break;
          streams[i].len += static_cast<size_t>(r);
          consume(streams[i], log);
        }
      }
      write_exit_file(p, code, oom);
    }
    if (exited && streams[0].fd < 0 && streams[1].fd < 0) break;
    pollfd fds[3] = {{sfd, POLLIN, 0}, {streams[0].fd, POLLIN, 0}, {streams[1].fd, POLLIN, 0}};
    // Once the container is gone, stop as soon as its pipes are quiet (an escaped child may
    // hold them open forever).
    int rc = ::poll(fds, 3, exited ? 200 : -1);
    if (rc < 0 && errno != EINTR) break;
    if (rc == 0 && exited) break;
    if (fds[0].revents) {
      signalfd_siginfo si;
      while (::read(sfd, &si, sizeof si) > 0) {
      }
    }
    for (int i = 0; i < 2; ++i) {
      Stream& st2 = streams[i];
      if (st2.fd < 0 || !fds[i + 1].revents) continue;
      ssize_t r = ::read(st2.fd, st2.buf + st2.len, sizeof st2.buf - st2.len);
      if (r > 0) {
        st2.len += static_cast<size_t>(r);
        consume(st2, log);
      } else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
        ::close(st2.fd);
        st2.fd = -1;
      }
    }
  }
  for (int i = 0; i < 2; ++i)
    if (streams[i].len > 0) emit(log, streams[i], streams[i].buf, streams[i].len, false);
  ::_exit(0);
}

// MonitorArgs on the monitor's stdin: NUL-terminated strings, a version tag first.
constexpr char kArgsTag[] = "skiff-monitor-args/1";

std::string encode_args(const MonitorArgs& a) {
  std::string b;
  for (const std::string* f : {&a.hide_mount, &a.pid_file, &a.exit_file, &a.log_path, &a.oom_file})
    b += *f, b.push_back('\0');
  for (const auto& s : a.create_argv) b += s, b.push_back('\0');
  return std::string(kArgsTag) + '\0' + b;
}

bool decode_args(const std::string& b, MonitorArgs* a) {
  std::vector<std::string> f;
  size_t start = 0;
  for (size_t i = 0; i < b.size(); ++i)
    if (b[i] == '\0') f.emplace_back(b, start, i - start), start = i + 1;
  if (start != b.size() || f.size() < 7 || f[0] != kArgsTag) return false;
  a->hide_mount = f[1];
  a->pid_file = f[2];
  a->exit_file = f[3];
  a->log_path = f[4];
  a->oom_file = f[5];
  a->create_argv.assign(f.begin() + 6, f.end());
  return !a->create_argv[0].empty() && a->create_argv[0][0] == '/';
}

}  // namespace

int format_rfc3339_nano(long long unix_ns, char* buf) {
  long long secs = unix_ns / 1000000000LL;
  long long nanos = unix_ns % 1000000000LL;
  long long days = secs / 86400, rem = secs % 86400;
  // civil_from_days (H. Hinnant's algorithm, public domain description).
  long long z = days + 719468;
  long long era = (z >= 0 ? z : z - 146096) / 146097;
  long long doe = z - era * 146097;
  long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long long y = yoe + era * 400;
  long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  long long mp = (5 * doy + 2) / 153;
  long long d = doy - (153 * mp + 2) / 5 + 1;
  long long m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  auto put = [&](int pos, long long v, int width) {
    for (int i = width - 1; i >= 0; --i) buf[pos + i] = static_cast<char>('0' + v % 10), v /= 10;
  };
  put(0, y, 4);
  buf[4] = '-';
  put(5, m, 2);
  buf[7] = '-';
  put(8, d, 2);
  buf[10] = 'T';
  put(11, rem / 3600, 2);
  buf[13] = ':';
  put(14, rem / 60 % 60, 2);
  buf[16] = ':';
  put(17, rem % 60, 2);
  buf[19] = '.';
  put(20, nanos, 9);
  buf[29] = 'Z';
  buf[30] = 0;
  return 30;
}

Status spawn_monitor(const MonitorArgs& a, int* pid, int* monitor_pid) {
  if (a.create_argv.empty()) return Status::Invalid("no create command");
  const std::string blob = encode_args(a);
  // Written before the monitor starts, so the arguments must fit in the pipe's buffer (64 KiB;
  // they are a few paths).
  if (blob.size() > 65536) return Status::Invalid("monitor arguments too long");
  int args[2], sync[2];
  if (::pipe2(args, O_CLOEXEC) != 0) return Status::Failed(std::string("pipe: ") + std::strerror(errno));
  if (::pipe2(sync, O_CLOEXEC) != 0) {
    int err = errno;
    ::close(args[0]), ::close(args[1]);
    return Status::Failed(std::string("pipe: ") + std::strerror(err));
  }
  ::fcntl(args[1], F_SETFL, O_NONBLOCK);
  ssize_t w = ::write(args[1], blob.data(), blob.size());
  int werr = errno;
  ::close(args[1]);
  if (w != static_cast<ssize_t>(blob.size())) {
    ::close(args[0]), ::close(sync[0]), ::close(sync[1]);
    return Status::Failed(std::string("monitor arguments: ") + std::strerror(w < 0 ? werr : EMSGSIZE));
  }
  const char* exe = a.exe.c_str();
  char* argv[] = {const_cast<char*>(kMonitorName), const_cast<char*>(a.container_id.c_str()), nullptr};
  auto child = [&]() -> int {
    // Detach: a new session (the monitor, forked from this process once exec'd, is then no
    // session leader and never gets a controlling terminal); no fds of the agent (a listening
    // socket or the test harness's stdout must not stay open in a long-lived process): the
    // arguments on 0, the report pipe on 3, /dev/null on 1 and 2. dup2 clears close-on-exec.
    ::setsid();
    int in = ::fcntl(args[0], F_DUPFD_CLOEXEC, 10);
    int out = ::fcntl(sync[1], F_DUPFD_CLOEXEC, 10);
    int null = ::fcntl(::open("/dev/null", O_RDWR | O_CLOEXEC), F_DUPFD_CLOEXEC, 10);
    if (in < 0 || out < 0 || null < 0) ::_exit(126);
    ::dup2(in, 0);
    ::dup2(out, 3);
    ::dup2(null, 1);
    ::dup2(null, 2);
    ::close_range(4, ~0U, 0);
    ::execv(exe, argv);
    static const char msg[] = "Ecannot exec the monitor\n";
    (void)!::write(3, msg, sizeof msg - 1);
    ::_exit(127);
  };
  pid_t first = spawn_child(child);
  int spawn_err = errno;
  ::close(args[0]);
  ::close(sync[1]);
  if (first < 0) {
    ::close(sync[0]);
    return Status::Failed(std::string("cannot start the monitor: ") + std::strerror(spawn_err));
  }
  // The exec'd process forks the monitor and exits at once.
  int st;
  while (::waitpid(first, &st, 0) < 0 && errno == EINTR) {
  }
  std::string msg;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(sync[0], buf, sizeof buf)) != 0) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    msg.append(buf, static_cast<size_t>(n));
  }
  ::close(sync[0]);
  if (!msg.empty() && msg[0] == 'P') {
    *pid = std::atoi(msg.c_str() + 1);
    auto sp = msg.find(' ');
    if (monitor_pid && sp != std::string::npos) *monitor_pid = std::atoi(msg.c_str() + sp + 1);
    return Status::Ok();
  }
  if (msg.empty()) return Status::Failed("container monitor died during create");
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  if (msg.rfind("Ecannot exec", 0) == 0 || msg.rfind("Ebad monitor", 0) == 0 ||
      msg.rfind("Emonitor", 0) == 0)
    return Status::Failed(msg.substr(1));
  return Status::Failed("create failed: exit code " + msg.substr(1));
}

bool is_monitor_command(const char* argv0) {
  if (!argv0) return false;
  const char* slash = std::strrchr(argv0, '/');
  return std::strcmp(slash ? slash + 1 : argv0, kMonitorName) == 0;
}

int monitor_main(int argc, char** argv) {
  ::prctl(PR_SET_NAME, kMonitorName);
  struct stat in_st, sync_st;
  if (argc != 2 || ::fstat(0, &in_st) != 0 || !S_ISFIFO(in_st.st_mode) ||
      ::fstat(3, &sync_st) != 0 || !S_ISFIFO(sync_st.st_mode)) {
    std::fprintf(stderr, "%s: the node agent starts one for each container; not for use by hand\n",
                 kMonitorName);
    return 2;
  }
  ::fcntl(3, F_SETFD, FD_CLOEXEC);  // the runtime's create must not hold the report pipe
  std::string blob;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(0, buf, sizeof buf)) != 0) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    blob.append(buf, static_cast<size_t>(n));
  }
  MonitorArgs a;
  if (!decode_args(blob, &a)) {
    write_all(3, "Ebad monitor arguments\n", 23);
    return 1;
  }
  int devnull = ::open("/dev/null", O_RDWR);
  if (devnull >= 0) {
    ::dup2(devnull, 0), ::dup2(devnull, 1), ::dup2(devnull, 2);
    if (devnull > 3) ::close(devnull);
  }
  // Default signal handling, whatever the agent had; a closed log reader or a hang-up must
  // not end the monitor.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int s = 1; s < NSIG; ++s) ::sigaction(s, &dfl, nullptr);
  struct sigaction ign {};
  ign.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ign, nullptr);
  ::sigaction(SIGHUP, &ign, nullptr);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);

  std::string exit_tmp = a.exit_file + ".tmp";
  Prepared p;
  for (const auto& s : a.create_argv) p.argv.push_back(const_cast<char*>(s.c_str()));
  p.argv.push_back(nullptr);
  p.hide = a.hide_mount.empty() ? nullptr : a.hide_mount.c_str();
  p.pid_file = a.pid_file.c_str();
  p.exit_file = a.exit_file.c_str();
  p.exit_tmp = exit_tmp.c_str();
  p.log_path = a.log_path.c_str();
  p.oom_file = a.oom_file.c_str();
  std::vector<std::string> rotated_names;
  std::vector<const char*> rotated_ptrs;
  for (int i = 1; i < kLogFiles; ++i) rotated_names.push_back(a.log_path + "." + std::to_string(i));
  for (const auto& r : rotated_names) rotated_ptrs.push_back(r.c_str());
  p.rotated_logs = rotated_ptrs.data();
  auto streams = std::make_unique<Stream[]>(2);
  streams[0].name = " stdout ";
  streams[1].name = " stderr ";

  // Detach from the agent: it waits for this process to exit, and the monitor is re-parented
  // to init, which reaps it.
  pid_t m = ::fork();
  if (m < 0) {
    write_all(3, "Emonitor fork failed\n", 21);
    return 1;
  }
  if (m > 0) ::_exit(0);
  monitor_loop(p, 3, streams.get());
}

bool is_monitor_of(int pid, const std::string& id) {
  if (pid <= 0) return false;
  std::string want = std::string(kMonitorName) + '\0' + id + '\0';
  int fd = ::open(("/proc/" + std::to_string(pid) + "/cmdline").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  std::string got(want.size() + 1, '\0');
  ssize_t n = ::read(fd, got.data(), got.size());
  ::close(fd);
  return n == static_cast<ssize_t>(want.size()) && got.compare(0, want.size(), want) == 0;
}

}  // namespace skiff::runtime
