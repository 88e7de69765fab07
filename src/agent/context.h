// What every pod worker of one agent shares: the API client, the image service, the runtime,
// the pod network, the node's facts and an event recorder. Owned by the Agent; outlives workers.
#pragma once
#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "agent/agent.h"
#include "agent/start_gate.h"
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
  // Set before the node loop starts, constant after: annotations the Node carries (the vxlan
  // backend's, flannel.h) and the MTU of pod interfaces (0: the runtime's default).
  json::object node_annotations;
  int pod_mtu = 0;
  // Closed by Agent::stop before anything else: no container is created or started after.
  StartGate start_gate;

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
  // does (source component "kubelet", host = node). Events are written by a background thread
  // (started by start_events()) so a pod start does not wait for them, as upstream's recorder;
  // failures are logged, never fatal. Without the thread nothing is recorded.
  void event(const json::object& pod, const std::string& type, const std::string& reason,
             const std::string& message, const std::string& field_path = "") const;
  void start_events();
  void stop_events();  // writes what is queued, then stops

 private:
  void event_loop();

  mutable std::mutex mu_;  // guards network_, allocatable_ and the event queue
  mutable std::condition_variable events_cv_;
  std::shared_ptr<runtime::PodNetwork> network_;
  json::object allocatable_;
  mutable std::deque<json::object> events_;
  bool events_running_ = false, events_stop_ = false;
  std::thread events_thread_;
};

}  // namespace skiff::agent
