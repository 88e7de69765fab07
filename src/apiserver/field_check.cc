#include "apiserver/field_check.h"

#include <map>
#include <set>

namespace skiff::apiserver {
namespace {
const std::set<std::string>& top_level(const std::string& kind) {
  static const std::map<std::string, std::set<std::string>> kFields = {
      {"ConfigMap", {"data", "binaryData", "immutable"}},
      {"Secret", {"data", "stringData", "type", "immutable"}},
      {"Endpoints", {"subsets"}},
      {"EndpointSlice", {"addressType", "endpoints", "ports"}},
      {"Event",
       {"involvedObject", "reason", "message", "source", "firstTimestamp", "lastTimestamp",
        "count", "type", "eventTime", "series", "action", "related", "reportingComponent",
        "reportingInstance", "regarding", "note", "reportingController", "deprecatedSource",
        "deprecatedFirstTimestamp", "deprecatedLastTimestamp", "deprecatedCount"}},
      {"ServiceAccount", {"secrets", "imagePullSecrets", "automountServiceAccountToken"}},
      {"Binding", {"target"}},
      {"ControllerRevision", {"data", "revision"}},
      {"PriorityClass", {"value", "globalDefault", "description", "preemptionPolicy"}},
  };
  static const std::set<std::string> kSpecStatus = {"spec", "status"};
  auto it = kFields.find(kind);
  return it == kFields.end() ? kSpecStatus : it->second;
}
const std::set<std::string> kMetadata = {
    "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
    "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels",
    "annotations", "ownerReferences", "finalizers", "managedFields"};
}  // namespace

std::vector<std::string> unknown_fields(const api::ResourceInfo& r, const json::object& obj) {
  std::vector<std::string> out;
  const auto& allowed = top_level(r.kind);
  for (const auto& kv : obj) {
    std::string k(kv.key());
    if (k == "apiVersion" || k == "kind" || k == "metadata") continue;
    if (!allowed.count(k)) out.push_back(k);
  }
  if (const auto* m = obj.if_contains("metadata"); m && m->is_object())
    for (const auto& kv : m->get_object())
      if (!kMetadata.count(std::string(kv.key()))) out.push_back("metadata." + std::string(kv.key()));
  return out;
}
}  // namespace skiff::apiserver
