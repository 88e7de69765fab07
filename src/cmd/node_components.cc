// The components a node agent runs beside its pods, handed to it through AgentOptions so that
// src/agent does not include them (commands.h).
#include "cmd/commands.h"
#include "proxy/proxy.h"

namespace skiff::cmd {
namespace {

// The service proxy (src/proxy) in the agent's network namespace. Stopping keeps its table and
// policy route, as the agent keeps the pod network: Services keep answering while the agent
// restarts, and the next start adopts the table; `skiff node-reset` removes them.
class ServiceProxy : public agent::NodeComponent {
 public:
  ServiceProxy(client::Client& c, proxy::ProxyOptions o) : proxy_(c, std::move(o)) {}
  void start() override { proxy_.start(); }
  void stop() override { proxy_.stop(/*remove_table=*/false); }

 private:
  proxy::Proxy proxy_;
};

}  // namespace

std::unique_ptr<agent::NodeComponent> make_service_proxy(client::Client& c,
                                                         const agent::AgentOptions& o) {
  proxy::ProxyOptions po;
  po.node_name = o.node_name;
  po.cluster_cidr = o.cluster_cidr;
  po.service_cidr = o.service_cidr;  // this host reaches ClusterIPs despite flannel's unreachable route
  return std::make_unique<ServiceProxy>(c, std::move(po));
}

}  // namespace skiff::cmd
