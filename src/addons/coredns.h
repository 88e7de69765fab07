// The cluster DNS addon: what `skiff server` keeps in kube-system so the cluster has names, as
// kubeadm's CoreDNS addon (docs/network.md, "Cluster DNS"):
//   ServiceAccount coredns
//   Deployment coredns   2 replicas of `skiff dns` from the system image (images/system_image.h)
//   Service kube-dns     ClusterIP = the cluster DNS address, 53/UDP dns, 53/TCP dns-tcp,
//                        9153/TCP metrics
// Mode EnsureExists (upstream addon manager's label `addonmanager.kubernetes.io/mode`): a
// missing object is created (at start and then every minute, so a deleted one comes back), an
// existing one is left as it is (user edits stay), with one exception: a Deployment still naming
// a system image of another binary gets this binary's tag (an upgraded server), since the old
// image exists on no node that runs the new binary.
#pragma once
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "client/client.h"
#include "common/json.h"

namespace skiff::addons {

struct DnsAddonOptions {
  std::string cluster_dns;                     // the kube-dns Service's ClusterIP
  std::string cluster_domain = "cluster.local";
  std::string image;                           // the system image reference
};

// The objects themselves (for tests and for the one ensure below).
json::object coredns_service_account();
json::object coredns_deployment(const DnsAddonOptions& o);
json::object kube_dns_service(const DnsAddonOptions& o);

// One pass: creates what is missing, updates a stale system image tag. Returns the first error
// (the next pass retries).
Status ensure_dns_addon(client::Client& c, const DnsAddonOptions& o);

// Runs ensure_dns_addon at start and every `period` until stopped, on its own thread, so a slow
// API never delays the server's other duties.
class DnsAddon {
 public:
  DnsAddon(client::Client& c, DnsAddonOptions o, std::chrono::seconds period = std::chrono::seconds(60));
  ~DnsAddon();
  DnsAddon(const DnsAddon&) = delete;
  DnsAddon& operator=(const DnsAddon&) = delete;
  void start();
  void stop();  // idempotent; the destructor calls it

 private:
  void loop();
  client::Client& client_;
  const DnsAddonOptions opts_;
  const std::chrono::seconds period_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace skiff::addons
