// The PKI's file helpers, shared by pki.cc (certificates) and jwt.cc (the service-account key).
#pragma once
#include <sys/types.h>

#include <string>

namespace skiff::pki {
// The whole file ("" when it cannot be read).
std::string read_file(const std::string& path);
// Writes `data` to `path` with `mode` atomically (temp file, fsync, rename); throws
// std::runtime_error on failure.
void write_file_atomic(const std::string& path, const std::string& data, mode_t mode);
}  // namespace skiff::pki
