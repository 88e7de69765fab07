// Table columns and cells by resource: a registry of the per-kind printers (pod_printers.cc,
// core_printers.cc, storage_printers.cc, workload_printers.cc, misc_printers.cc), with
// upstream's generic fallbacks for kinds that have none.
#include "printers/printers.h"

#include "printers/printing.h"

namespace skiff::api {
namespace {
using printing::Printer;

const std::vector<Printer>& registry() {
  static const std::vector<Printer> kPrinters = [] {
    std::vector<Printer> out;
    printing::add_pod_printers(out);
    printing::add_core_printers(out);
    printing::add_storage_printers(out);
    printing::add_workload_printers(out);
    printing::add_misc_printers(out);
    return out;
  }();
  return kPrinters;
}

const Printer* find_printer(const ResourceInfo& r) {
  for (const auto& p : registry())
    if (p.group == r.group && p.resource == r.resource) return &p;
  return nullptr;
}

// Kinds whose upstream storage uses apiserver's DefaultTableConvertor: Name and "Created At"
// (a date column whose cells are RFC 3339 timestamps, which kubectl prints as they are).
bool uses_default_convertor(const ResourceInfo& r) {
  return r.group.empty() && r.resource == "limitranges";
}

const std::vector<Column>& default_columns() {
  static const std::vector<Column> kCols = {
      printing::name_col(),
      printing::col("Created At", "date", printing::kDescMetaCreationTimestamp)};
  return kCols;
}

// Unknown kinds (and bindings): Name and Age, like a custom resource without printer columns.
const std::vector<Column>& name_age_columns() {
  static const std::vector<Column> kCols = {
      printing::name_col(), printing::col("Age", "date", printing::kDescMetaCreationTimestamp)};
  return kCols;
}
}  // namespace

const std::vector<Column>& table_columns(const ResourceInfo& r) {
  if (const auto* p = find_printer(r)) return p->columns;
  if (uses_default_convertor(r)) return default_columns();
  return name_age_columns();
}

json::array table_cells(const ResourceInfo& r, const json::object& obj, Clock::time_point now) {
  if (const auto* p = find_printer(r)) return p->cells(obj, now);
  if (uses_default_convertor(r)) {
    auto t = printing::timestamp(printing::at(obj, {"metadata", "creationTimestamp"}));
    // Go formats the zero time when the field is unset.
    return json::array{printing::name_of(obj),
                       t ? format_rfc3339(*t) : std::string("0001-01-01T00:00:00Z")};
  }
  return json::array{printing::name_of(obj), printing::age(obj, now)};
}

}  // namespace skiff::api
