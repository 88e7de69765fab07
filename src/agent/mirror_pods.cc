#include "agent/mirror_pods.h"

#include <fstream>
#include <iterator>

#include "common/log.h"
#include "common/time.h"

namespace skiff::agent {
namespace {
using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

std::vector<std::string> own_argv() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> argv;
  for (size_t start = 0; start < all.size();) {
    size_t end = all.find('\0', start);
    if (end == std::string::npos) end = all.size();
    argv.push_back(all.substr(start, end - start));
    start = end + 1;
  }
  if (argv.empty()) argv.push_back("skiff");
  return argv;
}

std::string ready_of(const json::object& status) {
  if (const auto* conds = find_path(status, {"conditions"}); conds && conds->is_array())
    for (const auto& c : conds->get_array())
      if (get_string(c, {"type"}) == "Ready") return get_string(c, {"status"});
  return "";
}

std::string first_image(const json::object& pod) {
  const auto* cs = find_path(pod, {"spec", "containers"});
  if (!cs || !cs->is_array() || cs->get_array().empty()) return "";
  return get_string(cs->get_array()[0], {"image"});
}

std::string owner_uid(const json::object& pod) {
  const auto* refs = find_path(pod, {"metadata", "ownerReferences"});
  if (!refs || !refs->is_array()) return "";
  for (const auto& r : refs->get_array())
    if (get_string(r, {"kind"}) == "Node") return get_string(r, {"uid"});
  return "";
}

json::object status_of(const json::object& pod) {
  const auto* s = find_path(pod, {"status"});
  return s && s->is_object() ? s->get_object() : json::object{};
}
}  // namespace

MirrorPods::MirrorPods(NodeContext& ctx, std::vector<std::string> components)
    : ctx_(ctx), components_(std::move(components)), command_(own_argv()) {}

MirrorPods::~MirrorPods() { stop(); }

void MirrorPods::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { loop(); });
}

void MirrorPods::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void MirrorPods::observe(const json::object& pod) {
  if (get_string(pod, {"metadata", "namespace"}) != kMirrorNamespace) return;
  {
    std::lock_guard lock(mu_);
    if (deleted_uids_.count(get_string(pod, {"metadata", "uid"}))) return;
    live_[get_string(pod, {"metadata", "name"})] = pod;
    dirty_ = true;
  }
  cv_.notify_all();
}

void MirrorPods::deleted(const json::object& pod) {
  {
    std::lock_guard lock(mu_);
    auto it = live_.find(get_string(pod, {"metadata", "name"}));
    if (it != live_.end() &&
        get_string(it->second, {"metadata", "uid"}) == get_string(pod, {"metadata", "uid"}))
      live_.erase(it);
    dirty_ = true;
  }
  cv_.notify_all();
}

std::optional<std::string> MirrorPods::log_path(const std::string& ns, const std::string& name,
                                                const std::string& container) const {
  if (ns != kMirrorNamespace) return std::nullopt;
  for (const auto& c : components_)
    if (container == c && name == c + "-" + ctx_.options.node_name) return component_log_path(c);
  return std::nullopt;
}

MirrorFacts MirrorPods::facts(const std::string& component) const {
  return MirrorFacts{component, ctx_.options.node_name, node_uid_, ctx_.host_ip, command_};
}

// kube-apiserver: its own readiness endpoint, asked over the network as upstream's kubelet
// probes it (the node's client reaches the server the way every client does); the others:
// the heartbeats their loops report in this process (common/health.h).
health::Report MirrorPods::probe(const std::string& component) {
  health::Report r = health::check(component);
  if (component != "kube-apiserver") return r;
  auto res = ctx_.client->request("GET", "/readyz");
  r.running = true;
  r.healthy = static_cast<bool>(res);
  r.message = res ? "" : "GET /readyz: " + res.error().message;
  return r;
}

void MirrorPods::loop() {
  auto next_probe = Steady::now();
  auto retry_at = Steady::time_point::max();
  std::unique_lock lock(mu_);
  while (!stopping_) {
    cv_.wait_until(lock, std::min(next_probe, retry_at), [&] { return stopping_ || dirty_; });
    if (stopping_) break;
    const auto now = Steady::now();
    const bool probe = now >= next_probe;
    if (probe) next_probe = now + kProbePeriod;
    dirty_ = false;
    lock.unlock();
    bool ok = false;
    try {
      sync(probe);
      ok = true;
    } catch (const std::exception& e) {
      SKIFF_LOG(WARN) << "agent: mirror pods: " << e.what();
    }
    retry_at = ok ? Steady::time_point::max() : Steady::now() + 1s;
    for (const auto& [name, t] : hold_until_) retry_at = std::min(retry_at, t);
    lock.lock();
  }
}

