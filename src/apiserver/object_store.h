// ObjectStore: the generic registry of every resource (upstream's genericregistry.Store).
// Turns API objects into store keys and back, and implements the object lifecycle the API
// promises: uid/creationTimestamp/generation, resourceVersion = the store's mod revision,
// optimistic concurrency, status subresources, defaulting + admission + validation on every write,
// graceful deletion with finalizers, dry runs, and list/watch with selectors and pagination.
//
// Thread safety: all methods may be called concurrently; the store serializes writes.
#pragma once
#include <atomic>
#include <functional>
#include <mutex>
#include <set>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/resources.h"
#include "apimachinery/selectors.h"
#include "apiserver/admission.h"
#include "common/api_error.h"
#include "common/json.h"
#include "storage/store.h"

namespace skiff::apiserver {

struct ListParams {
  LabelSelector labels;
  FieldSelector fields;
  int64_t limit = 0;
  std::string continue_token;
  std::string resource_version;        // "" = latest (consistent), "0" = any
  std::string resource_version_match;  // "", "NotOlderThan", "Exact"
  // Without selectors, fill ListOutput::raw_items (serialized objects) instead of items: a list
  // response then costs no JSON parsing.
  bool raw = false;
  // Internal (deletecollection pages): list only keys after this store key, at the latest
  // revision; no continue token, so no page can expire by compaction.
  std::string resume_after;
};

struct ListOutput {
  std::vector<json::object> items;
  std::vector<std::string> raw_items;  // see ListParams::raw
  // As raw_items, the text shared with the watch cache (a list served from it, selectors or not).
  std::vector<std::shared_ptr<const std::string>> shared_items;
  std::string resource_version;
  std::string continue_token;
  std::optional<int64_t> remaining;
  // Objects left out because their stored form does not decode (see ObjectStore::scan).
  std::vector<std::string> warnings;
  std::string last_key;  // store key of the last object read (see ListParams::resume_after)
};

struct WriteOptions {
  bool dry_run = false;
};

struct DeleteOptions {
  std::optional<int64_t> grace_period_seconds;
  std::string propagation_policy;  // "", Orphan, Background, Foreground
  std::optional<std::string> precondition_uid;
  std::optional<std::string> precondition_resource_version;
  bool dry_run = false;
  // upstream's ignoreStoreReadErrorWithClusterBreakingPotential: delete an object whose stored
  // form does not decode, without reading it (no finalizers, no grace period).
  bool ignore_store_read_error = false;
};

// One event of a watch, already filtered and typed for the watcher.
struct ObjectEvent {
  std::string type;  // ADDED, MODIFIED, DELETED, BOOKMARK, ERROR
  json::object object;
  // When the watch has no selectors and was asked for raw events: the object's JSON text
  // (object is then empty). Saves a parse and a serialization per event and watcher.
  std::string raw;
  // As raw, the text shared with the watch cache (which serves every watcher the same text).
  std::shared_ptr<const std::string> cached_raw;
};

class ObjectWatch {
 public:
  virtual ~ObjectWatch() = default;
  // Waits up to `timeout`; an empty vector means nothing happened. `closed` is set when the
  // underlying watch ended (the client should re-list).
  virtual std::vector<ObjectEvent> next(std::chrono::milliseconds timeout, bool* closed) = 0;
  // The newest revision this watch has seen or knows to be uneventful for it (for bookmarks).
  virtual int64_t progress_revision() = 0;
};

// Mutation of the current object for guaranteed_update: returns the desired object or an error.
using UpdateFn = std::function<Result<json::object>(const json::object& current)>;

class Cachers;

class ObjectStore {
 public:
  // use_cache: lists and watches are served from a per-resource watch cache (apiserver/cacher.h).
  ObjectStore(storage::Store& store, Admission& admission, bool use_cache = true);
  ~ObjectStore();

