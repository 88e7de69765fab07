// Node IPAM (upstream's nodeipam controller with the RangeAllocator): gives every Node without
// spec.podCIDR a free subnet of the cluster CIDR (--cluster-cidr, subnets of
// --node-cidr-mask-size bits) and frees it when the node is deleted. Kubelets (here `skiff sim`)
// take their pods' addresses from it, so pods of different nodes never share an address.
// CidrSet is the pure allocator, unit-tested in tests/controllers/nodeipam_test.cc.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/flags.h"
#include "controllers/controllers.h"

namespace skiff::controllers {

// An IPv4 network, host bits cleared.
struct Ipv4Cidr {
  uint32_t base = 0;  // host order
  int prefix = 0;
  std::string str() const;  // "10.244.3.0/24"
};
// "a.b.c.d/n"; host bits are cleared (as Go's net.ParseCIDR does). nullopt when malformed.
std::optional<Ipv4Cidr> parse_ipv4_cidr(std::string_view s);

// The subnets of one cluster CIDR, handed out next-fit (as upstream's cidrset: after the last
// one handed out, wrapping around), so a freed subnet is reused only once the rest was used or
// when it is the only free one. Not thread-safe; the controller guards it.
class CidrSet {
 public:
  // Fails (400) unless cluster_cidr is an IPv4 CIDR and prefix <= mask <= 30 with at most 2^20
  // subnets (upstream allows a difference of at most 16 bits; 20 leaves room).
  static Result<CidrSet> make(const std::string& cluster_cidr, int mask);
  // The next free subnet, marked used; nullopt when every subnet is used.
  std::optional<std::string> allocate_next();
  // Marks a CIDR used: every subnet it covers, or the subnet holding it when it is smaller.
  // False (nothing marked) when it is malformed or not inside the cluster CIDR.
  bool occupy(const std::string& cidr);
  // The reverse of occupy; false when malformed or outside the cluster CIDR.
  bool release(const std::string& cidr);
  bool in_range(const std::string& cidr) const;
  size_t used() const { return used_count_; }
  size_t capacity() const { return used_.size(); }
  const Ipv4Cidr& cluster() const { return cluster_; }
  int mask() const { return mask_; }

 private:
  // The subnet index range [first, last] a CIDR covers; nullopt when outside.
  std::optional<std::pair<size_t, size_t>> span(const std::string& cidr) const;
  Ipv4Cidr cluster_;
  int mask_ = 24;
  std::vector<bool> used_;
  size_t used_count_ = 0;
  size_t next_ = 0;  // next-fit cursor
};

// The nodeipam controller, keyed by node name. At run() it rebuilds the allocation map from
// the nodes that already have a podCIDR (so a restarted or newly elected controller manager
// never hands out a subnet twice), then allocates to the others. A node that cannot get one
// (the range is full) gets the event CIDRNotAvailable and is retried when a subnet is freed.
class NodeIpamController : public QueueController {
 public:
  NodeIpamController(client::Client& c, InformerFactory& inf, CidrSet cidrs, int workers = 2);
  void run() override;

 protected:
  Status sync(const std::string& key) override;

 private:
  void release_locked(const std::string& node);
  void report_unavailable(const json::object& node);
  client::Client& client_;
  client::Informer& nodes_;
  std::mutex mu_;
  // State below is guarded by mu_.
  CidrSet cidrs_;
  // node name -> the subnet it holds: observed on the node, or allocated and being written
  // (reused by the next sync until the informer shows it, so a retry does not allocate anew).
  std::unordered_map<std::string, std::string> held_;
  std::set<std::string> waiting_;  // nodes told CIDRNotAvailable, retried when one is freed
};

// Declares the node IPAM flags shared by `skiff server` and `skiff controller-manager` on `flags`,
// setting `opts`: --cluster-cidr CIDR ("" = off), --node-cidr-mask-size N (1..30),
// --allocate-node-cidrs[=true|false].
void add_node_ipam_flags(FlagSet& flags, ControllerOptions& opts);
// Checks the combination once every flag is read (a valid CIDR and mask when allocating).
Status check_node_ipam_options(const ControllerOptions& opts);

// The controller for the options: NodeIpamController, or one that does nothing when
// opts.cluster_cidr is empty (or invalid, which is logged; the flags are checked earlier).
std::unique_ptr<Controller> make_node_ipam_controller(client::Client& c, InformerFactory& inf,
                                                      const ControllerOptions& opts);

}  // namespace skiff::controllers
