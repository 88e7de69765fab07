#include "scheduler/framework.h"

#include <algorithm>

#include "common/time.h"
#include "common/quantity.h"

namespace skiff::scheduler {

std::string PluginStatus::message() const {
  std::string out;
  for (const auto& r : reasons_) {
    if (!out.empty()) out += ", ";
    out += r;
  }
  return out;
}

// ---------------- Resource ----------------

Resource Resource::from_list(const json::value* list) {
  Resource r;
  const json::object* o = list ? list->if_object() : nullptr;
  if (!o) return r;
  for (const auto& [k, v] : *o) {
    if (!v.is_string() && !v.is_number()) continue;
    std::string text = v.is_string() ? std::string(v.get_string()) : json::serialize(v);
    if (k == "cpu") {
      r.milli_cpu = parse_quantity_milli(text).value_or(0);
    } else if (k == "memory") {
      r.memory = parse_quantity(text).value_or(0);
    } else if (k == "ephemeral-storage") {
      r.ephemeral_storage = parse_quantity(text).value_or(0);
    } else if (k == "pods") {
      r.allowed_pod_number = parse_quantity(text).value_or(0);
    } else if (k == "storage") {
      // not a node resource
    } else {
      r.scalar[std::string(k)] = parse_quantity(text).value_or(0);
    }
  }
  return r;
}

void Resource::add(const Resource& o) {
  milli_cpu += o.milli_cpu;
  memory += o.memory;
  ephemeral_storage += o.ephemeral_storage;
  allowed_pod_number += o.allowed_pod_number;
  for (const auto& [k, v] : o.scalar) scalar[k] += v;
}

void Resource::sub(const Resource& o) {
  milli_cpu -= o.milli_cpu;
  memory -= o.memory;
  ephemeral_storage -= o.ephemeral_storage;
  allowed_pod_number -= o.allowed_pod_number;
  for (const auto& [k, v] : o.scalar) scalar[k] -= v;
}

void Resource::set_max(const Resource& o) {
  milli_cpu = std::max(milli_cpu, o.milli_cpu);
  memory = std::max(memory, o.memory);
  ephemeral_storage = std::max(ephemeral_storage, o.ephemeral_storage);
  allowed_pod_number = std::max(allowed_pod_number, o.allowed_pod_number);
  for (const auto& [k, v] : o.scalar) {
    auto it = scalar.find(k);
    if (it == scalar.end()) scalar[k] = v;
    else it->second = std::max(it->second, v);
  }
}

bool Resource::is_zero() const {
  if (milli_cpu || memory || ephemeral_storage) return false;
  for (const auto& [k, v] : scalar)
    if (v) return false;
  return true;
}

int64_t Resource::get(const std::string& name) const {
  if (name == "cpu") return milli_cpu;
  if (name == "memory") return memory;
  if (name == "ephemeral-storage") return ephemeral_storage;
  if (name == "pods") return allowed_pod_number;
  auto it = scalar.find(name);
  return it == scalar.end() ? 0 : it->second;
}

// ---------------- pod affinity ----------------

bool AffinityTerm::matches(const PodInfo& pod) const {
  if (!all_namespaces && !namespaces.count(pod.ns)) return false;
  return selector.matches(pod.labels);
}

bool HostPort::conflicts(const HostPort& o) const {
  if (port != o.port || protocol != o.protocol) return false;
  return ip == o.ip || ip == "0.0.0.0" || o.ip == "0.0.0.0";
}

namespace {

AffinityTerm parse_affinity_term(const json::value& t, const std::string& pod_ns) {
  AffinityTerm term;
  const json::object* o = t.if_object();
  if (!o) {
    term.selector = *LabelSelector::from_json(nullptr);
    return term;
  }
  auto sel = LabelSelector::from_json(o->if_contains("labelSelector"));
  term.selector = sel ? *sel : *LabelSelector::from_json(nullptr);
  if (const auto* nss = o->if_contains("namespaces"); nss && nss->is_array())
    for (const auto& n : nss->as_array())
      if (n.is_string()) term.namespaces.insert(std::string(n.get_string()));
  const json::value* ns_sel = o->if_contains("namespaceSelector");
  if (ns_sel && ns_sel->is_object()) {
    // Only the empty selector ({} = all namespaces) is supported: namespace labels are not
    // cached by the scheduler yet. A non-empty one adds no namespaces.
    if (ns_sel->as_object().empty() ||
        (!ns_sel->as_object().contains("matchLabels") &&
         !ns_sel->as_object().contains("matchExpressions")))
      term.all_namespaces = true;
  } else if (term.namespaces.empty()) {
    term.namespaces.insert(pod_ns);
  }
  term.topology_key = get_string(t, {"topologyKey"});
  return term;
}

void parse_affinity_terms(const json::object& affinity, const std::string& kind,
                          const std::string& ns, std::vector<AffinityTerm>& required,
                          std::vector<WeightedAffinityTerm>& preferred) {
  const json::value* a = affinity.if_contains(kind);
  if (!a || !a->is_object()) return;
  if (const auto* req = a->as_object().if_contains("requiredDuringSchedulingIgnoredDuringExecution");
      req && req->is_array())
    for (const auto& t : req->as_array()) required.push_back(parse_affinity_term(t, ns));
  if (const auto* pref =
          a->as_object().if_contains("preferredDuringSchedulingIgnoredDuringExecution");
      pref && pref->is_array())
    for (const auto& w : pref->as_array()) {
      if (!w.is_object()) continue;
      const json::value* t = w.as_object().if_contains("podAffinityTerm");
      if (!t) continue;
      preferred.push_back({parse_affinity_term(*t, ns), static_cast<int32_t>(get_int(w, {"weight"}))});
    }
}

// Requests of one container; a limit stands in for a missing request (API defaulting does this).
Resource container_requests(const json::value& c) {
  Resource req = Resource::from_list(find_path(c, {"resources", "requests"}));
  Resource lim = Resource::from_list(find_path(c, {"resources", "limits"}));
  const json::value* reqs = find_path(c, {"resources", "requests"});
  auto has = [&](const char* k) { return reqs && reqs->is_object() && reqs->as_object().contains(k); };
  if (!has("cpu")) req.milli_cpu = lim.milli_cpu;
  if (!has("memory")) req.memory = lim.memory;
  if (!has("ephemeral-storage")) req.ephemeral_storage = lim.ephemeral_storage;
  for (const auto& [k, v] : lim.scalar)
    if (!has(k.c_str())) req.scalar[k] = v;
  return req;
}

constexpr int64_t kDefaultMilliCpu = 100;               // upstream DefaultMilliCPURequest
constexpr int64_t kDefaultMemory = 200 * 1024 * 1024;   // upstream DefaultMemoryRequest

// upstream's PodRequests: sum of containers, then each init container (restartable sidecars
// keep running and add up) as a max; plus overhead. non_zero applies the scoring defaults.
Resource pod_requests(const json::object& spec, bool non_zero) {
  auto adjust = [&](Resource r) {
    if (non_zero) {
      if (r.milli_cpu == 0) r.milli_cpu = kDefaultMilliCpu;
      if (r.memory == 0) r.memory = kDefaultMemory;
    }
    return r;
  };
  Resource reqs;
  if (const auto* cs = spec.if_contains("containers"); cs && cs->is_array())
    for (const auto& c : cs->as_array()) reqs.add(adjust(container_requests(c)));
  Resource restartable, init_max;
  if (const auto* ics = spec.if_contains("initContainers"); ics && ics->is_array())
    for (const auto& c : ics->as_array()) {
      Resource r = adjust(container_requests(c));
      if (get_string(c, {"restartPolicy"}) == "Always") {
        reqs.add(r);
        restartable.add(r);
        init_max.set_max(restartable);
      } else {
        Resource tmp = r;
        tmp.add(restartable);
        init_max.set_max(tmp);
      }
    }
  reqs.set_max(init_max);
  reqs.add(Resource::from_list(spec.if_contains("overhead")));
  reqs.allowed_pod_number = 0;
  return reqs;
}

}  // namespace

std::string normalize_image(const std::string& image) {
  if (image.find('@') != std::string::npos) return image;
  auto slash = image.rfind('/');
  auto colon = image.rfind(':');
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash))
    return image + ":latest";
  return image;
}

