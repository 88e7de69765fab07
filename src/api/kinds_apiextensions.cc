// CustomResourceDefinition defaulting, validation and served resources (see kinds_apiextensions.h).
#include "api/kinds_apiextensions.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "api/kinds.h"
#include "api/validation_util.h"
#include "apiextensions/schema.h"

namespace skiff::api {
using detail::obj_at;
using detail::str_or;
namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
std::vector<std::string> strings(const json::object& o, std::string_view k) {
  std::vector<std::string> out;
  if (const auto* v = o.if_contains(k); v && v->is_array())
    for (const auto& e : v->get_array())
      if (e.is_string()) out.emplace_back(e.get_string());
  return out;
}

class CrdKind : public RuntimeKind {
 public:
  CrdKind(json::object schema, std::vector<PrinterColumn> cols, std::optional<ScalePaths> scale,
          bool status)
      : schema_(std::move(schema)), cols_(std::move(cols)), scale_(std::move(scale)), status_(status) {}
  void prune_and_default(json::object& o, std::vector<std::string>* unknown) const override {
    schema_.prune(o, unknown);
    schema_.apply_defaults(o);
  }
  std::vector<FieldCause> validate(const json::object& o) const override { return schema_.validate(o); }
  const std::vector<PrinterColumn>& columns() const override { return cols_; }
  const std::optional<ScalePaths>& scale() const override { return scale_; }
  bool has_status() const override { return status_; }

