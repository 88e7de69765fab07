// Test helpers: a busybox root filesystem in a temp dir, and polling.
#pragma once
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>

namespace skiff::runtime::testing {

inline bool have_busybox() { return ::access("/bin/busybox", X_OK) == 0; }

// <dir>/bin/busybox with applet symlinks for the commands the tests use.
inline void make_busybox_rootfs(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  fs::create_directories(dir / "bin");
  for (auto d : {"proc", "sys", "dev", "etc", "tmp", "root"}) fs::create_directories(dir / d);
  fs::copy_file("/bin/busybox", dir / "bin/busybox", fs::copy_options::overwrite_existing);
  for (auto a : {"sh", "echo", "sleep", "cat", "nc", "httpd", "ip", "hostname", "ls", "head",
                 "true", "false", "id", "ping"})
    fs::create_symlink("busybox", dir / "bin" / a);
}

inline bool wait_for(const std::function<bool()>& cond,
                     std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return cond();
}

}  // namespace skiff::runtime::testing
