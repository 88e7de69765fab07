// YAML bodies (Content-Type application/yaml) converted to the JSON object model.
#pragma once
#include <string_view>

#include "common/api_error.h"
#include "common/json.h"

namespace skiff {
// One YAML document to JSON, with YAML 1.1 scalars resolved as the API's sigs.k8s.io/yaml does
// (unquoted true/false/null/numbers typed, everything else a string). 400 on malformed YAML.
Result<json::value> yaml_to_json(std::string_view text);
}  // namespace skiff
