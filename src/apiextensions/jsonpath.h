// The small JSONPath subset CRDs use for printer columns and scale paths: ".spec.replicas",
// ".status.conditions[0].type", ".metadata.labels['app.kubernetes.io/name']".
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"

namespace skiff::apiextensions {

// The path's steps: field names and array indices (as "[N]"); nullopt when it does not parse.
std::optional<std::vector<std::string>> parse_json_path(std::string_view path);
// The value at `path`, or null when absent (or the path does not parse).
const json::value* json_path_get(const json::value& root, std::string_view path);
// Sets the value at a path of field names (creating objects on the way); false when the path
// does not parse, has an index, or crosses a non-object.
bool json_path_set(json::object& root, std::string_view path, json::value v);

}  // namespace skiff::apiextensions
