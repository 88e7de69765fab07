#include "client/leader_election.h"

#include <unistd.h>

#include "api/resources.h"
#include "client/client.h"
#include "common/log.h"
#include "common/time.h"
#include "common/uuid.h"

namespace skiff::client {
namespace {

const api::ResourceInfo& leases() {
  const api::ResourceInfo* r = api::find_resource("coordination.k8s.io", "v1", "leases");
  if (!r) std::abort();  // a broken build, not a runtime condition
  return *r;
}

std::string now_micro() { return format_rfc3339_micro(Clock::now()); }

}  // namespace

std::string default_identity() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return std::string(host) + "_" + new_uuid();
}

LeaderElector::LeaderElector(Client& client, LeaderElectionConfig cfg)
    : client_(client), cfg_(std::move(cfg)) {
  if (cfg_.identity.empty()) cfg_.identity = default_identity();
  if (cfg_.renew_deadline >= cfg_.lease_duration) cfg_.renew_deadline = cfg_.lease_duration / 2;
}

LeaderElector::~LeaderElector() { stop(); }

void LeaderElector::start() {
  if (loop_.joinable()) return;
  SKIFF_LOG(INFO) << "leaderelection: attempting to acquire leader lease " << cfg_.lease_namespace
                  << "/" << cfg_.lease_name << " as " << cfg_.identity;
  loop_ = std::thread([this] { run(); });
}

void LeaderElector::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (loop_.joinable()) loop_.join();
}

std::string LeaderElector::holder() const {
  std::lock_guard lock(mu_);
  return observed_holder_;
}

bool LeaderElector::wait(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, d, [&] { return stopping_; });
}

void LeaderElector::run() {
  auto last_renew = Steady::now();
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) break;
    }
    if (!leading_) {
      if (try_acquire_or_renew()) {
        last_renew = Steady::now();
        begin_leading();
      }
      if (!wait(cfg_.retry_period)) break;
      continue;
    }
    if (try_acquire_or_renew()) {
      last_renew = Steady::now();
    } else {
      bool taken = !holder().empty() && holder() != cfg_.identity;
      if (taken || Steady::now() - last_renew > cfg_.renew_deadline) {
        SKIFF_LOG(WARN) << "leaderelection: lost lease " << cfg_.lease_namespace << "/"
                        << cfg_.lease_name
                        << (taken ? " to " + holder() : std::string(": failed to renew in time"));
        end_leading();
        continue;  // campaign again at once
      }
    }
    if (!wait(cfg_.retry_period)) break;
  }
  if (leading_) {
    end_leading();  // the work stops before the lease goes, so two leaders never overlap
    if (cfg_.release_on_cancel) release();
  }
}

void LeaderElector::begin_leading() {
  SKIFF_LOG(INFO) << "leaderelection: successfully acquired lease " << cfg_.lease_namespace << "/"
                  << cfg_.lease_name << " as " << cfg_.identity;
  leading_ = true;
  if (cfg_.on_started_leading) started_ = std::thread(cfg_.on_started_leading);
}

void LeaderElector::end_leading() {
  leading_ = false;
  if (started_.joinable()) started_.join();
  if (cfg_.on_stopped_leading) cfg_.on_stopped_leading();
}

json::object LeaderElector::lease_object(const json::object* current, bool renew) const {
  json::object lease = current ? *current : json::object{};
  lease["apiVersion"] = "coordination.k8s.io/v1";
  lease["kind"] = "Lease";
  auto& md = ensure_object(lease, "metadata");
  md["name"] = cfg_.lease_name;
  md["namespace"] = cfg_.lease_namespace;
  auto& spec = ensure_object(lease, "spec");
  std::string now = now_micro();
  int64_t transitions = current ? get_int(*current, {"spec", "leaseTransitions"}) : 0;
  if (!renew) {
    spec["acquireTime"] = now;
    if (current) ++transitions;
  }
  spec["holderIdentity"] = cfg_.identity;
  spec["leaseDurationSeconds"] =
      std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::seconds>(cfg_.lease_duration).count());
  spec["renewTime"] = now;
  spec["leaseTransitions"] = transitions;
  return lease;
}

