// Server-side Tables (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`): rows of cells from
// the printers, each with the object as PartialObjectMetadata (default), whole, or not at all.
#pragma once
#include <string>
#include <vector>

#include "api/resources.h"
#include "common/json.h"

namespace skiff::apiserver {

// include_object: "None", "Metadata" (default when empty) or "Object".
json::object make_table(const api::ResourceInfo& r, const std::vector<json::object>& items,
                        const std::string& include_object, bool with_columns,
                        json::object list_meta = {});

}  // namespace skiff::apiserver
