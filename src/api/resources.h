// The registry of every resource the API serves: names, kinds, scope, verbs, short names and
// subresources. Discovery, OpenAPI, routing and storage keys are all derived from this table.
#pragma once
#include <string>
#include <string_view>
#include <vector>

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

  std::string api_version() const { return group.empty() ? version : group + "/" + version; }
  std::string group_version_path() const {  // "/api/v1" or "/apis/apps/v1"
    return group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
  }
  // "pods" or "deployments.apps": the name upstream uses in messages.
  std::string qualified_resource() const { return group.empty() ? resource : resource + "." + group; }
  std::string list_kind() const { return kind + "List"; }
  bool has_subresource(std::string_view name) const;
  const Subresource* subresource(std::string_view name) const;
  // The storage key prefix: "/registry/<group>/<resource>/" (core: "/registry/core/<resource>/").
  std::string key_prefix() const;
};

const std::vector<ResourceInfo>& all_resources();
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
