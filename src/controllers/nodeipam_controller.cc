// The node IPAM controller and its subnet allocator. See nodeipam.h.
#include <charconv>

#include "common/log.h"
#include "controllers/nodeipam.h"

namespace skiff::controllers {
namespace {
using client::ObjectPtr;

std::optional<uint32_t> parse_ipv4(std::string_view s) {
  uint32_t ip = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (s.empty() || s.front() != '.') return std::nullopt;
      s.remove_prefix(1);
    }
    unsigned v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p == s.data() || v > 255 || p - s.data() > 3) return std::nullopt;
    s.remove_prefix(static_cast<size_t>(p - s.data()));
    ip = ip << 8 | v;
  }
  if (!s.empty()) return std::nullopt;
  return ip;
}

uint32_t netmask(int prefix) { return prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix); }

// A controller that does nothing: node IPAM switched off (--cluster-cidr "").
class Disabled final : public Controller {
 public:
  void run() override {}
  void stop() override {}
};

std::string pod_cidr_of(const json::object& node) {
  std::string c = get_string(node, {"spec", "podCIDR"});
  if (!c.empty()) return c;
  if (const json::value* v = find_path(node, {"spec", "podCIDRs"}); v && v->is_array())
    for (const auto& e : v->as_array())
      if (e.is_string()) return std::string(e.get_string());
  return {};
}
}  // namespace

// ---- CIDR arithmetic ----

std::string Ipv4Cidr::str() const {
  return std::to_string(base >> 24) + "." + std::to_string(base >> 16 & 255) + "." +
         std::to_string(base >> 8 & 255) + "." + std::to_string(base & 255) + "/" +
         std::to_string(prefix);
}

std::optional<Ipv4Cidr> parse_ipv4_cidr(std::string_view s) {
  auto slash = s.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto ip = parse_ipv4(s.substr(0, slash));
  std::string_view p = s.substr(slash + 1);
  int prefix = -1;
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), prefix);
  if (!ip || ec != std::errc() || end != p.data() + p.size() || p.empty() || p.size() > 2 ||
      prefix < 0 || prefix > 32)
    return std::nullopt;
  return Ipv4Cidr{*ip & netmask(prefix), prefix};
}

Result<CidrSet> CidrSet::make(const std::string& cluster_cidr, int mask) {
  auto c = parse_ipv4_cidr(cluster_cidr);
  if (!c) return ApiError::bad_request("invalid cluster CIDR \"" + cluster_cidr + "\" (want an IPv4 CIDR such as 10.244.0.0/16)");
  if (mask < c->prefix || mask > 30)
    return ApiError::bad_request("node CIDR mask size " + std::to_string(mask) + " must be between the cluster CIDR's prefix (" +
                                 std::to_string(c->prefix) + ") and 30");
  if (mask - c->prefix > 20)
    return ApiError::bad_request("node CIDR mask size " + std::to_string(mask) + " gives more than 2^20 subnets of " +
                                 c->str());
  CidrSet s;
  s.cluster_ = *c;
  s.mask_ = mask;
  s.used_.assign(size_t{1} << (mask - c->prefix), false);
  return s;
}

std::optional<std::pair<size_t, size_t>> CidrSet::span(const std::string& cidr) const {
  auto c = parse_ipv4_cidr(cidr);
  if (!c || c->prefix < cluster_.prefix) return std::nullopt;
  if ((c->base & netmask(cluster_.prefix)) != cluster_.base) return std::nullopt;
  const uint64_t offset = c->base - cluster_.base;
  const int shift = 32 - mask_;
  const size_t first = static_cast<size_t>(offset >> shift);
  if (c->prefix >= mask_) return std::pair{first, first};  // inside one subnet
  const size_t count = size_t{1} << (mask_ - c->prefix);
  return std::pair{first, first + count - 1};
}

bool CidrSet::in_range(const std::string& cidr) const { return span(cidr).has_value(); }

