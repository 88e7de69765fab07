#include "common/health.h"

#include <map>
#include <mutex>

namespace skiff::health {
namespace {
struct Source {
  bool ok = true;
  std::string message;
  Steady::time_point last;
  std::chrono::milliseconds max_age{0};
};
struct Component {
  std::map<std::string, Source, std::less<>> sources;
  std::chrono::system_clock::time_point started;  // kept when every source is forgotten
};
std::mutex mu;                                        // guards components
std::map<std::string, Component, std::less<>> components;

Component& component_of(std::string_view name) {
  auto it = components.find(name);
  if (it == components.end()) {
    it = components.emplace(std::string(name), Component{}).first;
    it->second.started = std::chrono::system_clock::now();
  }
  return it->second;
}

void report(std::string_view component, std::string_view source, Source s) {
  std::lock_guard lock(mu);
  auto& c = component_of(component);
  auto it = c.sources.find(source);
  if (it == c.sources.end()) it = c.sources.emplace(std::string(source), Source{}).first;
  it->second = std::move(s);
}
}  // namespace

void beat(std::string_view component, std::string_view source, std::chrono::milliseconds max_age,
          Steady::time_point now) {
  report(component, source, Source{true, "", now, max_age});
}

void fail(std::string_view component, std::string_view source, std::string_view message,
          Steady::time_point now) {
  report(component, source, Source{false, std::string(message), now, std::chrono::milliseconds(0)});
}

void forget(std::string_view component, std::string_view source) {
  std::lock_guard lock(mu);
  auto it = components.find(component);
  if (it == components.end()) return;
  auto s = it->second.sources.find(source);
  if (s != it->second.sources.end()) it->second.sources.erase(s);
}

Report check(std::string_view component, Steady::time_point now) {
  Report r;
  std::lock_guard lock(mu);
  auto it = components.find(component);
  if (it == components.end() || it->second.sources.empty()) {
    if (it != components.end()) r.started = it->second.started;
    r.message = std::string(component) + " is not running";
    return r;
  }
  r.running = true;
  r.started = it->second.started;
  r.healthy = true;
  for (const auto& [name, s] : it->second.sources) {
    std::string why;
    if (!s.ok) {
      why = name + ": " + s.message;
    } else if (s.max_age.count() > 0 && now - s.last > s.max_age) {
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - s.last).count();
      why = name + ": no heartbeat for " + std::to_string(ms / 1000) + "." +
            std::to_string(ms % 1000 / 100) + "s (limit " +
            std::to_string(s.max_age.count() / 1000) + "s)";
    }
    if (why.empty()) continue;
    r.healthy = false;
    if (!r.message.empty()) r.message += "; ";
    r.message += why;
  }
  return r;
}

void reset_for_test() {
  std::lock_guard lock(mu);
  components.clear();
}

}  // namespace skiff::health
