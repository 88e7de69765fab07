// Discovery and OpenAPI documents, derived from the resource registry (api/resources.h).
// The API server serves them; kubectl reads them to map kinds to resources (discovery) and to
// learn that the server validates fields itself (OpenAPI v3 `fieldValidation` parameter).
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "common/json.h"

namespace skiff::discovery {

// GET /api: APIVersions.
json::object core_api_versions();
// GET /apis: APIGroupList.
json::object api_group_list();
// GET /api/v1 or /apis/<group>/<version>: APIResourceList; nullopt for an unknown group-version.
std::optional<json::object> api_resource_list(std::string_view group, std::string_view version);
// Aggregated discovery (Accept ...;g=apidiscovery.k8s.io;v=v2 or v2beta1;as=APIGroupDiscoveryList)
// for /api (core = true) or /apis. `version` is "v2" or "v2beta1" (sets apiVersion).
json::object aggregated_discovery(bool core, std::string_view version);

// GET /openapi/v3: {"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=..."}}}.
json::object openapi_v3_root();
// GET /openapi/v3/<gv_path> (gv_path "api/v1" or "apis/apps/v1"); nullopt when unknown.
std::optional<json::object> openapi_v3_document(std::string_view gv_path);
// GET /openapi/v2 as the protobuf (gnostic openapi_v2.Document) kubectl asks for; empty when
// not implemented (the server then answers 404 and kubectl relies on v3).
std::string openapi_v2_protobuf();

}  // namespace skiff::discovery
