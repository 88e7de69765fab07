#include "images/store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <random>
#include <set>

#include "common/json.h"
#include "images/digest.h"
#include "images/error.h"
#include "images/reference.h"
#include "images/tar.h"

namespace skiff::images {
namespace fs = std::filesystem;
namespace {

[[noreturn]] void io_fail(const std::string& what) {
  throw ImageError(Status::Code::kIo, what + ": " + std::strerror(errno));
}

void check_digest(const std::string& d) {
  if (!valid_digest(d)) throw ImageError(Status::Code::kBadContent, "invalid digest " + d);
}

// Holds an exclusive flock on a file for its lifetime.
class FileLock {
 public:
  explicit FileLock(const std::string& path) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) io_fail("open " + path);
    while (flock(fd_, LOCK_EX) != 0)
      if (errno != EINTR) io_fail("flock " + path);
  }
  ~FileLock() { ::close(fd_); }

 private:
  int fd_;
};

json::value to_json(const Record& r) {
  json::array lb, di;
  for (auto& s : r.layer_blobs) lb.emplace_back(s);
  for (auto& s : r.diff_ids) di.emplace_back(s);
  return json::object{{"name", r.name},           {"manifest", r.manifest_digest},
                      {"config", r.config_digest}, {"platform", r.platform},
                      {"layers", std::move(lb)},   {"diffIDs", std::move(di)},
                      {"size", r.size},            {"created", r.created}};
}

Record from_json(const json::value& v) {
  Record r;
  r.name = get_string(v, {"name"});
  r.manifest_digest = get_string(v, {"manifest"});
  r.config_digest = get_string(v, {"config"});
  r.platform = get_string(v, {"platform"});
  r.size = get_int(v, {"size"});
  r.created = get_int(v, {"created"});
  if (auto* a = find_path(v, {"layers"}); a && a->is_array())
    for (auto& s : a->as_array())
      if (s.is_string()) r.layer_blobs.emplace_back(s.as_string());
  if (auto* a = find_path(v, {"diffIDs"}); a && a->is_array())
    for (auto& s : a->as_array())
      if (s.is_string()) r.diff_ids.emplace_back(s.as_string());
  return r;
}

void write_all(int fd, const char* p, size_t n, const std::string& path) {
  while (n) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) io_fail("write " + path);
    p += w;
    n -= static_cast<size_t>(w);
  }
}

}  // namespace

ContentStore::ContentStore(std::string root) : root_(std::move(root)) {
  std::error_code ec;
  for (auto sub : {"blobs/sha256", "layers/sha256", "tmp"}) {
    fs::create_directories(root_ + "/" + sub, ec);
    if (ec) throw ImageError(Status::Code::kIo, "create " + root_ + "/" + sub + ": " + ec.message());
  }
}

std::string ContentStore::tmp_path(const std::string& prefix) const {
  static std::atomic<uint64_t> counter{0};
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return root_ + "/tmp/" + prefix + "-" + std::to_string(getpid()) + "-" +
         std::to_string(counter++) + "-" + std::to_string(rng() % 1000000007);
}

std::string ContentStore::blob_path(const std::string& digest) const {
  check_digest(digest);
  return root_ + "/blobs/sha256/" + digest_hex(digest);
}

bool ContentStore::has_blob(const std::string& digest) const {
  return valid_digest(digest) && access(blob_path(digest).c_str(), F_OK) == 0;
}

struct BlobWriter::Impl {
  ContentStore& store;
  std::string tmp;
  int fd = -1;
  Sha256 h;
  int64_t total = 0;
};

