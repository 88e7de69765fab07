// HollowNodes: registration, heartbeats and the pod loop of `skiff sim`. See sim.h.
#include <algorithm>

#include "common/log.h"
#include "common/uuid.h"
#include "sim/pod_lifecycle.h"
#include "sim/sim.h"

namespace skiff::sim {
namespace {

using steady = std::chrono::steady_clock;
constexpr const char* kMergePatch = "application/merge-patch+json";
constexpr const char* kLeaseNamespace = "kube-node-lease";

const api::ResourceInfo& resource(const char* group, const char* name) {
  const auto* r = api::find_resource(group, "v1", name);
  if (!r) {  // the registry is compiled in; a missing core kind is a broken build
    SKIFF_LOG(ERROR) << "resource " << name << " is not registered";
    std::abort();
  }
  return *r;
}
const api::ResourceInfo& nodes_r() { return resource("", "nodes"); }
const api::ResourceInfo& pods_r() { return resource("", "pods"); }
const api::ResourceInfo& leases_r() { return resource("coordination.k8s.io", "leases"); }
const api::ResourceInfo& namespaces_r() { return resource("", "namespaces"); }

// Errors a retry may cure: the server is busy, restarting or unreachable, or a write raced.
bool retryable(const ApiError& e) {
  return e.code == 429 || e.code >= 500 || e.reason == "Conflict";
}

ApiError prefixed(const ApiError& e, const std::string& what) {
  ApiError out = e;
  out.message = what + ": " + e.message;
  return out;
}

}  // namespace

HollowNodes::HollowNodes(client::Client& client, SimConfig cfg)
    : client_(client),
      cfg_(std::move(cfg)),
      plan_([&] {
        auto p = AddressPlan::make(cfg_.nodes, cfg_.pods);
        if (!p) {  // parse_sim_flags checked this; a caller passing an unchecked config is a bug
          SKIFF_LOG(ERROR) << p.error().message;
          std::abort();
        }
        return *p;
      }()),
      boot_id_(new_uuid()),
      nodes_(cfg_.nodes),
      registered_(new std::atomic<bool>[cfg_.nodes]),
      ips_(cfg_.nodes) {
  for (int i = 0; i < cfg_.nodes; ++i) {
    registered_[i].store(false);
    nodes_[i].name = node_name(cfg_, i);
    nodes_[i].internal_ip = plan_.internal_ip(i);
    index_.emplace(nodes_[i].name, i);
  }
}

HollowNodes::~HollowNodes() { stop(); }

int HollowNodes::node_index(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? -1 : it->second;
}

int HollowNodes::pod_node(const json::object& pod) const {
  const auto* n = find_path(pod, {"spec", "nodeName"});
  if (!n || !n->is_string() || n->get_string().empty()) return -1;
  return node_index(std::string(n->get_string()));
}

HollowNodes::Stats HollowNodes::stats() const {
  Stats s;
  s.nodes_registered = nodes_registered_.load();
  s.lease_renewals = lease_renewals_.load();
  s.heartbeat_errors = heartbeat_errors_.load();
  s.pods_started = pods_started_.load();
  s.pods_deleted = pods_deleted_.load();
  s.pods_finished = pods_finished_.load();
  s.pod_ips = static_cast<int64_t>(ips_.size());
  return s;
}

bool HollowNodes::sleep_until(steady::time_point deadline) {
  std::unique_lock lock(wait_mu_);
  wait_cv_.wait_until(lock, deadline, [&] { return stop_.load(); });
  return !stop_.load();
}

// ---- lifecycle ----

Status HollowNodes::start() {
  {
    std::lock_guard lock(life_mu_);
    if (started_ || stop_) return ApiError::internal("skiff sim: already started or stopped");
    started_ = true;
    // Heartbeats run from the start and skip nodes not registered yet, so a node registered
    // early in a long registration does not see its Lease expire before the last one is done.
    int shards = heartbeat_threads(cfg_);
    for (int s = 0; s < shards; ++s) threads_.emplace_back([this, s] { heartbeat_loop(s); });
  }

  // The lease namespace exists on a skiff server; other servers may need it made.
  for (int attempt = 0;; ++attempt) {
    auto ns = client_.create(namespaces_r(), "",
                             json::object{{"apiVersion", "v1"},
                                          {"kind", "Namespace"},
                                          {"metadata", json::object{{"name", kLeaseNamespace}}}});
    if (ns || ns.error().code == 409 || ns.error().code == 403) break;
    if (!retryable(ns.error()) || attempt >= 20)
      return ApiError::service_unavailable("cannot reach the API server: " + ns.error().message);
    if (!sleep_until(steady::now() + std::chrono::milliseconds(250 * std::min(attempt + 1, 8))))
      return ApiError::service_unavailable("stopped");
  }

  // Registration: several threads take node indices from a shared counter.
  std::atomic<int> next{0};
  std::mutex err_mu;
  std::optional<ApiError> first_error;  // guarded by err_mu
  int nthreads = std::max(1, std::min(cfg_.registration_threads, cfg_.nodes));
  std::atomic<int> running{nthreads};
  std::vector<std::thread> regs;
  for (int t = 0; t < nthreads; ++t)
    regs.emplace_back([&] {
      while (!stop_) {
        {
          std::lock_guard lock(err_mu);
          if (first_error) break;
        }
        int i = next.fetch_add(1);
        if (i >= cfg_.nodes) break;
        auto st = register_node(i);
        if (!st) {
          std::lock_guard lock(err_mu);
          if (!first_error && !stop_) first_error = st.error();
          break;
        }
      }
      if (--running == 0) {
        std::lock_guard lock(wait_mu_);
        wait_cv_.notify_all();
      }
    });
  auto began = steady::now();
  while (running > 0) {
    std::unique_lock lock(wait_mu_);
    wait_cv_.wait_for(lock, std::chrono::seconds(2), [&] { return running == 0; });
    if (running > 0) {
      SKIFF_LOG(INFO) << "registered " << nodes_registered_.load() << "/" << cfg_.nodes << " nodes";
    }
  }
  for (auto& t : regs) t.join();
  if (first_error) return *first_error;
  if (stop_) return ApiError::service_unavailable("stopped");
  SKIFF_LOG(INFO) << "registered " << cfg_.nodes << "/" << cfg_.nodes << " nodes in "
                  << std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - began)
                             .count()
                  << " ms";

