#include "agent/data_dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <sstream>
#include <thread>

namespace skiff::agent {
namespace {

DataDirLock::Holder read_holder(int fd) {
  DataDirLock::Holder h;
  char buf[128];
  ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return h;
  buf[n] = 0;
  std::istringstream in(buf);
  in >> h.pid >> h.role;
  if (h.pid < 0) h.pid = 0;
  return h;
}

}  // namespace

std::unique_ptr<DataDirLock> DataDirLock::try_acquire(const std::string& data_dir,
                                                      const std::string& role, Holder* holder,
                                                      std::string* error) {
  const std::string p = path(data_dir);
  int fd = ::open(p.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) {
    *error = "cannot open " + p + ": " + std::strerror(errno);
    return nullptr;
  }
  int rc;
  while ((rc = ::flock(fd, LOCK_EX | LOCK_NB)) != 0 && errno == EINTR) {
  }
  if (rc != 0) {
    int err = errno;
    if (err != EWOULDBLOCK) {
      ::close(fd);
      *error = "cannot lock " + p + ": " + std::strerror(err);
      return nullptr;
    }
    // The holder writes its pid right after taking the lock: give it a moment.
    *holder = read_holder(fd);
    for (int i = 0; i < 20 && holder->pid == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      *holder = read_holder(fd);
    }
    ::close(fd);
    return nullptr;
  }
  std::string line = std::to_string(::getpid()) + " " + role + "\n";
  if (::ftruncate(fd, 0) != 0 ||
      ::pwrite(fd, line.data(), line.size(), 0) != static_cast<ssize_t>(line.size())) {
    int err = errno;
    ::close(fd);
    *error = "cannot write " + p + ": " + std::strerror(err);
    return nullptr;
  }
  return std::unique_ptr<DataDirLock>(new DataDirLock(fd));
}

DataDirLock::~DataDirLock() {
  // Still holding the lock: nobody reads a half-cleared file as its holder.
  (void)!::ftruncate(fd_, 0);
  ::close(fd_);
}

}  // namespace skiff::agent
