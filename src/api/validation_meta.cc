// Second half of the kinds helpers (see validation_util.h): resource quantities, ObjectMeta,
// labels and label selectors, and base64 for Secret data.
#include <cmath>
#include <set>

#include "api/validation_util.h"

namespace skiff::api::detail {
namespace {
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
}  // namespace

std::optional<long double> parse_quantity(std::string_view s, std::string* err) {
  auto fail = [&](const char* m) -> std::optional<long double> {
    if (err) *err = m;
    return std::nullopt;
  };
  if (s.empty()) return fail(kQuantityRegexMsg);
  size_t pos = 0, end = s.size();
  if (s[0] == '+' || s[0] == '-') pos++;
  size_t digits = 0;
  while (pos < end && is_digit(s[pos])) pos++, digits++;
  if (pos < end && s[pos] == '.') {
    pos++;
    while (pos < end && is_digit(s[pos])) pos++, digits++;
  }
  std::string_view number = s.substr(0, pos);
  size_t suffix_start = pos;
  while (pos < end && std::string_view("eEinumkKMGTP").find(s[pos]) != std::string_view::npos)
    pos++;
  if (pos < end && (s[pos] == '-' || s[pos] == '+')) pos++;
  while (pos < end && is_digit(s[pos])) pos++;
  if (pos < end || digits == 0) return fail(kQuantityRegexMsg);
  std::string_view suffix = s.substr(suffix_start);
  long double mult = 1;
  static const std::pair<const char*, int> kDec[] = {{"n", -9}, {"u", -6}, {"m", -3}, {"", 0},
                                                     {"k", 3},  {"M", 6},  {"G", 9},  {"T", 12},
                                                     {"P", 15}, {"E", 18}};
  static const std::pair<const char*, int> kBin[] = {{"Ki", 10}, {"Mi", 20}, {"Gi", 30},
                                                     {"Ti", 40}, {"Pi", 50}, {"Ei", 60}};
  bool found = false;
  for (auto [sx, e] : kDec)
    if (suffix == sx) mult = std::pow(10.0L, e), found = true;
  for (auto [sx, e] : kBin)
    if (suffix == sx) mult = std::pow(2.0L, e), found = true;
  if (!found && suffix.size() > 1 && (suffix[0] == 'e' || suffix[0] == 'E')) {
    std::string_view ex = suffix.substr(1);
    size_t i = (ex[0] == '-' || ex[0] == '+') ? 1 : 0;
    bool ok = i < ex.size();
    for (size_t j = i; j < ex.size(); ++j) ok = ok && is_digit(ex[j]);
    if (ok && ex.size() < 6) {
      mult = std::pow(10.0L, std::stoi(std::string(ex)));
      found = true;
    }
  }
  if (!found) return fail("unable to parse quantity's suffix");
  long double num = std::strtold(std::string(number).c_str(), nullptr);
  return num * mult;
}
std::optional<long double> quantity_of(const json::value& v, std::string* err) {
  if (v.is_string()) return parse_quantity(v.get_string(), err);
  int64_t n;
  if (as_int(v, n)) return static_cast<long double>(n);
  if (v.is_double()) return static_cast<long double>(v.get_double());
  if (err) *err = kQuantityRegexMsg;
  return std::nullopt;
}
std::string quantity_text(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  return json::serialize(v);
}

void validate_labels(Causes& out, const json::value& labels, const std::string& path) {
  const auto* m = labels.if_object();
  if (!m) return;
  for (const auto& kv : *m) {
    std::string k(kv.key());
    add_msgs(out, path, json::value(k), qualified_name(k));
    if (kv.value().is_string())
      add_msgs(out, path, kv.value(), label_value(kv.value().get_string()));
    else if (!kv.value().is_null())
      out.push_back(invalid(path, kv.value(), "must be a string"));
  }
}
void validate_annotations(Causes& out, const json::value& annotations, const std::string& path) {
  const auto* m = annotations.if_object();
  if (!m) return;
  size_t total = 0;
  for (const auto& kv : *m) {
    std::string k(kv.key());
    std::string lower = k;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    add_msgs(out, path, json::value(k), qualified_name(lower));
    total += k.size() + (kv.value().is_string() ? kv.value().get_string().size() : 0);
  }
  if (total > 256 * 1024) out.push_back(too_long(path, 256 * 1024));
}
void validate_object_meta(Causes& out, const json::object& obj, bool namespaced, NameRule rule) {
  static const json::object kEmpty;
  const json::object* meta = obj_at(obj, "metadata");
  if (!meta) meta = &kEmpty;
  std::string name = str_or(*meta, "name"), gen = str_or(*meta, "generateName");
  if (!gen.empty())
    add_msgs(out, "metadata.generateName", json::value(gen), check_name(rule, gen, true));
  if (name.empty()) {
    if (gen.empty()) out.push_back(required("metadata.name", "name or generateName is required"));
  } else {
    add_msgs(out, "metadata.name", json::value(name), check_name(rule, name, false));
  }
  std::string ns = str_or(*meta, "namespace");
  if (namespaced) {
    if (ns.empty())
      out.push_back(required("metadata.namespace"));
    else
      add_msgs(out, "metadata.namespace", json::value(ns), dns1123_label(ns));
  } else if (!ns.empty()) {
    out.push_back(forbidden("metadata.namespace", "not allowed on this type"));
  }
  validate_labels(out, value_at(*meta, "labels"), "metadata.labels");
  validate_annotations(out, value_at(*meta, "annotations"), "metadata.annotations");
  if (auto* fins = arr_at(*meta, "finalizers")) {
    for (size_t i = 0; i < fins->size(); ++i) {
      const auto& f = (*fins)[i];
      if (!f.is_string()) continue;
      std::string fs(f.get_string());
      // Upstream accepts the standard unqualified finalizers and otherwise wants a qualified name.
      if (fs == "kubernetes" || fs == "orphan" || fs == "foregroundDeletion") continue;
      add_msgs(out, idx("metadata.finalizers", i), f, qualified_name(fs));
    }
  }
}

void validate_label_selector(Causes& out, const json::value& sel, const std::string& path) {
  const auto* s = sel.if_object();
  if (!s) return;
  validate_labels(out, value_at(*s, "matchLabels"), child(path, "matchLabels"));
  const auto* exprs = arr_at(*s, "matchExpressions");
  if (!exprs) return;
  for (size_t i = 0; i < exprs->size(); ++i) {
    std::string p = idx(child(path, "matchExpressions"), i);
    const auto* e = (*exprs)[i].if_object();
    if (!e) continue;
    std::string op = str_or(*e, "operator");
    const auto* vals = arr_at(*e, "values");
    size_t nvals = vals ? vals->size() : 0;
    if (op == "In" || op == "NotIn") {
      if (nvals == 0)
        out.push_back(
            required(child(p, "values"), "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (op == "Exists" || op == "DoesNotExist") {
      if (nvals > 0)
        out.push_back(
            forbidden(child(p, "values"),
                      "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else {
      out.push_back(
          invalid(child(p, "operator"), json::value(op), "not a valid selector operator"));
    }
    std::string k = str_or(*e, "key");
    add_msgs(out, child(p, "key"), json::value(k), qualified_name(k));
    for (size_t j = 0; j < nvals; ++j)
      if ((*vals)[j].is_string())
        add_msgs(out, idx(child(p, "values"), j), (*vals)[j], label_value((*vals)[j].get_string()));
  }
}
bool selector_empty(const json::object& sel) {
  const auto* ml = obj_at(sel, "matchLabels");
  const auto* me = arr_at(sel, "matchExpressions");
  return (!ml || ml->empty()) && (!me || me->empty());
}
bool selector_matches(const json::object& sel, const json::object* labels) {
  static const json::object kEmpty;
  if (!labels) labels = &kEmpty;
  if (const auto* ml = obj_at(sel, "matchLabels")) {
    for (const auto& kv : *ml) {
      auto it = labels->find(kv.key());
      if (it == labels->end() || it->value() != kv.value()) return false;
    }
  }
  if (const auto* me = arr_at(sel, "matchExpressions")) {
    for (const auto& ev : *me) {
      const auto* e = ev.if_object();
      if (!e) return false;
      std::string k = str_or(*e, "key"), op = str_or(*e, "operator");
      auto it = labels->find(k);
      bool present = it != labels->end();
      bool in = false;
      if (const auto* vals = arr_at(*e, "values"); vals && present)
        for (const auto& v : *vals) in = in || v == it->value();
      if (op == "In" && !in) return false;
      if (op == "NotIn" && in) return false;
      if (op == "Exists" && !present) return false;
      if (op == "DoesNotExist" && present) return false;
      if (op != "In" && op != "NotIn" && op != "Exists" && op != "DoesNotExist") return false;
    }
  }
  return true;
}
std::string go_string_map(const json::object* m) {
  if (!m) return "map[string]string(nil)";
  std::set<std::string> keys;
  for (const auto& kv : *m) keys.insert(std::string(kv.key()));
  std::string out = "map[string]string{";
  bool first = true;
  for (const auto& k : keys) {
    const auto& v = m->at(k);
    out += (first ? "" : ", ") + json::serialize(json::value(k)) + ":" +
           (v.is_string() ? json::serialize(v) : json::serialize(json::value(json::serialize(v))));
    first = false;
  }
  return out + "}";
}

std::string base64_encode(std::string_view in) {
  static const char* kAlpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlpha[(n >> s) & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t n = uint8_t(in[i]) << 16;
    out += kAlpha[(n >> 18) & 63];
    out += kAlpha[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += kAlpha[(n >> 18) & 63];
    out += kAlpha[(n >> 12) & 63];
    out += kAlpha[(n >> 6) & 63];
    out += '=';
  }
  return out;
}
// Mirrors Go's encoding/base64 StdEncoding error positions closely enough for messages.
std::string base64_error(std::string_view in) {
  auto b64 = [](char c) { return is_alnum(c) || c == '+' || c == '/'; };
  size_t n = in.size();
  size_t data = 0;
  while (data < n && b64(in[data])) data++;
  if (data == n) {
    if (n % 4 == 1) return "illegal base64 data at input byte " + std::to_string(n - 1);
    if (n % 4 != 0) return "illegal base64 data at input byte " + std::to_string(n);
    return {};
  }
  if (in[data] != '=') return "illegal base64 data at input byte " + std::to_string(data);
  size_t pad = 0;
  while (data + pad < n && in[data + pad] == '=') pad++;
  if (data + pad != n || pad > 2 || (data + pad) % 4 != 0 || data % 4 < 2)
    return "illegal base64 data at input byte " + std::to_string(data);
  return {};
}
size_t base64_decoded_size(std::string_view in) {
  size_t pad = 0;
  while (pad < in.size() && in[in.size() - 1 - pad] == '=') pad++;
  return (in.size() / 4) * 3 - std::min<size_t>(pad, 2);
}

}  // namespace skiff::api::detail
