// A small streaming tar writer (POSIX ustar, with the prefix field for paths up to 255 bytes)
// for archives skiff makes itself: the system image's layer and its OCI image-layout archive
// (system_image.h). Regular files, directories and symlinks only.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>

namespace skiff::images {

class TarWriter {
 public:
  // Writes to `out` (not owned; the caller closes it). Every method throws std::runtime_error
  // when a write fails or a name does not fit ustar.
  explicit TarWriter(std::FILE* out) : out_(out) {}
  void dir(const std::string& name, uint32_t mode = 0755);
  void symlink(const std::string& name, const std::string& target);
  void file(const std::string& name, const std::string& data, uint32_t mode = 0644);
  // A file whose content is copied from the host file at `src`; returns its size.
  int64_t file_from(const std::string& name, const std::string& src, uint32_t mode);
  // The two zero blocks that end an archive.
  void finish();

 private:
  void header(char type, const std::string& name, const std::string& link, uint32_t mode,
              int64_t size);
  void write(const void* p, size_t n);
  void pad(int64_t size);
  std::FILE* out_;
};

}  // namespace skiff::images