void MirrorPods::sync(bool probe) {
  auto& cl = *ctx_.client;
  const auto& node = ctx_.options.node_name;
  // Re-read at every probe: a Node deleted and registered again has a new uid, and mirror pods
  // owned by the old one are replaced (podgc would otherwise leave them to a missing owner).
  if (node_uid_.empty() || probe) {
    auto n = cl.get(core_resource("nodes"), "", node);
    if (!n) throw std::runtime_error("node " + node + " not registered yet: " + n.error().message);
    node_uid_ = get_string(*n, {"metadata", "uid"});
  }
  for (const auto& c : components_)
    if (probe || !health_.count(c)) health_[c] = this->probe(c);
  std::map<std::string, json::object> live;
  {
    std::lock_guard lock(mu_);
    live = live_;
  }
  std::set<std::string> ours;
  for (const auto& c : components_) {
    auto f = facts(c);
    const std::string name = mirror_pod_name(f);
    ours.insert(name);
    auto it = live.find(name);
    sync_one(c, it == live.end() ? nullptr : &it->second);
  }
  // Mirror pods of components this agent no longer runs (upstream: orphaned mirror pods).
  for (const auto& [name, pod] : live) {
    if (ours.count(name) || !is_mirror_pod(pod)) continue;
    SKIFF_LOG(INFO) << "agent: deleting mirror pod " << kMirrorNamespace << "/" << name
                    << " of a component this node does not run";
    auto r = cl.remove(core_resource("pods"), kMirrorNamespace, name,
                       json::object{{"gracePeriodSeconds", 0},
                                    {"preconditions", json::object{{"uid", get_string(pod, {"metadata", "uid"})}}}});
    if (!r && r.error().code != 404 && r.error().code != 409)
      throw std::runtime_error("deleting mirror pod " + name + ": " + r.error().message);
  }
}

void MirrorPods::sync_one(const std::string& component, const json::object* live) {
  auto& cl = *ctx_.client;
  const auto& pods = core_resource("pods");
  const MirrorFacts f = facts(component);
  const std::string name = mirror_pod_name(f), hash = mirror_hash(f);
  json::object pod;
  if (live) {
    const std::string uid = get_string(*live, {"metadata", "uid"});
    const bool deleting = find_path(*live, {"metadata", "deletionTimestamp"}) != nullptr;
    const bool outdated =
        get_string(*live, {"metadata", "annotations", kMirrorAnnotation}) != hash ||
        first_image(*live) != mirror_image(component) ||
        owner_uid(*live) != node_uid_;
    if (deleting || outdated) {
      // As upstream's kubelet: a mirror pod being deleted, or not matching what runs, is
      // deleted for good (grace 0, this uid only) and created anew.
      SKIFF_LOG(INFO) << "agent: mirror pod " << kMirrorNamespace << "/" << name << " "
                      << (deleting ? "deleted" : "outdated") << "; recreating it";
      auto r = cl.remove(pods, kMirrorNamespace, name,
                         json::object{{"gracePeriodSeconds", 0},
                                      {"preconditions", json::object{{"uid", uid}}}});
      if (!r && r.error().code != 404 && r.error().code != 409)
        throw std::runtime_error("deleting mirror pod " + name + ": " + r.error().message);
      std::lock_guard lock(mu_);
      if (deleted_uids_.size() > 256) deleted_uids_.clear();
      deleted_uids_.insert(uid);
      live_.erase(name);
      written_.erase(uid);
      live = nullptr;
      // The new one comes a moment later, as upstream's does on the pod worker's next sync:
      // `kubectl delete` waits for the name to go, and a pod of that name back within the
      // same millisecond looks to it like the one it deleted (it then waits for a DELETED
      // event that never comes).
      hold_until_[name] = Steady::now() + kRecreateDelay;
      return;
    } else {
      pod = *live;
    }
  }
  if (!live) {
    if (auto h = hold_until_.find(name); h != hold_until_.end()) {
      if (Steady::now() < h->second) return;
      hold_until_.erase(h);
    }
    auto created = cl.create(pods, kMirrorNamespace, mirror_pod(f));
    if (!created && created.error().code == 409) created = cl.get(pods, kMirrorNamespace, name);
    if (!created) throw std::runtime_error("creating mirror pod " + name + ": " + created.error().message);
    pod = std::move(*created);
    SKIFF_LOG(INFO) << "agent: mirror pod " << kMirrorNamespace << "/" << name << " (uid "
                    << get_string(pod, {"metadata", "uid"}) << ")";
    std::lock_guard lock(mu_);
    live_[name] = pod;
  }
  // The status: what we last wrote for this uid is the base for transition times (the
  // informer's copy may lag behind our own write); written again when it changed or when the
  // API's copy disagrees about Ready (someone else wrote it, e.g. the node lifecycle controller).
  const std::string uid = get_string(pod, {"metadata", "uid"});
  const json::object api_status = status_of(pod);
  auto w = written_.find(uid);
  const json::object& base = w != written_.end() ? w->second : api_status;
  const auto& h = health_[component];
  json::object st = mirror_status(f, h, base, std::chrono::system_clock::now());
  const bool changed = w == written_.end() || json::serialize(st) != json::serialize(w->second);
  if (!changed && (api_status.empty() || ready_of(api_status) == ready_of(st))) return;
  auto r = cl.patch(pods, kMirrorNamespace, name, "application/merge-patch+json",
                    json::object{{"status", st}}, "status");
  if (!r) {
    if (r.error().code == 404) return;  // deleted meanwhile: the informer brings the news
    throw std::runtime_error("status of mirror pod " + name + ": " + r.error().message);
  }
  if (!h.healthy && (w == written_.end() || ready_of(w->second) == "True"))
    ctx_.event(pod, "Warning", "Unhealthy", "Readiness probe failed: " + h.message,
               "spec.containers{" + component + "}");
  written_[uid] = std::move(st);
}

}  // namespace skiff::agent
