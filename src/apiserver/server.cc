// The API server of `skiff server` (server.h): store, PKI, HTTPS, bootstrap objects, and the
// background compaction and `kubernetes` endpoints upkeep.
#include "apiserver/server.h"
#include "apiserver/crd_controller.h"
#include "apiserver/event_ttl.h"

#include <malloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "apiserver/admission.h"
#include "apiserver/authn.h"
#include "apiserver/handler.h"
#include "apiserver/kubernetes_service.h"
#include "apiserver/object_store.h"
#include "common/health.h"
#include "common/log.h"
#include "common/version.h"
#include "net/http.h"
#include "pki/jwt.h"
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
  crds_ = std::make_unique<CrdController>(*objects_);
  crds_->start();
  event_ttl_ = std::make_unique<EventTtl>(*store_, cfg_.event_ttl);
  event_ttl_->start();

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
  url_ = "https://" + host + ":" + std::to_string(https_->port());
  pki::write_kubeconfig(kubeconfig_path(), url_, certs.ca.cert_pem, certs.admin, "admin");
  pki_ = std::move(certs);
  SKIFF_LOG(INFO) << "ready; export KUBECONFIG=" << kubeconfig_path();
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

void Server::end_watches() {
  if (handler_) handler_->shutdown();
}

void Server::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (handler_) handler_->shutdown();
  if (https_) https_->stop();
  if (maintenance_.joinable()) maintenance_.join();
  https_.reset();
  handler_.reset();
  crds_.reset();
  event_ttl_.reset();
  tokens_.reset();
  objects_.reset();
  admission_.reset();
  store_.reset();
}

}  // namespace skiff::apiserver
