#include "addons/coredns.h"

#include "api/resources.h"
#include "common/log.h"
#include "images/system_image.h"

namespace skiff::addons {
namespace {

constexpr const char* kNamespace = "kube-system";

json::object meta(const char* name, json::object labels) {
  labels["addonmanager.kubernetes.io/mode"] = "EnsureExists";
  return json::object{{"name", name}, {"namespace", kNamespace}, {"labels", std::move(labels)}};
}

json::object port(const char* name, int p, const char* proto) {
  return json::object{{"name", name}, {"port", p}, {"protocol", proto}};
}

json::object container_port(const char* name, int p, const char* proto) {
  return json::object{{"name", name}, {"containerPort", p}, {"protocol", proto}};
}

json::object http_probe(const char* path, int p) {
  return json::object{{"httpGet", json::object{{"path", path}, {"port", p}, {"scheme", "HTTP"}}}};
}

}  // namespace

json::object coredns_service_account() {
  return json::object{{"apiVersion", "v1"},
                      {"kind", "ServiceAccount"},
                      {"metadata", meta("coredns", json::object{})}};
}

json::object coredns_deployment(const DnsAddonOptions& o) {
  json::object liveness = http_probe("/health", 8080);
  // upstream's values: a minute before the first check, five misses before a restart
  liveness["initialDelaySeconds"] = 60;
  liveness["timeoutSeconds"] = 5;
  liveness["failureThreshold"] = 5;
  json::object readiness = http_probe("/ready", 8181);
  readiness["periodSeconds"] = 2;
  json::object container{
      {"name", "coredns"},
      {"image", o.image},
      // The image is assembled by each node from its own binary, never pulled.
      {"imagePullPolicy", "Never"},
      {"command", json::array{"/usr/bin/skiff", "dns"}},
      {"args", json::array{"--cluster-domain", json::value(o.cluster_domain), "--listen", "0.0.0.0:53",
                           "--health", ":8080", "--ready", ":8181", "--metrics", ":9153"}},
      {"ports", json::array{container_port("dns", 53, "UDP"), container_port("dns-tcp", 53, "TCP"),
                            container_port("metrics", 9153, "TCP")}},
      {"resources", json::object{{"requests", json::object{{"cpu", "100m"}, {"memory", "70Mi"}}},
                                 {"limits", json::object{{"memory", "170Mi"}}}}},
      {"livenessProbe", liveness},
      {"readinessProbe", readiness},
      {"securityContext",
       json::object{{"allowPrivilegeEscalation", false},
                    {"readOnlyRootFilesystem", true},
                    {"capabilities", json::object{{"add", json::array{"NET_BIND_SERVICE"}},
                                                  {"drop", json::array{"ALL"}}}}}}};
  json::object anti{
      {"preferredDuringSchedulingIgnoredDuringExecution",
       json::array{json::object{
           {"weight", 100},
           {"podAffinityTerm",
            json::object{{"labelSelector",
                          json::object{{"matchExpressions",
                                        json::array{json::object{{"key", "k8s-app"},
                                                                 {"operator", "In"},
                                                                 {"values", json::array{"kube-dns"}}}}}}},
                         {"topologyKey", "kubernetes.io/hostname"}}}}}}};
  json::object pod_spec{
      {"serviceAccountName", "coredns"},
      {"priorityClassName", "system-cluster-critical"},
      // The node's resolvers: the DNS server must not ask itself for names outside the cluster.
      {"dnsPolicy", "Default"},
      {"nodeSelector", json::object{{"kubernetes.io/os", "linux"}}},
      {"affinity", json::object{{"podAntiAffinity", anti}}},
      {"tolerations", json::array{json::object{{"key", "CriticalAddonsOnly"}, {"operator", "Exists"}},
                                  json::object{{"key", "node-role.kubernetes.io/control-plane"},
                                               {"effect", "NoSchedule"}}}},
      {"containers", json::array{container}}};
  json::object labels{{"k8s-app", "kube-dns"}};
  return json::object{
      {"apiVersion", "apps/v1"},
      {"kind", "Deployment"},
      {"metadata", meta("coredns", labels)},
      {"spec", json::object{{"replicas", 2},
                            {"selector", json::object{{"matchLabels", labels}}},
                            {"strategy", json::object{{"type", "RollingUpdate"},
                                                      {"rollingUpdate", json::object{{"maxUnavailable", 1}}}}},
                            {"template", json::object{{"metadata", json::object{{"labels", labels}}},
                                                      {"spec", pod_spec}}}}}};
}

json::object kube_dns_service(const DnsAddonOptions& o) {
  json::object m = meta("kube-dns", json::object{{"k8s-app", "kube-dns"},
                                                 {"kubernetes.io/cluster-service", "true"},
                                                 {"kubernetes.io/name", "CoreDNS"}});
  m["annotations"] = json::object{{"prometheus.io/port", "9153"}, {"prometheus.io/scrape", "true"}};
  return json::object{
      {"apiVersion", "v1"},
      {"kind", "Service"},
      {"metadata", m},
      {"spec", json::object{{"selector", json::object{{"k8s-app", "kube-dns"}}},
                            {"clusterIP", o.cluster_dns},
                            {"ports", json::array{port("dns", 53, "UDP"), port("dns-tcp", 53, "TCP"),
                                                  port("metrics", 9153, "TCP")}}}}};
}

Status ensure_dns_addon(client::Client& c, const DnsAddonOptions& o) {
  struct Want {
    const char* group;
    const char* version;
    const char* resource;
    json::object obj;
  };
  const Want wants[] = {{"", "v1", "serviceaccounts", coredns_service_account()},
                        {"", "v1", "services", kube_dns_service(o)},
                        {"apps", "v1", "deployments", coredns_deployment(o)}};
  for (const auto& w : wants) {
    const auto& r = *api::find_resource(w.group, w.version, w.resource);
    const std::string name = get_string(w.obj, {"metadata", "name"});
    auto cur = c.get(r, kNamespace, name);
    if (!cur) {
      if (cur.error().code != 404) return cur.error();
      auto res = c.create(r, kNamespace, w.obj);
      if (!res && res.error().code != 409) return res.error();
      if (res) {
        SKIFF_LOG(INFO) << "addons: created " << w.resource << "/" << name << " in kube-system";
      }
      continue;
    }
    if (std::string(w.resource) != "deployments") continue;
    // A system image of another binary (this server was upgraded): point at ours.
    const auto* cs = find_path(*cur, {"spec", "template", "spec", "containers"});
    if (!cs || !cs->is_array()) continue;
    const std::string prefix = std::string(images::kSystemImageName) + ":";
    for (const auto& ct : cs->get_array()) {
      const std::string image = get_string(ct, {"image"});
      if (image.rfind(prefix, 0) != 0 || image == o.image) continue;
      json::object patch{{"spec", json::object{{"template", json::object{{"spec", json::object{
          {"containers", json::array{json::object{{"name", get_string(ct, {"name"})}, {"image", o.image}}}}}}}}}}};
      auto res = c.patch(r, kNamespace, name, "application/strategic-merge-patch+json", patch);
      if (!res) return res.error();
      SKIFF_LOG(INFO) << "addons: deployments/" << name << " now runs " << o.image << " (was " << image << ")";
    }
  }
  return ok_status();
}

DnsAddon::DnsAddon(client::Client& c, DnsAddonOptions o, std::chrono::seconds period)
    : client_(c), opts_(std::move(o)), period_(period) {}

DnsAddon::~DnsAddon() { stop(); }

void DnsAddon::start() { thread_ = std::thread([this] { loop(); }); }

void DnsAddon::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void DnsAddon::loop() {
  std::unique_lock lock(mu_);
  std::string last_error;
  while (!stopping_) {
    lock.unlock();
    auto st = ensure_dns_addon(client_, opts_);
    // One line per new problem, not one a minute.
    if (!st && st.error().message != last_error) {
      SKIFF_LOG(WARN) << "addons: dns: " << st.error().message;
    }
    last_error = st ? "" : st.error().message;
    lock.lock();
    // A failed pass retries sooner: the API may still be starting its controllers.
    cv_.wait_for(lock, st ? period_ : std::chrono::seconds(5), [this] { return stopping_; });
  }
}

}  // namespace skiff::addons
