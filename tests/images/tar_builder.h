// Test helpers: builds small ustar/PAX archives in memory and gzip/zstd-compresses them.
#pragma once
#include <zlib.h>
#include <zstd.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>

namespace skiff::images::testing {

class TarBuilder {
 public:
  TarBuilder& file(const std::string& name, const std::string& data, unsigned mode = 0644,
                   int uid = 0, int gid = 0) {
    return entry('0', name, data, "", mode, uid, gid);
  }
  TarBuilder& dir(const std::string& name, unsigned mode = 0755) {
    return entry('5', name, "", "", mode);
  }
  TarBuilder& symlink(const std::string& name, const std::string& target) {
    return entry('2', name, "", target, 0777);
  }
  TarBuilder& hardlink(const std::string& name, const std::string& target) {
    return entry('1', name, "", target, 0644);
  }
  TarBuilder& chardev(const std::string& name, int major, int minor) {
    return entry('3', name, "", "", 0666, 0, 0, major, minor);
  }
  TarBuilder& fifo(const std::string& name) { return entry('6', name, "", "", 0644); }
  // A PAX header with the given records, applying to the next entry.
  TarBuilder& pax(const std::map<std::string, std::string>& recs) {
    std::string body;
    for (auto& [k, v] : recs) {
      std::string rec = " " + k + "=" + v + "\n";
      size_t len = rec.size() + 1;
      while (std::to_string(len).size() + rec.size() != len) ++len;
      body += std::to_string(len) + rec;
    }
    return entry('x', "PaxHeader", body, "", 0644);
  }
  TarBuilder& entry(char type, const std::string& name, const std::string& data,
                    const std::string& link, unsigned mode, int uid = 0, int gid = 0,
                    int major = 0, int minor = 0) {
    char h[512] = {};
    std::snprintf(h, 100, "%s", name.c_str());
    std::snprintf(h + 100, 8, "%07o", mode);
    std::snprintf(h + 108, 8, "%07o", uid);
    std::snprintf(h + 116, 8, "%07o", gid);
    std::snprintf(h + 124, 12, "%011llo", static_cast<unsigned long long>(data.size()));
    std::snprintf(h + 136, 12, "%011o", 1700000000u);
    std::memset(h + 148, ' ', 8);
    h[156] = type;
    std::snprintf(h + 157, 100, "%s", link.c_str());
    std::memcpy(h + 257, "ustar\0" "00", 8);
    std::snprintf(h + 329, 8, "%07o", major);
    std::snprintf(h + 337, 8, "%07o", minor);
    unsigned sum = 0;
    for (char c : h) sum += static_cast<unsigned char>(c);
    std::snprintf(h + 148, 8, "%06o", sum);
    h[155] = ' ';
    out_.append(h, 512);
    out_ += data;
    out_.append((512 - data.size() % 512) % 512, '\0');
    return *this;
  }
  std::string str() const { return out_ + std::string(1024, '\0'); }

 private:
  std::string out_;
};

inline std::string gzip(const std::string& in) {
  z_stream z{};
  if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2");
  std::string out(deflateBound(&z, in.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) throw std::runtime_error("deflate");
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

inline std::string zstd(const std::string& in) {
  std::string out(ZSTD_compressBound(in.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3);
  if (ZSTD_isError(n)) throw std::runtime_error("zstd");
  out.resize(n);
  return out;
}

}  // namespace skiff::images::testing
