// The service proxy (upstream's kube-proxy in its nftables mode). From list+watches of
// Services, EndpointSlices and this node's Pods it keeps ONE nftables table, `ip skiff-proxy`,
// in its network namespace (what goes in it: rules.h, docs/network.md "Services"):
//   - ClusterIP, externalIPs and NodePort (TCP, UDP, SCTP when the kernel has it) -> verdict
//     maps -> one chain per service port -> DNAT to a random ready endpoint (`numgen random mod
//     N`), with sessionAffinity ClientIP (per-endpoint chains and sets with timeout),
//     internal/external traffic policy Local, hairpin and masquerade marks, and reject/drop
//     when no endpoint; the node itself reaches ClusterIPs through a policy route (below);
//   - hostPort of this node's pods (DNAT on the node's addresses, or the port's hostIP).
// Updates are incremental: an event marks its owner (a Service, or a Pod) dirty; after a short
// debounce the sync thread recomputes only the dirty owners' fragments and applies the
// difference to what it applied before, all dirty owners in one `nft -f` transaction, without
// touching the other owners' chains. A full sync (every owner, flushing and rewriting the
// table's contents in a few transactions, each consistent, without deleting the table) runs at
// start, every `full_resync`, and after any failed transaction. A restart therefore adopts the
// table left by a killed proxy without a gap; stop() (a clean exit) deletes it.
#pragma once
#include <chrono>
#include <condition_variable>
#include <memory>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "client/client.h"
#include "client/informer.h"
#include "common/json.h"
#include "proxy/rules.h"
#include "proxy/transaction.h"

namespace skiff::proxy {

struct ProxyOptions {
  std::string node_name;                       // local endpoints, this node's hostPort pods
  std::string cluster_cidr = "10.244.0.0/16";  // sources outside it are masqueraded to ClusterIPs
  std::chrono::milliseconds debounce{50};      // changes within this window make one transaction
  std::chrono::seconds full_resync{3600};      // a full sync this often (upstream: 1 h)
  // The Service range. When set, local processes can reach ClusterIPs: the flannel backend's
  // `unreachable` route for it would fail their connect() before any netfilter hook, so the
  // proxy adds `ip rule pref 157 to CIDR iif lo lookup 157` with `CIDR dev lo src <a global
  // address of this namespace>` in table 157: the socket's route lookup succeeds, the nat output
  // hook DNATs to the endpoint (re-routed from there), and what nothing DNATs is rejected
  // (TCP reset, else ICMP host-unreachable) in filter-output-post-dnat. Pods are not affected
  // (their packets do not match iif lo).
  std::string service_cidr;
};

inline constexpr int kLocalRouteTable = 157;  // and the ip rule's preference

class Proxy {
 public:
  Proxy(client::Client& client, ProxyOptions options);
  ~Proxy();
  // Checks that nft works here (throws std::runtime_error otherwise), then starts the watches
  // and the sync thread.
  void start();
  // Stops the watches and, with remove_table, deletes the table and the policy route. The agent
  // keeps them (as it keeps the pod network): Services keep answering while it restarts, and
  // the next start adopts the table; `skiff node-reset` removes them.
  void stop(bool remove_table = true);
  // Deletes the table if present (node-reset). Returns an error text or "".
  static std::string remove_table();
  // Transactions applied so far (full and incremental); for tests and the benchmark.
  uint64_t full_syncs() const;
  uint64_t partial_syncs() const;

 private:
  void sync_loop();
  void mark(const std::string& owner);
  void on_slice(const client::ObjectPtr& old_obj, const client::ObjectPtr& obj);
  Fragment wanted(const std::string& owner) const;
  bool sync_full();
  bool sync_partial(const std::set<std::string>& owners);
  Fragment owned(const std::string& owner, Fragment f);
  void forget(const std::string& owner);
  void flush_conntrack(const Fragment& before, const Fragment& after);

  client::Client& client_;
  ProxyOptions o_;
  RuleOptions ro_;
  std::unique_ptr<client::Informer> services_, slices_, pods_;
  std::thread thread_;

  mutable std::mutex mu_;  // guards what follows up to the next comment
  std::condition_variable cv_;
  std::set<std::string> dirty_;  // owners: "svc/<ns>/<name>" or "pod/<ns>/<name>"
  bool full_ = true, stopping_ = false;
  // EndpointSlices by the Service they are labelled for ("ns/name" -> slice keys), kept by the
  // slice handler so a change costs O(that service's slices), not O(all slices).
  std::map<std::string, std::set<std::string>> slices_of_;
  uint64_t full_syncs_ = 0, partial_syncs_ = 0;

  // Owned by the sync thread only: what the table holds, per owner, and who owns each map key.
  std::map<std::string, Fragment> applied_;
  std::map<std::pair<std::string, std::string>, std::string> key_owner_;
};

}  // namespace skiff::proxy
