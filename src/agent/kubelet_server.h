// The kubelet's HTTPS endpoint (upstream: pkg/kubelet/server): what the API server's proxy
// forwards for pods/log, pods/exec, pods/attach, pods/portforward and nodes/proxy.
//
//   GET  /healthz
//   GET  /pods                                       the pods this agent runs (a PodList)
//   GET  /containerLogs/{ns}/{pod}/{container}       ?follow&tailLines&previous&timestamps&...
//   GET|POST /exec/{ns}/{pod}[/{uid}]/{container}    ?command=...&stdin&stdout&stderr&tty
//   GET|POST /attach/{ns}/{pod}[/{uid}]/{container}  output of the container's main process
//   GET|POST /portForward/{ns}/{pod}[/{uid}]         SPDY or WebSocket, dials in the pod's netns
//
// Mirror pods (mirror_pods.h) have no containers here: their containerLogs is the component's
// log file (common/log.h); exec, attach and port-forward answer 400.
//
// Clients must present a certificate from the cluster CA; only the API server's kubelet client
// (CN kube-apiserver-kubelet-client) and members of system:masters are served.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "agent/context.h"
#include "agent/pod_worker.h"

namespace skiff::net {
class HttpsServer;
}

namespace skiff::agent {

using WorkerLookup = std::function<std::shared_ptr<PodWorker>(const std::string& ns,
                                                              const std::string& name)>;
using PodLister = std::function<json::array()>;
// The log file of a mirror pod's container (a component of this process, mirror_pods.h), or
// nullopt when ns/name/container is not one.
using MirrorLogLookup = std::function<std::optional<std::string>(
    const std::string& ns, const std::string& name, const std::string& container)>;

class KubeletServer {
 public:
  KubeletServer(NodeContext& ctx, WorkerLookup lookup, PodLister list, MirrorLogLookup mirror_logs);
  ~KubeletServer();
  // Throws std::runtime_error when the port cannot be bound.
  void start();
  void stop();
  uint16_t port() const;

 private:
  void handle(struct KubeletRequest& kr);
  void serve_mirror(struct KubeletRequest& kr, const std::string& kind, const std::string& log);
  NodeContext& ctx_;
  WorkerLookup lookup_;
  PodLister list_;
  MirrorLogLookup mirror_logs_;
  std::unique_ptr<net::HttpsServer> server_;
};

// Connects to 127.0.0.1:port inside the network namespace at `netns_path` ("" or "host": the
// node's own loopback): a connected socket, or -1 with *err.
int dial_in_netns(const std::string& netns_path, uint16_t port, std::string* err);

}  // namespace skiff::agent
