// Private to the discovery component: what the OpenAPI v3 (openapi.cc) and v2 (openapi_v2.cc)
// documents share.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "api/resources.h"

namespace skiff::discovery {

inline constexpr std::string_view kOpenAPIKubernetesVersion = "v1.32.0";

// "" -> "core_v1", "apps" -> "apps_v1", "coordination.k8s.io" -> "coordination_v1".
std::string openapi_tag(const std::string& group, const std::string& version);
// "" -> "CoreV1", "apps" -> "AppsV1", "coordination.k8s.io" -> "CoordinationV1".
std::string openapi_operation_prefix(const std::string& group, const std::string& version);

// The whole v2 document (gnostic openapi_v2.Document, protobuf) for these resources.
std::string build_openapi_v2(const std::vector<const api::ResourceInfo*>& resources);

}  // namespace skiff::discovery
