// Private helpers of the patch component: JSON equality as the patch formats define it (numbers
// compare by value, objects ignore key order), value kinds, and short renderings for messages.
#pragma once
#include <string>
#include <string_view>

#include "common/json.h"

namespace skiff::patch_internal {

// Deep equality; 1, 1u and 1.0 are equal (RFC 6902 "test" and merge-key matching need this).
bool json_equal(const json::value& a, const json::value& b);

// The kinds that decide whether two list elements can be merged: every number is one kind.
enum class ValueKind { Null, Bool, Number, String, Array, Object };
ValueKind kind_of(const json::value& v);
const char* kind_name(ValueKind k);

// The value serialized and cut to `max` characters, for error messages.
std::string describe(const json::value& v, size_t max = 120);

// Removes `key` from `o` keeping the order of the other members (boost's erase swaps in the last).
void erase_key(json::object& o, std::string_view key);

}  // namespace skiff::patch_internal
