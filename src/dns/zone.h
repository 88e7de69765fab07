// Cluster DNS (`skiff dns`): the interface between the server (server.h), which speaks the
// protocol, and what answers for the cluster domain (records.h builds it from Services and
// EndpointSlices; tests may use fakes).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "dns/message.h"

namespace skiff::dns {

struct Answer {
  Rcode rcode = Rcode::kNoError;     // kNxDomain: the name does not exist; kNoError with no
                                     // answers: the name exists, but not with this type (NODATA)
  std::vector<Record> answers;
  std::vector<Record> authority;     // the zone's SOA for NXDOMAIN and NODATA (negative caching)
};

class Zone {
 public:
  virtual ~Zone() = default;
  // The answer for (name, type), or nullopt when the name is not ours to answer (the server
  // forwards it upstream). name is as received (any case, no trailing dot). Thread-safe.
  virtual std::optional<Answer> lookup(const std::string& name, uint16_t qtype) const = 0;
};

}  // namespace skiff::dns
