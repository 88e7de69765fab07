// Private to src/images: OCI / Docker v2 schema2 manifests, indexes (manifest lists) and image
// configs, and the step shared by import and pull that turns a stored manifest into an image.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "images/images.h"
#include "images/store.h"

namespace skiff::images {

inline constexpr const char* kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr const char* kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr const char* kDockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr const char* kDockerList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr const char* kOciLayerTar = "application/vnd.oci.image.layer.v1.tar";
inline constexpr const char* kOciConfig = "application/vnd.oci.image.config.v1+json";

struct Descriptor {
  std::string media_type;
  std::string digest;
  int64_t size = -1;
  std::string os, architecture, variant;  // index entries only
  std::map<std::string, std::string> annotations;
};

struct Manifest {
  Descriptor config;
  std::vector<Descriptor> layers;
};

// True when `body` is an index / manifest list (by mediaType, or by a "manifests" array).
bool is_index(const std::string& body);
// Parses an image manifest; ImageError(kBadContent) on anything unusable (schema1 included).
Manifest parse_manifest(const std::string& body);
// The entries of an index.
std::vector<Descriptor> parse_index(const std::string& body);
// The index entry for os/architecture, or nullopt (message lists what is there in *available).
std::optional<Descriptor> select_platform(const std::vector<Descriptor>& entries,
                                          const std::string& os, const std::string& arch,
                                          std::string* available = nullptr);
// The run configuration, diffIDs and "os/arch" of an image config.
ImageConfig parse_config(const std::string& body, std::vector<std::string>& diff_ids,
                         std::string& platform);

// With the manifest, config and layer blobs present in `store`: unpacks the layers (checking
// the config's diffIDs) and records the image under `name`. Returns the record.
Record commit_image(ContentStore& store, const std::string& name,
                    const std::string& manifest_digest, const ProgressFn& progress);

// The Image for a record (reads its config from the store).
Image image_from_record(const ContentStore& store, const Record& r);

}  // namespace skiff::images
