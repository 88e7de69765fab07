// Container environments (see env.h). Mirrors upstream's makeEnvironmentVariables with one
// deliberate difference: the result keeps a stable order (base, envFrom, env; a redefined name
// keeps the position of its first definition) where upstream iterates a Go map.
#include "agent/env.h"

#include <map>
#include <string_view>
#include <utility>

#include "agent/json_fields.h"
#include "common/base64.h"
#include "common/quantity.h"

namespace skiff::agent {
namespace {

bool is_optional(const json::object& ref) {
  auto* v = ref.if_contains("optional");
  return v && v->is_bool() && v->get_bool();
}

// An environment that remembers definition order; set() replaces a value in place.
class EnvList {
 public:
  void set(const std::string& name, std::string value) {
    auto [it, fresh] = index_.try_emplace(name, items_.size());
    if (fresh) items_.emplace_back(name, std::move(value));
    else items_[it->second].second = std::move(value);
  }
  const std::string* find(const std::string& name) const {
    auto it = index_.find(name);
    return it == index_.end() ? nullptr : &items_[it->second].second;
  }
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    out.reserve(items_.size());
    for (auto& [k, v] : items_) out.push_back(k + "=" + v);
    return out;
  }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
  std::map<std::string, size_t> index_;
};

void add_lines(EnvList& env, const std::vector<std::string>& lines) {
  for (auto& l : lines) {
    auto eq = l.find('=');
    if (eq == std::string::npos) env.set(l, "");
    else env.set(l.substr(0, eq), l.substr(eq + 1));
  }
}

// upstream third_party/forked/golang/expansion: "$$" -> "$", "$(NAME)" -> value, an unknown or
// unterminated reference and a "$" before anything else stay literal.
std::string expand(const std::string& s, const EnvList& vars) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '$' || i + 1 == s.size()) {
      out += s[i];
    } else if (s[i + 1] == '$') {
      out += '$';
      ++i;
    } else if (s[i + 1] == '(' && s.find(')', i + 2) != std::string::npos) {
      size_t close = s.find(')', i + 2);
      std::string name = s.substr(i + 2, close - i - 2);
      const std::string* v = vars.find(name);
      out += v ? *v : "$(" + name + ")";
      i = close;
    } else {
      out += s[i];  // "$(" without a closer, or "$x": copied as is
    }
  }
  return out;
}

// utilvalidation.IsEnvVarName: [-._a-zA-Z][-._a-zA-Z0-9]*
bool is_env_var_name(const std::string& k) {
  if (k.empty() || (k[0] >= '0' && k[0] <= '9')) return false;
  for (char c : k) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_';
    if (!ok) return false;
  }
  return true;
}

