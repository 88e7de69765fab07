#include "scheduler/preemption.h"

#include <algorithm>
#include <climits>

#include "api/resources.h"
#include "client/client.h"
#include "common/log.h"
#include "common/time.h"
#include "scheduler/scheduler.h"

namespace skiff::scheduler {
namespace {

// Does `pod` pass PreFilter and Filter on `node` when `node` replaces its namesake in `snap`?
bool fits_on(const Profile& profile, const PodInfo& pod, const Snapshot& snap,
             const std::shared_ptr<const NodeInfo>& node) {
  Snapshot dry = snap;
  for (auto& n : dry.nodes)
    if (n->name == node->name) n = node;
  CycleState state;
  if (!profile.run_pre_filters(state, pod, dry).ok()) return false;
  return profile.run_filters(state, pod, *node).ok();
}

// Priorities shifted to be non-negative, so sums compare as upstream's do.
int64_t shifted(int32_t priority) { return int64_t(priority) + int64_t(INT32_MAX) + 1; }

// GetEarliestPodStartTime of the victims with the highest priority.
std::chrono::system_clock::time_point earliest_top_start(const PreemptionCandidate& c) {
  auto earliest = c.victims.front()->created;
  for (const auto& v : c.victims)
    if (v->priority == c.victims.front()->priority) earliest = std::min(earliest, v->created);
  return earliest;
}

const api::ResourceInfo& pods_resource() {
  const api::ResourceInfo* r = api::find_resource("", "v1", "pods");
  if (!r) std::abort();  // a broken build, not a runtime condition
  return *r;
}

}  // namespace

bool more_important(const PodInfo& a, const PodInfo& b) {
  if (a.priority != b.priority) return a.priority > b.priority;
  return a.created < b.created;
}

std::optional<std::vector<PodInfoPtr>> select_victims_on_node(const Profile& profile,
                                                              const PodInfo& pod,
                                                              const Snapshot& snap,
                                                              const NodeInfo& node) {
  auto trial = std::make_shared<NodeInfo>(node);
  std::vector<PodInfoPtr> potential;
  for (const auto& p : node.pods)
    if (p->priority < pod.priority) {
      potential.push_back(p);
      trial->remove_pod(p->uid);
    }
  if (!fits_on(profile, pod, snap, trial)) return std::nullopt;
  // Reprieve as many as possible, the most important first: a pod goes back unless the
  // preemptor stops fitting with it.
  std::stable_sort(potential.begin(), potential.end(),
            [](const PodInfoPtr& a, const PodInfoPtr& b) { return more_important(*a, *b); });
  std::vector<PodInfoPtr> victims;
  for (const auto& p : potential) {
    trial->add_pod(p);
    if (!fits_on(profile, pod, snap, trial)) {
      trial->remove_pod(p->uid);
      victims.push_back(p);
    }
  }
  return victims;
}

size_t pick_one_candidate(const std::vector<PreemptionCandidate>& cands) {
  std::vector<size_t> best(cands.size());
  for (size_t i = 0; i < cands.size(); ++i) best[i] = i;
  // Each criterion keeps the candidates that score best on it, in order.
  auto keep_min = [&](auto score) {
    if (best.size() <= 1) return;
    auto lowest = score(cands[best[0]]);
    for (size_t i : best) lowest = std::min(lowest, score(cands[i]));
    std::vector<size_t> next;
    for (size_t i : best)
      if (score(cands[i]) == lowest) next.push_back(i);
    best = std::move(next);
  };
  // A candidate without victims wins outright (the pod fits there as is).
  for (size_t i = 0; i < cands.size(); ++i)
    if (cands[i].victims.empty()) return i;
  keep_min([](const PreemptionCandidate& c) { return shifted(c.victims.front()->priority); });
  keep_min([](const PreemptionCandidate& c) {
    int64_t sum = 0;
    for (const auto& v : c.victims) sum += shifted(v->priority);
    return sum;
  });
  keep_min([](const PreemptionCandidate& c) { return c.victims.size(); });
  // The latest start time wins: minimise its negation.
  keep_min([](const PreemptionCandidate& c) {
    return -earliest_top_start(c).time_since_epoch().count();
  });
  return best.front();
}

std::optional<PreemptionCandidate> find_preemption_candidate(const Profile& profile,
                                                             const PodInfo& pod,
                                                             const Snapshot& snap,
                                                             const FitError& fit) {
  std::vector<PreemptionCandidate> cands;
  for (const auto& n : snap.nodes) {
    auto it = fit.node_status.find(n->name);
    // nodesWherePreemptionMightHelp: only nodes that failed resolvably.
    if (it == fit.node_status.end() || it->second.code() != Code::kUnschedulable) continue;
    auto victims = select_victims_on_node(profile, pod, snap, *n);
    if (victims && !victims->empty()) cands.push_back({n->name, std::move(*victims)});
  }
  if (cands.empty()) return std::nullopt;
  return cands[pick_one_candidate(cands)];
}

// PodEligibleToPreemptOthers.
bool Preemptor::eligible(const PodInfo& pod, const Snapshot& snap, const FitError& fit) {
  std::lock_guard lock(mu_);
  auto now = std::chrono::steady_clock::now();
  for (auto it = deleting_.begin(); it != deleting_.end();)
    it = it->second < now ? deleting_.erase(it) : std::next(it);
  std::string nominated = get_string(*pod.pod, {"status", "nominatedNodeName"});
  if (auto it = nominated_.find(pod.uid); it != nominated_.end()) nominated = it->second;
  if (nominated.empty()) return true;
  if (auto st = fit.node_status.find(nominated);
      st != fit.node_status.end() && st->second.code() == Code::kUnschedulableAndUnresolvable)
    return true;
  const NodeInfo* node = snap.find(nominated);
  if (!node) return true;
  for (const auto& p : node->pods)
    if (p->priority < pod.priority && (p->terminating || deleting_.count(p->uid))) return false;
  nominated_.erase(pod.uid);  // its victims are gone: it may preempt afresh
  return true;
}

std::string Preemptor::post_filter(const Profile& profile, const PodInfo& pod,
                                   const Snapshot& snap, FitError& fit, EventSink& events,
                                   TaskPool& pool) {
  if (pod.preemption_policy == "Never") return {};  // the framework's message says so
  if (!eligible(pod, snap, fit)) {
    fit.post_filter_msg = "preemption: not eligible due to a terminating pod on the nominated node";
    return {};
  }
  auto cand = find_preemption_candidate(profile, pod, snap, fit);
  if (!cand) return {};
  fit.post_filter_msg.clear();
  {
    std::lock_guard lock(mu_);
    if (nominated_.size() > 10000) nominated_.clear();
    nominated_[pod.uid] = cand->node;
    auto forget_after = std::chrono::steady_clock::now() + std::chrono::minutes(2);
    for (const auto& v : cand->victims) deleting_[v->uid] = forget_after;
  }
  SKIFF_LOG(INFO) << "scheduler: preempting " << cand->victims.size() << " pod(s) on "
                  << cand->node << " for " << pod.key << " (priority " << pod.priority << ")";
  auto preemptor = std::make_shared<PodInfo>(pod);
  pool.submit([this, preemptor, cand = *cand, &events] {
    for (const auto& v : cand.victims) {
      events.record(*v, "Normal", "Preempted",
                    "Preempted by pod " + preemptor->uid + " on node " + cand.node);
      if (auto st = delete_victim(*v, *preemptor, cand.node); !st) {
        SKIFF_LOG(WARN) << "scheduler: preempting " << v->key << ": " << st.error().message;
      }
    }
    if (auto st = nominate(*preemptor, cand.node); !st) {
      SKIFF_LOG(WARN) << "scheduler: nominating " << preemptor->key << " to " << cand.node << ": "
                      << st.error().message;
    }
  });
  return cand->node;
}

skiff::Status ApiPreemptor::nominate(const PodInfo& pod, const std::string& node) {
  json::object patch{{"status", json::object{{"nominatedNodeName", node}}}};
  auto r = client_.patch(pods_resource(), pod.ns, pod.name, "application/merge-patch+json", patch,
                         "status");
  if (!r && r.error().code != 404) return r.error();
  return ok_status();
}

skiff::Status ApiPreemptor::delete_victim(const PodInfo& victim, const PodInfo& preemptor,
                                          const std::string& node) {
  (void)preemptor;
  (void)node;
  // The DisruptionTarget condition tells the pod's owner why it goes (best effort).
  json::object cond{{"type", "DisruptionTarget"},
                    {"status", "True"},
                    {"reason", "PreemptionByScheduler"},
                    {"message", scheduler_name_ + ": preempting to accommodate a higher priority pod"},
                    {"lastTransitionTime", now_rfc3339()}};
  json::object patch{{"status", json::object{{"conditions", json::array{cond}}}}};
  auto p = client_.patch(pods_resource(), victim.ns, victim.name,
                         "application/strategic-merge-patch+json", patch, "status");
  if (!p && p.error().code == 404) return ok_status();
  json::object opts{{"apiVersion", "v1"},
                    {"kind", "DeleteOptions"},
                    {"preconditions", json::object{{"uid", victim.uid}}}};
  auto r = client_.remove(pods_resource(), victim.ns, victim.name, opts);
  if (!r && r.error().code != 404 && r.error().code != 409) return r.error();
  return ok_status();
}

}  // namespace skiff::scheduler
