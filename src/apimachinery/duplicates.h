// Duplicate fields in a JSON body, found in the text itself (the parsed object keeps only one of
// them): what fieldValidation=Strict rejects and Warn reports, as upstream's strict JSON decoder
// (sigs.k8s.io/json) does. YAML bodies report theirs from yaml_to_json (apimachinery/yaml.h).
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace skiff {
// The paths of keys that appear more than once in the same JSON object, in document order and
// each once, written as upstream's strict errors name them: "spec.replicas",
// "spec.template.spec.containers[0].image", "metadata.labels.app". Text that is not valid JSON
// yields what was found before the error (the caller has parsed it already).
std::vector<std::string> json_duplicate_fields(std::string_view text);
}  // namespace skiff
