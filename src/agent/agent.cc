// Agent: the pieces of the node agent wired together: the kubelet server, node registration and
// heartbeats (node_loop), the pod informer feeding one PodWorker per pod, and the reaper that
// removes finished workers and what pods deleted while the agent was down left behind.
#include "agent/agent.h"

#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "agent/context.h"
#include "agent/data_dir_lock.h"
#include "agent/flannel.h"
#include "runtime/ipam.h"
#include "agent/kubelet_server.h"
#include "agent/mirror_pods.h"
#include "agent/node.h"
#include "agent/pod_worker.h"
#include "client/informer.h"
#include "common/log.h"
#include "common/node_name.h"

namespace skiff::agent {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct Agent::Impl {
  // The data dir is ours from start() until stop() has finished all its work (data_dir_lock.h).
  std::unique_ptr<DataDirLock> data_dir_lock;
  client::Config api;
  NodeContext ctx;
  std::unique_ptr<client::Client> client;
  std::unique_ptr<images::ImageService> images;
  std::unique_ptr<runtime::Runtime> runtime;
  std::unique_ptr<KubeletServer> server;
  std::unique_ptr<client::Informer> pods;
  std::unique_ptr<Flannel> flannel;  // --flannel-backend host-gw|vxlan
  std::unique_ptr<NodeComponent> proxy;  // unless --no-proxy (AgentOptions::proxy)
  std::unique_ptr<MirrorPods> mirrors;  // the components of this process as kube-system pods
  std::thread node_thread, reaper_thread;

  std::mutex mu;  // guards the fields below
  std::condition_variable cv;
  bool stopping = false;
  std::map<std::string, std::shared_ptr<PodWorker>> workers;  // by pod UID
  std::map<std::string, std::string> uid_by_name;             // "ns/name" -> UID

