// Unknown-field detection for fieldValidation=Strict|Warn. Decision: skiff has no full schema of
// every type yet, so it checks the levels every kind shares: the top-level fields of each kind
// and the fields of metadata. Typos there ("metdata", "lables", "spce") are caught; deeper ones
// are not (documented in docs/api.md).
#pragma once
#include <string>
#include <vector>

#include "api/resources.h"
#include "common/json.h"

namespace skiff::apiserver {
// Paths of fields the kind does not have, e.g. "spce", "metadata.lables".
std::vector<std::string> unknown_fields(const api::ResourceInfo& r, const json::object& obj);
}  // namespace skiff::apiserver
