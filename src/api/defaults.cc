// apply_defaults: upstream's v1 defaulting functions
// (pkg/apis/{core,apps,batch,...}/v1/defaults.go) over the external JSON shape, plus the few
// conversion-time normalisations upstream performs on every write (Secret stringData folded into
// data, Service clusterIP/clusterIPs kept in step).
#include "api/kinds.h"
#include "api/kinds_apiextensions.h"
#include "api/validation_util.h"

namespace skiff::api {
using namespace detail;

namespace {
void set_default(json::object& o, std::string_view k, json::value v) {
  if (!has(o, k)) o[k] = std::move(v);
}

// The image's tag as upstream's parsers.ParseImageName sees it: "latest" when neither a tag nor
// a digest is given, empty when only a digest is.
std::string image_tag(const std::string& image) {
  std::string ref = image;
  bool digest = false;
  if (auto at = ref.find('@'); at != std::string::npos) {
    ref = ref.substr(0, at);
    digest = true;
  }
  auto slash = ref.rfind('/');
  auto colon = ref.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash))
    return ref.substr(colon + 1);
  return digest ? "" : "latest";
}

void default_http_get(json::object& handler) {
  if (auto* h = obj_at(handler, "httpGet")) {
    set_default(*h, "path", "/");
    set_default(*h, "scheme", "HTTP");
  }
}
void default_probe(json::object& c, std::string_view k) {
  auto* p = obj_at(c, k);
  if (!p) return;
  set_default(*p, "timeoutSeconds", 1);
  set_default(*p, "periodSeconds", 10);
  set_default(*p, "successThreshold", 1);
  set_default(*p, "failureThreshold", 3);
  default_http_get(*p);
}
void default_field_refs(json::object& holder) {  // env valueFrom, downwardAPI items
  if (auto* f = obj_at(holder, "fieldRef")) set_default(*f, "apiVersion", "v1");
  if (auto* r = obj_at(holder, "resourceFieldRef")) set_default(*r, "divisor", "0");
}
// Quantities given as JSON numbers are stored as strings, as upstream serialises them.
void quantities_to_strings(json::object* list) {
  if (!list) return;
  for (auto& kv : *list)
    if (kv.value().is_number()) kv.value() = json::serialize(kv.value());
}

void default_container(json::object& c) {
  if (!has(c, "imagePullPolicy")) {
    c["imagePullPolicy"] = image_tag(str_or(c, "image")) == "latest" ? "Always" : "IfNotPresent";
  }
  set_default(c, "terminationMessagePath", "/dev/termination-log");
  set_default(c, "terminationMessagePolicy", "File");
  set_default(c, "resources", json::object{});
  if (auto* res = obj_at(c, "resources")) {
    quantities_to_strings(obj_at(*res, "limits"));
    quantities_to_strings(obj_at(*res, "requests"));
  }
  if (auto* ports = arr_at(c, "ports"))
    for (auto& p : *ports)
      if (auto* po = p.if_object()) set_default(*po, "protocol", "TCP");
  if (auto* env = arr_at(c, "env"))
    for (auto& e : *env)
      if (auto* eo = e.if_object())
        if (auto* vf = obj_at(*eo, "valueFrom")) default_field_refs(*vf);
  default_probe(c, "livenessProbe");
  default_probe(c, "readinessProbe");
  default_probe(c, "startupProbe");
  if (auto* lc = obj_at(c, "lifecycle")) {
    if (auto* h = obj_at(*lc, "postStart")) default_http_get(*h);
    if (auto* h = obj_at(*lc, "preStop")) default_http_get(*h);
  }
}

const char* const kVolumeSources[] = {"hostPath",
                                      "emptyDir",
                                      "gcePersistentDisk",
                                      "awsElasticBlockStore",
                                      "gitRepo",
                                      "secret",
                                      "nfs",
                                      "iscsi",
                                      "glusterfs",
                                      "persistentVolumeClaim",
                                      "rbd",
                                      "flexVolume",
                                      "cinder",
                                      "cephfs",
                                      "flocker",
                                      "downwardAPI",
                                      "fc",
                                      "azureFile",
                                      "configMap",
                                      "vsphereVolume",
                                      "quobyte",
                                      "azureDisk",
                                      "photonPersistentDisk",
                                      "projected",
                                      "portworxVolume",
                                      "scaleIO",
                                      "storageos",
                                      "csi",
                                      "ephemeral",
                                      "image"};

