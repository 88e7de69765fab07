// The compaction schedule: compact every `interval`, keeping at least one interval of history,
// with the interval measured from the last compaction recorded in the store, so a server that
// restarts more often than the interval still compacts on time.
//
// Each due run compacts to the revision the previous run recorded (CompactionInfo's
// revision_at_time) and records the current one for the next run: history younger than one
// interval is never compacted. A store that has never run one gets its first mark at once.
#pragma once
#include <chrono>
#include <cstdint>

#include "storage/store.h"

namespace skiff::storage {

struct CompactionDecision {
  bool due = false;
  int64_t revision = 0;  // compact to this (may be <= compacted: then only the mark is recorded)
};

// Pure: what to do at wall-clock time `now_unix_ms`. A clock that went backwards (now before
// the recorded time) counts as due, so a wrong clock can delay compaction by one interval at most.
CompactionDecision compaction_due(const CompactionInfo& last, int64_t now_unix_ms,
                                  std::chrono::milliseconds interval);

// Runs compaction on `store` when due; returns whether it ran. Call it periodically (more often
// than `interval`). The store records its own clock's time with the run, which must be the clock
// `now_unix_ms` comes from.
bool compact_if_due(Store& store, int64_t now_unix_ms, std::chrono::milliseconds interval);

}  // namespace skiff::storage
