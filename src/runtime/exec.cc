// Streaming exec (kubectl exec/attach style): `<runtime> exec` with the caller's file
// descriptors as stdio, or with a pseudo-terminal: crun hands the master end of the container's
// terminal over a console socket (SCM_RIGHTS); runc refuses a console socket unless detached,
// so it runs in the foreground on a terminal of ours and copies to the container's.
#include "runtime/exec.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "runtime/process.h"

namespace skiff::runtime {
namespace {

// The master end sent by the runtime on an accepted console-socket connection, or -1.
int receive_fd(int conn) {
  char data[256];
  iovec iov{data, sizeof data};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  if (::recvmsg(conn, &msg, MSG_CMSG_CLOEXEC) < 0) return -1;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
      return fd;
    }
  }
  return -1;
}

}  // namespace

Status exec_streaming(const std::vector<std::string>& runtime_argv, const std::string& hide_mount,
                      const std::string& console_socket, const ExecIO& io, int* exit_code) {
  int listener = -1;
  int pty_master = -1, pty_slave = -1;
  if (io.tty && console_socket.empty()) {
    // The runtime copies between its own stdio and the container's terminal (runc in the
    // foreground): give it a terminal of ours, as its controlling terminal so that a resize of
    // our master reaches it as SIGWINCH.
    pty_master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (pty_master < 0 || ::grantpt(pty_master) != 0 || ::unlockpt(pty_master) != 0) {
      if (pty_master >= 0) ::close(pty_master);
      return Status::Failed(std::string("openpt: ") + std::strerror(errno));
    }
    char name[64];
    if (::ptsname_r(pty_master, name, sizeof name) != 0 ||
        (pty_slave = ::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
      ::close(pty_master);
      return Status::Failed("cannot open the terminal's slave end");
    }
  } else if (io.tty) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (console_socket.size() >= sizeof addr.sun_path) return Status::Invalid("console socket path too long");
    std::strcpy(addr.sun_path, console_socket.c_str());
    ::unlink(console_socket.c_str());
    listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener < 0 || ::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listener, 1) != 0) {
      int e = errno;
      if (listener >= 0) ::close(listener);
      return Status::Failed(std::string("console socket: ") + std::strerror(e));
    }
  }
  std::vector<char*> argv;
  for (const auto& a : runtime_argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const char* hide = hide_mount.empty() ? nullptr : hide_mount.c_str();
  int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  int in = io.stdin_fd >= 0 ? io.stdin_fd : devnull;
  int out = io.stdout_fd >= 0 ? io.stdout_fd : devnull;
  int err = io.stderr_fd >= 0 ? io.stderr_fd : devnull;
  if (pty_slave >= 0) in = out = err = pty_slave;
  auto child = [&]() -> int {
    if (pty_slave >= 0) {
      ::setsid();
      ::ioctl(pty_slave, TIOCSCTTY, 0);
    }
    // dup2 onto 0..2 in an order that survives sources among 0..2.
    int a = ::fcntl(in, F_DUPFD_CLOEXEC, 3), b = ::fcntl(out, F_DUPFD_CLOEXEC, 3),
        c = ::fcntl(err, F_DUPFD_CLOEXEC, 3);
    ::dup2(a, 0), ::dup2(b, 1), ::dup2(c, 2);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (hide && enter_private_mount_ns_without(hide) != 0) ::_exit(126);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  };
  pid_t pid = spawn_child(child);
  if (devnull >= 0) ::close(devnull);
  if (pty_slave >= 0) ::close(pty_slave);
  if (pid < 0) {
    if (listener >= 0) ::close(listener);
    if (pty_master >= 0) ::close(pty_master);
    return Status::Failed(std::string("fork: ") + std::strerror(errno));
  }
  if (pty_master >= 0) {
    if (io.on_tty) io.on_tty(pty_master);
    else ::close(pty_master);
  }
  int st = 0;
  bool reaped = false;
  if (listener >= 0) {
    // Wait for the runtime to connect, unless it fails (exits) first.
    while (!reaped) {
      pollfd p{listener, POLLIN, 0};
      int rc = ::poll(&p, 1, 50);
      if (rc > 0) {
        int conn = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (conn >= 0) {
          int master = receive_fd(conn);
          ::close(conn);
          if (master >= 0 && io.on_tty) io.on_tty(master);
          else if (master >= 0) ::close(master);
          break;
        }
      }
      if (::waitpid(pid, &st, WNOHANG) == pid) reaped = true;
    }
    ::close(listener);
    ::unlink(console_socket.c_str());
  }
  while (!reaped && ::waitpid(pid, &st, 0) < 0) {
    if (errno != EINTR) return Status::Failed(std::string("waitpid: ") + std::strerror(errno));
  }
  *exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  return Status::Ok();
}

}  // namespace skiff::runtime
