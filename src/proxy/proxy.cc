// The service proxy: watches -> incremental nftables transactions on `ip skiff-proxy` (proxy.h).
#include "proxy/proxy.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "api/resources.h"
#include "common/health.h"
#include "common/log.h"
#include "runtime/process.h"

namespace skiff::proxy {
namespace {

runtime::CommandResult nft(const std::string& batch) {
  runtime::CommandOptions co;
  co.input = batch;
  co.timeout = std::chrono::minutes(5);  // a full sync of 10,000 services is large
  return runtime::run_command({runtime::find_tool("nft"), "-f", "-"}, co);
}

// SCTP rules load without the kernel's SCTP, but could never match: probe for it once.
bool kernel_has_sctp() {
  int fd = ::socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP);
  if (fd < 0) return false;
  ::close(fd);
  return true;
}

std::string service_label(const client::ObjectPtr& o) {
  if (!o) return "";
  std::string svc = get_string(*o, {"metadata", "labels", "kubernetes.io/service-name"});
  return svc.empty() ? "" : get_string(*o, {"metadata", "namespace"}) + "/" + svc;
}

runtime::CommandResult ip(const std::vector<std::string>& args) {
  std::vector<std::string> argv{runtime::find_tool("ip")};
  argv.insert(argv.end(), args.begin(), args.end());
  return runtime::run_command(argv);
}

// The first global IPv4 address of this namespace (`ip -4 -o addr show scope global`).
std::string global_address() {
  auto r = ip({"-4", "-o", "addr", "show", "scope", "global"});
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) {
    auto at = line.find(" inet ");
    if (at == std::string::npos) continue;
    std::string a = line.substr(at + 6);
    return a.substr(0, a.find('/'));
  }
  return "";
}

void remove_local_route() {
  const std::string pref = std::to_string(kLocalRouteTable);
  for (int i = 0; i < 8 && ip({"rule", "del", "pref", pref}).exit_code == 0; ++i) {
  }
  ip({"route", "flush", "table", pref});
}

// See ProxyOptions::service_cidr. Returns an error text or "".
std::string install_local_route(const std::string& cidr) {
  const std::string src = global_address();
  if (src.empty()) return "no global IPv4 address here";
  remove_local_route();  // a restart replaces what a killed proxy left
  const std::string t = std::to_string(kLocalRouteTable);
  auto r = ip({"route", "replace", cidr, "dev", "lo", "src", src, "table", t});
  if (r.exit_code == 0) r = ip({"rule", "add", "pref", t, "to", cidr, "iif", "lo", "lookup", t});
  return r.exit_code == 0 ? "" : runtime::command_error(r);
}

int64_t ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

Proxy::Proxy(client::Client& client, ProxyOptions options) : client_(client), o_(std::move(options)) {
  ro_.node_name = o_.node_name;
  ro_.cluster_cidr = o_.cluster_cidr;
  ro_.service_cidr = o_.service_cidr;
}

Proxy::~Proxy() { stop(); }

