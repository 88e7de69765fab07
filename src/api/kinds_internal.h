// Private declarations shared by the kinds*.cc files: per-group validators and the pod spec
// validation every workload kind reuses. Not part of the api interface (see kinds.h).
#pragma once
#include <set>
#include <string>
#include <vector>

#include "api/resources.h"
#include "api/validation_util.h"

namespace skiff::api::detail {

// ValidatePodSpec: `path` is the spec's path, e.g. "spec" or "spec.template.spec".
void validate_pod_spec(Causes& out, const json::object& spec, const std::string& path);
// ValidatePodTemplateSpec: labels, annotations and spec under `path` (e.g. "spec.template").
void validate_pod_template(Causes& out, const json::value& tmpl, const std::string& path);
// One container under `p` (e.g. "spec.containers[0]"); `volumes` are the pod's valid volume names.
void validate_container(Causes& out, const json::object& c, const std::string& p, bool init,
                        bool host_network, const std::set<std::string>& volumes);
// ObjectFieldSelector (env valueFrom.fieldRef, downwardAPI items) with the allowed field paths.
void field_selector(Causes& out, const json::object& fs, const std::string& path,
                    const std::vector<std::string>& allowed);
// Pod update rules: only images, activeDeadlineSeconds, toleration additions and the
// terminationGracePeriodSeconds special case may change.
void validate_pod_spec_update(Causes& out, const json::object& spec, const json::object& old);
// ResourceRequirements (names, quantities, requests <= limits) under `path`.
void validate_resources(Causes& out, const json::object& res, const std::string& path);

// Kind-specific validation beyond ObjectMeta; `old` is null on create. Each returns false when
// the kind is not one of its group's.
bool validate_core_kind(const ResourceInfo& r, const json::object& obj, const json::object* old,
                        Causes& out);
bool validate_apps_kind(const ResourceInfo& r, const json::object& obj, const json::object* old,
                        Causes& out);
bool validate_batch_kind(const ResourceInfo& r, const json::object& obj, const json::object* old,
                         Causes& out);
bool validate_other_kind(const ResourceInfo& r, const json::object& obj, const json::object* old,
                         Causes& out);

// robfig/cron's ParseStandard as CronJob validation uses it; empty when valid, else its error.
std::string cron_parse_error(const std::string& schedule);

// "spec: Invalid value: ...: field is immutable" when the values at k differ.
void immutable(Causes& out, const json::object& now, const json::object& old, std::string_view k,
               const std::string& path);

}  // namespace skiff::api::detail
