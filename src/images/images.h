// The node's image service: what the kubelet needs from images. Resolves a reference (normalized
// as Docker does), pulls it from a registry (through mirrors and credentials from the registry
// config) or finds it in the local content store, and hands back the image's run configuration
// and its unpacked layer directories, ready to stack as overlayfs lowerdirs.
//
// Thread safety: an ImageService is safe to use from many threads; concurrent pulls of one
// reference are done once and shared. Several processes may share a data dir (the agent and
// `skiff images`): blobs and layers are written atomically and the index under a file lock.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace skiff::images {

enum class PullPolicy { kAlways, kIfNotPresent, kNever };

// The parts of the OCI image config a container runtime needs.
struct ImageConfig {
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::vector<std::string> env;  // "KEY=value"
  std::string working_dir;
  std::string user;  // "uid[:gid]" or "name[:group]", as in the image
};

struct Image {
  std::string name;             // normalized reference, e.g. "docker.io/library/nginx:latest"
  std::string id;               // config digest ("sha256:..."), the image ID
  std::string manifest_digest;  // what the registry calls the image (repo digest)
  std::string platform;         // "linux/amd64"
  int64_t size = 0;             // sum of the layer blobs' sizes
  int64_t created = 0;          // when it entered this store (unix seconds)
  ImageConfig config;
  std::vector<std::string> layer_dirs;  // absolute paths, bottom layer first

  // "name@manifest_digest" without the tag: what Kubernetes reports as imageID.
  std::string repo_digest() const;
  // The overlayfs lowerdir option: layer_dirs top first, joined by ':'.
  std::string overlay_lowerdir() const;
};

// How an operation failed; `code` says what a caller can do about it.
struct Status {
  enum class Code {
    kOk,
    kInvalidReference,  // the reference does not parse: fix the spec, retrying is useless
    kNotFound,          // no such image locally (policy Never) or in the registry
    kUnauthorized,      // the registry refused the credentials: fix the registry config
    kRegistry,          // network or registry failure: retry with back-off
    kBadContent,        // digest mismatch or malformed manifest/config/layer: nothing was kept
    kIo,                // local disk failure
  };
  Code code = Code::kOk;
  std::string message;
  bool ok() const { return code == Code::kOk; }
  static Status Ok() { return {}; }
};

// One line of human-readable progress ("Pulling layer sha256:ab12... 3.1 MB").
using ProgressFn = std::function<void(const std::string&)>;

class ImageService {
 public:
  virtual ~ImageService() = default;
  // The image for `ref` by `policy`: kIfNotPresent pulls when absent, kAlways asks the registry
  // (and reuses all content it already has), kNever only looks locally.
  virtual Status ensure(const std::string& ref, PullPolicy policy, Image& out,
                        const ProgressFn& progress = {}) = 0;
  // Local lookup by reference or image ID.
  virtual Status get(const std::string& ref, Image& out) = 0;
  virtual std::vector<Image> list() = 0;
  // Forgets the image; removes its blobs and layers unless another image uses them. Callers
  // must not remove images that running containers use.
  virtual Status remove(const std::string& ref) = 0;
  // Imports an OCI image-layout archive or a `docker save` archive (optionally gzip or zstd
  // compressed). Images keep the names recorded in the archive.
  virtual Status import_archive(const std::string& path, std::vector<Image>& out,
                                const ProgressFn& progress = {}) = 0;
};

struct Options {
  std::string data_dir = "/var/lib/skiff/agent";  // the store lives in data_dir/images
  std::string registry_config;                     // optional YAML/JSON file, see docs/images.md
  std::string os = "linux", architecture = "amd64";
};

// Opens (creating if needed) the store. Returns nullptr with *err on failure (unreadable
// registry config, data dir not writable).
std::unique_ptr<ImageService> open_image_service(const Options& opts, std::string* err);

}  // namespace skiff::images
