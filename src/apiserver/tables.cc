#include "apiserver/tables.h"

#include "apiextensions/jsonpath.h"
#include "common/log.h"
#include "common/time.h"
#include "printers/printers.h"

namespace skiff::apiserver {
namespace {

// A CRD version's columns: Name, then its additionalPrinterColumns (upstream's
// apiextensions table convertor). A date cell is shown as an age, a missing value as null.
json::array runtime_columns(const api::RuntimeKind& k) {
  json::array cols;
  cols.push_back(json::object{{"name", "Name"}, {"type", "string"}, {"format", "name"},
                              {"description", "Name must be unique within a namespace."}, {"priority", 0}});
  for (const auto& c : k.columns())
    cols.push_back(json::object{{"name", c.name}, {"type", c.type}, {"format", c.format},
                                {"description", c.description}, {"priority", c.priority}});
  return cols;
}

json::array runtime_cells(const api::RuntimeKind& k, const json::object& obj, Clock::time_point now) {
  json::array cells;
  cells.push_back(json::value(get_string(obj, {"metadata", "name"})));
  json::value whole(obj);
  for (const auto& c : k.columns()) {
    const auto* v = apiextensions::json_path_get(whole, c.json_path);
    if (!v || v->is_null()) {
      cells.push_back(nullptr);
    } else if (c.type == "date" && v->is_string()) {
      auto t = parse_rfc3339(v->get_string());
      cells.push_back(t ? json::value(human_duration(std::chrono::duration_cast<std::chrono::seconds>(now - *t)))
                        : json::value("<unknown>"));
    } else if (c.type == "string" && !v->is_string()) {
      cells.push_back(json::value(json::serialize(*v)));
    } else {
      cells.push_back(*v);
    }
  }
  return cells;
}

}  // namespace

json::object make_table(const api::ResourceInfo& r, const std::vector<json::object>& items,
                        const std::string& include_object, bool with_columns,
                        json::object list_meta) {
  json::object t;
  t["kind"] = "Table";
  t["apiVersion"] = "meta.k8s.io/v1";
  t["metadata"] = std::move(list_meta);
  json::array cols;
  if (with_columns && r.runtime) {
    cols = runtime_columns(*r.runtime);
  } else if (with_columns) {
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
    row["cells"] = r.runtime ? runtime_cells(*r.runtime, obj, now) : api::table_cells(r, obj, now);
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
