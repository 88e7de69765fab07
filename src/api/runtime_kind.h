// What a kind registered at run time (a CustomResourceDefinition's version) brings instead of the
// built-in tables: its schema's pruning, defaulting and validation, its printer columns and the
// paths of its scale subresource. src/apiextensions implements it; the API server calls it
// through ResourceInfo::runtime.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/api_error.h"
#include "common/json.h"

namespace skiff::api {

struct PrinterColumn {
  std::string name, type, format, description;
  std::string json_path;  // ".spec.replicas"
  int64_t priority = 0;
};

struct ScalePaths {
  std::string spec_replicas;    // ".spec.replicas"
  std::string status_replicas;  // ".status.replicas"
  std::string label_selector;   // ".status.selector", may be empty
};

class RuntimeKind {
 public:
  virtual ~RuntimeKind() = default;
  // Removes the fields the schema does not know (their paths, "spec.junk", into *unknown when
  // given) and fills the schema's defaults, in place.
  virtual void prune_and_default(json::object& obj, std::vector<std::string>* unknown) const = 0;
  // The schema's checks (types, required, enum, pattern, bounds, ...), with field paths.
  virtual std::vector<FieldCause> validate(const json::object& obj) const = 0;
  // additionalPrinterColumns (never empty: Age when the definition has none).
  virtual const std::vector<PrinterColumn>& columns() const = 0;
  // The scale subresource's paths, when the version has one.
  virtual const std::optional<ScalePaths>& scale() const = 0;
  // True when the version has a status subresource.
  virtual bool has_status() const = 0;
};

}  // namespace skiff::api