void Proxy::start() {
  // Fail early and clearly when nft is unusable here. Only `add table`: a table left by a
  // killed proxy keeps serving, untouched, until the first full sync replaces its contents.
  auto r = nft(std::string("add table ip ") + kTable + "\n");
  if (r.exit_code != 0) throw std::runtime_error(std::string("proxy: nftables table ") + kTable + ": " + runtime::command_error(r));
  ro_.sctp = kernel_has_sctp();
  if (!o_.service_cidr.empty()) {
    if (auto err = install_local_route(o_.service_cidr); !err.empty()) {
      SKIFF_LOG(WARN) << "proxy: this host cannot reach ClusterIPs: route for " << o_.service_cidr << ": " << err;
      ro_.service_cidr.clear();  // and nothing to reject after DNAT
    }
  }
  // A pod reaching a service whose endpoint is on its own bridge needs the bridge's traffic to
  // pass netfilter (so the reply is un-DNATed); it is per network namespace.
  if (std::ofstream f("/proc/sys/net/bridge/bridge-nf-call-iptables"); f) f << "1\n";
  SKIFF_LOG(INFO) << "proxy: services of the cluster in nftables table ip " << kTable
                  << (o_.node_name.empty() ? "" : " (node " + o_.node_name + ")") << (ro_.sctp ? "" : "; no SCTP in this kernel");
  auto marker = [this](const char* prefix) {
    auto m = [this, prefix](const client::ObjectPtr& o) { mark(prefix + client::object_key(*o)); };
    return client::Handlers{m, [m](const client::ObjectPtr&, const client::ObjectPtr& o) { m(o); }, m};
  };
  services_ = std::make_unique<client::Informer>(client_, *api::find_resource("", "v1", "services"));
  slices_ = std::make_unique<client::Informer>(client_,
                                               *api::find_resource("discovery.k8s.io", "v1", "endpointslices"));
  services_->add_handlers(marker("svc/"));
  slices_->add_handlers(client::Handlers{[this](const client::ObjectPtr& o) { on_slice(nullptr, o); },
                                         [this](const client::ObjectPtr& a, const client::ObjectPtr& b) { on_slice(a, b); },
                                         [this](const client::ObjectPtr& o) { on_slice(o, nullptr); }});
  if (!o_.node_name.empty()) {  // hostPorts of this node's pods
    client::ListOptions sel;
    sel.field_selector = "spec.nodeName=" + o_.node_name;
    pods_ = std::make_unique<client::Informer>(client_, *api::find_resource("", "v1", "pods"), "", sel);
    pods_->add_handlers(marker("pod/"));
  }
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
    full_ = true;
  }
  thread_ = std::thread([this] { sync_loop(); });
  services_->start();
  slices_->start();
  if (pods_) pods_->start();
}

void Proxy::mark(const std::string& owner) {
  {
    std::lock_guard lock(mu_);
    dirty_.insert(owner);
  }
  cv_.notify_all();
}

void Proxy::on_slice(const client::ObjectPtr& old_obj, const client::ObjectPtr& obj) {
  const std::string key = client::object_key(obj ? *obj : *old_obj);
  const std::string before = service_label(old_obj), after = service_label(obj);
  {
    std::lock_guard lock(mu_);
    if (!before.empty() && before != after) {
      auto it = slices_of_.find(before);
      if (it != slices_of_.end() && (it->second.erase(key), it->second.empty())) slices_of_.erase(it);
      dirty_.insert("svc/" + before);
    }
    if (!after.empty()) {
      slices_of_[after].insert(key);
      dirty_.insert("svc/" + after);
    }
  }
  cv_.notify_all();
}

Fragment Proxy::wanted(const std::string& owner) const {
  if (owner.rfind("svc/", 0) == 0) {
    const std::string key = owner.substr(4);
    auto svc = services_->get(key);
    if (!svc) return {};
    std::set<std::string> keys;
    {
      std::lock_guard lock(mu_);
      if (auto it = slices_of_.find(key); it != slices_of_.end()) keys = it->second;
    }
    std::vector<client::ObjectPtr> held;  // keeps the slices alive while they are read
    std::vector<const json::object*> slices;
    for (const auto& k : keys)
      if (auto s = slices_->get(k)) {
        held.push_back(s);
        slices.push_back(s.get());
      }
    return service_rules(*svc, slices, ro_);
  }
  if (owner.rfind("pod/", 0) == 0 && pods_) {
    auto pod = pods_->get(owner.substr(4));
    return pod ? hostport_rules(*pod, ro_) : Fragment{};
  }
  return {};
}

// Map keys another owner already holds are left out (first come, first served), so two
// Services claiming one externalIP:port cannot make every transaction fail.
Fragment Proxy::owned(const std::string& owner, Fragment f) {
  for (auto it = f.elements.begin(); it != f.elements.end();) {
    auto o = key_owner_.find(it->first);
    if (o != key_owner_.end() && o->second != owner) {
      SKIFF_LOG(WARN) << "proxy: " << owner << ": " << it->first.first << " key " << it->first.second
                      << " already belongs to " << o->second;
      it = f.elements.erase(it);
    } else {
      ++it;
    }
  }
  return f;
}