void default_volume(json::object& v) {
  bool any = false;
  for (const char* s : kVolumeSources) any = any || has(v, s);
  if (!any) v["emptyDir"] = json::object{};
  for (const char* s : {"configMap", "secret", "downwardAPI", "projected"})
    if (auto* src = obj_at(v, s)) set_default(*src, "defaultMode", 420);
  if (auto* hp = obj_at(v, "hostPath")) set_default(*hp, "type", "");
  if (auto* da = obj_at(v, "downwardAPI"))
    if (auto* items = arr_at(*da, "items"))
      for (auto& it : *items)
        if (auto* io = it.if_object()) default_field_refs(*io);
  if (auto* pr = obj_at(v, "projected"))
    if (auto* sources = arr_at(*pr, "sources"))
      for (auto& s : *sources) {
        auto* so = s.if_object();
        if (!so) continue;
        if (auto* sat = obj_at(*so, "serviceAccountToken"))
          set_default(*sat, "expirationSeconds", 3600);
        if (auto* da = obj_at(*so, "downwardAPI"))
          if (auto* items = arr_at(*da, "items"))
            for (auto& it : *items)
              if (auto* io = it.if_object()) default_field_refs(*io);
      }
  if (auto* is = obj_at(v, "iscsi")) set_default(*is, "iscsiInterface", "default");
  if (auto* rbd = obj_at(v, "rbd")) {
    set_default(*rbd, "pool", "rbd");
    set_default(*rbd, "user", "admin");
    set_default(*rbd, "keyring", "/etc/ceph/keyring");
  }
  if (auto* img = obj_at(v, "image"); img && !has(*img, "pullPolicy"))
    (*img)["pullPolicy"] =
        image_tag(str_or(*img, "reference")) == "latest" ? "Always" : "IfNotPresent";
}

void default_pod_spec(json::object& spec) {
  set_default(spec, "dnsPolicy", "ClusterFirst");
  set_default(spec, "restartPolicy", "Always");
  set_default(spec, "securityContext", json::object{});
  set_default(spec, "terminationGracePeriodSeconds", 30);
  set_default(spec, "schedulerName", "default-scheduler");
  for (const char* list : {"containers", "initContainers", "ephemeralContainers"})
    if (auto* cs = arr_at(spec, list))
      for (auto& c : *cs)
        if (auto* co = c.if_object()) default_container(*co);
  if (auto* vols = arr_at(spec, "volumes"))
    for (auto& v : *vols)
      if (auto* vo = v.if_object()) default_volume(*vo);
}

void default_template(json::object& parent, std::string_view k = "template") {
  auto* t = obj_at(parent, k);
  if (!t) return;
  if (auto* spec = obj_at(*t, "spec")) default_pod_spec(*spec);
}

void default_pod(json::object& obj) {
  auto* spec = obj_at(obj, "spec");
  if (!spec) return;
  default_pod_spec(*spec);
  // If limits are given but requests are not, requests default to the limits (SetDefaults_Pod).
  for (const char* list : {"containers", "initContainers"})
    if (auto* cs = arr_at(*spec, list))
      for (auto& c : *cs) {
        auto* res = c.is_object() ? obj_at(c.get_object(), "resources") : nullptr;
        const auto* lp = res ? obj_at(*res, "limits") : nullptr;
        if (!lp || lp->empty()) continue;
        json::object limits = *lp;  // inserting "requests" may move the "limits" entry
        auto& req = ensure_object(*res, "requests");
        for (const auto& kv : limits)
          if (!req.contains(kv.key())) req[kv.key()] = kv.value();
      }
  set_default(*spec, "enableServiceLinks", true);
  set_default(*spec, "priority", 0);
  set_default(*spec, "preemptionPolicy", "PreemptLowerPriority");
  if (spec->contains("hostNetwork") && bool_at(*spec, "hostNetwork").value_or(false)) {
    for (const char* list : {"containers", "initContainers"})
      if (auto* cs = arr_at(*spec, list))
        for (auto& c : *cs)
          if (auto* ports = c.is_object() ? arr_at(c.get_object(), "ports") : nullptr)
            for (auto& p : *ports)
              if (auto* po = p.if_object();
                  po && int_at(*po, "hostPort").value_or(0) == 0 && has(*po, "containerPort"))
                (*po)["hostPort"] = json::value((*po)["containerPort"]);
  }
}

