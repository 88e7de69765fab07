// Authentication: who sent a request (upstream's authenticator union, in its order). A verified
// TLS client certificate (CN = user, O = groups) wins; else an `Authorization: Bearer` token
// must be a service-account token this server signed and that is still bound to live objects;
// else the request is anonymous. A bearer token that does not authenticate fails the request
// with 401 (upstream's FailOnError union: no fallback to anonymous).
//
// Service-account tokens (TokenAuthority) are minted by the TokenRequest subresource
// (POST .../serviceaccounts/NAME/token) and checked on every request against the store: the
// ServiceAccount must still exist with the uid in the token, and the bound Pod, Secret or Node
// too (an object whose deletion began more than 60 s ago no longer counts, as upstream, so a
// pod shutting down gracefully can still reach the API).
//
// Thread safety: TokenAuthority is immutable after construction; all methods may be called
// concurrently.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "apiserver/object_store.h"
#include "common/api_error.h"
#include "common/json.h"
#include "net/http.h"
#include "pki/jwt.h"

namespace skiff::apiserver {

// upstream's user.Info. An empty name is the anonymous user.
struct UserInfo {
  std::string name;
  std::string uid;
  std::vector<std::string> groups;
  std::map<std::string, std::vector<std::string>> extra;
  bool anonymous() const { return name.empty(); }
  // authentication.k8s.io/v1 UserInfo (SelfSubjectReview's status.userInfo).
  json::object to_json() const;
};

inline constexpr const char* kDefaultIssuer = "https://kubernetes.default.svc.cluster.local";

class TokenAuthority {
 public:
  // issuer: the iss of every token (--service-account-issuer); api_audiences: the audiences a
  // bearer token must carry one of, and the default of a TokenRequest (--api-audiences).
  TokenAuthority(ObjectStore& objects, const pki::RsaKeyPem& key, std::string issuer,
                 std::vector<std::string> api_audiences);

  // POST /api/v1/namespaces/NS/serviceaccounts/NAME/token: the TokenRequest answered with
  // status.token and status.expirationTimestamp. 404 when the account (or the bound object)
  // is missing, 422 for a bad spec, 400 for an unsupported bound kind, 409 on a uid mismatch.
  Result<json::object> issue(const std::string& ns, const std::string& name,
                             const json::object& token_request);
  // The user a bearer token stands for; 401 when it is not a valid token of ours.
  Result<UserInfo> authenticate(std::string_view token);

  const std::vector<std::string>& api_audiences() const { return audiences_; }

 private:
  ObjectStore& objects_;
  pki::JwtSigner signer_;
  pki::JwtVerifier verifier_;
  std::string issuer_;
  std::vector<std::string> audiences_;
};

// The request's user: the client certificate's, else the bearer token's (tokens may be null:
// then any bearer token is refused), else anonymous. 401 for a bad token.
Result<UserInfo> authenticate(const net::Request& req, TokenAuthority* tokens);

}  // namespace skiff::apiserver