  std::lock_guard lock(life_mu_);
  if (stop_) return ApiError::service_unavailable("stopped");
  informer_ = std::make_unique<client::Informer>(client_, pods_r());
  auto enqueue_if_ours = [this](const client::ObjectPtr& p) {
    if (p && pod_node(*p) >= 0) queue_.add(client::object_key(*p));
  };
  informer_->add_handlers(client::Handlers{
      enqueue_if_ours,
      [this, enqueue_if_ours](const client::ObjectPtr& old_obj, const client::ObjectPtr& new_obj) {
        if (new_obj && pod_node(*new_obj) >= 0) enqueue_if_ours(new_obj);
        else if (old_obj && pod_node(*old_obj) >= 0) queue_.add(client::object_key(*old_obj));
      },
      enqueue_if_ours});
  // Nodes: the podCIDR the node IPAM controller sets. Only our nodes are looked at; the
  // handler is a map lookup for the others.
  node_informer_ = std::make_unique<client::Informer>(client_, nodes_r());
  auto on_node = [this](const client::ObjectPtr& n) {
    if (!n) return;
    int i = node_index(get_string(*n, {"metadata", "name"}));
    if (i < 0) return;
    if (auto cidr = get_string(*n, {"spec", "podCIDR"}); !cidr.empty()) adopt_pod_cidr(i, cidr);
  };
  node_informer_->add_handlers(client::Handlers{
      on_node, [on_node](const client::ObjectPtr&, const client::ObjectPtr& n) { on_node(n); },
      nullptr});
  node_informer_->start();
  informer_->start();
  threads_.emplace_back([this] { pod_sync_loop(); });
  if (cfg_.pod_cidr_wait.count() > 0) threads_.emplace_back([this] { cidr_fallback_loop(); });
  for (int w = 0; w < cfg_.workers; ++w) threads_.emplace_back([this] { worker_loop(); });
  threads_.emplace_back([this] { report_loop(); });
  return ok_status();
}

void HollowNodes::stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(life_mu_);
    {
      std::lock_guard wl(wait_mu_);
      stop_ = true;
      wait_cv_.notify_all();
    }
    queue_.shutdown();
    if (informer_) informer_->stop();
    if (node_informer_) node_informer_->stop();
    threads.swap(threads_);
  }
  for (auto& t : threads)
    if (t.joinable()) t.join();
  std::lock_guard lock(life_mu_);
  informer_.reset();
  node_informer_.reset();
}

