// The service proxy (upstream's kube-proxy in its nftables mode), first slice. From a list+watch
// of Services and EndpointSlices it keeps ONE nftables table, `ip skiff-proxy`, in its network
// namespace:
//   - ClusterIP:port (TCP, UDP) -> DNAT to a random ready endpoint: a verdict map
//     `ip daddr . meta l4proto . th dport vmap @services` jumps to one chain per service port
//     (`numgen random mod N vmap { i : goto <endpoint chain> }`), so the per-packet cost does
//     not grow with the number of services;
//   - NodePort on every local address but 127/8 (`fib daddr type local`), in prerouting (from
//     outside) and output (from this host), masqueraded so replies come back through this node;
//   - hairpin (an endpoint reaching its own service) and traffic from outside the cluster CIDR
//     to a ClusterIP are masqueraded too (mark 0x4000, as kube-proxy);
//   - a service port with no ready endpoint is rejected at once (TCP reset / ICMP
//     port-unreachable) for new connections.
// The table is rebuilt as a whole in one `nft -f` transaction (add, delete, define) after each
// change, debounced, and only when its text changed. stop() removes it.
#pragma once
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "client/client.h"
#include "client/informer.h"
#include "common/json.h"

namespace skiff::proxy {

inline constexpr const char* kTable = "skiff-proxy";

struct ProxyOptions {
  std::string node_name;                       // for the log only (this slice has no topology)
  std::string cluster_cidr = "10.244.0.0/16";  // sources outside it are masqueraded to ClusterIPs
  std::chrono::milliseconds debounce{100};     // changes within this window make one rebuild
  std::chrono::seconds resync{60};             // rewrite the table this often even without change
};

// The table's nft text (a whole `nft -f` transaction) for these Services and EndpointSlices.
// Pure; exposed for tests.
std::string render(const std::vector<client::ObjectPtr>& services,
                   const std::vector<client::ObjectPtr>& slices, const std::string& cluster_cidr);

class Proxy {
 public:
  Proxy(client::Client& client, ProxyOptions options);
  ~Proxy();
  // Checks that nft works here (throws std::runtime_error otherwise), then starts the watches
  // and the sync thread.
  void start();
  // Stops the watches and removes the table.
  void stop();
  // Deletes the table if present (node-reset). Returns an error text or "".
  static std::string remove_table();

 private:
  void sync_loop();
  void changed();

  client::Client& client_;
  ProxyOptions o_;
  std::unique_ptr<client::Informer> services_, slices_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool dirty_ = false, stopping_ = false;
  std::string applied_;
};

// `skiff proxy --kubeconfig FILE [--hostname-override NAME] ...` in the foreground.
int proxy_main(int argc, char** argv);

}  // namespace skiff::proxy
