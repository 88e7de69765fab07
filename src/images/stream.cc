#include "images/stream.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "images/digest.h"

namespace skiff::images {
namespace {

constexpr size_t kBuf = 128 * 1024;

class FileReader : public Reader {
 public:
  explicit FileReader(const std::string& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw std::runtime_error("open " + path + ": " + std::strerror(errno));
  }
  ~FileReader() override { ::close(fd_); }
  size_t read(char* buf, size_t n) override {
    while (true) {
      ssize_t r = ::read(fd_, buf, n);
      if (r >= 0) return static_cast<size_t>(r);
      if (errno != EINTR) throw std::runtime_error("read " + path_ + ": " + std::strerror(errno));
    }
  }

 private:
  std::string path_;
  int fd_ = -1;
};

class StringReader : public Reader {
 public:
  explicit StringReader(std::string d) : data_(std::move(d)) {}
  size_t read(char* buf, size_t n) override {
    size_t k = std::min(n, data_.size() - pos_);
    std::memcpy(buf, data_.data() + pos_, k);
    pos_ += k;
    return k;
  }

 private:
  std::string data_;
  size_t pos_ = 0;
};

// Holds bytes already read from `in` (for sniffing the magic) and serves them first.
struct Source {
  std::unique_ptr<Reader> in;
  std::vector<char> buf = std::vector<char>(kBuf);
  size_t pos = 0, len = 0;
  bool eof = false;
  bool fill() {
    if (pos < len) return true;
    if (eof) return false;
    pos = 0;
    len = in->read(buf.data(), buf.size());
    if (len == 0) eof = true;
    return len > 0;
  }
};

class PlainReader : public Reader {
 public:
  explicit PlainReader(Source s) : s_(std::move(s)) {}
  size_t read(char* out, size_t n) override {
    if (!s_.fill()) return 0;
    size_t k = std::min(n, s_.len - s_.pos);
    std::memcpy(out, s_.buf.data() + s_.pos, k);
    s_.pos += k;
    return k;
  }

 private:
  Source s_;
};

class GzipReader : public Reader {
 public:
  explicit GzipReader(Source s) : s_(std::move(s)) {
    std::memset(&z_, 0, sizeof z_);
    if (inflateInit2(&z_, 15 + 16) != Z_OK) throw std::runtime_error("gzip: inflateInit failed");
  }
  ~GzipReader() override { inflateEnd(&z_); }
  size_t read(char* out, size_t n) override {
    if (done_) return 0;
    z_.next_out = reinterpret_cast<Bytef*>(out);
    z_.avail_out = static_cast<uInt>(n);
    while (z_.avail_out == n) {
      if (!s_.fill()) {
        if (!member_done_) throw std::runtime_error("gzip: unexpected end of compressed data");
        done_ = true;
        break;
      }
      z_.next_in = reinterpret_cast<Bytef*>(s_.buf.data() + s_.pos);
      z_.avail_in = static_cast<uInt>(s_.len - s_.pos);
      bool new_member = member_done_;
      if (member_done_) {  // another gzip member follows
        inflateReset(&z_);
        member_done_ = false;
      }
      int rc = inflate(&z_, Z_NO_FLUSH);
      s_.pos = s_.len - z_.avail_in;
      if (rc == Z_STREAM_END) {
        member_done_ = true;
      } else if (new_member && rc == Z_DATA_ERROR) {  // trailing padding after the last member
        done_ = true;
        break;
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        throw std::runtime_error(std::string("gzip: ") + (z_.msg ? z_.msg : "corrupt data"));
      }
    }
    return n - z_.avail_out;
  }

 private:
  Source s_;
  z_stream z_;
  bool member_done_ = false, done_ = false;
};

class ZstdReader : public Reader {
 public:
  explicit ZstdReader(Source s) : s_(std::move(s)), d_(ZSTD_createDStream()) {
    if (!d_) throw std::runtime_error("zstd: out of memory");
  }
  ~ZstdReader() override { ZSTD_freeDStream(d_); }
  size_t read(char* out, size_t n) override {
    ZSTD_outBuffer ob{out, n, 0};
    while (ob.pos == 0) {
      if (!s_.fill()) {
        if (!frame_done_) throw std::runtime_error("zstd: unexpected end of compressed data");
        return 0;
      }
      ZSTD_inBuffer ib{s_.buf.data() + s_.pos, s_.len - s_.pos, 0};
      size_t rc = ZSTD_decompressStream(d_, &ob, &ib);
      s_.pos += ib.pos;
      if (ZSTD_isError(rc)) throw std::runtime_error(std::string("zstd: ") + ZSTD_getErrorName(rc));
      frame_done_ = (rc == 0);
    }
    return ob.pos;
  }

 private:
  Source s_;
  ZSTD_DStream* d_;
  bool frame_done_ = true;
};

}  // namespace

std::unique_ptr<Reader> open_file_reader(const std::string& path) {
  return std::make_unique<FileReader>(path);
}

std::unique_ptr<Reader> string_reader(std::string data) {
  return std::make_unique<StringReader>(std::move(data));
}

std::unique_ptr<Reader> decompressing_reader(std::unique_ptr<Reader> in) {
  Source s;
  s.in = std::move(in);
  // Gather at least 4 bytes for the magic (a reader may return short counts).
  while (s.len < 4) {
    size_t r = s.in->read(s.buf.data() + s.len, s.buf.size() - s.len);
    if (r == 0) {
      s.eof = true;
      break;
    }
    s.len += r;
  }
  auto b = reinterpret_cast<const unsigned char*>(s.buf.data());
  if (s.len >= 2 && b[0] == 0x1f && b[1] == 0x8b) return std::make_unique<GzipReader>(std::move(s));
  if (s.len >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd)
    return std::make_unique<ZstdReader>(std::move(s));
  return std::make_unique<PlainReader>(std::move(s));
}

struct HashingReader::Impl {
  Reader& in;
  Sha256 h;
};

HashingReader::HashingReader(Reader& in) : impl_(new Impl{in, {}}) {}
HashingReader::~HashingReader() = default;

size_t HashingReader::read(char* buf, size_t n) {
  size_t r = impl_->in.read(buf, n);
  impl_->h.update(buf, r);
  return r;
}

std::string HashingReader::finish() {
  std::vector<char> buf(kBuf);
  while (read(buf.data(), buf.size()) > 0) {
  }
  return impl_->h.digest();
}

}  // namespace skiff::images
