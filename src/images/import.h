// Private to src/images: importing OCI image-layout archives and `docker save` archives.
#pragma once
#include <string>
#include <vector>

#include "images/images.h"
#include "images/store.h"

namespace skiff::images {

// Imports every image of the archive at `path` (tar, optionally gzip/zstd compressed) for
// os/arch, keeping the names recorded in it (index.json annotations or RepoTags). Throws
// ImageError.
std::vector<Record> import_image_archive(ContentStore& store, const std::string& path,
                                         const std::string& os, const std::string& arch,
                                         const ProgressFn& progress);

}  // namespace skiff::images
