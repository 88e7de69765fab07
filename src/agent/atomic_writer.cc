// The atomic writer of configMap, secret, downwardAPI and projected volumes, following
// upstream's pkg/volume/util/atomic_writer.go step by step.
#include "agent/atomic_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <set>

namespace skiff::agent {
namespace {
namespace fs = std::filesystem;

std::string sys_error(const std::string& what) { return what + ": " + std::strerror(errno); }

// upstream validatePath: relative, no ".." element, no leading "..name" (reserved for ..data).
bool validate_path(const std::string& p, std::string* err) {
  if (p.empty()) *err = "invalid path: must not be empty: \"\"";
  else if (p[0] == '/') *err = "invalid path: must be relative path: " + p;
  else if (p.size() > 4096) *err = "invalid path: must be less than or equal to 4096 characters";
  if (!err->empty()) return false;
  std::string first = p.substr(0, p.find('/'));
  for (auto& part : fs::path(p))
    if (part == "..") *err = "invalid path: must not contain '..': " + p;
  if (err->empty() && first.starts_with("..") && first.size() > 2)
    *err = "invalid path: must not start with '..': " + p;
  return err->empty();
}

std::string clean_path(const std::string& p) {
  std::string c = fs::path(p).lexically_normal().string();
  while (c.size() > 1 && c.back() == '/') c.pop_back();
  return c;
}

// The files under the data directory `ts_dir`, and every path (dirs too) for stale detection.
void read_tree(const std::string& ts_dir, Payload* files, std::set<std::string>* paths) {
  std::error_code ec;
  for (fs::recursive_directory_iterator it(ts_dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string rel = fs::path(it->path()).lexically_relative(ts_dir).string();
    paths->insert(rel);
    if (!it->is_regular_file()) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    int mode = static_cast<int>(fs::symlink_status(it->path()).permissions() & fs::perms::mask);
    (*files)[rel] = {std::move(data), mode};
  }
}

bool write_file(const std::string& path, const FileProjection& f, std::string* err) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return *err = sys_error("create " + path), false;
  size_t done = 0;
  while (done < f.data.size()) {
    ssize_t n = ::write(fd, f.data.data() + done, f.data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    done += n;
  }
  bool ok = done == f.data.size() && ::fchmod(fd, f.mode) == 0;
  if (!ok) *err = sys_error("write " + path);
  ::close(fd);
  return ok;
}

// A fresh "..<UTC timestamp>.<random>" directory holding the payload; returns its name.
bool write_data_dir(const std::string& target, const Payload& payload, std::string* name,
                    std::string* err) {
  char ts[64];
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  std::strftime(ts, sizeof ts, "..%Y_%m_%d_%H_%M_%S.XXXXXX", &tm);
  std::string tmpl = target + "/" + ts;
  if (!::mkdtemp(tmpl.data())) return *err = sys_error("mkdtemp in " + target), false;
  *name = fs::path(tmpl).filename().string();
  std::error_code ec;
  fs::permissions(tmpl, fs::perms(0755), ec);  // mkdtemp made it 0700
  bool ok = true;
  for (auto it = payload.begin(); ok && it != payload.end(); ++it) {
    std::string file = tmpl + "/" + it->first;
    std::string parent = fs::path(file).parent_path().string();
    ok = make_dir(parent, fs::perms(0755), err) && write_file(file, it->second, err);
  }
  if (!ok) fs::remove_all(tmpl);
  return ok;
}

// Each top-level name is a symlink into ..data ("a/b" makes "a" -> "..data/a").
bool link_visible(const std::string& target, const Payload& payload, std::string* err) {
  for (auto& [path, f] : payload) {
    std::string top = path.substr(0, path.find('/'));
    std::string link = target + "/" + top;
    struct stat st;
    if (::lstat(link.c_str(), &st) == 0) continue;
    if (::symlink(("..data/" + top).c_str(), link.c_str()) != 0)
      return *err = sys_error("symlink " + link), false;
  }
  return true;
}

}  // namespace

// Creates `dir` (and parents) with exactly `perms`, whatever the umask. An existing directory
// is left as it is: a refresh must not change the mode of a tmpfs mounted there.
bool make_dir(const std::string& dir, std::filesystem::perms perms, std::string* err) {
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return true;
  fs::create_directories(dir, ec);
  if (!ec) fs::permissions(dir, perms, ec);
  if (ec) *err = "create " + dir + ": " + ec.message();
  return !ec;
}

// upstream AtomicWriter.Write: nothing is replaced in place, a reader of "<target>/<name>"
// sees either the old or the new payload.
bool atomic_write(const std::string& target, const Payload& raw, std::string* err) {
  Payload payload;
  for (auto& [p, f] : raw) {
    if (!validate_path(p, err)) return false;
    payload[clean_path(p)] = f;
  }
  std::string data_link = target + "/..data";
  std::error_code ec;
  std::string old_dir = fs::read_symlink(data_link, ec).string();
  if (ec || old_dir.find('/') != std::string::npos) old_dir.clear();
  Payload old_files;
  std::set<std::string> stale;
  if (!old_dir.empty()) read_tree(target + "/" + old_dir, &old_files, &stale);
  for (auto& [p, f] : payload)  // a path and its parents stay
    for (fs::path sub = p; !sub.empty(); sub = sub.parent_path()) stale.erase(sub.string());
  if (!old_dir.empty() && old_files == payload && stale.empty())
    return link_visible(target, payload, err);

  std::string new_dir;
  if (!write_data_dir(target, payload, &new_dir, err)) return false;
  std::string tmp_link = target + "/..data_tmp";
  ::unlink(tmp_link.c_str());
  if (::symlink(new_dir.c_str(), tmp_link.c_str()) != 0 ||
      ::rename(tmp_link.c_str(), data_link.c_str()) != 0) {
    *err = sys_error("swap " + data_link);
    fs::remove_all(target + "/" + new_dir, ec);
    return false;
  }
  if (!link_visible(target, payload, err)) return false;
  // Only top-level names are removed: nested stale paths vanished with the old data dir.
  for (auto& p : stale)
    if (p.find('/') == std::string::npos) ::unlink((target + "/" + p).c_str());
  // The previous data dir, and any left by a crash between mkdtemp and the swap.
  for (auto& e : fs::directory_iterator(target, ec)) {
    std::string n = e.path().filename().string();
    if (n.starts_with("..") && n != "..data" && n != new_dir && e.is_directory() &&
        !e.is_symlink())
      fs::remove_all(e.path(), ec);
  }
  return true;
}


}  // namespace skiff::agent
