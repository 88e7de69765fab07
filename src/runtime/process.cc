#include "runtime/process.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

namespace skiff::runtime {
namespace {

// A child that exits before reading its input must not kill us with SIGPIPE: block it in this
// thread for the write and discard one that became pending.
ssize_t write_no_sigpipe(int fd, const char* p, size_t n) {
  sigset_t pipe_set, old;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  ::pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
  ssize_t w = ::write(fd, p, n);
  int saved = errno;
  if (w < 0 && errno == EPIPE) {
    timespec zero{0, 0};
    while (::sigtimedwait(&pipe_set, nullptr, &zero) > 0) {
    }
  }
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  errno = saved;
  return w;
}

struct Trampoline {
  int (*fn)(void*);
  void* arg;
  sigset_t mask;  // the caller's, restored in the child
};

int trampoline(void* p) {
  auto* t = static_cast<Trampoline*>(p);
  // The handlers are the parent's code on shared memory: none may run in the child.
  for (int s = 1; s < NSIG; ++s) {
    struct sigaction sa {};
    if (::sigaction(s, nullptr, &sa) != 0 || sa.sa_handler == SIG_IGN) continue;
    sa.sa_handler = SIG_DFL;
    sa.sa_flags = 0;
    sigemptyset(&sa.sa_mask);
    ::sigaction(s, &sa, nullptr);
  }
  ::sigprocmask(SIG_SETMASK, &t->mask, nullptr);
  return t->fn(t->arg);
}

}  // namespace

pid_t spawn_child_raw(int (*fn)(void*), void* arg) {
  constexpr size_t kStack = 256 * 1024;
  void* stack = ::mmap(nullptr, kStack, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) return -1;
  Trampoline t{fn, arg, {}};
  sigset_t all;
  sigfillset(&all);
  ::pthread_sigmask(SIG_BLOCK, &all, &t.mask);  // no handler runs until the child resets them
  pid_t pid = ::clone(trampoline, static_cast<char*>(stack) + kStack,
                      CLONE_VM | CLONE_VFORK | SIGCHLD, &t);
  int saved = errno;
  ::pthread_sigmask(SIG_SETMASK, &t.mask, nullptr);
  ::munmap(stack, kStack);
  errno = saved;
  return pid;
}

int enter_private_mount_ns_without(const char* mount_point) {
  if (::unshare(CLONE_NEWNS) != 0) return -errno;
  if (::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return -errno;
  if (::umount2(mount_point, MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) return -errno;
  return 0;
}

CommandResult run_command(const std::vector<std::string>& argv, const CommandOptions& opts) {
  CommandResult r;
  if (argv.empty()) return r;
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return r;
  if (::pipe2(out, O_CLOEXEC) != 0) {
    ::close(in[0]), ::close(in[1]);
    return r;
  }
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(in[0]), ::close(in[1]), ::close(out[0]), ::close(out[1]);
    return r;
  }
  const char* hide = opts.hide_mount.empty() ? nullptr : opts.hide_mount.c_str();
  auto child = [&]() -> int {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    sigset_t all;
    sigemptyset(&all);
    ::sigprocmask(SIG_SETMASK, &all, nullptr);
    if (hide && enter_private_mount_ns_without(hide) != 0) {
      static const char msg[] = "cannot enter a private mount namespace\n";
      (void)!::write(2, msg, sizeof msg - 1);
      ::_exit(126);
    }
    ::execv(cargv[0], cargv.data());
    ::_exit(127);
  };
  pid_t pid = spawn_child(child);
  ::close(in[0]), ::close(out[1]), ::close(err[1]);
  if (pid < 0) {
    ::close(in[1]), ::close(out[0]), ::close(err[0]);
    return r;
  }
  size_t in_off = 0;
  int in_fd = in[1];
  if (opts.input.empty()) {
    ::close(in_fd);
    in_fd = -1;
  } else {
    ::fcntl(in_fd, F_SETFL, O_NONBLOCK);
  }
  auto deadline = std::chrono::steady_clock::now() + opts.timeout;
  int open_fds = 2;
  int fds[2] = {out[0], err[0]};
  std::string* dst[2] = {&r.out, &r.err};
  char buf[8192];
  while (open_fds > 0 || in_fd >= 0) {
    pollfd p[3];
    int n = 0, idx[3];
    for (int i = 0; i < 2; ++i)
      if (fds[i] >= 0) p[n] = {fds[i], POLLIN, 0}, idx[n++] = i;
    if (in_fd >= 0) p[n] = {in_fd, POLLOUT, 0}, idx[n++] = 2;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      r.timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    int rc = ::poll(p, n, static_cast<int>(left.count()));
    if (rc < 0 && errno != EINTR) break;
    for (int k = 0; k < n && rc > 0; ++k) {
      if (!p[k].revents) continue;
      if (idx[k] == 2) {
        ssize_t w = write_no_sigpipe(in_fd, opts.input.data() + in_off, opts.input.size() - in_off);
        if (w > 0) in_off += static_cast<size_t>(w);
        if (w < 0 && errno != EAGAIN) in_off = opts.input.size();
        if (in_off >= opts.input.size()) ::close(in_fd), in_fd = -1;
        continue;
      }
      ssize_t got = ::read(fds[idx[k]], buf, sizeof buf);
      if (got > 0) {
        dst[idx[k]]->append(buf, static_cast<size_t>(got));
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        ::close(fds[idx[k]]);
        fds[idx[k]] = -1;
        --open_fds;
      }
    }
  }
  for (int fd : fds)
    if (fd >= 0) ::close(fd);
  if (in_fd >= 0) ::close(in_fd);
  int st = 0;
  while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  r.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  return r;
}

std::string find_tool(const char* name) {
  for (auto d : {"/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"}) {
    std::string p = std::string(d) + "/" + name;
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  return name;
}

std::string command_error(const CommandResult& r) {
  std::string e = r.err.empty() ? r.out : r.err;
  while (!e.empty() && e.back() == '\n') e.pop_back();
  return e.empty() ? "exit " + std::to_string(r.exit_code) : e;
}

}  // namespace skiff::runtime