std::shared_ptr<const PodInfo> PodInfo::from_json(ObjectPtr pod) {
  auto p = std::make_shared<PodInfo>();
  const json::object& o = *pod;
  p->pod = pod;
  p->ns = get_string(o, {"metadata", "namespace"});
  p->name = get_string(o, {"metadata", "name"});
  p->uid = get_string(o, {"metadata", "uid"});
  p->key = p->ns + "/" + p->name;
  p->node_name = get_string(o, {"spec", "nodeName"});
  p->scheduler_name = get_string(o, {"spec", "schedulerName"}, "default-scheduler");
  p->labels = string_map(find_path(o, {"metadata", "labels"}));
  p->priority = static_cast<int32_t>(get_int(o, {"spec", "priority"}, 0));
  p->preemption_policy = get_string(o, {"spec", "preemptionPolicy"}, "PreemptLowerPriority");
  if (auto t = parse_rfc3339(get_string(o, {"metadata", "creationTimestamp"}))) p->created = *t;
  p->terminating = find_path(o, {"metadata", "deletionTimestamp"}) != nullptr &&
                   !find_path(o, {"metadata", "deletionTimestamp"})->is_null();
  std::string phase = get_string(o, {"status", "phase"});
  p->terminal = phase == "Succeeded" || phase == "Failed";

  static const json::object kEmpty;
  const json::value* specv = find_path(o, {"spec"});
  const json::object& spec = specv && specv->is_object() ? specv->as_object() : kEmpty;
  p->requests = pod_requests(spec, false);
  Resource nz = pod_requests(spec, true);
  p->non_zero_cpu = nz.milli_cpu;
  p->non_zero_mem = nz.memory;

  for (const char* list : {"initContainers", "containers"}) {
    const json::value* cs = spec.if_contains(list);
    if (!cs || !cs->is_array()) continue;
    for (const auto& c : cs->as_array()) {
      if (std::string(list) == "containers") {
        std::string image = get_string(c, {"image"});
        if (!image.empty()) p->images.push_back(normalize_image(image));
      }
      const json::value* ports = c.is_object() ? c.as_object().if_contains("ports") : nullptr;
      if (!ports || !ports->is_array()) continue;
      for (const auto& port : ports->as_array()) {
        int64_t hp = get_int(port, {"hostPort"});
        if (hp <= 0) continue;
        p->host_ports.push_back({get_string(port, {"hostIP"}, "0.0.0.0"),
                                 get_string(port, {"protocol"}, "TCP"), static_cast<int32_t>(hp)});
      }
    }
  }
  for (auto& hp : p->host_ports)
    if (hp.ip.empty()) hp.ip = "0.0.0.0";

  p->required_node_affinity = RequiredNodeAffinity::from_pod_spec(spec);
  p->tolerations = parse_tolerations(spec.if_contains("tolerations"));
  if (const json::value* aff = spec.if_contains("affinity"); aff && aff->is_object()) {
    const json::object& a = aff->as_object();
    if (const json::value* na = a.if_contains("nodeAffinity"); na && na->is_object()) {
      if (const auto* pref = na->as_object().if_contains("preferredDuringSchedulingIgnoredDuringExecution");
          pref && pref->is_array())
        for (const auto& w : pref->as_array()) {
          const json::value* t = w.is_object() ? w.as_object().if_contains("preference") : nullptr;
          if (!t) continue;
          p->preferred_node_terms.emplace_back(static_cast<int32_t>(get_int(w, {"weight"})),
                                               parse_node_selector_term(*t));
        }
    }
    parse_affinity_terms(a, "podAffinity", p->ns, p->required_affinity, p->preferred_affinity);
    parse_affinity_terms(a, "podAntiAffinity", p->ns, p->required_anti_affinity,
                         p->preferred_anti_affinity);
  }
  if (const auto* tscs = spec.if_contains("topologySpreadConstraints"); tscs && tscs->is_array())
    for (const auto& c : tscs->as_array()) {
      TopologySpreadConstraint t;
      t.max_skew = static_cast<int32_t>(get_int(c, {"maxSkew"}, 1));
      t.topology_key = get_string(c, {"topologyKey"});
      t.do_not_schedule = get_string(c, {"whenUnsatisfiable"}, "DoNotSchedule") == "DoNotSchedule";
      auto sel = LabelSelector::from_json(find_path(c, {"labelSelector"}));
      t.selector = sel ? *sel : *LabelSelector::from_json(nullptr);
      // matchLabelKeys: the pod's own values for these keys narrow the selector (upstream).
      if (const auto* mlk = find_path(c, {"matchLabelKeys"}); mlk && mlk->is_array()) {
        std::string extra;
        for (const auto& k : mlk->as_array()) {
          if (!k.is_string()) continue;
          auto it = p->labels.find(std::string(k.get_string()));
          if (it == p->labels.end()) continue;
          extra += (extra.empty() ? "" : ",") + it->first + "=" + it->second;
        }
        if (!extra.empty()) {
          std::string base = t.selector.to_string();
          if (auto s = LabelSelector::parse(base.empty() ? extra : base + "," + extra)) t.selector = *s;
        }
      }
      t.min_domains = static_cast<int32_t>(get_int(c, {"minDomains"}, 1));
      t.honor_node_affinity = get_string(c, {"nodeAffinityPolicy"}, "Honor") == "Honor";
      t.honor_node_taints = get_string(c, {"nodeTaintsPolicy"}, "Ignore") == "Honor";
      p->spread_constraints.push_back(std::move(t));
    }
  if (const auto* refs = find_path(*pod, {"metadata", "ownerReferences"}); refs && refs->is_array())
    for (const auto& r : refs->as_array())
      if (const auto* c = find_path(r, {"controller"}); c && c->is_bool() && c->get_bool())
        p->controller_uid = get_string(r, {"uid"});
  // Upstream's system default constraints (PodTopologySpread, defaultingType System) for a pod
  // that has none and that a controller owns: spread over hosts (maxSkew 3) and zones (maxSkew 5),
  // both ScheduleAnyway, so replicas land on different nodes when all else is equal. Upstream
  // counts the pods matching the selectors of the pod's ReplicaSet/StatefulSet/Services; we count
  // the pods of the same controller, which is the same set for controller-made pods (Services
  // selecting several controllers' pods are not merged in).
  if (p->spread_constraints.empty() && !p->controller_uid.empty()) {
    for (auto [key, skew] : {std::pair<const char*, int32_t>{"kubernetes.io/hostname", 3},
                             std::pair<const char*, int32_t>{"topology.kubernetes.io/zone", 5}}) {
      TopologySpreadConstraint t;
      t.max_skew = skew;
      t.topology_key = key;
      t.do_not_schedule = false;
      t.selector = *LabelSelector::from_json(nullptr);
      t.same_controller = p->controller_uid;
      p->spread_constraints.push_back(std::move(t));
    }
    p->spread_system_defaulted = true;
  }
  return p;
}

