// The API server of `skiff server`: opens the store, loads or makes the PKI, serves the API over
// HTTPS, writes the bootstrap objects (system namespaces, the `kubernetes` service), then
// DATA_DIR/admin.kubeconfig once /readyz answers 200. The components that run beside it in one
// process (scheduler, controllers, node agent, addons) are wired in src/cmd/server.cc and reach
// it over HTTPS like any client.
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "pki/pki.h"

namespace skiff::storage { class Store; }
namespace skiff::net { class HttpsServer; }

namespace skiff::apiserver {
class Admission;
class ObjectStore;
class ApiHandler;
class CrdController;
class EventTtl;
class TokenAuthority;

struct ServerConfig {
  std::string data_dir = "/var/lib/skiff";
  std::string bind_address = "0.0.0.0";
  int port = 6443;
  std::string datastore = "sqlite";
  std::string service_cidr = "10.96.0.0/12";
  // How often old revisions are compacted; each compaction keeps at least one interval of
  // history, so watches and continue tokens younger than that stay valid.
  std::chrono::milliseconds compaction_interval = std::chrono::minutes(5);
  // --event-ttl: how long an Event lives after its last write (upstream's default, 1h).
  std::chrono::milliseconds event_ttl = std::chrono::hours(1);
  // Node lifecycle (upstream's kube-apiserver flags of these names).
  int64_t default_not_ready_toleration_seconds = 300;
  int64_t default_unreachable_toleration_seconds = 300;
  // Service-account tokens (upstream's --service-account-issuer; --api-audiences defaults to
  // the issuer). Signed with DATA_DIR/pki/sa.key.
  std::string service_account_issuer = "https://kubernetes.default.svc.cluster.local";
};

class Server {
 public:
  explicit Server(ServerConfig cfg);
  ~Server();
  // Starts serving; throws std::runtime_error with what to do when a step fails.
  void start();
  // Ends open watches and long requests (in-process clients stop faster), keeps serving.
  void end_watches();
  void stop();
  int port() const;
  std::string kubeconfig_path() const;
  // After start(): the URL in-process components use, and the PKI (its CA signs their
  // client certificates).
  const std::string& url() const { return url_; }
  const pki::ServerPki& pki() const { return pki_; }

 private:
  void bootstrap();
  void maintenance_loop();

  ServerConfig cfg_;
  std::string url_;
  pki::ServerPki pki_;
  // Declared in dependency order: destroyed in reverse (server before handler before store).
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<Admission> admission_;
  std::unique_ptr<ObjectStore> objects_;
  std::unique_ptr<TokenAuthority> tokens_;
  std::unique_ptr<ApiHandler> handler_;
  std::unique_ptr<CrdController> crds_;  // registers CRDs' resources before serving
  std::unique_ptr<EventTtl> event_ttl_;
  std::unique_ptr<net::HttpsServer> https_;
  std::thread maintenance_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
};

}  // namespace skiff::apiserver
