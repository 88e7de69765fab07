// Pod spec validation (pkg/apis/core/validation: ValidatePodSpec and its helpers), shared by Pods
// and every pod template, and the Pod update rules.
#include "api/kinds_internal.h"

namespace skiff::api::detail {
namespace {
const char* const kFileModeMsg = "must be a number between 0 and 0777 (octal), both inclusive";

void file_mode(Causes& out, const json::object& o, std::string_view k, const std::string& path) {
  auto m = int_at(o, k);
  if (m && (*m < 0 || *m > 0777)) out.push_back(invalid(path, *m, kFileModeMsg));
}

void key_to_paths(Causes& out, const json::object& src, const std::string& path) {
  const auto* items = arr_at(src, "items");
  if (!items) return;
  for (size_t i = 0; i < items->size(); ++i) {
    const auto* it = (*items)[i].if_object();
    if (!it) continue;
    std::string p = idx(child(path, "items"), i);
    if (str_or(*it, "key").empty()) out.push_back(required(child(p, "key")));
    std::string rel = str_or(*it, "path");
    if (rel.empty())
      out.push_back(required(child(p, "path")));
    else if (rel[0] == '/')
      out.push_back(invalid(child(p, "path"), json::value(rel), "must be a relative path"));
    else if (rel == ".." || rel.find("../") == 0 || rel.find("/..") != std::string::npos)
      out.push_back(invalid(child(p, "path"), json::value(rel), "must not contain '..'"));
    file_mode(out, *it, "mode", child(p, "mode"));
  }
}

const std::vector<std::string> kVolumeFieldPaths = {"metadata.annotations", "metadata.labels",
                                                    "metadata.name", "metadata.namespace",
                                                    "metadata.uid"};

void validate_volumes(Causes& out, const json::object& spec, const std::string& path,
                      std::set<std::string>& names) {
  const auto* vols = arr_at(spec, "volumes");
  if (!vols) return;
  for (size_t i = 0; i < vols->size(); ++i) {
    const auto* v = (*vols)[i].if_object();
    if (!v) continue;
    std::string p = idx(child(path, "volumes"), i);
    Causes el;
    int sources = 0;
    for (const auto& kv : *v) {
      std::string k(kv.key());
      if (k == "name" || kv.value().is_null()) continue;
      if (sources++ > 0)
        el.push_back(forbidden(child(p, k), "may not specify more than 1 volume type"));
    }
    if (sources == 0) el.push_back(required(p, "must specify a volume type"));
    if (const auto* hp = obj_at(*v, "hostPath")) {
      if (str_or(*hp, "path").empty()) el.push_back(required(child(p, "hostPath.path")));
      enum_field(el, *hp, "type", child(p, "hostPath.type"),
                 {"", "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket",
                  "CharDevice", "BlockDevice"},
                 false);
    }
    if (const auto* ed = obj_at(*v, "emptyDir")) {
      if (has(*ed, "sizeLimit")) {
        std::string err;
        auto q = quantity_of(value_at(*ed, "sizeLimit"), &err);
        if (!q)
          el.push_back(invalid(child(p, "emptyDir.sizeLimit"), value_at(*ed, "sizeLimit"), err));
        else if (*q < 0)
          el.push_back(forbidden(child(p, "emptyDir.sizeLimit"),
                                 "SizeLimit field must be a valid resource quantity"));
      }
    }
    if (const auto* s = obj_at(*v, "secret")) {
      if (str_or(*s, "secretName").empty()) el.push_back(required(child(p, "secret.secretName")));
      file_mode(el, *s, "defaultMode", child(p, "secret.defaultMode"));
      key_to_paths(el, *s, child(p, "secret"));
    }
    if (const auto* c = obj_at(*v, "configMap")) {
      if (str_or(*c, "name").empty()) el.push_back(required(child(p, "configMap.name")));
      file_mode(el, *c, "defaultMode", child(p, "configMap.defaultMode"));
      key_to_paths(el, *c, child(p, "configMap"));
    }
    if (const auto* c = obj_at(*v, "persistentVolumeClaim"))
      if (str_or(*c, "claimName").empty())
        el.push_back(required(child(p, "persistentVolumeClaim.claimName")));
    if (const auto* n = obj_at(*v, "nfs")) {
      if (str_or(*n, "server").empty()) el.push_back(required(child(p, "nfs.server")));
      std::string np = str_or(*n, "path");
      if (np.empty())
        el.push_back(required(child(p, "nfs.path")));
      else if (np[0] != '/')
        el.push_back(invalid(child(p, "nfs.path"), json::value(np), "must be an absolute path"));
    }
    if (const auto* d = obj_at(*v, "downwardAPI")) {
      file_mode(el, *d, "defaultMode", child(p, "downwardAPI.defaultMode"));
      if (const auto* items = arr_at(*d, "items"))
        for (size_t j = 0; j < items->size(); ++j) {
          const auto* it = (*items)[j].if_object();
          if (!it) continue;
          std::string ip = idx(child(p, "downwardAPI.items"), j);
          if (str_or(*it, "path").empty()) el.push_back(required(child(ip, "path")));
          if (const auto* fr = obj_at(*it, "fieldRef"))
            field_selector(el, *fr, child(ip, "fieldRef"), kVolumeFieldPaths);
        }
    }
    if (const auto* pr = obj_at(*v, "projected"))
      file_mode(el, *pr, "defaultMode", child(p, "projected.defaultMode"));
    if (const auto* c = obj_at(*v, "csi"))
      if (str_or(*c, "driver").empty()) el.push_back(required(child(p, "csi.driver")));
    if (const auto* e = obj_at(*v, "ephemeral"))
      if (!has(*e, "volumeClaimTemplate"))
        el.push_back(required(child(p, "ephemeral.volumeClaimTemplate")));

    std::string name = str_or(*v, "name");
    if (name.empty())
      el.push_back(required(child(p, "name")));
    else
      add_msgs(el, child(p, "name"), json::value(name), dns1123_label(name));
    if (names.count(name)) el.push_back(duplicate(child(p, "name"), json::value(name)));
    if (el.empty())
      names.insert(name);
    else
      out.insert(out.end(), el.begin(), el.end());
  }
}

void validate_containers(Causes& out, const json::object& spec, const std::string& path,
                         std::string_view list, bool init, std::set<std::string>& names,
                         const std::set<std::string>& volumes) {
  const auto* cs = arr_at(spec, list);
  if (!cs || cs->empty()) {
    if (!init) out.push_back(required(child(path, list)));
    return;
  }
  bool host_network = bool_at(spec, "hostNetwork").value_or(false);
  for (size_t i = 0; i < cs->size(); ++i) {
    const auto* c = (*cs)[i].if_object();
    std::string p = idx(child(path, list), i);
    if (!c) {
      out.push_back(invalid(p, (*cs)[i], "must be an object"));
      continue;
    }
    std::string name = str_or(*c, "name");
    if (name.empty())
      out.push_back(required(child(p, "name")));
    else
      add_msgs(out, child(p, "name"), json::value(name), dns1123_label(name));
    if (!name.empty() && !names.insert(name).second)
      out.push_back(duplicate(child(p, "name"), json::value(name)));
    validate_container(out, *c, p, init, host_network, volumes);
  }
}

void validate_tolerations(Causes& out, const json::object& spec, const std::string& path) {
  const auto* ts = arr_at(spec, "tolerations");
  if (!ts) return;
  for (size_t i = 0; i < ts->size(); ++i) {
    const auto* t = (*ts)[i].if_object();
    if (!t) continue;
    std::string p = idx(child(path, "tolerations"), i);
    std::string k = str_or(*t, "key"), op = str_or(*t, "operator"), v = str_or(*t, "value"),
                effect = str_or(*t, "effect");
    if (!k.empty()) add_msgs(out, child(p, "key"), json::value(k), qualified_name(k));
    if (k.empty() && op != "Exists")
      out.push_back(invalid(child(p, "operator"), json::value(op),
                            "operator must be Exists when `key` is empty, which means \"match all "
                            "values and all keys\""));
    if (has(*t, "tolerationSeconds") && effect != "NoExecute")
      out.push_back(invalid(child(p, "effect"), json::value(effect),
                            "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    if (op == "Equal" || op.empty())
      add_msgs(out, child(p, "operator"), json::value(v), label_value(v));
    else if (op == "Exists") {
      if (!v.empty())
        out.push_back(
            invalid(child(p, "operator"), *t, "value must be empty when `operator` is 'Exists'"));
    } else
      out.push_back(not_supported(child(p, "operator"), json::value(op), {"Equal", "Exists"}));
    if (!effect.empty())
      enum_field(out, *t, "effect", child(p, "effect"),
                 {"NoSchedule", "PreferNoSchedule", "NoExecute"}, false);
  }
}
}  // namespace

void validate_pod_spec(Causes& out, const json::object& spec, const std::string& path) {
  std::set<std::string> volumes, names;
  validate_volumes(out, spec, path, volumes);
  validate_containers(out, spec, path, "containers", false, names, volumes);
  validate_containers(out, spec, path, "initContainers", true, names, volumes);
  enum_field(out, spec, "restartPolicy", child(path, "restartPolicy"),
             {"Always", "OnFailure", "Never"}, spec.contains("restartPolicy"));
  enum_field(out, spec, "dnsPolicy", child(path, "dnsPolicy"),
             {"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"},
             spec.contains("dnsPolicy"));
  if (str_or(spec, "dnsPolicy") == "None" && !has(spec, "dnsConfig"))
    out.push_back(
        required(child(path, "dnsConfig"), "must provide `dnsConfig` when `dnsPolicy` is None"));
  if (const auto* dc = obj_at(spec, "dnsConfig")) {
    if (const auto* ns = arr_at(*dc, "nameservers")) {
      if (ns->size() > 3)
        out.push_back(invalid(child(path, "dnsConfig.nameservers"), *ns,
                              "must not have more than 3 nameservers"));
      for (size_t i = 0; i < ns->size(); ++i)
        if (!(*ns)[i].is_string() || !is_ip((*ns)[i].get_string()))
          out.push_back(invalid(idx(child(path, "dnsConfig.nameservers"), i), (*ns)[i],
                                "must be valid IP address"));
    }
  }
  validate_labels(out, value_at(spec, "nodeSelector"), child(path, "nodeSelector"));
  for (const char* f : {"serviceAccountName", "nodeName", "priorityClassName"}) {
    std::string v = str_or(spec, f);
    if (!v.empty()) add_msgs(out, child(path, f), json::value(v), dns1123_subdomain(v));
  }
  for (const char* f : {"hostname", "subdomain"}) {
    std::string v = str_or(spec, f);
    if (!v.empty()) add_msgs(out, child(path, f), json::value(v), dns1123_label(v));
  }
  if (auto ads = int_at(spec, "activeDeadlineSeconds"); ads && (*ads < 1 || *ads > 2147483647))
    out.push_back(
        invalid(child(path, "activeDeadlineSeconds"), *ads, inclusive_range_error(1, 2147483647)));
  validate_tolerations(out, spec, path);
  if (const auto* sc = obj_at(spec, "securityContext"))
    for (const char* f : {"runAsUser", "runAsGroup", "fsGroup"})
      if (auto v = int_at(*sc, f); v && (*v < 0 || *v > 2147483647))
        out.push_back(invalid(child(child(path, "securityContext"), f), *v,
                              inclusive_range_error(0, 2147483647)));
  if (const auto* ips = arr_at(spec, "imagePullSecrets"))
    for (size_t i = 0; i < ips->size(); ++i)
      if (const auto* s = (*ips)[i].if_object(); s && str_or(*s, "name").empty())
        out.push_back(required(child(idx(child(path, "imagePullSecrets"), i), "name")));
  if (const auto* tsc = arr_at(spec, "topologySpreadConstraints"))
    for (size_t i = 0; i < tsc->size(); ++i) {
      const auto* t = (*tsc)[i].if_object();
      if (!t) continue;
      std::string p = idx(child(path, "topologySpreadConstraints"), i);
      if (auto ms = int_at(*t, "maxSkew"); !ms || *ms <= 0)
        out.push_back(invalid(child(p, "maxSkew"), ms ? json::value(*ms) : json::value(0),
                              "must be greater than zero"));
      if (str_or(*t, "topologyKey").empty())
        out.push_back(required(child(p, "topologyKey"), "can not be empty"));
      enum_field(out, *t, "whenUnsatisfiable", child(p, "whenUnsatisfiable"),
                 {"DoNotSchedule", "ScheduleAnyway"}, true);
    }
}

void validate_pod_template(Causes& out, const json::value& tmpl, const std::string& path) {
  static const json::object kEmpty;
  const auto* t = tmpl.if_object();
  if (!t) t = &kEmpty;
  const auto* meta = obj_at(*t, "metadata");
  if (meta) {
    // upstream's field path here is "<template>.labels" (ObjectMeta is embedded in Go).
    validate_labels(out, value_at(*meta, "labels"), child(path, "labels"));
    validate_annotations(out, value_at(*meta, "annotations"), child(path, "annotations"));
  }
  const auto* spec = obj_at(*t, "spec");
  validate_pod_spec(out, spec ? *spec : kEmpty, child(path, "spec"));
}

void validate_pod_spec_update(Causes& out, const json::object& spec, const json::object& old) {
  json::object m = spec;  // the new spec with every allowed change reverted to the old value
  for (const char* list : {"containers", "initContainers"}) {
    auto* nc = arr_at(m, list);
    const auto* oc = arr_at(old, list);
    if (!nc || !oc || nc->size() != oc->size()) continue;
    for (size_t i = 0; i < nc->size(); ++i)
      if ((*nc)[i].is_object() && (*oc)[i].is_object()) {
        const auto& oimg = value_at((*oc)[i].get_object(), "image");
        if (oimg.is_null())
          (*nc)[i].get_object().erase("image");
        else
          (*nc)[i].get_object()["image"] = oimg;
      }
  }
  auto nads = int_at(spec, "activeDeadlineSeconds");
  auto oads = int_at(old, "activeDeadlineSeconds");
  if (nads) {
    if (*nads < 0 || *nads > 2147483647) {
      out.push_back(
          invalid("spec.activeDeadlineSeconds", *nads, inclusive_range_error(0, 2147483647)));
      return;
    }
    if (oads && *oads < *nads) {
      out.push_back(invalid("spec.activeDeadlineSeconds", *nads,
                            "must be less than or equal to previous value"));
      return;
    }
  } else if (oads) {
    out.push_back(invalid("spec.activeDeadlineSeconds", nullptr,
                          "must not update from a positive integer to nil value"));
  }
  m.erase("activeDeadlineSeconds");
  if (oads) m["activeDeadlineSeconds"] = *oads;
  // Tolerations may only be added: every old toleration must still be there.
  const auto* ot = arr_at(old, "tolerations");
  const auto* nt = arr_at(spec, "tolerations");
  bool additions_only = true;
  if (ot)
    for (const auto& t : *ot) {
      bool found = false;
      if (nt)
        for (const auto& u : *nt) found = found || u == t;
      additions_only = additions_only && found;
    }
  if (additions_only) {
    m.erase("tolerations");
    if (ot) m["tolerations"] = *ot;
  }
  auto ntg = int_at(spec, "terminationGracePeriodSeconds");
  auto otg = int_at(old, "terminationGracePeriodSeconds");
  if (ntg && otg && *otg < 0 && *ntg == 1) m["terminationGracePeriodSeconds"] = *otg;
  if (m != old)
    out.push_back(forbidden(
        "spec",
        "pod updates may not change fields other than `spec.containers[*].image`,"
        "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only "
        "additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be "
        "set to 1 if it was previously negative)"));
}

}  // namespace skiff::api::detail