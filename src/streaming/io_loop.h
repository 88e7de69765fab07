// IoLoop: all I/O of one upgraded connection on one thread. A TLS stream must not be read and
// written from two threads at once, so handler threads queue their writes here and the loop
// thread writes them between reads (it reads only when poll(2) or the TLS buffers say a read
// will not block).
#pragma once
#include <chrono>
#include <condition_variable>
#include <thread>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "net/http.h"

namespace skiff::streaming {

class IoLoop {
 public:
  explicit IoLoop(net::RawStream& s);
  ~IoLoop();
  IoLoop(const IoLoop&) = delete;
  IoLoop& operator=(const IoLoop&) = delete;

  // Queues bytes for the peer (thread-safe). false once the loop has ended. Other threads
  // block while more than kMaxQueued bytes wait (backpressure from a slow peer); the loop
  // thread itself never blocks here.
  bool send(std::string data);
  static constexpr size_t kMaxQueued = 4 << 20;
  // Thread-safe: once everything queued so far is written, keep reading for at most `linger`
  // (a close handshake's answer; on_data returning false ends it sooner), then run() returns.
  void finish(std::chrono::milliseconds linger = std::chrono::milliseconds(2000));
  // Thread-safe: run() returns as soon as possible; queued data may be dropped.
  void abort();
  // Runs on the calling thread until the peer closes, a write fails, on_data returns false,
  // finish() completes or abort(). on_data gets the bytes read, on this thread.
  void run(const std::function<bool(std::string_view)>& on_data);
  bool ended() const;

 private:
  void wake();
  net::RawStream& s_;
  int wake_fd_ = -1;  // eventfd: send/finish/abort wake the poll
  mutable std::mutex mu_;  // guards the fields below
  std::condition_variable drained_;  // signalled when the loop took the queue or ended
  std::deque<std::string> queue_;
  size_t queued_bytes_ = 0;
  std::thread::id loop_thread_;
  bool finishing_ = false;
  std::chrono::milliseconds linger_{0};
  bool aborted_ = false;
  bool ended_ = false;
};

}  // namespace skiff::streaming
