#include "images/tar.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace skiff::images {
namespace {

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error("tar: " + what); }
[[noreturn]] void fail_errno(const std::string& what) {
  throw std::runtime_error("tar: " + what + ": " + std::strerror(errno));
}

int64_t parse_number(const char* f, size_t n) {
  auto u = reinterpret_cast<const unsigned char*>(f);
  if (u[0] & 0x80) {  // GNU base-256
    int64_t v = u[0] & 0x3f;
    for (size_t i = 1; i < n; ++i) v = (v << 8) | u[i];
    return v;
  }
  int64_t v = 0;
  size_t i = 0;
  while (i < n && (f[i] == ' ' || f[i] == 0)) ++i;
  for (; i < n && f[i] >= '0' && f[i] <= '7'; ++i) v = v * 8 + (f[i] - '0');
  return v;
}

std::string field(const char* f, size_t n) { return std::string(f, strnlen(f, n)); }

// Parses PAX records "LEN key=value\n" into `out`.
void parse_pax(const std::string& d, std::map<std::string, std::string>& out) {
  size_t pos = 0;
  while (pos < d.size()) {
    size_t sp = d.find(' ', pos);
    if (sp == std::string::npos) fail("bad PAX header");
    size_t len = std::strtoull(d.c_str() + pos, nullptr, 10);
    if (len == 0 || pos + len > d.size() || d[pos + len - 1] != '\n') fail("bad PAX record length");
    std::string rec = d.substr(sp + 1, pos + len - 1 - (sp + 1));
    size_t eq = rec.find('=');
    if (eq == std::string::npos) fail("bad PAX record");
    out[rec.substr(0, eq)] = rec.substr(eq + 1);
    pos += len;
  }
}

// An owned file descriptor.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Fd& operator=(Fd&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

void remove_tree_at(int parent, const std::string& name) {
  struct stat st;
  if (fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return;
    fail_errno("stat " + name);
  }
  if (S_ISDIR(st.st_mode)) {
    int fd = openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) fail_errno("open " + name);
    DIR* d = fdopendir(fd);
    if (!d) {
      ::close(fd);
      fail_errno("opendir " + name);
    }
    std::vector<std::string> names;
    while (auto* ent = readdir(d))
      if (std::strcmp(ent->d_name, ".") && std::strcmp(ent->d_name, ".."))
        names.push_back(ent->d_name);
    for (auto& n : names) remove_tree_at(dirfd(d), n);
    closedir(d);
    if (unlinkat(parent, name.c_str(), AT_REMOVEDIR) != 0) fail_errno("rmdir " + name);
  } else if (unlinkat(parent, name.c_str(), 0) != 0) {
    fail_errno("unlink " + name);
  }
}

// Opens the directory `rel` (a cleaned path) under `root` without following symlinks,
// creating missing components with mode 0755 when `create`.
Fd open_dir(int root, const std::string& rel, bool create) {
  Fd cur(fcntl(root, F_DUPFD_CLOEXEC, 0));
  size_t start = 0;
  while (start < rel.size()) {
    size_t slash = rel.find('/', start);
    std::string comp = rel.substr(start, slash == std::string::npos ? slash : slash - start);
    start = slash == std::string::npos ? rel.size() : slash + 1;
    int fd = openat(cur.get(), comp.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && create) {
      if (mkdirat(cur.get(), comp.c_str(), 0755) != 0 && errno != EEXIST) fail_errno("mkdir " + rel);
      fd = openat(cur.get(), comp.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (fd < 0) {
      if (errno == ELOOP || errno == ENOTDIR)
        fail("path " + rel + " goes through a symlink or a non-directory; refusing");
      fail_errno("open " + rel);
    }
    cur = Fd(fd);
  }
  return cur;
}

void split(const std::string& p, std::string& parent, std::string& base) {
  auto s = p.rfind('/');
  parent = s == std::string::npos ? "" : p.substr(0, s);
  base = s == std::string::npos ? p : p.substr(s + 1);
}

struct Meta {
  const TarEntry& e;
  const ExtractOptions& o;
};

void apply_owner(int fd, const char* name, int flags, const Meta& m) {
  if (!m.o.preserve_owner) return;
  int rc = name ? fchownat(fd, name, m.e.uid, m.e.gid, flags) : fchown(fd, m.e.uid, m.e.gid);
  if (rc != 0 && geteuid() == 0) fail_errno("chown " + m.e.name);
}

void apply_xattrs(int fd, const TarEntry& e) {
  for (auto& [k, v] : e.xattrs) {
    if (k.rfind("trusted.overlay.", 0) == 0) continue;
    if (fsetxattr(fd, k.c_str(), v.data(), v.size(), 0) != 0 && errno != ENOTSUP && errno != EPERM)
      fail_errno("setxattr " + k + " on " + e.name);
  }
}

void set_mtime(int dirfd, const char* name, int64_t mtime, int flags) {
  struct timespec ts[2] = {{static_cast<time_t>(mtime), 0}, {static_cast<time_t>(mtime), 0}};
  utimensat(dirfd, name, ts, flags);  // best effort
}

}  // namespace

bool clean_archive_path(const std::string& p, std::string& out) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= p.size()) {
    size_t slash = p.find('/', start);
    if (slash == std::string::npos) slash = p.size();
    std::string c = p.substr(start, slash - start);
    start = slash + 1;
    if (c.empty() || c == ".") continue;
    if (c == "..") {
      if (parts.empty()) return false;
      parts.pop_back();
    } else {
      parts.push_back(c);
    }
  }
  out.clear();
  for (auto& c : parts) out += (out.empty() ? "" : "/") + c;
  return true;
}

