#include "apimachinery/node_matching.h"

#include <algorithm>
#include <charconv>

namespace skiff {

// ---------------- taints and tolerations ----------------

bool Toleration::tolerates(const Taint& t) const {
  if (!effect.empty() && effect != t.effect) return false;
  if (op == "Exists") return key.empty() || key == t.key;
  if (op != "Equal" && !op.empty()) return false;
  return !key.empty() && key == t.key && value == t.value;
}

std::vector<Taint> parse_taints(const json::value* taints) {
  std::vector<Taint> out;
  const json::array* a = taints ? taints->if_array() : nullptr;
  if (!a) return out;
  out.reserve(a->size());
  for (const auto& t : *a) {
    Taint taint{get_string(t, {"key"}), get_string(t, {"value"}), get_string(t, {"effect"})};
    if (auto ta = get_string(t, {"timeAdded"}); !ta.empty()) taint.time_added = parse_rfc3339(ta);
    out.push_back(std::move(taint));
  }
  return out;
}

std::vector<Toleration> parse_tolerations(const json::value* tolerations) {
  std::vector<Toleration> out;
  const json::array* a = tolerations ? tolerations->if_array() : nullptr;
  if (!a) return out;
  out.reserve(a->size());
  for (const auto& t : *a) {
    Toleration tol{get_string(t, {"key"}), get_string(t, {"operator"}, "Equal"),
                   get_string(t, {"value"}), get_string(t, {"effect"})};
    if (const json::value* s = find_path(t, {"tolerationSeconds"}); s && s->is_number())
      tol.seconds = get_int(t, {"tolerationSeconds"});
    out.push_back(std::move(tol));
  }
  return out;
}

const Taint* find_untolerated(const std::vector<Taint>& taints,
                              const std::vector<Toleration>& tolerations,
                              std::initializer_list<std::string_view> effects) {
  for (const auto& t : taints) {
    if (std::find(effects.begin(), effects.end(), t.effect) == effects.end()) continue;
    bool ok = std::any_of(tolerations.begin(), tolerations.end(),
                          [&](const Toleration& tol) { return tol.tolerates(t); });
    if (!ok) return &t;
  }
  return nullptr;
}

// ---------------- node selector terms ----------------

std::map<std::string, std::string> string_map(const json::value* v) {
  std::map<std::string, std::string> out;
  const json::object* o = v ? v->if_object() : nullptr;
  if (!o) return out;
  for (const auto& [k, val] : *o)
    if (val.is_string()) out[std::string(k)] = std::string(val.get_string());
  return out;
}

namespace {

// Go's strconv.ParseInt(s, 10, 64): optional sign, digits only, no overflow.
std::optional<int64_t> parse_int(std::string_view s) {
  if (!s.empty() && s[0] == '+') {
    s.remove_prefix(1);
    if (!s.empty() && s[0] == '-') return std::nullopt;
  }
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::vector<NodeSelectorRequirement> parse_requirements(const json::value* reqs) {
  std::vector<NodeSelectorRequirement> out;
  const json::array* a = reqs ? reqs->if_array() : nullptr;
  if (!a) return out;
  for (const auto& r : *a) {
    NodeSelectorRequirement req{get_string(r, {"key"}), get_string(r, {"operator"}), {}};
    if (const json::value* vals = find_path(r, {"values"}); vals && vals->is_array())
      for (const auto& v : vals->as_array())
        if (v.is_string()) req.values.emplace_back(v.get_string());
    out.push_back(std::move(req));
  }
  return out;
}

}  // namespace

bool NodeSelectorRequirement::matches(const std::string* value) const {
  if (op == "Exists") return value != nullptr;
  if (op == "DoesNotExist") return value == nullptr;
  if (op == "In") return value && std::find(values.begin(), values.end(), *value) != values.end();
  if (op == "NotIn")
    return !value || std::find(values.begin(), values.end(), *value) == values.end();
  if (op == "Gt" || op == "Lt") {
    if (!value || values.size() != 1) return false;
    auto have = parse_int(*value), bound = parse_int(values[0]);
    if (!have || !bound) return false;
    return op == "Gt" ? *have > *bound : *have < *bound;
  }
  return false;
}

bool NodeSelectorTerm::matches(const std::map<std::string, std::string>& labels,
                               const std::string& name) const {
  if (match_expressions.empty() && match_fields.empty()) return false;
  for (const auto& r : match_expressions) {
    auto it = labels.find(r.key);
    if (!r.matches(it == labels.end() ? nullptr : &it->second)) return false;
  }
  for (const auto& r : match_fields)
    if (r.key != "metadata.name" || !r.matches(&name)) return false;
  return true;
}

NodeSelectorTerm parse_node_selector_term(const json::value& term) {
  NodeSelectorTerm t;
  const json::object* o = term.if_object();
  if (!o) return t;
  t.match_expressions = parse_requirements(o->if_contains("matchExpressions"));
  t.match_fields = parse_requirements(o->if_contains("matchFields"));
  return t;
}

RequiredNodeAffinity RequiredNodeAffinity::from_pod_spec(const json::object& spec) {
  RequiredNodeAffinity r;
  r.node_selector = string_map(spec.if_contains("nodeSelector"));
  const json::value* req = find_path(
      spec, {"affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution"});
  if (req && req->is_object()) {
    r.has_affinity = true;
    if (const json::value* terms = req->as_object().if_contains("nodeSelectorTerms");
        terms && terms->is_array()) {
      r.terms.reserve(terms->as_array().size());
      for (const auto& t : terms->as_array()) r.terms.push_back(parse_node_selector_term(t));
    }
  }
  return r;
}

bool RequiredNodeAffinity::matches(const std::map<std::string, std::string>& labels,
                                   const std::string& name) const {
  for (const auto& [k, v] : node_selector) {
    auto it = labels.find(k);
    if (it == labels.end() || it->second != v) return false;
  }
  if (!has_affinity) return true;
  return std::any_of(terms.begin(), terms.end(),
                     [&](const NodeSelectorTerm& t) { return t.matches(labels, name); });
}

}  // namespace skiff
