#include "apiserver/server.h"

#include <arpa/inet.h>
#include <malloc.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>

#include "apiserver/admission.h"
#include "apiserver/authn.h"
#include "apiserver/handler.h"
#include "apiserver/kubernetes_service.h"
#include "apiserver/object_store.h"
#include "addons/coredns.h"
#include "agent/agent.h"
#include "images/system_image.h"
#include "runtime/ipam.h"
#include "client/client.h"
#include "client/leader_election.h"
#include "controllers/controller_manager.h"
#include "controllers/nodeipam.h"
#include "scheduler/scheduler.h"
#include "common/flags.h"
#include "common/health.h"
#include "common/log.h"
#include "common/node_name.h"
#include "common/time.h"
#include "common/version.h"
#include "net/http.h"
#include "pki/jwt.h"
#include "pki/pki.h"
#include "storage/compaction.h"
#include "storage/sqlite_store.h"

namespace skiff::apiserver {
namespace {
using namespace std::chrono_literals;

std::string hostname() {
  char buf[256] = {};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

// An elector for an embedded component. Its identity (hostname_uuid) is kept in the data dir:
// one server owns a data dir at a time, so after a crash the restarted server renews its own
// lease at once instead of waiting for it to expire.
std::unique_ptr<client::LeaderElector> elect(client::Client& c, const std::string& lease,
                                             const std::string& data_dir,
                                             std::function<void()> on_start,
                                             std::function<void()> on_stop) {
  const std::string path = data_dir + "/" + lease + ".identity";
  std::string identity;
  if (std::ifstream in(path); in) std::getline(in, identity);
  if (identity.empty()) {
    identity = client::default_identity();
    std::ofstream(path) << identity << "\n";
  }
  client::LeaderElectionConfig lc;
  lc.lease_name = lease;
  lc.identity = identity;
  lc.on_started_leading = std::move(on_start);
  lc.on_stopped_leading = std::move(on_stop);
  auto le = std::make_unique<client::LeaderElector>(c, std::move(lc));
  le->start();
  return le;
}

// Creates an object unless it exists (bootstrap is idempotent across restarts).
void ensure(ObjectStore& os, const char* group, const char* resource, const std::string& ns,
            json::object obj) {
  const auto* r = api::find_resource(group, "v1", resource);
  auto name = get_string(obj, {"metadata", "name"});
  if (os.get(*r, ns, name)) return;
  obj["apiVersion"] = r->api_version();
  obj["kind"] = r->kind;
  auto res = os.create(*r, ns, std::move(obj), {});
  if (!res && res.error().code != 409)
    throw std::runtime_error("bootstrap: creating " + r->resource + "/" + name + ": " +
                             res.error().message);
}
}  // namespace

Server::Server(ServerConfig cfg) : cfg_(std::move(cfg)) {}
Server::~Server() { stop(); }

int Server::port() const { return https_ ? https_->port() : 0; }
std::string Server::kubeconfig_path() const { return cfg_.data_dir + "/admin.kubeconfig"; }

void Server::start() {
  if (cfg_.datastore != "sqlite")
    throw std::runtime_error("--datastore " + cfg_.datastore +
                             ": only \"sqlite\" is available in this build");
  std::error_code ec;
  std::filesystem::create_directories(cfg_.data_dir + "/db", ec);
  if (ec)
    throw std::runtime_error("cannot create " + cfg_.data_dir + "/db: " + ec.message() +
                             " (choose another --data-dir or run as root)");
  chmod(cfg_.data_dir.c_str(), 0700);
  chmod((cfg_.data_dir + "/db").c_str(), 0700);  // the store's files are 0600 in here
  std::string err;
  auto store = storage::SqliteStore::open(cfg_.data_dir + "/db/state.db", &err);
  if (!store) throw std::runtime_error("opening the datastore: " + err);
  store_ = std::move(store);
  admission_ = std::make_unique<Admission>(*store_, cfg_.service_cidr);
  admission_->load_allocations();
  admission_->set_default_toleration_seconds(cfg_.default_not_ready_toleration_seconds,
                                             cfg_.default_unreachable_toleration_seconds);
  objects_ = std::make_unique<ObjectStore>(*store_, *admission_);
  {
    auto bad = objects_->scan();
    if (!bad.empty()) {
      SKIFF_LOG(WARN) << bad.size()
                      << " stored object(s) do not decode (listed above); lists and watches "
                         "leave them out until they are deleted";
    }
  }
  handler_ = std::make_unique<ApiHandler>(*objects_);

  std::vector<std::string> dns = {"localhost",
                                  "kubernetes",
                                  "kubernetes.default",
                                  "kubernetes.default.svc",
                                  "kubernetes.default.svc.cluster.local",
                                  hostname()};
  std::vector<std::string> ips = {"127.0.0.1", admission_->first_service_ip()};
  for (const auto& a : pki::host_addresses()) ips.push_back(a);
  if (cfg_.bind_address != "0.0.0.0" && cfg_.bind_address != "::") ips.push_back(cfg_.bind_address);
  auto certs = pki::load_or_create_server_pki(cfg_.data_dir, dns, ips);
  handler_->set_kubelet_client_cert(certs.kubelet_client.cert_pem, certs.kubelet_client.key_pem);
  tokens_ = std::make_unique<TokenAuthority>(*objects_, pki::load_or_create_sa_key(cfg_.data_dir),
                                             cfg_.service_account_issuer,
                                             std::vector<std::string>{cfg_.service_account_issuer});
  handler_->set_token_authority(tokens_.get());

  net::ServerOptions opts;
  opts.bind_address = cfg_.bind_address;
  opts.port = static_cast<uint16_t>(cfg_.port);
  https_ = std::make_unique<net::HttpsServer>(
      net::TlsConfig{certs.serving.cert_pem, certs.serving.key_pem, certs.ca.cert_pem}, opts,
      [this](net::Request& req, net::ResponseWriter& w) { handler_->handle(req, w); });
  https_->start();
  SKIFF_LOG(INFO) << "skiff " << kSkiffVersion << " serving the Kubernetes API ("
                  << kKubeGitVersion << ") on https://" << cfg_.bind_address << ":"
                  << https_->port();

  bootstrap();
  handler_->set_ready(true);
  // The mirror pod's Ready asks /readyz itself; this marks the start (startTime).
  health::beat("kube-apiserver", "serving", std::chrono::milliseconds(0));

  std::string host = cfg_.bind_address == "0.0.0.0" || cfg_.bind_address == "::"
                         ? "127.0.0.1"
                         : cfg_.bind_address;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  const std::string url = "https://" + host + ":" + std::to_string(https_->port());
  pki::write_kubeconfig(kubeconfig_path(), url, certs.ca.cert_pem, certs.admin, "admin");
  SKIFF_LOG(INFO) << "ready; export KUBECONFIG=" << kubeconfig_path();
  // The embedded components authenticate with their own certificates, as upstream's do.
  auto component_client = [&](const std::string& user) {
    auto cert = pki::make_client_cert(certs.ca, user, {});
    client::Config cc;
    cc.server = url;
    cc.ca_pem = certs.ca.cert_pem;
    cc.cert_pem = cert.cert_pem;
    cc.key_pem = cert.key_pem;
    cc.user_agent = user;
    return std::make_unique<client::Client>(cc);
  };
  if (cfg_.run_scheduler) {
    scheduler_client_ = component_client("system:kube-scheduler");
    auto start_scheduler = [this] {
      scheduler_ = std::make_unique<scheduler::Scheduler>(*scheduler_client_);
      scheduler_->start();
    };
    if (cfg_.leader_elect)
      scheduler_elector_ = elect(*scheduler_client_, "kube-scheduler", cfg_.data_dir,
                                 start_scheduler, [this] { scheduler_.reset(); });
    else
      start_scheduler();
  }
  if (cfg_.run_controllers) {
    controllers_client_ = component_client("system:kube-controller-manager");
    controllers::ControllerOptions copts;
    copts.node_monitor_grace_period = cfg_.node_monitor_grace_period;
    copts.cluster_cidr = cfg_.cluster_cidr;
    copts.node_cidr_mask_size = cfg_.node_cidr_mask_size;
    copts.allocate_node_cidrs = cfg_.allocate_node_cidrs;
    copts.root_ca_pem = certs.ca.cert_pem;
    auto start_controllers = [this, copts] {
      controllers_ = std::make_unique<controllers::ControllerManager>(*controllers_client_, copts);
      controllers_->start();
    };
    if (cfg_.leader_elect)
      controllers_elector_ = elect(*controllers_client_, "kube-controller-manager", cfg_.data_dir,
                                   start_controllers, [this] { controllers_.reset(); });
    else
      start_controllers();
  }
  if (!cfg_.no_agent) {
    agent::AgentOptions ao;
    ao.data_dir = cfg_.data_dir + "/agent";
    ao.node_name = cfg_.node_name.empty() ? default_node_name() : cfg_.node_name;
    ao.kubelet_port = cfg_.kubelet_port;
    ao.registry_config = cfg_.registry_config;
    ao.runtime = cfg_.runtime;
    ao.node_ip = cfg_.node_ip;
    ao.cgroup_parent = cfg_.cgroup_parent;
    ao.flannel_backend = cfg_.flannel_backend;
    ao.proxy = cfg_.proxy;
    if (!cfg_.cluster_cidr.empty()) ao.cluster_cidr = cfg_.cluster_cidr;
    ao.service_cidr = cfg_.service_cidr;
    ao.cluster_dns = cfg_.cluster_dns;
    ao.cluster_domain = cfg_.cluster_domain;
    ao.resolv_conf = cfg_.resolv_conf;
    ao.client_ca_pem = certs.ca.cert_pem;
    // The control plane in this process shows as mirror pods on this node (docs/agent.md).
    ao.control_plane_components.push_back("kube-apiserver");
    if (cfg_.run_controllers) ao.control_plane_components.push_back("kube-controller-manager");
    if (cfg_.run_scheduler) ao.control_plane_components.push_back("kube-scheduler");
    auto node_cert = pki::make_client_cert(certs.ca, "system:node:" + ao.node_name,
                                           {"system:nodes"});
    client::Config ac;
    ac.server = url;
    ac.ca_pem = certs.ca.cert_pem;
    ac.cert_pem = node_cert.cert_pem;
    ac.key_pem = node_cert.key_pem;
    agent_ = std::make_unique<agent::Agent>(ac, ao);
    try {
      agent_->start();
    } catch (const std::exception& e) {
      SKIFF_LOG(ERROR) << "node agent: " << e.what()
                       << "; this server runs no pods (fix that, or pass --no-agent)";
      agent_.reset();
    }
  }
  agent::AgentOptions own;  // what decides whether this server's agent runs the proxy
  own.flannel_backend = cfg_.flannel_backend;
  own.proxy = cfg_.proxy;
  if (cfg_.dns_addon == "on" || (cfg_.dns_addon == "auto" && !cfg_.no_agent && agent::runs_proxy(own))) {
    addons::DnsAddonOptions dopts;
    dopts.cluster_dns = cfg_.cluster_dns.empty() || cfg_.cluster_dns == "host"
                            ? runtime::nth_address(cfg_.service_cidr, runtime::kClusterDnsIndex).value_or("")
                            : cfg_.cluster_dns;
    dopts.cluster_domain = cfg_.cluster_domain;
    dopts.image = images::system_image_ref();
    addons_client_ = component_client("system:addon-manager");
    dns_addon_ = std::make_unique<addons::DnsAddon>(*addons_client_, dopts);
    dns_addon_->start();
  }
  maintenance_ = std::thread([this] { maintenance_loop(); });
}

void Server::bootstrap() {
  for (const char* ns : {"default", "kube-system", "kube-public", "kube-node-lease"})
    ensure(*objects_, "", "namespaces", "",
           json::object{{"metadata", json::object{{"name", ns}}}});
  for (const auto& pc : kSystemPriorityClasses)
    ensure(*objects_, "scheduling.k8s.io", "priorityclasses", "",
           json::object{{"metadata", json::object{{"name", pc.name}}},
                        {"value", pc.value},
                        {"description", pc.description}});
  json::object svc{
      {"metadata",
       json::object{{"name", "kubernetes"},
                    {"labels", json::object{{"component", "apiserver"},
                                            {"provider", "kubernetes"}}}}},
      {"spec", json::object{{"type", "ClusterIP"},
                            {"clusterIP", admission_->first_service_ip()},
                            {"ports", json::array{json::object{{"name", "https"},
                                                               {"port", 443},
                                                               {"protocol", "TCP"},
                                                               {"targetPort", https_->port()}}}}}}};
  ensure(*objects_, "", "services", "default", std::move(svc));
  // The endpoints follow the server's address and port across restarts.
  if (auto st = reconcile_kubernetes_endpoints(*objects_, advertised_address(cfg_.bind_address),
                                               https_->port());
      !st)
    throw std::runtime_error("bootstrap: the kubernetes endpoints: " + st.error().message);
}

// Background duties until stop(): compaction of old revisions, and the `kubernetes` service's
// endpoints (every 10 s, as upstream's endpoint reconciler). Namespace deletion is the
// namespace controller's (src/controllers/namespace_controller.cc).
void Server::maintenance_loop() {
  auto last_endpoints = std::chrono::steady_clock::now();
  std::unique_lock lock(mu_);
  bool first = true;  // check compaction at once: a server that lives less than a tick counts
  while (!stopping_) {
    if (!first) cv_.wait_for(lock, std::min<std::chrono::milliseconds>(1s, cfg_.compaction_interval));
    first = false;
    if (stopping_) break;
    lock.unlock();
    // The schedule is kept in the store (storage/compaction.h), so restarts do not reset it.
    const int64_t compacted_before = store_->compacted_revision();
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    if (storage::compact_if_due(*store_, now_ms, cfg_.compaction_interval) &&
        store_->compacted_revision() > compacted_before) {
      // The history and the watch ring just let go of what compaction dropped: hand the free
      // pages of every malloc arena back to the kernel.
      malloc_trim(0);
    }
    if (std::chrono::steady_clock::now() - last_endpoints >= 10s) {
      auto st = reconcile_kubernetes_endpoints(
          *objects_, advertised_address(cfg_.bind_address), https_->port());
      if (!st) {
        SKIFF_LOG(WARN) << "kubernetes endpoints: " << st.error().message;
      }
      last_endpoints = std::chrono::steady_clock::now();
    }
    lock.lock();
  }
}

void Server::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  // The node agent first (its containers keep running), then open watches end and the
  // embedded components stop side by side.
  if (dns_addon_) dns_addon_->stop();
  if (agent_) agent_->stop();
  agent_.reset();
  if (handler_) handler_->shutdown();
  std::thread stop_controllers([this] {
    controllers_elector_.reset();  // stops what it started, then releases the lease
    if (controllers_) controllers_->stop();
  });
  scheduler_elector_.reset();
  if (scheduler_) scheduler_->stop();
  stop_controllers.join();
  controllers_.reset();
  scheduler_.reset();
  controllers_client_.reset();
  scheduler_client_.reset();
  if (handler_) handler_->shutdown();
  if (https_) https_->stop();
  if (maintenance_.joinable()) maintenance_.join();
  https_.reset();
  handler_.reset();
  tokens_.reset();
  objects_.reset();
  admission_.reset();
  store_.reset();
}

namespace {
bool is_ipv4(const std::string& v) {
  in_addr addr{};
  return inet_pton(AF_INET, v.c_str(), &addr) == 1;
}
}  // namespace

int server_main(int argc, char** argv) {
  ServerConfig cfg;
  controllers::ControllerOptions ipam_opts;  // only the node IPAM fields are read
  bool verbose = false;
  FlagSet flags("skiff server", "[flags]",
                "Runs the control plane in the foreground: the API server on the embedded store, the\n"
                "scheduler, the controller manager, a node agent for this machine and the cluster DNS\n"
                "addon. Writes DATA_DIR/admin.kubeconfig once ready.");
  flags.string("--data-dir", &cfg.data_dir, "state: the store, the PKI, the agent's data", "DIR")
      .string("--bind-address", &cfg.bind_address, "address of the API", "ADDR")
      .integer("--port", &cfg.port, "port of the API (0 = any)", 0, 65535)
      .choice("--datastore", &cfg.datastore, {"sqlite"}, "the store")
      .string("--service-cidr", &cfg.service_cidr, "Service ClusterIP range", "CIDR")
      .string("--service-account-issuer", &cfg.service_account_issuer,
              "iss of service-account tokens (and their audience)", "URL")
      .duration("--compaction-interval", &cfg.compaction_interval,
                "how often old revisions are compacted", std::chrono::milliseconds(1))
      .custom_bool("--disable-scheduler", "run no scheduler (run your own)",
                   [&cfg](bool on) { cfg.run_scheduler = !on; })
      .custom_bool("--disable-controllers", "run no controller manager (run your own)",
                   [&cfg](bool on) { cfg.run_controllers = !on; })
      .boolean("--leader-elect", &cfg.leader_elect,
               "the scheduler and controllers run only while holding their Lease")
      .boolean("--verbose", &verbose, "debug logging")
      .alias("-v", "--verbose");
  flags.section("node agent (unless --no-agent; data in DATA_DIR/agent)")
      .boolean("--no-agent", &cfg.no_agent, "run no node agent in this process")
      .integer("--kubelet-port", &cfg.kubelet_port, "HTTPS port of the kubelet API (0 = any)", 0,
               65535)
      .string("--node-name", &cfg.node_name, "the Node's name (default: the host name)", "NAME")
      .choice("--runtime", &cfg.runtime, {"crun", "runc"},
              "OCI runtime (default: crun when installed)")
      .string("--registry-config", &cfg.registry_config,
              "registry mirrors and credentials (docs/images.md)", "FILE")
      .string("--node-ip", &cfg.node_ip, "the node's InternalIP (default: the default route's source)",
              "IP")
      .string("--cgroup-parent", &cfg.cgroup_parent,
              "cgroup of the containers (default: <server's cgroup>/skiff)", "PATH")
      .choice("--flannel-backend", &cfg.flannel_backend, {"none", "host-gw", "vxlan"},
              "pod network between nodes (none: pods of this node only)")
      .custom_bool("--no-proxy", "no service proxy in the agent",
                   [&cfg](bool on) { cfg.proxy = on ? "off" : "auto"; })
      .custom_bool("--proxy", "run the service proxy even with --flannel-backend none",
                   [&cfg](bool on) { cfg.proxy = on ? "on" : "auto"; });
  flags.section("cluster DNS (docs/network.md)")
      .custom("--cluster-dns", "IP|host",
              "the kube-dns Service's ClusterIP and the pods' nameserver (default: the 10th "
              "address of --service-cidr, 10.96.0.10)",
              "", [&cfg](const std::string& v) -> std::string {
                if (v != "host" && !is_ipv4(v)) return "wants an IPv4 address or host, not \"" + v + "\"";
                cfg.cluster_dns = v;
                return "";
              })
      .string("--cluster-domain", &cfg.cluster_domain, "the cluster's DNS domain", "DOMAIN")
      .string("--resolv-conf", &cfg.resolv_conf,
              "resolvers of dnsPolicy Default pods and the DNS pods' upstreams", "FILE")
      .custom("--disable", "dns", "no coredns addon (the kube-system coredns Deployment and kube-dns Service)",
              "", [&cfg](const std::string& v) -> std::string {
                if (v != "dns") return "knows one addon: dns, not \"" + v + "\"";
                cfg.dns_addon = "off";
                return "";
              })
      .custom("--enable", "dns", "the coredns addon even when the agent runs no service proxy "
              "(default: on when it does)",
              "", [&cfg](const std::string& v) -> std::string {
                if (v != "dns") return "knows one addon: dns, not \"" + v + "\"";
                cfg.dns_addon = "on";
                return "";
              });
  flags.section("node lifecycle")
      .duration("--node-monitor-grace-period", &cfg.node_monitor_grace_period,
                "a node whose kubelet has not heartbeated for this long becomes Ready=Unknown and "
                "is tainted unreachable",
                std::chrono::milliseconds(1))
      .integer("--default-not-ready-toleration-seconds", &cfg.default_not_ready_toleration_seconds,
               "tolerationSeconds added to pods for node.kubernetes.io/not-ready:NoExecute", 0)
      .integer("--default-unreachable-toleration-seconds",
               &cfg.default_unreachable_toleration_seconds,
               "the same for node.kubernetes.io/unreachable:NoExecute", 0);
  controllers::add_node_ipam_flags(flags, ipam_opts);
  if (auto rc = flags.parse_or_exit(argc, argv)) return *rc;
  if (verbose) set_log_level(LogLevel::DEBUG);
  if (auto st = controllers::check_node_ipam_options(ipam_opts); !st)
    return flags.fail(st.error().message);
  cfg.cluster_cidr = ipam_opts.cluster_cidr;
  cfg.node_cidr_mask_size = ipam_opts.node_cidr_mask_size;
  cfg.allocate_node_cidrs = ipam_opts.allocate_node_cidrs;
  // Signals are taken synchronously by this thread; every other thread blocks them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  Server server(cfg);
  try {
    server.start();
  } catch (const std::exception& e) {
    SKIFF_LOG(ERROR) << "skiff server failed to start: " << e.what();
    return 1;
  }
  int sig = 0;
  sigwait(&set, &sig);
  SKIFF_LOG(INFO) << "received " << strsignal(sig) << ", shutting down";
  server.stop();
  SKIFF_LOG(INFO) << "stopped";
  return 0;
}
}  // namespace skiff::apiserver