// ---- registration ----

Status HollowNodes::register_node(int index) {
  auto& st = nodes_[index];
  auto now = Clock::now();
  json::object node = make_node(cfg_, plan_, index, now, boot_id_);
  std::optional<ApiError> last;
  for (int attempt = 0; attempt < 12 && !stop_; ++attempt) {
    if (attempt > 0 &&
        !sleep_until(steady::now() + std::chrono::milliseconds(100 << std::min(attempt, 5))))
      break;
    auto created = client_.create(nodes_r(), "", node);
    json::object result;
    if (created) {
      result = std::move(*created);
    } else if (created.error().code == 409 && created.error().reason == "AlreadyExists") {
      // A restarted sim: take the node over as a restarted kubelet would. Labels and taints
      // become ours (other labels stay), a cordon stays, and the status is rewritten.
      auto cur = client_.get(nodes_r(), "", st.name);
      if (!cur) {
        last = cur.error();
        if (retryable(cur.error()) || cur.error().code == 404) continue;
        return cur.error();
      }
      json::object upd = *cur;
      auto& meta = ensure_object(upd, "metadata");
      auto& labels = ensure_object(meta, "labels");
      for (const auto& kv : node.at("metadata").as_object().at("labels").as_object())
        labels[kv.key()] = kv.value();
      auto& spec = ensure_object(upd, "spec");
      const auto& want = node.at("spec").as_object();
      // A podCIDR the node has (from node IPAM or an earlier run) is kept: pods use it.
      if (!spec.contains("podCIDR") && want.contains("podCIDR")) {
        spec["podCIDR"] = want.at("podCIDR");
        spec["podCIDRs"] = want.at("podCIDRs");
      }
      if (want.contains("taints")) spec["taints"] = want.at("taints");
      else spec.erase("taints");
      upd.erase("status");
      auto put = client_.update(nodes_r(), "", st.name, upd);
      if (!put) {
        last = put.error();
        if (retryable(put.error())) continue;
        return put.error();
      }
      result = std::move(*put);
    } else {
      last = created.error();
      if (retryable(created.error())) continue;
      return prefixed(created.error(), "registering node " + st.name);
    }
    // Servers that drop status on create (or an existing node) get it through nodes/status.
    if (!find_path(result, {"status", "nodeInfo", "bootID"}) ||
        get_string(result, {"status", "nodeInfo", "bootID"}) != boot_id_) {
      auto patched = client_.patch(nodes_r(), "", st.name, kMergePatch,
                                   json::object{{"status", node.at("status")}}, "status");
      if (!patched) {
        last = patched.error();
        if (retryable(patched.error())) continue;
        return patched.error();
      }
      result = std::move(*patched);
    }
    st.uid = get_string(result, {"metadata", "uid"});
    st.since = now;
    st.last_status = now;
    st.registered_at = steady::now();
    if (auto cidr = get_string(result, {"spec", "podCIDR"}); !cidr.empty())
      adopt_pod_cidr(index, cidr);
    auto lease = ensure_lease(index);
    if (!lease) {
      last = lease.error();
      if (retryable(lease.error())) continue;
      return lease.error();
    }
    registered_[index].store(true, std::memory_order_release);
    ++nodes_registered_;
    return ok_status();
  }
  if (stop_) return ApiError::service_unavailable("stopped");
  return last ? prefixed(*last, "registering node " + st.name)
              : ApiError::service_unavailable("registering node " + st.name + " failed");
}

Status HollowNodes::ensure_lease(int index) {
  const auto& st = nodes_[index];
  auto now = Clock::now();
  auto created = client_.create(leases_r(), kLeaseNamespace, make_lease(st.name, st.uid, now));
  if (created) return ok_status();
  if (created.error().code != 409) return created.error();
  json::object patch{{"spec", make_lease(st.name, st.uid, now).at("spec")}};
  auto patched = client_.patch(leases_r(), kLeaseNamespace, st.name, kMergePatch, patch);
  if (!patched) return patched.error();
  return ok_status();
}

// ---- heartbeats ----

void HollowNodes::heartbeat_loop(int shard) {
  // Node i renews at start + k*interval + i*interval/N: N nodes spread evenly over the window,
  // shard s handling the nodes i with i % shards == s.
  int shards = heartbeat_threads(cfg_);
  auto start = steady::now();
  auto interval = std::chrono::duration_cast<steady::duration>(cfg_.heartbeat_interval);
  for (int64_t round = 0; !stop_; ++round) {
    for (int i = shard; i < cfg_.nodes && !stop_; i += shards) {
      auto due = start + interval * round + interval * i / cfg_.nodes;
      if (!sleep_until(due)) return;
      if (!registered_[i].load(std::memory_order_acquire)) continue;
      heartbeat(i);
    }
  }
}

