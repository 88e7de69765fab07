// Legacy discovery (/api, /apis, /api/v1, /apis/<g>/<v>) and aggregated discovery
// (apidiscovery.k8s.io v2 / v2beta1), all derived from the resource registry.
#include "discovery/discovery.h"

#include <cctype>

#include "api/resources.h"

namespace skiff::discovery {
namespace {

json::array string_array(const std::vector<std::string>& v) {
  json::array a;
  a.reserve(v.size());
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

json::object group_version_for_discovery(const std::string& group, const std::string& version) {
  json::object o;
  o["groupVersion"] = group.empty() ? version : group + "/" + version;
  o["version"] = version;
  return o;
}

json::object gvk(std::string_view group, std::string_view version, std::string_view kind) {
  json::object o;
  o["group"] = group;
  o["version"] = version;
  o["kind"] = kind;
  return o;
}

bool served(std::string_view group, std::string_view version) {
  for (const auto* r : api::served_resources())
    if (r->group == group && r->version == version) return true;
  return false;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return std::string(s.substr(b, e - b));
}

}  // namespace

json::object core_api_versions() {
  json::object o;
  o["kind"] = "APIVersions";
  o["versions"] = json::array{"v1"};
  o["serverAddressByClientCIDRs"] = json::array{};
  return o;
}

json::object core_api_versions(std::string_view server_address) {
  json::object o = core_api_versions();
  json::object cidr;
  cidr["clientCIDR"] = "0.0.0.0/0";
  cidr["serverAddress"] = server_address;
  o["serverAddressByClientCIDRs"] = json::array{cidr};
  return o;
}

json::object api_group_list() {
  json::object o;
  o["kind"] = "APIGroupList";
  o["apiVersion"] = "v1";
  json::array groups;
  for (const auto& g : api::served_groups()) {
    if (g.group.empty()) continue;  // the core group is served at /api
    json::object go;
    go["name"] = g.group;
    json::array versions;
    for (const auto& v : g.versions) versions.push_back(group_version_for_discovery(g.group, v));
    go["versions"] = std::move(versions);
    if (!g.versions.empty())
      go["preferredVersion"] = group_version_for_discovery(g.group, g.versions.front());
    groups.push_back(std::move(go));
  }
  o["groups"] = std::move(groups);
  return o;
}

std::optional<json::object> api_resource_list(std::string_view group, std::string_view version) {
  if (!served(group, version)) return std::nullopt;
  json::object o;
  o["kind"] = "APIResourceList";
  o["apiVersion"] = "v1";
  o["groupVersion"] = group.empty() ? std::string(version)
                                    : std::string(group) + "/" + std::string(version);
  json::array resources;
  for (const auto* rp : api::served_resources()) {
    const auto& r = *rp;
    if (r.group != group || r.version != version) continue;
    json::object e;
    e["name"] = r.resource;
    e["singularName"] = r.singular;
    e["namespaced"] = r.namespaced;
    e["kind"] = r.kind;
    e["verbs"] = string_array(r.verbs);
    if (!r.short_names.empty()) e["shortNames"] = string_array(r.short_names);
    if (!r.categories.empty()) e["categories"] = string_array(r.categories);
    resources.push_back(std::move(e));
    for (const auto& s : r.subresources) {
      json::object se;
      se["name"] = r.resource + "/" + s.name;
      se["singularName"] = "";
      se["namespaced"] = r.namespaced;
      // group/version only when the subresource's kind lives in another group-version
      // (deployments/scale -> autoscaling/v1 Scale), as upstream prints it.
      if (s.group != r.group || s.version != r.version) {
        se["group"] = s.group;
        se["version"] = s.version;
      }
      se["kind"] = s.kind;
      se["verbs"] = string_array(s.verbs);
      resources.push_back(std::move(se));
    }
  }
  o["resources"] = std::move(resources);
  return o;
}

json::object aggregated_discovery(bool core, std::string_view version) {
  json::object o;
  o["kind"] = "APIGroupDiscoveryList";
  o["apiVersion"] = "apidiscovery.k8s.io/" + std::string(version);
  o["metadata"] = json::object{};
  json::array items;
  for (const auto& g : api::served_groups()) {
    if (g.group.empty() != core) continue;
    json::object item;
    json::object meta;
    meta["name"] = g.group;
    meta["creationTimestamp"] = nullptr;
    item["metadata"] = std::move(meta);
    json::array versions;
    for (const auto& v : g.versions) {
      json::object vo;
      vo["version"] = v;
      json::array resources;
      for (const auto* rp : api::served_resources()) {
        const auto& r = *rp;
        if (r.group != g.group || r.version != v) continue;
        json::object ro;
        ro["resource"] = r.resource;
        ro["responseKind"] = gvk(r.group, r.version, r.kind);
        ro["scope"] = r.namespaced ? "Namespaced" : "Cluster";
        ro["singularResource"] = r.singular;
        ro["verbs"] = string_array(r.verbs);
        if (!r.short_names.empty()) ro["shortNames"] = string_array(r.short_names);
        if (!r.categories.empty()) ro["categories"] = string_array(r.categories);
        if (!r.subresources.empty()) {
          json::array subs;
          for (const auto& s : r.subresources) {
            json::object so;
            so["subresource"] = s.name;
            // client-go rejects a subresource without responseKind, so it is always set.
            so["responseKind"] = gvk(s.group, s.version, s.kind);
            so["verbs"] = string_array(s.verbs);
            subs.push_back(std::move(so));
          }
          ro["subresources"] = std::move(subs);
        }
        resources.push_back(std::move(ro));
      }
      vo["resources"] = std::move(resources);
      vo["freshness"] = "Current";
      versions.push_back(std::move(vo));
    }
    item["versions"] = std::move(versions);
    items.push_back(std::move(item));
  }
  o["items"] = std::move(items);
  return o;
}

std::optional<std::string> aggregated_discovery_version(std::string_view accept) {
  // Accept: a comma-separated list of media ranges with ;-separated parameters, e.g.
  // application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json
  size_t pos = 0;
  while (pos <= accept.size()) {
    size_t comma = accept.find(',', pos);
    if (comma == std::string_view::npos) comma = accept.size();
    std::string_view range = accept.substr(pos, comma - pos);
    pos = comma + 1;
    std::string type, g, v, as;
    size_t p = 0;
    bool first = true;
    while (p <= range.size()) {
      size_t semi = range.find(';', p);
      if (semi == std::string_view::npos) semi = range.size();
      std::string part = trim(range.substr(p, semi - p));
      p = semi + 1;
      if (first) {
        type = lower(part);
        first = false;
        continue;
      }
      size_t eq = part.find('=');
      if (eq == std::string::npos) continue;
      std::string key = lower(trim(part.substr(0, eq)));
      std::string val = trim(part.substr(eq + 1));
      if (val.size() >= 2 && val.front() == '"' && val.back() == '"')
        val = val.substr(1, val.size() - 2);
      if (key == "g") g = val;
      else if (key == "v") v = val;
      else if (key == "as") as = val;
    }
    if ((type == "application/json" || type == "*/*" || type == "application/*") &&
        g == "apidiscovery.k8s.io" && as == "APIGroupDiscoveryList" &&
        (v == "v2" || v == "v2beta1"))
      return v;
  }
  return std::nullopt;
}

std::string aggregated_discovery_content_type(std::string_view version) {
  return "application/json;g=apidiscovery.k8s.io;v=" + std::string(version) +
         ";as=APIGroupDiscoveryList";
}

}  // namespace skiff::discovery
