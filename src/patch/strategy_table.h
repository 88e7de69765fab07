// Private to the patch component: the patch metadata of the built-in kinds as a tree of type
// descriptions (upstream's struct tags `patchStrategy` / `patchMergeKey`). A type lists only the
// fields that have a strategy or lead to one; any other field behaves as in JSON merge patch.
#pragma once
#include <functional>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "patch/patch.h"

namespace skiff::patch_internal {

struct TypeDesc;

// One field of a type: its own strategy, and the type of its value (for a list, of each element).
struct FieldDesc {
  FieldStrategy strategy;
  const TypeDesc* type = nullptr;  // null: nothing below this field has metadata
};

struct TypeDesc {
  std::map<std::string, FieldDesc, std::less<>> fields;

  TypeDesc() = default;
  TypeDesc(std::initializer_list<std::pair<const std::string, FieldDesc>> f) : fields(f) {}
  const FieldDesc* field(std::string_view name) const {
    auto it = fields.find(name);
    return it == fields.end() ? nullptr : &it->second;
  }
};

// The root type of a kind ("" is the core group), or null for kinds without metadata, whose
// strategic merge patches then behave as JSON merge patches.
const TypeDesc* root_type(std::string_view group, std::string_view kind);

}  // namespace skiff::patch_internal
