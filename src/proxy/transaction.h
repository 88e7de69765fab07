// Fragments (rules.h) -> `nft -f` transactions on table ip skiff-proxy: the fixed base objects,
// the diff between an owner's applied and wanted fragment (the incremental path), and the full
// sync of every owner (start, hourly, after an error). Pure functions, exposed for tests.
#pragma once
#include <set>
#include <string>
#include <vector>

#include "proxy/rules.h"

namespace skiff::proxy {

// The incremental transaction that turns `before` into `after` (both of one owner): deletes
// first (elements, then the flushed chains and sets nothing references any more), then adds.
// "" when they are equal.
std::string diff(const Fragment& before, const Fragment& after);

// A full sync, as transactions to apply in order, each consistent on its own: (1) `add` of every
// fragment's chains and sets (a no-op for those that exist: affinity sets keep their entries);
// (2) batches of about `batch_rules` rules, each flushing and refilling some owners' chains;
// (3) the shared maps flushed and refilled, the base chains rewritten, and chains and sets in
// `existing` that no fragment wants deleted. The table is never deleted, so traffic keeps
// flowing through a restart's adoption of the table. Several transactions rather than one:
// the kernel resolves a set or chain created in the same transaction (every rule's anonymous
// set) by walking the whole transaction, so one transaction for 10,000 services is quadratic.
// `existing`: the table's current chain and set names (parse_names); empty when there is none.
std::vector<std::string> full_sync(const std::set<std::string>& existing_chains,
                                   const std::set<std::string>& existing_sets,
                                   const std::vector<const Fragment*>& fragments, const RuleOptions& o,
                                   size_t batch_rules = 2000);

// The chain and set names of `nft -t list table ip skiff-proxy` output.
void parse_names(const std::string& listing, std::set<std::string>& chains, std::set<std::string>& sets);

}  // namespace skiff::proxy
