// What every pod worker of one agent shares: the API client, the image service, the runtime,
// the pod network, the node's facts and an event recorder. Owned by the Agent; outlives workers.
#pragma once
#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "agent/agent.h"
#include "api/resources.h"
#include "client/client.h"
#include "common/json.h"
#include "images/images.h"
#include "runtime/host.h"
#include "runtime/runtime.h"
#include "runtime/sandbox.h"

namespace skiff::agent {

// A core/v1 resource (pods, events, configmaps, ...); a missing one is a programming error.
inline const api::ResourceInfo& core_resource(const std::string& name) {
  return *api::find_resource("", "v1", name);
}

class NodeContext {
 public:
  AgentOptions options;
  client::Client* client = nullptr;
  images::ImageService* images = nullptr;
  runtime::Runtime* runtime = nullptr;
  runtime::HostInfo host;
  std::string host_ip;

  // The pod network once the node's podCIDR is known; nullptr before.
  std::shared_ptr<runtime::PodNetwork> network() const {
    std::lock_guard lock(mu_);
    return network_;
  }
  void set_network(std::shared_ptr<runtime::PodNetwork> n) {
    std::lock_guard lock(mu_);
    network_ = std::move(n);
  }
  json::object allocatable() const {
    std::lock_guard lock(mu_);
    return allocatable_;
  }
  void set_allocatable(json::object a) {
    std::lock_guard lock(mu_);
    allocatable_ = std::move(a);
  }

  // <data_dir>/pods/<uid>
  std::string pod_dir(const std::string& uid) const { return options.data_dir + "/pods/" + uid; }

  // Records a core/v1 Event about `pod` (fieldPath e.g. "spec.containers{web}"), as the kubelet
  // does (source component "kubelet", host = node). Failures are logged, never fatal.
  void event(const json::object& pod, const std::string& type, const std::string& reason,
             const std::string& message, const std::string& field_path = "") const;

 private:
  mutable std::mutex mu_;  // guards network_ and allocatable_
  std::shared_ptr<runtime::PodNetwork> network_;
  json::object allocatable_;
};

}  // namespace skiff::agent