  void dispatch(const json::object& pod);
  void pod_deleted(const json::object& pod);
  void node_loop();
  void reaper_loop();
  void clean_orphans();
  bool wait(std::chrono::milliseconds d) {
    std::unique_lock lock(mu);
    cv.wait_for(lock, d, [&] { return stopping; });
    return !stopping;
  }
};

void Agent::Impl::node_loop() {
  agent::node_loop(ctx, [this](std::chrono::milliseconds d) { return wait(d); });
}

namespace {

std::string key_of(const json::object& pod) {
  return get_string(pod, {"metadata", "namespace"}) + "/" + get_string(pod, {"metadata", "name"});
}

bool is_terminal(const json::object& pod) {
  auto p = get_string(pod, {"status", "phase"});
  return p == "Succeeded" || p == "Failed";
}

}  // namespace

bool runs_proxy(const AgentOptions& o) {
  return o.proxy == "on" || (o.proxy == "auto" && o.flannel_backend != "none" && !o.flannel_backend.empty());
}

std::string effective_cluster_dns(const AgentOptions& o) {
  if (o.cluster_dns == "host") return "";
  if (!o.cluster_dns.empty()) return o.cluster_dns;
  if (!runs_proxy(o)) return "";
  return runtime::nth_address(o.service_cidr, runtime::kClusterDnsIndex).value_or("");
}

Agent::Agent(client::Config api, AgentOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->api = std::move(api);
  if (options.node_name.empty()) options.node_name = default_node_name();
  // Resolved once: the sandbox code reads a plain address ("" = the host's resolvers).
  options.cluster_dns = effective_cluster_dns(options);
  impl_->ctx.options = std::move(options);
}

Agent::~Agent() { stop(); }

const std::string& Agent::node_name() const { return impl_->ctx.options.node_name; }
uint16_t Agent::kubelet_port() const { return impl_->server ? impl_->server->port() : 0; }

void Agent::start() {
  auto& im = *impl_;
  auto& o = im.ctx.options;
  std::error_code ec;
  fs::create_directories(o.data_dir + "/pods", ec);
  if (ec || ::access(o.data_dir.c_str(), W_OK) != 0)
    throw std::runtime_error("data dir " + o.data_dir + " is not writable (run as root or pass --data-dir)");
  DataDirLock::Holder holder;
  std::string err;
  im.data_dir_lock = DataDirLock::try_acquire(o.data_dir, "agent", &holder, &err);
  if (!im.data_dir_lock) {
    if (!err.empty()) throw std::runtime_error(err);
    std::string who = holder.pid > 0 ? " (pid " + std::to_string(holder.pid) + ")" : "";
    throw std::runtime_error(
        holder.role == "node-reset"
            ? "data dir " + o.data_dir + " is being reset by skiff node-reset" + who +
                  "; start the agent when it has finished"
            : "data dir " + o.data_dir + " is in use by another node agent" + who +
                  "; only one agent may run per data dir (stop it, or pass another --data-dir)");
  }
  im.ctx.host = runtime::detect_host();
  im.images = images::open_image_service({o.data_dir, o.registry_config}, &err);
  if (!im.images) throw std::runtime_error("image store: " + err);
  runtime::Status st;
  im.runtime = runtime::make_oci_runtime({o.data_dir + "/runtime", o.runtime, o.cgroup_parent}, im.ctx.host, &st);
  if (!im.runtime) throw std::runtime_error(st.message());
  im.api.user_agent = "kubelet/" + o.node_name;
  im.client = std::make_unique<client::Client>(im.api);
  im.ctx.client = im.client.get();
  im.ctx.images = im.images.get();
  im.ctx.runtime = im.runtime.get();
  im.ctx.host_ip = o.node_ip.empty() ? default_node_ip() : o.node_ip;
  im.ctx.start_events();
  // Component log lines (common/log.h) go to files the kubelet server serves as the mirror
  // pods' logs; lines logged before now were kept in memory and are written first.
  set_component_log_dir(o.data_dir + "/component-logs");
  if (o.flannel_backend == "host-gw" || o.flannel_backend == "vxlan") {
    im.flannel = std::make_unique<Flannel>(
        *im.client, FlannelOptions{o.flannel_backend, o.node_name, im.ctx.host_ip, o.cluster_cidr, o.service_cidr});
    im.flannel->start();
    // Before the node loop starts: it registers the Node with these and sizes pod veths.
    im.ctx.node_annotations = im.flannel->annotations();
    im.ctx.pod_mtu = im.flannel->pod_mtu();
  } else if (o.flannel_backend != "none" && !o.flannel_backend.empty()) {
    throw std::runtime_error("unsupported --flannel-backend " + o.flannel_backend + " (none, host-gw or vxlan)");
  }
  if (runs_proxy(o) && !o.service_proxy) {
    SKIFF_LOG(WARN) << "agent: no service proxy wired into this agent; ClusterIPs route nowhere";
  } else if (runs_proxy(o)) {
    im.proxy = o.service_proxy(*im.client, o);
    im.proxy->start();
  }
  std::vector<std::string> components = o.control_plane_components;
  if (im.proxy) components.push_back("kube-proxy");
  if (im.flannel) components.push_back("kube-flannel");
  im.mirrors = std::make_unique<MirrorPods>(im.ctx, std::move(components));

  im.server = std::make_unique<KubeletServer>(
      im.ctx,
      [&im](const std::string& ns, const std::string& name) -> std::shared_ptr<PodWorker> {
        std::lock_guard lock(im.mu);
        auto u = im.uid_by_name.find(ns + "/" + name);
        if (u == im.uid_by_name.end()) return nullptr;
        auto w = im.workers.find(u->second);
        return w == im.workers.end() ? nullptr : w->second;
      },
      [&im] {
        json::array items;
        std::lock_guard lock(im.mu);
        for (const auto& [uid, w] : im.workers) items.push_back(w->pod());
        return items;
      },
      [&im](const std::string& ns, const std::string& name, const std::string& container) {
        return im.mirrors->log_path(ns, name, container);
      });
  im.server->start();
  o.kubelet_port = im.server->port();
  SKIFF_LOG(INFO) << "agent: node " << o.node_name << " (" << im.ctx.host_ip << "), runtime "
                  << im.runtime->name() << " " << im.runtime->version() << ", cgroups "
                  << runtime::to_string(im.ctx.host.cgroup_mode) << ", kubelet port "
                  << o.kubelet_port;

  client::ListOptions sel;
  sel.field_selector = "spec.nodeName=" + o.node_name;
  im.pods = std::make_unique<client::Informer>(*im.client, core_resource("pods"), "", sel);
  im.pods->add_handlers({[&im](const client::ObjectPtr& p) { im.dispatch(*p); },
                         [&im](const client::ObjectPtr&, const client::ObjectPtr& p) { im.dispatch(*p); },
                         [&im](const client::ObjectPtr& p) { im.pod_deleted(*p); }});
  im.node_thread = std::thread([&im] { im.node_loop(); });
  im.pods->start();
  im.mirrors->start();
  im.reaper_thread = std::thread([&im] { im.reaper_loop(); });
}

void Agent::stop() {
  auto& im = *impl_;
  {
    std::lock_guard lock(im.mu);
    if (im.stopping) return;
    im.stopping = true;
  }
  // First of all: from here on no worker creates or starts a container (start_gate.h).
  im.ctx.start_gate.close();
  im.cv.notify_all();
  if (im.pods) im.pods->stop();
  if (im.mirrors) im.mirrors->stop();  // the mirror pods stay, as upstream's
  if (im.reaper_thread.joinable()) im.reaper_thread.join();
  if (im.node_thread.joinable()) im.node_thread.join();
  std::map<std::string, std::shared_ptr<PodWorker>> workers;
  {
    std::lock_guard lock(im.mu);
    workers.swap(im.workers);
  }
  for (auto& [uid, w] : workers) w->stop();  // containers keep running
  if (im.server) im.server->stop();
  im.ctx.stop_events();
  // The skiff-proxy table stays, as the pod network does: Services keep answering through an
  // agent restart, and the next start adopts the table (node-reset removes it).
  if (im.proxy) im.proxy->stop();
  if (im.flannel) im.flannel->stop();  // routes, the masquerade table, flannel.1 stay for the next agent
  // Every thread of the agent has ended: a node-reset may now have the data dir.
  im.data_dir_lock.reset();
}

void Agent::Impl::dispatch(const json::object& pod) {
  const std::string uid = get_string(pod, {"metadata", "uid"});
  if (uid.empty()) return;
  // The API's copy of a component this process runs: never run as containers.
  if (is_mirror_pod(pod)) return mirrors->observe(pod);
  std::shared_ptr<PodWorker> w;
  {
    std::lock_guard lock(mu);
    if (stopping) return;
    auto it = workers.find(uid);
    if (it != workers.end()) {
      w = it->second;
    } else {
      std::error_code ec;
      // A pod that finished before this agent started has nothing left to run.
      if (is_terminal(pod) && !fs::exists(ctx.pod_dir(uid), ec) &&
          !find_path(pod, {"metadata", "deletionTimestamp"}))
        return;
      w = std::make_shared<PodWorker>(ctx, pod);
      workers[uid] = w;
      uid_by_name[key_of(pod)] = uid;
      w->start();
      return;
    }
  }
  w->update(pod);
}

void Agent::Impl::pod_deleted(const json::object& pod) {
  if (is_mirror_pod(pod)) return mirrors->deleted(pod);
  const std::string uid = get_string(pod, {"metadata", "uid"});
  std::lock_guard lock(mu);
  auto it = workers.find(uid);
  if (it != workers.end()) it->second->removed();
}

void Agent::Impl::reaper_loop() {
  bool orphans_checked = false;
  while (wait(2s)) {
    if (!orphans_checked && pods->synced()) {
      clean_orphans();
      orphans_checked = true;
    }
    std::vector<std::shared_ptr<PodWorker>> done;
    {
      std::lock_guard lock(mu);
      for (auto it = workers.begin(); it != workers.end();) {
        if (it->second->finished()) {
          for (auto n = uid_by_name.begin(); n != uid_by_name.end();)
            n = n->second == it->first ? uid_by_name.erase(n) : std::next(n);
          done.push_back(it->second);
          it = workers.erase(it);
        } else {
          ++it;
        }
      }
    }
    for (auto& w : done) w->stop();  // joins the finished thread
  }
}

// Pods deleted while no agent ran: their directories and containers are removed by a worker
// that sees them as already gone from the API.
void Agent::Impl::clean_orphans() {
  std::set<std::string> known;
  {
    std::lock_guard lock(mu);
    for (const auto& [uid, w] : workers) known.insert(uid);
  }
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(ctx.options.data_dir + "/pods", ec)) {
    std::string uid = e.path().filename().string();
    if (known.count(uid)) continue;
    SKIFF_LOG(INFO) << "agent: removing pod " << uid << ", deleted while the agent was down";
    auto w = std::make_shared<PodWorker>(
        ctx, json::object{{"metadata", json::object{{"uid", uid}, {"name", uid}}}});
    w->removed();
    std::lock_guard lock(mu);
    workers[uid] = w;
    w->start();
  }
  // Containers of pods nothing knows about (their state file was lost).
  for (const auto& id : runtime->list()) {
    auto us = id.find('_');
    if (us == std::string::npos || known.count(id.substr(0, us))) continue;
    if (fs::exists(ctx.pod_dir(id.substr(0, us)), ec)) continue;
    SKIFF_LOG(INFO) << "agent: removing container " << id << " of no known pod";
    runtime->remove(id);
  }
}

}  // namespace skiff::agent
