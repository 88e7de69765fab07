// The HTTP face of the API server: authentication, non-resource endpoints (version, health,
// discovery, OpenAPI) and the resource verbs, encoded as the real kubectl expects (JSON objects,
// lists, server-side Tables, watch streams, metav1.Status errors).
#pragma once
#include <atomic>
#include <string>

#include "api/resources.h"
#include "apiserver/authn.h"
#include "apiserver/object_store.h"
#include "apiserver/request_info.h"
#include "net/http.h"

namespace skiff::apiserver {

class ApiHandler {
 public:
  explicit ApiHandler(ObjectStore& objects);
  void handle(net::Request& req, net::ResponseWriter& w);
  // /readyz answers 200 only after set_ready(true) (bootstrap objects written).
  void set_ready(bool ready) { ready_ = ready; }
  // Ends open watches (server shutdown).
  void shutdown() { stopping_ = true; }
  // The client certificate used towards kubelets (kubelet_proxy.cc). Call before serving.
  // Service-account tokens: minted by serviceaccounts/token, accepted as bearer tokens. Without
  // one every bearer token is refused. Call before serving.
  void set_token_authority(TokenAuthority* tokens) { tokens_ = tokens; }
  void set_kubelet_client_cert(std::string cert_pem, std::string key_pem) {
    kubelet_cert_pem_ = std::move(cert_pem);
    kubelet_key_pem_ = std::move(key_pem);
  }

 private:
  void handle_resource(net::Request& req, const RequestInfo& info, const UserInfo& user,
                       net::ResponseWriter& w);
  // serviceaccounts/token (TokenRequest) and selfsubjectreviews (authn.cc's users, served in
  // token_request.cc).
  void handle_token_request(net::Request& req, const RequestInfo& info, net::ResponseWriter& w);
  void handle_self_subject_review(net::Request& req, const RequestInfo& info, const UserInfo& user,
                                  net::ResponseWriter& w);
  void handle_list(net::Request& req, const RequestInfo& info, const api::ResourceInfo& r,
                   net::ResponseWriter& w);
  void delete_collection(net::Request& req, const api::ResourceInfo& r, const std::string& ns,
                         const DeleteOptions& opts, net::ResponseWriter& w);
  void handle_watch(net::Request& req, const RequestInfo& info, const api::ResourceInfo& r,
                    net::ResponseWriter& w);
  void handle_scale(net::Request& req, const RequestInfo& info, const api::ResourceInfo& r,
                    net::ResponseWriter& w);
  void handle_binding(net::Request& req, const std::string& ns, const std::string& pod,
                      net::ResponseWriter& w);
  // pods/eviction (eviction.cc): deletes the pod if its PodDisruptionBudget allows.
  void handle_eviction(net::Request& req, const std::string& ns, const std::string& pod,
                       net::ResponseWriter& w);
  Status evict(const std::string& ns, const std::string& pod, const DeleteOptions& opts);
  void handle_patch(net::Request& req, const RequestInfo& info, const api::ResourceInfo& r,
                    net::ResponseWriter& w);
  // componentstatuses (component_status.cc): the store, the scheduler and the controller
  // manager, from what the server can see of them (not stored objects).
  void handle_component_statuses(net::Request& req, const RequestInfo& info, net::ResponseWriter& w);
  // pods/{log,exec,attach,portforward} and nodes/{name}/proxy (kubelet_proxy.cc): an
  // upgrade-aware reverse proxy to the node's kubelet.
  void handle_kubelet_proxy(net::Request& req, const RequestInfo& info, const api::ResourceInfo& r,
                            net::ResponseWriter& w);

  ObjectStore& objects_;
  std::atomic<bool> ready_{false};
  std::atomic<bool> stopping_{false};
  std::string kubelet_cert_pem_, kubelet_key_pem_;  // set before serving, then read-only
  TokenAuthority* tokens_ = nullptr;                 // set before serving
};

// Helpers shared by the handler's files.
void write_json(net::ResponseWriter& w, int status, const json::value& body,
                const net::Headers& extra = {});
void write_error(net::ResponseWriter& w, const ApiError& e);
bool wants_table(const net::Request& req);
// 400 when a number in the body is not finite (1e400, YAML's .inf): nothing may store one.
Status refuse_non_finite(const json::object& body);
// Decodes a request body (JSON or YAML by Content-Type) into an object.
Result<json::object> decode_body(const net::Request& req);
// The same, also collecting the body's duplicate fields as upstream's strict decoding errors
// words them (fieldValidation): `duplicate field "spec.replicas"` per JSON duplicate, one
// `yaml: unmarshal errors:\n  line 5: key "replicas" already set in map` for a YAML body.
Result<json::object> decode_body(const net::Request& req, std::vector<std::string>* strict_errors);
// ?dryRun=All (repeatable); any other non-empty value is a 400.
Result<bool> parse_dry_run(const net::Request& req);
// The DeleteOptions of a DELETE body (or of an Eviction's deleteOptions): grace period,
// propagation policy (and the legacy orphanDependents), preconditions, dryRun. query, when
// given, overrides gracePeriodSeconds and propagationPolicy as upstream's query parameters do.
Result<DeleteOptions> parse_delete_options(const json::object& body, bool dry_run,
                                           const net::Request* query = nullptr);
// The metav1.Status a subresource POST (binding, eviction) answers with.
void write_success(net::ResponseWriter& w, int code);

}  // namespace skiff::apiserver
