// Projected service-account tokens (see volume_token.h).
#include "agent/volume_token.h"

#include "common/time.h"

namespace skiff::agent {

bool token_needs_refresh(std::chrono::system_clock::time_point now,
                         std::chrono::system_clock::time_point expires, int64_t lifetime_seconds,
                         std::chrono::seconds jitter) {
  using std::chrono::seconds;
  const auto issued = expires - seconds(lifetime_seconds);
  if (now > issued + std::chrono::hours(24) - jitter) return true;
  return now > expires - seconds(lifetime_seconds * 20 / 100) - jitter;
}

bool projected_token(const json::object& pod, const json::object& source, const std::string& key,
                     const TokenRequester& request, ProjectedTokens& tokens, std::string* token,
                     std::string* err) {
  const int64_t lifetime = get_int(source, {"expirationSeconds"}, 3600);
  const std::string ns = get_string(pod, {"metadata", "namespace"}, "default");
  const std::string uid = get_string(pod, {"metadata", "uid"});
  json::object spec{{"expirationSeconds", lifetime},
                    {"boundObjectRef", json::object{{"apiVersion", "v1"},
                                                    {"kind", "Pod"},
                                                    {"name", get_string(pod, {"metadata", "name"})},
                                                    {"uid", uid}}}};
  if (auto aud = get_string(source, {"audience"}); !aud.empty())
    spec["audiences"] = json::array{json::value(aud)};
  const std::string want = json::serialize(spec);
  const auto now = std::chrono::system_clock::now();
  auto it = tokens.find(key);
  const bool have = it != tokens.end() && it->second.request == want && now < it->second.expires;
  // Up to 10 s earlier per pod and source, as upstream's token manager's jitter.
  const auto jitter = std::chrono::seconds(std::hash<std::string>{}(key + uid) % 10);
  if (!have || token_needs_refresh(now, it->second.expires, it->second.lifetime_seconds, jitter)) {
    Result<json::object> tr = ApiError::internal("no token requester (the agent has no API client)");
    if (request)
      tr = request(ns, get_string(pod, {"spec", "serviceAccountName"}, "default"),
                   json::object{{"apiVersion", "authentication.k8s.io/v1"},
                                {"kind", "TokenRequest"},
                                {"spec", spec}});
    std::string got = tr ? get_string(*tr, {"status", "token"}) : "";
    auto exp = tr ? parse_rfc3339(get_string(*tr, {"status", "expirationTimestamp"})) : std::nullopt;
    if (!got.empty() && exp) {
      tokens[key] = ProjectedToken{std::move(got), *exp, lifetime, want};
    } else if (!have) {
      *err = "failed to fetch token: " +
             (tr ? std::string("the answer has no token or expiration") : tr.error().message);
      return false;
    }
    // A failed renewal keeps the token it had: still valid, and retried on the next refresh.
  }
  *token = tokens[key].token;
  return true;
}

}  // namespace skiff::agent
