// The root CA publisher (upstream pkg/controller/certificates/rootcacertpublisher): every
// namespace has a ConfigMap `kube-root-ca.crt` whose `ca.crt` is the cluster CA, so a pod can
// verify https://kubernetes.default.svc (the ServiceAccount admission plugin projects it into
// every pod's kube-api-access volume). Recreated when deleted, repaired when edited.
#include "controllers/services.h"

namespace skiff::controllers {
namespace {
using client::ObjectPtr;
constexpr const char* kDescriptionAnnotation = "kubernetes.io/description";
constexpr const char* kDescription =
    "Contains a CA bundle that can be used to verify the kube-apiserver when using internal "
    "endpoints such as the internal service IP or kubernetes.default.svc. No other usage is "
    "guaranteed across distributions of Kubernetes clusters.";
}  // namespace

RootCAPublisher::RootCAPublisher(client::Client& c, InformerFactory& inf, std::string root_ca,
                                 int workers)
    : QueueController("root-ca-cert-publisher", workers),
      client_(c),
      root_ca_(std::move(root_ca)),
      namespaces_(inf.get("", "namespaces")),
      configmaps_(inf.get("", "configmaps")) {
  auto ns_key = [this](const ObjectPtr& o) { enqueue(name_of(*o)); };
  namespaces_.add_handlers(client::Handlers{
      ns_key, [ns_key](const ObjectPtr&, const ObjectPtr& o) { ns_key(o); }, nullptr});
  auto cm_key = [this](const ObjectPtr& cm) {
    if (name_of(*cm) == kRootCAConfigMap) enqueue(ns_of(*cm));
  };
  configmaps_.add_handlers(client::Handlers{
      nullptr, [cm_key](const ObjectPtr&, const ObjectPtr& o) { cm_key(o); }, cm_key});
}

Status RootCAPublisher::sync(const std::string& ns) {
  if (root_ca_.empty()) return ok_status();
  ObjectPtr nsobj = namespaces_.get(ns);
  if (!nsobj || find_path(*nsobj, {"metadata", "deletionTimestamp"})) return ok_status();
  json::object data{{"ca.crt", root_ca_}};
  ObjectPtr cm = configmaps_.get(ns + "/" + kRootCAConfigMap);
  if (!cm) {
    json::object obj{
        {"apiVersion", "v1"},
        {"kind", "ConfigMap"},
        {"metadata", json::object{{"name", kRootCAConfigMap},
                                  {"namespace", ns},
                                  {"annotations",
                                   json::object{{kDescriptionAnnotation, kDescription}}}}},
        {"data", data}};
    auto r = client_.create(resource("", "configmaps"), ns, obj);
    // 409: our cache is behind (the update path repairs it next time); 403/404: the namespace
    // is going or gone, nothing to retry.
    if (!r && r.error().code != 409 && r.error().code != 403 && r.error().code != 404)
      return r.error();
    return ok_status();
  }
  const json::value* have = cm->if_contains("data");
  if (have && *have == json::value(data) &&
      !get_string(*cm, {"metadata", "annotations", kDescriptionAnnotation}).empty())
    return ok_status();
  json::object fixed = *cm;
  fixed["data"] = data;
  ensure_object(ensure_object(fixed, "metadata"), "annotations")[kDescriptionAnnotation] =
      kDescription;
  auto r = client_.update(resource("", "configmaps"), ns, kRootCAConfigMap, fixed);
  if (!r && r.error().code != 404) return r.error();  // 409 retries with a fresher cache
  return ok_status();
}

}  // namespace skiff::controllers