// Go's %q for the downward-API map format (bytes >= 0x80 are assumed to be valid UTF-8).
std::string go_quote(std::string_view s) {
  static const char* hex = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\v': out += "\\v"; break;
      default:
        if (c < 0x20 || c == 0x7f) out += std::string("\\x") + hex[c >> 4] + hex[c & 15];
        else out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// fieldpath.FormatMap: k="v" lines sorted by key, no trailing newline.
std::string format_map(const json::object* m) {
  std::map<std::string, std::string> sorted;
  if (m)
    for (auto& [k, v] : *m)
      if (v.is_string()) sorted[std::string(k)] = std::string(v.get_string());
  std::string out;
  for (auto& [k, v] : sorted) {
    if (!out.empty()) out += '\n';
    out += k + "=" + go_quote(v);
  }
  return out;
}

// The kubelet's own view (facts) wins over the pod's status, which may lag behind it.
std::string first_ip(const json::object& pod, const std::string& path, const std::string& known) {
  return known.empty() ? get_string(pod, {"status", path.substr(7)}) : known;
}

// `first` followed by the `ip` fields of `list` that differ from it, comma-joined.
std::string ip_list(const std::string& first, const json::value* list) {
  std::string out = first;
  if (list && list->is_array())
    for (auto& e : list->get_array()) {
      std::string ip = e.is_object() ? str_at(e.get_object(), "ip") : "";
      if (ip.empty() || ip == first) continue;
      out += (out.empty() ? "" : ",") + ip;
    }
  return out;
}

// A quantity in `scale`ths of a unit (1 or 1000), rounded up as Quantity.Value() and
// MilliValue() do. JSON numbers are accepted as the API does.
std::optional<int64_t> quantity_units(const json::value& q, int scale) {
  std::string text = q.is_string() ? std::string(q.get_string()) : json::serialize(q);
  return scale == 1000 ? parse_quantity_milli(text) : parse_quantity(text);
}

// The pod's container (or init container) called `name`.
const json::object* find_container(const json::object& pod, const std::string& name) {
  for (const char* list : {"containers", "initContainers", "ephemeralContainers"}) {
    const json::value* a = find_path(pod, {"spec", list});
    if (!a || !a->is_array()) continue;
    for (auto& c : a->get_array())
      if (c.is_object() && str_at(c.get_object(), "name") == name) return &c.get_object();
  }
  return nullptr;
}

// The objects a container's env refers to, fetched once per call (as upstream's local maps).
class Sources {
 public:
  Sources(const json::object& pod, const ObjectGetter& get) : get_(get) {
    ns_ = get_string(pod, {"metadata", "namespace"}, "default");
  }
  // The object, or nullptr: then *err is set unless it is missing and `optional`.
  const json::object* fetch(const std::string& resource, const std::string& name, bool optional,
                            EnvError* err) {
    auto key = resource + "/" + name;
    if (auto it = cache_.find(key); it != cache_.end()) return &it->second;
    auto r = get_(resource, ns_, name);
    if (r.ok()) return &cache_.emplace(key, std::move(*r)).first->second;
    if (r.error().code == 404) {
      if (!optional) err->message = singular(resource) + " \"" + name + "\" not found";
    } else {
      err->message = r.error().message;
    }
    return nullptr;
  }
  std::string missing_key(const std::string& kind, const std::string& key,
                          const std::string& name) const {
    return "couldn't find key " + key + " in " + kind + " " + ns_ + "/" + name;
  }

 private:
  static std::string singular(const std::string& resource) {
    return resource == "secrets" ? "secret" : resource == "configmaps" ? "configmap" : resource;
  }
  const ObjectGetter& get_;
  std::string ns_;
  std::map<std::string, json::object> cache_;
};

// A Secret's data value decoded. Invalid base64 counts as missing: the API server rejects it
// on write, so this only guards against a corrupt store.
std::optional<std::string> secret_value(const json::object& secret, const std::string& key) {
  const json::value* v = find_path(secret, {"data", key});
  if (!v || !v->is_string()) return std::nullopt;
  return base64_decode(v->get_string());
}
std::optional<std::string> configmap_value(const json::object& cm, const std::string& key) {
  const json::value* v = find_path(cm, {"data", key});
  if (!v || !v->is_string()) return std::nullopt;
  return std::string(v->get_string());
}

// One envFrom entry: every valid key (with the prefix) of the ConfigMap's data or Secret's data.
bool apply_env_from(const json::object& from, Sources& src, EnvList& env, EnvError* err) {
  std::string prefix = str_at(from, "prefix");
  bool secret = obj_at(from, "secretRef") != nullptr;
  const json::object* ref = secret ? obj_at(from, "secretRef") : obj_at(from, "configMapRef");
  if (!ref) return true;
  const json::object* obj =
      src.fetch(secret ? "secrets" : "configmaps", str_at(*ref, "name"), is_optional(*ref), err);
  if (!obj) return err->message.empty();
  const json::object* data = obj_at(*obj, "data");
  if (!data) return true;
  // Sorted by key, the order in which the API serializes a map.
  std::map<std::string, const json::value*> sorted;
  for (auto& [k, v] : *data) sorted.emplace(std::string(k), &v);
  for (auto& [k, v] : sorted) {
    std::string name = prefix + k;
    if (!is_env_var_name(name) || !v->is_string()) continue;
    auto value = secret ? secret_value(*obj, k) : std::string(v->get_string());
    if (value) env.set(name, *value);
  }
  return true;
}

// A configMapKeyRef or secretKeyRef. Returns false with *err empty when an optional reference
// is missing (the variable is skipped), with *err set on failure.
bool key_ref_value(const json::object& ref, bool secret, Sources& src, std::string* out,
                   EnvError* err) {
  std::string name = str_at(ref, "name"), key = str_at(ref, "key");
  bool optional = is_optional(ref);
  const json::object* obj = src.fetch(secret ? "secrets" : "configmaps", name, optional, err);
  if (!obj) return false;
  auto v = secret ? secret_value(*obj, key) : configmap_value(*obj, key);
  if (!v) {
    if (!optional) err->message = src.missing_key(secret ? "Secret" : "ConfigMap", key, name);
    return false;
  }
  *out = std::move(*v);
  return true;
}

// valueFrom of one env entry; same return convention as key_ref_value.
bool value_from(const json::object& pod, const json::object& container, const json::object& from,
                const PodFacts& facts, Sources& src, std::string* out, EnvError* err) {
  if (auto* f = obj_at(from, "fieldRef")) {
    std::string path = str_at(*f, "fieldPath");
    if (field_ref_value(pod, path, facts, out)) return true;
    err->message = "field label not supported: " + path;
    return false;
  }
  if (auto* r = obj_at(from, "resourceFieldRef")) {
    std::string cname = str_at(*r, "containerName");
    const json::object* c = cname.empty() ? &container : find_container(pod, cname);
    if (!c) {
      err->message = "container " + cname + " not found";
      return false;
    }
    return resource_field_value(*c, *r, facts, out, &err->message);
  }
  if (auto* r = obj_at(from, "configMapKeyRef")) return key_ref_value(*r, false, src, out, err);
  if (auto* r = obj_at(from, "secretKeyRef")) return key_ref_value(*r, true, src, out, err);
  *out = "";
  return true;
}

}  // namespace

