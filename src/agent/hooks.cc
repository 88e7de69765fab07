#include "agent/hooks.h"

#include <thread>

namespace skiff::agent {

std::string run_hook(const json::object& handler, const json::object& container,
                     const std::string& pod_ip, const ExecFn& exec,
                     std::chrono::milliseconds timeout) {
  if (const auto* cmd = find_path(handler, {"exec", "command"}); cmd && cmd->is_array()) {
    std::vector<std::string> argv;
    for (const auto& a : cmd->get_array())
      if (a.is_string()) argv.emplace_back(a.get_string());
    std::string out;
    bool timed_out = false;
    int code = exec(argv, timeout, &out, &timed_out);
    if (timed_out) return "command timed out";
    if (code != 0) return "command exited with " + std::to_string(code) + ": " + out;
    return "";
  }
  if (const auto* h = find_path(handler, {"httpGet"}); h && h->is_object()) {
    auto secs = std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::seconds>(timeout).count());
    json::object probe{{"httpGet", h->get_object()}, {"timeoutSeconds", secs}};
    auto r = run_probe(probe, container, pod_ip, exec);
    return r.result == ProbeResult::kSuccess ? "" : r.message;
  }
  if (const auto* s = find_path(handler, {"sleep", "seconds"}); s && s->is_int64()) {
    std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(
        std::chrono::seconds(s->get_int64()), timeout));
    return "";
  }
  return "no handler (exec, httpGet or sleep) given";
}

}  // namespace skiff::agent
