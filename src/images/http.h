// Private to src/images: a small blocking HTTP/1.1 client for registries (plain HTTP and HTTPS
// with the system's CA store, SNI and host-name checks), with deadlines, redirects and bodies
// streamed to a callback. One connection per request: registry traffic is a handful of large
// transfers, not many small ones.
#pragma once
#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace skiff::images {

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // http[s]://host[:port]/path?query
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names; repeated names joined by ", "
  std::string body;                            // empty when streamed to a sink
  std::string url;                             // the final URL after redirects
};

struct HttpOptions {
  std::chrono::milliseconds timeout{30000};  // per step (connect, handshake, each read)
  bool insecure_skip_verify = false;
  std::string ca_file;  // extra CA bundle (PEM); the system store is always used too
  int max_redirects = 5;
};

// Called with each chunk of a 2xx response body; when absent the body lands in resp.body.
using BodySink = std::function<void(const char* data, size_t n)>;

// Sends `req`, following redirects (GET/HEAD only; the Authorization header is dropped when the
// redirect goes to another host). Throws ImageError(kRegistry) on transport failures.
HttpResponse http_request(const HttpRequest& req, const HttpOptions& opts = {},
                          const BodySink& sink = {});

// Percent-encodes a query component.
std::string url_encode(const std::string& s);

}  // namespace skiff::images
