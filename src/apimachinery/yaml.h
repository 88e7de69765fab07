// YAML bodies (Content-Type application/yaml) converted to the JSON object model.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "common/api_error.h"
#include "common/json.h"

namespace skiff {
// One YAML document to JSON, with YAML 1.1 scalars resolved as the API's sigs.k8s.io/yaml does
// (unquoted true/false/null/numbers typed, everything else a string). 400 on malformed YAML.
// A key written twice in one map keeps its last value; when `duplicate_keys` is given it
// receives one line per such key as go-yaml's strict mode words it: `line 5: key "replicas"
// already set in map` (fieldValidation=Strict|Warn report them).
Result<json::value> yaml_to_json(std::string_view text,
                                 std::vector<std::string>* duplicate_keys = nullptr);
}  // namespace skiff
