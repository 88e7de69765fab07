// The counters of `skiff dns`, served as Prometheus text on its metrics port (9153, as CoreDNS's
// prometheus plugin). Names and labels follow CoreDNS's where they exist, so dashboards and
// `curl :9153/metrics | grep coredns_dns_requests_total` read the same; labels are fewer (one
// server, one zone). Lock-free: every counter is an atomic bumped on the query path.
#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace skiff::dns {

class Metrics {
 public:
  void request(bool tcp, uint16_t qtype);
  void response(uint8_t rcode);  // the rcode of an answer sent (low 4 bits)
  void cache_hit() { cache_hits_.fetch_add(1, std::memory_order_relaxed); }
  void cache_miss() { cache_misses_.fetch_add(1, std::memory_order_relaxed); }
  void forward() { forwards_.fetch_add(1, std::memory_order_relaxed); }
  uint64_t requests() const;  // all, for tests
  // The exposition text (text/plain; version=0.0.4), with process_resident_memory_bytes read
  // from /proc/self/statm.
  std::string render() const;

 private:
  static constexpr int kTypes = 11;  // the types below and "other"
  std::array<std::atomic<uint64_t>, 2 * kTypes> requests_{};  // [tcp * kTypes + type index]
  std::array<std::atomic<uint64_t>, 16> responses_{};         // by rcode
  std::atomic<uint64_t> cache_hits_{0}, cache_misses_{0}, forwards_{0};
};

}  // namespace skiff::dns