void Proxy::forget(const std::string& owner) {
  auto it = applied_.find(owner);
  if (it == applied_.end()) return;
  for (const auto& [k, v] : it->second.elements)
    if (auto o = key_owner_.find(k); o != key_owner_.end() && o->second == owner) key_owner_.erase(o);
  applied_.erase(it);
}

bool Proxy::sync_partial(const std::set<std::string>& owners) {
  auto t0 = std::chrono::steady_clock::now();
  std::string text;
  std::map<std::string, Fragment> next;
  for (const auto& owner : owners) {
    Fragment f = owned(owner, wanted(owner));
    auto it = applied_.find(owner);
    text += diff(it == applied_.end() ? Fragment{} : it->second, f);
    next[owner] = std::move(f);
  }
  if (!text.empty()) {
    auto r = nft(text);
    if (r.exit_code != 0) {
      SKIFF_LOG(WARN) << "proxy: nft -f (" << owners.size() << " changed): " << runtime::command_error(r)
                      << "; full sync next";
      return false;
    }
  }
  for (auto& [owner, f] : next) {
    auto it = applied_.find(owner);
    flush_conntrack(it == applied_.end() ? Fragment{} : it->second, f);
    forget(owner);
    if (f.empty()) continue;
    for (const auto& [k, v] : f.elements) key_owner_[k] = owner;
    applied_[owner] = std::move(f);
  }
  if (!text.empty()) {
    SKIFF_LOG(INFO) << "proxy: applied " << owners.size() << " change(s) (" << text.size() << " bytes) in "
                    << ms_since(t0) << " ms";
  }
  return true;
}

bool Proxy::sync_full() {
  auto t0 = std::chrono::steady_clock::now();
  std::set<std::string> chains, sets;
  auto listing = runtime::run_command({runtime::find_tool("nft"), "-t", "list", "table", "ip", kTable});
  if (listing.exit_code == 0) parse_names(listing.out, chains, sets);
  std::vector<std::string> owners;
  for (const auto& s : services_->list()) owners.push_back("svc/" + client::object_key(*s));
  if (pods_)
    for (const auto& p : pods_->list()) owners.push_back("pod/" + client::object_key(*p));
  std::sort(owners.begin(), owners.end());  // the first owner of a contested key is stable
  auto old = std::move(applied_);
  applied_.clear();
  key_owner_.clear();
  for (const auto& owner : owners) {
    Fragment f = owned(owner, wanted(owner));
    if (f.empty()) continue;
    for (const auto& [k, v] : f.elements) key_owner_[k] = owner;
    applied_[owner] = std::move(f);
  }
  std::vector<const Fragment*> all;
  for (const auto& [o, f] : applied_) all.push_back(&f);
  runtime::CommandResult r;
  for (const auto& tx : full_sync(chains, sets, all, ro_))
    if (r = nft(tx); r.exit_code != 0) break;
  if (r.exit_code != 0) {
    // A table this version cannot adopt (say, a base chain with another hook): replace it as a
    // whole, in one transaction. Affinity entries are lost; traffic is not.
    SKIFF_LOG(WARN) << "proxy: full sync: " << runtime::command_error(r) << "; replacing the table";
    std::string one = std::string("add table ip ") + kTable + "\ndelete table ip " + kTable + "\n";
    for (const auto& tx : full_sync({}, {}, all, ro_)) one += tx;
    r = nft(one);
  }
  if (r.exit_code != 0) {
    SKIFF_LOG(WARN) << "proxy: full sync: " << runtime::command_error(r);
    applied_.clear();
    key_owner_.clear();
    return false;
  }
  for (const auto& [owner, f] : old) {
    auto it = applied_.find(owner);
    flush_conntrack(f, it == applied_.end() ? Fragment{} : it->second);
  }
  SKIFF_LOG(INFO) << "proxy: full sync of table " << kTable << ": " << applied_.size() << " services and pods in "
                  << ms_since(t0) << " ms";
  return true;
}

