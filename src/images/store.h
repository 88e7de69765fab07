// Private to src/images: the content store under <data-dir>/images (layout in docs/images.md).
//   blobs/sha256/<hex>    content-addressed blobs (manifests, configs, compressed layers)
//   layers/sha256/<hex>   one unpacked tree per layer, named by its diffID, shared by images
//   index.json            image records (name -> manifest, config, layers), see Record
//   index.lock            flock held while the index changes
//   tmp/                  partial writes, renamed into place once complete and verified
// Every object appears atomically (rename), so a present blob or layer is complete; concurrent
// writers of the same object race harmlessly (identical content, one rename wins).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "images/stream.h"

namespace skiff::images {

struct Record {
  std::string name;  // normalized reference, or the image ID for unnamed images
  std::string manifest_digest;
  std::string config_digest;
  std::string platform;
  std::vector<std::string> layer_blobs;  // compressed layer digests, bottom first
  std::vector<std::string> diff_ids;     // uncompressed layer digests, bottom first
  int64_t size = 0;
  int64_t created = 0;
};

class ContentStore;

// Writes one blob incrementally (for bodies pushed by an HTTP client); the blob appears only on
// a successful commit. Destroying an uncommitted writer discards the partial file.
class BlobWriter {
 public:
  explicit BlobWriter(ContentStore& store);
  ~BlobWriter();
  BlobWriter(const BlobWriter&) = delete;
  BlobWriter& operator=(const BlobWriter&) = delete;
  // Throws ImageError(kIo), or kBadContent once more than `limit` bytes arrive (limit >= 0).
  void write(const char* data, size_t n, int64_t limit = -1);
  // Verifies (when `expected` is non-empty / expected_size >= 0) and renames into place.
  std::string commit(const std::string& expected, int64_t expected_size = -1,
                     int64_t* size = nullptr);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class ContentStore {
 public:
  // Creates root and its subdirectories if needed; throws ImageError(kIo).
  explicit ContentStore(std::string root);

  const std::string& root() const { return root_; }
  std::string blob_path(const std::string& digest) const;
  bool has_blob(const std::string& digest) const;
  // Streams `in` into a blob. With a non-empty `expected`, a digest (or size, when >= 0)
  // mismatch is ImageError(kBadContent) and nothing is kept. Returns the digest; *size gets the
  // byte count.
  std::string write_blob(Reader& in, const std::string& expected, int64_t expected_size = -1,
                         int64_t* size = nullptr);
  std::string write_blob(std::string_view data, const std::string& expected = {});
  std::string read_blob(const std::string& digest, size_t limit = 16 << 20) const;

  std::string layer_dir(const std::string& diff_id) const;
  bool has_layer(const std::string& diff_id) const;
  // Unpacks blob `blob_digest` (gzip, zstd or plain tar) into the layer dir for `diff_id`,
  // checking that the uncompressed stream has that digest. No-op when the layer exists.
  void unpack_layer(const std::string& blob_digest, const std::string& diff_id);

  std::vector<Record> records() const;
  // Adds or replaces (by name) a record, after checking under the lock that all its content is
  // present (a concurrent remove may have collected it: ImageError(kIo) then; retry).
  void put(const Record& r);
  // Removes the record named `name` (or whose config digest is `name`) and collects its blobs and
  // layers that no other record uses. False when there is no such record.
  bool remove(const std::string& name, Record* removed = nullptr);

 private:
  friend class BlobWriter;
  std::string tmp_path(const std::string& prefix) const;
  void write_index(const std::vector<Record>& recs) const;
  std::string root_;
};

}  // namespace skiff::images