bool container_env(const json::object& pod, const json::object& container, const PodFacts& facts,
                   const std::vector<std::string>& base, const ObjectGetter& get,
                   std::vector<std::string>* out, EnvError* err) {
  EnvList env;
  add_lines(env, base);
  Sources src(pod, get);
  EnvError e;
  if (auto* from = arr_at(container, "envFrom"))
    for (auto& f : *from) {
      if (f.is_object() && !apply_env_from(f.get_object(), src, env, &e)) {
        *err = e;
        return false;
      }
    }
  if (auto* list = arr_at(container, "env"))
    for (auto& item : *list) {
      if (!item.is_object()) continue;
      const json::object& ev = item.get_object();
      std::string name = str_at(ev, "name"), value = str_at(ev, "value");
      const json::object* from = obj_at(ev, "valueFrom");
      // As upstream: a non-empty value wins over valueFrom and is the only thing expanded.
      if (!value.empty() || !from) {
        env.set(name, expand(value, env));
        continue;
      }
      std::string resolved;
      if (value_from(pod, container, *from, facts, src, &resolved, &e)) {
        env.set(name, std::move(resolved));
      } else if (!e.message.empty()) {
        *err = e;
        return false;
      }
    }
  *out = env.lines();
  return true;
}

bool field_ref_value(const json::object& pod, const std::string& path, const PodFacts& facts,
                     std::string* out) {
  // metadata.labels['k'] / metadata.annotations['k'] (fieldpath.SplitMaybeSubscriptedPath)
  auto open = path.find("['");
  if (open != std::string::npos && path.size() >= open + 4 && path.ends_with("']")) {
    std::string base = path.substr(0, open);
    std::string key = path.substr(open + 2, path.size() - open - 4);
    if (base != "metadata.labels" && base != "metadata.annotations") return false;
    *out = get_string(pod, {"metadata", base.substr(9), key});
    return true;
  }
  if (path == "metadata.labels" || path == "metadata.annotations") {
    const json::value* m = find_path(pod, {"metadata", path.substr(9)});
    *out = format_map(m && m->is_object() ? &m->get_object() : nullptr);
  } else if (path == "metadata.name" || path == "metadata.namespace" || path == "metadata.uid") {
    *out = get_string(pod, {"metadata", path.substr(9)});
  } else if (path == "spec.nodeName") {
    *out = get_string(pod, {"spec", "nodeName"}, facts.node_name);
  } else if (path == "spec.serviceAccountName") {
    *out = get_string(pod, {"spec", "serviceAccountName"});
  } else if (path == "status.hostIP" || path == "status.podIP") {
    *out = first_ip(pod, path, path == "status.hostIP" ? facts.host_ip : facts.pod_ip);
  } else if (path == "status.hostIPs" || path == "status.podIPs") {
    std::string single = path.substr(0, path.size() - 1);  // status.hostIP / status.podIP
    std::string first = first_ip(pod, single, path == "status.hostIPs" ? facts.host_ip : facts.pod_ip);
    *out = ip_list(first, find_path(pod, {"status", path.substr(7)}));
  } else {
    return false;
  }
  return true;
}

bool resource_field_value(const json::object& container, const json::object& ref,
                          const PodFacts& facts, std::string* out, std::string* err) {
  std::string resource = str_at(ref, "resource");
  auto dot = resource.find('.');
  std::string kind = resource.substr(0, dot == std::string::npos ? 0 : dot);
  std::string name = dot == std::string::npos ? "" : resource.substr(dot + 1);
  bool cpu = name == "cpu";
  bool sized = name == "memory" || name == "ephemeral-storage" || name.starts_with("hugepages-");
  if ((kind != "limits" && kind != "requests") || (!cpu && !sized)) {
    *err = "unsupported container resource : " + resource;
    return false;
  }
  int scale = cpu ? 1000 : 1;  // cpu compares MilliValue()s, the rest Value()s
  const json::value* q = find_path(container, {"resources", kind, name});
  int64_t value = q ? quantity_units(*q, scale).value_or(0) : 0;
  // defaultPodLimitsForDownwardAPI: an unset or zero limit is the node's allocatable (hugepages
  // are never overcommitted, so they have no such default).
  if (kind == "limits" && value == 0 && !name.starts_with("hugepages-"))
    if (auto* a = facts.node_allocatable.if_contains(name))
      value = quantity_units(*a, scale).value_or(0);
  int64_t divisor = 1 * scale;
  if (auto* d = ref.if_contains("divisor"); d && !d->is_null()) {
    auto dv = quantity_units(*d, scale);
    if (!dv || *dv < 0) {
      *err = "invalid divisor for " + resource;
      return false;
    }
    if (*dv != 0) divisor = *dv;  // a zero divisor means "unset": 1
  }
  // math.Ceil(value / divisor) as upstream, in integers
  int64_t n = value >= 0 ? (value + divisor - 1) / divisor : -((-value) / divisor);
  *out = std::to_string(n);
  return true;
}

std::string expand_vars(const std::string& s, const std::vector<std::string>& vars) {
  EnvList env;
  add_lines(env, vars);
  return expand(s, env);
}

}  // namespace skiff::agent
