#include "controllers/logic.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cmath>

#include "common/log.h"
#include "common/time.h"

namespace skiff::controllers {

const json::object* controller_ref(const json::object& obj) {
  const json::value* refs = find_path(obj, {"metadata", "ownerReferences"});
  if (!refs || !refs->is_array()) return nullptr;
  for (const auto& r : refs->as_array()) {
    if (!r.is_object()) continue;
    const json::value* c = r.as_object().if_contains("controller");
    if (c && c->is_bool() && c->as_bool()) return &r.as_object();
  }
  return nullptr;
}

bool is_pod_active(const json::object& pod) {
  if (find_path(pod, {"metadata", "deletionTimestamp"})) return false;
  std::string phase = get_string(pod, {"status", "phase"});
  return phase != "Succeeded" && phase != "Failed";
}

bool is_pod_available(const json::object& pod, int64_t min_ready_seconds,
                      std::chrono::system_clock::time_point now) {
  const json::object* c = api::pod_condition(pod, "Ready");
  if (!c || get_string(*c, {"status"}) != "True") return false;
  if (min_ready_seconds <= 0) return true;
  auto t = parse_rfc3339(get_string(*c, {"lastTransitionTime"}));
  if (!t) return false;
  return *t + std::chrono::seconds(min_ready_seconds) <= now;
}

std::vector<client::ObjectPtr> pods_to_delete(std::vector<client::ObjectPtr> pods, size_t n) {
  auto rank = [](const json::object& p) {
    if (get_string(p, {"spec", "nodeName"}).empty()) return 0;
    std::string phase = get_string(p, {"status", "phase"});
    if (phase == "Pending" || phase.empty()) return 1;
    if (!is_pod_ready(p)) return 2;
    return 3;
  };
  std::stable_sort(pods.begin(), pods.end(), [&](const auto& a, const auto& b) {
    int ra = rank(*a), rb = rank(*b);
    if (ra != rb) return ra < rb;
    // Newest first: RFC 3339 UTC strings of the same format order like the times.
    return get_string(*a, {"metadata", "creationTimestamp"}) >
           get_string(*b, {"metadata", "creationTimestamp"});
  });
  if (pods.size() > n) pods.resize(n);
  return pods;
}

namespace {
void write_canonical(const json::value& v, std::string& out) {
  if (v.is_object()) {
    std::vector<std::pair<std::string_view, const json::value*>> items;
    // A null member means the same as an absent one (kubectl's undo patch carries
    // "creationTimestamp": null in the template's metadata).
    for (const auto& kv : v.as_object())
      if (!kv.value().is_null()) items.emplace_back(kv.key(), &kv.value());
    std::sort(items.begin(), items.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    out += '{';
    bool first = true;
    for (const auto& [k, val] : items) {
      if (!first) out += ',';
      first = false;
      out += json::serialize(json::value(json::string(k)));
      out += ':';
      write_canonical(*val, out);
    }
    out += '}';
  } else if (v.is_array()) {
    out += '[';
    bool first = true;
    for (const auto& e : v.as_array()) {
      if (!first) out += ',';
      first = false;
      write_canonical(e, out);
    }
    out += ']';
  } else {
    out += json::serialize(v);
  }
}

// Drops the pod-template-hash label and an empty labels map left behind.
json::object strip_hash(const json::object& tmpl) {
  json::object t = tmpl;
  if (json::value* md = t.if_contains("metadata"); md && md->is_object()) {
    if (json::value* l = md->as_object().if_contains("labels"); l && l->is_object()) {
      l->as_object().erase(kPodTemplateHashLabel);
      if (l->as_object().empty()) md->as_object().erase("labels");
    }
    if (md->as_object().empty()) t.erase("metadata");
  }
  return t;
}
}  // namespace

std::string canonical_json(const json::value& v) {
  std::string out;
  write_canonical(v, out);
  return out;
}

uint32_t fnv32a(std::string_view data) {
  uint32_t h = 2166136261u;
  for (unsigned char c : data) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

std::string pod_template_hash(const json::object& tmpl) {
  static constexpr std::string_view kAlphanums = "bcdfghjklmnpqrstvwxz2456789";
  std::string dec = std::to_string(fnv32a(canonical_json(strip_hash(tmpl))));
  std::string out;
  for (char c : dec) out += kAlphanums[static_cast<unsigned char>(c) % kAlphanums.size()];
  return out;
}

bool templates_equal(const json::object& rs_template, const json::object& deploy_template) {
  return canonical_json(strip_hash(rs_template)) == canonical_json(strip_hash(deploy_template));
}

int64_t scaled_value(const json::value* v, int64_t total, bool round_up, int64_t def) {
  if (!v || v->is_null()) return def;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->as_uint64());
  if (v->is_double()) return static_cast<int64_t>(v->as_double());
  if (v->is_string()) {
    std::string s(v->as_string());
    bool pct = !s.empty() && s.back() == '%';
    if (pct) s.pop_back();
    int64_t n = 0;
    try {
      n = std::stoll(s);
    } catch (...) {
      return def;
    }
    if (!pct) return n;
    // Integer arithmetic so 25% of 4 is exactly 1.
    int64_t num = n * total;
    if (round_up) return (num + 99) / 100;
    return num / 100;
  }
  return def;
}

std::pair<int64_t, int64_t> resolve_fenceposts(const json::value* max_surge,
                                               const json::value* max_unavailable,
                                               int64_t replicas) {
  json::value quarter("25%");
  int64_t surge = scaled_value(max_surge ? max_surge : &quarter, replicas, true, 0);
  int64_t unavail = scaled_value(max_unavailable ? max_unavailable : &quarter, replicas, false, 0);
  if (surge < 0) surge = 0;
  if (unavail < 0) unavail = 0;
  if (surge == 0 && unavail == 0) unavail = 1;
  return {surge, unavail};
}

Expectations::Expectations(std::chrono::milliseconds ttl) : ttl_(ttl) {}

bool Expectations::satisfied(const std::string& key, TimePoint now) {
  std::lock_guard lk(mu_);
  auto it = records_.find(key);
  if (it == records_.end()) return true;
  if (it->second.adds <= 0 && it->second.dels.empty()) return true;
  if (now - it->second.set_at > ttl_) {
    records_.erase(it);
    return true;
  }
  return false;
}

void Expectations::expect_creations(const std::string& key, int n, TimePoint now) {
  std::lock_guard lk(mu_);
  auto& r = records_[key];
  r.adds = std::max(r.adds, 0) + n;
  r.set_at = now;
}

void Expectations::expect_deletions(const std::string& key,
                                    const std::vector<std::string>& pod_keys, TimePoint now) {
  std::lock_guard lk(mu_);
  auto& r = records_[key];
  r.dels.insert(pod_keys.begin(), pod_keys.end());
  r.set_at = now;
}

void Expectations::creation_observed(const std::string& key) {
  std::lock_guard lk(mu_);
  auto it = records_.find(key);
  if (it != records_.end() && it->second.adds > 0) --it->second.adds;
}

void Expectations::deletion_observed(const std::string& key, const std::string& pod_key) {
  std::lock_guard lk(mu_);
  auto it = records_.find(key);
  if (it != records_.end()) it->second.dels.erase(pod_key);
}

void Expectations::erase(const std::string& key) {
  std::lock_guard lk(mu_);
  records_.erase(key);
}

json::object make_event(const json::object& involved, const std::string& type,
                        const std::string& reason, const std::string& message,
                        const std::string& component) {
  static std::atomic<uint64_t> seq{0};
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::chrono::system_clock::now().time_since_epoch()).count();
  char hex[32];
  snprintf(hex, sizeof hex, "%llx", static_cast<unsigned long long>(ns) + seq++);
  const std::string now = now_rfc3339();
  json::object ref{{"apiVersion", get_string(involved, {"apiVersion"})},
                   {"kind", get_string(involved, {"kind"})},
                   {"namespace", ns_of(involved)},
                   {"name", name_of(involved)},
                   {"uid", uid_of(involved)},
                   {"resourceVersion", get_string(involved, {"metadata", "resourceVersion"})}};
  return json::object{
      {"apiVersion", "v1"},
      {"kind", "Event"},
      {"metadata", json::object{{"name", name_of(involved) + "." + hex},
                                {"namespace", ns_of(involved)}}},
      {"involvedObject", std::move(ref)},
      {"reason", reason},
      {"message", message},
      {"type", type},
      {"source", json::object{{"component", component}}},
      {"firstTimestamp", now},
      {"lastTimestamp", now},
      {"count", 1},
      {"reportingComponent", component},
      {"reportingInstance", component}};
}

const api::ResourceInfo& resource(const char* group, const char* name) {
  const api::ResourceInfo* r = api::find_resource(group, "v1", name);
  if (!r) {
    SKIFF_LOG(ERROR) << "resource " << name << " not registered";
    std::abort();
  }
  return *r;
}
std::string ns_of(const json::object& o) { return get_string(o, {"metadata", "namespace"}); }
std::string name_of(const json::object& o) { return get_string(o, {"metadata", "name"}); }
std::string uid_of(const json::object& o) { return get_string(o, {"metadata", "uid"}); }

std::string owner_key_of(const json::object& pod, const char* kind) {
  const json::object* ref = controller_ref(pod);
  if (!ref || get_string(*ref, {"kind"}) != kind) return {};
  return ns_of(pod) + "/" + get_string(*ref, {"name"});
}

}  // namespace skiff::controllers
