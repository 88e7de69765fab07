// Authentication and service-account tokens (see authn.h). Claims follow upstream's
// pkg/serviceaccount/claims.go: iss, sub, aud, exp, iat, nbf, jti and the private
// "kubernetes.io" claim naming the namespace, the account and the bound object.
#include "apiserver/authn.h"

#include <strings.h>

#include <chrono>

#include "common/log.h"
#include "common/time.h"
#include "common/uuid.h"

namespace skiff::apiserver {
namespace {
constexpr int64_t kMinExpirationSeconds = 600;          // upstream: 10 minutes
constexpr int64_t kMaxExpirationSeconds = 1LL << 32;    // upstream: 2^32 seconds
constexpr int64_t kDeletedGraceSeconds = 60;            // upstream's validator: the leeway
constexpr const char* kSaPrefix = "system:serviceaccount:";

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(Clock::now().time_since_epoch()).count();
}

const api::ResourceInfo& core(const char* resource) { return *api::find_resource("", "v1", resource); }

// {name, uid} of a claim's object reference.
json::object ref_claim(const json::object& obj) {
  return {{"name", get_string(obj, {"metadata", "name"})},
          {"uid", get_string(obj, {"metadata", "uid"})}};
}
}  // namespace

json::object UserInfo::to_json() const {
  json::object o{{"username", name}};
  if (!uid.empty()) o["uid"] = uid;
  json::array g;
  for (const auto& s : groups) g.push_back(json::value(s));
  o["groups"] = std::move(g);
  if (!extra.empty()) {
    json::object e;
    for (const auto& [k, vs] : extra) {
      json::array a;
      for (const auto& v : vs) a.push_back(json::value(v));
      e[k] = std::move(a);
    }
    o["extra"] = std::move(e);
  }
  return o;
}

TokenAuthority::TokenAuthority(ObjectStore& objects, const pki::RsaKeyPem& key,
                               std::string issuer, std::vector<std::string> api_audiences)
    : objects_(objects),
      signer_(key.private_pem),
      verifier_(key.public_pem),
      issuer_(std::move(issuer)),
      audiences_(std::move(api_audiences)) {}

Result<json::object> TokenAuthority::issue(const std::string& ns, const std::string& name,
                                           const json::object& request) {
  json::object spec;
  if (const auto* s = request.if_contains("spec"); s && s->is_object()) spec = s->get_object();
  std::vector<std::string> auds;
  if (const auto* a = spec.if_contains("audiences"); a && a->is_array())
    for (const auto& v : a->get_array())
      if (v.is_string() && !v.get_string().empty()) auds.emplace_back(v.get_string());
  if (auds.empty()) auds = audiences_;
  int64_t expiration = get_int(spec, {"expirationSeconds"}, 3600);
  std::vector<FieldCause> causes;
  if (expiration < kMinExpirationSeconds)
    causes.push_back(invalid("spec.expirationSeconds", json::value(expiration),
                             "may not specify a duration less than 10 minutes"));
  if (expiration > kMaxExpirationSeconds)
    causes.push_back(invalid("spec.expirationSeconds", json::value(expiration),
                             "may not specify a duration larger than 2^32 seconds"));
  if (!causes.empty())
    return ApiError::invalid("TokenRequest", "", "authentication.k8s.io", std::move(causes));

  auto sa = objects_.get(core("serviceaccounts"), ns, name);
  if (!sa) return sa.error();
  json::object k8s{{"namespace", ns}, {"serviceaccount", ref_claim(*sa)}};

  json::object out_ref;
  if (const auto* ref = spec.if_contains("boundObjectRef"); ref && ref->is_object()) {
    const json::object& r = ref->get_object();
    std::string kind = get_string(r, {"kind"}), api_version = get_string(r, {"apiVersion"});
    std::string obj_name = get_string(r, {"name"}), want_uid = get_string(r, {"uid"});
    if (api_version != "v1" || (kind != "Pod" && kind != "Secret" && kind != "Node"))
      return ApiError::bad_request("cannot bind token to object of type " +
                                   (api_version.empty() ? std::string("/") : api_version + ", ") +
                                   "Kind=" + kind);
    auto obj = kind == "Pod"      ? objects_.get(core("pods"), ns, obj_name)
               : kind == "Secret" ? objects_.get(core("secrets"), ns, obj_name)
                                  : objects_.get(core("nodes"), "", obj_name);
    if (!obj) return obj.error();
    if (kind == "Pod" && get_string(*obj, {"spec", "serviceAccountName"}) != name)
      return ApiError::bad_request("cannot bind token for serviceaccount \"" + name +
                                   "\" to pod running with different serviceaccount name.");
    std::string uid = get_string(*obj, {"metadata", "uid"});
    if (!want_uid.empty() && want_uid != uid)
      return ApiError::conflict(kind, obj_name,
                                "the UID in the bound object reference (" + want_uid +
                                    ") does not match the UID in record. The object might have "
                                    "been deleted and then recreated");
    std::string claim = kind == "Pod" ? "pod" : kind == "Secret" ? "secret" : "node";
    k8s[claim] = ref_claim(*obj);
    // A pod-bound token also names the pod's node (upstream's ServiceAccountTokenPodNodeInfo).
    if (kind == "Pod")
      if (auto node_name = get_string(*obj, {"spec", "nodeName"}); !node_name.empty())
        if (auto node = objects_.get(core("nodes"), "", node_name)) k8s["node"] = ref_claim(*node);
    out_ref = r;
    out_ref["uid"] = uid;
  }

  const int64_t now = unix_now();
  const std::string jti = new_uuid();
  json::array aud;
  for (const auto& a : auds) aud.push_back(json::value(a));
  json::object claims{{"iss", issuer_},
                      {"sub", kSaPrefix + ns + ":" + name},
                      {"aud", aud},
                      {"exp", now + expiration},
                      {"iat", now},
                      {"nbf", now},
                      {"jti", jti},
                      {"kubernetes.io", std::move(k8s)}};
  json::object out_spec{{"audiences", std::move(aud)}, {"expirationSeconds", expiration}};
  if (!out_ref.empty()) out_spec["boundObjectRef"] = std::move(out_ref);
  return json::object{
      {"kind", "TokenRequest"},
      {"apiVersion", "authentication.k8s.io/v1"},
      {"metadata", json::object{{"name", name}, {"namespace", ns}, {"creationTimestamp", nullptr}}},
      {"spec", std::move(out_spec)},
      {"status",
       json::object{{"token", signer_.sign(claims)},
                    {"expirationTimestamp",
                     format_rfc3339(Clock::time_point(std::chrono::seconds(now + expiration)))}}}};
}

