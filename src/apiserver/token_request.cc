// The authentication endpoints: serviceaccounts/token (TokenRequest, what `kubectl create
// token` and the kubelet call) and authentication.k8s.io/v1 selfsubjectreviews (`kubectl auth
// whoami`). The tokens themselves are authn.cc's.
#include "apiserver/handler.h"

namespace skiff::apiserver {

void ApiHandler::handle_token_request(net::Request& req, const RequestInfo& info,
                                      net::ResponseWriter& w) {
  if (info.verb != "create")
    return write_error(w, ApiError::method_not_allowed("the token subresource supports create only"));
  if (!tokens_)
    return write_error(w, ApiError::method_not_allowed("service-account tokens are not enabled"));
  json::object body;
  if (!req.body.empty()) {
    auto b = decode_body(req);
    if (!b) return write_error(w, b.error());
    body = std::move(*b);
  }
  auto kind = get_string(body, {"kind"}), av = get_string(body, {"apiVersion"});
  if ((!kind.empty() && kind != "TokenRequest") ||
      (!av.empty() && av != "authentication.k8s.io/v1"))
    return write_error(w, ApiError::bad_request("expected authentication.k8s.io/v1 TokenRequest, "
                                                "got " + av + " " + kind));
  auto dry = parse_dry_run(req);
  if (!dry) return write_error(w, dry.error());
  auto out = tokens_->issue(info.namespace_, info.name, body);
  if (!out) return write_error(w, out.error());
  if (*dry) ensure_object(*out, "status")["token"] = "";  // as upstream: no token on a dry run
  write_json(w, 201, *out);
}

// Served in v1, v1beta1 and v1alpha1 (the same object in each): kubectl 1.27's `auth whoami`
// knows only the alpha version, 1.28+ try v1 first.
void ApiHandler::handle_self_subject_review(net::Request& req, const RequestInfo& info,
                                            const UserInfo& user, net::ResponseWriter& w) {
  if (info.version != "v1" && info.version != "v1beta1" && info.version != "v1alpha1")
    return write_error(w, ApiError::no_such_path());
  if (req.method != "POST")
    return write_error(w, ApiError::method_not_allowed("selfsubjectreviews supports create only"));
  write_json(w, 201,
             json::object{{"kind", "SelfSubjectReview"},
                          {"apiVersion", "authentication.k8s.io/" + info.version},
                          {"metadata", json::object{{"creationTimestamp", nullptr}}},
                          {"status", json::object{{"userInfo", user.to_json()}}}});
}

}  // namespace skiff::apiserver
