// A streaming tar reader (ustar, GNU long names, PAX extended headers incl. xattrs) and safe
// extraction of image layers into a directory, with OCI/Docker whiteouts converted to the
// overlayfs format so that extracted layers stack directly as overlay lowerdirs.
#pragma once
#include <cstdint>
#include <map>
#include <string>

#include "images/stream.h"

namespace skiff::images {

struct TarEntry {
  char type = '0';  // '0' file, '1' hardlink, '2' symlink, '3' char, '4' block, '5' dir, '6' fifo
  std::string name;
  std::string linkname;
  uint32_t mode = 0;  // permission bits incl. setuid/setgid/sticky
  int64_t uid = 0, gid = 0;
  int64_t size = 0;
  int64_t mtime = 0;
  uint32_t devmajor = 0, devminor = 0;
  std::map<std::string, std::string> xattrs;  // from PAX SCHILY.xattr.*
};

class TarReader {
 public:
  explicit TarReader(Reader& in) : in_(in) {}
  // The next entry's header (skipping the unread data of the previous one). False at the end of
  // the archive. Throws std::runtime_error on a malformed archive.
  bool next(TarEntry& e);
  // Reads the current entry's data; returns 0 when it is exhausted.
  size_t read_data(char* buf, size_t n);
  // The current entry's whole data (for small files such as manifests); throws past `limit`.
  std::string read_all(size_t limit = 64 << 20);

 private:
  void read_exact(char* buf, size_t n);
  void skip(int64_t n);
  Reader& in_;
  int64_t remaining_ = 0;  // data bytes left in the current entry
  int64_t padding_ = 0;    // zero padding after them
};

struct ExtractOptions {
  // Convert `.wh.NAME` to a 0/0 character device NAME and `.wh..wh..opq` to the
  // trusted.overlay.opaque=y xattr on its directory (image layers). False: extract verbatim.
  bool overlay_whiteouts = true;
  // Apply uid/gid from the archive. Failures are errors when running as root and ignored
  // otherwise (an unprivileged test extracts with its own uid).
  bool preserve_owner = true;
};

// Extracts every entry of `tar` under `dir` (which must exist). A leading '/' is dropped; a path
// whose `..` would climb above `dir` is an error; a path through a symlink is an error (symlinks
// are never followed while extracting, so one in the archive cannot redirect a later entry
// outside). Hard links must point inside `dir`. xattrs in the trusted.overlay. namespace are not
// taken from archives (only whiteout conversion sets them). Throws std::runtime_error.
void extract_tar(Reader& tar, const std::string& dir, const ExtractOptions& opts = {});

// Lexically cleans an archive path: drops leading '/' and "." components, resolves "..".
// False when ".." would climb above the root. An empty result means the root itself.
bool clean_archive_path(const std::string& p, std::string& out);

}  // namespace skiff::images
