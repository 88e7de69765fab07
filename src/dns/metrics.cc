#include "dns/metrics.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

namespace skiff::dns {
namespace {

struct TypeName {
  uint16_t type;
  const char* name;
};
// Index i of this table is index i of the request counters; the last slot is "other".
constexpr TypeName kTypeNames[] = {{1, "A"},    {28, "AAAA"}, {33, "SRV"}, {12, "PTR"}, {6, "SOA"},
                                   {2, "NS"},   {5, "CNAME"}, {15, "MX"},  {16, "TXT"}, {255, "ANY"}};

int type_index(uint16_t t) {
  for (int i = 0; i < static_cast<int>(std::size(kTypeNames)); ++i)
    if (kTypeNames[i].type == t) return i;
  return static_cast<int>(std::size(kTypeNames));
}

const char* rcode_name(int r) {
  static const char* names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"};
  return r < 6 ? names[r] : nullptr;
}

}  // namespace

void Metrics::request(bool tcp, uint16_t qtype) {
  requests_[(tcp ? kTypes : 0) + type_index(qtype)].fetch_add(1, std::memory_order_relaxed);
}

void Metrics::response(uint8_t rcode) { responses_[rcode & 15].fetch_add(1, std::memory_order_relaxed); }

uint64_t Metrics::requests() const {
  uint64_t n = 0;
  for (const auto& c : requests_) n += c.load(std::memory_order_relaxed);
  return n;
}

std::string Metrics::render() const {
  std::ostringstream o;
  o << "# HELP coredns_dns_requests_total Counter of DNS requests made per protocol and type.\n"
       "# TYPE coredns_dns_requests_total counter\n";
  for (int tcp = 0; tcp < 2; ++tcp)
    for (int i = 0; i < kTypes; ++i) {
      uint64_t n = requests_[tcp * kTypes + i].load(std::memory_order_relaxed);
      if (n == 0) continue;
      o << "coredns_dns_requests_total{proto=\"" << (tcp ? "tcp" : "udp") << "\",type=\""
        << (i < static_cast<int>(std::size(kTypeNames)) ? kTypeNames[i].name : "other") << "\"} " << n << "\n";
    }
  o << "# HELP coredns_dns_responses_total Counter of response status codes.\n"
       "# TYPE coredns_dns_responses_total counter\n";
  for (int r = 0; r < 16; ++r) {
    uint64_t n = responses_[r].load(std::memory_order_relaxed);
    if (n == 0) continue;
    const char* name = rcode_name(r);
    o << "coredns_dns_responses_total{rcode=\"" << (name ? name : std::to_string(r).c_str()) << "\"} " << n << "\n";
  }
  o << "# HELP coredns_cache_hits_total The count of cache hits.\n# TYPE coredns_cache_hits_total counter\n"
    << "coredns_cache_hits_total " << cache_hits_.load() << "\n"
    << "# HELP coredns_cache_misses_total The count of cache misses.\n# TYPE coredns_cache_misses_total counter\n"
    << "coredns_cache_misses_total " << cache_misses_.load() << "\n"
    << "# HELP coredns_forward_requests_total Counter of requests made to upstream servers.\n"
       "# TYPE coredns_forward_requests_total counter\n"
    << "coredns_forward_requests_total " << forwards_.load() << "\n";
  long pages = 0, resident = 0;
  if (std::ifstream statm("/proc/self/statm"); statm >> pages >> resident) {
    o << "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
         "# TYPE process_resident_memory_bytes gauge\n"
      << "process_resident_memory_bytes " << resident * sysconf(_SC_PAGESIZE) << "\n";
  }
  return o.str();
}

}  // namespace skiff::dns
