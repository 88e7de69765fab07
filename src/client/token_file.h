// A bearer token kept in a file that someone else rotates: the kubelet rewrites a pod's projected
// service-account token before it expires, so a long-running client must not read it only once.
// Like client-go's cached file token source, the file is re-read when the cached copy is older
// than a minute; a failed re-read keeps the last good token (the kubelet writes atomically, so a
// failure means the file is briefly missing, not half-written). Thread-safe.
#pragma once
#include <chrono>
#include <mutex>
#include <string>

namespace skiff::client {

class TokenFile {
 public:
  explicit TokenFile(std::string path, std::chrono::seconds max_age = std::chrono::minutes(1));
  // The current token ("" when the file was never readable).
  std::string get();
  const std::string& path() const { return path_; }

 private:
  const std::string path_;
  const std::chrono::seconds max_age_;
  std::mutex mu_;
  std::string token_;                               // guarded by mu_
  std::chrono::steady_clock::time_point read_at_{};  // guarded by mu_; epoch = never read
};

// Reads a token file whole, without trailing newlines. False when unreadable.
bool read_token_file(const std::string& path, std::string* token);

}  // namespace skiff::client
