// NodeContext::event: core/v1 Events as the kubelet records them.
#include <atomic>
#include <cstdio>

#include "agent/context.h"
#include "api/resources.h"
#include "common/log.h"
#include "common/time.h"

namespace skiff::agent {

void NodeContext::event(const json::object& pod, const std::string& type,
                        const std::string& reason, const std::string& message,
                        const std::string& field_path) const {
  static std::atomic<uint64_t> seq{0};
  const auto now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  char hex[32];
  std::snprintf(hex, sizeof hex, "%llx", static_cast<unsigned long long>(now_ns) + seq++);
  const std::string ns = get_string(pod, {"metadata", "namespace"}, "default");
  const std::string name = get_string(pod, {"metadata", "name"});
  json::object ref{{"apiVersion", "v1"},
                   {"kind", "Pod"},
                   {"namespace", ns},
                   {"name", name},
                   {"uid", get_string(pod, {"metadata", "uid"})},
                   {"resourceVersion", get_string(pod, {"metadata", "resourceVersion"})}};
  if (!field_path.empty()) ref["fieldPath"] = field_path;
  const std::string now = now_rfc3339();
  json::object ev{{"apiVersion", "v1"},
                  {"kind", "Event"},
                  {"metadata", json::object{{"name", name + "." + hex}, {"namespace", ns}}},
                  {"involvedObject", std::move(ref)},
                  {"reason", reason},
                  {"message", message},
                  {"type", type},
                  {"source", json::object{{"component", "kubelet"}, {"host", options.node_name}}},
                  {"firstTimestamp", now},
                  {"lastTimestamp", now},
                  {"count", 1},
                  {"reportingComponent", "kubelet"},
                  {"reportingInstance", options.node_name}};
  std::lock_guard lock(mu_);
  if (!events_running_ || events_.size() >= 1000) return;  // upstream's recorder drops too
  events_.push_back(std::move(ev));
  events_cv_.notify_one();
}

void NodeContext::start_events() {
  std::lock_guard lock(mu_);
  if (events_running_) return;
  events_running_ = true;
  events_stop_ = false;
  events_thread_ = std::thread([this] { event_loop(); });
}

void NodeContext::stop_events() {
  {
    std::lock_guard lock(mu_);
    if (!events_running_) return;
    events_stop_ = true;
  }
  events_cv_.notify_one();
  events_thread_.join();
  std::lock_guard lock(mu_);
  events_running_ = false;
}

void NodeContext::event_loop() {
  std::unique_lock lock(mu_);
  while (true) {
    events_cv_.wait(lock, [&] { return events_stop_ || !events_.empty(); });
    if (events_.empty()) return;  // stopping and drained
    json::object ev = std::move(events_.front());
    events_.pop_front();
    lock.unlock();
    auto res = client->create(core_resource("events"), get_string(ev, {"metadata", "namespace"}), ev);
    if (!res) {
      SKIFF_LOG(WARN) << "event " << get_string(ev, {"reason"}) << " for pod "
                      << get_string(ev, {"involvedObject", "name"}) << ": " << res.error().message;
    }
    lock.lock();
  }
}

}  // namespace skiff::agent