Result<UserInfo> TokenAuthority::authenticate(std::string_view token) {
  auto claims = verifier_.verify(token, {issuer_, audiences_, unix_now()});
  if (!claims) return claims.error();
  auto bad = [](const std::string& why) { return ApiError::unauthorized("invalid bearer token, " + why); };
  const json::value* k8s_v = claims->if_contains("kubernetes.io");
  if (!k8s_v || !k8s_v->is_object()) return bad("no kubernetes.io claim (legacy tokens are not accepted)");
  const json::object& k8s = k8s_v->get_object();
  const std::string ns = get_string(k8s, {"namespace"});
  const std::string name = get_string(k8s, {"serviceaccount", "name"});
  if (ns.empty() || name.empty() || get_string(*claims, {"sub"}) != kSaPrefix + ns + ":" + name)
    return bad("subject does not match the kubernetes.io claim");
  // Objects whose deletion began more than the leeway ago count as gone (upstream's rule: a
  // pod shutting down gracefully keeps its access for a minute).
  auto deleted = [](const json::object& obj) {
    auto ts = parse_rfc3339(get_string(obj, {"metadata", "deletionTimestamp"}));
    return ts && *ts + std::chrono::seconds(kDeletedGraceSeconds) < Clock::now();
  };
  auto sa = objects_.get(core("serviceaccounts"), ns, name);
  if (!sa || get_string(*sa, {"metadata", "uid"}) != get_string(k8s, {"serviceaccount", "uid"}) ||
      deleted(*sa))
    return bad("service account " + ns + "/" + name + " has been deleted");
  UserInfo u{kSaPrefix + ns + ":" + name, get_string(*sa, {"metadata", "uid"}),
             {"system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"},
             {}};
  // The bound object must still be the one the token was made for.
  auto check = [&](const char* claim, const char* resource, const std::string& obj_ns) -> Status {
    const json::value* ref = k8s.if_contains(claim);
    if (!ref) return ok_status();
    auto obj_name = get_string(*ref, {"name"});
    auto obj = objects_.get(core(resource), obj_ns, obj_name);
    if (!obj || get_string(*obj, {"metadata", "uid"}) != get_string(*ref, {"uid"}) || deleted(*obj))
      return bad(std::string(claim) + " " + obj_name + " has been deleted");
    return ok_status();
  };
  if (auto st = check("pod", "pods", ns); !st) return st.error();
  if (auto st = check("secret", "secrets", ns); !st) return st.error();
  // A node-bound token needs its node; a pod-bound one only names the pod's node.
  if (!k8s.contains("pod"))
    if (auto st = check("node", "nodes", ""); !st) return st.error();
  if (auto* pod = k8s.if_contains("pod")) {
    u.extra["authentication.kubernetes.io/pod-name"] = {get_string(*pod, {"name"})};
    u.extra["authentication.kubernetes.io/pod-uid"] = {get_string(*pod, {"uid"})};
  }
  if (auto* node = k8s.if_contains("node")) {
    u.extra["authentication.kubernetes.io/node-name"] = {get_string(*node, {"name"})};
    u.extra["authentication.kubernetes.io/node-uid"] = {get_string(*node, {"uid"})};
  }
  if (auto jti = get_string(*claims, {"jti"}); !jti.empty())
    u.extra["authentication.kubernetes.io/credential-id"] = {"JTI=" + jti};
  return u;
}

Result<UserInfo> authenticate(const net::Request& req, TokenAuthority* tokens) {
  if (!req.cert_user.empty()) {
    UserInfo u{req.cert_user, "", req.cert_groups, {}};
    u.groups.push_back("system:authenticated");
    return u;
  }
  std::string auth = req.header("authorization");
  if (auth.empty()) return UserInfo{};
  // The scheme is case-insensitive (RFC 7235); an empty token is no credential, as upstream.
  if (auth.size() < 7 || strncasecmp(auth.c_str(), "bearer ", 7) != 0) return UserInfo{};
  std::string_view token = std::string_view(auth).substr(7);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  if (token.empty()) return UserInfo{};
  if (!tokens) return ApiError::unauthorized();
  auto u = tokens->authenticate(token);
  if (!u) {
    SKIFF_LOG(DEBUG) << "bearer token refused from " << req.remote_addr << ": " << u.error().message;
    return ApiError::unauthorized();  // the reason stays in the log, as upstream's
  }
  return u;
}

}  // namespace skiff::apiserver