// A UDP flow has no end: while a client keeps sending, its conntrack entry keeps the DNAT to
// an endpoint that is gone. As upstream, entries whose reply comes from a removed endpoint are
// deleted (conntrack -D, Debian package conntrack; skipped with one warning when missing).
void Proxy::flush_conntrack(const Fragment& before, const Fragment& after) {
  static const std::string tool = runtime::find_tool("conntrack");
  static std::atomic<bool> warned{false};
  for (const auto& flow : before.udp_flows) {
    if (after.udp_flows.count(flow)) continue;
    if (::access(tool.c_str(), X_OK) != 0) {
      if (!warned.exchange(true)) {
        SKIFF_LOG(WARN) << "proxy: no conntrack tool: stale UDP flows are not flushed";
      }
      return;
    }
    std::istringstream in(flow);
    std::string vip, port, ep;
    if (flow[0] == ' ') in >> port >> ep;  // a nodePort flow: any local address
    else in >> vip >> port >> ep;
    std::vector<std::string> argv{tool, "-D", "-p", "udp", "--orig-port-dst", port, "--reply-src", ep};
    if (!vip.empty()) argv.insert(argv.end(), {"--orig-dst", vip});
    runtime::run_command(argv);  // exit 1 when there was nothing to delete
  }
}

uint64_t Proxy::full_syncs() const {
  std::lock_guard lock(mu_);
  return full_syncs_;
}

uint64_t Proxy::partial_syncs() const {
  std::lock_guard lock(mu_);
  return partial_syncs_;
}

void Proxy::sync_loop() {
  auto next_full = std::chrono::steady_clock::now() + o_.full_resync;
  std::unique_lock lock(mu_);
  while (!stopping_) {
    cv_.wait_until(lock, next_full, [&] { return stopping_ || full_ || !dirty_.empty(); });
    if (stopping_) break;
    if (std::chrono::steady_clock::now() >= next_full) full_ = true;
    // Debounce: whatever else arrives within the window goes into the same transaction.
    cv_.wait_for(lock, o_.debounce, [&] { return stopping_; });
    if (stopping_) break;
    if (!services_->synced() || !slices_->synced() || (pods_ && !pods_->synced())) {
      cv_.wait_for(lock, std::chrono::milliseconds(50), [&] { return stopping_; });
      continue;
    }
    const bool full = full_;
    auto owners = std::move(dirty_);
    dirty_.clear();
    full_ = false;
    lock.unlock();
    const bool ok = full ? sync_full() : sync_partial(owners);
    lock.lock();
    // Health (the kube-proxy mirror pod's Ready, common/health.h): the last sync succeeded.
    if (ok) health::beat("kube-proxy", "sync", std::chrono::milliseconds(0));
    else health::fail("kube-proxy", "sync", "the last sync of the nftables rules failed");
    if (ok && full) {
      ++full_syncs_;
      next_full = std::chrono::steady_clock::now() + o_.full_resync;
    } else if (ok) {
      ++partial_syncs_;
    } else {
      full_ = true;  // upstream too: after a failure, the next sync is a full one
      cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_; });
    }
  }
}

void Proxy::stop(bool remove) {
  {
    std::lock_guard lock(mu_);
    if (!services_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (services_) services_->stop();
  if (slices_) slices_->stop();
  if (pods_) pods_->stop();
  if (thread_.joinable()) thread_.join();
  services_.reset();
  slices_.reset();
  pods_.reset();
  if (!remove) return;
  if (auto err = remove_table(); !err.empty()) {
    SKIFF_LOG(WARN) << "proxy cleanup: " << err;
  }
}

std::string Proxy::remove_table() {
  remove_local_route();
  const std::string n = runtime::find_tool("nft");
  if (::access(n.c_str(), X_OK) != 0) return "";
  if (runtime::run_command({n, "list", "table", "ip", kTable}).exit_code != 0) return "";
  auto r = runtime::run_command({n, "delete", "table", "ip", kTable});
  return r.exit_code == 0 ? "" : "nft delete table ip " + std::string(kTable) + ": " + runtime::command_error(r);
}

}  // namespace skiff::proxy