bool TopologySpreadConstraint::matches(const PodInfo& p) const {
  if (!same_controller.empty()) return p.controller_uid == same_controller;
  return selector.matches(p.labels);
}

// ---------------- NodeInfo ----------------

void NodeInfo::set_node(ObjectPtr n) {
  node = std::move(n);
  if (!node) return;
  const json::object& o = *node;
  name = get_string(o, {"metadata", "name"});
  labels = string_map(find_path(o, {"metadata", "labels"}));
  taints = parse_taints(find_path(o, {"spec", "taints"}));
  const json::value* u = find_path(o, {"spec", "unschedulable"});
  unschedulable = u && u->is_bool() && u->get_bool();
  allocatable = Resource::from_list(find_path(o, {"status", "allocatable"}));
  if (!find_path(o, {"status", "allocatable"}))
    allocatable = Resource::from_list(find_path(o, {"status", "capacity"}));
  image_sizes.clear();
  if (const auto* imgs = find_path(o, {"status", "images"}); imgs && imgs->is_array())
    for (const auto& img : imgs->as_array()) {
      int64_t size = get_int(img, {"sizeBytes"});
      if (const auto* names = find_path(img, {"names"}); names && names->is_array())
        for (const auto& n : names->as_array())
          if (n.is_string()) image_sizes[normalize_image(std::string(n.get_string()))] = size;
    }
}

