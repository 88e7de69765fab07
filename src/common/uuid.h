// Random identifiers: RFC 4122 version-4 UUIDs for metadata.uid, and the random suffixes that
// generateName and controllers use (upstream's 5-character alphabet without vowels).
#pragma once
#include <string>

namespace skiff {
std::string new_uuid();
std::string random_suffix(size_t n = 5);
}  // namespace skiff
