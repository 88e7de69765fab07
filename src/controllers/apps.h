// The DaemonSet and StatefulSet controllers (apps/v1), the ControllerRevision history they
// share (history.cc), and their pure decision logic (node eligibility, per-node and per-ordinal
// plans), which is unit-tested directly. The controllers follow controllers.h: handlers only
// enqueue, sync(key) reads the informer caches and writes through the API.
#pragma once
#include <set>
#include <string>
#include <vector>

#include "controllers/controllers.h"

namespace skiff::controllers {

inline constexpr const char* kControllerRevisionHashLabel = "controller-revision-hash";
inline constexpr const char* kStatefulSetPodNameLabel = "statefulset.kubernetes.io/pod-name";
inline constexpr const char* kPodIndexLabel = "apps.kubernetes.io/pod-index";

// ---------------- ControllerRevision history (history.cc) ----------------

// What a revision stores, as upstream and kubectl's rollback expect: a strategic-merge patch
// {"spec":{"template":{...,"$patch":"replace"}}}.
json::object revision_data(const json::object& pod_template);
// The pod template a revision holds (its data without the directive); empty if malformed.
json::object revision_template(const json::object& revision);
int64_t revision_number(const json::object& revision);
// Hash of a template and the owner's status.collisionCount (no vowels, like pod-template-hash).
std::string revision_hash(const json::object& pod_template, int64_t collision_count);

// The revisions of one owner (DaemonSet or StatefulSet) after sync_revisions.
struct RevisionSet {
  std::vector<json::object> history;  // controlled by the owner, ascending revision number
  std::string update_name;            // the revision of the owner's current template
  std::string update_hash;            // its controller-revision-hash label
  int64_t collision_count = 0;        // what status.collisionCount must become
  const json::object* find(const std::string& name) const;
};
// Finds the revision equal to owner's spec.template, or creates `<owner>-<hash>` with the next
// revision number (a name taken by another template bumps the collision count). An older equal
// revision (a rollback) is renumbered to be the newest, as upstream does.
Result<RevisionSet> sync_revisions(client::Client& c, const client::Informer& revisions,
                                   const json::object& owner);
// Deletes the oldest revisions beyond spec.revisionHistoryLimit, sparing the update revision
// and the names in `live` (revisions pods still run).
Status truncate_history(client::Client& c, const RevisionSet& revs,
                        const std::set<std::string>& live, int64_t limit);

// The controllerRef an apps/v1 owner puts on what it creates.
json::object apps_owner_ref(const json::object& owner, const char* kind);
// The pods controlled by owner (adopting matching orphans, releasing controlled pods that no
// longer match the selector), like upstream's PodControllerRefManager.
Result<std::vector<client::ObjectPtr>> claim_pods(client::Client& c, const client::Informer& pods,
                                                  const json::object& owner, const char* kind);

// ---------------- DaemonSet logic ----------------

struct NodeFit {
  bool should_run = false;               // a new daemon pod may be placed on the node
  bool should_continue_running = false;  // a daemon pod already there may stay
};
// Template tolerations plus the ones every daemon pod gets (not-ready/unreachable NoExecute,
// disk/memory/pid-pressure and unschedulable NoSchedule, network-unavailable for hostNetwork).
json::array daemon_tolerations(const json::object& pod_spec);
// Upstream's NodeShouldRunDaemonPod: spec.nodeName, nodeSelector, required node affinity and
// taints (NoSchedule and NoExecute to run; NoExecute alone to continue running). pod_spec must
// already carry daemon_tolerations. spec.unschedulable is ignored: daemon pods tolerate it.
NodeFit daemon_node_fit(const json::object& node, const json::object& pod_spec);
// The node a daemon pod belongs to: spec.nodeName, else its matchFields metadata.name.
std::string daemon_pod_node(const json::object& pod);
// The daemon pod spec for a node: the template's, its required node affinity replaced by
// matchFields metadata.name In [node], with daemon_tolerations.
json::object daemon_pod_spec(const json::object& template_spec, const std::string& node);

struct DaemonPodState {
  std::string name;
  bool terminating = false;  // deletionTimestamp set
  bool finished = false;     // phase Failed or Succeeded
  bool updated = false;      // labelled with the update revision's hash
  bool ready = false;
  bool available = false;  // ready for minReadySeconds
};
struct NodeActions {
  bool create = false;
  std::vector<std::string> remove;
};
// What manage does on one node (upstream's podsShouldBeOnNode). pods: oldest first.
NodeActions plan_daemon_node(const NodeFit& fit, const std::vector<DaemonPodState>& pods,
                             bool surge);
struct DaemonNodeState {
  std::string node;
  bool should_run = false;
  std::vector<DaemonPodState> pods;  // oldest first
};
struct RolloutActions {
  std::vector<std::string> remove;  // old pods to delete
  std::vector<std::string> create;  // nodes to surge a new pod onto
};
// One step of a RollingUpdate: with max_surge 0, deletes old pods within max_unavailable
// (unavailable old pods at once); else surges new pods and deletes old ones once replaced.
RolloutActions plan_daemon_rollout(const std::vector<DaemonNodeState>& nodes, int64_t max_surge,
                                   int64_t max_unavailable);

// ---------------- StatefulSet logic ----------------

// n for a pod named "<set>-<n>" (n canonical decimal), else -1.
int ordinal_of(const std::string& set_name, const std::string& pod_name);

struct StatefulPodState {
  int ordinal = -1;
  std::string name;
  bool terminating = false;
  bool finished = false;  // phase Failed or Succeeded: deleted, then recreated
  bool healthy = false;   // Running and Ready (for minReadySeconds)
  bool updated = false;   // at the update revision
};
struct StatefulSpecView {
  int replicas = 1;
  bool parallel = false;  // podManagementPolicy Parallel
  bool rolling_update = true;
  int partition = 0;
};
struct StatefulActions {
  std::vector<int> create;          // ordinals, in order
  std::vector<std::string> remove;  // pod names, in order
};
// One reconcile step of upstream's updateStatefulSet: create missing ordinals (OrderedReady:
// one at a time, only once all lower ones are healthy), delete failed pods, delete ordinals
// >= replicas from the highest, then roll ordinals >= partition from the highest, one at a
// time, waiting for each to be healthy.
StatefulActions plan_statefulset(const StatefulSpecView& spec, std::vector<StatefulPodState> pods);

// ---------------- the controllers ----------------

class DaemonSetController : public QueueController {
 public:
  DaemonSetController(client::Client& c, InformerFactory& inf, int workers = 4);

 protected:
  Status sync(const std::string& key) override;

 private:
  void enqueue_all();
  void on_pod(const client::ObjectPtr& p, bool deleted);
  Status create_pod(const json::object& ds, const std::string& key, const std::string& node,
                    const std::string& hash);
  Status delete_pods(const json::object& ds, const std::string& key,
                     const std::vector<std::string>& names);
  client::Client& client_;
  client::Informer& pods_;
  client::Informer& nodes_;
  client::Informer& daemonsets_;
  client::Informer& revisions_;
  Expectations expectations_;
};

class StatefulSetController : public QueueController {
 public:
  StatefulSetController(client::Client& c, InformerFactory& inf, int workers = 4);

 protected:
  Status sync(const std::string& key) override;

 private:
  Status create_pod(const json::object& sts, const json::object& tmpl,
                    const std::string& revision, int ordinal);
  client::Client& client_;
  client::Informer& pods_;
  client::Informer& statefulsets_;
  client::Informer& revisions_;
  client::Informer& claims_;
};

}  // namespace skiff::controllers
