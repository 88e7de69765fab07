// A tiny IPv4 address manager for one node's pod range. Leases are files on disk named by the
// address (<dir>/10.88.0.5, holding the owner), created with O_EXCL, so an address is never
// handed out twice, even across restarts or by two processes; release removes the file.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "runtime/status.h"

namespace skiff::runtime {

struct Ipv4Net {
  uint32_t network = 0;  // host byte order
  int prefix = 0;
  uint32_t gateway() const { return network + 1; }  // the bridge's address
  uint32_t broadcast() const { return network | (prefix >= 32 ? 0 : (0xffffffffu >> prefix)); }
};
std::optional<Ipv4Net> parse_cidr(const std::string& cidr);  // "10.88.0.0/24"
std::string format_ipv4(uint32_t addr);
// The n-th address of an IPv4 CIDR (n = 1 is the first after the network address), or nullopt
// when the CIDR does not parse or is too small. The service range's 1st is the `kubernetes`
// Service's ClusterIP, its 10th the cluster DNS (kubeadm's convention: 10.96.0.10).
std::optional<std::string> nth_address(const std::string& cidr, uint32_t n);
inline constexpr uint32_t kClusterDnsIndex = 10;

class Ipam {
 public:
  Ipam(std::string dir, Ipv4Net net) : dir_(std::move(dir)), net_(net) {}
  // The owner's address: its existing lease, or a new one (round robin from the last one).
  Status allocate(const std::string& owner, std::string* ip);
  std::optional<std::string> find(const std::string& owner) const;
  // Removes the owner's lease; Ok when it had none.
  Status release(const std::string& owner);

 private:
  std::string dir_;
  Ipv4Net net_;
};

}  // namespace skiff::runtime
