// JSON: the object model of every API object is boost::json. Small accessors used everywhere.
#pragma once
#include <boost/json.hpp>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace skiff {
namespace json = boost::json;

// The value at a path of object keys, or nullptr when any step is missing or not an object.
// The json::object overloads matter: without them an object argument would be copied into a
// temporary json::value and the returned pointer would dangle.
const json::value* find_path(const json::value& v, std::initializer_list<std::string_view> path);
json::value* find_path(json::value& v, std::initializer_list<std::string_view> path);
const json::value* find_path(const json::object& o, std::initializer_list<std::string_view> path);
json::value* find_path(json::object& o, std::initializer_list<std::string_view> path);

// The string at a path, or `def` when absent or not a string.
std::string get_string(const json::value& v, std::initializer_list<std::string_view> path,
                       std::string_view def = {});
std::string get_string(const json::object& o, std::initializer_list<std::string_view> path,
                       std::string_view def = {});
// The integer at a path, or `def` when absent or not an integer. A double counts only when it is
// finite and has no fraction (and is then clamped to int64's range), so a stored 1e400 or 0.5
// can never turn into an arbitrary count.
int64_t get_int(const json::value& v, std::initializer_list<std::string_view> path, int64_t def = 0);
int64_t get_int(const json::object& o, std::initializer_list<std::string_view> path, int64_t def = 0);

// The object under `key`, created (replacing a non-object) when missing.
json::object& ensure_object(json::object& o, std::string_view key);
// The array under `key`, created (replacing a non-array) when missing.
json::array& ensure_array(json::object& o, std::string_view key);

// Numbers as the API's Go decoders see them: an integer is an int64 or a uint64 in JSON; a value
// written with a fraction or an exponent is a double and never fits an integer field.
// The value when `v` is an integer that fits int64 (a double never does).
std::optional<int64_t> exact_int64(const json::value& v);
// The first number in `v` that is not finite (Infinity, NaN: from 1e400, YAML's .inf), or nullptr.
// `path` receives its field path ("data.a", "spec.containers[0].x").
const json::value* find_non_finite(const json::value& v, std::string* path);
const json::value* find_non_finite(const json::object& o, std::string* path);

// Parses JSON text; returns false and fills `error` on malformed input (never throws).
bool parse_json(std::string_view text, json::value& out, std::string& error);
}  // namespace skiff
