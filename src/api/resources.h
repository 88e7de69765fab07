// The registry of every resource the API serves: names, kinds, scope, verbs, short names and
// subresources. Discovery, OpenAPI, routing and storage keys are all derived from this table.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/runtime_kind.h"
#include "common/json.h"

namespace skiff::api {

struct Subresource {
  std::string name;  // "status", "scale", "binding", "log", "exec", ...
  std::string group, version, kind;  // the kind it takes/returns, e.g. autoscaling/v1 Scale
  std::vector<std::string> verbs;
};

struct ResourceInfo {
  std::string group;  // "" for core
  std::string version;
  std::string resource;  // plural, lower case: "pods"
  std::string singular;  // "pod"
  std::string kind;      // "Pod"
  bool namespaced = true;
  std::vector<std::string> verbs;
  std::vector<std::string> short_names;
  std::vector<std::string> categories;
  std::vector<Subresource> subresources;
  // A CustomResourceDefinition's version: the OpenAPI v3 schema of the whole object (its
  // openAPIV3Schema). Null for built-in kinds, whose schema comes from the generated tables.
  std::shared_ptr<const json::object> schema;
  // A CRD version's behaviour (schema, columns, scale); null for built-in kinds.
  std::shared_ptr<const RuntimeKind> runtime;
  // Another version of a kind stored as `storage` (e.g. extensions/v1beta1 Deployments are
  // stored as apps/v1): requests are converted to it (api/conversion.h). Null when this entry is
  // the storage version.
  const ResourceInfo* storage = nullptr;
  // A deprecated version: the Warning header every response carries (upstream's wording).
  std::string deprecation;

  std::string api_version() const { return group.empty() ? version : group + "/" + version; }
  std::string group_version_path() const {  // "/api/v1" or "/apis/apps/v1"
    return group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
  }
  // "pods" or "deployments.apps": the name upstream uses in messages.
  std::string qualified_resource() const { return group.empty() ? resource : resource + "." + group; }
  std::string list_kind() const { return kind + "List"; }
  bool has_subresource(std::string_view name) const;
  const Subresource* subresource(std::string_view name) const;
  // The storage key prefix: "/registry/<group>/<resource>/" (core: "/registry/core/<resource>/"),
  // the storage version's for another version.
  std::string key_prefix() const;
  // The version objects are stored as: *storage, or this entry.
  const ResourceInfo& hub() const { return storage ? *storage : *this; }
};

// The built-in resources (a static table).
const std::vector<ResourceInfo>& all_resources();
// Every resource served now: the built-ins, then those registered at run time (CRDs). A
// snapshot; the entries stay valid for the life of the process, so pointers may be kept.
std::vector<const ResourceInfo*> served_resources();
// Bumped whenever served_resources() changes: documents derived from the registry (discovery,
// OpenAPI) are recomputed when it moves.
uint64_t registry_generation();
// find_resource / find_kind search every served resource.

// Run-time registration (CRDs): replaces every resource registered under `owner` (a CRD's name)
// with `resources` (empty: removes them). Entries of one call may point at each other through
// `storage` by naming it with the same group and resource and an empty `storage` pointer and
// `storage_version` set below; register_resources resolves them.
void register_resources(const std::string& owner, std::vector<ResourceInfo> resources,
                        const std::string& storage_version = {});
const ResourceInfo* find_resource(std::string_view group, std::string_view version,
                                  std::string_view resource);
const ResourceInfo* find_kind(std::string_view group, std::string_view version,
                              std::string_view kind);

struct GroupVersions {
  std::string group;
  std::vector<std::string> versions;  // preferred first
};
// The served API groups in discovery order (core first).
std::vector<GroupVersions> served_groups();

}  // namespace skiff::api
