// Private to src/printers: the per-kind printer table and the small formatting helpers the print
// functions share (null-safe JSON access, ages, label/selector/container formatting), following
// upstream's pkg/printers/internalversion/printers.go. Server-side tables are always generated
// "wide" (as the API server does), so every row carries a cell for every column.
#pragma once
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "printers/descriptions.h"
#include "printers/printers.h"

namespace skiff::api::printing {

using CellsFn = json::array (*)(const json::object& obj, Clock::time_point now);

// One kind's table: keyed by API group and plural resource (any version).
struct Printer {
  std::string group;
  std::string resource;
  std::vector<Column> columns;
  CellsFn cells;
};

// Each group of kinds registers its printers here (one function per source file).
void add_pod_printers(std::vector<Printer>& out);
void add_core_printers(std::vector<Printer>& out);
void add_storage_printers(std::vector<Printer>& out);
void add_workload_printers(std::vector<Printer>& out);
void add_misc_printers(std::vector<Printer>& out);

// ---- columns -------------------------------------------------------------------------------
Column col(std::string name, std::string type, std::string description, int priority = 0);
Column name_col();  // {"Name", "string", "name", ObjectMeta name doc}
Column age_col();   // {"Age", "string", creationTimestamp doc}
// Wide "Containers" and "Images" columns shared by the workload kinds.
Column containers_col();
Column images_col();

// ---- JSON access (all null-safe; missing or mistyped fields read as empty) -----------------
const json::value* at(const json::value* v, std::initializer_list<std::string_view> path);
const json::value* at(const json::object& o, std::initializer_list<std::string_view> path);
std::string str(const json::value* v, std::initializer_list<std::string_view> path = {},
                std::string_view def = {});
std::string str(const json::object& o, std::initializer_list<std::string_view> path,
                std::string_view def = {});
int64_t num(const json::value* v, std::initializer_list<std::string_view> path = {},
            int64_t def = 0);
int64_t num(const json::object& o, std::initializer_list<std::string_view> path, int64_t def = 0);
bool flag(const json::value* v, std::initializer_list<std::string_view> path = {});
// The array / object at a path, or a shared empty one.
const json::array& arr(const json::value* v, std::initializer_list<std::string_view> path = {});
const json::array& arr(const json::object& o, std::initializer_list<std::string_view> path);
const json::object& obj(const json::value* v, std::initializer_list<std::string_view> path = {});
const json::object& obj(const json::object& o, std::initializer_list<std::string_view> path);

// ---- times ---------------------------------------------------------------------------------
// A metav1.Time / MicroTime value; nullopt when absent, null or unparsable (Go's zero time).
std::optional<Clock::time_point> timestamp(const json::value* v);
// translateTimestampSince: human_duration(now - t), or "<unknown>" for a zero time.
std::string since(const json::value* v, Clock::time_point now);
std::string since(std::optional<Clock::time_point> t, Clock::time_point now);
std::string age(const json::object& o, Clock::time_point now);  // metadata.creationTimestamp
std::string human(Clock::duration d);                           // human_duration of a positive span

// ---- formatting ----------------------------------------------------------------------------
std::string name_of(const json::object& o);  // metadata.name
std::string join(const std::vector<std::string>& parts, std::string_view sep);
std::string to_lower(std::string s);
// labels.FormatLabels: "a=b,c=d" sorted by key, "<none>" when empty.
std::string format_labels(const json::object& labels);
// metav1.LabelSelectorAsSelector(sel).String(): "" for an absent or empty selector.
std::string selector_string(const json::value* selector);
// metav1.FormatLabelSelector: as selector_string but "<none>" when empty.
std::string format_label_selector(const json::value* selector);
// layoutContainerCells: {"a,b", "img1,img2"} of a pod spec's containers.
std::pair<std::string, std::string> container_cells(const json::value* pod_spec);
// An IntOrString as Go's String() prints it; `def` when absent.
std::string int_or_string(const json::value* v, std::string_view def);
// A resource.Quantity's text ("0" when absent). Kept as written (no canonicalisation).
std::string quantity(const json::value* v);
// helper.GetAccessModesAsString: "RWO,ROX,RWX,RWOP" in that fixed order, duplicates dropped.
std::string access_modes(const json::array& modes);

}  // namespace skiff::api::printing