void HollowNodes::heartbeat(int index) {
  auto& st = nodes_[index];
  auto now = Clock::now();
  json::object patch{{"spec", json::object{{"holderIdentity", st.name},
                                           {"leaseDurationSeconds", 40},
                                           {"renewTime", format_rfc3339_micro(now)}}}};
  auto res = client_.patch(leases_r(), kLeaseNamespace, st.name, kMergePatch, patch);
  if (!res && res.error().code == 404) {  // someone deleted it; a kubelet makes a new one
    auto created = client_.create(leases_r(), kLeaseNamespace, make_lease(st.name, st.uid, now));
    if (created) res = std::move(*created);
    else res = created.error();
  }
  if (res) {
    ++lease_renewals_;
  } else {
    ++heartbeat_errors_;
    SKIFF_LOG(DEBUG) << "renewing lease of " << st.name << ": " << res.error().message;
  }
  if (now - st.last_status >= cfg_.node_status_interval) {
    json::object status{{"status", json::object{{"conditions", node_conditions(now, st.since)}}}};
    auto p = client_.patch(nodes_r(), "", st.name, kMergePatch, status, "status");
    if (p) {
      st.last_status = now;
    } else {
      ++heartbeat_errors_;
      SKIFF_LOG(DEBUG) << "updating status of node " << st.name << ": " << p.error().message;
    }
  }
}

void HollowNodes::report_loop() {
  Stats last;
  while (sleep_until(steady::now() + std::chrono::seconds(30))) {
    auto s = stats();
    if (s.pods_started == last.pods_started && s.pods_deleted == last.pods_deleted &&
        s.pods_finished == last.pods_finished &&
        s.heartbeat_errors == last.heartbeat_errors)
      continue;
    SKIFF_LOG(INFO) << cfg_.nodes << " nodes, " << s.pod_ips << " pods; started "
                    << s.pods_started << ", finished " << s.pods_finished << ", deleted " << s.pods_deleted
                    << ", lease renewals "
                    << s.lease_renewals << ", heartbeat errors " << s.heartbeat_errors;
    last = s;
  }
}

// ---- pods ----

void HollowNodes::adopt_pod_cidr(int index, const std::string& cidr) {
  std::unordered_set<std::string> wake;
  {
    std::lock_guard lock(cidr_mu_);
    auto want = parse_cidr(cidr);
    auto have = parse_cidr(ips_.block_cidr(index));
    if (want && have && *want == *have) return;  // the common case: a heartbeat's update
    if (!ips_.set_block(index, cidr)) {
      SKIFF_LOG(WARN) << "node " << nodes_[index].name << ": podCIDR " << cidr
                      << " not usable (malformed, smaller than /30, or replacing "
                      << ips_.block_cidr(index) << " while pods hold addresses in it)";
      return;
    }
    SKIFF_LOG(DEBUG) << "node " << nodes_[index].name << " has podCIDR " << cidr;
    if (auto it = waiting_cidr_.find(index); it != waiting_cidr_.end()) {
      wake.swap(it->second);
      waiting_cidr_.erase(it);
    }
  }
  for (const auto& k : wake) queue_.add(k);
}

void HollowNodes::cidr_fallback_loop() {
  bool warned = false;
  while (sleep_until(steady::now() + std::chrono::seconds(1))) {
    int missing = 0;
    for (int i = 0; i < cfg_.nodes && !stop_; ++i) {
      if (!registered_[i].load(std::memory_order_acquire) || ips_.has_block(i)) continue;
      ++missing;
      if (steady::now() - nodes_[i].registered_at < cfg_.pod_cidr_wait) continue;
      if (!warned) {
        SKIFF_LOG(WARN) << "node " << nodes_[i].name << " has no podCIDR "
                        << cfg_.pod_cidr_wait.count() << " ms after registering (no node IPAM "
                        << "controller, e.g. --cluster-cidr \"\"?); nodes in that state get the "
                        << "sim's own block (" << plan_.pod_cidr(i) << " for this one)";
        warned = true;
      }
      set_own_pod_cidr(i);
    }
    if (missing == 0) return;  // every node has its block for good (a podCIDR never changes)
  }
}

