// Private to the discovery component: what the OpenAPI v3 (openapi.cc) and v2 (openapi_v2.cc)
// documents share.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "api/resources.h"
#include "common/json.h"

namespace skiff::discovery {

inline constexpr std::string_view kOpenAPIKubernetesVersion = "v1.32.0";

// "" -> "core_v1", "apps" -> "apps_v1", "coordination.k8s.io" -> "coordination_v1".
std::string openapi_tag(const std::string& group, const std::string& version);
// "" -> "CoreV1", "apps" -> "AppsV1", "coordination.k8s.io" -> "CoordinationV1".
std::string openapi_operation_prefix(const std::string& group, const std::string& version);

// Parameters (openapi_params.cc). A parameter object: {name, in, description?, required?,
// schema: {type, uniqueItems}}.
json::object param(std::string_view name, std::string_view in, std::string_view type,
                   std::string_view description, bool required = false);
// dryRun, fieldManager, fieldValidation: create, update and patch.
void add_write_params(json::array& ps);
// The list/watch query parameters.
void add_list_params(json::array& ps);
// dryRun, gracePeriodSeconds, orphanDependents, propagationPolicy.
void add_delete_params(json::array& ps);
// A path item's parameters: name and namespace (path, required) as asked, and pretty.
json::array path_params(bool ns, bool name);
// The query parameters of subresource `sub` (log, exec, attach, portforward, proxy, or a plain
// one like status or scale written with `method`).
void add_subresource_params(std::string_view sub, std::string_view method, json::array& ps);

// The whole v2 document (gnostic openapi_v2.Document, protobuf) for these resources.
std::string build_openapi_v2(const std::vector<const api::ResourceInfo*>& resources);

}  // namespace skiff::discovery
