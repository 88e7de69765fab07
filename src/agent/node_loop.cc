// node_loop: registers the Node, brings up the pod network once the node has a
// podCIDR, renews the Lease every heartbeat and reports node status.
#include "agent/context.h"
#include "agent/node.h"
#include "common/log.h"
#include "common/time.h"

namespace skiff::agent {
using namespace std::chrono_literals;

namespace {

const api::ResourceInfo& leases_r() {
  return *api::find_resource("coordination.k8s.io", "v1", "leases");
}

}  // namespace

struct NodeLoopState {
  NodeFacts facts;
  NodeReport report;
  std::string node_uid;
  json::object last_status;
  std::chrono::steady_clock::time_point last_status_at{}, last_lease_at{};
  size_t image_count = 0;
};

// Our labels, and the annotations the network backend publishes (none without one).
static json::object node_metadata(const NodeContext& ctx, const NodeReport& report) {
  json::object m{{"name", ctx.options.node_name}, {"labels", node_labels(report)}};
  if (!ctx.node_annotations.empty()) m["annotations"] = ctx.node_annotations;
  return m;
}

void node_loop(NodeContext& ctx, const std::function<bool(std::chrono::milliseconds)>& wait) {
  auto& o = ctx.options;
  auto& cl = *ctx.client;
  const auto& nodes_r = core_resource("nodes");
  NodeLoopState s;
  s.facts = read_node_facts(o.data_dir);
  s.report.name = o.node_name;
  s.report.ip = ctx.host_ip;
  s.report.kubelet_port = o.kubelet_port;
  s.report.max_pods = o.max_pods;
  s.report.runtime_version = ctx.runtime->name() + "://" + ctx.runtime->version();
  s.report.network_message = "no podCIDR assigned to this node yet";
  bool status_dirty = true;
  do {
    const auto now = std::chrono::steady_clock::now();
    // Registration.
    if (s.node_uid.empty()) {
      s.report.images = ctx.images->list();
      json::object node{{"apiVersion", "v1"},
                        {"kind", "Node"},
                        {"metadata", node_metadata(ctx, s.report)},
                        {"spec", json::object{}},
                        {"status", node_status(s.report, s.facts, {})}};
      auto created = cl.create(nodes_r, "", node);
      if (created) {
        s.node_uid = get_string(*created, {"metadata", "uid"});
        SKIFF_LOG(INFO) << "agent: registered node " << o.node_name;
      } else if (created.error().code == 409) {
        auto got = cl.get(nodes_r, "", o.node_name);
        if (got) {
          s.node_uid = get_string(*got, {"metadata", "uid"});
          cl.patch(nodes_r, "", o.node_name, "application/merge-patch+json",
                   json::object{{"metadata", node_metadata(ctx, s.report)}});
          SKIFF_LOG(INFO) << "agent: node " << o.node_name << " already registered";
        }
      } else {
        SKIFF_LOG(WARN) << "agent: cannot register node " << o.node_name << ": "
                        << created.error().message << " (retrying)";
      }
      if (s.node_uid.empty()) continue;
    }
    // The pod network, once the node has a podCIDR (node IPAM) or --pod-cidr says one.
    if (!ctx.network()) {
      std::string cidr;
      if (auto got = cl.get(nodes_r, "", o.node_name)) {
        cidr = get_string(*got, {"spec", "podCIDR"});
        if (const auto* st = find_path(*got, {"status"}); st && st->is_object())
          s.last_status = st->get_object();
      }
      if (cidr.empty()) cidr = o.pod_cidr;
      if (!cidr.empty()) {
        runtime::NetworkConfig nc;
        nc.bridge = o.bridge;
        nc.pod_cidr = cidr;
        nc.run_dir = o.data_dir + "/run";
        nc.ipam_dir = o.data_dir + "/ipam";
        if (ctx.pod_mtu > 0) nc.mtu = ctx.pod_mtu;
        auto net = std::make_shared<runtime::PodNetwork>(nc);
        auto st = net->ensure_bridge();
        if (st.ok()) {
          ctx.set_network(net);
          s.report.network_ready = true;
          status_dirty = true;
          SKIFF_LOG(INFO) << "agent: pod network " << cidr << " on bridge " << o.bridge;
        } else {
          s.report.network_message = "bridge " + o.bridge + ": " + st.message();
          SKIFF_LOG(WARN) << "agent: " << s.report.network_message;
        }
      }
    }
    // Lease.
    if (now - s.last_lease_at >= o.heartbeat) {
      auto lease = node_lease(o.node_name, s.node_uid, 40);
      auto res = cl.patch(leases_r(), "kube-node-lease", o.node_name, "application/merge-patch+json",
                          json::object{{"spec", lease.at("spec")}});
      if (!res && res.error().code == 404) res = cl.create(leases_r(), "kube-node-lease", lease);
      if (res) s.last_lease_at = now;
      else SKIFF_LOG(WARN) << "agent: lease renewal: " << res.error().message;
      auto imgs = ctx.images->list();
      if (imgs.size() != s.image_count) status_dirty = true;
      s.image_count = imgs.size();
      s.report.images = std::move(imgs);
    }
    // Status.
    if (status_dirty || now - s.last_status_at >= o.node_status_period) {
      s.facts = read_node_facts(o.data_dir);
      auto status = node_status(s.report, s.facts, s.last_status);
      ctx.set_allocatable(status.at("allocatable").as_object());
      auto res = cl.patch(nodes_r, "", o.node_name, "application/merge-patch+json",
                          json::object{{"status", status}}, "status");
      if (res) {
        status_dirty = false;
        s.last_status_at = now;
        s.last_status = std::move(status);
      } else if (res.error().code == 404) {
        s.node_uid.clear();  // deleted by someone: register again
      } else {
        SKIFF_LOG(WARN) << "agent: node status: " << res.error().message;
      }
    }
  } while (wait(1s));
}

}  // namespace skiff::agent
