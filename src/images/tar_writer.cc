#include "images/tar_writer.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace skiff::images {

void TarWriter::write(const void* p, size_t n) {
  if (n && std::fwrite(p, 1, n, out_) != n) throw std::runtime_error("tar: write failed");
}

void TarWriter::pad(int64_t size) {
  static const char zeros[512] = {};
  write(zeros, static_cast<size_t>((512 - size % 512) % 512));
}

void TarWriter::header(char type, const std::string& name, const std::string& link, uint32_t mode,
                       int64_t size) {
  char h[512] = {};
  // ustar splits a long path at a '/' into prefix (155) and name (100).
  std::string prefix, base = name;
  if (base.size() > 100) {
    auto cut = name.rfind('/', 155);
    if (cut == std::string::npos || name.size() - cut - 1 > 100 || cut == 0)
      throw std::runtime_error("tar: name too long: " + name);
    prefix = name.substr(0, cut);
    base = name.substr(cut + 1);
  }
  if (link.size() > 100) throw std::runtime_error("tar: link target too long: " + link);
  std::memcpy(h, base.data(), base.size());
  std::snprintf(h + 100, 8, "%07o", mode & 07777);
  std::snprintf(h + 108, 8, "%07o", 0);
  std::snprintf(h + 116, 8, "%07o", 0);
  std::snprintf(h + 124, 12, "%011llo", static_cast<unsigned long long>(size));
  // A fixed mtime: the same inputs give the same bytes, so the same digests on every host.
  std::snprintf(h + 136, 12, "%011o", 0u);
  std::memset(h + 148, ' ', 8);
  h[156] = type;
  std::memcpy(h + 157, link.data(), link.size());
  std::memcpy(h + 257, "ustar\0" "00", 8);
  std::memcpy(h + 345, prefix.data(), prefix.size());
  unsigned sum = 0;
  for (char c : h) sum += static_cast<unsigned char>(c);
  std::snprintf(h + 148, 8, "%06o", sum);
  h[155] = ' ';
  write(h, sizeof h);
}

void TarWriter::dir(const std::string& name, uint32_t mode) { header('5', name + "/", "", mode, 0); }

void TarWriter::symlink(const std::string& name, const std::string& target) {
  header('2', name, target, 0777, 0);
}

void TarWriter::file(const std::string& name, const std::string& data, uint32_t mode) {
  header('0', name, "", mode, static_cast<int64_t>(data.size()));
  write(data.data(), data.size());
  pad(static_cast<int64_t>(data.size()));
}

int64_t TarWriter::file_from(const std::string& name, const std::string& src, uint32_t mode) {
  std::FILE* in = std::fopen(src.c_str(), "rb");
  if (!in) throw std::runtime_error("tar: cannot read " + src + ": " + std::strerror(errno));
  std::fseek(in, 0, SEEK_END);
  const int64_t size = std::ftell(in);
  std::fseek(in, 0, SEEK_SET);
  try {
    header('0', name, "", mode, size);
    char buf[1 << 16];
    int64_t left = size;
    while (left > 0) {
      size_t n = std::fread(buf, 1, static_cast<size_t>(std::min<int64_t>(left, sizeof buf)), in);
      if (n == 0) throw std::runtime_error("tar: " + src + " changed while being read");
      write(buf, n);
      left -= static_cast<int64_t>(n);
    }
    pad(size);
  } catch (...) {
    std::fclose(in);
    throw;
  }
  std::fclose(in);
  return size;
}

void TarWriter::finish() {
  static const char zeros[1024] = {};
  write(zeros, sizeof zeros);
  if (std::fflush(out_) != 0) throw std::runtime_error("tar: write failed");
}

}  // namespace skiff::images