bool LeaderElector::try_acquire_or_renew() {
  const auto& r = leases();
  auto got = client_.get(r, cfg_.lease_namespace, cfg_.lease_name);
  if (!got) {
    if (got.error().code != 404) {
      SKIFF_LOG(WARN) << "leaderelection: error retrieving lease " << cfg_.lease_namespace << "/"
                      << cfg_.lease_name << ": " << got.error().message;
      return false;
    }
    auto created = client_.create(r, cfg_.lease_namespace, lease_object(nullptr, false));
    if (!created) {
      SKIFF_LOG(DEBUG) << "leaderelection: creating lease: " << created.error().message;
      return false;
    }
    std::lock_guard lock(mu_);
    observed_holder_ = cfg_.identity;
    observed_record_.clear();
    return true;
  }
  const json::object& cur = *got;
  std::string holder = get_string(cur, {"spec", "holderIdentity"});
  std::string record = holder + "|" + get_string(cur, {"spec", "renewTime"}) + "|" +
                       std::to_string(get_int(cur, {"spec", "leaseTransitions"}));
  auto now = Steady::now();
  if (record != observed_record_) {  // the record moved: its lease runs from now on our clock
    observed_record_ = record;
    observed_at_ = now;
  }
  bool was_other;
  {
    std::lock_guard lock(mu_);
    was_other = observed_holder_ != holder;
    observed_holder_ = holder;
  }
  if (was_other && !holder.empty() && holder != cfg_.identity && cfg_.on_new_leader)
    cfg_.on_new_leader(holder);
  int64_t duration_s = get_int(cur, {"spec", "leaseDurationSeconds"},
                               std::chrono::duration_cast<std::chrono::seconds>(cfg_.lease_duration).count());
  bool mine = holder == cfg_.identity;
  if (!mine && !holder.empty() && now < observed_at_ + std::chrono::seconds(duration_s)) {
    if (logged_wait_for_ != holder) {
      SKIFF_LOG(INFO) << "leaderelection: lease " << cfg_.lease_namespace << "/" << cfg_.lease_name
                      << " is held by " << holder << " and has not yet expired; waiting";
      logged_wait_for_ = holder;
    }
    return false;
  }
  // Ours to renew, or free (released or expired) to take: the update carries the read's
  // resourceVersion, so of two candidates racing for it only one wins (the other gets 409).
  auto updated = client_.update(r, cfg_.lease_namespace, cfg_.lease_name, lease_object(&cur, mine));
  if (!updated) {
    SKIFF_LOG(DEBUG) << "leaderelection: updating lease: " << updated.error().message;
    return false;
  }
  std::lock_guard lock(mu_);
  observed_holder_ = cfg_.identity;
  logged_wait_for_.clear();
  return true;
}

void LeaderElector::release() {
  const auto& r = leases();
  auto got = client_.get(r, cfg_.lease_namespace, cfg_.lease_name);
  if (!got || get_string(*got, {"spec", "holderIdentity"}) != cfg_.identity) return;
  json::object lease = *got;
  auto& spec = ensure_object(lease, "spec");
  std::string now = now_micro();
  spec.erase("holderIdentity");
  spec["leaseDurationSeconds"] = 1;
  spec["acquireTime"] = now;
  spec["renewTime"] = now;
  auto updated = client_.update(r, cfg_.lease_namespace, cfg_.lease_name, lease);
  if (!updated) {
    SKIFF_LOG(WARN) << "leaderelection: releasing lease " << cfg_.lease_namespace << "/"
                    << cfg_.lease_name << ": " << updated.error().message;
  } else {
    SKIFF_LOG(INFO) << "leaderelection: released lease " << cfg_.lease_namespace << "/"
                    << cfg_.lease_name;
  }
  std::lock_guard lock(mu_);
  observed_holder_.clear();
}

}  // namespace skiff::client
