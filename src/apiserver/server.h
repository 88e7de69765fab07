// `skiff server`: the control plane in one process. Opens the store, loads or makes the PKI,
// serves the API over HTTPS, writes the bootstrap objects (system namespaces, the `kubernetes`
// service), then DATA_DIR/admin.kubeconfig once /readyz answers 200.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace skiff::storage { class Store; }
namespace skiff::net { class HttpsServer; }
namespace skiff::client { class Client; class LeaderElector; }
namespace skiff::scheduler { class Scheduler; }
namespace skiff::controllers { class ControllerManager; }
namespace skiff::agent { class Agent; }
namespace skiff::addons { class DnsAddon; }

namespace skiff::apiserver {
class Admission;
class ObjectStore;
class ApiHandler;
class CrdController;
class TokenAuthority;

struct ServerConfig {
  std::string data_dir = "/var/lib/skiff";
  std::string bind_address = "0.0.0.0";
  int port = 6443;
  bool no_agent = false;
  std::string datastore = "sqlite";
  std::string service_cidr = "10.96.0.0/12";
  // How often old revisions are compacted; each compaction keeps at least one interval of
  // history, so watches and continue tokens younger than that stay valid.
  std::chrono::milliseconds compaction_interval = std::chrono::minutes(5);
  // The embedded control-plane components (each also runs alone: `skiff scheduler`,
  // `skiff controller-manager`); disable one to run your own instead.
  bool run_scheduler = true;
  bool run_controllers = true;
  // --leader-elect (upstream's flag): the embedded scheduler and controller manager run only
  // while they hold their Lease in kube-system (kube-scheduler, kube-controller-manager).
  bool leader_elect = true;
  // Node lifecycle (upstream's kube-controller-manager and kube-apiserver flags of these names).
  std::chrono::milliseconds node_monitor_grace_period = std::chrono::seconds(40);
  int64_t default_not_ready_toleration_seconds = 300;
  int64_t default_unreachable_toleration_seconds = 300;
  // Node IPAM (upstream's kube-controller-manager flags; see controllers/nodeipam.h).
  std::string cluster_cidr = "10.244.0.0/16";  // "" = no podCIDR allocation
  int node_cidr_mask_size = 24;
  bool allocate_node_cidrs = true;
  // The embedded node agent (unless no_agent): data dir <data_dir>/agent.
  int kubelet_port = 10250;       // 0 = any free port
  std::string node_name;          // default: the host name
  std::string registry_config;    // mirrors and credentials for image pulls
  std::string runtime;            // crun or runc; "" = crun when installed
  std::string node_ip;            // the node's InternalIP ("" = the default route's source)
  std::string cgroup_parent;      // "" = <server's cgroup>/skiff
  std::string flannel_backend = "none";  // none | host-gw | vxlan (agent/flannel.h)
  std::string proxy = "auto";            // the agent's service proxy: auto | on | off
  // Cluster DNS (docs/network.md): the kube-dns Service's ClusterIP and the agents' nameserver
  // ("" = the service range's 10th address; the embedded agent also takes "host").
  std::string cluster_dns;
  std::string cluster_domain = "cluster.local";
  std::string resolv_conf = "/etc/resolv.conf";  // the embedded agent's --resolv-conf
  // The coredns addon (addons/coredns.h): "auto" = on when the embedded agent runs the service
  // proxy (without it neither kube-dns nor the API's ClusterIP is reachable from a pod),
  // "on" (--enable dns), "off" (--disable dns).
  std::string dns_addon = "auto";
  // Service-account tokens (upstream's --service-account-issuer; --api-audiences defaults to
  // the issuer). Signed with DATA_DIR/pki/sa.key.
  std::string service_account_issuer = "https://kubernetes.default.svc.cluster.local";
};

class Server {
 public:
  explicit Server(ServerConfig cfg);
  ~Server();
  // Starts everything; throws std::runtime_error with what to do when a step fails.
  void start();
  void stop();
  int port() const;
  std::string kubeconfig_path() const;

 private:
  void bootstrap();
  void maintenance_loop();

  ServerConfig cfg_;
  // Declared in dependency order: destroyed in reverse (server before handler before store).
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<Admission> admission_;
  std::unique_ptr<ObjectStore> objects_;
  std::unique_ptr<TokenAuthority> tokens_;
  std::unique_ptr<ApiHandler> handler_;
  std::unique_ptr<CrdController> crds_;  // registers CRDs' resources before serving
  std::unique_ptr<net::HttpsServer> https_;
  // Components that reach the API over HTTPS like any client; they stop before the server.
  std::unique_ptr<client::Client> scheduler_client_;
  std::unique_ptr<scheduler::Scheduler> scheduler_;
  std::unique_ptr<client::Client> controllers_client_;
  std::unique_ptr<controllers::ControllerManager> controllers_;
  // With --leader-elect the electors own the components' lifetimes (their callbacks create and
  // destroy scheduler_ / controllers_); declared after them so they stop first.
  std::unique_ptr<client::LeaderElector> scheduler_elector_;
  std::unique_ptr<client::LeaderElector> controllers_elector_;
  std::unique_ptr<agent::Agent> agent_;
  std::unique_ptr<client::Client> addons_client_;
  std::unique_ptr<addons::DnsAddon> dns_addon_;  // stops before addons_client_ goes
  std::thread maintenance_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
};

// Entry point of `skiff server ARGS...`.
int server_main(int argc, char** argv);

}  // namespace skiff::apiserver
