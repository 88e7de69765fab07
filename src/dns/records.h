// The cluster domain's records, from Services and EndpointSlices (the Kubernetes DNS
// specification, https://github.com/kubernetes/dns/blob/master/docs/specification.md):
//   <svc>.<ns>.svc.<domain>            A/AAAA  the ClusterIP; for a headless service (clusterIP
//                                              None) one per ready endpoint address
//   _<port>._<proto>.<svc>.<ns>.svc.<domain>  SRV for each named port: target the service name
//                                              (ClusterIP) or each endpoint's name (headless)
//   <hostname>.<svc>.<ns>.svc.<domain> A/AAAA  headless endpoints (StatefulSet pods); endpoints
//                                              without a hostname get <a-b-c-d> as their name
//   <a-b-c-d>.<ns>.pod.<domain>        A       computed from the name, for any namespace
//   d.c.b.a.in-addr.arpa               PTR     ClusterIPs and headless endpoint addresses
// ExternalName services (CNAME) and ip6.arpa are not answered yet.
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "client/informer.h"
#include "dns/zone.h"

namespace skiff::dns {

class RecordTable final : public Zone {
 public:
  RecordTable(std::string domain, uint32_t ttl);
  // Replaces every record with those of these objects (a whole rebuild: cheap at cluster sizes,
  // and readers never see half an update).
  void rebuild(const std::vector<client::ObjectPtr>& services, const std::vector<client::ObjectPtr>& slices);
  std::optional<Answer> lookup(const std::string& name, uint16_t qtype) const override;
  const std::string& domain() const { return domain_; }

 private:
  struct Snapshot {
    std::map<std::string, std::vector<Record>> records;  // by lower-case name
    std::set<std::string> names;  // every name that exists, incl. empty non-terminals
  };
  Answer negative(Rcode rcode) const;
  std::optional<Answer> pod_lookup(const std::string& lname, uint16_t qtype) const;

  const std::string domain_;  // lower case, no trailing dot
  const uint32_t ttl_;
  mutable std::mutex mu_;
  std::shared_ptr<const Snapshot> snap_;  // guarded by mu_; swapped whole, read without the lock
};

}  // namespace skiff::dns
