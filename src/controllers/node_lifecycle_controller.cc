// The node lifecycle controller and its NoExecute taint manager (see nodes.h), and the
// NoExecute eviction and node-condition logic they share.
#include <algorithm>
#include <cstdio>

#include "common/health.h"
#include "common/log.h"
#include "controllers/nodes.h"

namespace skiff::controllers {
namespace {
using client::ObjectPtr;
using steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr const char* kStrategicMerge = "application/strategic-merge-patch+json";
constexpr const char* kMergePatch = "application/merge-patch+json";
constexpr const char* kLeaseNamespace = "kube-node-lease";

// Conditions the node lifecycle controller turns Unknown when the kubelet goes quiet.
constexpr const char* kHealthConditions[] = {"Ready", "MemoryPressure", "DiskPressure",
                                             "PIDPressure"};

// Condition (type, status) -> NoSchedule taint key, as upstream's TaintNodesByCondition.
struct ConditionTaint {
  const char* type;
  const char* status;
  const char* key;
};
constexpr ConditionTaint kNoScheduleTaints[] = {
    {"Ready", "False", kTaintNotReady},
    {"Ready", "Unknown", kTaintUnreachable},
    {"MemoryPressure", "True", "node.kubernetes.io/memory-pressure"},
    {"DiskPressure", "True", "node.kubernetes.io/disk-pressure"},
    {"PIDPressure", "True", "node.kubernetes.io/pid-pressure"},
    {"NetworkUnavailable", "True", "node.kubernetes.io/network-unavailable"},
};

bool is_owned_taint(const std::string& key, const std::string& effect) {
  if (effect == "NoExecute") return key == kTaintNotReady || key == kTaintUnreachable;
  if (effect != "NoSchedule") return false;
  if (key == kTaintUnschedulable) return true;
  for (const auto& ct : kNoScheduleTaints)
    if (key == ct.key) return true;
  return false;
}

bool pod_terminal(const json::object& pod) {
  auto phase = get_string(pod, {"status", "phase"});
  return phase == "Succeeded" || phase == "Failed";
}

void write_event(client::Client& c, const json::object& pod, const char* reason,
                 const std::string& message) {
  json::object involved = pod;  // kind and apiVersion for the event's reference
  involved["kind"] = "Pod";
  involved["apiVersion"] = "v1";
  auto r = c.create(resource("", "events"), ns_of(pod),
                    make_event(involved, "Normal", reason, message, "taint-eviction-controller"));
  if (!r) {
    SKIFF_LOG(DEBUG) << "event " << reason << " not written: " << r.error().message;
  }
}
}  // namespace

// ---- NoExecute taints ----

NoExecuteDecision noexecute_decision(const std::vector<Taint>& taints,
                                     const std::vector<Toleration>& tolerations,
                                     Clock::time_point now) {
  NoExecuteDecision d;
  for (const auto& taint : taints) {
    if (taint.effect != "NoExecute") continue;
    // Upstream takes the first toleration that matches each taint.
    const Toleration* used = nullptr;
    for (const auto& t : tolerations)
      if (t.tolerates(taint)) {
        used = &t;
        break;
      }
    if (!used) return NoExecuteDecision{true, {}};
    if (!used->seconds) continue;  // tolerated forever
    auto at = taint.time_added.value_or(now) + std::chrono::seconds(std::max<int64_t>(*used->seconds, 0));
    if (at <= now) return NoExecuteDecision{true, {}};
    if (!d.evict_at || at < *d.evict_at) d.evict_at = at;
  }
  return d;
}

// ---- node conditions ----

std::string condition_status(const json::object& obj, std::string_view type) {
  const json::value* cs = find_path(obj, {"status", "conditions"});
  if (!cs || !cs->is_array()) return "";
  for (const auto& c : cs->as_array())
    if (get_string(c, {"type"}) == type) return get_string(c, {"status"});
  return "";
}

json::array conditions_unknown(const json::array& conditions, Clock::time_point now,
                               bool* changed) {
  json::array out = conditions;
  const std::string ts = format_rfc3339(now);
  *changed = false;
  for (const char* type : kHealthConditions) {
    json::object* found = nullptr;
    for (auto& c : out)
      if (c.is_object() && get_string(c, {"type"}) == type) found = &c.as_object();
    if (!found) {
      out.push_back(json::object{{"type", type},
                                 {"status", "Unknown"},
                                 {"reason", "NodeStatusNeverUpdated"},
                                 {"message", "Kubelet never posted node status."},
                                 {"lastHeartbeatTime", ts},
                                 {"lastTransitionTime", ts}});
      *changed = true;
      continue;
    }
    if (get_string(*found, {"status"}) == "Unknown") continue;
    (*found)["status"] = "Unknown";
    (*found)["reason"] = "NodeStatusUnknown";
    (*found)["message"] = "Kubelet stopped posting node status.";
    (*found)["lastTransitionTime"] = ts;
    *changed = true;
  }
  return out;
}

json::array reconcile_condition_taints(const json::object& node, Clock::time_point now,
                                       bool* changed) {
  // The owned taints the node should have, as "key\x1feffect".
  std::vector<std::pair<std::string, std::string>> want;
  for (const auto& ct : kNoScheduleTaints)
    if (condition_status(node, ct.type) == ct.status) want.emplace_back(ct.key, "NoSchedule");
  if (const json::value* u = find_path(node, {"spec", "unschedulable"}); u && u->is_bool() && u->as_bool())
    want.emplace_back(kTaintUnschedulable, "NoSchedule");
  const std::string ready = condition_status(node, "Ready");
  if (ready == "False") want.emplace_back(kTaintNotReady, "NoExecute");
  if (ready == "Unknown") want.emplace_back(kTaintUnreachable, "NoExecute");

  json::array out;
  std::vector<std::pair<std::string, std::string>> have;
  *changed = false;
  if (const json::value* ts = find_path(node, {"spec", "taints"}); ts && ts->is_array()) {
    for (const auto& t : ts->as_array()) {
      std::pair<std::string, std::string> ke{get_string(t, {"key"}), get_string(t, {"effect"})};
      if (is_owned_taint(ke.first, ke.second) &&
          std::find(want.begin(), want.end(), ke) == want.end()) {
        *changed = true;  // an owned taint whose condition is gone
        continue;
      }
      have.push_back(ke);
      out.push_back(t);
    }
  }
  for (const auto& ke : want) {
    if (std::find(have.begin(), have.end(), ke) != have.end()) continue;
    json::object t{{"key", ke.first}, {"effect", ke.second}};
    if (ke.second == "NoExecute") t["timeAdded"] = format_rfc3339(now);
    out.push_back(std::move(t));
    *changed = true;
  }
  return out;
}

// ---- PeriodicController ----

namespace {
constexpr std::chrono::milliseconds kLoopSlack{10000};
}

PeriodicController::~PeriodicController() { stop(); }

void PeriodicController::run() {
  thread_ = std::thread([this] {
    std::unique_lock lk(mu_);
    while (!stopping_) {
      lk.unlock();
      std::chrono::milliseconds wait = 1s;
      try {
        wait = tick();
      } catch (const std::exception& e) {
        SKIFF_LOG(WARN) << name_ << ": " << e.what();
      }
      // The controller manager's health (its mirror pod's Ready, common/health.h): every
      // periodic loop must come round within its period plus kLoopSlack.
      health::beat("kube-controller-manager", name_, std::max(wait, 10ms) + kLoopSlack);
      lk.lock();
      cv_.wait_for(lk, std::max(wait, 10ms), [this] { return stopping_; });
    }
  });
}

void PeriodicController::stop() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  health::forget("kube-controller-manager", name_);
}

