// Preemption: upstream's DefaultPreemption PostFilter (pkg/scheduler/framework/plugins/
// defaultpreemption and framework/preemption). When a pod fits on no node, find the nodes where
// removing pods of lower priority would make it fit, keep on each node only the victims it
// really needs (the most important ones are reprieved first), pick one node by upstream's
// ordering, then nominate the pod there (status.nominatedNodeName) and delete the victims. The
// pod itself is retried once the victims are gone (their deletion is a cluster event).
//
// Not done (yet): PodDisruptionBudgets are not consulted (every victim counts as non-violating),
// and nominated pods are not added to the nodes when other pods are filtered, so a lower
// priority pod could in principle take the room first (the queue pops higher priority first).
//
// The side effects go through a Preemptor. SchedulerCore runs the PostFilter when its Binder is
// also a Preemptor (ApiPreemptor for the API-backed scheduler, a fake in tests).
#pragma once
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/api_error.h"
#include "scheduler/framework.h"

namespace skiff::client {
class Client;
}

namespace skiff::scheduler {

class EventSink;
class TaskPool;

struct PreemptionCandidate {
  std::string node;
  std::vector<PodInfoPtr> victims;  // most important first
};

// MoreImportantPod: higher priority, then the earlier start (creation) time.
bool more_important(const PodInfo& a, const PodInfo& b);

// SelectVictimsOnNode: the victims on `node` that make `pod` fit, or nullopt when removing
// every lower-priority pod still does not. An empty vector means the pod fits as is.
std::optional<std::vector<PodInfoPtr>> select_victims_on_node(const Profile& profile,
                                                              const PodInfo& pod,
                                                              const Snapshot& snap,
                                                              const NodeInfo& node);

// DryRunPreemption over the nodes where preemption might help (rejected as kUnschedulable in
// `fit`), then pickOneNodeForPreemption. nullopt when no node has victims that make room.
std::optional<PreemptionCandidate> find_preemption_candidate(const Profile& profile,
                                                             const PodInfo& pod,
                                                             const Snapshot& snap,
                                                             const FitError& fit);

// pickOneNodeForPreemption's ordering: lowest highest-victim priority, then lowest sum of
// priorities, then fewest victims, then the latest start time of the highest-priority victims,
// then the first. Returns an index into `candidates` (which must not be empty).
size_t pick_one_candidate(const std::vector<PreemptionCandidate>& candidates);

// The API side of preemption plus the memory of what it started, so a pod whose victims are
// still terminating does not preempt again (PodEligibleToPreemptOthers).
//
// Thread safety: post_filter runs on the scheduling thread; the nominate/delete_victim calls run
// on the task pool. The maps below are guarded by mu_.
class Preemptor {
 public:
  virtual ~Preemptor() = default;

  // Runs after a failed attempt whose result code was kUnschedulable. On success the side
  // effects are submitted to `pool` and fit.post_filter_msg is cleared (upstream reports only
  // the filter failures then); otherwise post_filter_msg says why nothing was preempted.
  // Returns the chosen node, or empty.
  std::string post_filter(const Profile& profile, const PodInfo& pod, const Snapshot& snap,
                          FitError& fit, EventSink& events, TaskPool& pool);

 protected:
  // status.nominatedNodeName of the preemptor.
  virtual skiff::Status nominate(const PodInfo& pod, const std::string& node) = 0;
  // Marks the victim (DisruptionTarget condition) and deletes it.
  virtual skiff::Status delete_victim(const PodInfo& victim, const PodInfo& preemptor,
                                      const std::string& node) = 0;

 private:
  using TimePoint = std::chrono::steady_clock::time_point;
  bool eligible(const PodInfo& pod, const Snapshot& snap, const FitError& fit);

  std::mutex mu_;
  std::map<std::string, std::string> nominated_;  // GUARDED_BY(mu_): preemptor uid -> node
  std::map<std::string, TimePoint> deleting_;     // GUARDED_BY(mu_): victim uid -> forget after
};

// Talks to the API server: PATCH pods/status for the nomination and the victim's condition,
// DELETE for the victim.
class ApiPreemptor : public Preemptor {
 public:
  explicit ApiPreemptor(client::Client& c, std::string scheduler_name = "default-scheduler")
      : client_(c), scheduler_name_(std::move(scheduler_name)) {}

 protected:
  skiff::Status nominate(const PodInfo& pod, const std::string& node) override;
  skiff::Status delete_victim(const PodInfo& victim, const PodInfo& preemptor,
                              const std::string& node) override;

 private:
  client::Client& client_;
  std::string scheduler_name_;
};

}  // namespace skiff::scheduler
