// Byte streams for layers: a file, and transparent gzip / zstd decompression chosen by the
// stream's magic bytes, so a layer blob is read the same way whatever its media type says.
#pragma once
#include <cstddef>
#include <memory>
#include <string>

namespace skiff::images {

// A source of bytes. read() returns the count read, 0 at the end; throws std::runtime_error on
// I/O or format errors.
class Reader {
 public:
  virtual ~Reader() = default;
  virtual size_t read(char* buf, size_t n) = 0;
};

// Reads a file (throws if it cannot be opened).
std::unique_ptr<Reader> open_file_reader(const std::string& path);
// Reads from an in-memory string (the reader keeps its own copy).
std::unique_ptr<Reader> string_reader(std::string data);
// Wraps `in`: gzip (possibly multi-member) and zstd are decompressed, anything else passes through.
std::unique_ptr<Reader> decompressing_reader(std::unique_ptr<Reader> in);
// A reader that hashes (SHA-256) everything read through it; digest() once the end is reached.
class HashingReader : public Reader {
 public:
  explicit HashingReader(Reader& in);
  ~HashingReader() override;
  size_t read(char* buf, size_t n) override;
  // Reads what remains, then returns "sha256:<hex>".
  std::string finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace skiff::images
