// Shared formatting helpers of the table printers (see printing.h).
#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "printers/printing.h"

namespace skiff::api::printing {

Column col(std::string name, std::string type, std::string description, int priority) {
  return Column{std::move(name), std::move(type), "", std::move(description), priority};
}
Column name_col() { return Column{"Name", "string", "name", kDescMetaName, 0}; }
Column age_col() { return col("Age", "string", kDescMetaCreationTimestamp); }
Column containers_col() {
  return col("Containers", "string", "Names of each container in the template.", 1);
}
Column images_col() {
  return col("Images", "string", "Images referenced by each container in the template.", 1);
}

// ---- JSON access ---------------------------------------------------------------------------

const json::value* at(const json::value* v, std::initializer_list<std::string_view> path) {
  if (!v) return nullptr;
  return path.size() == 0 ? v : find_path(*v, path);
}

const json::value* at(const json::object& o, std::initializer_list<std::string_view> path) {
  if (path.size() == 0) return nullptr;
  auto it = path.begin();
  const json::value* cur = o.if_contains(*it);
  for (++it; cur && it != path.end(); ++it) {
    const auto* next = cur->if_object();
    cur = next ? next->if_contains(*it) : nullptr;
  }
  return cur;
}

std::string str(const json::value* v, std::initializer_list<std::string_view> path,
                std::string_view def) {
  const auto* p = at(v, path);
  if (p && p->is_string()) return std::string(p->get_string());
  return std::string(def);
}
std::string str(const json::object& o, std::initializer_list<std::string_view> path,
                std::string_view def) {
  const auto* p = at(o, path);
  if (p && p->is_string()) return std::string(p->get_string());
  return std::string(def);
}

namespace {
int64_t as_int(const json::value* p, int64_t def) {
  if (!p) return def;
  if (p->is_int64()) return p->get_int64();
  if (p->is_uint64()) return static_cast<int64_t>(p->get_uint64());
  if (p->is_double()) return static_cast<int64_t>(p->get_double());
  return def;
}
const json::array kEmptyArray;
const json::object kEmptyObject;
}  // namespace

int64_t num(const json::value* v, std::initializer_list<std::string_view> path, int64_t def) {
  return as_int(at(v, path), def);
}
int64_t num(const json::object& o, std::initializer_list<std::string_view> path, int64_t def) {
  return as_int(at(o, path), def);
}
bool flag(const json::value* v, std::initializer_list<std::string_view> path) {
  const auto* p = at(v, path);
  return p && p->is_bool() && p->get_bool();
}
const json::array& arr(const json::value* v, std::initializer_list<std::string_view> path) {
  const auto* p = at(v, path);
  return p && p->is_array() ? p->get_array() : kEmptyArray;
}
const json::array& arr(const json::object& o, std::initializer_list<std::string_view> path) {
  const auto* p = at(o, path);
  return p && p->is_array() ? p->get_array() : kEmptyArray;
}
const json::object& obj(const json::value* v, std::initializer_list<std::string_view> path) {
  const auto* p = at(v, path);
  return p && p->is_object() ? p->get_object() : kEmptyObject;
}
const json::object& obj(const json::object& o, std::initializer_list<std::string_view> path) {
  const auto* p = at(o, path);
  return p && p->is_object() ? p->get_object() : kEmptyObject;
}

// ---- times ---------------------------------------------------------------------------------

std::optional<Clock::time_point> timestamp(const json::value* v) {
  if (!v || !v->is_string() || v->get_string().empty()) return std::nullopt;
  return parse_rfc3339(std::string_view(v->get_string()));
}

std::string human(Clock::duration d) {
  return human_duration(std::chrono::duration_cast<std::chrono::seconds>(d));
}

std::string since(std::optional<Clock::time_point> t, Clock::time_point now) {
  if (!t) return "<unknown>";
  return human(now - *t);
}
std::string since(const json::value* v, Clock::time_point now) { return since(timestamp(v), now); }

std::string age(const json::object& o, Clock::time_point now) {
  return since(at(o, {"metadata", "creationTimestamp"}), now);
}

// ---- formatting ----------------------------------------------------------------------------

std::string name_of(const json::object& o) { return str(o, {"metadata", "name"}); }

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

std::string to_lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string format_labels(const json::object& labels) {
  std::map<std::string, std::string> sorted;
  for (const auto& kv : labels)
    sorted[std::string(kv.key())] = kv.value().is_string()
                                        ? std::string(kv.value().get_string())
                                        : std::string(json::serialize(kv.value()));
  std::vector<std::string> parts;
  for (const auto& [k, v] : sorted) parts.push_back(k + "=" + v);
  return parts.empty() ? "<none>" : join(parts, ",");
}

std::string selector_string(const json::value* selector) {
  if (!selector || !selector->is_object()) return "";
  // (key, text) pairs, sorted by key as labels.internalSelector does.
  std::vector<std::pair<std::string, std::string>> reqs;
  for (const auto& kv : obj(selector, {"matchLabels"})) {
    std::string key(kv.key());
    reqs.emplace_back(key, key + "=" + str(&kv.value()));
  }
  for (const auto& e : arr(selector, {"matchExpressions"})) {
    std::string key = str(&e, {"key"}), op = str(&e, {"operator"});
    std::vector<std::string> values;
    for (const auto& v : arr(&e, {"values"})) values.push_back(str(&v));
    std::sort(values.begin(), values.end());
    std::string text;
    if (op == "In") {
      text = key + " in (" + join(values, ",") + ")";
    } else if (op == "NotIn") {
      text = key + " notin (" + join(values, ",") + ")";
    } else if (op == "Exists") {
      text = key;
    } else if (op == "DoesNotExist") {
      text = "!" + key;
    } else {
      return "<error>";
    }
    reqs.emplace_back(key, text);
  }
  std::stable_sort(reqs.begin(), reqs.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> parts;
  for (auto& r : reqs) parts.push_back(std::move(r.second));
  return join(parts, ",");
}

std::string format_label_selector(const json::value* selector) {
  std::string s = selector_string(selector);
  return s.empty() ? "<none>" : s;
}

std::pair<std::string, std::string> container_cells(const json::value* pod_spec) {
  std::vector<std::string> names, images;
  for (const auto& c : arr(pod_spec, {"containers"})) {
    names.push_back(str(&c, {"name"}));
    images.push_back(str(&c, {"image"}));
  }
  return {join(names, ","), join(images, ",")};
}

std::string int_or_string(const json::value* v, std::string_view def) {
  if (!v || v->is_null()) return std::string(def);
  if (v->is_string()) return std::string(v->get_string());
  return std::to_string(as_int(v, 0));
}

std::string quantity(const json::value* v) {
  if (!v || v->is_null()) return "0";
  if (v->is_string()) return v->get_string().empty() ? "0" : std::string(v->get_string());
  if (v->is_double()) return json::serialize(*v);
  return std::to_string(as_int(v, 0));
}

std::string access_modes(const json::array& modes) {
  std::set<std::string> have;
  for (const auto& m : modes) have.insert(str(&m));
  std::vector<std::string> out;
  if (have.count("ReadWriteOnce")) out.push_back("RWO");
  if (have.count("ReadOnlyMany")) out.push_back("ROX");
  if (have.count("ReadWriteMany")) out.push_back("RWX");
  if (have.count("ReadWriteOncePod")) out.push_back("RWOP");
  return join(out, ",");
}

}  // namespace skiff::api::printing