void NodeInfo::add_pod(PodInfoPtr p) {
  requested.add(p->requests);
  non_zero_cpu += p->non_zero_cpu;
  non_zero_mem += p->non_zero_mem;
  used_ports.insert(used_ports.end(), p->host_ports.begin(), p->host_ports.end());
  if (p->has_pod_affinity()) ++pods_with_affinity;
  if (!p->required_anti_affinity.empty()) ++pods_with_required_anti_affinity;
  pods.push_back(std::move(p));
}

bool NodeInfo::remove_pod(const std::string& uid) {
  for (size_t i = 0; i < pods.size(); ++i) {
    if (pods[i]->uid != uid) continue;
    PodInfoPtr p = pods[i];
    pods.erase(pods.begin() + static_cast<long>(i));
    requested.sub(p->requests);
    non_zero_cpu -= p->non_zero_cpu;
    non_zero_mem -= p->non_zero_mem;
    for (const auto& hp : p->host_ports) {
      auto it = std::find_if(used_ports.begin(), used_ports.end(), [&](const HostPort& u) {
        return u.ip == hp.ip && u.port == hp.port && u.protocol == hp.protocol;
      });
      if (it != used_ports.end()) used_ports.erase(it);
    }
    if (p->has_pod_affinity()) --pods_with_affinity;
    if (!p->required_anti_affinity.empty()) --pods_with_required_anti_affinity;
    return true;
  }
  return false;
}