  // resource_version: "" = the latest, "0" = any, N = at least as new as N (504 when the store
  // has not reached N), as upstream's GET.
  Result<json::object> get(const api::ResourceInfo& r, const std::string& ns,
                           const std::string& name, const std::string& resource_version = {});
  Result<ListOutput> list(const api::ResourceInfo& r, const std::string& ns,
                          const ListParams& params);
  Result<json::object> create(const api::ResourceInfo& r, const std::string& ns, json::object obj,
                              const WriteOptions& opts);
  // PUT of the main resource or of a subresource ("status"). The object's resourceVersion, when
  // set, must match the current one (else 409).
  Result<json::object> update(const api::ResourceInfo& r, const std::string& ns,
                              const std::string& name, const std::string& subresource,
                              json::object obj, const WriteOptions& opts);
  // Read-modify-write that retries on conflicts (PATCH, scale, binding). If the object `fn`
  // returns carries a resourceVersion different from the current one, the write fails with 409.
  Result<json::object> guaranteed_update(const api::ResourceInfo& r, const std::string& ns,
                                         const std::string& name, const std::string& subresource,
                                         const UpdateFn& fn, const WriteOptions& opts);
  // Returns the deleted object, or the object marked for deletion (deletionTimestamp set) when
  // finalizers or a grace period hold it; `*deleted_now` says which.
  Result<json::object> remove(const api::ResourceInfo& r, const std::string& ns,
                              const std::string& name, const DeleteOptions& opts,
                              bool* deleted_now = nullptr);
  // params.raw asks for raw events (see ObjectEvent::raw) where no selector needs the object.
  Result<std::unique_ptr<ObjectWatch>> watch(const api::ResourceInfo& r, const std::string& ns,
                                             const ListParams& params, bool send_initial);

  int64_t current_revision() { return store_.current_revision(); }
  // Reads every stored object once (server start) and remembers those that do not decode (a data
  // dir written by an older version): lists and watches leave them out with a warning, and they
  // can be deleted with DeleteOptions.ignore_store_read_error. Returns their keys.
  std::vector<std::string> scan();
  // True when `key` holds an object known not to decode.
  bool is_undecodable(const std::string& key);
  storage::Store& raw() { return store_; }
  // Drops the watch cache of the resource with storage key prefix `prefix` (a resource no
  // longer served, e.g. a deleted CRD); its watches end.
  void forget(const std::string& prefix);

  // A resourceVersion parameter: a non-negative int64 in decimal, else 400.
  static Result<int64_t> parse_resource_version(const std::string& rv);
  static std::string key_for(const api::ResourceInfo& r, const std::string& ns,
                             const std::string& name);
  // Parses a stored value and sets metadata.resourceVersion from the revision.
  static Result<json::object> decode(const storage::KeyValue& kv);
  // The object's JSON text with metadata.resourceVersion set, without a parse when possible.
  static std::string encode_with_rv(const storage::KeyValue& kv);

 private:
  Result<json::object> finish_delete(const api::ResourceInfo& r, const std::string& key,
                                     const json::object& obj, int64_t mod_rev, bool dry_run);
  bool matches(const api::ResourceInfo& r, const ListParams& p, const json::object& obj);
  // The list from the watch cache, or nullopt when the store must answer (history reads, errors
  // the store path reports, a cache that is not ready or not fresh in time).
  std::optional<Result<ListOutput>> list_cached(const api::ResourceInfo& r,
                                                const std::string& prefix, const ListParams& p);
  std::unique_ptr<ObjectWatch> watch_cached(const api::ResourceInfo& r, const std::string& prefix,
                                            const ListParams& p, bool send_initial);
  // decode() that remembers a failure (see scan()).
  Result<json::object> decode_tracked(const storage::KeyValue& kv);
  void mark_undecodable(const std::string& key, bool bad);
  // The stored form of `obj`, verified to decode: nothing that cannot be read back is stored.
  Result<std::string> encode_checked(const json::object& obj, const std::string& key);

  storage::Store& store_;
  Admission& admission_;
  std::atomic<bool> any_undecodable_{false};  // fast path: bad_keys_ is empty
  std::mutex bad_mu_;                         // guards bad_keys_
  std::set<std::string> bad_keys_;
  std::unique_ptr<Cachers> cachers_;  // null without the cache
};

// The error for a store result code, phrased for resource `r` and object `name`.
ApiError store_error(storage::Code code, const api::ResourceInfo& r, const std::string& name,
                     const std::string& message = {});

}  // namespace skiff::apiserver
