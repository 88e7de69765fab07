// Upstream's AtomicWriter (pkg/volume/util/atomic_writer.go): a volume's files are written into
// a new "..<timestamp>.<random>" directory, the "..data" symlink is swapped to it with a rename,
// and each top-level name is a symlink into "..data", so a container reading "<dir>/<name>" sees
// either the old or the new payload, never a mix.
#pragma once
#include <filesystem>
#include <map>
#include <string>

namespace skiff::agent {

struct FileProjection {
  std::string data;
  int mode = 0644;
  bool operator==(const FileProjection&) const = default;
};
using Payload = std::map<std::string, FileProjection>;  // relative path -> file

// Creates `dir` (and parents) with exactly `perms`, whatever the umask; an existing directory
// is left as it is (a refresh must not change the mode of a tmpfs mounted there).
bool make_dir(const std::string& dir, std::filesystem::perms perms, std::string* err);

// Writes `payload` (relative path -> file) into `target` (created when missing). Nothing is
// written when the payload is unchanged; stale names and old data directories are removed.
// false with *err on an invalid path or an I/O failure.
bool atomic_write(const std::string& target, const Payload& payload, std::string* err);

}  // namespace skiff::agent
