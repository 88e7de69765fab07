// Private to src/images: the exception that carries a Status code through the layers below the
// ImageService (store, archive import, registry client), turned into a Status at its boundary.
#pragma once
#include <stdexcept>
#include <string>

#include "images/images.h"

namespace skiff::images {

struct ImageError : std::runtime_error {
  ImageError(Status::Code c, const std::string& msg) : std::runtime_error(msg), code(c) {}
  Status::Code code;
};

}  // namespace skiff::images
