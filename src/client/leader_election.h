// Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection package does
// it: candidates race to create or take over the Lease with optimistic concurrency
// (resourceVersion); the holder renews it every retry period; a lease whose record has not
// changed for leaseDurationSeconds (measured on the candidate's own clock, so clock skew between
// machines does not matter) may be taken over, which bumps leaseTransitions. On stop() a leader
// releases the lease (empty holder) so another candidate takes over at once.
//
//   client::LeaderElector le(client, {.lease_name = "kube-scheduler",
//                                     .on_started_leading = [&] { start_the_work(); },
//                                     .on_stopped_leading = [&] { stop_the_work(); }});
//   le.start();   // campaigns on its own thread
//   ...
//   le.stop();    // stops the work (if leading), releases the lease, joins
//
// Callbacks: on_started_leading runs on a thread of its own (it may block, e.g. waiting for
// informers to sync, without delaying renewals); on_stopped_leading runs on the elector's thread
// once that thread has finished, when the lease is lost or on stop() — never twice in a row, and
// never concurrently with on_started_leading. After a loss the elector campaigns again; a
// process that prefers to exit (upstream's standalone components do) does so from the callback.
//
// Thread safety: start() and stop() from one thread; is_leader() and holder() from any.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "common/json.h"

namespace skiff::client {
class Client;

struct LeaderElectionConfig {
  std::string lease_namespace = "kube-system";
  std::string lease_name;
  std::string identity;  // empty: default_identity()
  std::chrono::milliseconds lease_duration = std::chrono::seconds(15);
  std::chrono::milliseconds renew_deadline = std::chrono::seconds(10);  // < lease_duration
  std::chrono::milliseconds retry_period = std::chrono::seconds(2);
  bool release_on_cancel = true;
  std::function<void()> on_started_leading;
  std::function<void()> on_stopped_leading;
  std::function<void(const std::string& holder)> on_new_leader;  // optional
};

// hostname + "_" + a random UUID, as kube-scheduler and kube-controller-manager use.
std::string default_identity();

class LeaderElector {
 public:
  LeaderElector(Client& client, LeaderElectionConfig cfg);
  ~LeaderElector();
  LeaderElector(const LeaderElector&) = delete;
  LeaderElector& operator=(const LeaderElector&) = delete;

  void start();
  void stop();
  bool is_leader() const { return leading_; }
  const std::string& identity() const { return cfg_.identity; }
  std::string holder() const;  // the holder last observed ("" when none)

 private:
  using Steady = std::chrono::steady_clock;
  void run();
  // One attempt to create, take over or renew the lease; true when we hold it afterwards.
  bool try_acquire_or_renew();
  void release();
  void begin_leading();
  void end_leading();
  bool wait(std::chrono::milliseconds d);  // false when stop() was called
  json::object lease_object(const json::object* current, bool renew) const;

  Client& client_;
  LeaderElectionConfig cfg_;
  std::atomic<bool> leading_{false};
  std::thread loop_;
  std::thread started_;  // runs on_started_leading; joined before on_stopped_leading

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;          // GUARDED_BY(mu_)
  std::string observed_holder_;    // GUARDED_BY(mu_)
  // Only the elector thread touches these.
  std::string observed_record_;    // holder|renewTime|transitions of the last read
  Steady::time_point observed_at_{};
  std::string logged_wait_for_;    // the holder we last logged waiting for
};

}  // namespace skiff::client
