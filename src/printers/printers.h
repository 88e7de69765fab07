// Server-side printing (`as=Table`): the columns and cells kubectl shows for each built-in kind,
// following upstream's pkg/printers/internalversion/printers.go. Columns with priority 1 appear
// only with `-o wide`.
#pragma once
#include <string>
#include <vector>

#include "api/resources.h"
#include "common/json.h"
#include "common/time.h"

namespace skiff::api {

struct Column {
  std::string name;  // "Name", "Ready", ...
  std::string type;  // "string", "integer", "date", "number", "boolean"
  std::string format;  // "name" for the Name column, else ""
  std::string description;
  int priority = 0;
};

// The columns of a kind; unknown kinds get Name and Age (as "Created At"-less default tables).
const std::vector<Column>& table_columns(const ResourceInfo& r);
// One row's cells, in column order. `now` drives the ages ("5m", "3d").
json::array table_cells(const ResourceInfo& r, const json::object& obj, Clock::time_point now);

}  // namespace skiff::api