void default_pvc(json::object& obj) {
  auto& spec = ensure_object(obj, "spec");
  set_default(spec, "volumeMode", "Filesystem");
  if (auto* res = obj_at(spec, "resources")) {
    quantities_to_strings(obj_at(*res, "requests"));
    quantities_to_strings(obj_at(*res, "limits"));
  }
  auto& status = ensure_object(obj, "status");
  set_default(status, "phase", "Pending");
}

void default_service(json::object& obj) {
  auto& spec = ensure_object(obj, "spec");
  set_default(spec, "sessionAffinity", "None");
  std::string affinity = str_or(spec, "sessionAffinity");
  if (affinity == "None") {
    spec.erase("sessionAffinityConfig");
  } else if (affinity == "ClientIP") {
    auto& cfg = ensure_object(spec, "sessionAffinityConfig");
    auto& cip = ensure_object(cfg, "clientIP");
    set_default(cip, "timeoutSeconds", 10800);
  }
  set_default(spec, "type", "ClusterIP");
  std::string type = str_or(spec, "type");
  if (auto* ports = arr_at(spec, "ports"))
    for (auto& p : *ports) {
      auto* po = p.if_object();
      if (!po) continue;
      set_default(*po, "protocol", "TCP");
      const auto& tp = value_at(*po, "targetPort");
      int64_t n = -1;
      bool unset =
          tp.is_null() || (tp.is_string() && tp.get_string().empty()) || (as_int(tp, n) && n == 0);
      if (unset && has(*po, "port")) (*po)["targetPort"] = json::value((*po)["port"]);
    }
  const auto* eips = arr_at(spec, "externalIPs");
  bool external = type == "NodePort" || type == "LoadBalancer" ||
                  (type == "ClusterIP" && eips && !eips->empty());
  if (external) set_default(spec, "externalTrafficPolicy", "Cluster");
  if (type == "NodePort" || type == "LoadBalancer" || type == "ClusterIP")
    set_default(spec, "internalTrafficPolicy", "Cluster");
  if (type == "LoadBalancer") set_default(spec, "allocateLoadBalancerNodePorts", true);
  // clusterIP and clusterIPs[0] always agree (upstream normalises them before validation).
  auto cip = str_at(spec, "clusterIP");
  const auto* cips = arr_at(spec, "clusterIPs");
  if (cip && !cip->empty() && (!cips || cips->empty())) {
    spec["clusterIPs"] = json::array{json::value(*cip)};
  } else if ((!cip || cip->empty()) && cips && !cips->empty() && (*cips)[0].is_string()) {
    spec["clusterIP"] = json::value((*cips)[0]);
  }
  if (type != "ExternalName") {
    set_default(spec, "ipFamilyPolicy", "SingleStack");
    if (!has(spec, "ipFamilies")) {
      std::string ip = str_or(spec, "clusterIP");
      spec["ipFamilies"] =
          json::array{(!ip.empty() && ip != "None" && !is_ipv4(ip)) ? "IPv6" : "IPv4"};
    }
  }
  auto& status = ensure_object(obj, "status");
  set_default(status, "loadBalancer", json::object{});
}

void default_secret(json::object& obj) {
  set_default(obj, "type", "Opaque");
  // stringData is write-only: its entries overwrite data, base64-encoded (v1 conversion).
  if (const auto* sdp = obj_at(obj, "stringData")) {
    json::object sd = *sdp;  // inserting "data" may move the "stringData" entry
    auto& data = ensure_object(obj, "data");
    for (const auto& kv : sd)
      if (kv.value().is_string()) data[kv.key()] = base64_encode(kv.value().get_string());
    obj.erase("stringData");
  } else if (obj.contains("stringData")) {
    obj.erase("stringData");
  }
}

void default_limit_range(json::object& obj) {
  auto* spec = obj_at(obj, "spec");
  auto* limits = spec ? arr_at(*spec, "limits") : nullptr;
  if (!limits) return;
  for (auto& l : *limits) {
    auto* item = l.if_object();
    if (!item || str_or(*item, "type") != "Container") continue;
    ensure_object(*item, "default");
    ensure_object(*item, "defaultRequest");
    auto& def = *obj_at(*item, "default");
    auto& defreq = *obj_at(*item, "defaultRequest");
    if (const auto* max = obj_at(*item, "max"))
      for (const auto& kv : *max)
        if (!def.contains(kv.key())) def[kv.key()] = kv.value();
    for (const auto& kv : def)
      if (!defreq.contains(kv.key())) defreq[kv.key()] = kv.value();
    if (const auto* min = obj_at(*item, "min"))
      for (const auto& kv : *min)
        if (!defreq.contains(kv.key())) defreq[kv.key()] = kv.value();
  }
}