 private:
  apiextensions::StructuralSchema schema_;
  std::vector<PrinterColumn> cols_;
  std::optional<ScalePaths> scale_;
  bool status_;
};

int version_rank(const std::string& v, int* major, int* minor) {
  // v<major>, v<major>beta<minor>, v<major>alpha<minor>; anything else sorts last by name.
  if (v.size() < 2 || v[0] != 'v' || !std::isdigit(static_cast<unsigned char>(v[1]))) return 0;
  size_t i = 1;
  while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) ++i;
  *major = std::stoi(v.substr(1, i - 1));
  if (i == v.size()) return 3;
  std::string rest = v.substr(i);
  for (auto [word, rank] : {std::pair{"beta", 2}, std::pair{"alpha", 1}})
    if (rest.rfind(word, 0) == 0 && rest.size() > std::string(word).size() &&
        std::all_of(rest.begin() + std::string(word).size(), rest.end(),
                    [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
      *minor = std::stoi(rest.substr(std::string(word).size()));
      return rank;
    }
  return 0;
}

}  // namespace

bool version_less(const std::string& a, const std::string& b) {
  int ma = 0, na = 0, mb = 0, nb = 0;
  int ra = version_rank(a, &ma, &na), rb = version_rank(b, &mb, &nb);
  if (ra != rb) return ra < rb;
  if (ra == 0) return a > b;  // non-kube versions: alphabetical, first is highest
  if (ma != mb) return ma < mb;
  return na < nb;
}

void default_crd(json::object& crd) {
  auto& spec = ensure_object(crd, "spec");
  auto& names = ensure_object(spec, "names");
  std::string kind = str_or(names, "kind");
  if (str_or(names, "singular").empty() && !kind.empty()) names["singular"] = lower(kind);
  if (str_or(names, "listKind").empty() && !kind.empty()) names["listKind"] = kind + "List";
  auto& conv = ensure_object(spec, "conversion");
  if (str_or(conv, "strategy").empty()) conv["strategy"] = "None";
  if (const auto* vs = spec.if_contains("versions"); vs && vs->is_array())
    for (auto& v : spec["versions"].get_array())
      if (v.is_object()) {
        auto& vo = v.get_object();
        if (!vo.contains("served")) vo["served"] = false;
        if (!vo.contains("storage")) vo["storage"] = false;
      }
}

void validate_crd(const json::object& crd, const json::object* old, std::vector<FieldCause>& out) {
  const auto* spec = obj_at(crd, "spec");
  if (!spec) {
    out.push_back(required("spec"));
    return;
  }
  std::string group = str_or(*spec, "group");
  const auto* names = obj_at(*spec, "names");
  std::string plural = names ? str_or(*names, "plural") : "";
  std::string kind = names ? str_or(*names, "kind") : "";
  std::string name = get_string(crd, {"metadata", "name"});
  if (group.empty()) out.push_back(required("spec.group"));
  else if (group.find('.') == std::string::npos)
    out.push_back(invalid("spec.group", json::value(group), "should be a domain with at least one dot"));
  else if (auto e = check_dns1123_subdomain(group); !e.empty())
    out.push_back(invalid("spec.group", json::value(group), e));
  if (plural.empty()) out.push_back(required("spec.names.plural"));
  else if (auto e = check_dns1123_label(plural); !e.empty())
    out.push_back(invalid("spec.names.plural", json::value(plural), e));
  if (kind.empty()) out.push_back(required("spec.names.kind"));
  if (names)
    if (auto s = str_or(*names, "singular"); !s.empty())
      if (auto e = check_dns1123_label(s); !e.empty())
        out.push_back(invalid("spec.names.singular", json::value(s), e));
  if (!plural.empty() && !group.empty() && name != plural + "." + group)
    out.push_back(invalid("metadata.name", json::value(name), "must be spec.names.plural+\".\"+spec.group"));
  std::string scope = str_or(*spec, "scope");
  if (scope.empty()) out.push_back(required("spec.scope"));
  else if (scope != "Namespaced" && scope != "Cluster")
    out.push_back(not_supported("spec.scope", json::value(scope), {"Cluster", "Namespaced"}));
  if (const auto* conv = obj_at(*spec, "conversion"); conv && str_or(*conv, "strategy") != "None")
    out.push_back(not_supported("spec.conversion.strategy", json::value(str_or(*conv, "strategy")), {"None"}));
  const auto* vs = spec->if_contains("versions");
  if (!vs || !vs->is_array() || vs->get_array().empty()) {
    out.push_back(invalid("spec.versions", json::array{}, "must have exactly one version marked as storage version"));
    return;
  }
  int storage = 0;
  std::set<std::string> seen;
  const auto& arr = vs->get_array();
  for (size_t i = 0; i < arr.size(); ++i) {
    std::string p = "spec.versions[" + std::to_string(i) + "]";
    if (!arr[i].is_object()) {
      out.push_back(invalid(p, arr[i], "must be an object"));
      continue;
    }
    const auto& v = arr[i].get_object();
    std::string vn = str_or(v, "name");
    if (vn.empty()) out.push_back(required(p + ".name"));
    else if (auto e = check_dns1123_label(vn); !e.empty()) out.push_back(invalid(p + ".name", json::value(vn), e));
    else if (!seen.insert(vn).second) out.push_back(duplicate(p + ".name", json::value(vn)));
    if (const auto* st = v.if_contains("storage"); st && st->is_bool() && st->get_bool()) ++storage;
    const auto* schema = obj_at(v, "schema");
    const auto* oas = schema ? obj_at(*schema, "openAPIV3Schema") : nullptr;
    if (!oas) out.push_back(required(p + ".schema.openAPIV3Schema", "schemas are required"));
    else
      for (auto& c : apiextensions::StructuralSchema::check(*oas, p + ".schema.openAPIV3Schema"))
        out.push_back(std::move(c));
    if (const auto* cols = v.if_contains("additionalPrinterColumns"); cols && cols->is_array())
      for (size_t j = 0; j < cols->get_array().size(); ++j) {
        const auto* c = cols->get_array()[j].if_object();
        std::string cp = p + ".additionalPrinterColumns[" + std::to_string(j) + "]";
        if (!c) continue;
        if (str_or(*c, "name").empty()) out.push_back(required(cp + ".name"));
        if (str_or(*c, "jsonPath").empty()) out.push_back(required(cp + ".jsonPath"));
        static const std::vector<std::string> kTypes = {"boolean", "date", "integer", "number", "string"};
        if (std::find(kTypes.begin(), kTypes.end(), str_or(*c, "type")) == kTypes.end())
          out.push_back(not_supported(cp + ".type", json::value(str_or(*c, "type")), kTypes));
      }
    if (const auto* sub = obj_at(v, "subresources"))
      if (const auto* sc = obj_at(*sub, "scale")) {
        if (str_or(*sc, "specReplicasPath").empty())
          out.push_back(required(p + ".subresources.scale.specReplicasPath"));
        if (str_or(*sc, "statusReplicasPath").empty())
          out.push_back(required(p + ".subresources.scale.statusReplicasPath"));
      }
  }
  if (storage != 1)
    out.push_back(invalid("spec.versions", *vs, "must have exactly one version marked as storage version"));
  if (old)
    if (const auto* os = obj_at(*old, "spec")) {
      if (str_or(*os, "scope") != scope)
        out.push_back(invalid("spec.scope", json::value(scope), "field is immutable"));
      if (str_or(*os, "group") != group)
        out.push_back(invalid("spec.group", json::value(group), "field is immutable"));
    }
}

CrdResources crd_resources(const json::object& crd) {
  CrdResources out;
  const auto& spec = *obj_at(crd, "spec");
  const auto& names = *obj_at(spec, "names");
  const std::string group = str_or(spec, "group");
  const bool namespaced = str_or(spec, "scope") != "Cluster";
  static const std::vector<std::string> kVerbs = {"delete", "deletecollection", "get", "list",
                                                  "patch",  "create",           "update", "watch"};
  for (const auto& vv : spec.at("versions").get_array()) {
    const auto& v = vv.get_object();
    std::string version = str_or(v, "name");
    if (const auto* st = v.if_contains("storage"); st && st->is_bool() && st->get_bool())
      out.storage_version = version;
    const auto* sv = v.if_contains("served");
    if (!sv || !sv->is_bool() || !sv->get_bool()) continue;
    ResourceInfo r;
    r.group = group;
    r.version = version;
    r.resource = str_or(names, "plural");
    r.singular = str_or(names, "singular");
    r.kind = str_or(names, "kind");
    r.namespaced = namespaced;
    r.verbs = kVerbs;
    r.short_names = strings(names, "shortNames");
    r.categories = strings(names, "categories");
    json::object schema;
    if (const auto* s = obj_at(v, "schema"))
      if (const auto* oas = obj_at(*s, "openAPIV3Schema")) schema = *oas;
    r.schema = std::make_shared<const json::object>(schema);
    std::vector<PrinterColumn> cols;
    if (const auto* cs = v.if_contains("additionalPrinterColumns"); cs && cs->is_array())
      for (const auto& c : cs->get_array())
        if (const auto* co = c.if_object()) {
          const auto* pr = co->if_contains("priority");
          cols.push_back({str_or(*co, "name"), str_or(*co, "type"), str_or(*co, "format"), str_or(*co, "description"),
                          str_or(*co, "jsonPath"), pr && pr->is_int64() ? pr->get_int64() : 0});
        }
    if (cols.empty())
      cols.push_back({"Age", "date", "", "", ".metadata.creationTimestamp", 0});
    std::optional<ScalePaths> scale;
    bool status = false;
    if (const auto* sub = obj_at(v, "subresources")) {
      if (obj_at(*sub, "status")) {
        status = true;
        r.subresources.push_back({"status", group, version, r.kind, {"get", "patch", "update"}});
      }
      if (const auto* sc = obj_at(*sub, "scale")) {
        scale = ScalePaths{str_or(*sc, "specReplicasPath"), str_or(*sc, "statusReplicasPath"),
                           str_or(*sc, "labelSelectorPath")};
        r.subresources.push_back({"scale", "autoscaling", "v1", "Scale", {"get", "patch", "update"}});
      }
    }
    r.runtime = std::make_shared<CrdKind>(std::move(schema), std::move(cols), std::move(scale), status);
    out.resources.push_back(std::move(r));
  }
  std::stable_sort(out.resources.begin(), out.resources.end(),
                   [](const ResourceInfo& a, const ResourceInfo& b) { return version_less(b.version, a.version); });
  return out;
}

}  // namespace skiff::api