BlobWriter::BlobWriter(ContentStore& store)
    : impl_(new Impl{store, store.tmp_path("blob"), -1, {}, 0}) {
  impl_->fd = ::open(impl_->tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (impl_->fd < 0) io_fail("create " + impl_->tmp);
}

BlobWriter::~BlobWriter() {
  if (impl_->fd >= 0) ::close(impl_->fd);
  if (!impl_->tmp.empty()) unlink(impl_->tmp.c_str());
}

void BlobWriter::write(const char* data, size_t n, int64_t limit) {
  impl_->h.update(data, n);
  write_all(impl_->fd, data, n, impl_->tmp);
  impl_->total += static_cast<int64_t>(n);
  if (limit >= 0 && impl_->total > limit)
    throw ImageError(Status::Code::kBadContent, "blob is larger than its descriptor says (" +
                                                    std::to_string(limit) + " bytes)");
}

std::string BlobWriter::commit(const std::string& expected, int64_t expected_size,
                               int64_t* size) {
  if (!expected.empty()) check_digest(expected);
  if (fsync(impl_->fd) != 0) io_fail("fsync " + impl_->tmp);
  ::close(impl_->fd);
  impl_->fd = -1;
  std::string got = impl_->h.digest();
  int64_t total = impl_->total;
  if ((!expected.empty() && got != expected) || (expected_size >= 0 && total != expected_size))
    throw ImageError(Status::Code::kBadContent,
                     "digest mismatch: expected " + expected + " (" +
                         std::to_string(expected_size) + " bytes), got " + got + " (" +
                         std::to_string(total) + " bytes)");
  if (size) *size = total;
  if (rename(impl_->tmp.c_str(), impl_->store.blob_path(got).c_str()) != 0)
    io_fail("rename blob " + got);
  impl_->tmp.clear();
  return got;
}

std::string ContentStore::write_blob(Reader& in, const std::string& expected,
                                     int64_t expected_size, int64_t* size) {
  if (!expected.empty()) check_digest(expected);
  BlobWriter w(*this);
  std::vector<char> buf(256 * 1024);
  while (size_t n = in.read(buf.data(), buf.size())) w.write(buf.data(), n, expected_size);
  return w.commit(expected, expected_size, size);
}

std::string ContentStore::write_blob(std::string_view data, const std::string& expected) {
  auto r = string_reader(std::string(data));
  return write_blob(*r, expected, static_cast<int64_t>(data.size()));
}

std::string ContentStore::read_blob(const std::string& digest, size_t limit) const {
  auto r = open_file_reader(blob_path(digest));
  std::string out;
  char buf[65536];
  while (size_t n = r->read(buf, sizeof buf)) {
    out.append(buf, n);
    if (out.size() > limit) throw ImageError(Status::Code::kBadContent, "blob " + digest + " too large");
  }
  return out;
}

std::string ContentStore::layer_dir(const std::string& diff_id) const {
  check_digest(diff_id);
  return root_ + "/layers/sha256/" + digest_hex(diff_id);
}

bool ContentStore::has_layer(const std::string& diff_id) const {
  return valid_digest(diff_id) && access(layer_dir(diff_id).c_str(), F_OK) == 0;
}

void ContentStore::unpack_layer(const std::string& blob_digest, const std::string& diff_id) {
  if (has_layer(diff_id)) return;
  std::string tmp = tmp_path("layer");
  if (mkdir(tmp.c_str(), 0755) != 0) io_fail("mkdir " + tmp);
  try {
    auto raw = open_file_reader(blob_path(blob_digest));
    auto plain = decompressing_reader(std::move(raw));
    HashingReader h(*plain);
    try {
      extract_tar(h, tmp);
    } catch (const ImageError&) {
      throw;
    } catch (const std::runtime_error& e) {
      throw ImageError(Status::Code::kBadContent, "layer " + blob_digest + ": " + e.what());
    }
    std::string got = h.finish();
    if (got != diff_id)
      throw ImageError(Status::Code::kBadContent, "layer " + blob_digest + ": diffID mismatch: config says " +
                                                     diff_id + ", content is " + got);
    if (chmod(tmp.c_str(), 0755) != 0) io_fail("chmod " + tmp);
    if (rename(tmp.c_str(), layer_dir(diff_id).c_str()) != 0) {
      if (errno != ENOTEMPTY && errno != EEXIST) io_fail("rename layer " + diff_id);
      fs::remove_all(tmp);  // another writer finished first
    }
  } catch (...) {
    std::error_code ec;
    fs::remove_all(tmp, ec);
    throw;
  }
}

std::vector<Record> ContentStore::records() const {
  std::vector<Record> out;
  std::string text;
  try {
    auto r = open_file_reader(root_ + "/index.json");
    char buf[65536];
    while (size_t n = r->read(buf, sizeof buf)) text.append(buf, n);
  } catch (const std::runtime_error&) {
    return out;  // no index yet
  }
  json::value v;
  std::string err;
  if (!parse_json(text, v, err))
    throw ImageError(Status::Code::kIo, root_ + "/index.json is corrupt: " + err);
  if (auto* a = find_path(v, {"images"}); a && a->is_array())
    for (auto& e : a->as_array()) out.push_back(from_json(e));
  return out;
}

void ContentStore::write_index(const std::vector<Record>& recs) const {
  json::array a;
  for (auto& r : recs) a.push_back(to_json(r));
  std::string text = json::serialize(json::object{{"images", std::move(a)}}) + "\n";
  std::string tmp = tmp_path("index");
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) io_fail("create " + tmp);
  write_all(fd, text.data(), text.size(), tmp);
  if (fsync(fd) != 0) {
    ::close(fd);
    io_fail("fsync " + tmp);
  }
  ::close(fd);
  if (rename(tmp.c_str(), (root_ + "/index.json").c_str()) != 0) io_fail("rename index");
}

