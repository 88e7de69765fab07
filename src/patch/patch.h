// Patches, as the API's PATCH verb applies them: RFC 6902 JSON patch, RFC 7386 JSON merge patch,
// and Kubernetes strategic merge patch (lists merged by key according to each built-in type's
// patch strategy, with the $patch, $retainKeys, $setElementOrder and $deleteFromPrimitiveList
// directives that kubectl apply's three-way patches use).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "common/api_error.h"
#include "common/json.h"

namespace skiff {

// Errors: 422/400-class ApiErrors with a message saying what in the patch was wrong.
Result<json::value> apply_json_patch(const json::value& doc, const json::value& patch);
Result<json::value> apply_merge_patch(const json::value& doc, const json::value& patch);

// The patch strategy of one field: how a list under it merges.
struct FieldStrategy {
  std::string merge_key;   // e.g. "name" for containers; empty = not merged by key
  bool merge = false;      // patchStrategy "merge" (for lists of primitives: set union)
  bool retain_keys = false;  // patchStrategy "retainKeys" (e.g. volumes' source union)
  bool replace = false;  // patchStrategy "replace": the value replaces, never merges (PDB selector)
};

// Looks up the strategy of the field at `path` (field names from the object's root; list elements
// are transparent, e.g. {"spec","template","spec","containers"}) for the kind `group`/`kind`.
// Unknown kinds and fields: no strategy (replace lists, merge maps), as upstream's JSON merge.
FieldStrategy field_strategy(std::string_view group, std::string_view kind,
                             const std::vector<std::string>& path);

Result<json::value> apply_strategic_merge_patch(const json::value& doc, const json::value& patch,
                                                std::string_view group, std::string_view kind);

}  // namespace skiff