bool NodeInfo::has_pod(const std::string& uid) const {
  return std::any_of(pods.begin(), pods.end(), [&](const PodInfoPtr& p) { return p->uid == uid; });
}

void Snapshot::index_images() {
  image_num_nodes.clear();
  for (const auto& n : nodes)
    for (const auto& [img, size] : n->image_sizes) ++image_num_nodes[img];
  images_indexed = true;
}

const NodeInfo* Snapshot::find(const std::string& name) const {
  for (const auto& n : nodes)
    if (n->name == name) return n.get();
  return nullptr;
}

void default_normalize_score(std::vector<int64_t>& scores, bool reverse) {
  int64_t max = 0;
  for (int64_t s : scores) max = std::max(max, s);
  if (max == 0) {
    if (reverse)
      for (auto& s : scores) s = kMaxNodeScore;
    return;
  }
  for (auto& s : scores) {
    s = kMaxNodeScore * s / max;
    if (reverse) s = kMaxNodeScore - s;
  }
}

// ---------------- FitError ----------------

std::string FitError::message() const {
  if (num_all_nodes == 0) return "no nodes available to schedule pods";
  std::string msg = "0/" + std::to_string(num_all_nodes) + " nodes are available:";
  if (!pre_filter_msg.empty()) {
    msg += " " + pre_filter_msg + ".";
  } else {
    std::map<std::string, int> histogram;
    for (const auto& [node, st] : node_status)
      for (const auto& r : st.reasons()) ++histogram[r];
    std::vector<std::string> parts;
    for (const auto& [r, n] : histogram) parts.push_back(std::to_string(n) + " " + r);
    std::sort(parts.begin(), parts.end());  // upstream sorts the "N reason" strings
    if (!parts.empty()) {
      msg += " ";
      for (size_t i = 0; i < parts.size(); ++i) msg += (i ? ", " : "") + parts[i];
      msg += ".";
    }
  }
  if (!post_filter_msg.empty()) msg += " " + post_filter_msg + ".";
  return msg;
}

// ---------------- Profile ----------------