std::optional<std::string> CidrSet::allocate_next() {
  const size_t n = used_.size();
  if (used_count_ == n) return std::nullopt;
  for (size_t i = 0; i < n; ++i) {
    size_t idx = (next_ + i) % n;
    if (used_[idx]) continue;
    used_[idx] = true;
    ++used_count_;
    next_ = (idx + 1) % n;
    return Ipv4Cidr{cluster_.base + static_cast<uint32_t>(idx << (32 - mask_)), mask_}.str();
  }
  return std::nullopt;
}

bool CidrSet::occupy(const std::string& cidr) {
  auto s = span(cidr);
  if (!s) return false;
  for (size_t i = s->first; i <= s->second; ++i)
    if (!used_[i]) {
      used_[i] = true;
      ++used_count_;
    }
  return true;
}

bool CidrSet::release(const std::string& cidr) {
  auto s = span(cidr);
  if (!s) return false;
  for (size_t i = s->first; i <= s->second; ++i)
    if (used_[i]) {
      used_[i] = false;
      --used_count_;
    }
  return true;
}

// ---- flags ----

void add_node_ipam_flags(FlagSet& flags, ControllerOptions& opts) {
  flags.section("node IPAM (pod CIDR of each node)")
      .string("--cluster-cidr", &opts.cluster_cidr,
              "range node podCIDRs are carved from (\"\" turns allocation off)", "CIDR")
      .integer("--node-cidr-mask-size", &opts.node_cidr_mask_size,
               "prefix length of each node's podCIDR", 1, 30)
      .boolean("--allocate-node-cidrs", &opts.allocate_node_cidrs,
               "allocate node podCIDRs (false = off)");
}

Status check_node_ipam_options(const ControllerOptions& opts) {
  if (!opts.allocate_node_cidrs || opts.cluster_cidr.empty()) return ok_status();
  auto set = CidrSet::make(opts.cluster_cidr, opts.node_cidr_mask_size);
  if (!set) return set.error();
  return ok_status();
}

// ---- the controller ----

std::unique_ptr<Controller> make_node_ipam_controller(client::Client& c, InformerFactory& inf,
                                                      const ControllerOptions& opts) {
  if (!opts.allocate_node_cidrs || opts.cluster_cidr.empty()) return std::make_unique<Disabled>();
  auto set = CidrSet::make(opts.cluster_cidr, opts.node_cidr_mask_size);
  if (!set) {
    SKIFF_LOG(ERROR) << "nodeipam: " << set.error().message << "; not allocating node CIDRs";
    return std::make_unique<Disabled>();
  }
  return std::make_unique<NodeIpamController>(c, inf, std::move(*set), 2);
}

NodeIpamController::NodeIpamController(client::Client& c, InformerFactory& inf, CidrSet cidrs,
                                       int workers)
    : QueueController("nodeipam", workers),
      client_(c),
      nodes_(inf.get("", "nodes")),
      cidrs_(std::move(cidrs)) {
  auto enqueue_if_needed = [this](const ObjectPtr& n) {
    // Nodes that have their CIDR and hold it in our map need nothing; checking here keeps
    // the heartbeat-driven updates of thousands of nodes off the queue.
    std::string want = pod_cidr_of(*n);
    if (!want.empty()) {
      std::lock_guard lk(mu_);
      auto it = held_.find(name_of(*n));
      if (it != held_.end() && it->second == want) return;
    }
    enqueue(client::object_key(*n));
  };
  nodes_.add_handlers(client::Handlers{
      enqueue_if_needed, [enqueue_if_needed](const ObjectPtr&, const ObjectPtr& n) { enqueue_if_needed(n); },
      [this](const ObjectPtr& n) { enqueue(client::object_key(*n)); }});
}

