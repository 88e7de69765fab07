// Container validation (pkg/apis/core/validation: validateContainers and its helpers): ports,
// env, volume mounts, probes, lifecycle hooks and resource requirements.
#include "api/kinds_internal.h"

namespace skiff::api::detail {
namespace {
const std::vector<std::string> kEnvFieldPaths = {"metadata.name",
                                                 "metadata.namespace",
                                                 "metadata.uid",
                                                 "spec.nodeName",
                                                 "spec.serviceAccountName",
                                                 "status.hostIP",
                                                 "status.hostIPs",
                                                 "status.podIP",
                                                 "status.podIPs"};
}  // namespace

void field_selector(Causes& out, const json::object& fs, const std::string& path,
                    const std::vector<std::string>& allowed) {
  std::string fp = str_or(fs, "fieldPath");
  if (str_or(fs, "apiVersion").empty()) {
    out.push_back(required(child(path, "apiVersion")));
  } else if (fp.empty()) {
    out.push_back(required(child(path, "fieldPath")));
  } else if (fp.rfind("metadata.labels[", 0) == 0 || fp.rfind("metadata.annotations[", 0) == 0) {
    // subscripted label/annotation paths are allowed
  } else {
    for (const auto& a : allowed)
      if (a == fp) return;
    out.push_back(not_supported(child(path, "fieldPath"), json::value(fp), allowed));
  }
}

namespace {
void validate_handler(Causes& out, const json::object& h, const std::string& path,
                      std::initializer_list<const char*> kinds) {
  int n = 0;
  for (const char* k : kinds) {
    const auto* a = obj_at(h, k);
    if (!a) continue;
    std::string p = child(path, k);
    if (n > 0) {
      out.push_back(forbidden(p, "may not specify more than 1 handler type"));
      continue;
    }
    n++;
    std::string kind = k;
    if (kind == "exec") {
      const auto* cmd = arr_at(*a, "command");
      if (!cmd || cmd->empty()) out.push_back(required(child(p, "command")));
    } else if (kind == "httpGet") {
      if (str_or(*a, "path").empty()) out.push_back(required(child(p, "path")));
      const auto& port = value_at(*a, "port");
      port_num_or_name(out, port.is_null() ? json::value(0) : port, child(p, "port"));
      enum_field(out, *a, "scheme", child(p, "scheme"), {"HTTP", "HTTPS"}, false);
    } else if (kind == "tcpSocket") {
      const auto& port = value_at(*a, "port");
      port_num_or_name(out, port.is_null() ? json::value(0) : port, child(p, "port"));
    } else if (kind == "grpc") {
      add_msgs(out, child(p, "port"), value_at(*a, "port"),
               port_num(int_at(*a, "port").value_or(0)));
    } else if (kind == "sleep") {
      auto s = int_at(*a, "seconds").value_or(0);
      if (s < 0)
        out.push_back(invalid(child(p, "seconds"), s, "must be greater than or equal to 0"));
    }
  }
  if (n == 0) out.push_back(required(path, "must specify a handler type"));
}

void validate_probe(Causes& out, const json::object& c, std::string_view k,
                    const std::string& cpath, bool must_succeed_once) {
  const auto* pr = obj_at(c, k);
  if (!pr) return;
  std::string p = child(cpath, k);
  validate_handler(out, *pr, p, {"exec", "httpGet", "tcpSocket", "grpc"});
  for (const char* f : {"initialDelaySeconds", "timeoutSeconds", "periodSeconds",
                        "successThreshold", "failureThreshold"})
    nonnegative(out, *pr, f, child(p, f));
  if (auto t = int_at(*pr, "terminationGracePeriodSeconds"); t && *t <= 0)
    out.push_back(invalid(child(p, "terminationGracePeriodSeconds"), *t, "must be greater than 0"));
  if (must_succeed_once) {
    auto st = int_at(*pr, "successThreshold");
    if (st && *st != 1) out.push_back(invalid(child(p, "successThreshold"), *st, "must be 1"));
  }
}

void validate_env(Causes& out, const json::object& c, const std::string& cpath) {
  if (const auto* env = arr_at(c, "env")) {
    for (size_t i = 0; i < env->size(); ++i) {
      const auto* e = (*env)[i].if_object();
      if (!e) continue;
      std::string p = idx(child(cpath, "env"), i);
      std::string name = str_or(*e, "name");
      if (name.empty())
        out.push_back(required(child(p, "name")));
      else
        add_msgs(out, child(p, "name"), json::value(name), env_var_name(name));
      const auto* vf = obj_at(*e, "valueFrom");
      if (!vf) continue;
      std::string vp = child(p, "valueFrom");
      int sources = 0;
      if (const auto* fr = obj_at(*vf, "fieldRef")) {
        sources++;
        field_selector(out, *fr, child(vp, "fieldRef"), kEnvFieldPaths);
      }
      if (const auto* rr = obj_at(*vf, "resourceFieldRef")) {
        sources++;
        enum_field(out, *rr, "resource", child(vp, "resourceFieldRef.resource"),
                   {"limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu",
                    "requests.ephemeral-storage", "requests.memory"},
                   true);
      }
      for (const char* ref : {"configMapKeyRef", "secretKeyRef"}) {
        const auto* kr = obj_at(*vf, ref);
        if (!kr) continue;
        sources++;
        std::string rp = child(vp, ref);
        std::string rn = str_or(*kr, "name");
        if (!rn.empty()) add_msgs(out, child(rp, "name"), json::value(rn), dns1123_subdomain(rn));
        std::string k = str_or(*kr, "key");
        if (k.empty())
          out.push_back(required(child(rp, "key")));
        else
          add_msgs(out, child(rp, "key"), json::value(k), config_map_key(k));
      }
      if (sources == 0)
        out.push_back(invalid(vp, "",
                              "must specify one of: `fieldRef`, `resourceFieldRef`, "
                              "`configMapKeyRef` or `secretKeyRef`"));
      else if (!str_or(*e, "value").empty())
        out.push_back(invalid(vp, "", "may not be specified when `value` is not empty"));
      else if (sources > 1)
        out.push_back(invalid(vp, "", "may not have more than one field specified at a time"));
    }
  }
  if (const auto* ef = arr_at(c, "envFrom")) {
    for (size_t i = 0; i < ef->size(); ++i) {
      const auto* e = (*ef)[i].if_object();
      if (!e) continue;
      std::string p = idx(child(cpath, "envFrom"), i);
      std::string prefix = str_or(*e, "prefix");
      if (!prefix.empty())
        add_msgs(out, child(p, "prefix"), json::value(prefix), env_var_name(prefix));
      int sources = 0;
      for (const char* ref : {"configMapRef", "secretRef"}) {
        const auto* r = obj_at(*e, ref);
        if (!r) continue;
        sources++;
        std::string rn = str_or(*r, "name");
        if (!rn.empty())
          add_msgs(out, child(child(p, ref), "name"), json::value(rn), dns1123_subdomain(rn));
      }
      if (sources == 0)
        out.push_back(invalid(child(cpath, "envFrom"), "",
                              "must specify one of: `configMapRef` or `secretRef`"));
      else if (sources > 1)
        out.push_back(invalid(child(cpath, "envFrom"), "",
                              "may not have more than one field specified at a time"));
    }
  }
}

}  // namespace

void validate_container(Causes& out, const json::object& c, const std::string& p, bool init,
                        bool host_network, const std::set<std::string>& volumes) {
  std::string image = str_or(c, "image");
  if (image.empty())
    out.push_back(required(child(p, "image")));
  else if (std::isspace(static_cast<unsigned char>(image.front())) ||
           std::isspace(static_cast<unsigned char>(image.back())))
    out.push_back(invalid(child(p, "image"), json::value(image),
                          "must not have leading or trailing whitespace"));
  if (const auto* ports = arr_at(c, "ports")) {
    std::set<std::string> port_names;
    for (size_t i = 0; i < ports->size(); ++i) {
      const auto* po = (*ports)[i].if_object();
      if (!po) continue;
      std::string pp = idx(child(p, "ports"), i);
      std::string name = str_or(*po, "name");
      if (!name.empty()) {
        auto msgs = iana_svc_name(name);
        if (!msgs.empty())
          add_msgs(out, child(pp, "name"), json::value(name), msgs);
        else if (!port_names.insert(name).second)
          out.push_back(duplicate(child(pp, "name"), json::value(name)));
      }
      int64_t cport = int_at(*po, "containerPort").value_or(0);
      if (cport == 0)
        out.push_back(required(child(pp, "containerPort")));
      else
        add_msgs(out, child(pp, "containerPort"), cport, port_num(cport));
      int64_t hport = int_at(*po, "hostPort").value_or(0);
      if (hport != 0) add_msgs(out, child(pp, "hostPort"), hport, port_num(hport));
      if (host_network && hport != 0 && cport != hport)
        out.push_back(invalid(child(pp, "containerPort"), cport,
                              "must match `hostPort` when `hostNetwork` is true"));
      enum_field(out, *po, "protocol", child(pp, "protocol"), {"SCTP", "TCP", "UDP"}, true);
      std::string hip = str_or(*po, "hostIP");
      if (!hip.empty() && !is_ip(hip))
        out.push_back(invalid(child(pp, "hostIP"), json::value(hip),
                              "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
    }
  }
  validate_env(out, c, p);
  if (const auto* mounts = arr_at(c, "volumeMounts")) {
    std::set<std::string> points;
    for (size_t i = 0; i < mounts->size(); ++i) {
      const auto* m = (*mounts)[i].if_object();
      if (!m) continue;
      std::string mp = idx(child(p, "volumeMounts"), i);
      std::string name = str_or(*m, "name"), path = str_or(*m, "mountPath");
      if (name.empty()) out.push_back(required(child(mp, "name")));
      if (!volumes.count(name)) out.push_back(not_found(child(mp, "name"), json::value(name)));
      if (path.empty()) out.push_back(required(child(mp, "mountPath")));
      if (!points.insert(path).second)
        out.push_back(invalid(child(mp, "mountPath"), json::value(path), "must be unique"));
      std::string sub = str_or(*m, "subPath");
      if (!sub.empty() && sub[0] == '/')
        out.push_back(invalid(child(mp, "subPath"), json::value(sub), "must be a relative path"));
      else if (sub == ".." || sub.rfind("../", 0) == 0 || sub.find("/..") != std::string::npos)
        out.push_back(invalid(child(mp, "subPath"), json::value(sub), "must not contain '..'"));
      enum_field(out, *m, "mountPropagation", child(mp, "mountPropagation"),
                 {"Bidirectional", "HostToContainer", "None"}, false);
    }
  }
  bool sidecar = init && str_or(c, "restartPolicy") == "Always";
  if (init && has(c, "restartPolicy"))
    enum_field(out, c, "restartPolicy", child(p, "restartPolicy"), {"Always"}, false);
  if (init && !sidecar) {
    for (const char* f : {"lifecycle", "livenessProbe", "readinessProbe", "startupProbe"})
      if (has(c, f))
        out.push_back(forbidden(child(p, f),
                                "may not be set for init containers without restartPolicy=Always"));
  } else {
    validate_probe(out, c, "livenessProbe", p, true);
    validate_probe(out, c, "readinessProbe", p, false);
    validate_probe(out, c, "startupProbe", p, true);
    if (const auto* lc = obj_at(c, "lifecycle"))
      for (const char* hook : {"postStart", "preStop"})
        if (const auto* h = obj_at(*lc, hook))
          validate_handler(out, *h, child(child(p, "lifecycle"), hook),
                           {"exec", "httpGet", "tcpSocket", "sleep"});
  }
  if (const auto* res = obj_at(c, "resources"))
    validate_resources(out, *res, child(p, "resources"));
  enum_field(out, c, "terminationMessagePolicy", child(p, "terminationMessagePolicy"),
             {"File", "FallbackToLogsOnError"}, false);
  if (c.contains("terminationMessagePolicy") && str_or(c, "terminationMessagePolicy").empty())
    out.push_back(required(child(p, "terminationMessagePolicy"),
                           "must be 'File' or 'FallbackToLogsOnError'"));
  enum_field(out, c, "imagePullPolicy", child(p, "imagePullPolicy"),
             {"Always", "IfNotPresent", "Never"}, c.contains("imagePullPolicy"));
}

void validate_resources(Causes& out, const json::object& res, const std::string& path) {
  auto check_list = [&](std::string_view list) {
    const auto* m = obj_at(res, list);
    if (!m) return;
    for (const auto& kv : *m) {
      std::string name(kv.key());
      std::string p = key(child(path, list), name);
      add_msgs(out, p, json::value(name), qualified_name(name));
      if (name.find('/') == std::string::npos) {
        if (name != "cpu" && name != "memory" && name != "ephemeral-storage" &&
            name.rfind("hugepages-", 0) != 0)
          out.push_back(
              invalid(p, json::value(name), "must be a standard resource for containers"));
      }
      std::string err;
      auto q = quantity_of(kv.value(), &err);
      if (!q)
        out.push_back(invalid(p, kv.value(), err));
      else if (*q < 0)
        out.push_back(invalid(p, json::value(quantity_text(kv.value())),
                              "must be greater than or equal to 0"));
    }
  };
  check_list("limits");
  check_list("requests");
  const auto* limits = obj_at(res, "limits");
  const auto* requests = obj_at(res, "requests");
  if (!requests) return;
  for (const auto& kv : *requests) {
    std::string name(kv.key());
    bool native = name.find('/') == std::string::npos || name.rfind("kubernetes.io/", 0) == 0;
    bool overcommit = native && name.rfind("hugepages-", 0) != 0;
    auto rq = quantity_of(kv.value());
    const json::value* lim = nullptr;
    if (limits)
      if (auto it = limits->find(name); it != limits->end()) lim = &it->value();
    if (lim) {
      auto lq = quantity_of(*lim);
      if (!rq || !lq) continue;
      if (!overcommit && *rq != *lq)
        out.push_back(invalid(child(path, "requests"), json::value(quantity_text(kv.value())),
                              "must be equal to " + name + " limit of " + quantity_text(*lim)));
      else if (*rq > *lq)
        out.push_back(
            invalid(child(path, "requests"), json::value(quantity_text(kv.value())),
                    "must be less than or equal to " + name + " limit of " + quantity_text(*lim)));
    } else if (!overcommit) {
      out.push_back(
          required(child(path, "limits"), "Limit must be set for non overcommitable resources"));
    }
  }
}

}  // namespace skiff::api::detail
