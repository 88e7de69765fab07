#include "client/token_file.h"

#include <fstream>
#include <sstream>

namespace skiff::client {

bool read_token_file(const std::string& path, std::string* token) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string t = ss.str();
  while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.pop_back();
  *token = std::move(t);
  return true;
}

TokenFile::TokenFile(std::string path, std::chrono::seconds max_age)
    : path_(std::move(path)), max_age_(max_age) {}

std::string TokenFile::get() {
  std::lock_guard lk(mu_);
  auto now = std::chrono::steady_clock::now();
  if (read_at_ == std::chrono::steady_clock::time_point{} || now - read_at_ >= max_age_) {
    std::string t;
    if (read_token_file(path_, &t)) token_ = std::move(t);
    read_at_ = now;
  }
  return token_;
}

}  // namespace skiff::client
