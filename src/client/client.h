// The API client every in-cluster component uses (scheduler, controllers, kubelet, sim): typed
// on the resource registry, JSON over HTTPS with a client certificate or bearer token, and
// thread-safe (a small pool of keep-alive connections). Components talk to the API server only
// through this, even inside `skiff server` (docs/architecture.md: "Everything goes through the API").
#pragma once
#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "api/resources.h"
#include "common/api_error.h"
#include "common/json.h"

namespace skiff::client {

struct Config {
  std::string server;     // "https://127.0.0.1:6443"
  std::string ca_pem;     // CA to verify the server; empty = system default verification off
  std::string cert_pem;   // client certificate (optional)
  std::string key_pem;
  std::string token;      // bearer token (optional)
  std::string token_file; // a file holding the bearer token, re-read as it rotates (wins over token)
  std::string user_agent = "skiff";
  int max_connections = 8;  // pool size; requests beyond it wait for a free connection

  // Reads a kubeconfig's current context (embedded *-data fields or file paths).
  static Result<Config> from_kubeconfig(const std::string& path);
  // A pod's own credentials, as client-go's rest.InClusterConfig: the API at
  // https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT, the CA and the rotating
  // service-account token under kServiceAccountDir. Fails (saying what is missing) outside a pod.
  static Result<Config> in_cluster();
};

// Where the kubelet mounts a pod's service-account credentials (token, ca.crt, namespace).
inline constexpr const char* kServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  int64_t limit = 0;
  std::string continue_token;
  std::string resource_version;
  int timeout_seconds = 0;  // watch only; 0 = server default
  bool allow_bookmarks = true;  // watch only
};

// A watch event as the API streams it.
struct WatchEvent {
  std::string type;  // ADDED, MODIFIED, DELETED, BOOKMARK, ERROR
  json::object object;
};

class Client {
 public:
  explicit Client(Config cfg);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Errors: the server's metav1.Status as an ApiError (code, reason, message); transport
  // failures as 503 ServiceUnavailable with the cause in the message.
  Result<json::object> get(const api::ResourceInfo& r, const std::string& ns,
                           const std::string& name, const std::string& subresource = "");
  // One page (or all when limit is 0) as the List object (items, metadata.resourceVersion, ...).
  Result<json::object> list(const api::ResourceInfo& r, const std::string& ns,
                            const ListOptions& opts = {});
  Result<json::object> create(const api::ResourceInfo& r, const std::string& ns,
                              const json::object& obj);
  Result<json::object> update(const api::ResourceInfo& r, const std::string& ns,
                              const std::string& name, const json::object& obj,
                              const std::string& subresource = "");
  // patch_type: "application/merge-patch+json", "application/strategic-merge-patch+json",
  // "application/json-patch+json".
  Result<json::object> patch(const api::ResourceInfo& r, const std::string& ns,
                             const std::string& name, const std::string& patch_type,
                             const json::value& patch, const std::string& subresource = "");
  // DELETE with optional DeleteOptions body; returns the deleted (or marked) object or Status.
  Result<json::object> remove(const api::ResourceInfo& r, const std::string& ns,
                              const std::string& name, const json::object& options = {});
  // POST to a subresource (pods/binding, pods/eviction).
  Result<json::object> post_subresource(const api::ResourceInfo& r, const std::string& ns,
                                        const std::string& name, const std::string& subresource,
                                        const json::object& body);

  // Streams a watch on its own connection; calls on_event for each event until it returns
  // false, the server ends the stream (Status ok), *stop becomes true (checked at least every
  // second), or an error occurs. A 410 arrives as an ERROR event (then re-list).
  Status watch(const api::ResourceInfo& r, const std::string& ns, const ListOptions& opts,
               const std::function<bool(WatchEvent&)>& on_event, const std::atomic<bool>* stop);

  // A raw request (path with query); body and content type optional. Returns the parsed JSON.
  Result<json::value> request(const std::string& method, const std::string& path,
                              const std::string& body = "",
                              const std::string& content_type = "application/json");

  // "/api/v1/namespaces/default/pods/nginx/status" for the given coordinates.
  static std::string path_for(const api::ResourceInfo& r, const std::string& ns,
                              const std::string& name = "", const std::string& subresource = "");

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The ApiError a metav1.Status object describes (code, reason, message, details and causes);
// http_code is used when the Status carries no code. For watch ERROR events and raw requests.
ApiError api_error_from_status(const json::object& status, int http_code = 0);

}  // namespace skiff::client
