// Private helpers of the kinds implementation: field paths, tolerant JSON accessors, upstream's
// apimachinery string checks (returning every message, as the Go functions return []string),
// resource quantities, metadata/label/selector validation. Not part of the api interface.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/api_error.h"
#include "common/json.h"

namespace skiff::api::detail {

using Causes = std::vector<FieldCause>;
using Msgs = std::vector<std::string>;

// ---- field paths (field.Path's String()) ----
std::string child(const std::string& path, std::string_view name);  // "a" + "b" -> "a.b"
std::string idx(const std::string& path, size_t i);                 // "a[3]"
std::string key(const std::string& path, std::string_view k);       // "a[k]"

// ---- JSON accessors that never throw on a wrong type ----
const json::object* obj_at(const json::object& o, std::string_view k);
json::object* obj_at(json::object& o, std::string_view k);
const json::array* arr_at(const json::object& o, std::string_view k);
json::array* arr_at(json::object& o, std::string_view k);
// The string at k, or nullopt when absent or not a string.
std::optional<std::string> str_at(const json::object& o, std::string_view k);
std::string str_or(const json::object& o, std::string_view k, std::string_view def = {});
// The integer at k (int64, uint64 or an integral double), or nullopt.
std::optional<int64_t> int_at(const json::object& o, std::string_view k);
std::optional<bool> bool_at(const json::object& o, std::string_view k);
bool has(const json::object& o, std::string_view k);                     // present and not null
const json::value& value_at(const json::object& o, std::string_view k);  // null when absent
bool as_int(const json::value& v, int64_t& out);

// ---- apimachinery/pkg/util/validation ----
Msgs dns1123_label(std::string_view s);
Msgs dns1123_subdomain(std::string_view s);
Msgs dns1035_label(std::string_view s);
Msgs qualified_name(std::string_view s);
Msgs label_value(std::string_view s);
Msgs iana_svc_name(std::string_view s);
Msgs env_var_name(std::string_view s);
Msgs config_map_key(std::string_view s);
Msgs valid_percent(std::string_view s);
Msgs port_num(int64_t port);  // "must be between 1 and 65535, inclusive"
bool is_ip(std::string_view s);
bool is_ipv4(std::string_view s);
bool is_cidr(std::string_view s);
std::string max_len_error(size_t n);  // "must be no more than N characters"
std::string inclusive_range_error(int64_t lo, int64_t hi);

// Upstream's name validators (NameIsDNSSubdomain etc.); `prefix` allows a trailing '-'.
enum class NameRule { kSubdomain, kLabel, kDns1035, kPathSegment };
Msgs check_name(NameRule rule, std::string_view name, bool prefix);

// ---- causes for common shapes ----
void add_msgs(Causes& out, const std::string& path, const json::value& v, const Msgs& msgs);
void nonnegative(Causes& out, const json::object& o, std::string_view k, const std::string& path);
// Unsupported when present and not in `valid`; Required when `required` and absent/empty.
void enum_field(Causes& out, const json::object& o, std::string_view k, const std::string& path,
                const std::vector<std::string>& valid, bool required);
FieldCause not_found(std::string field, const json::value& v);
// intstr: an int in 1..65535 or an IANA_SVC_NAME string (service targetPort, probe ports).
void port_num_or_name(Causes& out, const json::value& v, const std::string& path);
// intstr: a non-negative int or a "N%" string.
void positive_int_or_percent(Causes& out, const json::value& v, const std::string& path);
// The int or percent of an intstr (for "both zero" checks); percent strings give their number.
int64_t int_or_percent_value(const json::value& v);
bool is_percent(const json::value& v);

// ---- quantities (k8s.io/apimachinery/pkg/api/resource) ----
// The value as a long double; nullopt and `err` (upstream's message) when malformed.
std::optional<long double> parse_quantity(std::string_view s, std::string* err = nullptr);
// A quantity given as a JSON string or number; numbers are accepted as upstream does.
std::optional<long double> quantity_of(const json::value& v, std::string* err = nullptr);
std::string quantity_text(const json::value& v);
extern const char* const kQuantityRegexMsg;

// ---- metadata and labels ----
void validate_labels(Causes& out, const json::value& labels, const std::string& path);
void validate_annotations(Causes& out, const json::value& annotations, const std::string& path);
// ObjectMeta: name/generateName per `rule`, namespace presence, labels, annotations.
void validate_object_meta(Causes& out, const json::object& obj, bool namespaced, NameRule rule);
void validate_label_selector(Causes& out, const json::value& sel, const std::string& path);
// metav1.LabelSelector semantics: empty selector matches everything.
bool selector_matches(const json::object& sel, const json::object* labels);
bool selector_empty(const json::object& sel);
// Go's %#v of a map[string]string, used by upstream in a few messages.
std::string go_string_map(const json::object* m);

// ---- misc ----
std::string base64_encode(std::string_view in);
// Empty when valid, else Go's "illegal base64 data at input byte N".
std::string base64_error(std::string_view in);
size_t base64_decoded_size(std::string_view in);

}  // namespace skiff::api::detail