// ---- NodeLifecycleController ----

NodeLifecycleController::NodeLifecycleController(client::Client& c, InformerFactory& inf,
                                                 const ControllerOptions& o)
    : PeriodicController("node-lifecycle"),
      client_(c),
      nodes_(inf.get("", "nodes")),
      leases_(inf.get("coordination.k8s.io", "leases")),
      pods_(inf.get("", "pods")),
      grace_(o.node_monitor_grace_period),
      // Look often enough that a node is judged within a fraction of its grace period.
      period_(std::clamp<std::chrono::milliseconds>(
          std::min(o.node_monitor_period, o.node_monitor_grace_period / 4), 100ms, 1h)) {}

json::object NodeLifecycleController::update_health(const json::object& node, steady::time_point now) {
  const std::string name = name_of(node);
  std::string renew;
  if (auto lease = leases_.get(std::string(kLeaseNamespace) + "/" + name))
    renew = get_string(*lease, {"spec", "renewTime"});
  std::string heartbeat;
  if (const json::value* cs = find_path(node, {"status", "conditions"}); cs && cs->is_array())
    for (const auto& c : cs->as_array())
      if (get_string(c, {"type"}) == "Ready") heartbeat = get_string(c, {"lastHeartbeatTime"});
  auto [it, fresh] = probes_.try_emplace(name, Probe{renew, heartbeat, now});
  Probe& p = it->second;
  if (!fresh && (p.lease_renew != renew || p.ready_heartbeat != heartbeat)) {
    p.lease_renew = renew;
    p.ready_heartbeat = heartbeat;
    p.observed = now;
  }
  if (now - p.observed < grace_) return node;
  const json::value* cs = find_path(node, {"status", "conditions"});
  bool changed = false;
  json::array conds = conditions_unknown(cs && cs->is_array() ? cs->as_array() : json::array{},
                                         Clock::now(), &changed);
  if (!changed) return node;
  json::object upd = node;
  ensure_object(upd, "status")["conditions"] = std::move(conds);
  auto res = client_.update(resource("", "nodes"), "", name, upd, "status");
  if (!res) {
    SKIFF_LOG(INFO) << "node-lifecycle: marking node " << name << " unknown: " << res.error().message;
    return node;
  }
  SKIFF_LOG(INFO) << "node-lifecycle: node " << name << " stopped heartbeating for "
                  << std::chrono::duration_cast<std::chrono::seconds>(now - p.observed).count()
                  << "s; Ready=Unknown";
  return std::move(*res);
}