void HollowNodes::set_own_pod_cidr(int index) {
  const auto& st = nodes_[index];
  std::string own = plan_.pod_cidr(index);
  json::object patch{{"spec", json::object{{"podCIDR", own},
                                           {"podCIDRs", json::array{json::value(own)}}}}};
  auto res = client_.patch(nodes_r(), "", st.name, kMergePatch, patch);
  if (!res && res.error().code == 422) res = client_.get(nodes_r(), "", st.name);  // IPAM won
  if (!res) {
    SKIFF_LOG(DEBUG) << "setting podCIDR of " << st.name << ": " << res.error().message;
    return;  // retried in a second
  }
  if (auto cidr = get_string(*res, {"spec", "podCIDR"}); !cidr.empty()) adopt_pod_cidr(index, cidr);
}

void HollowNodes::pod_sync_loop() {
  // Nodes first: a Running pod's address is reserved in its node's block.
  while (!stop_ && !node_informer_->wait_synced(std::chrono::seconds(1))) {
  }
  while (!stop_ && !informer_->wait_synced(std::chrono::seconds(1))) {
  }
  if (stop_) return;
  // Pods that already run on our nodes (a restarted sim) keep their addresses; reserve them
  // before any worker hands out new ones.
  size_t found = 0;
  for (const auto& p : informer_->list()) {
    int node = pod_node(*p);
    if (node < 0) continue;
    auto ip = get_string(*p, {"status", "podIP"});
    const auto* host_network = find_path(*p, {"spec", "hostNetwork"});
    if (ip.empty() || (host_network && host_network->is_bool() && host_network->get_bool()))
      continue;
    auto phase = get_string(*p, {"status", "phase"});
    if (phase == "Succeeded" || phase == "Failed") continue;  // their address went back
    if (ips_.reserve(client::object_key(*p), node, ip)) ++found;
  }
  SKIFF_LOG(INFO) << "pod cache synced; " << found << " pods already running on sim nodes";
  std::lock_guard lock(wait_mu_);
  pods_ready_ = true;
  wait_cv_.notify_all();
}

void HollowNodes::worker_loop() {
  {
    std::unique_lock lock(wait_mu_);
    wait_cv_.wait(lock, [&] { return pods_ready_ || stop_.load(); });
  }
  while (!stop_) {
    auto key = queue_.get();
    if (!key) return;
    Outcome out = Outcome::kRetry;
    try {
      out = reconcile(*key);
    } catch (const std::exception& e) {  // malformed JSON from a peer must not end the sim
      SKIFF_LOG(WARN) << "pod " << *key << ": " << e.what();
    }
    if (out == Outcome::kDone) queue_.forget(*key);
    else queue_.add_rate_limited(*key);
    queue_.done(*key);
  }
}

void HollowNodes::forget_pod(const std::string& key) {
  std::lock_guard lock(pending_mu_);
  pending_.erase(key);
  finish_at_.erase(key);
}

HollowNodes::Outcome HollowNodes::run_pod(const std::string& key, const json::object& pod,
                                          std::chrono::milliseconds run) {
  auto now = steady::now();
  steady::time_point due;
  {
    std::lock_guard lock(pending_mu_);
    auto it = finish_at_.find(key);
    if (it == finish_at_.end()) {  // started before this sim process ran: count from startedAt
      auto since = pod_running_since(pod);
      auto left = since ? std::chrono::duration_cast<steady::duration>(*since + run - Clock::now())
                        : std::chrono::duration_cast<steady::duration>(run);
      it = finish_at_.emplace(key, now + left).first;
    }
    due = it->second;
  }
  if (now < due) {
    queue_.add_after(key, std::chrono::ceil<std::chrono::milliseconds>(due - now));
    return Outcome::kDone;
  }
  const int code = pod_exit_code(pod);
  auto patch = finished_pod_status(pod, code, Clock::now());
  auto res = client_.patch(pods_r(), get_string(pod, {"metadata", "namespace"}),
                           get_string(pod, {"metadata", "name"}), kMergePatch, patch, "status");
  if (!res && res.error().code != 404) {
    SKIFF_LOG(DEBUG) << "ending pod " << key << ": " << res.error().message;
    return Outcome::kRetry;
  }
  if (res) ++pods_finished_;
  if (res && exit_restarts(pod, code)) {  // OnFailure: the containers run again
    std::lock_guard lock(pending_mu_);
    finish_at_[key] = steady::now() + run;
  } else {
    forget_pod(key);
  }
  return Outcome::kDone;
}

