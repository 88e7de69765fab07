// The DaemonSet controller: one daemon pod per eligible node, RollingUpdate (maxUnavailable,
// maxSurge) and OnDelete, ControllerRevision history. Mirrors upstream's
// pkg/controller/daemon (manage, rollingUpdate, updateDaemonSetStatus).
#include <algorithm>
#include <map>

#include "apimachinery/node_matching.h"
#include "apimachinery/selectors.h"
#include "controllers/apps.h"

namespace skiff::controllers {
namespace {
using client::ObjectPtr;

constexpr const char* kComponent = "daemonset-controller";

json::object toleration(const char* key, const char* effect) {
  return json::object{{"key", key}, {"operator", "Exists"}, {"effect", effect}};
}

int64_t status_of(const json::object& o, const char* f) { return get_int(o, {"status", f}, 0); }
}  // namespace

json::array daemon_tolerations(const json::object& pod_spec) {
  json::array out;
  if (const json::value* t = pod_spec.if_contains("tolerations"); t && t->is_array())
    out = t->as_array();
  std::vector<json::object> defaults{
      toleration("node.kubernetes.io/not-ready", "NoExecute"),
      toleration("node.kubernetes.io/unreachable", "NoExecute"),
      toleration("node.kubernetes.io/disk-pressure", "NoSchedule"),
      toleration("node.kubernetes.io/memory-pressure", "NoSchedule"),
      toleration("node.kubernetes.io/pid-pressure", "NoSchedule"),
      toleration("node.kubernetes.io/unschedulable", "NoSchedule")};
  const json::value* hn = pod_spec.if_contains("hostNetwork");
  if (hn && hn->is_bool() && hn->as_bool())
    defaults.push_back(toleration("node.kubernetes.io/network-unavailable", "NoSchedule"));
  for (auto& d : defaults) {
    bool present = false;
    for (const auto& t : out)
      present = present || (get_string(t, {"key"}) == get_string(d, {"key"}) &&
                            get_string(t, {"effect"}) == get_string(d, {"effect"}) &&
                            get_string(t, {"operator"}) == "Exists");
    if (!present) out.push_back(std::move(d));
  }
  return out;
}

NodeFit daemon_node_fit(const json::object& node, const json::object& pod_spec) {
  const std::string node_name = name_of(node);
  if (std::string want = get_string(pod_spec, {"nodeName"}); !want.empty() && want != node_name)
    return {};
  if (!RequiredNodeAffinity::from_pod_spec(pod_spec).matches(
          string_map(find_path(node, {"metadata", "labels"})), node_name))
    return {};
  const std::vector<Taint> taints = parse_taints(find_path(node, {"spec", "taints"}));
  const std::vector<Toleration> tols = parse_tolerations(pod_spec.if_contains("tolerations"));
  NodeFit fit;
  fit.should_continue_running = !find_untolerated(taints, tols, {"NoExecute"});
  fit.should_run = fit.should_continue_running && !find_untolerated(taints, tols, {"NoSchedule"});
  return fit;
}

std::string daemon_pod_node(const json::object& pod) {
  if (std::string n = get_string(pod, {"spec", "nodeName"}); !n.empty()) return n;
  const json::value* terms = find_path(pod, {"spec", "affinity", "nodeAffinity",
                                             "requiredDuringSchedulingIgnoredDuringExecution",
                                             "nodeSelectorTerms"});
  if (!terms || !terms->is_array()) return {};
  for (const auto& t : terms->as_array()) {
    const json::value* f = find_path(t, {"matchFields"});
    if (!f || !f->is_array()) continue;
    for (const auto& r : f->as_array()) {
      const json::value* v = find_path(r, {"values"});
      if (get_string(r, {"key"}) == "metadata.name" && get_string(r, {"operator"}) == "In" && v &&
          v->is_array() && v->as_array().size() == 1 && v->as_array()[0].is_string())
        return std::string(v->as_array()[0].as_string());
    }
  }
  return {};
}

json::object daemon_pod_spec(const json::object& template_spec, const std::string& node) {
  json::object spec = template_spec;
  json::object term{{"matchFields", json::array{json::object{
                                        {"key", "metadata.name"},
                                        {"operator", "In"},
                                        {"values", json::array{json::value(node)}}}}}};
  json::object& na = ensure_object(ensure_object(spec, "affinity"), "nodeAffinity");
  ensure_object(na, "requiredDuringSchedulingIgnoredDuringExecution")["nodeSelectorTerms"] =
      json::array{std::move(term)};
  spec["tolerations"] = daemon_tolerations(template_spec);
  return spec;
}

NodeActions plan_daemon_node(const NodeFit& fit, const std::vector<DaemonPodState>& pods,
                             bool surge) {
  NodeActions out;
  // A finished pod already being deleted is gone as far as the node is concerned.
  std::vector<const DaemonPodState*> present, running;
  for (const auto& p : pods)
    if (!(p.finished && p.terminating)) present.push_back(&p);
  if (fit.should_run && present.empty()) {
    out.create = true;
    return out;
  }
  if (!fit.should_continue_running) {
    for (const auto* p : present)
      if (!p->terminating) out.remove.push_back(p->name);
    return out;
  }
  for (const auto* p : present) {
    if (p->terminating) continue;
    if (p->finished) out.remove.push_back(p->name);  // recreated once it is gone
    else running.push_back(p);
  }
  if (running.size() <= 1) return out;
  if (!surge) {  // keep the oldest
    for (size_t i = 1; i < running.size(); ++i) out.remove.push_back(running[i]->name);
    return out;
  }
  // Surge: an old and a new pod may coexist while the new one is not ready.
  const DaemonPodState *oldest_new = nullptr, *oldest_old = nullptr;
  for (const auto* p : running) {
    const DaemonPodState*& slot = p->updated ? oldest_new : oldest_old;
    if (!slot) slot = p;
    else out.remove.push_back(p->name);
  }
  if (oldest_new && oldest_old && (!oldest_old->ready || oldest_new->ready))
    out.remove.push_back(oldest_old->name);
  return out;
}

RolloutActions plan_daemon_rollout(const std::vector<DaemonNodeState>& nodes, int64_t max_surge,
                                   int64_t max_unavailable) {
  RolloutActions out;
  std::vector<std::string> candidates;  // nodes (surge) or old pods (no surge) within budget
  int64_t used = 0;                     // unavailable (no surge) or surged (surge) nodes
  for (const auto& n : nodes) {
    const DaemonPodState *np = nullptr, *op = nullptr;
    bool ok = true;
    for (const auto& p : n.pods) {
      if (p.terminating) continue;
      const DaemonPodState*& slot = p.updated ? np : op;
      if (slot) ok = false;
      slot = &p;
    }
    if (!ok) {
      ++used;
      continue;
    }
    if (max_surge == 0) {
      if (!op) {
        if (!np || !np->available) ++used;  // missing or coming up: manage handles it
      } else if (np) {
        ++used;
      } else if (!op->available) {
        out.remove.push_back(op->name);  // unavailable anyway: replace at once
      } else {
        candidates.push_back(op->name);
      }
    } else {
      if (!op) continue;
      if (!np) {
        if (op->available) candidates.push_back(n.node);
        else if (n.should_run) out.create.push_back(n.node);
        else out.remove.push_back(op->name);
      } else if (!np->available) {
        ++used;
      } else {
        out.remove.push_back(op->name);  // replaced: the old one goes
      }
    }
  }
  const int64_t budget = (max_surge == 0 ? max_unavailable : max_surge) - used;
  const size_t take = static_cast<size_t>(std::clamp<int64_t>(budget, 0, candidates.size()));
  auto& dest = max_surge == 0 ? out.remove : out.create;
  dest.insert(dest.end(), candidates.begin(), candidates.begin() + take);
  return out;
}

// ---------------- the controller ----------------

DaemonSetController::DaemonSetController(client::Client& c, InformerFactory& inf, int workers)
    : QueueController("daemonset", workers),
      client_(c),
      pods_(inf.get("", "pods")),
      nodes_(inf.get("", "nodes")),
      daemonsets_(inf.get("apps", "daemonsets")),
      revisions_(inf.get("apps", "controllerrevisions")) {
  daemonsets_.add_handlers(key_handlers(
      [this](const ObjectPtr& o) { expectations_.erase(client::object_key(*o)); },
      /*enqueue_on_delete=*/false));
  pods_.add_handlers(client::Handlers{
      [this](const ObjectPtr& p) { on_pod(p, false); },
      [this](const ObjectPtr& old_p, const ObjectPtr& p) {
        std::string ok = owner_key_of(*old_p, "DaemonSet");
        if (!ok.empty() && ok != owner_key_of(*p, "DaemonSet")) enqueue(ok);
        on_pod(p, false);
      },
      [this](const ObjectPtr& p) { on_pod(p, true); }});
  // Which nodes qualify depends on their labels and taints (and their existence).
  auto node_changed = [this](const ObjectPtr& a, const ObjectPtr& b) {
    const json::value* la = find_path(*a, {"metadata", "labels"});
    const json::value* lb = find_path(*b, {"metadata", "labels"});
    const json::value* sa = a->if_contains("spec");
    const json::value* sb = b->if_contains("spec");
    auto same = [](const json::value* x, const json::value* y) {
      return (!x && !y) || (x && y && canonical_json(*x) == canonical_json(*y));
    };
    if (!same(la, lb) || !same(sa, sb)) enqueue_all();
  };
  nodes_.add_handlers(client::Handlers{[this](const ObjectPtr&) { enqueue_all(); }, node_changed,
                                       [this](const ObjectPtr&) { enqueue_all(); }});
}

void DaemonSetController::enqueue_all() {
  for (const auto& ds : daemonsets_.list()) enqueue(client::object_key(*ds));
}

void DaemonSetController::on_pod(const ObjectPtr& p, bool deleted) {
  std::string k = owner_key_of(*p, "DaemonSet");
  if (!k.empty()) {
    if (deleted) {
      expectations_.deletion_observed(k, client::object_key(*p));
    } else {
      expectations_.creation_observed(k);  // extra observations are harmless (floored at 0)
      if (find_path(*p, {"metadata", "deletionTimestamp"}))
        expectations_.deletion_observed(k, client::object_key(*p));
    }
    enqueue(k);
    return;
  }
  if (controller_ref(*p) || deleted) return;
  const json::value* l = find_path(*p, {"metadata", "labels"});
  for (const auto& ds : daemonsets_.list_namespace(ns_of(*p))) {  // an orphan: adoption
    auto sel = LabelSelector::from_json(find_path(*ds, {"spec", "selector"}));
    if (sel && !sel->empty() && sel->matches(l && l->is_object() ? &l->as_object() : nullptr))
      enqueue(client::object_key(*ds));
  }
}

Status DaemonSetController::create_pod(const json::object& ds, const std::string& key,
                                       const std::string& node, const std::string& hash) {
  json::object md;
  if (const json::value* tm = find_path(ds, {"spec", "template", "metadata"}); tm && tm->is_object())
    for (const char* f : {"labels", "annotations"})
      if (const json::value* v = tm->as_object().if_contains(f)) md[f] = *v;
  ensure_object(md, "labels")[kControllerRevisionHashLabel] = hash;
  md["generateName"] = name_of(ds) + "-";
  md["namespace"] = ns_of(ds);
  md["ownerReferences"] = json::array{apps_owner_ref(ds, "DaemonSet")};
  const json::value* ts = find_path(ds, {"spec", "template", "spec"});
  json::object pod{{"apiVersion", "v1"},
                   {"kind", "Pod"},
                   {"metadata", std::move(md)},
                   {"spec", daemon_pod_spec(ts && ts->is_object() ? ts->as_object() : json::object{},
                                            node)}};
  expectations_.expect_creations(key, 1);
  auto r = client_.create(resource("", "pods"), ns_of(ds), pod);
  const auto& events = resource("", "events");
  if (!r) {
    expectations_.creation_observed(key);
    (void)client_.create(events, ns_of(ds),
                         make_event(ds, "Warning", "FailedCreate",
                                    "Error creating: " + r.error().message, kComponent));
    return r.error();
  }
  (void)client_.create(events, ns_of(ds), make_event(ds, "Normal", "SuccessfulCreate",
                                                      "Created pod: " + name_of(*r), kComponent));
  return ok_status();
}

Status DaemonSetController::delete_pods(const json::object& ds, const std::string& key,
                                        const std::vector<std::string>& names) {
  if (names.empty()) return ok_status();
  std::vector<std::string> keys;
  for (const auto& n : names) keys.push_back(ns_of(ds) + "/" + n);
  expectations_.expect_deletions(key, keys);
  Status st = ok_status();
  for (const auto& n : names) {
    auto r = client_.remove(resource("", "pods"), ns_of(ds), n);
    if (!r && r.error().code != 404) {
      expectations_.deletion_observed(key, ns_of(ds) + "/" + n);
      if (st) st = r.error();
      continue;
    }
    if (r)
      (void)client_.create(resource("", "events"), ns_of(ds),
                           make_event(ds, "Normal", "SuccessfulDelete", "Deleted pod: " + n,
                                      kComponent));
  }
  return st;
}

Status DaemonSetController::sync(const std::string& key) {
  ObjectPtr ds_ptr = daemonsets_.get(key);
  if (!ds_ptr) {
    expectations_.erase(key);
    return ok_status();
  }
  const json::object& ds = *ds_ptr;
  if (find_path(ds, {"metadata", "deletionTimestamp"})) return ok_status();
  auto sel = LabelSelector::from_json(find_path(ds, {"spec", "selector"}));
  if (!sel || sel->empty()) return ok_status();  // upstream refuses an empty selector
  const bool need_sync = expectations_.satisfied(key);

  auto revs = sync_revisions(client_, revisions_, ds);
  if (!revs) return revs.error();
  const std::string& hash = revs->update_hash;
  auto claimed = claim_pods(client_, pods_, ds, "DaemonSet");
  if (!claimed) return claimed.error();

  // Daemon pods by node, scheduled first, then oldest (upstream's podByCreationTimestampAndPhase).
  std::map<std::string, std::vector<ObjectPtr>> by_node;
  for (const auto& p : *claimed) {
    std::string n = daemon_pod_node(*p);
    if (!n.empty()) by_node[n].push_back(p);
  }
  for (auto& [_, v] : by_node)
    std::sort(v.begin(), v.end(), [](const ObjectPtr& a, const ObjectPtr& b) {
      bool sa = !get_string(*a, {"spec", "nodeName"}).empty();
      bool sb = !get_string(*b, {"spec", "nodeName"}).empty();
      if (sa != sb) return sa;
      auto ta = get_string(*a, {"metadata", "creationTimestamp"});
      auto tb = get_string(*b, {"metadata", "creationTimestamp"});
      return ta != tb ? ta < tb : name_of(*a) < name_of(*b);
    });
  const int64_t min_ready = get_int(ds, {"spec", "minReadySeconds"}, 0);
  const auto now = std::chrono::system_clock::now();
  bool pending_availability = false;
  auto state_of = [&](const ObjectPtr& p) {
    DaemonPodState s;
    s.name = name_of(*p);
    s.terminating = find_path(*p, {"metadata", "deletionTimestamp"}) != nullptr;
    s.finished = !s.terminating && !is_pod_active(*p);
    if (s.terminating) {
      std::string phase = get_string(*p, {"status", "phase"});
      s.finished = phase == "Failed" || phase == "Succeeded";
    }
    s.updated = get_string(*p, {"metadata", "labels", kControllerRevisionHashLabel}) == hash;
    s.ready = is_pod_ready(*p);
    s.available = is_pod_available(*p, min_ready, now);
    if (s.ready && !s.available) pending_availability = true;
    return s;
  };

  const json::value* ts = find_path(ds, {"spec", "template", "spec"});
  json::object spec = ts && ts->is_object() ? ts->as_object() : json::object{};
  spec["tolerations"] = daemon_tolerations(spec);
  const auto nodes = nodes_.list();
  std::vector<DaemonNodeState> states;
  std::map<std::string, NodeFit> fits;
  int64_t desired = 0, current = 0, ready = 0, available = 0, updated = 0, misscheduled = 0;
  for (const auto& node : nodes) {
    const std::string n = name_of(*node);
    NodeFit fit = daemon_node_fit(*node, spec);
    fits[n] = fit;
    DaemonNodeState st{n, fit.should_run, {}};
    auto it = by_node.find(n);
    std::vector<ObjectPtr> present;  // what status counts: not finished-and-being-deleted
    if (it != by_node.end())
      for (const auto& p : it->second) {
        st.pods.push_back(state_of(p));
        if (!(st.pods.back().finished && st.pods.back().terminating)) present.push_back(p);
      }
    if (fit.should_run) {
      ++desired;
      if (!present.empty()) {
        ++current;
        const json::object& p = *present.front();
        if (is_pod_ready(p)) ++ready;
        if (is_pod_available(p, min_ready, now)) ++available;
        if (get_string(p, {"metadata", "labels", kControllerRevisionHashLabel}) == hash) ++updated;
      }
    } else if (!present.empty()) {
      ++misscheduled;
    }
    states.push_back(std::move(st));
  }

  const bool rolling = get_string(ds, {"spec", "updateStrategy", "type"}, "RollingUpdate") ==
                       "RollingUpdate";
  int64_t max_surge = 0, max_unavailable = 1;
  if (rolling) {
    max_surge = scaled_value(find_path(ds, {"spec", "updateStrategy", "rollingUpdate", "maxSurge"}),
                             desired, true, 0);
    max_unavailable = scaled_value(
        find_path(ds, {"spec", "updateStrategy", "rollingUpdate", "maxUnavailable"}), desired, true, 1);
    if (desired > 0 && max_surge <= 0 && max_unavailable <= 0) max_unavailable = 1;
  }

  Status st = ok_status();
  if (need_sync) {
    std::vector<std::string> to_create, to_remove;
    for (const auto& s : states) {
      NodeActions a = plan_daemon_node(fits[s.node], s.pods, max_surge > 0);
      if (a.create) to_create.push_back(s.node);
      to_remove.insert(to_remove.end(), a.remove.begin(), a.remove.end());
    }
    for (const auto& [n, pods] : by_node)  // pods of nodes that are gone
      if (!fits.count(n))
        for (const auto& p : pods)
          if (!find_path(*p, {"metadata", "deletionTimestamp"})) to_remove.push_back(name_of(*p));
    if (to_create.empty() && to_remove.empty() && rolling) {
      std::vector<DaemonNodeState> with_pods;
      for (const auto& s : states)
        if (!s.pods.empty()) with_pods.push_back(s);
      RolloutActions ra = plan_daemon_rollout(with_pods, max_surge, max_unavailable);
      to_create = std::move(ra.create);
      to_remove = std::move(ra.remove);
    }
    for (const auto& n : to_create)
      if (auto s = create_pod(ds, key, n, hash); !s && st) st = s;
    if (auto s = delete_pods(ds, key, to_remove); !s && st) st = s;
  }

  // Revisions that pods still run are kept; the rest beyond the limit go.
  std::set<std::string> live;
  for (const auto& p : *claimed) {
    std::string h = get_string(*p, {"metadata", "labels", kControllerRevisionHashLabel});
    for (const auto& r : revs->history)
      if (get_string(r, {"metadata", "labels", kControllerRevisionHashLabel}) == h)
        live.insert(name_of(r));
  }
  if (auto s = truncate_history(client_, *revs, live, get_int(ds, {"spec", "revisionHistoryLimit"}, 10));
      !s && st)
    st = s;

  json::object status{{"desiredNumberScheduled", desired},
                      {"currentNumberScheduled", current},
                      {"numberMisscheduled", misscheduled},
                      {"numberReady", ready},
                      {"numberAvailable", available},
                      {"numberUnavailable", desired - available},
                      {"updatedNumberScheduled", updated},
                      {"observedGeneration", get_int(ds, {"metadata", "generation"}, 0)}};
  if (revs->collision_count > 0) status["collisionCount"] = revs->collision_count;
  bool changed = !find_path(ds, {"status", "observedGeneration"});
  for (const auto& kv : status)
    changed = changed || status_of(ds, std::string(kv.key()).c_str()) != kv.value().as_int64();
  if (changed) {
    auto r = client_.patch(resource("apps", "daemonsets"), ns_of(ds), name_of(ds),
                           "application/merge-patch+json", json::object{{"status", status}}, "status");
    if (!r && r.error().code != 404 && st) st = r.error();
  }
  if (pending_availability && min_ready > 0)
    queue_.add_after(key, std::chrono::seconds(min_ready) + std::chrono::milliseconds(100));
  return st;
}

}  // namespace skiff::controllers
