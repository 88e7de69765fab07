// IoLoop of streaming/io_loop.h.
#include "streaming/io_loop.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <thread>

namespace skiff::streaming {

IoLoop::IoLoop(net::RawStream& s) : s_(s), wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}

IoLoop::~IoLoop() {
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void IoLoop::wake() {
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
}

bool IoLoop::send(std::string data) {
  {
    std::unique_lock<std::mutex> lk(mu_);
    if (std::this_thread::get_id() != loop_thread_)
      drained_.wait(lk, [&] { return queued_bytes_ <= kMaxQueued || ended_ || aborted_; });
    if (ended_ || aborted_ || finishing_) return false;
    queued_bytes_ += data.size();
    queue_.push_back(std::move(data));
  }
  wake();
  return true;
}

void IoLoop::finish(std::chrono::milliseconds linger) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (finishing_) return;
    finishing_ = true;
    linger_ = linger;
  }
  wake();
}

void IoLoop::abort() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    aborted_ = true;
  }
  drained_.notify_all();
  wake();
}

bool IoLoop::ended() const {
  std::lock_guard<std::mutex> lk(mu_);
  return ended_;
}

void IoLoop::run(const std::function<bool(std::string_view)>& on_data) {
  std::string buf(32768, '\0');
  bool lingering = false;
  auto linger_until = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lk(mu_);
    loop_thread_ = std::this_thread::get_id();
  }
  auto end = [&] {
    {
      std::lock_guard<std::mutex> lk(mu_);
      ended_ = true;
      queue_.clear();
      queued_bytes_ = 0;
    }
    drained_.notify_all();
  };
  for (;;) {
    std::deque<std::string> out;
    bool finishing;
    {
      std::lock_guard<std::mutex> lk(mu_);
      if (aborted_) break;
      out.swap(queue_);
      queued_bytes_ = 0;
      finishing = finishing_;
      if (finishing && !lingering) {
        lingering = true;  // everything queued before finish() is in `out`
        linger_until = std::chrono::steady_clock::now() + linger_;
      }
    }
    if (!out.empty()) drained_.notify_all();
    bool write_failed = false;
    for (auto& d : out)
      if (!s_.write_all(d)) {
        write_failed = true;
        break;
      }
    if (write_failed) break;
    auto now = std::chrono::steady_clock::now();
    if (lingering && now >= linger_until) break;
    int timeout_ms = 500;
    if (lingering)
      timeout_ms = static_cast<int>(
          std::chrono::duration_cast<std::chrono::milliseconds>(linger_until - now).count()) + 1;
    bool readable = s_.pending();
    pollfd p[2] = {{s_.fd(), POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    int r = ::poll(p, 2, readable ? 0 : timeout_ms);
    if (r < 0 && errno != EINTR) break;
    if (r > 0 && (p[1].revents & POLLIN)) {
      uint64_t v;
      [[maybe_unused]] ssize_t n = ::read(wake_fd_, &v, sizeof v);
    }
    if (r > 0 && p[0].revents) readable = true;
    if (!readable) continue;
    long n = s_.read_some(buf.data(), buf.size());
    if (n <= 0) break;
    if (!on_data(std::string_view(buf.data(), static_cast<size_t>(n)))) {
      // The protocol is done reading; still write what is queued before returning.
      std::lock_guard<std::mutex> lk(mu_);
      for (auto& d : queue_) (void)s_.write_all(d);
      queue_.clear();
      queued_bytes_ = 0;
      break;
    }
  }
  end();
}

}  // namespace skiff::streaming