void default_deployment(json::object& obj) {
  auto& spec = ensure_object(obj, "spec");
  set_default(spec, "replicas", 1);
  auto& strategy = ensure_object(spec, "strategy");
  set_default(strategy, "type", "RollingUpdate");
  if (str_or(strategy, "type") == "RollingUpdate") {
    auto& ru = ensure_object(strategy, "rollingUpdate");
    set_default(ru, "maxUnavailable", "25%");
    set_default(ru, "maxSurge", "25%");
  }
  set_default(spec, "revisionHistoryLimit", 10);
  set_default(spec, "progressDeadlineSeconds", 600);
  default_template(spec);
}

void default_statefulset(json::object& obj) {
  auto& spec = ensure_object(obj, "spec");
  set_default(spec, "replicas", 1);
  set_default(spec, "podManagementPolicy", "OrderedReady");
  auto& us = ensure_object(spec, "updateStrategy");
  if (!has(us, "type")) {
    us["type"] = "RollingUpdate";
    set_default(us, "rollingUpdate", json::object{});
  }
  if (str_or(us, "type") == "RollingUpdate")
    if (auto* ru = obj_at(us, "rollingUpdate")) set_default(*ru, "partition", 0);
  set_default(spec, "revisionHistoryLimit", 10);
  auto& pol = ensure_object(spec, "persistentVolumeClaimRetentionPolicy");
  set_default(pol, "whenDeleted", "Retain");
  set_default(pol, "whenScaled", "Retain");
  default_template(spec);
  if (auto* vcts = arr_at(spec, "volumeClaimTemplates"))
    for (auto& v : *vcts)
      if (auto* vo = v.if_object()) {
        (*vo)["apiVersion"] = "v1";
        (*vo)["kind"] = "PersistentVolumeClaim";
        default_pvc(*vo);
      }
}

void default_daemonset(json::object& obj) {
  auto& spec = ensure_object(obj, "spec");
  auto& us = ensure_object(spec, "updateStrategy");
  set_default(us, "type", "RollingUpdate");
  if (str_or(us, "type") == "RollingUpdate") {
    auto& ru = ensure_object(us, "rollingUpdate");
    set_default(ru, "maxUnavailable", 1);
    set_default(ru, "maxSurge", 0);
  }
  set_default(spec, "revisionHistoryLimit", 10);
  default_template(spec);
}

void default_job(json::object& obj) {
  ensure_object(obj, "metadata");
  ensure_object(obj, "spec");
  auto& meta = *obj_at(obj, "metadata");
  auto& spec = *obj_at(obj, "spec");
  if (!has(spec, "completions") && !has(spec, "parallelism")) {
    spec["completions"] = 1;
    spec["parallelism"] = 1;
  }
  set_default(spec, "parallelism", 1);
  if (!has(spec, "backoffLimit"))
    spec["backoffLimit"] = has(spec, "backoffLimitPerIndex") ? 2147483647 : 6;
  set_default(spec, "completionMode", "NonIndexed");
  set_default(spec, "suspend", false);
  set_default(spec, "podReplacementPolicy",
              has(spec, "podFailurePolicy") ? "Failed" : "TerminatingOrFailed");
  // The generated selector (batch strategy PrepareForCreate): needs metadata.uid, so it only
  // happens once the API server has assigned one.
  std::string uid = str_or(meta, "uid");
  if (!bool_at(spec, "manualSelector").value_or(false) && !has(spec, "selector") && !uid.empty()) {
    std::string name = str_or(meta, "name");
    spec["selector"] =
        json::object{{"matchLabels", json::object{{"batch.kubernetes.io/controller-uid", uid}}}};
    auto& t = ensure_object(spec, "template");
    auto& tl = ensure_object(ensure_object(t, "metadata"), "labels");
    tl["batch.kubernetes.io/controller-uid"] = uid;
    tl["batch.kubernetes.io/job-name"] = name;
    tl["controller-uid"] = uid;
    tl["job-name"] = name;
  }
  // Template labels become the Job's own when it has none (SetDefaults_Job).
  const auto* tmeta =
      obj_at(spec, "template") ? obj_at(*obj_at(spec, "template"), "metadata") : nullptr;
  const auto* tlabels = tmeta ? obj_at(*tmeta, "labels") : nullptr;
  const auto* labels = obj_at(meta, "labels");
  if (tlabels && (!labels || labels->empty())) meta["labels"] = *tlabels;
  default_template(spec);
}

