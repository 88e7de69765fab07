// Typed reads of one field of a pod-spec object, nullptr/empty/false when absent or of another
// type: the small accessors env.cc and volumes.cc walk specs with.
#pragma once
#include <string>
#include <string_view>

#include "common/json.h"

namespace skiff::agent {

inline const json::object* obj_at(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v && v->is_object() ? &v->get_object() : nullptr;
}
inline const json::array* arr_at(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v && v->is_array() ? &v->get_array() : nullptr;
}
inline std::string str_at(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}
inline bool bool_at(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v && v->is_bool() && v->get_bool();
}

}  // namespace skiff::agent
