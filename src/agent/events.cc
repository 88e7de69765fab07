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
  auto res = client->create(core_resource("events"), ns, ev);
  if (!res) {
    SKIFF_LOG(WARN) << "event " << reason << " for pod " << name << ": " << res.error().message;
  }
}

}  // namespace skiff::agent