void TarReader::read_exact(char* buf, size_t n) {
  while (n) {
    size_t r = in_.read(buf, n);
    if (r == 0) fail("unexpected end of archive");
    buf += r;
    n -= r;
  }
}

void TarReader::skip(int64_t n) {
  char buf[8192];
  while (n > 0) {
    size_t k = static_cast<size_t>(std::min<int64_t>(n, sizeof buf));
    read_exact(buf, k);
    n -= k;
  }
}

size_t TarReader::read_data(char* buf, size_t n) {
  if (remaining_ <= 0) return 0;
  size_t k = in_.read(buf, static_cast<size_t>(std::min<int64_t>(n, remaining_)));
  if (k == 0) fail("unexpected end of archive in file data");
  remaining_ -= k;
  return k;
}

std::string TarReader::read_all(size_t limit) {
  if (remaining_ > static_cast<int64_t>(limit)) fail("entry too large");
  std::string s(static_cast<size_t>(remaining_), '\0');
  read_exact(s.data(), s.size());
  remaining_ = 0;
  return s;
}

bool TarReader::next(TarEntry& e) {
  std::map<std::string, std::string> pax;
  std::string long_name, long_link;
  while (true) {
    skip(remaining_ + padding_);
    remaining_ = padding_ = 0;
    char h[512];
    size_t got = 0;
    while (got < sizeof h) {
      size_t r = in_.read(h + got, sizeof h - got);
      if (r == 0) {
        if (got == 0) return false;  // archive without end-of-archive blocks
        fail("truncated header");
      }
      got += r;
    }
    bool zero = true;
    for (char c : h) zero &= (c == 0);
    if (zero) return false;
    unsigned sum = 0;
    for (int i = 0; i < 512; ++i)
      sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(h[i]);
    if (sum != static_cast<unsigned>(parse_number(h + 148, 8))) fail("header checksum mismatch");
    int64_t size = parse_number(h + 124, 12);
    if (size < 0) fail("negative size");
    remaining_ = size;
    padding_ = (512 - size % 512) % 512;
    char type = h[156] ? h[156] : '0';
    if (type == 'x') {
      parse_pax(read_all(1 << 20), pax);
      continue;
    }
    if (type == 'g') continue;  // global PAX headers: nothing we use
    if (type == 'L') {
      long_name = read_all(1 << 20);
      long_name.resize(strnlen(long_name.c_str(), long_name.size()));
      continue;
    }
    if (type == 'K') {
      long_link = read_all(1 << 20);
      long_link.resize(strnlen(long_link.c_str(), long_link.size()));
      continue;
    }
    e = TarEntry{};
    e.type = type;
    e.name = field(h, 100);
    if (std::memcmp(h + 257, "ustar\0", 6) == 0) {
      std::string prefix = field(h + 345, 155);
      if (!prefix.empty()) e.name = prefix + "/" + e.name;
    }
    if (!long_name.empty()) e.name = long_name;
    e.linkname = long_link.empty() ? field(h + 157, 100) : long_link;
    e.mode = static_cast<uint32_t>(parse_number(h + 100, 8)) & 07777;
    e.uid = parse_number(h + 108, 8);
    e.gid = parse_number(h + 116, 8);
    e.mtime = parse_number(h + 136, 12);
    e.devmajor = static_cast<uint32_t>(parse_number(h + 329, 8));
    e.devminor = static_cast<uint32_t>(parse_number(h + 337, 8));
    for (auto& [k, v] : pax) {
      if (k == "path") e.name = v;
      else if (k == "linkpath") e.linkname = v;
      else if (k == "uid") e.uid = std::stoll(v);
      else if (k == "gid") e.gid = std::stoll(v);
      else if (k == "mtime") e.mtime = std::stoll(v);
      else if (k == "size") {
        e.size = std::stoll(v);
        remaining_ = e.size;
        padding_ = (512 - e.size % 512) % 512;
      } else if (k.rfind("SCHILY.xattr.", 0) == 0) e.xattrs[k.substr(13)] = v;
    }
    if (!pax.count("size")) e.size = size;
    // Entries without data in the archive even when the size field says otherwise.
    if (e.type == '1' || e.type == '2' || e.type == '3' || e.type == '4' || e.type == '5' ||
        e.type == '6') {
      remaining_ = 0;
      padding_ = 0;
      if (size > 0 && !pax.count("size")) skip(size + (512 - size % 512) % 512);
    }
    return true;
  }
}

