// Conversion of the legacy apps versions to apps/v1 (see conversion.h). The defaults below are
// the old versions' values (facts from upstream's defaults.go files).
#include "api/conversion.h"

#include <climits>

namespace skiff::api {
namespace {

const json::object* template_labels(const json::object& obj) {
  const auto* spec = obj.if_contains("spec");
  if (!spec || !spec->is_object()) return nullptr;
  const auto* t = spec->get_object().if_contains("template");
  if (!t || !t->is_object()) return nullptr;
  const auto* m = t->get_object().if_contains("metadata");
  if (!m || !m->is_object()) return nullptr;
  const auto* l = m->get_object().if_contains("labels");
  return l && l->is_object() ? &l->get_object() : nullptr;
}

// extensions/v1beta1 and apps/v1beta1: a missing selector selects the template's labels, and
// missing object labels are the template's.
void default_selector_and_labels(json::object& obj) {
  const auto* labels = template_labels(obj);
  if (!labels || labels->empty()) return;
  json::object copy = *labels;
  auto& spec = ensure_object(obj, "spec");
  const auto* sel = spec.if_contains("selector");
  if (!sel || !sel->is_object() ||
      (!sel->get_object().contains("matchLabels") && !sel->get_object().contains("matchExpressions")))
    spec["selector"] = json::object{{"matchLabels", copy}};
  auto& meta = ensure_object(obj, "metadata");
  const auto* ml = meta.if_contains("labels");
  if (!ml || !ml->is_object() || ml->get_object().empty()) meta["labels"] = std::move(copy);
}

void set_if_missing(json::object& o, const char* key, json::value v) {
  if (!o.contains(key) || o[key].is_null()) o[key] = std::move(v);
}

void deployment_defaults(json::object& obj, const std::string& gv) {
  auto& spec = ensure_object(obj, "spec");
  auto& strategy = ensure_object(spec, "strategy");
  set_if_missing(strategy, "type", "RollingUpdate");
  if (strategy["type"] == "RollingUpdate") {
    auto& ru = ensure_object(strategy, "rollingUpdate");
    bool ext = gv == "extensions/v1beta1";
    set_if_missing(ru, "maxUnavailable", ext ? json::value(1) : json::value("25%"));
    set_if_missing(ru, "maxSurge", ext ? json::value(1) : json::value("25%"));
  }
  if (gv == "extensions/v1beta1") {
    set_if_missing(spec, "revisionHistoryLimit", INT_MAX);
    set_if_missing(spec, "progressDeadlineSeconds", INT_MAX);
  } else if (gv == "apps/v1beta1") {
    set_if_missing(spec, "revisionHistoryLimit", 2);
  }
  spec.erase("rollbackTo");  // extensions/v1beta1 and apps/v1beta1 only; apps/v1 has `kubectl rollout undo`
}

void daemonset_defaults(json::object& obj, const std::string& gv) {
  auto& spec = ensure_object(obj, "spec");
  if (gv == "extensions/v1beta1") set_if_missing(ensure_object(spec, "updateStrategy"), "type", "OnDelete");
  spec.erase("templateGeneration");  // extensions/v1beta1 only
}

void statefulset_defaults(json::object& obj, const std::string& gv) {
  if (gv == "apps/v1beta1") set_if_missing(ensure_object(ensure_object(obj, "spec"), "updateStrategy"), "type", "OnDelete");
}

}  // namespace

void convert_to_storage(const ResourceInfo& r, json::object& obj) {
  if (!r.storage) return;
  const std::string gv = r.api_version();
  if (gv == "extensions/v1beta1" || gv == "apps/v1beta1") default_selector_and_labels(obj);
  if (r.group == "extensions" || r.group == "apps") {
    if (r.kind == "Deployment") deployment_defaults(obj, gv);
    else if (r.kind == "DaemonSet") daemonset_defaults(obj, gv);
    else if (r.kind == "StatefulSet") statefulset_defaults(obj, gv);
  }
  obj["apiVersion"] = r.storage->api_version();
  obj["kind"] = r.storage->kind;
}

void convert_from_storage(const ResourceInfo& r, json::object& obj) {
  obj["apiVersion"] = r.api_version();
  obj["kind"] = r.kind;
}

}  // namespace skiff::api
