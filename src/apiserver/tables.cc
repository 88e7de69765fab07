#include "apiserver/tables.h"

#include "common/log.h"
#include "printers/printers.h"

namespace skiff::apiserver {

json::object make_table(const api::ResourceInfo& r, const std::vector<json::object>& items,
                        const std::string& include_object, bool with_columns,
                        json::object list_meta) {
  json::object t;
  t["kind"] = "Table";
  t["apiVersion"] = "meta.k8s.io/v1";
  t["metadata"] = std::move(list_meta);
  json::array cols;
  if (with_columns) {
    for (const auto& c : api::table_columns(r))
      cols.push_back(json::object{{"name", c.name},
                                  {"type", c.type},
                                  {"format", c.format},
                                  {"description", c.description},
                                  {"priority", c.priority}});
  }
  t["columnDefinitions"] = std::move(cols);
  json::array rows;
  auto now = Clock::now();
  for (const auto& obj : items) {
    json::object row;
    row["cells"] = api::table_cells(r, obj, now);
    if (include_object == "Object") {
      row["object"] = obj;
    } else if (include_object != "None") {
      json::object partial{{"kind", "PartialObjectMetadata"},
                           {"apiVersion", "meta.k8s.io/v1"}};
      if (const auto* m = obj.if_contains("metadata")) partial["metadata"] = *m;
      row["object"] = std::move(partial);
    }
    rows.push_back(std::move(row));
  }
  t["rows"] = std::move(rows);
  return t;
}
}  // namespace skiff::apiserver
