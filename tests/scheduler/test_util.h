// Builders for Node and Pod objects in scheduler tests.
#pragma once
#include <map>
#include <memory>
#include <string>

#include "common/json.h"
#include "scheduler/framework.h"

namespace skiff::scheduler::testing {

inline ObjectPtr obj(const std::string& text) {
  return std::make_shared<const json::object>(json::parse(text).as_object());
}

inline json::object node_json(const std::string& name, const std::string& cpu = "4",
                              const std::string& mem = "8Gi", const std::string& pods = "110") {
  json::object n = json::parse(R"({"apiVersion":"v1","kind":"Node","metadata":{"labels":{}},
      "spec":{},"status":{"allocatable":{},"capacity":{}}})").as_object();
  n["metadata"].as_object()["name"] = name;
  n["metadata"].as_object()["labels"].as_object()["kubernetes.io/hostname"] = name;
  json::object alloc{{"cpu", cpu}, {"memory", mem}, {"pods", pods}, {"ephemeral-storage", "100Gi"}};
  n["status"].as_object()["allocatable"] = alloc;
  n["status"].as_object()["capacity"] = alloc;
  return n;
}

inline NodeInfoPtr node_info(const json::object& n) {
  auto ni = std::make_shared<NodeInfo>();
  ni->set_node(std::make_shared<const json::object>(n));
  return ni;
}

inline int& uid_counter() {
  static int n = 0;
  return n;
}

// A pod with one container requesting cpu/mem (empty = no request).
inline json::object pod_json(const std::string& name, const std::string& cpu = "",
                             const std::string& mem = "", const std::string& ns = "default") {
  json::object p = json::parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"labels":{}},
      "spec":{"schedulerName":"default-scheduler","containers":[{"name":"c","image":"nginx",
      "resources":{"requests":{}}}]},"status":{"phase":"Pending"}})").as_object();
  auto& md = p["metadata"].as_object();
  md["name"] = name;
  md["namespace"] = ns;
  md["uid"] = "uid-" + name + "-" + std::to_string(++uid_counter());
  md["creationTimestamp"] = "2024-01-01T00:00:00Z";
  md["resourceVersion"] = "1";
  auto& req = p["spec"].as_object()["containers"].as_array()[0].as_object()["resources"]
                  .as_object()["requests"].as_object();
  if (!cpu.empty()) req["cpu"] = cpu;
  if (!mem.empty()) req["memory"] = mem;
  return p;
}

inline PodInfoPtr pod_info(const json::object& p) {
  return PodInfo::from_json(std::make_shared<const json::object>(p));
}

// A pod already on `node`.
inline PodInfoPtr bound(json::object p, const std::string& node) {
  p["spec"].as_object()["nodeName"] = node;
  return pod_info(p);
}

inline json::value& at(json::object& o, std::initializer_list<std::string_view> path) {
  return *find_path(o, path);
}

}  // namespace skiff::scheduler::testing
