// componentstatuses (deprecated upstream, still read by `kubectl get cs` and `cluster-info dump`):
// etcd-0 is the store answering reads; scheduler and controller-manager are healthy while
// their leader-election Lease in kube-system is renewed (a leader is acting). Decision:
// upstream probes the components' health ports; the Lease is what this server can see
// of components that may run in other processes.
#include "apiserver/handler.h"
#include "apiserver/tables.h"
#include "common/time.h"

namespace skiff::apiserver {
namespace {

json::object component(const std::string& name, bool healthy, const std::string& message) {
  json::object cond{{"type", "Healthy"}, {"status", healthy ? "True" : "False"}};
  if (healthy) cond["message"] = message;
  else cond["error"] = message;
  return {{"kind", "ComponentStatus"},
          {"apiVersion", "v1"},
          {"metadata", json::object{{"name", name}}},
          {"conditions", json::array{std::move(cond)}}};
}

}  // namespace

void ApiHandler::handle_component_statuses(net::Request& req, const RequestInfo& info,
                                           net::ResponseWriter& w) {
  if (info.verb != "get" && info.verb != "list")
    return write_error(w, ApiError::method_not_allowed("componentstatuses supports get and list"));
  std::vector<json::object> items;
  {
    int64_t rev = objects_.current_revision();
    items.push_back(component("etcd-0", rev > 0, rev > 0 ? "ok" : "the store has no revision"));
  }
  const auto* leases = api::find_resource("coordination.k8s.io", "v1", "leases");
  for (const auto& [name, lease] : {std::pair{"scheduler", "kube-scheduler"},
                                    std::pair{"controller-manager", "kube-controller-manager"}}) {
    auto obj = objects_.get(*leases, "kube-system", lease);
    bool healthy = false;
    std::string msg = std::string("no leader holds the kube-system/") + lease + " Lease";
    if (obj) {
      auto renew = parse_rfc3339(get_string(*obj, {"spec", "renewTime"}));
      int64_t dur = get_int(*obj, {"spec", "leaseDurationSeconds"}, 15);
      if (renew && Clock::now() - *renew < std::chrono::seconds(dur)) {
        healthy = true;
        msg = "ok";
      } else {
        msg = std::string("the kube-system/") + lease + " Lease was not renewed in " +
              std::to_string(dur) + "s";
      }
    }
    items.push_back(component(name, healthy, msg));
  }
  if (!info.name.empty()) {
    for (auto& it : items)
      if (get_string(it, {"metadata", "name"}) == info.name) return write_json(w, 200, it);
    return write_error(w, ApiError::not_found("componentstatuses", info.name));
  }
  const auto& r = *api::find_resource("", "v1", "componentstatuses");
  if (wants_table(req))
    return write_json(w, 200, make_table(r, items, req.query_param("includeObject"), true, json::object{}));
  json::array arr;
  for (auto& it : items) arr.push_back(std::move(it));
  write_json(w, 200, json::object{{"kind", "ComponentStatusList"}, {"apiVersion", "v1"},
                                  {"metadata", json::object{}}, {"items", std::move(arr)}});
}

}  // namespace skiff::apiserver
