#include "common/json.h"

#include <cmath>
#include <cstdint>

namespace skiff {

const json::value* find_path(const json::value& v, std::initializer_list<std::string_view> path) {
  const json::value* cur = &v;
  for (auto key : path) {
    const auto* obj = cur->if_object();
    if (!obj) return nullptr;
    auto it = obj->find(key);
    if (it == obj->end()) return nullptr;
    cur = &it->value();
  }
  return cur;
}

json::value* find_path(json::value& v, std::initializer_list<std::string_view> path) {
  return const_cast<json::value*>(find_path(static_cast<const json::value&>(v), path));
}

const json::value* find_path(const json::object& o, std::initializer_list<std::string_view> path) {
  if (path.size() == 0) return nullptr;
  auto it = path.begin();
  auto f = o.find(*it);
  if (f == o.end()) return nullptr;
  const json::value* cur = &f->value();
  for (++it; it != path.end(); ++it) {
    const auto* obj = cur->if_object();
    if (!obj) return nullptr;
    auto g = obj->find(*it);
    if (g == obj->end()) return nullptr;
    cur = &g->value();
  }
  return cur;
}

json::value* find_path(json::object& o, std::initializer_list<std::string_view> path) {
  return const_cast<json::value*>(find_path(static_cast<const json::object&>(o), path));
}

namespace {
std::string string_at(const json::value* p, std::string_view def) {
  if (p && p->is_string()) return std::string(p->get_string());
  return std::string(def);
}
int64_t int_at(const json::value* p, int64_t def) {
  if (!p) return def;
  if (p->is_int64()) return p->get_int64();
  if (p->is_uint64()) {
    uint64_t u = p->get_uint64();
    return u > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(u);
  }
  if (p->is_double()) {
    double d = p->get_double();
    if (!std::isfinite(d) || d != std::trunc(d)) return def;
    if (d >= 9.2233720368547758e18) return INT64_MAX;
    if (d <= -9.2233720368547758e18) return INT64_MIN;
    return static_cast<int64_t>(d);
  }
  return def;
}
}  // namespace

std::string get_string(const json::object& o, std::initializer_list<std::string_view> path,
                       std::string_view def) {
  return string_at(find_path(o, path), def);
}
int64_t get_int(const json::object& o, std::initializer_list<std::string_view> path, int64_t def) {
  return int_at(find_path(o, path), def);
}

std::string get_string(const json::value& v, std::initializer_list<std::string_view> path,
                       std::string_view def) {
  const auto* p = find_path(v, path);
  if (p && p->is_string()) return std::string(p->get_string());
  return std::string(def);
}

int64_t get_int(const json::value& v, std::initializer_list<std::string_view> path, int64_t def) {
  return int_at(find_path(v, path), def);
}

std::optional<int64_t> exact_int64(const json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= static_cast<uint64_t>(INT64_MAX))
    return static_cast<int64_t>(v.get_uint64());
  return std::nullopt;
}

namespace {
const json::value* non_finite_at(const json::value& v, std::string& path);
const json::value* non_finite_in(const json::object& o, std::string& path) {
  for (const auto& kv : o) {
    size_t len = path.size();
    if (!path.empty()) path += '.';
    path.append(kv.key().data(), kv.key().size());
    if (const auto* bad = non_finite_at(kv.value(), path)) return bad;
    path.resize(len);
  }
  return nullptr;
}
const json::value* non_finite_at(const json::value& v, std::string& path) {
  if (v.is_double()) return std::isfinite(v.get_double()) ? nullptr : &v;
  if (const auto* o = v.if_object()) {
    return non_finite_in(*o, path);
  } else if (const auto* a = v.if_array()) {
    for (size_t i = 0; i < a->size(); ++i) {
      size_t len = path.size();
      path += "[" + std::to_string(i) + "]";
      if (const auto* bad = non_finite_at((*a)[i], path)) return bad;
      path.resize(len);
    }
  }
  return nullptr;
}
}  // namespace

const json::value* find_non_finite(const json::object& o, std::string* path) {
  std::string p;
  const json::value* bad = non_finite_in(o, p);
  if (bad && path) *path = std::move(p);
  return bad;
}

const json::value* find_non_finite(const json::value& v, std::string* path) {
  std::string p;
  const json::value* bad = non_finite_at(v, p);
  if (bad && path) *path = std::move(p);
  return bad;
}

json::object& ensure_object(json::object& o, std::string_view key) {
  auto& v = o[key];
  if (!v.is_object()) v = json::object{};
  return v.get_object();
}

json::array& ensure_array(json::object& o, std::string_view key) {
  auto& v = o[key];
  if (!v.is_array()) v = json::array{};
  return v.get_array();
}

bool parse_json(std::string_view text, json::value& out, std::string& error) {
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = 256;
  out = json::parse(text, ec, {}, opts);
  if (ec) {
    error = ec.message();
    return false;
  }
  return true;
}
}  // namespace skiff