void ContentStore::put(const Record& r) {
  FileLock lock(root_ + "/index.lock");
  for (auto* d : {&r.manifest_digest, &r.config_digest})
    if (!has_blob(*d))
      throw ImageError(Status::Code::kIo, "blob " + *d + " vanished (removed concurrently?); retry");
  for (auto& d : r.diff_ids)
    if (!has_layer(d))
      throw ImageError(Status::Code::kIo, "layer " + d + " vanished (removed concurrently?); retry");
  auto recs = records();
  std::erase_if(recs, [&](const Record& x) { return x.name == r.name; });
  recs.push_back(r);
  write_index(recs);
}

bool ContentStore::remove(const std::string& name, Record* removed) {
  FileLock lock(root_ + "/index.lock");
  auto recs = records();
  auto it = std::find_if(recs.begin(), recs.end(), [&](const Record& x) { return x.name == name; });
  if (it == recs.end())
    it = std::find_if(recs.begin(), recs.end(),
                      [&](const Record& x) { return x.config_digest == name; });
  if (it == recs.end()) return false;
  Record gone = *it;
  recs.erase(it);
  write_index(recs);
  std::set<std::string> used_blobs, used_layers;
  for (auto& r : recs) {
    used_blobs.insert({r.manifest_digest, r.config_digest});
    used_blobs.insert(r.layer_blobs.begin(), r.layer_blobs.end());
    used_layers.insert(r.diff_ids.begin(), r.diff_ids.end());
  }
  std::vector<std::string> blobs = gone.layer_blobs;
  blobs.push_back(gone.manifest_digest);
  blobs.push_back(gone.config_digest);
  for (auto& b : blobs)
    if (!used_blobs.count(b) && valid_digest(b)) unlink(blob_path(b).c_str());
  for (auto& d : gone.diff_ids) {
    if (used_layers.count(d) || !has_layer(d)) continue;
    // Renamed away first so that a half-deleted tree never looks like a complete layer.
    std::string tmp = tmp_path("gc");
    if (rename(layer_dir(d).c_str(), tmp.c_str()) == 0) {
      std::error_code ec;
      fs::remove_all(tmp, ec);
    }
  }
  if (removed) *removed = gone;
  return true;
}

}  // namespace skiff::images
