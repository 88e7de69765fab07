// The ServiceAccount controller (upstream pkg/controller/serviceaccount): every active namespace
// has a ServiceAccount named `default`, created with the namespace and recreated if deleted.
// Tokens are not minted here (no token controller yet).
#include "common/log.h"
#include "controllers/services.h"

namespace skiff::controllers {
namespace {
using client::ObjectPtr;
constexpr const char* kDefaultServiceAccount = "default";
}  // namespace

ServiceAccountController::ServiceAccountController(client::Client& c, InformerFactory& inf,
                                                   int workers)
    : QueueController("serviceaccount", workers),
      client_(c),
      namespaces_(inf.get("", "namespaces")),
      serviceaccounts_(inf.get("", "serviceaccounts")) {
  auto ns_key = [this](const ObjectPtr& o) { enqueue(name_of(*o)); };
  namespaces_.add_handlers(client::Handlers{
      ns_key, [ns_key](const ObjectPtr&, const ObjectPtr& o) { ns_key(o); }, nullptr});
  serviceaccounts_.add_handlers(client::Handlers{nullptr, nullptr, [this](const ObjectPtr& sa) {
                                                   if (name_of(*sa) == kDefaultServiceAccount)
                                                     enqueue(ns_of(*sa));
                                                 }});
}

Status ServiceAccountController::sync(const std::string& ns) {
  ObjectPtr nsobj = namespaces_.get(ns);
  if (!nsobj || find_path(*nsobj, {"metadata", "deletionTimestamp"})) return ok_status();
  const std::string phase = get_string(*nsobj, {"status", "phase"});
  if (!phase.empty() && phase != "Active") return ok_status();
  if (serviceaccounts_.get(ns + "/" + kDefaultServiceAccount)) return ok_status();
  json::object sa{{"apiVersion", "v1"},
                  {"kind", "ServiceAccount"},
                  {"metadata", json::object{{"name", kDefaultServiceAccount}, {"namespace", ns}}}};
  auto r = client_.create(resource("", "serviceaccounts"), ns, sa);
  // 409: it exists and our cache is behind; 403/404: the namespace is going or gone.
  if (!r && r.error().code != 409 && r.error().code != 403 && r.error().code != 404)
    return r.error();
  return ok_status();
}

}  // namespace skiff::controllers
