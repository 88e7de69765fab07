// RFC 6902 JSON patch with RFC 6901 JSON pointers. A patch document that is not a list of
// well-formed operations is a 400; an operation that does not apply to this object (a missing
// path, an index out of range, a failed "test") is a 422, as the API server answers.
#include <exception>
#include <optional>
#include <vector>

#include "patch/json_values.h"
#include "patch/patch.h"

namespace skiff {
namespace {

using patch_internal::describe;

struct Op {
  size_t index = 0;
  std::string name;  // "add", "remove", ...
  std::string path;
  std::vector<std::string> tokens;
  std::string from;
  std::vector<std::string> from_tokens;
  const json::value* value = nullptr;
};

std::string op_label(const Op& op) {
  return "json patch operation " + std::to_string(op.index) + " (\"" + op.name + "\" at \"" +
         op.path + "\")";
}

// Splits a pointer into unescaped reference tokens; nullopt when it is not a valid pointer.
std::optional<std::vector<std::string>> parse_pointer(std::string_view p) {
  std::vector<std::string> tokens;
  if (p.empty()) return tokens;
  if (p[0] != '/') return std::nullopt;
  std::string cur;
  for (size_t i = 1; i <= p.size(); ++i) {
    if (i == p.size() || p[i] == '/') {
      tokens.push_back(std::move(cur));
      cur.clear();
    } else if (p[i] == '~') {
      if (i + 1 >= p.size() || (p[i + 1] != '0' && p[i + 1] != '1')) return std::nullopt;
      cur += p[i + 1] == '0' ? '~' : '/';
      ++i;
    } else {
      cur += p[i];
    }
  }
  return tokens;
}

// An array index token: "0" or digits without a leading zero. nullopt otherwise.
std::optional<size_t> parse_index(const std::string& t) {
  if (t.empty() || t.size() > 18) return std::nullopt;
  if (t.size() > 1 && t[0] == '0') return std::nullopt;
  size_t n = 0;
  for (char c : t) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<size_t>(c - '0');
  }
  return n;
}

json::value* resolve(json::value& doc, const std::vector<std::string>& tokens, size_t count) {
  json::value* cur = &doc;
  for (size_t i = 0; i < count; ++i) {
    if (auto* o = cur->if_object()) {
      auto it = o->find(tokens[i]);
      if (it == o->end()) return nullptr;
      cur = &it->value();
    } else if (auto* a = cur->if_array()) {
      auto idx = parse_index(tokens[i]);
      if (!idx || *idx >= a->size()) return nullptr;
      cur = &(*a)[*idx];
    } else {
      return nullptr;
    }
  }
  return cur;
}

ApiError not_applicable(const Op& op, const std::string& why) {
  return ApiError::unprocessable(op_label(op) + " does not apply: " + why);
}

Status add_at(json::value& doc, const Op& op, const std::vector<std::string>& tokens,
              const std::string& path, json::value value) {
  if (tokens.empty()) {
    doc = std::move(value);
    return ok_status();
  }
  json::value* parent = resolve(doc, tokens, tokens.size() - 1);
  if (!parent) return not_applicable(op, "the parent of \"" + path + "\" does not exist");
  const std::string& last = tokens.back();
  if (auto* o = parent->if_object()) {
    (*o)[last] = std::move(value);
    return ok_status();
  }
  if (auto* a = parent->if_array()) {
    if (last == "-") {
      a->push_back(std::move(value));
      return ok_status();
    }
    auto idx = parse_index(last);
    if (!idx || *idx > a->size())
      return not_applicable(op, "index \"" + last + "\" is out of range for a list of " +
                                    std::to_string(a->size()));
    a->insert(a->begin() + static_cast<std::ptrdiff_t>(*idx), std::move(value));
    return ok_status();
  }
  return not_applicable(op, "the parent of \"" + path + "\" is neither a map nor a list");
}

Status remove_at(json::value& doc, const Op& op, const std::vector<std::string>& tokens,
                 const std::string& path) {
  if (tokens.empty()) return not_applicable(op, "the whole object cannot be removed");
  json::value* parent = resolve(doc, tokens, tokens.size() - 1);
  const std::string& last = tokens.back();
  if (parent) {
    if (auto* o = parent->if_object()) {
      if (o->contains(last)) {
        patch_internal::erase_key(*o, last);
        return ok_status();
      }
    } else if (auto* a = parent->if_array()) {
      auto idx = parse_index(last);
      if (idx && *idx < a->size()) {
        a->erase(a->begin() + static_cast<std::ptrdiff_t>(*idx));
        return ok_status();
      }
    }
  }
  return not_applicable(op, "path \"" + path + "\" does not exist");
}

// Reads and checks one operation object; errors here are about the patch document (400).
Result<Op> parse_op(const json::value& v, size_t index) {
  std::string where = "json patch operation " + std::to_string(index);
  const json::object* o = v.if_object();
  if (!o) return ApiError::bad_request(where + " is not a JSON object: " + describe(v));
  Op op;
  op.index = index;
  auto str_member = [&](std::string_view key, std::string& out) -> std::optional<ApiError> {
    const json::value* m = o->if_contains(key);
    if (!m) return ApiError::bad_request(where + " has no \"" + std::string(key) + "\"");
    if (!m->is_string())
      return ApiError::bad_request(where + ": \"" + std::string(key) + "\" must be a string");
    out = std::string(m->get_string());
    return std::nullopt;
  };
  if (auto e = str_member("op", op.name)) return *e;
  if (auto e = str_member("path", op.path)) return *e;
  auto tokens = parse_pointer(op.path);
  if (!tokens) return ApiError::bad_request(op_label(op) + ": invalid JSON pointer");
  op.tokens = std::move(*tokens);
  if (op.name == "add" || op.name == "replace" || op.name == "test") {
    op.value = o->if_contains("value");
    if (!op.value) return ApiError::bad_request(op_label(op) + " has no \"value\"");
  } else if (op.name == "move" || op.name == "copy") {
    if (auto e = str_member("from", op.from)) return *e;
    auto from = parse_pointer(op.from);
    if (!from) return ApiError::bad_request(op_label(op) + ": invalid JSON pointer in \"from\"");
    op.from_tokens = std::move(*from);
  } else if (op.name != "remove") {
    return ApiError::bad_request(where + ": unsupported op \"" + op.name + "\"");
  }
  return op;
}

Status apply_op(json::value& doc, const Op& op) {
  if (op.name == "add") return add_at(doc, op, op.tokens, op.path, *op.value);
  if (op.name == "remove") return remove_at(doc, op, op.tokens, op.path);
  if (op.name == "replace") {
    json::value* target = resolve(doc, op.tokens, op.tokens.size());
    if (!target) return not_applicable(op, "path \"" + op.path + "\" does not exist");
    *target = *op.value;
    return ok_status();
  }
  if (op.name == "test") {
    json::value* target = resolve(doc, op.tokens, op.tokens.size());
    if (!target) return not_applicable(op, "path \"" + op.path + "\" does not exist");
    if (!patch_internal::json_equal(*target, *op.value))
      return ApiError::unprocessable(op_label(op) + " failed: the value is " +
                                     describe(*target) + ", not " + describe(*op.value));
    return ok_status();
  }
  // move and copy
  json::value* source = resolve(doc, op.from_tokens, op.from_tokens.size());
  if (!source) return not_applicable(op, "\"from\" path \"" + op.from + "\" does not exist");
  json::value value = *source;
  if (op.name == "move") {
    if (op.from == op.path) return ok_status();
    if (op.path.size() > op.from.size() && op.path.compare(0, op.from.size(), op.from) == 0 &&
        op.path[op.from.size()] == '/')
      return not_applicable(op, "a value cannot be moved into one of its children");
    if (auto s = remove_at(doc, op, op.from_tokens, op.from); !s) return s;
  }
  return add_at(doc, op, op.tokens, op.path, std::move(value));
}

}  // namespace

Result<json::value> apply_json_patch(const json::value& doc, const json::value& patch) {
  try {
    const json::array* ops = patch.if_array();
    if (!ops)
      return ApiError::bad_request("a json patch must be a JSON list of operations, not " +
                                   describe(patch));
    std::vector<Op> parsed;
    parsed.reserve(ops->size());
    for (size_t i = 0; i < ops->size(); ++i) {
      auto op = parse_op((*ops)[i], i);
      if (!op) return op.error();
      parsed.push_back(std::move(*op));
    }
    json::value result = doc;
    for (const Op& op : parsed) {
      if (auto s = apply_op(result, op); !s) return s.error();
    }
    return result;
  } catch (const std::exception& e) {
    return ApiError::internal(std::string("applying json patch: ") + e.what());
  }
}

}  // namespace skiff
