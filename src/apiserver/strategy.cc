#include "apiserver/strategy.h"

#include <set>

#include "api/pod_helpers.h"

namespace skiff::apiserver {
namespace {
bool is(const api::ResourceInfo& r, const char* group, const char* resource) {
  return r.group == group && r.resource == resource;
}
void copy_field(json::object& dst, const json::object& src, std::string_view key) {
  if (auto it = src.find(key); it != src.end()) dst[key] = it->value();
  else dst.erase(key);
}
}  // namespace

bool tracks_generation(const api::ResourceInfo& r) {
  if (r.runtime || r.kind == "CustomResourceDefinition") return true;
  static const std::set<std::string> kinds = {"Deployment", "ReplicaSet",  "StatefulSet",
                                              "DaemonSet",  "Job",         "CronJob",
                                              "PodDisruptionBudget"};
  return kinds.count(r.kind) > 0;
}

void prepare_for_create(const api::ResourceInfo& r, json::object& obj) {
  auto& meta = ensure_object(obj, "metadata");
  if (tracks_generation(r)) meta["generation"] = 1;
  if (r.runtime) {  // a custom object with a status subresource starts without one
    if (r.runtime->has_status()) obj.erase("status");
    return;
  }
  if (is(r, "apiextensions.k8s.io", "customresourcedefinitions")) {
    // Deleting a CRD deletes its objects first (crd_controller.h).
    auto& fins = ensure_array(meta, "finalizers");
    bool have = false;
    for (const auto& f : fins) have = have || f == "customresourcecleanup.apiextensions.k8s.io";
    if (!have) fins.push_back("customresourcecleanup.apiextensions.k8s.io");
  }
  if (is(r, "", "pods")) {
    json::object status;
    status["phase"] = "Pending";
    status["qosClass"] = api::pod_qos_class(obj);  // as the agent computes it
    obj["status"] = std::move(status);
  } else if (is(r, "", "namespaces")) {
    obj["status"] = json::object{{"phase", "Active"}};
    // The namespace controller's finalizer: deletion empties the namespace before it goes.
    auto& spec = ensure_object(obj, "spec");
    if (!spec.contains("finalizers")) spec["finalizers"] = json::array{json::value("kubernetes")};
  } else if (is(r, "", "services")) {
    obj["status"] = json::object{{"loadBalancer", json::object{}}};
  } else if (is(r, "apps", "daemonsets")) {
    // Fields without omitempty upstream: typed clients (the Python one) refuse a DaemonSet
    // whose status lacks them.
    obj["status"] = json::object{{"currentNumberScheduled", 0}, {"numberMisscheduled", 0},
                                 {"desiredNumberScheduled", 0}, {"numberReady", 0}};
  } else if (is(r, "apps", "replicasets") || is(r, "apps", "statefulsets")) {
    obj["status"] = json::object{{"replicas", 0}};
  } else if (r.has_subresource("status") && !is(r, "", "nodes") &&
             !is(r, "", "persistentvolumes") && !is(r, "", "persistentvolumeclaims")) {
    obj["status"] = json::object{};
  }
}

void prepare_for_update(const api::ResourceInfo& r, json::object& obj, const json::object& old) {
  if (r.has_subresource("status")) copy_field(obj, old, "status");
  if (tracks_generation(r)) {
    auto& meta = ensure_object(obj, "metadata");
    int64_t gen = get_int(old, {"metadata", "generation"}, 1);
    const json::value* new_spec = obj.if_contains("spec");
    const json::value* old_spec = old.if_contains("spec");
    bool changed = (new_spec == nullptr) != (old_spec == nullptr) ||
                   (new_spec && *new_spec != *old_spec);
    // A deletion in progress also counts (upstream bumps generation when deletionTimestamp is set).
    meta["generation"] = changed ? gen + 1 : gen;
  }
}

void prepare_for_status_update(const api::ResourceInfo& r, json::object& obj,
                               const json::object& old) {
  json::value status = obj.contains("status") ? obj["status"] : json::value(json::object{});
  json::object out = old;
  out["status"] = std::move(status);
  // Labels and annotations may change through status writes (the kubelet does so); the rest of
  // metadata is the main resource's.
  auto& meta = ensure_object(out, "metadata");
  if (const auto* m = obj.if_contains("metadata"); m && m->is_object()) {
    copy_field(meta, m->get_object(), "labels");
    copy_field(meta, m->get_object(), "annotations");
    if (auto it = m->get_object().find("resourceVersion"); it != m->get_object().end())
      meta["resourceVersion"] = it->value();
  }
  obj = std::move(out);
}
}  // namespace skiff::apiserver