void NodeLifecycleController::mark_pods_not_ready(const std::vector<ObjectPtr>& pods) {
  const std::string ts = format_rfc3339(Clock::now());
  for (const auto& p : pods) {
    if (condition_status(*p, "Ready") != "True" || pod_terminal(*p)) continue;
    json::object patch{
        {"status", json::object{{"conditions", json::array{json::object{
                                                   {"type", "Ready"},
                                                   {"status", "False"},
                                                   {"lastTransitionTime", ts}}}}}}};
    auto r = client_.patch(resource("", "pods"), ns_of(*p), name_of(*p), kStrategicMerge, patch,
                           "status");
    if (!r && r.error().code != 404) {
      SKIFF_LOG(INFO) << "node-lifecycle: marking pod " << name_of(*p)
                      << " not ready: " << r.error().message;
    }
  }
}

void NodeLifecycleController::evict(const json::object& pod, const std::string& node) {
  const std::string ns = ns_of(pod), name = name_of(pod);
  SKIFF_LOG(INFO) << "taint-eviction: deleting pod " << ns << "/" << name << " from node " << node;
  json::object patch{
      {"status", json::object{{"conditions",
                               json::array{json::object{
                                   {"type", "DisruptionTarget"},
                                   {"status", "True"},
                                   {"reason", "DeletionByTaintManager"},
                                   {"message", "Taint manager: deleting due to NoExecute taint"},
                                   {"lastTransitionTime", format_rfc3339(Clock::now())}}}}}}};
  auto p = client_.patch(resource("", "pods"), ns, name, kStrategicMerge, patch, "status");
  if (!p) {
    if (p.error().code != 404) {
      SKIFF_LOG(INFO) << "taint-eviction: condition on " << name << ": " << p.error().message;
    }
    if (p.error().code == 404) return;
  }
  write_event(client_, pod, "TaintManagerEviction", "Marking for deletion Pod " + ns + "/" + name);
  auto r = client_.remove(resource("", "pods"), ns, name,
                          json::object{{"preconditions", json::object{{"uid", uid_of(pod)}}}});
  if (!r && r.error().code != 404) {
    SKIFF_LOG(INFO) << "taint-eviction: delete " << name << ": " << r.error().message;
  }
}

std::chrono::milliseconds NodeLifecycleController::tick() {
  if (!nodes_.synced() || !leases_.synced() || !pods_.synced()) return period_;
  const auto now = steady::now();
  const auto wall = Clock::now();
  std::map<std::string, std::vector<ObjectPtr>> pods_by_node;
  for (const auto& p : pods_.list()) {
    auto n = get_string(*p, {"spec", "nodeName"});
    if (!n.empty()) pods_by_node[n].push_back(p);
  }
  std::chrono::milliseconds next = period_;
  std::map<std::string, bool> present;
  std::map<std::string, Clock::time_point> seen_now;
  for (const auto& n : nodes_.list()) {
    const std::string name = name_of(*n);
    present[name] = true;
    json::object node = update_health(*n, now);
    auto& on_node = pods_by_node[name];

    // Condition taints (NoSchedule and NoExecute) follow the conditions.
    bool changed = false;
    json::array taints = reconcile_condition_taints(node, wall, &changed);
    if (changed) {
      json::object patch{
          {"metadata", json::object{{"resourceVersion",
                                     get_string(node, {"metadata", "resourceVersion"})}}},
          {"spec", json::object{{"taints", taints}}}};
      auto r = client_.patch(resource("", "nodes"), "", name, kMergePatch, patch);
      if (r) {
        node = std::move(*r);
      } else {
        SKIFF_LOG(DEBUG) << "node-lifecycle: taints of " << name << ": " << r.error().message;
      }
    }
    if (condition_status(node, "Ready") != "True") mark_pods_not_ready(on_node);

    // Taint manager.
    std::vector<Taint> ts = parse_taints(find_path(node, {"spec", "taints"}));
    bool any_noexecute = false;
    for (auto& t : ts) {
      if (t.effect != "NoExecute") continue;
      any_noexecute = true;
      if (t.time_added) continue;
      const std::string k = name + "\x1f" + t.key + "\x1f" + t.effect;
      auto it = taint_seen_.find(k);
      t.time_added = it == taint_seen_.end() ? wall : it->second;
      seen_now[k] = *t.time_added;
    }
    if (!any_noexecute) continue;
    for (const auto& p : on_node) {
      if (find_path(*p, {"metadata", "deletionTimestamp"})) continue;
      auto tols = parse_tolerations(find_path(*p, {"spec", "tolerations"}));
      auto d = noexecute_decision(ts, tols, wall);
      if (d.evict_now) {
        evict(*p, name);
      } else if (d.evict_at) {
        next = std::min(next, std::chrono::duration_cast<std::chrono::milliseconds>(
                                  *d.evict_at - wall + 50ms));
      }
    }
  }
  taint_seen_ = std::move(seen_now);
  for (auto it = probes_.begin(); it != probes_.end();)
    it = present.count(it->first) ? std::next(it) : probes_.erase(it);
  return next;
}

}  // namespace skiff::controllers