int num_feasible_nodes_to_find(int num_all_nodes, int percentage) {
  constexpr int kMinFeasibleNodes = 100, kMinPercentage = 5, kDefaultPercentage = 50;
  if (num_all_nodes < kMinFeasibleNodes) return num_all_nodes;
  if (percentage <= 0) percentage = std::max(kDefaultPercentage - num_all_nodes / 125, kMinPercentage);
  if (percentage >= 100) return num_all_nodes;
  int n = static_cast<int>(static_cast<int64_t>(num_all_nodes) * percentage / 100);
  return std::max(n, kMinFeasibleNodes);
}

void Profile::add(std::shared_ptr<Plugin> plugin, int64_t score_weight) {
  if (auto* p = dynamic_cast<PreFilterPlugin*>(plugin.get())) pre_filters_.push_back(p);
  if (auto* p = dynamic_cast<FilterPlugin*>(plugin.get())) filters_.push_back(p);
  if (auto* p = dynamic_cast<PreScorePlugin*>(plugin.get())) pre_scores_.push_back(p);
  if (auto* p = dynamic_cast<ScorePlugin*>(plugin.get())) scores_.emplace_back(p, score_weight);
  plugins_.push_back(std::move(plugin));
}

PluginStatus Profile::run_pre_filters(CycleState& state, const PodInfo& pod,
                                      const Snapshot& snap) const {
  for (auto* p : pre_filters_) {
    PluginStatus st = p->pre_filter(state, pod, snap);
    if (st.is_skip()) {
      state.skip_filter(p->name());
      continue;
    }
    if (!st.ok()) return st.with_plugin(p->name());
  }
  return PluginStatus::success();
}

PluginStatus Profile::run_filters(CycleState& state, const PodInfo& pod,
                                  const NodeInfo& node) const {
  for (auto* f : filters_) {
    if (state.filter_skipped(f->name())) continue;
    PluginStatus st = f->filter(state, pod, node);
    if (!st.ok()) return st.with_plugin(f->name());
  }
  return PluginStatus::success();
}

ScheduleResult Profile::schedule(const PodInfo& pod, const Snapshot& snap) {
  ScheduleResult res;
  res.fit.num_all_nodes = static_cast<int>(snap.nodes.size());
  if (snap.nodes.empty()) {
    res.code = Code::kUnschedulable;  // message(): "no nodes available to schedule pods"
    return res;
  }
  CycleState state;
  PluginStatus pst = run_pre_filters(state, pod, snap);
  if (pst.code() == Code::kError) {
    res.code = Code::kError;
    res.error = pst.message();
    return res;
  }
  if (!pst.ok()) {
    res.code = pst.code();
    res.fit.pre_filter_msg = pst.message();
    for (const auto& n : snap.nodes) res.fit.node_status[n->name] = pst;
    res.fit.post_filter_msg = post_filter_message(pod, snap, res.fit);
    return res;
  }

  // The filters this cycle runs, resolved once rather than per node.
  std::vector<const FilterPlugin*> active;
  for (auto* f : filters_)
    if (!state.filter_skipped(f->name())) active.push_back(f);
  // Like upstream, stop once enough nodes passed, and start where the last cycle stopped so
  // every node gets its turn.
  const size_t num_nodes = snap.nodes.size();
  const size_t to_find = static_cast<size_t>(
      num_feasible_nodes_to_find(static_cast<int>(num_nodes), percentage_of_nodes_to_score_));
  const size_t start = next_start_node_index_ % num_nodes;
  std::vector<const NodeInfo*> feasible;
  feasible.reserve(std::min(to_find, num_nodes));
  bool any_resolvable = false;
  for (size_t i = 0; i < num_nodes && feasible.size() < to_find; ++i) {
    const NodeInfo& n = *snap.nodes[(start + i) % num_nodes];
    ++res.evaluated_nodes;
    PluginStatus st;
    for (const auto* f : active) {
      st = f->filter(state, pod, n);
      if (!st.ok()) {
        st.with_plugin(f->name());
        break;
      }
    }
    if (st.code() == Code::kError) {
      res.code = Code::kError;
      res.error = st.message();
      return res;
    }
    if (st.ok()) {
      feasible.push_back(&n);
    } else {
      if (st.code() == Code::kUnschedulable) any_resolvable = true;
      res.fit.node_status[n.name] = std::move(st);
    }
  }
  next_start_node_index_ = (start + static_cast<size_t>(res.evaluated_nodes)) % num_nodes;
  res.feasible_nodes = static_cast<int>(feasible.size());
  if (feasible.empty()) {
    res.code = any_resolvable ? Code::kUnschedulable : Code::kUnschedulableAndUnresolvable;
    res.fit.post_filter_msg = post_filter_message(pod, snap, res.fit);
    return res;
  }
  if (feasible.size() == 1) {
    res.node = feasible[0]->name;
    return res;
  }

  for (auto* p : pre_scores_) {
    PluginStatus st = p->pre_score(state, pod, snap, feasible);
    if (st.is_skip()) state.skip_score(p->name());
    else if (!st.ok()) {
      res.code = Code::kError;
      res.error = st.message();
      return res;
    }
  }
  std::vector<int64_t> total(feasible.size(), 0);
  for (auto& [p, weight] : scores_) {
    if (state.score_skipped(p->name())) continue;
    std::vector<int64_t> s(feasible.size());
    for (size_t i = 0; i < feasible.size(); ++i) s[i] = p->score(state, pod, *feasible[i]);
    p->normalize_score(state, pod, s);
    for (size_t i = 0; i < feasible.size(); ++i) total[i] += s[i] * weight;
  }
  // The best score; ties broken uniformly at random (upstream's reservoir sampling).
  int64_t best = total[0];
  size_t chosen = 0, ties = 1;
  for (size_t i = 1; i < feasible.size(); ++i) {
    if (total[i] > best) {
      best = total[i];
      chosen = i;
      ties = 1;
    } else if (total[i] == best) {
      ++ties;
      rng_state_ ^= rng_state_ << 13;
      rng_state_ ^= rng_state_ >> 7;
      rng_state_ ^= rng_state_ << 17;
      if (rng_state_ % ties == 0) chosen = i;
    }
  }
  res.node = feasible[chosen]->name;
  return res;
}