HollowNodes::Outcome HollowNodes::reconcile(const std::string& key) {
  auto forget_pending = [&] { forget_pod(key); };
  auto pod = informer_->get(key);
  int node = pod ? pod_node(*pod) : -1;
  if (node < 0) {  // gone, or not (any longer) on one of ours
    ips_.release(key);
    forget_pending();
    return Outcome::kDone;
  }
  const auto& obj = *pod;
  std::string ns = get_string(obj, {"metadata", "namespace"});
  std::string name = get_string(obj, {"metadata", "name"});

  if (find_path(obj, {"metadata", "deletionTimestamp"})) {
    // No containers to stop: finish the graceful deletion now, as a kubelet does once they have.
    json::object opts{{"kind", "DeleteOptions"},
                      {"apiVersion", "v1"},
                      {"gracePeriodSeconds", 0},
                      {"preconditions", json::object{{"uid", get_string(obj, {"metadata", "uid"})}}}};
    auto res = client_.remove(pods_r(), ns, name, opts);
    forget_pending();
    if (res || res.error().code == 404 || res.error().code == 409) {
      if (res) ++pods_deleted_;
      return Outcome::kDone;  // the informer's delete event releases the address
    }
    SKIFF_LOG(DEBUG) << "deleting pod " << key << ": " << res.error().message;
    return Outcome::kRetry;
  }

  std::string phase = get_string(obj, {"status", "phase"});
  bool host_network = false;
  if (const auto* h = find_path(obj, {"spec", "hostNetwork"}); h && h->is_bool())
    host_network = h->get_bool();
  if (phase == "Succeeded" || phase == "Failed") {  // containers gone: the address goes back
    ips_.release(key);
    forget_pending();
    return Outcome::kDone;
  }
  if (phase == "Running") {
    auto ip = get_string(obj, {"status", "podIP"});
    if (!ip.empty() && !host_network) ips_.reserve(key, node, ip);
    auto run = pod_run_duration(obj, cfg_.pod_run_duration);
    if (!run) {
      forget_pending();
      return Outcome::kDone;
    }
    {
      std::lock_guard lock(pending_mu_);
      pending_.erase(key);
    }
    return run_pod(key, obj, *run);
  }

  if (cfg_.pod_start_delay.count() > 0) {
    auto now = steady::now();
    steady::time_point since;
    {
      std::lock_guard lock(pending_mu_);
      since = pending_.try_emplace(key, now).first->second;
    }
    auto ready_at = since + cfg_.pod_start_delay;
    if (now < ready_at) {
      queue_.add_after(key, std::chrono::ceil<std::chrono::milliseconds>(ready_at - now));
      return Outcome::kDone;
    }
  }

  const auto& st = nodes_[node];
  std::string ip;
  if (host_network) {
    ip = st.internal_ip;
  } else {
    {
      // No podCIDR yet: the pod stays Pending until adopt_pod_cidr() queues it again.
      std::lock_guard lock(cidr_mu_);
      if (!ips_.has_block(node)) {
        waiting_cidr_[node].insert(key);
        return Outcome::kDone;
      }
    }
    auto got = ips_.allocate(key, node);
    if (!got) {
      SKIFF_LOG(WARN) << "pod " << key << ": no free address in " << ips_.block_cidr(node)
                      << " of node " << st.name;
      queue_.add_after(key, std::chrono::seconds(5));
      return Outcome::kDone;
    }
    ip = *got;
  }
  auto patch = running_pod_status(obj, ip, st.internal_ip, Clock::now());
  auto res = client_.patch(pods_r(), ns, name, kMergePatch, patch, "status");
  if (!res) {
    if (res.error().code == 404) {
      ips_.release(key);
      forget_pending();
      return Outcome::kDone;
    }
    SKIFF_LOG(DEBUG) << "starting pod " << key << ": " << res.error().message;
    return Outcome::kRetry;
  }
  ++pods_started_;
  forget_pending();
  if (auto run = pod_run_duration(obj, cfg_.pod_run_duration)) {
    // Count the run from now; the informer's Running update brings the pod to run_pod().
    std::lock_guard lock(pending_mu_);
    finish_at_[key] = steady::now() + *run;
  }
  return Outcome::kDone;
}

}  // namespace skiff::sim
