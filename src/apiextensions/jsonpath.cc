#include "apiextensions/jsonpath.h"

#include <cctype>

namespace skiff::apiextensions {

std::optional<std::vector<std::string>> parse_json_path(std::string_view p) {
  if (p.size() >= 2 && p.front() == '{' && p.back() == '}') p = p.substr(1, p.size() - 2);
  std::vector<std::string> out;
  size_t i = 0;
  while (i < p.size()) {
    if (p[i] == '.') {
      size_t j = i + 1;
      while (j < p.size() && p[j] != '.' && p[j] != '[') ++j;
      if (j == i + 1) return std::nullopt;
      out.emplace_back(p.substr(i + 1, j - i - 1));
      i = j;
    } else if (p[i] == '[') {
      size_t j = p.find(']', i);
      if (j == std::string_view::npos) return std::nullopt;
      std::string_view in = p.substr(i + 1, j - i - 1);
      if (in.size() >= 2 && (in.front() == '\'' || in.front() == '"') && in.back() == in.front()) {
        out.emplace_back(in.substr(1, in.size() - 2));
      } else {
        if (in.empty()) return std::nullopt;
        for (char c : in)
          if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
        out.push_back("[" + std::string(in) + "]");
      }
      i = j + 1;
    } else {
      return std::nullopt;
    }
  }
  if (out.empty()) return std::nullopt;
  return out;
}

const json::value* json_path_get(const json::value& root, std::string_view path) {
  auto steps = parse_json_path(path);
  if (!steps) return nullptr;
  const json::value* cur = &root;
  for (const auto& s : *steps) {
    if (!s.empty() && s.front() == '[' && s.back() == ']') {
      if (!cur->is_array()) return nullptr;
      size_t n = std::stoul(s.substr(1, s.size() - 2));
      if (n >= cur->get_array().size()) return nullptr;
      cur = &cur->get_array()[n];
    } else {
      if (!cur->is_object()) return nullptr;
      cur = cur->get_object().if_contains(s);
      if (!cur) return nullptr;
    }
  }
  return cur;
}

bool json_path_set(json::object& root, std::string_view path, json::value v) {
  auto steps = parse_json_path(path);
  if (!steps) return false;
  json::object* cur = &root;
  for (size_t i = 0; i < steps->size(); ++i) {
    const auto& s = (*steps)[i];
    if (!s.empty() && s.front() == '[') return false;
    if (i + 1 == steps->size()) {
      (*cur)[s] = std::move(v);
      return true;
    }
    auto& next = (*cur)[s];
    if (next.is_null()) next = json::object{};
    if (!next.is_object()) return false;
    cur = &next.get_object();
  }
  return false;
}

}  // namespace skiff::apiextensions
