// Pod QoS class and readiness (pod_helpers.h).
#include "api/pod_helpers.h"

#include <map>

#include "common/quantity.h"

namespace skiff::api {
namespace {

// The positive cpu/memory quantities of resources.<field> in millis.
std::map<std::string, int64_t> positive(const json::object& container, const char* field) {
  std::map<std::string, int64_t> out;
  const json::value* m = find_path(container, {"resources", field});
  if (!m || !m->is_object()) return out;
  for (const char* res : {"cpu", "memory"}) {
    auto it = m->get_object().find(res);
    if (it == m->get_object().end() || !it->value().is_string()) continue;
    auto q = parse_quantity_milli(it->value().get_string());
    if (q && *q > 0) out[res] = *q;
  }
  return out;
}

}  // namespace

std::string pod_qos_class(const json::object& pod) {
  std::map<std::string, int64_t> requests, limits;  // summed over the containers
  bool guaranteed = true;
  for (const char* field : {"initContainers", "containers"}) {
    const json::value* list = find_path(pod, {"spec", field});
    if (!list || !list->is_array()) continue;
    for (const auto& cv : list->get_array()) {
      if (!cv.is_object()) continue;
      for (const auto& [res, q] : positive(cv.get_object(), "requests")) requests[res] += q;
      auto lim = positive(cv.get_object(), "limits");
      if (lim.size() != 2) guaranteed = false;  // this container limits not both cpu and memory
      for (const auto& [res, q] : lim) limits[res] += q;
    }
  }
  if (requests.empty() && limits.empty()) return "BestEffort";
  for (const auto& [res, q] : requests) {
    auto lim = limits.find(res);
    if (lim == limits.end() || lim->second != q) guaranteed = false;
  }
  return guaranteed ? "Guaranteed" : "Burstable";
}

const json::object* pod_condition(const json::object& pod, const char* type) {
  const json::value* conds = find_path(pod, {"status", "conditions"});
  if (!conds || !conds->is_array()) return nullptr;
  for (const auto& c : conds->get_array())
    if (c.is_object() && get_string(c, {"type"}) == type) return &c.get_object();
  return nullptr;
}

bool is_pod_ready(const json::object& pod) {
  const json::object* c = pod_condition(pod, "Ready");
  return c && get_string(*c, {"status"}) == "True";
}

}  // namespace skiff::api
