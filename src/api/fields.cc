// selectable_fields: the field-selector fields of each kind with their values, as upstream's
// registry strategies (GetAttrs / ToSelectableFields) expose them.
#include "api/kinds.h"
#include "api/validation_util.h"

namespace skiff::api {
using namespace detail;

namespace {
const json::object kEmpty;
const json::object& sub(const json::object& o, std::string_view k) {
  const auto* s = obj_at(o, k);
  return s ? *s : kEmpty;
}
std::string int_text(const json::object& o, std::string_view k) {
  return std::to_string(int_at(o, k).value_or(0));
}
std::string bool_text(const json::object& o, std::string_view k) {
  return bool_at(o, k).value_or(false) ? "true" : "false";
}
}  // namespace

std::map<std::string, std::string> selectable_fields(const ResourceInfo& r,
                                                     const json::object& obj) {
  std::map<std::string, std::string> f;
  const auto& meta = sub(obj, "metadata");
  f["metadata.name"] = str_or(meta, "name");
  f["metadata.namespace"] = str_or(meta, "namespace");
  const auto& spec = sub(obj, "spec");
  const auto& status = sub(obj, "status");
  const std::string& k = r.kind;
  if (r.group.empty()) {
    if (k == "Pod") {
      f["spec.nodeName"] = str_or(spec, "nodeName");
      f["spec.restartPolicy"] = str_or(spec, "restartPolicy");
      f["spec.schedulerName"] = str_or(spec, "schedulerName");
      f["spec.serviceAccountName"] = str_or(spec, "serviceAccountName");
      f["spec.hostNetwork"] = bool_text(spec, "hostNetwork");
      f["status.phase"] = str_or(status, "phase");
      std::string ip = str_or(status, "podIP");
      if (const auto* ips = arr_at(status, "podIPs"); ips && !ips->empty() && (*ips)[0].is_object())
        ip = str_or((*ips)[0].get_object(), "ip", ip);
      f["status.podIP"] = ip;
      f["status.nominatedNodeName"] = str_or(status, "nominatedNodeName");
    } else if (k == "Event") {
      const auto& io = sub(obj, "involvedObject");
      for (const char* n :
           {"kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"})
        f[std::string("involvedObject.") + n] = str_or(io, n);
      f["reason"] = str_or(obj, "reason");
      f["reportingComponent"] = str_or(obj, "reportingComponent");
      std::string source = str_or(sub(obj, "source"), "component");
      f["source"] = source.empty() ? str_or(obj, "reportingComponent") : source;
      f["type"] = str_or(obj, "type");
    } else if (k == "Secret") {
      f["type"] = str_or(obj, "type");
    } else if (k == "Namespace") {
      f["status.phase"] = str_or(status, "phase");
    } else if (k == "Node") {
      f["spec.unschedulable"] = bool_text(spec, "unschedulable");
    } else if (k == "Service") {
      f["spec.clusterIP"] = str_or(spec, "clusterIP");
      f["spec.type"] = str_or(spec, "type");
    }
  } else if (r.group == "batch" && k == "Job") {
    f["status.successful"] = int_text(status, "succeeded");
  } else if (r.group == "apps" && k == "ReplicaSet") {
    f["status.replicas"] = int_text(status, "replicas");
  } else if (r.group == "events.k8s.io" && k == "Event") {
    const auto& reg = sub(obj, "regarding");
    for (const char* n :
         {"kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"})
      f[std::string("regarding.") + n] = str_or(reg, n);
    f["reason"] = str_or(obj, "reason");
    f["reportingController"] = str_or(obj, "reportingController");
    f["type"] = str_or(obj, "type");
  }
  return f;
}

std::vector<std::string> selectable_field_names(const ResourceInfo& r) {
  std::vector<std::string> names;
  for (const auto& [name, value] : selectable_fields(r, json::object{})) names.push_back(name);
  return names;
}

}  // namespace skiff::api
