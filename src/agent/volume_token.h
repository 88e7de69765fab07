// The projected serviceAccountToken source of pod volumes (upstream's kubelet token manager):
// a token for the pod's account, bound to the pod, asked for through TokenRequest, kept between
// volume refreshes and renewed once 80% of its lifetime has passed.
#pragma once
#include <chrono>
#include <functional>
#include <map>
#include <string>

#include "common/api_error.h"
#include "common/json.h"

namespace skiff::agent {

// Asks the API for a service-account token (POST serviceaccounts/SA/token in NS with the
// TokenRequest `request`); answers the TokenRequest with status.token and
// status.expirationTimestamp, or the API's error.
using TokenRequester = std::function<Result<json::object>(
    const std::string& ns, const std::string& service_account, const json::object& request)>;

// Upstream's rule: a token is renewed once 80% of its lifetime has passed (or it is older than
// 24 h), with up to `jitter` earlier so many pods do not renew at once.
bool token_needs_refresh(std::chrono::system_clock::time_point now,
                         std::chrono::system_clock::time_point expires, int64_t lifetime_seconds,
                         std::chrono::seconds jitter = std::chrono::seconds(0));

// A token held for a source. Tokens live in memory only (and in the volume's tmpfs): a
// restarted agent asks for fresh ones.
struct ProjectedToken {
  std::string token;
  std::chrono::system_clock::time_point expires;
  int64_t lifetime_seconds = 0;
  std::string request;  // the serialized TokenRequest spec it answers (a spec change renews)
};
using ProjectedTokens = std::map<std::string, ProjectedToken>;  // by "<volume>/<path>"

// The token for `source` (a serviceAccountToken projection: path, audience, expirationSeconds)
// of `pod`, from `tokens[key]` or a new TokenRequest when there is none or it is due for
// renewal. A failed renewal keeps the old token while it is valid; with none, false and *err
// ("failed to fetch token: ...").
bool projected_token(const json::object& pod, const json::object& source, const std::string& key,
                     const TokenRequester& request, ProjectedTokens& tokens, std::string* token,
                     std::string* err);

}  // namespace skiff::agent
