// The compaction schedule (see compaction.h).
#include "storage/compaction.h"

namespace skiff::storage {

CompactionDecision compaction_due(const CompactionInfo& last, int64_t now_unix_ms,
                                  std::chrono::milliseconds interval) {
  CompactionDecision d;
  if (last.time_unix_ms == 0) {  // never: record the first mark now, compact nothing
    d.due = true;
    d.revision = 0;
    return d;
  }
  const int64_t since = now_unix_ms - last.time_unix_ms;
  d.due = since >= interval.count() || since < 0;
  d.revision = last.revision_at_time;
  return d;
}

bool compact_if_due(Store& store, int64_t now_unix_ms, std::chrono::milliseconds interval) {
  auto d = compaction_due(store.last_compaction(), now_unix_ms, interval);
  if (!d.due) return false;
  store.compact(d.revision);
  return true;
}

}  // namespace skiff::storage
