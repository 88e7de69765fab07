// A CustomResourceDefinition version's structural schema (its openAPIV3Schema), compiled once:
// checking the schema itself when a CRD is written, and pruning, defaulting and validating every
// custom object written at that version, with upstream's field paths and wording.
//
// Supported: type (object, array, string, integer, number, boolean), properties, required,
// items, additionalProperties (schema or bool), nullable, enum, pattern (ECMAScript regex,
// which agrees with RE2 on the usual classes), format (int32, int64, float, double, byte,
// date-time, date, uuid, ipv4, ipv6, cidr, other formats accepted as upstream does), minimum,
// maximum, exclusiveMinimum/Maximum, multipleOf, minLength/maxLength, minItems/maxItems,
// uniqueItems, minProperties/maxProperties, allOf/anyOf/oneOf/not, default,
// x-kubernetes-int-or-string, x-kubernetes-preserve-unknown-fields, x-kubernetes-embedded-resource,
// x-kubernetes-list-type (atomic, set, map) with x-kubernetes-list-map-keys.
// Refused when the CRD is written: x-kubernetes-validations (CEL rules are not evaluated by this
// server; refusing beats accepting rules that are never enforced), $ref, non-structural schemas
// (a property without a type unless int-or-string or preserve-unknown-fields).
//
// Thread safety: const methods may be called concurrently.
#pragma once
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "common/api_error.h"
#include "common/json.h"

namespace skiff::apiextensions {

class StructuralSchema {
 public:
  // Problems with the schema itself, reported under `path` (e.g.
  // "spec.versions[0].schema.openAPIV3Schema").
  static std::vector<FieldCause> check(const json::object& schema, const std::string& path);

  explicit StructuralSchema(json::object schema);

  // Removes fields the schema does not specify (apiVersion, kind and metadata of the root and of
  // embedded resources are kept); their paths go to *unknown when given.
  void prune(json::object& obj, std::vector<std::string>* unknown) const;
  // Sets `default` values where a field is missing (or null and not nullable), top-down.
  void apply_defaults(json::object& obj) const;
  // Validates an object (after pruning and defaulting).
  std::vector<FieldCause> validate(const json::object& obj) const;

  const json::object& json() const { return root_; }

 private:
  void prune_value(const json::object& s, json::value& v, const std::string& path,
                   std::vector<std::string>* unknown, bool root) const;
  void default_value(const json::object& s, json::value& v) const;
  void validate_value(const json::object& s, const json::value& v, const std::string& path,
                      std::vector<FieldCause>& out) const;
  void compile_patterns(const json::value& s);

  json::object root_;
  std::map<std::string, std::regex> patterns_;
};

}  // namespace skiff::apiextensions