void extract_tar(Reader& in, const std::string& dir, const ExtractOptions& o) {
  Fd root(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (root.get() < 0) fail_errno("open " + dir);
  TarReader tr(in);
  TarEntry e;
  std::vector<std::pair<std::string, int64_t>> dir_mtimes;
  std::vector<char> buf(128 * 1024);
  while (tr.next(e)) {
    std::string path, parent, base;
    if (!clean_archive_path(e.name, path)) fail("entry " + e.name + " escapes the destination");
    if (path.empty()) continue;  // "./" itself
    split(path, parent, base);
    Meta m{e, o};
    Fd pfd = open_dir(root.get(), parent, true);
    if (o.overlay_whiteouts && base.rfind(".wh.", 0) == 0) {
      if (base == ".wh..wh..opq") {
        if (fsetxattr(pfd.get(), "trusted.overlay.opaque", "y", 1, 0) != 0)
          fail_errno("set opaque xattr on " + (parent.empty() ? "/" : parent));
      } else if (base.rfind(".wh..wh.", 0) != 0) {  // .wh..wh.* other than opq: AUFS metadata
        std::string victim = base.substr(4);
        remove_tree_at(pfd.get(), victim);
        if (mknodat(pfd.get(), victim.c_str(), S_IFCHR | 0, makedev(0, 0)) != 0)
          fail_errno("whiteout " + path);
      }
      continue;
    }
    const char* b = base.c_str();
    switch (e.type) {
      case '5': {
        struct stat st;
        bool is_dir = fstatat(pfd.get(), b, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
        if (!is_dir) {
          remove_tree_at(pfd.get(), base);
          if (mkdirat(pfd.get(), b, 0700) != 0) fail_errno("mkdir " + path);
        }
        Fd d(openat(pfd.get(), b, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (d.get() < 0) fail_errno("open " + path);
        apply_owner(d.get(), nullptr, 0, m);
        if (fchmod(d.get(), e.mode) != 0) fail_errno("chmod " + path);
        apply_xattrs(d.get(), e);
        dir_mtimes.emplace_back(path, e.mtime);
        break;
      }
      case '1': {
        std::string target, tparent, tbase;
        if (!clean_archive_path(e.linkname, target) || target.empty())
          fail("hard link " + path + " -> " + e.linkname + " points outside the destination");
        split(target, tparent, tbase);
        Fd tfd = open_dir(root.get(), tparent, false);
        if (target == path) break;
        remove_tree_at(pfd.get(), base);
        if (linkat(tfd.get(), tbase.c_str(), pfd.get(), b, 0) != 0)
          fail_errno("link " + path + " -> " + target);
        break;
      }
      case '2':
        remove_tree_at(pfd.get(), base);
        if (symlinkat(e.linkname.c_str(), pfd.get(), b) != 0) fail_errno("symlink " + path);
        apply_owner(pfd.get(), b, AT_SYMLINK_NOFOLLOW, m);
        set_mtime(pfd.get(), b, e.mtime, AT_SYMLINK_NOFOLLOW);
        break;
      case '3':
      case '4':
      case '6': {
        remove_tree_at(pfd.get(), base);
        mode_t kind = e.type == '3' ? S_IFCHR : e.type == '4' ? S_IFBLK : S_IFIFO;
        if (mknodat(pfd.get(), b, kind | (e.mode & 0777), makedev(e.devmajor, e.devminor)) != 0)
          fail_errno("mknod " + path);
        apply_owner(pfd.get(), b, AT_SYMLINK_NOFOLLOW, m);
        if (fchmodat(pfd.get(), b, e.mode, 0) != 0) fail_errno("chmod " + path);
        set_mtime(pfd.get(), b, e.mtime, AT_SYMLINK_NOFOLLOW);
        break;
      }
      default: {  // '0', '7' and unknown types are regular files
        remove_tree_at(pfd.get(), base);
        Fd f(openat(pfd.get(), b, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (f.get() < 0) fail_errno("create " + path);
        while (size_t n = tr.read_data(buf.data(), buf.size())) {
          for (size_t off = 0; off < n;) {
            ssize_t w = write(f.get(), buf.data() + off, n - off);
            if (w < 0 && errno == EINTR) continue;
            if (w < 0) fail_errno("write " + path);
            off += static_cast<size_t>(w);
          }
        }
        apply_owner(f.get(), nullptr, 0, m);
        if (fchmod(f.get(), e.mode) != 0) fail_errno("chmod " + path);
        apply_xattrs(f.get(), e);
        struct timespec ts[2] = {{static_cast<time_t>(e.mtime), 0}, {static_cast<time_t>(e.mtime), 0}};
        futimens(f.get(), ts);
        break;
      }
    }
  }
  // Directory times last, deepest first, since creating entries inside changes them.
  for (auto it = dir_mtimes.rbegin(); it != dir_mtimes.rend(); ++it) {
    std::string parent, base;
    split(it->first, parent, base);
    try {
      Fd pfd = open_dir(root.get(), parent, false);
      set_mtime(pfd.get(), base.c_str(), it->second, AT_SYMLINK_NOFOLLOW);
    } catch (const std::runtime_error&) {  // replaced later in the archive: nothing to do
    }
  }
}

}  // namespace skiff::images
