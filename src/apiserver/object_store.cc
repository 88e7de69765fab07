#include "apiserver/object_store.h"
#include "apiserver/stored_object.h"

#include <thread>

#include "apiserver/cacher.h"
#include "apiserver/continue_token.h"

#include "api/kinds.h"
#include "api/typecheck.h"
#include "apiserver/strategy.h"
#include "common/base64.h"
#include "common/log.h"
#include "common/numbers.h"
#include "common/time.h"
#include "common/uuid.h"

namespace skiff::apiserver {
namespace {
constexpr int kMaxRetries = 16;

// The stored form: apiVersion, kind and metadata first (so encode_with_rv can splice the
// resourceVersion into the text), and no resourceVersion: it is the key's mod revision.
std::string encode(const json::object& obj) {
  json::object out;
  out.reserve(obj.size());
  for (const char* k : {"apiVersion", "kind"})
    if (auto it = obj.find(k); it != obj.end()) out[k] = it->value();
  if (auto it = obj.find("metadata"); it != obj.end()) {
    out["metadata"] = it->value();
    if (auto* m = out["metadata"].if_object()) m->erase("resourceVersion");
  }
  for (const auto& kv : obj)
    if (kv.key() != "apiVersion" && kv.key() != "kind" && kv.key() != "metadata")
      out[kv.key()] = kv.value();
  return json::serialize(out);
}

// Length of `"..."` at text[pos] (a JSON string without escapes), or 0.
size_t plain_string_at(const std::string& text, size_t pos) {
  if (pos >= text.size() || text[pos] != '"') return 0;
  size_t end = text.find_first_of("\\\"", pos + 1);
  if (end == std::string::npos || text[end] != '"') return 0;
  return end + 1 - pos;
}

std::string object_rv(const json::object& obj) {
  return get_string(obj, {"metadata", "resourceVersion"});
}

ApiError conflict_modified(const api::ResourceInfo& r, const std::string& name) {
  return ApiError::conflict(r.qualified_resource(), name,
                            "the object has been modified; please apply your changes to the "
                            "latest version and try again");
}

bool is_namespaces(const api::ResourceInfo& r) { return r.group.empty() && r.resource == "namespaces"; }
bool is_pods(const api::ResourceInfo& r) { return r.group.empty() && r.resource == "pods"; }

bool has_finalizers(const json::object& obj) {
  const auto* f = find_path(obj, {"metadata", "finalizers"});
  if (f && f->is_array() && !f->get_array().empty()) return true;
  return false;
}
bool namespace_spec_finalizers(const json::object& obj) {
  const auto* f = find_path(obj, {"spec", "finalizers"});
  return f && f->is_array() && !f->get_array().empty();
}

// True when `obj` has a finalizer that `old` lacks.
bool added_finalizer(const json::object& obj, const json::object& old) {
  const auto* now = find_path(obj, {"metadata", "finalizers"});
  if (!now || !now->is_array()) return false;
  const auto* before = find_path(old, {"metadata", "finalizers"});
  for (const auto& f : now->get_array()) {
    bool known = false;
    if (before && before->is_array())
      for (const auto& b : before->get_array()) known = known || b == f;
    if (!known) return true;
  }
  return false;
}

// Copies the fields only the system sets from the stored object into an incoming one.
void keep_system_metadata(json::object& obj, const json::object& old) {
  auto& meta = ensure_object(obj, "metadata");
  const auto* om = old.if_contains("metadata");
  if (!om || !om->is_object()) return;
  for (const char* k : {"uid", "creationTimestamp", "deletionTimestamp",
                        "deletionGracePeriodSeconds", "generation", "namespace", "name"}) {
    if (auto it = om->get_object().find(k); it != om->get_object().end()) meta[k] = it->value();
    else meta.erase(k);
  }
}

}  // namespace

// Continue tokens (continue_token.h): base64 of {"v":"meta.k8s.io/v1","rv":N,"start":"<key after prefix>"}.
std::string make_continue(int64_t rv, const std::string& start) {
  json::object o{{"v", "meta.k8s.io/v1"}, {"rv", rv}, {"start", start}};
  return base64_encode(json::serialize(o));
}
bool parse_continue(const std::string& token, int64_t& rv, std::string& start) {
  auto raw = base64_decode(token);
  if (!raw) return false;
  json::value v;
  std::string err;
  if (!parse_json(*raw, v, err) || !v.is_object()) return false;
  if (get_string(v, {"v"}) != "meta.k8s.io/v1") return false;
  rv = get_int(v, {"rv"}, -1);
  start = get_string(v, {"start"});
  return rv > 0;
}

ApiError store_error(storage::Code code, const api::ResourceInfo& r, const std::string& name,
                     const std::string& message) {
  switch (code) {
    case storage::Code::kNotFound: return ApiError::not_found(r.qualified_resource(), name);
    case storage::Code::kAlreadyExists:
      return ApiError::already_exists(r.qualified_resource(), name);
    case storage::Code::kConflict: return conflict_modified(r, name);
    case storage::Code::kTooOld:
      return ApiError::expired("The resourceVersion for the provided list is too old.");
    case storage::Code::kFutureRevision:
      return ApiError::timeout("Too large resource version");
    default:
      return ApiError::service_unavailable("storage unavailable: " +
                                           (message.empty() ? std::string("write failed") : message));
  }
}

ObjectStore::ObjectStore(storage::Store& store, Admission& admission, bool use_cache)
    : store_(store), admission_(admission) {
  if (use_cache) cachers_ = std::make_unique<Cachers>(store);
}

ObjectStore::~ObjectStore() = default;

void ObjectStore::forget(const std::string& prefix) {
  if (cachers_) cachers_->forget(prefix);
}

std::string ObjectStore::key_for(const api::ResourceInfo& r, const std::string& ns,
                                 const std::string& name) {
  return r.key_prefix() + (r.namespaced ? ns + "/" : "") + name;
}

Result<json::object> ObjectStore::decode(const storage::KeyValue& kv) {
  return decode_stored_object(kv);
}

void ObjectStore::mark_undecodable(const std::string& key, bool bad) {
  std::lock_guard<std::mutex> lk(bad_mu_);
  if (bad) bad_keys_.insert(key);
  else bad_keys_.erase(key);
  any_undecodable_ = !bad_keys_.empty();
}

bool ObjectStore::is_undecodable(const std::string& key) {
  if (!any_undecodable_) return false;
  std::lock_guard<std::mutex> lk(bad_mu_);
  return bad_keys_.count(key) > 0;
}

Result<json::object> ObjectStore::decode_tracked(const storage::KeyValue& kv) {
  auto obj = decode(kv);
  if (obj) return obj;
  if (!is_undecodable(kv.key)) {
    SKIFF_LOG(ERROR) << obj.error().message << "; it is left out of lists and watches";
  }
  mark_undecodable(kv.key, true);
  return ApiError::internal(obj.error().message +
                            "; to delete it, send DeleteOptions with "
                            "ignoreStoreReadErrorWithClusterBreakingPotential: true");
}

std::vector<std::string> ObjectStore::scan() {
  std::vector<std::string> bad;
  storage::ListOptions opts;
  opts.prefix = "/registry/";
  opts.limit = 500;  // pages keep the memory of a large store's scan small
  for (;;) {
    auto res = store_.list(opts);
    if (res.code != storage::Code::kOk) break;
    for (const auto& kv : res.items) {
      if (!decode_tracked(kv)) bad.push_back(kv.key);
    }
    if (!res.more || res.items.empty()) break;
    opts.start_key = res.items.back().key + '\0';
    opts.revision = res.revision;
  }
  return bad;
}

Result<std::string> ObjectStore::encode_checked(const json::object& obj, const std::string& key) {
  std::string text = encode(obj);
  json::value v;
  std::string err;
  if (!parse_json(text, v, err))
    return ApiError::internal("refusing to store " + key + ": its encoding does not decode (" +
                              err + ")");
  return text;
}

std::string ObjectStore::encode_with_rv(const storage::KeyValue& kv) {
  // Fast path for the canonical stored form {"apiVersion":"..","kind":"..","metadata":{...
  const std::string& t = kv.value;
  static const std::string kApi = "{\"apiVersion\":", kKind = ",\"kind\":", kMeta = ",\"metadata\":{";
  if (t.compare(0, kApi.size(), kApi) == 0) {
    size_t pos = kApi.size();
    if (size_t n = plain_string_at(t, pos)) {
      pos += n;
      if (t.compare(pos, kKind.size(), kKind) == 0) {
        pos += kKind.size();
        if (size_t m = plain_string_at(t, pos)) {
          pos += m;
          if (t.compare(pos, kMeta.size(), kMeta) == 0) {
            pos += kMeta.size();
            std::string out;
            out.reserve(t.size() + 32);
            out.append(t, 0, pos);
            out += "\"resourceVersion\":\"" + std::to_string(kv.mod_revision) + "\"";
            if (pos < t.size() && t[pos] != '}') out += ',';
            out.append(t, pos, std::string::npos);
            return out;
          }
        }
      }
    }
  }
  auto obj = decode(kv);
  return obj ? json::serialize(*obj) : std::string("{}");
}

Result<int64_t> ObjectStore::parse_resource_version(const std::string& rv) {
  auto n = parse_int64(rv);
  if (!n || *n < 0) return ApiError::bad_request("invalid resource version: " + rv);
  return *n;
}

Result<json::object> ObjectStore::get(const api::ResourceInfo& r, const std::string& ns,
                                      const std::string& name, const std::string& rv) {
  if (!rv.empty()) {
    auto want = parse_resource_version(rv);
    if (!want) return want.error();
    if (*want > store_.current_revision())
      return ApiError::timeout("Too large resource version: " + rv +
                               ", current: " + std::to_string(store_.current_revision()));
  }
  auto res = store_.get(key_for(r, ns, name));
  if (res.code != storage::Code::kOk) return store_error(res.code, r, name);
  return decode_tracked(res.kv);
}

bool ObjectStore::matches(const api::ResourceInfo& r, const ListParams& p,
                          const json::object& obj) {
  if (!p.labels.empty()) {
    const auto* labels = find_path(obj, {"metadata", "labels"});
    if (!p.labels.matches(labels && labels->is_object() ? &labels->get_object() : nullptr))
      return false;
  }
  if (!p.fields.empty() && !p.fields.matches(api::selectable_fields(r, obj))) return false;
  return true;
}

Result<ListOutput> ObjectStore::list(const api::ResourceInfo& r, const std::string& ns,
                                     const ListParams& p) {
  if (!p.fields.empty())
    if (auto st = p.fields.check_supported(api::selectable_field_names(r)); !st) return st.error();
  std::string prefix = r.key_prefix() + (r.namespaced && !ns.empty() ? ns + "/" : "");
  if (auto cached = list_cached(r, prefix, p)) return std::move(*cached);
  storage::ListOptions opts;
  opts.prefix = prefix;
  int64_t current = store_.current_revision();
  if (!p.continue_token.empty()) {
    if (!p.resource_version.empty() && p.resource_version != "0")
      return ApiError::bad_request("specifying resource version is not allowed when using continue");
    int64_t rv;
    std::string start;
    if (!parse_continue(p.continue_token, rv, start))
      return ApiError::bad_request("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
    opts.revision = rv;
    opts.start_key = prefix + start;
  } else if (!p.resume_after.empty()) {
    opts.start_key = p.resume_after + '\0';
  } else if (!p.resource_version.empty()) {
    auto parsed = parse_resource_version(p.resource_version);
    if (!parsed) return parsed.error();
    int64_t rv = *parsed;
    if (rv == 0 && p.resource_version_match == "Exact")
      return ApiError::bad_request(
          "resourceVersionMatch \"Exact\" is forbidden for resourceVersion \"0\"");
    if (rv == 0) {
      // "0": any version; the latest is as good as any.
    } else if (p.resource_version_match == "Exact") {
      opts.revision = rv;
    } else if (rv > current) {
      return ApiError::timeout("Too large resource version: " + p.resource_version +
                               ", current: " + std::to_string(current));
    }
  }
  ListOutput out;
  bool filtering = !p.labels.empty() || !p.fields.empty();
  const int64_t want = p.limit;
  std::string last_key;
  bool more = false;
  int64_t read_rev = 0;
  for (int round = 0;; ++round) {
    // Without selectors one page suffices; with them, keep reading until the page is full.
    opts.limit = want > 0 ? std::max<int64_t>(want - static_cast<int64_t>(out.items.size() + out.raw_items.size()), filtering ? 256 : 0) : 0;
    auto res = store_.list(opts);
    if (res.code == storage::Code::kTooOld) {
      if (!p.continue_token.empty())
        return ApiError::expired(
            "The provided continue parameter is too old to display a consistent list result. You "
            "can start a new list without the continue parameter.");
      return ApiError::gone("too old resource version: " + p.resource_version);
    }
    if (res.code != storage::Code::kOk) return store_error(res.code, r, "");
    if (round == 0) read_rev = res.revision;
    opts.revision = res.revision;  // later rounds read the same snapshot
    more = res.more;
    size_t i = 0;
    for (; i < res.items.size(); ++i) {
      if (want > 0 && static_cast<int64_t>(out.items.size() + out.raw_items.size()) >= want) {
        more = true;
        break;
      }
      last_key = res.items[i].key;
      if (is_undecodable(res.items[i].key)) {
        out.warnings.push_back("the stored object " + res.items[i].key +
                               " does not decode and was left out of this list");
        continue;
      }
      if (p.raw && !filtering) {
        out.raw_items.push_back(encode_with_rv(res.items[i]));
        continue;
      }
      auto obj = decode_tracked(res.items[i]);
      if (!obj) {
        out.warnings.push_back("the stored object " + res.items[i].key +
                               " does not decode and was left out of this list");
        continue;
      }
      if (matches(r, p, *obj)) out.items.push_back(std::move(*obj));
    }
    if (i < res.items.size()) break;
    if (!res.more || want <= 0) break;
    if (static_cast<int64_t>(out.items.size()) >= want) break;
    opts.start_key = last_key + '\0';
    if (!filtering) {
      out.remaining = res.remaining;
      break;
    }
  }
  out.resource_version = std::to_string(read_rev);
  out.last_key = last_key;
  if (more && want > 0 && !last_key.empty()) {
    out.continue_token = make_continue(read_rev, last_key.substr(prefix.size()) + '\0');
    if (!filtering) {
      // remaining = items after the last returned one
      storage::ListOptions count = opts;
      count.start_key = last_key + '\0';
      count.limit = 0;
      auto rest = store_.list(count);
      if (rest.code == storage::Code::kOk) out.remaining = static_cast<int64_t>(rest.items.size());
    }
  } else {
    out.remaining.reset();
  }
  return out;
}

Result<json::object> ObjectStore::create(const api::ResourceInfo& r, const std::string& ns,
                                         json::object obj, const WriteOptions& opts) {
  auto& meta = ensure_object(obj, "metadata");
  if (r.namespaced) {
    auto body_ns = get_string(obj, {"metadata", "namespace"});
    if (!body_ns.empty() && body_ns != ns)
      return ApiError::bad_request(
          "the namespace of the provided object does not match the namespace sent on the request");
    if (ns.empty()) return ApiError::bad_request("a namespace is required to create a " + r.kind);
    meta["namespace"] = ns;
  } else {
    meta.erase("namespace");
  }
  if (get_string(obj, {"metadata", "name"}).empty()) {
    auto gen = get_string(obj, {"metadata", "generateName"});
    if (!gen.empty()) meta["name"] = gen + random_suffix(5);
  }
  meta["uid"] = new_uuid();
  meta["creationTimestamp"] = now_rfc3339();
  for (const char* k : {"resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds",
                        "selfLink", "generation", "managedFields"})
    meta.erase(k);
  if (auto st = api::check_types(r, obj); !st) return st.error();
  prepare_for_create(r, obj);
  api::apply_defaults(r, obj);
  std::string name = get_string(obj, {"metadata", "name"});
  auto causes = api::validate_create(r, obj);
  if (!causes.empty()) return ApiError::invalid(r.kind, name, r.group, std::move(causes));
  if (auto st = admission_.admit_create(r, obj, opts.dry_run); !st) return st.error();
  if (opts.dry_run) return obj;
  auto value = encode_checked(obj, key_for(r, ns, name));
  if (!value) {
    admission_.release(r, obj);
    return value.error();
  }
  auto res = store_.create(key_for(r, ns, name), *value);
  if (res.code != storage::Code::kOk) {
    admission_.release(r, obj);
    return store_error(res.code, r, name, res.message);
  }
  return decode(res.kv);
}

Result<json::object> ObjectStore::update(const api::ResourceInfo& r, const std::string& ns,
                                         const std::string& name, const std::string& subresource,
                                         json::object obj, const WriteOptions& opts) {
  auto body_name = get_string(obj, {"metadata", "name"});
  if (!body_name.empty() && body_name != name)
    return ApiError::bad_request("the name of the object (" + body_name +
                                 ") does not match the name on the URL (" + name + ")");
  if (r.namespaced) {
    auto body_ns = get_string(obj, {"metadata", "namespace"});
    if (!body_ns.empty() && body_ns != ns)
      return ApiError::bad_request(
          "the namespace of the provided object does not match the namespace sent on the request");
  }
  return guaranteed_update(
      r, ns, name, subresource, [&](const json::object&) -> Result<json::object> { return obj; },
      opts);
}

Result<json::object> ObjectStore::guaranteed_update(const api::ResourceInfo& r,
                                                    const std::string& ns,
                                                    const std::string& name,
                                                    const std::string& subresource,
                                                    const UpdateFn& fn, const WriteOptions& opts) {
  const std::string key = key_for(r, ns, name);
  for (int attempt = 0; attempt < kMaxRetries; ++attempt) {
    auto cur = store_.get(key);
    if (cur.code != storage::Code::kOk) return store_error(cur.code, r, name);
    auto old = decode_tracked(cur.kv);
    if (!old) return old.error();
    auto desired = fn(*old);
    if (!desired) return desired.error();
    json::object obj = std::move(*desired);
    if (auto st = api::check_types(r, obj); !st) return st.error();
    auto want_rv = object_rv(obj);
    bool precondition = !want_rv.empty();
    if (precondition && want_rv != std::to_string(cur.kv.mod_revision))
      return conflict_modified(r, name);
    // Binding is the scheduler's one sanctioned write of a pod's spec (nodeName) and status.
    const bool binding = subresource == "binding";
    if (subresource == "status") {
      prepare_for_status_update(r, obj, *old);
    } else {
      keep_system_metadata(obj, *old);
      if (!binding) prepare_for_update(r, obj, *old);
    }
    api::apply_defaults(r, obj);
    // Admission first: it carries allocated values (a Service's clusterIP, nodePorts) over from
    // the stored object, which validation then expects.
    if (auto st = admission_.admit_update(r, obj, *old, opts.dry_run); !st) return st.error();
    auto causes = binding ? std::vector<FieldCause>{} : api::validate_update(r, obj, *old);
    if (find_path(*old, {"metadata", "deletionTimestamp"}) && added_finalizer(obj, *old))
      causes.push_back(forbidden("metadata.finalizers",
                                 "no new finalizers can be added if the object is being deleted"));
    if (!causes.empty()) return ApiError::invalid(r.kind, name, r.group, std::move(causes));
    ensure_object(obj, "metadata")["resourceVersion"] = std::to_string(cur.kv.mod_revision);
    // Finalization complete: the object goes once nothing holds it any more.
    bool deleting = find_path(obj, {"metadata", "deletionTimestamp"}) != nullptr;
    if (deleting && !has_finalizers(obj) && get_int(obj, {"metadata", "deletionGracePeriodSeconds"}) == 0 &&
        !(is_namespaces(r) && namespace_spec_finalizers(obj)))
      return finish_delete(r, key, obj, cur.kv.mod_revision, opts.dry_run);
    auto value = encode_checked(obj, key);
    if (!value) return value.error();
    if (*value == encode(*old)) return *old;  // no-op writes do not bump the resourceVersion
    if (opts.dry_run) return obj;
    auto res = store_.update(key, *value, cur.kv.mod_revision);
    if (res.code == storage::Code::kConflict) {
      if (precondition) return conflict_modified(r, name);
      continue;
    }
    if (res.code != storage::Code::kOk) return store_error(res.code, r, name, res.message);
    return decode(res.kv);
  }
  return conflict_modified(r, name);
}

Result<json::object> ObjectStore::finish_delete(const api::ResourceInfo& r,
                                                const std::string& key, const json::object& obj,
                                                int64_t mod_rev, bool dry_run) {
  if (dry_run) return obj;
  auto res = store_.remove(key, mod_rev);
  if (res.code == storage::Code::kConflict)
    return conflict_modified(r, get_string(obj, {"metadata", "name"}));
  if (res.code != storage::Code::kOk)
    return store_error(res.code, r, get_string(obj, {"metadata", "name"}), res.message);
  admission_.release(r, obj);
  return decode(res.kv);
}

Result<json::object> ObjectStore::remove(const api::ResourceInfo& r, const std::string& ns,
                                         const std::string& name, const DeleteOptions& opts,
                                         bool* deleted_now) {
  if (deleted_now) *deleted_now = false;
  const std::string key = key_for(r, ns, name);
  for (int attempt = 0; attempt < kMaxRetries; ++attempt) {
    auto cur = store_.get(key);
    if (cur.code != storage::Code::kOk) return store_error(cur.code, r, name);
    auto objr = decode_tracked(cur.kv);
    if (!objr) {
      if (!opts.ignore_store_read_error) return objr.error();
      // Unsafe delete, as upstream's: no finalizers, no grace period, no admission.
      if (opts.dry_run) return json::object{{"metadata", json::object{{"name", name}}}};
      auto res = store_.remove(key, cur.kv.mod_revision);
      if (res.code == storage::Code::kConflict) continue;
      if (res.code != storage::Code::kOk) return store_error(res.code, r, name, res.message);
      mark_undecodable(key, false);
      SKIFF_LOG(WARN) << "deleted undecodable object " << key
                      << " (ignoreStoreReadErrorWithClusterBreakingPotential)";
      if (deleted_now) *deleted_now = true;
      json::object meta{{"name", name}};
      if (r.namespaced) meta["namespace"] = ns;
      return json::object{{"metadata", std::move(meta)}};
    }
    if (opts.ignore_store_read_error)
      return ApiError::bad_request(
          "ignoreStoreReadErrorWithClusterBreakingPotential: Invalid value: true: is exclusively "
          "used to delete corrupt object(s), try again by removing this option");
    json::object obj = std::move(*objr);
    if (opts.precondition_uid && *opts.precondition_uid != get_string(obj, {"metadata", "uid"}))
      return ApiError::conflict(r.qualified_resource(), name,
                                "Precondition failed: UID in precondition: " +
                                    *opts.precondition_uid + ", UID in object meta: " +
                                    get_string(obj, {"metadata", "uid"}));
    if (opts.precondition_resource_version &&
        *opts.precondition_resource_version != object_rv(obj))
      return ApiError::conflict(r.qualified_resource(), name,
                                "Precondition failed: ResourceVersion in precondition: " +
                                    *opts.precondition_resource_version +
                                    ", ResourceVersion in object meta: " + object_rv(obj));
    if (auto st = admission_.admit_delete(r, obj); !st) return st.error();

    // Grace period: only pods on a node wait for their kubelet.
    int64_t grace = 0;
    if (is_pods(r)) {
      grace = opts.grace_period_seconds.value_or(
          get_int(obj, {"spec", "terminationGracePeriodSeconds"}, 30));
      auto phase = get_string(obj, {"status", "phase"});
      if (get_string(obj, {"spec", "nodeName"}).empty() || phase == "Succeeded" ||
          phase == "Failed")
        grace = 0;
      if (grace < 0) grace = 0;
    }
    auto& meta = ensure_object(obj, "metadata");
    bool changed = false;
    // Propagation policies that the garbage collector finishes.
    auto add_finalizer = [&](const char* f) {
      auto& fins = ensure_array(meta, "finalizers");
      for (const auto& v : fins)
        if (v.is_string() && v.get_string() == f) return;
      fins.push_back(json::value(f));
      changed = true;
    };
    if (opts.propagation_policy == "Foreground") add_finalizer("foregroundDeletion");
    if (opts.propagation_policy == "Orphan") add_finalizer("orphan");
    bool held = has_finalizers(obj) || (is_namespaces(r) && namespace_spec_finalizers(obj));
    bool already = meta.contains("deletionTimestamp");
    if (!held && grace == 0) {
      auto res = finish_delete(r, key, obj, cur.kv.mod_revision, opts.dry_run);
      if (!res && res.error().reason == "Conflict") continue;
      if (res && deleted_now) *deleted_now = true;
      return res;
    }
    if (!already) {
      auto now = Clock::now();
      meta["deletionTimestamp"] = format_rfc3339(now + std::chrono::seconds(grace));
      meta["deletionGracePeriodSeconds"] = grace;
      if (tracks_generation(r)) meta["generation"] = get_int(obj, {"metadata", "generation"}, 1) + 1;
      if (is_namespaces(r)) ensure_object(obj, "status")["phase"] = "Terminating";
      changed = true;
    } else if (grace < get_int(obj, {"metadata", "deletionGracePeriodSeconds"}, 0)) {
      // A shorter grace period than the one in progress wins (kubectl delete --grace-period=0).
      meta["deletionTimestamp"] = format_rfc3339(Clock::now() + std::chrono::seconds(grace));
      meta["deletionGracePeriodSeconds"] = grace;
      changed = true;
    }
    if (!changed || opts.dry_run) return obj;
    auto value = encode_checked(obj, key);
    if (!value) return value.error();
    auto res = store_.update(key, *value, cur.kv.mod_revision);
    if (res.code == storage::Code::kConflict) continue;
    if (res.code != storage::Code::kOk) return store_error(res.code, r, name, res.message);
    return decode(res.kv);
  }
  return conflict_modified(r, name);
}

}  // namespace skiff::apiserver