// The preemption dry run (DefaultPreemption's PostFilter) without evicting anything: for each
// node that failed resolvably, remove every lower-priority pod and re-run the filters. Only
// the message is produced here; a node where that would fit is reported as a candidate.
std::string Profile::post_filter_message(const PodInfo& pod, const Snapshot& snap,
                                         const FitError& fit) const {
  if (pod.preemption_policy == "Never") return "preemption: not eligible due to preemptionPolicy=Never";
  std::map<std::string, int> histogram;
  int candidates = 0;
  for (const auto& n : snap.nodes) {
    auto it = fit.node_status.find(n->name);
    if (it == fit.node_status.end()) continue;
    if (it->second.code() == Code::kUnschedulableAndUnresolvable) {
      ++histogram["Preemption is not helpful for scheduling"];
      continue;
    }
    std::vector<std::string> victims;
    for (const auto& p : n->pods)
      if (p->priority < pod.priority) victims.push_back(p->uid);
    if (victims.empty()) {
      ++histogram["No preemption victims found for incoming pod"];
      continue;
    }
    auto copy = std::make_shared<NodeInfo>(*n);
    for (const auto& uid : victims) copy->remove_pod(uid);
    Snapshot dry = snap;
    for (auto& dn : dry.nodes)
      if (dn->name == n->name) dn = copy;
    CycleState st;
    PluginStatus s = run_pre_filters(st, pod, dry);
    if (s.ok()) s = run_filters(st, pod, *copy);
    if (s.ok()) {
      ++candidates;
    } else {
      for (const auto& r : s.reasons()) ++histogram[r];
    }
  }
  if (candidates > 0) return "";
  std::vector<std::string> parts;
  for (const auto& [r, c] : histogram) parts.push_back(std::to_string(c) + " " + r);
  std::sort(parts.begin(), parts.end());
  std::string msg = "preemption: 0/" + std::to_string(snap.nodes.size()) + " nodes are available:";
  for (size_t i = 0; i < parts.size(); ++i) msg += (i ? ", " : " ") + parts[i];
  return msg;
}

}  // namespace skiff::scheduler
