// Kubernetes strategic merge patch, with the semantics of k8s.io/apimachinery's strategicpatch
// when the API server applies a patch (parallel deletion lists merged, unmatched nulls ignored):
//
//  - maps merge recursively and null deletes a key, as in JSON merge patch;
//  - lists whose field has patchStrategy "merge" merge element by element on the patchMergeKey
//    (lists of primitives: set union); other lists are replaced;
//  - directives: "$patch" (replace/delete a map; replace a list or delete one element of it),
//    "$retainKeys", "$setElementOrder/<list>" and "$deleteFromPrimitiveList/<list>".
//
// Deliberate differences from upstream, which decodes the result into typed structs that drop
// what they do not know: a value the original lacks is still run through the merge, so no
// directive reaches the stored object, and `{"$patch": "delete"}` on a map removes the field.
#include <algorithm>
#include <exception>
#include <optional>
#include <set>

#include "patch/json_values.h"
#include "patch/patch.h"
#include "patch/strategy_table.h"

namespace skiff {
namespace {

using patch_internal::describe;
using patch_internal::erase_key;
using patch_internal::FieldDesc;
using patch_internal::json_equal;
using patch_internal::kind_of;
using patch_internal::TypeDesc;
using patch_internal::ValueKind;

using Lists = std::initializer_list<const json::array*>;

constexpr std::string_view kPatch = "$patch";
constexpr std::string_view kRetainKeys = "$retainKeys";
constexpr std::string_view kSetOrderPrefix = "$setElementOrder/";
constexpr std::string_view kDeletePrefix = "$deleteFromPrimitiveList/";

bool has_prefix(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string child(const std::string& where, std::string_view key) {
  return where.empty() ? std::string(key) : where + "." + std::string(key);
}

std::string at(const std::string& where) { return where.empty() ? "the object" : where; }

ApiError bad(const std::string& message) {
  return ApiError::bad_request("invalid strategic merge patch: " + message);
}

const TypeDesc* type_of(const FieldDesc* f) { return f ? f->type : nullptr; }

// The merge key's value of a list element, or null when it is not a map holding the key.
const json::value* key_of(const json::value& item, const std::string& key) {
  const json::object* o = item.if_object();
  return o ? o->if_contains(key) : nullptr;
}

// Whether two elements are "the same" element: by merge key, or by value for primitives.
bool same_element(const json::value& a, const json::value& b, const std::string& key) {
  if (key.empty()) return json_equal(a, b);
  const json::value* ka = key_of(a, key);
  const json::value* kb = key_of(b, key);
  return ka && kb && json_equal(*ka, *kb);
}

std::optional<size_t> index_in(const json::array& list, const json::value& item,
                               const std::string& key) {
  for (size_t i = 0; i < list.size(); ++i)
    if (same_element(list[i], item, key)) return i;
  return std::nullopt;
}

// Stable sort of `items` by their position in `order`; items missing from `order` go last.
void sort_by(std::vector<json::value>& items, const json::array& order, const std::string& key) {
  constexpr size_t kMissing = static_cast<size_t>(-1);
  std::vector<std::pair<size_t, json::value>> keyed;
  for (auto& v : items) keyed.emplace_back(index_in(order, v, key).value_or(kMissing), std::move(v));
  std::stable_sort(keyed.begin(), keyed.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  items.clear();
  for (auto& [i, v] : keyed) items.push_back(std::move(v));
}

// Orders a merged list: the elements named in `patch_order` take that order, the others keep the
// order of `server_order` (the live list), and the two runs interleave where the live list says
// which comes first (upstream's normalizeElementOrder / mergeSortedSlice).
json::array order_elements(const json::array& merged, const json::array& patch_order,
                           const json::array& server_order, std::string key) {
  if (!merged.empty() && !merged[0].is_object()) key.clear();
  std::vector<json::value> from_patch, server_only;
  for (const auto& v : merged)
    (index_in(patch_order, v, key) ? from_patch : server_only).push_back(v);
  sort_by(from_patch, patch_order, key);
  sort_by(server_only, server_order, key);
  json::array out;
  size_t i = 0, j = 0;
  while (i < server_only.size() || j < from_patch.size()) {
    bool take_server = j >= from_patch.size();
    if (!take_server && i < server_only.size()) {
      auto si = index_in(server_order, server_only[i], key);
      auto pj = index_in(server_order, from_patch[j], key);
      take_server = si && pj && *si < *pj;
    }
    out.push_back(take_server ? std::move(server_only[i++]) : std::move(from_patch[j++]));
  }
  return out;
}

enum class MapOutcome { Keep, Delete };

Result<MapOutcome> merge_map(json::object& target, const json::object& patch, const TypeDesc* type,
                             const std::string& where);

// The value a patch value gives a field the original lacks: directives applied against nothing.
// nullopt when the value deletes itself.
Result<std::optional<json::value>> fresh_value(const json::value& patch, const FieldDesc* field,
                                               const std::string& where);

// Merges a patch list into the original list of a field.
Result<json::array> merge_list(json::array original, const json::array& patch,
                               const FieldDesc* field, const std::string& where) {
  if (!field || !field->strategy.merge) return patch;
  if (original.empty() && patch.empty()) return original;

  std::optional<ValueKind> kind;
  for (const json::array* list : Lists{&original, &patch}) {
    for (const auto& v : *list) {
      ValueKind k = kind_of(v);
      if (k == ValueKind::Array) return bad(at(where) + ": lists of lists are not supported");
      if (kind && *kind != k)
        return bad(at(where) + ": list elements are not all of one type (" +
                   patch_internal::kind_name(*kind) + " and " + patch_internal::kind_name(k) +
                   ")");
      kind = k;
    }
  }
  const std::string& key = field->strategy.merge_key;

  if (*kind != ValueKind::Object) {  // a set of primitives
    json::array merged;
    for (const json::array* list : Lists{&original, &patch})
      for (const auto& v : *list)
        if (!index_in(merged, v, "")) merged.push_back(v);
    return order_elements(merged, patch, original, "");
  }

  if (key.empty()) return bad(at(where) + ": cannot merge a list of maps without a merge key");
  json::array plain;  // the patch without its directive elements
  bool replace = false;
  for (const auto& v : patch) {
    const json::value* directive = v.get_object().if_contains(kPatch);
    if (!directive) {
      plain.push_back(v);
      continue;
    }
    std::string_view d = directive->is_string() ? std::string_view(directive->get_string()) : "";
    if (d == "delete") {
      const json::value* kv = key_of(v, key);
      if (!kv)
        return bad(at(where) + ": " + describe(v) + " does not contain declared merge key: " + key);
      auto gone = std::remove_if(original.begin(), original.end(), [&](const json::value& e) {
        const json::value* ke = key_of(e, key);
        return ke && json_equal(*ke, *kv);
      });
      original.erase(gone, original.end());
    } else if (d == "replace") {
      replace = true;
    } else if (d == "merge") {
      return bad(at(where) + ": merging lists cannot yet be specified in the patch");
    } else {
      return bad(at(where) + ": unknown patch type " + describe(*directive) + " in " + describe(v));
    }
  }

  if (replace) {
    json::array result;
    for (const auto& v : plain) {
      auto fresh = fresh_value(v, field, where);
      if (!fresh) return fresh.error();
      if (*fresh) result.push_back(std::move(**fresh));
    }
    return result;
  }

  const json::array server_order = original;
  for (const auto& v : plain) {
    const json::value* kv = key_of(v, key);
    if (!kv)
      return bad(at(where) + ": " + describe(v) + " does not contain declared merge key: " + key);
    std::string elem_where = where + "[" + describe(*kv, 60) + "]";
    auto i = index_in(original, v, key);
    if (!i) {
      auto fresh = fresh_value(v, field, elem_where);
      if (!fresh) return fresh.error();
      if (*fresh) original.push_back(std::move(**fresh));
      continue;
    }
    auto outcome =
        merge_map(original[*i].get_object(), v.get_object(), type_of(field), elem_where);
    if (!outcome) return outcome.error();
    if (*outcome == MapOutcome::Delete)
      original.erase(original.begin() + static_cast<std::ptrdiff_t>(*i));
  }
  return order_elements(original, plain, server_order, key);
}

Result<std::optional<json::value>> fresh_value(const json::value& patch, const FieldDesc* field,
                                               const std::string& where) {
  if (const json::object* p = patch.if_object()) {
    json::object result;
    auto outcome = merge_map(result, *p, type_of(field), where);
    if (!outcome) return outcome.error();
    if (*outcome == MapOutcome::Delete) return std::optional<json::value>();
    return std::optional<json::value>(std::move(result));
  }
  if (const json::array* p = patch.if_array()) {
    auto merged = merge_list({}, *p, field, where);
    if (!merged) return merged.error();
    return std::optional<json::value>(std::move(*merged));
  }
  return std::optional<json::value>(patch);
}

// `$retainKeys`: the original keeps only the listed fields; the patch may set only those.
Status apply_retain_keys(json::object& target, const json::object& patch, const json::value& keys,
                         const std::string& where) {
  const json::array* list = keys.if_array();
  if (!list) return bad(at(where) + ": $retainKeys must be a list of field names");
  std::set<std::string, std::less<>> retain;
  for (const auto& k : *list) {
    if (!k.is_string()) return bad(at(where) + ": $retainKeys must be a list of field names");
    retain.emplace(k.get_string());
  }
  for (const auto& m : patch) {
    std::string_view k = m.key();
    if (k == kRetainKeys || m.value().is_null() || has_prefix(k, kSetOrderPrefix) ||
        has_prefix(k, kDeletePrefix))
      continue;
    if (!retain.count(k))
      return bad(at(where) + ": the patch sets \"" + std::string(k) +
                 "\", which $retainKeys does not list");
  }
  std::vector<std::string> drop;
  for (const auto& m : target)
    if (!retain.count(m.key())) drop.emplace_back(m.key());
  for (const auto& k : drop) erase_key(target, k);
  return ok_status();
}

// Checks that the patch list names its elements in the order `$setElementOrder` gives.
Status check_patch_order(const json::array& patch, const json::array& order, const std::string& key,
                         const std::string& where) {
  std::vector<const json::value*> items;
  for (const auto& v : patch) {
    if (const json::object* o = v.if_object(); o && o->contains(kPatch)) continue;
    if (!key.empty() && !key_of(v, key))
      return bad(at(where) + ": " + describe(v) + " does not contain declared merge key: " + key);
    items.push_back(&v);
  }
  size_t pi = 0;
  for (size_t oi = 0; pi < items.size() && oi < order.size(); ++oi)
    if (same_element(*items[pi], order[oi], key)) ++pi;
  if (pi < items.size())
    return bad(at(where) + ": the order of the patch list does not match $setElementOrder");
  return ok_status();
}

// `$setElementOrder/<name>`: merges the list `name` (if the patch has it) and orders the result.
Status apply_element_order(json::object& target, const json::object& patch, const std::string& name,
                           const json::value& order_value, const FieldDesc* field,
                           const std::string& where) {
  const json::array* order = order_value.if_array();
  if (!order) return bad(at(where) + ": $setElementOrder/" + name + " must be a list");
  const json::value* pv = patch.if_contains(name);
  if (pv && pv->is_null()) return ok_status();  // the list is deleted anyway
  if (pv && !pv->is_array()) return bad(at(where) + ": " + name + " must be a list");
  json::value* ov = target.if_contains(name);
  bool found_orig = ov && ov->is_array();
  if (!found_orig && !pv) return ok_status();
  json::array original = found_orig ? ov->get_array() : json::array{};
  json::array empty;
  const json::array& patch_list = pv ? pv->get_array() : empty;

  std::string key = field && field->strategy.merge ? field->strategy.merge_key : "";
  bool of_maps = false;
  for (const json::array* list : Lists{order, &original, &patch_list})
    for (const auto& v : *list) of_maps = of_maps || v.is_object();
  bool orderable = !(of_maps && key.empty());
  if (orderable && !key.empty()) {
    for (const auto& v : *order)
      if (!key_of(v, key))
        return bad(at(where) + ": $setElementOrder/" + name + " element " + describe(v) +
                   " does not contain declared merge key: " + key);
  }
  if (orderable)
    if (auto s = check_patch_order(patch_list, *order, key, child(where, name)); !s) return s;

  json::array merged;
  if (pv) {
    auto r = merge_list(found_orig ? original : json::array{}, patch_list, field, child(where, name));
    if (!r) return r.error();
    merged = std::move(*r);
  } else {
    merged = original;
  }
  target[name] = orderable ? order_elements(merged, *order, original, key) : std::move(merged);
  return ok_status();
}

Result<MapOutcome> merge_map(json::object& target, const json::object& patch, const TypeDesc* type,
                             const std::string& where) {
  if (const json::value* d = patch.if_contains(kPatch)) {
    std::string_view directive = d->is_string() ? std::string_view(d->get_string()) : "";
    if (directive == "delete") return MapOutcome::Delete;
    if (directive != "replace")
      return bad(at(where) + ": unknown patch type " + describe(*d) + " in map");
    json::object rest = patch;
    erase_key(rest, kPatch);
    target.clear();
    return merge_map(target, rest, type, where);
  }
  if (const json::value* keys = patch.if_contains(kRetainKeys))
    if (auto s = apply_retain_keys(target, patch, *keys, where); !s) return s.error();

  std::set<std::string, std::less<>> ordered;  // lists already merged by $setElementOrder
  for (const auto& m : patch) {
    std::string_view k = m.key();
    if (!has_prefix(k, kSetOrderPrefix)) continue;
    std::string name(k.substr(kSetOrderPrefix.size()));
    if (name.empty()) return bad(at(where) + ": \"" + std::string(k) + "\" names no field");
    const FieldDesc* field = type ? type->field(name) : nullptr;
    if (auto s = apply_element_order(target, patch, name, m.value(), field, where); !s)
      return s.error();
    ordered.insert(std::move(name));
  }

  for (const auto& m : patch) {
    std::string_view k = m.key();
    const json::value& v = m.value();
    if (k == kRetainKeys || has_prefix(k, kSetOrderPrefix) || ordered.count(k)) continue;
    if (has_prefix(k, kDeletePrefix)) {
      std::string name(k.substr(kDeletePrefix.size()));
      if (name.empty() || !v.is_array())
        return bad(at(where) + ": \"" + std::string(k) + "\" must name a field and be a list");
      if (json::value* list = target.if_contains(name); list && list->is_array()) {
        json::array& a = list->get_array();
        auto gone = std::remove_if(a.begin(), a.end(), [&](const json::value& e) {
          return index_in(v.get_array(), e, "").has_value();
        });
        a.erase(gone, a.end());
      }
      continue;
    }
    const FieldDesc* field = type ? type->field(k) : nullptr;
    std::string field_where = child(where, k);
    if (v.is_null()) {  // delete; a null for a missing field is ignored
      erase_key(target, k);
      continue;
    }
    json::value* cur = target.if_contains(k);
    bool replaced = !cur || (field && field->strategy.replace) ||
                    !((cur->is_object() && v.is_object()) || (cur->is_array() && v.is_array()));
    if (replaced) {
      auto fresh = fresh_value(v, field, field_where);
      if (!fresh) return fresh.error();
      if (*fresh) {
        target[k] = std::move(**fresh);
      } else {
        erase_key(target, k);
      }
    } else if (cur->is_object()) {
      auto outcome = merge_map(cur->get_object(), v.get_object(), type_of(field), field_where);
      if (!outcome) return outcome.error();
      if (*outcome == MapOutcome::Delete) erase_key(target, k);
    } else {
      auto merged = merge_list(cur->get_array(), v.get_array(), field, field_where);
      if (!merged) return merged.error();
      *cur = std::move(*merged);
    }
  }
  return MapOutcome::Keep;
}

}  // namespace

Result<json::value> apply_strategic_merge_patch(const json::value& doc, const json::value& patch,
                                                std::string_view group, std::string_view kind) {
  try {
    const json::object* p = patch.if_object();
    if (!p)
      return ApiError::bad_request("a strategic merge patch must be a JSON object, not " +
                                   describe(patch));
    json::object target = doc.is_object() ? doc.get_object() : json::object{};
    auto outcome = merge_map(target, *p, patch_internal::root_type(group, kind), "");
    if (!outcome) return outcome.error();
    if (*outcome == MapOutcome::Delete) return json::value(json::object{});
    return json::value(std::move(target));
  } catch (const std::exception& e) {
    return ApiError::internal(std::string("applying strategic merge patch: ") + e.what());
  }
}

}  // namespace skiff