void NodeIpamController::run() {
  // Occupy every subnet already assigned before handing any out.
  size_t found = 0;
  {
    std::lock_guard lk(mu_);
    for (const auto& n : nodes_.list()) {
      std::string c = pod_cidr_of(*n);
      if (c.empty()) continue;
      held_[name_of(*n)] = c;
      if (cidrs_.occupy(c)) {
        ++found;
      } else {
        SKIFF_LOG(DEBUG) << "nodeipam: node " << name_of(*n) << " has podCIDR " << c
                         << " outside the cluster CIDR " << cidrs_.cluster().str();
      }
    }
  }
  SKIFF_LOG(INFO) << "nodeipam: allocating /" << cidrs_.mask() << " subnets of "
                  << cidrs_.cluster().str() << "; " << found << " in use";
  QueueController::run();
}

void NodeIpamController::release_locked(const std::string& node) {
  auto it = held_.find(node);
  if (it == held_.end()) return;
  cidrs_.release(it->second);
  held_.erase(it);
  // Nodes that found the range full may fit now.
  for (const auto& w : waiting_) enqueue(w);
}

void NodeIpamController::report_unavailable(const json::object& node) {
  // Upstream records this with the node's status-change recorder; cluster-scoped objects'
  // events live in the default namespace.
  json::object involved = node;
  involved["apiVersion"] = "v1";
  involved["kind"] = "Node";
  json::object ev = make_event(involved, "Normal", "CIDRNotAvailable",
                               "Node " + name_of(node) + " status is now: CIDRNotAvailable",
                               "cidrAllocator");
  ev["metadata"].as_object()["namespace"] = "default";
  auto r = client_.create(resource("", "events"), "default", ev);
  if (!r) {
    SKIFF_LOG(DEBUG) << "nodeipam: event CIDRNotAvailable not written: " << r.error().message;
  }
}

Status NodeIpamController::sync(const std::string& key) {
  ObjectPtr node = nodes_.get(key);
  std::unique_lock lk(mu_);
  if (!node) {  // deleted: its subnet goes back
    waiting_.erase(key);
    release_locked(key);
    return ok_status();
  }
  if (std::string have = pod_cidr_of(*node); !have.empty()) {
    waiting_.erase(key);
    auto it = held_.find(key);
    if (it != held_.end() && it->second == have) return ok_status();
    if (it != held_.end()) release_locked(key);  // set by someone else meanwhile
    cidrs_.occupy(have);  // false when outside the cluster CIDR: nothing to account for
    held_[key] = have;
    return ok_status();
  }
  if (find_path(*node, {"metadata", "deletionTimestamp"})) return ok_status();

  // A subnet allocated by an earlier attempt whose write the cache does not show yet is reused.
  std::string cidr;
  if (auto it = held_.find(key); it != held_.end()) {
    cidr = it->second;
  } else if (auto got = cidrs_.allocate_next()) {
    cidr = *got;
    held_[key] = cidr;
  } else {
    bool first = waiting_.insert(key).second;
    lk.unlock();
    if (first) report_unavailable(*node);
    SKIFF_LOG(INFO) << "nodeipam: no free /" << cidrs_.mask() << " subnet for node " << key;
    return ok_status();  // retried when a subnet is freed (release_locked)
  }
  waiting_.erase(key);
  lk.unlock();

  json::object patch{
      {"metadata", json::object{{"uid", uid_of(*node)}}},
      {"spec", json::object{{"podCIDR", cidr}, {"podCIDRs", json::array{json::value(cidr)}}}}};
  auto r = client_.patch(resource("", "nodes"), "", key, "application/merge-patch+json", patch);
  if (r) {
    SKIFF_LOG(INFO) << "nodeipam: node " << key << " gets podCIDR " << cidr;
    return ok_status();
  }
  if (r.error().code == 404 || r.error().code == 409 || r.error().code == 422) {
    // Gone, replaced (uid), or its podCIDR was set by someone else first: give ours back; the
    // informer's event brings the node back here with what it really has.
    lk.lock();
    if (auto it = held_.find(key); it != held_.end() && it->second == cidr) release_locked(key);
  }
  return r.error();
}

}  // namespace skiff::controllers
