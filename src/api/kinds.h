// Per-kind behaviour of the built-in types, as upstream's registry strategies define it:
// defaulting (pkg/apis/*/v1/defaults.go), validation (pkg/apis/*/validation) and the fields a
// field selector may use. The API server calls these for every write.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "api/resources.h"
#include "common/api_error.h"
#include "common/json.h"

namespace skiff::api {

// Fills defaults in place (e.g. pod restartPolicy Always, dnsPolicy ClusterFirst, container
// imagePullPolicy from the image tag, terminationMessagePath; deployment strategy 25%/25%,
// revisionHistoryLimit 10, progressDeadlineSeconds 600; service type ClusterIP, targetPort = port).
// Runs on create and on update (upstream defaults on decode of every write).
void apply_defaults(const ResourceInfo& r, json::object& obj);

// Validation of a whole object on create, with upstream's field paths and messages. Includes
// metadata (name syntax for the kind, labels, annotations), required fields and enums.
std::vector<FieldCause> validate_create(const ResourceInfo& r, const json::object& obj);
// On update: everything validate_create checks plus immutable fields (e.g. a Deployment's
// spec.selector, a Pod's spec except image/activeDeadlineSeconds/tolerations additions, a
// Service's clusterIP, a Job's template).
std::vector<FieldCause> validate_update(const ResourceInfo& r, const json::object& obj,
                                        const json::object& old);

// The field-selector fields of an object with their values, e.g. for pods: metadata.name,
// metadata.namespace, spec.nodeName, spec.restartPolicy, spec.schedulerName,
// spec.serviceAccountName, status.phase, status.podIP, status.nominatedNodeName; events:
// involvedObject.{kind,namespace,name,uid,apiVersion,resourceVersion,fieldPath}, reason, source,
// type; secrets: type; nodes: spec.unschedulable; namespaces: status.phase; jobs: status.successful.
std::map<std::string, std::string> selectable_fields(const ResourceInfo& r,
                                                     const json::object& obj);
// The names selectable_fields returns for this resource (for "field label not supported").
std::vector<std::string> selectable_field_names(const ResourceInfo& r);

// Validation helpers shared with the API server (upstream's apimachinery validation).
// Each returns an empty string when valid, else upstream's message.
std::string check_dns1123_subdomain(const std::string& s);
std::string check_dns1123_label(const std::string& s);
std::string check_qualified_name(const std::string& s);  // label and annotation keys
std::string check_label_value(const std::string& s);

}  // namespace skiff::api