void default_cronjob(json::object& obj) {
  auto& spec = ensure_object(obj, "spec");
  set_default(spec, "concurrencyPolicy", "Allow");
  set_default(spec, "suspend", false);
  set_default(spec, "successfulJobsHistoryLimit", 3);
  set_default(spec, "failedJobsHistoryLimit", 1);
  if (auto* jt = obj_at(spec, "jobTemplate"))
    if (auto* js = obj_at(*jt, "spec")) default_template(*js);
}
}  // namespace

void apply_defaults(const ResourceInfo& r, json::object& obj) {
  const std::string& k = r.kind;
  if (r.runtime) {
    r.runtime->prune_and_default(obj, nullptr);
    return;
  }
  if (r.group == "apiextensions.k8s.io" && k == "CustomResourceDefinition") {
    default_crd(obj);
    return;
  }
  if (r.group.empty()) {
    if (k == "Pod") {
      default_pod(obj);
    } else if (k == "Service") {
      default_service(obj);
    } else if (k == "Secret") {
      default_secret(obj);
    } else if (k == "Namespace") {
      if (!has(ensure_object(obj, "status"), "phase")) {  // a new namespace: create strategy
        set_default(ensure_object(obj, "spec"), "finalizers", json::array{"kubernetes"});
        ensure_object(obj, "status")["phase"] = "Active";
      }
    } else if (k == "Node") {
      if (auto* status = obj_at(obj, "status"))
        if (has(*status, "capacity") && !has(*status, "allocatable"))
          (*status)["allocatable"] = json::value((*status)["capacity"]);
    } else if (k == "PersistentVolumeClaim") {
      default_pvc(obj);
    } else if (k == "PersistentVolume") {
      auto& spec = ensure_object(obj, "spec");
      set_default(spec, "persistentVolumeReclaimPolicy", "Retain");
      set_default(spec, "volumeMode", "Filesystem");
      if (auto* hp = obj_at(spec, "hostPath")) set_default(*hp, "type", "");
      quantities_to_strings(obj_at(spec, "capacity"));
      set_default(ensure_object(obj, "status"), "phase", "Pending");
    } else if (k == "Endpoints") {
      if (auto* subsets = arr_at(obj, "subsets"))
        for (auto& s : *subsets)
          if (auto* ports = s.is_object() ? arr_at(s.get_object(), "ports") : nullptr)
            for (auto& p : *ports)
              if (auto* po = p.if_object()) set_default(*po, "protocol", "TCP");
    } else if (k == "LimitRange") {
      default_limit_range(obj);
    } else if (k == "ResourceQuota") {
      if (auto* spec = obj_at(obj, "spec")) quantities_to_strings(obj_at(*spec, "hard"));
    }
  } else if (r.group == "apps") {
    if (k == "Deployment") {
      default_deployment(obj);
    } else if (k == "ReplicaSet") {
      auto& spec = ensure_object(obj, "spec");
      set_default(spec, "replicas", 1);
      default_template(spec);
    } else if (k == "StatefulSet") {
      default_statefulset(obj);
    } else if (k == "DaemonSet") {
      default_daemonset(obj);
    }
  } else if (r.group == "batch") {
    if (k == "Job") default_job(obj);
    if (k == "CronJob") default_cronjob(obj);
  } else if (r.group == "scheduling.k8s.io" && k == "PriorityClass") {
    set_default(obj, "preemptionPolicy", "PreemptLowerPriority");
  } else if (r.group == "discovery.k8s.io" && k == "EndpointSlice") {
    if (auto* ports = arr_at(obj, "ports"))
      for (auto& p : *ports)
        if (auto* po = p.if_object()) {
          set_default(*po, "protocol", "TCP");
          set_default(*po, "name", "");
        }
  }
}

}  // namespace skiff::api
