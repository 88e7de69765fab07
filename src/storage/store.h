// The store contract (docs/architecture.md, "Storage contract"): a revisioned key-value store with
// one global, monotonically increasing revision, compare-and-swap writes and ordered watches.
// The API server is its only user. Backends: SqliteStore (embedded, default); an etcd v3 backend
// implements the same interface later.
//
// Thread safety: every method may be called from any thread concurrently.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace skiff::storage {

struct KeyValue {
  std::string key;
  std::string value;
  int64_t create_revision = 0;  // revision of the write that created the key
  int64_t mod_revision = 0;     // revision of the last write (for a deletion: the delete's revision)
};

enum class Code {
  kOk,
  kNotFound,       // no such key (or it was deleted)
  kAlreadyExists,  // create of a present key
  kConflict,       // CAS failed: the key's mod_revision differs from the expected one
  kTooOld,         // the requested revision was compacted away (API: 410 Expired / Gone)
  kFutureRevision, // the requested revision is newer than the store's (API: 504 Timeout / retry)
  kUnavailable,    // the store is closed or its disk failed; the write was not applied
};

const char* code_name(Code c);

struct GetResult {
  Code code = Code::kOk;
  KeyValue kv;
};

struct WriteResult {
  Code code = Code::kOk;
  KeyValue kv;  // on success: the new (or for delete: the removed) key-value with the write's
                // revision as mod_revision; on kConflict: the current key-value
  std::string message;
};

struct ListOptions {
  std::string prefix;     // keys that start with this
  std::string start_key;  // if set: only keys >= start_key (continue tokens resume here)
  int64_t limit = 0;      // 0 = all
  int64_t revision = 0;   // 0 = latest; otherwise the state as of this revision
};

struct ListResult {
  Code code = Code::kOk;
  std::vector<KeyValue> items;  // ordered by key
  int64_t revision = 0;         // the revision the list was read at
  bool more = false;            // limit cut the list short
  int64_t remaining = 0;        // items left after this page when more (may be an estimate)
};

struct WatchEvent {
  enum class Type { kPut, kDelete };
  Type type = Type::kPut;
  KeyValue kv;                   // for kPut the new value; for kDelete the last value, with
                                 // mod_revision set to the delete's revision
  std::optional<KeyValue> prev;  // the value before this event (absent for a create)
  bool is_create() const { return type == Type::kPut && kv.create_revision == kv.mod_revision; }
};

struct WatchBatch {
  std::vector<WatchEvent> events;  // in revision order
  bool closed = false;             // no more events will come (store closed or watcher too slow)
  // Every event under the watch's prefix up to this revision has been returned (in this batch or
  // before); 0 = unknown. Lets a consumer learn that quiet revisions were uneventful for it.
  int64_t progress = 0;
};

// The last compaction as recorded in the store (it survives restarts), so a compaction schedule
// can be kept across restarts (see storage/compaction.h).
struct CompactionInfo {
  int64_t revision = 0;          // compacted_revision()
  int64_t time_unix_ms = 0;      // wall-clock time of the last compact() call; 0 = never
  int64_t revision_at_time = 0;  // current_revision() at that call
};

class Watch {
 public:
  virtual ~Watch() = default;
  // Blocks up to `timeout` for events; an empty batch means the timeout passed.
  virtual WatchBatch next(std::chrono::milliseconds timeout) = 0;
  // True once no more events will come (the store closed it, e.g. a watcher too far behind),
  // without taking any events. Lets a consumer that is busy elsewhere (sending a watch's
  // initial objects) stop early.
  virtual bool closed() = 0;
  // Makes a next() that is waiting (or the next call) return soon with WatchBatch::progress set
  // to the store's current revision when nothing under the prefix is pending (etcd's
  // RequestProgress). May be called from any thread.
  virtual void request_progress() {}
};

class Store {
 public:
  virtual ~Store() = default;

  virtual GetResult get(const std::string& key) = 0;
  virtual ListResult list(const ListOptions& opts) = 0;

  // Each write is durable (on disk) before it returns kOk, and takes the next revision.
  virtual WriteResult create(const std::string& key, const std::string& value) = 0;
  // Compare-and-swap: applies only if the key's mod_revision == expected_mod_revision
  // (0 = unconditional, but the key must exist).
  virtual WriteResult update(const std::string& key, const std::string& value,
                             int64_t expected_mod_revision) = 0;
  // Deletes; if expected_mod_revision != 0 only when it matches.
  virtual WriteResult remove(const std::string& key, int64_t expected_mod_revision = 0) = 0;

  // Every change to keys under `prefix` with revision > after_revision, in order, exactly once.
  // Returns nullptr and sets *code = kTooOld when after_revision < compacted_revision(),
  // kFutureRevision when after_revision > current_revision().
  virtual std::unique_ptr<Watch> watch(const std::string& prefix, int64_t after_revision,
                                       Code* code) = 0;

  virtual int64_t current_revision() = 0;
  virtual int64_t compacted_revision() = 0;
  // Forgets history older than `revision` (the current values of keys are kept), and records
  // the call's time and the current revision (last_compaction()) even when nothing is forgotten.
  // Durable before it returns.
  virtual void compact(int64_t revision) = 0;
  virtual CompactionInfo last_compaction() = 0;
  // The number of keys under `prefix` now (etcd's count-only range). The default lists them.
  virtual int64_t count(const std::string& prefix);
};

}  // namespace skiff::storage
