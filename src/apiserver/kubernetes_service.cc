#include "apiserver/kubernetes_service.h"

#include "api/resources.h"
#include "apiserver/object_store.h"
#include "pki/pki.h"

namespace skiff::apiserver {
namespace {
constexpr const char* kName = "kubernetes";
constexpr const char* kNamespace = "default";

// Sets `fields` on the object ns/name (creating it if absent) unless they already hold those
// values.
Status ensure_fields(ObjectStore& os, const char* group, const char* resource,
                     const json::object& fields) {
  const auto* r = api::find_resource(group, "v1", resource);
  auto differs = [&](const json::object& cur) {
    for (const auto& kv : fields) {
      const json::value* v = cur.if_contains(kv.key());
      if (kv.key() == "metadata") {
        for (const auto& m : kv.value().as_object())
          if (const json::value* cm = find_path(cur, {"metadata", m.key()}); !cm || *cm != m.value())
            return true;
      } else if (!v || *v != kv.value()) {
        return true;
      }
    }
    return false;
  };
  auto apply = [&](json::object obj) {
    for (const auto& kv : fields) {
      if (kv.key() != "metadata") {
        obj[kv.key()] = kv.value();
        continue;
      }
      for (const auto& m : kv.value().as_object()) ensure_object(obj, "metadata")[m.key()] = m.value();
    }
    return obj;
  };
  auto cur = os.get(*r, kNamespace, kName);
  if (cur && !differs(*cur)) return ok_status();
  if (!cur) {
    if (cur.error().code != 404) return cur.error();
    json::object obj = apply(json::object{
        {"apiVersion", r->api_version()},
        {"kind", r->kind},
        {"metadata", json::object{{"name", kName}, {"namespace", kNamespace}}}});
    auto res = os.create(*r, kNamespace, std::move(obj), {});
    if (res || res.error().code != 409) return res ? ok_status() : Status(res.error());
  }
  auto res = os.guaranteed_update(
      *r, kNamespace, kName, "",
      [&](const json::object& c) -> Result<json::object> {
        json::object out = apply(c);
        ensure_object(out, "metadata").erase("resourceVersion");
        return out;
      },
      {});
  return res ? ok_status() : Status(res.error());
}
}  // namespace

Status reconcile_kubernetes_endpoints(ObjectStore& os, const std::string& ip, int port) {
  const bool v6 = ip.find(':') != std::string::npos;
  // The mirroring controller must leave these Endpoints alone: the slice is written here.
  json::object ep{
      {"metadata",
       json::object{{"labels", json::object{{"endpointslice.kubernetes.io/skip-mirror", "true"}}}}},
      {"subsets", json::array{json::object{
                      {"addresses", json::array{json::object{{"ip", ip}}}},
                      {"ports", json::array{json::object{
                                    {"name", "https"}, {"port", port}, {"protocol", "TCP"}}}}}}}};
  if (auto st = ensure_fields(os, "", "endpoints", ep); !st) return st;
  json::object slice{
      {"metadata",
       json::object{{"labels", json::object{{"kubernetes.io/service-name", kName}}}}},
      {"addressType", v6 ? "IPv6" : "IPv4"},
      {"endpoints",
       json::array{json::object{{"addresses", json::array{json::value(ip)}},
                                {"conditions", json::object{{"ready", true}}}}}},
      {"ports", json::array{json::object{{"name", "https"}, {"port", port}, {"protocol", "TCP"}}}}};
  return ensure_fields(os, "discovery.k8s.io", "endpointslices", slice);
}

std::string advertised_address(const std::string& bind_address) {
  if (bind_address != "0.0.0.0" && bind_address != "::" && !bind_address.empty())
    return bind_address;
  std::vector<std::string> addrs = pki::host_addresses();
  return addrs.empty() ? "127.0.0.1" : addrs.front();
}

}  // namespace skiff::apiserver
