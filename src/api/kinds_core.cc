// Validation of the core/v1 kinds beyond ObjectMeta (pkg/apis/core/validation).
#include <set>

#include "api/kinds_internal.h"

namespace skiff::api::detail {
namespace {
const char* const kIPMsg = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";
const char* const kImmutableSet = "field is immutable when `immutable` is set";
constexpr size_t kMaxDataSize = 1024 * 1024;

void validate_pod(const json::object& obj, const json::object* old, Causes& out) {
  static const json::object kEmpty;
  const auto* spec = obj_at(obj, "spec");
  validate_pod_spec(out, spec ? *spec : kEmpty, "spec");
  if (old) {
    const auto* ospec = obj_at(*old, "spec");
    validate_pod_spec_update(out, spec ? *spec : kEmpty, ospec ? *ospec : kEmpty);
  }
}

void validate_service(const json::object& obj, const json::object* old, Causes& out) {
  static const json::object kEmpty;
  const auto* sp = obj_at(obj, "spec");
  const json::object& spec = sp ? *sp : kEmpty;
  std::string type = str_or(spec, "type");
  std::string cip = str_or(spec, "clusterIP");
  bool headless = cip == "None";
  const auto* ports = arr_at(spec, "ports");
  if ((!ports || ports->empty()) && !headless && type != "ExternalName")
    out.push_back(required("spec.ports"));
  if (type == "ExternalName") {
    std::string en = str_or(spec, "externalName");
    if (en.empty())
      out.push_back(required("spec.externalName"));
    else
      add_msgs(out, "spec.externalName", json::value(en), dns1123_subdomain(en));
    if (!cip.empty())
      out.push_back(forbidden("spec.clusterIPs", "may not be set for ExternalName services"));
  }
  if (ports) {
    bool require_name = ports->size() > 1;
    std::set<std::string> names;
    std::set<std::pair<int64_t, std::string>> seen;
    for (size_t i = 0; i < ports->size(); ++i) {
      const auto* p = (*ports)[i].if_object();
      if (!p) continue;
      std::string pp = idx("spec.ports", i);
      std::string name = str_or(*p, "name");
      if (require_name && name.empty())
        out.push_back(required(child(pp, "name")));
      else if (!name.empty())
        add_msgs(out, child(pp, "name"), json::value(name), dns1123_label(name));
      if (!name.empty() && !names.insert(name).second)
        out.push_back(duplicate(child(pp, "name"), json::value(name)));
      int64_t port = int_at(*p, "port").value_or(0);
      add_msgs(out, child(pp, "port"), port, port_num(port));
      std::string proto = str_or(*p, "protocol");
      enum_field(out, *p, "protocol", child(pp, "protocol"), {"SCTP", "TCP", "UDP"}, true);
      if (has(*p, "targetPort"))
        port_num_or_name(out, value_at(*p, "targetPort"), child(pp, "targetPort"));
      int64_t np = int_at(*p, "nodePort").value_or(0);
      if (np != 0) {
        add_msgs(out, child(pp, "nodePort"), np, port_num(np));
        if (type == "ClusterIP" || type == "ExternalName" || type.empty())
          out.push_back(forbidden(child(pp, "nodePort"),
                                  "may not be used when `type` is '" +
                                      (type.empty() ? std::string("ClusterIP") : type) + "'"));
      }
      if (!seen.insert({port, proto}).second)
        out.push_back(duplicate(pp, json::object{{"port", port}, {"protocol", proto}}));
    }
  }
  enum_field(out, spec, "type", "spec.type",
             {"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"}, spec.contains("type"));
  if (!cip.empty() && !headless && !is_ip(cip))
    out.push_back(invalid("spec.clusterIPs[0]", json::value(cip), kIPMsg));
  if (const auto* cips = arr_at(spec, "clusterIPs")) {
    if (!cips->empty() && (*cips)[0] != json::value(cip) && !cip.empty())
      out.push_back(invalid("spec.clusterIPs", *cips, "element [0] must match clusterIP"));
    for (size_t i = 1; i < cips->size(); ++i)
      if (!(*cips)[i].is_string() || !is_ip((*cips)[i].get_string()))
        out.push_back(invalid(idx("spec.clusterIPs", i), (*cips)[i], kIPMsg));
  }
  enum_field(out, spec, "sessionAffinity", "spec.sessionAffinity", {"ClientIP", "None"},
             spec.contains("sessionAffinity"));
  if (const auto* sac = obj_at(spec, "sessionAffinityConfig"))
    if (const auto* ci = obj_at(*sac, "clientIP"))
      if (auto t = int_at(*ci, "timeoutSeconds"); t && (*t <= 0 || *t > 86400))
        out.push_back(invalid("spec.sessionAffinityConfig.clientIP.timeoutSeconds", *t,
                              "must be greater than 0 and less than 86400"));
  validate_labels(out, value_at(spec, "selector"), "spec.selector");
  if (has(spec, "externalTrafficPolicy")) {
    if (type != "NodePort" && type != "LoadBalancer" && !arr_at(spec, "externalIPs"))
      out.push_back(invalid("spec.externalTrafficPolicy", value_at(spec, "externalTrafficPolicy"),
                            "may only be set for externally-accessible services"));
    else
      enum_field(out, spec, "externalTrafficPolicy", "spec.externalTrafficPolicy",
                 {"Cluster", "Local"}, false);
  }
  enum_field(out, spec, "internalTrafficPolicy", "spec.internalTrafficPolicy", {"Cluster", "Local"},
             false);
  enum_field(out, spec, "ipFamilyPolicy", "spec.ipFamilyPolicy",
             {"SingleStack", "PreferDualStack", "RequireDualStack"}, false);
  if (const auto* fams = arr_at(spec, "ipFamilies"))
    for (size_t i = 0; i < fams->size(); ++i)
      if (!(*fams)[i].is_string() ||
          ((*fams)[i].get_string() != "IPv4" && (*fams)[i].get_string() != "IPv6"))
        out.push_back(not_supported(idx("spec.ipFamilies", i), (*fams)[i], {"IPv4", "IPv6"}));
  if (const auto* eips = arr_at(spec, "externalIPs"))
    for (size_t i = 0; i < eips->size(); ++i)
      if (!(*eips)[i].is_string() || !is_ip((*eips)[i].get_string()))
        out.push_back(invalid(idx("spec.externalIPs", i), (*eips)[i], kIPMsg));
  if (old) {
    const auto* osp = obj_at(*old, "spec");
    const auto* ocips = osp ? arr_at(*osp, "clusterIPs") : nullptr;
    std::string ocip = osp ? str_or(*osp, "clusterIP") : "";
    std::string otype = osp ? str_or(*osp, "type") : "";
    if (ocips && !ocips->empty() && (*ocips)[0].is_string())
      ocip = std::string((*ocips)[0].get_string());
    // Changing to ExternalName releases the IPs; otherwise a set clusterIP stays.
    if (!ocip.empty() && type != "ExternalName" && otype != "ExternalName") {
      const auto* ncips = arr_at(spec, "clusterIPs");
      json::value shown =
          ncips ? json::value(*ncips)
                : (cip.empty() ? json::value(nullptr) : json::value(json::array{json::value(cip)}));
      if (cip.empty())
        out.push_back(invalid("spec.clusterIPs[0]", shown, "primary clusterIP can not be unset"));
      else if (cip != ocip)
        out.push_back(invalid("spec.clusterIPs[0]", shown, "may not change once set"));
    }
  }
}

void validate_data_keys(Causes& out, const json::object& obj, std::string_view field, size_t& total,
                        bool base64) {
  const auto* data = obj_at(obj, field);
  if (!data) return;
  for (const auto& kv : *data) {
    std::string k(kv.key());
    std::string p = key(std::string(field), k);
    add_msgs(out, p, json::value(k), config_map_key(k));
    if (!kv.value().is_string()) {
      if (!kv.value().is_null()) out.push_back(invalid(p, kv.value(), "must be a string"));
      continue;
    }
    std::string_view v = kv.value().get_string();
    if (base64) {
      std::string err = base64_error(v);
      if (!err.empty()) {
        out.push_back(
            {"FieldValueInvalid", p, "Invalid value: \"<secret contents redacted>\": " + err});
        continue;
      }
      total += base64_decoded_size(v);
    } else {
      total += v.size();
    }
  }
}

void immutable_data(Causes& out, const json::object& obj, const json::object& old,
                    std::initializer_list<const char*> fields) {
  if (!bool_at(old, "immutable").value_or(false)) return;
  if (!bool_at(obj, "immutable").value_or(false))
    out.push_back(forbidden("immutable", kImmutableSet));
  for (const char* f : fields)
    if (value_at(obj, f) != value_at(old, f)) out.push_back(forbidden(f, kImmutableSet));
}

void validate_configmap(const json::object& obj, const json::object* old, Causes& out) {
  size_t total = 0;
  validate_data_keys(out, obj, "data", total, false);
  validate_data_keys(out, obj, "binaryData", total, true);
  const auto* data = obj_at(obj, "data");
  const auto* bin = obj_at(obj, "binaryData");
  if (data && bin)
    for (const auto& kv : *data)
      if (bin->contains(kv.key()))
        out.push_back(invalid(key("data", kv.key()), json::value(kv.key()),
                              "duplicate of key present in binaryData"));
  if (total > kMaxDataSize) out.push_back(too_long("", kMaxDataSize));
  if (old) immutable_data(out, obj, *old, {"data", "binaryData"});
}

void validate_secret(const json::object& obj, const json::object* old, Causes& out) {
  size_t total = 0;
  validate_data_keys(out, obj, "data", total, true);
  if (total > kMaxDataSize) out.push_back(too_long("data", kMaxDataSize));
  std::string type = str_or(obj, "type");
  const auto* data = obj_at(obj, "data");
  auto has_key = [&](const char* k) { return data && data->contains(k); };
  if (type == "kubernetes.io/service-account-token") {
    const auto* meta = obj_at(obj, "metadata");
    const auto* ann = meta ? obj_at(*meta, "annotations") : nullptr;
    if (!ann || str_or(*ann, "kubernetes.io/service-account.name").empty())
      out.push_back(required("metadata.annotations[kubernetes.io/service-account.name]"));
  } else if (type == "kubernetes.io/dockercfg") {
    if (!has_key(".dockercfg")) out.push_back(required("data[.dockercfg]"));
  } else if (type == "kubernetes.io/dockerconfigjson") {
    if (!has_key(".dockerconfigjson")) out.push_back(required("data[.dockerconfigjson]"));
  } else if (type == "kubernetes.io/basic-auth") {
    if (!has_key("username") && !has_key("password")) {
      out.push_back(required("data[username]"));
      out.push_back(required("data[password]"));
    }
  } else if (type == "kubernetes.io/ssh-auth") {
    if (!has_key("ssh-privatekey")) out.push_back(required("data[ssh-privatekey]"));
  } else if (type == "kubernetes.io/tls") {
    if (!has_key("tls.key")) out.push_back(required("data[tls.key]"));
    if (!has_key("tls.crt")) out.push_back(required("data[tls.crt]"));
  }
  if (old) {
    if (str_or(*old, "type") != type)
      out.push_back(invalid("type", json::value(type), "field is immutable"));
    immutable_data(out, obj, *old, {"data"});
  }
}

void access_modes(Causes& out, const json::object& spec, const std::string& detail) {
  const auto* am = arr_at(spec, "accessModes");
  if (!am || am->empty()) {
    out.push_back(required("spec.accessModes", detail));
    return;
  }
  for (const auto& m : *am) {
    std::string s = m.is_string() ? std::string(m.get_string()) : "";
    if (s != "ReadWriteOnce" && s != "ReadOnlyMany" && s != "ReadWriteMany" &&
        s != "ReadWriteOncePod")
      out.push_back(
          not_supported("spec.accessModes", m,
                        {"ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"}));
  }
}

void validate_pvc(const json::object& obj, const json::object* old, Causes& out) {
  static const json::object kEmpty;
  const auto* sp = obj_at(obj, "spec");
  const json::object& spec = sp ? *sp : kEmpty;
  access_modes(out, spec, "at least 1 access mode is required");
  validate_label_selector(out, value_at(spec, "selector"), "spec.selector");
  const auto* res = obj_at(spec, "resources");
  const auto* req = res ? obj_at(*res, "requests") : nullptr;
  if (!req || !req->contains("storage")) {
    out.push_back(required("spec.resources[storage]"));
  } else {
    std::string err;
    auto q = quantity_of(req->at("storage"), &err);
    if (!q)
      out.push_back(invalid("spec.resources.requests[storage]", req->at("storage"), err));
    else if (*q <= 0)
      out.push_back(invalid("spec.resources[storage]",
                            json::value(quantity_text(req->at("storage"))),
                            "must be greater than zero"));
  }
  enum_field(out, spec, "volumeMode", "spec.volumeMode", {"Block", "Filesystem"}, false);
  if (old) {
    const auto* osp = obj_at(*old, "spec");
    json::object a = spec, b = osp ? *osp : json::object{};
    for (auto* o : {&a, &b}) {
      if (auto* r = obj_at(*o, "resources")) r->erase("requests");
      o->erase("volumeAttributesClassName");
    }
    // Binding sets volumeName once: allowed while the old claim had none.
    if (str_or(b, "volumeName").empty()) {
      a.erase("volumeName");
      b.erase("volumeName");
    }
    if (a != b)
      out.push_back(forbidden("spec",
                              "spec is immutable after creation except resources.requests "
                              "and volumeAttributesClassName for bound claims"));
  }
}

const char* const kPVSources[] = {"hostPath",
                                  "gcePersistentDisk",
                                  "awsElasticBlockStore",
                                  "glusterfs",
                                  "nfs",
                                  "rbd",
                                  "iscsi",
                                  "cinder",
                                  "cephfs",
                                  "fc",
                                  "flocker",
                                  "flexVolume",
                                  "azureFile",
                                  "vsphereVolume",
                                  "quobyte",
                                  "azureDisk",
                                  "photonPersistentDisk",
                                  "portworxVolume",
                                  "scaleIO",
                                  "local",
                                  "storageos",
                                  "csi"};

void validate_pv(const json::object& obj, const json::object* old, Causes& out) {
  static const json::object kEmpty;
  const auto* sp = obj_at(obj, "spec");
  const json::object& spec = sp ? *sp : kEmpty;
  access_modes(out, spec, "");
  const auto* cap = obj_at(spec, "capacity");
  if (!cap || cap->empty()) {
    out.push_back(required("spec.capacity"));
  } else {
    if (!cap->contains("storage") || cap->size() != 1)
      out.push_back(not_supported("spec.capacity", json::value(""), {"storage"}));
    for (const auto& kv : *cap) {
      std::string err;
      auto q = quantity_of(kv.value(), &err);
      if (!q) out.push_back(invalid(key("spec.capacity", kv.key()), kv.value(), err));
    }
  }
  int sources = 0;
  for (const char* s : kPVSources)
    if (has(spec, s) && sources++ > 0)
      out.push_back(forbidden(child("spec", s), "may not specify more than 1 volume type"));
  if (sources == 0) out.push_back(required("spec", "must specify a volume type"));
  if (const auto* hp = obj_at(spec, "hostPath")) {
    std::string p = str_or(*hp, "path");
    if (p.empty()) out.push_back(required("spec.hostPath.path"));
  }
  if (const auto* lo = obj_at(spec, "local"))
    if (str_or(*lo, "path").empty()) out.push_back(required("spec.local.path"));
  enum_field(out, spec, "persistentVolumeReclaimPolicy", "spec.persistentVolumeReclaimPolicy",
             {"Delete", "Recycle", "Retain"}, false);
  enum_field(out, spec, "volumeMode", "spec.volumeMode", {"Block", "Filesystem"}, false);
  if (old) {
    const auto* osp = obj_at(*old, "spec");
    for (const char* s : kPVSources)
      if (osp && value_at(spec, s) != value_at(*osp, s)) {
        out.push_back(forbidden("spec.persistentvolumesource",
                                "spec.persistentvolumesource is immutable after creation"));
        break;
      }
  }
}

void validate_endpoints(const json::object& obj, Causes& out) {
  const auto* subsets = arr_at(obj, "subsets");
  if (!subsets) return;
  for (size_t i = 0; i < subsets->size(); ++i) {
    const auto* ss = (*subsets)[i].if_object();
    if (!ss) continue;
    std::string sp = idx("subsets", i);
    for (const char* list : {"addresses", "notReadyAddresses"})
      if (const auto* addrs = arr_at(*ss, list))
        for (size_t j = 0; j < addrs->size(); ++j) {
          const auto* a = (*addrs)[j].if_object();
          if (!a) continue;
          std::string ip = str_or(*a, "ip");
          std::string ap = child(idx(child(sp, list), j), "ip");
          if (!is_ip(ip)) out.push_back(invalid(ap, json::value(ip), kIPMsg));
        }
    if (const auto* ports = arr_at(*ss, "ports")) {
      bool require_name = ports->size() > 1;
      for (size_t j = 0; j < ports->size(); ++j) {
        const auto* p = (*ports)[j].if_object();
        if (!p) continue;
        std::string pp = idx(child(sp, "ports"), j);
        std::string name = str_or(*p, "name");
        if (require_name && name.empty())
          out.push_back(required(child(pp, "name")));
        else if (!name.empty())
          add_msgs(out, child(pp, "name"), json::value(name), dns1123_label(name));
        int64_t port = int_at(*p, "port").value_or(0);
        add_msgs(out, child(pp, "port"), port, port_num(port));
        enum_field(out, *p, "protocol", child(pp, "protocol"), {"SCTP", "TCP", "UDP"}, true);
      }
    }
  }
}

void validate_node(const json::object& obj, const json::object* old, Causes& out) {
  const auto* spec = obj_at(obj, "spec");
  if (!spec) return;
  if (const auto* taints = arr_at(*spec, "taints")) {
    std::set<std::pair<std::string, std::string>> seen;
    for (size_t i = 0; i < taints->size(); ++i) {
      const auto* t = (*taints)[i].if_object();
      if (!t) continue;
      std::string p = idx("spec.taints", i);
      std::string k = str_or(*t, "key"), v = str_or(*t, "value"), e = str_or(*t, "effect");
      add_msgs(out, child(p, "key"), json::value(k), qualified_name(k));
      add_msgs(out, child(p, "value"), json::value(v), label_value(v));
      enum_field(out, *t, "effect", child(p, "effect"),
                 {"NoSchedule", "PreferNoSchedule", "NoExecute"}, true);
      if (!seen.insert({k, e}).second) out.push_back(duplicate(p, json::value(k + ":" + e)));
    }
  }
  std::string cidr = str_or(*spec, "podCIDR");
  if (!cidr.empty() && !is_cidr(cidr))
    out.push_back(invalid("spec.podCIDR", json::value(cidr), "must be a valid CIDR"));
  // As upstream: the node IPAM controller (or a kubelet) may set the pod CIDRs once, from empty;
  // after that they never change, so two writers racing to set them cannot both win.
  if (old) {
    const auto* old_spec = obj_at(*old, "spec");
    auto cidrs_of = [](const json::object* s) {
      std::vector<std::string> v;
      if (!s) return v;
      if (const auto* a = arr_at(*s, "podCIDRs"))
        for (const auto& c : *a)
          if (c.is_string()) v.emplace_back(c.get_string());
      if (v.empty() && !str_or(*s, "podCIDR").empty()) v.push_back(str_or(*s, "podCIDR"));
      return v;
    };
    auto before = cidrs_of(old_spec);
    if (!before.empty() && cidrs_of(spec) != before)
      out.push_back(forbidden("spec.podCIDRs",
                              "node updates may not change podCIDR except from \"\" to valid"));
  }
}

void validate_limit_range(const json::object& obj, Causes& out) {
  const auto* spec = obj_at(obj, "spec");
  const auto* limits = spec ? arr_at(*spec, "limits") : nullptr;
  if (!limits) return;
  for (size_t i = 0; i < limits->size(); ++i) {
    const auto* l = (*limits)[i].if_object();
    if (!l) continue;
    std::string p = idx("spec.limits", i);
    enum_field(out, *l, "type", child(p, "type"), {"Container", "PersistentVolumeClaim", "Pod"},
               true);
    for (const char* f : {"max", "min", "default", "defaultRequest", "maxLimitRequestRatio"})
      if (const auto* m = obj_at(*l, f))
        for (const auto& kv : *m) {
          std::string err;
          if (!quantity_of(kv.value(), &err))
            out.push_back(invalid(key(child(p, f), kv.key()), kv.value(), err));
        }
  }
}

void validate_quota(const json::object& obj, Causes& out) {
  const auto* spec = obj_at(obj, "spec");
  if (!spec) return;
  if (const auto* hard = obj_at(*spec, "hard"))
    for (const auto& kv : *hard) {
      std::string p = key("spec.hard", kv.key());
      add_msgs(out, p, json::value(kv.key()), qualified_name(kv.key()));
      std::string err;
      auto q = quantity_of(kv.value(), &err);
      if (!q)
        out.push_back(invalid(p, kv.value(), err));
      else if (*q < 0)
        out.push_back(invalid(p, json::value(quantity_text(kv.value())),
                              "must be greater than or equal to 0"));
    }
  if (const auto* scopes = arr_at(*spec, "scopes"))
    for (size_t i = 0; i < scopes->size(); ++i) {
      std::string s = (*scopes)[i].is_string() ? std::string((*scopes)[i].get_string()) : "";
      static const std::vector<std::string> kScopes = {
          "BestEffort",           "CrossNamespacePodAffinity",
          "NotBestEffort",        "NotTerminating",
          "PriorityClass",        "Terminating",
          "VolumeAttributesClass"};
      if (std::find(kScopes.begin(), kScopes.end(), s) == kScopes.end())
        out.push_back(not_supported("spec.scopes", (*scopes)[i], kScopes));
    }
}
}  // namespace

bool validate_core_kind(const ResourceInfo& r, const json::object& obj, const json::object* old,
                        Causes& out) {
  if (!r.group.empty()) return false;
  const std::string& k = r.kind;
  if (k == "Pod") {
    validate_pod(obj, old, out);
  } else if (k == "Service") {
    validate_service(obj, old, out);
  } else if (k == "ConfigMap") {
    validate_configmap(obj, old, out);
  } else if (k == "Secret") {
    validate_secret(obj, old, out);
  } else if (k == "PersistentVolumeClaim") {
    validate_pvc(obj, old, out);
  } else if (k == "PersistentVolume") {
    validate_pv(obj, old, out);
  } else if (k == "Endpoints") {
    validate_endpoints(obj, out);
  } else if (k == "Node") {
    validate_node(obj, old, out);
  } else if (k == "LimitRange") {
    validate_limit_range(obj, out);
  } else if (k == "ResourceQuota") {
    validate_quota(obj, out);
  } else if (k == "Binding") {
    const auto* t = obj_at(obj, "target");
    std::string tk = t ? str_or(*t, "kind") : "";
    if (!tk.empty() && tk != "Node")
      out.push_back(not_supported("target.kind", json::value(tk), {"Node"}));
    if (!t || str_or(*t, "name").empty()) out.push_back(required("target.name"));
  } else if (k == "Event") {
    const auto* io = obj_at(obj, "involvedObject");
    std::string ns = str_or(obj.contains("metadata") && obj.at("metadata").is_object()
                                ? obj.at("metadata").get_object()
                                : json::object{},
                            "namespace");
    std::string ions = io ? str_or(*io, "namespace") : "";
    if (!ions.empty() && ions != ns)
      out.push_back(
          invalid("involvedObject.namespace", json::value(ions), "does not match event.namespace"));
  } else {
    return false;  // kinds.cc validates the rest (ReplicationController, PodTemplate)
  }
  return true;
}

}  // namespace skiff::api::detail
