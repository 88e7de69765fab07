// SHA-256 content digests ("sha256:<hex>") for blobs, manifests and uncompressed layers.
#pragma once
#include <memory>
#include <string>
#include <string_view>

namespace skiff::images {

// Incremental SHA-256. Not thread-safe.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(const void* data, size_t n);
  // "sha256:<64 lowercase hex>"; call once.
  std::string digest();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string sha256_digest(std::string_view data);
// The hex part of a valid "sha256:<hex>" digest.
inline std::string digest_hex(std::string_view d) { return std::string(d.substr(7)); }

}  // namespace skiff::images
