// RFC 7386 JSON merge patch: objects merge member by member, null removes a member, and any other
// patch value (arrays included) replaces the target.
#include <exception>

#include "patch/json_values.h"
#include "patch/patch.h"

namespace skiff {
namespace {

void merge_into(json::value& target, const json::value& patch) {
  const json::object* p = patch.if_object();
  if (!p) {
    target = patch;
    return;
  }
  if (!target.is_object()) target = json::object{};
  json::object& t = target.get_object();
  for (const auto& member : *p) {
    if (member.value().is_null()) {
      patch_internal::erase_key(t, member.key());
    } else {
      merge_into(t[member.key()], member.value());
    }
  }
}

}  // namespace

Result<json::value> apply_merge_patch(const json::value& doc, const json::value& patch) {
  try {
    json::value result = doc;
    merge_into(result, patch);
    return result;
  } catch (const std::exception& e) {
    return ApiError::internal(std::string("applying merge patch: ") + e.what());
  }
}

}  // namespace skiff
