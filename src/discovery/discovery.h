// Discovery and OpenAPI documents, derived from the resource registry (api/resources.h).
// The API server serves them; kubectl reads them to map kinds to resources (discovery) and to
// learn that the server validates fields itself (OpenAPI v3 `fieldValidation` parameter).
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "common/json.h"

namespace skiff::discovery {

// GET /api: APIVersions. Without an address serverAddressByClientCIDRs is an empty list; with one
// it is [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}] ("host:port").
json::object core_api_versions();
json::object core_api_versions(std::string_view server_address);
// GET /apis: APIGroupList.
json::object api_group_list();
// GET /api/v1 or /apis/<group>/<version>: APIResourceList; nullopt for an unknown group-version.
std::optional<json::object> api_resource_list(std::string_view group, std::string_view version);
// Aggregated discovery (Accept ...;g=apidiscovery.k8s.io;v=v2 or v2beta1;as=APIGroupDiscoveryList)
// for /api (core = true) or /apis. `version` is "v2" or "v2beta1" (sets apiVersion).
json::object aggregated_discovery(bool core, std::string_view version);
// Content negotiation for aggregated discovery: the version ("v2" or "v2beta1") the Accept header
// asks for (first match in the client's order), or nullopt when the client only accepts plain
// JSON (then serve core_api_versions()/api_group_list() as application/json).
std::optional<std::string> aggregated_discovery_version(std::string_view accept);
// The Content-Type to answer an aggregated request with; clients decide from it alone:
// "application/json;g=apidiscovery.k8s.io;v=<version>;as=APIGroupDiscoveryList".
std::string aggregated_discovery_content_type(std::string_view version);

// GET /openapi/v3: {"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=..."}}}.
json::object openapi_v3_root();
// GET /openapi/v3/<gv_path> (gv_path "api/v1" or "apis/apps/v1"); nullopt when unknown. Its
// components.schemas hold every definition the group-version's kinds reach. All documents are
// rebuilt when api::registry_generation() moves (a CRD registered or removed).
std::optional<json::object> openapi_v3_document(std::string_view gv_path);
// The same document already serialized (computed once, stable), and its hash (upper-case hex; the
// value of ?hash= in openapi_v3_root() and a suitable ETag). nullopt when unknown.
std::optional<std::string> openapi_v3_document_json(std::string_view gv_path);
std::optional<std::string> openapi_v3_hash(std::string_view gv_path);
// GET /openapi/v2 as the protobuf (gnostic openapi_v2.Document) kubectl asks for (Accept
// application/com.github.proto-openapi.spec.v2@v1.0+protobuf): definitions of every served kind
// (with x-kubernetes-group-version-kind and the patch extensions) and one PATCH operation per
// patchable resource advertising `fieldValidation` (see openapi_v2.cc). kubectl 1.27 reads it
// for `explain`, apply's patch metadata and before every create/apply/replace.
std::string openapi_v2_protobuf();
// The Content-Type for openapi_v2_protobuf(). kubectl asks with Accept
// "application/com.github.proto-openapi.spec.v2@v1.0+protobuf", but Go's mime parser rejects the
// '@' in a response Content-Type (kubectl 1.27: "mime: unexpected content after media subtype"),
// so upstream answers with this dotted form for both spellings.
inline constexpr std::string_view kOpenAPIV2ProtobufContentType =
    "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

}  // namespace skiff::discovery
