// Client: JSON over a pool of keep-alive HTTPS connections (see client.h).
#include "client/client.h"

#include <boost/asio/ssl/context.hpp>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "client/http_conn.h"
#include "client/token_file.h"

namespace skiff::client {
using namespace std::chrono_literals;
using detail::HttpConn;
using detail::HttpResponse;

namespace {
constexpr auto kConnectTimeout = 10s;
constexpr auto kRequestTimeout = 60s;

std::string reason_for_code(int code) {
  switch (code) {
    case 400: return "BadRequest";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "NotFound";
    case 405: return "MethodNotAllowed";
    case 406: return "NotAcceptable";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 413: return "RequestEntityTooLarge";
    case 415: return "UnsupportedMediaType";
    case 422: return "Invalid";
    case 429: return "TooManyRequests";
    case 500: return "InternalError";
    case 503: return "ServiceUnavailable";
    case 504: return "Timeout";
    default: return "Unknown";
  }
}

ApiError error_from_response(int status, const std::string& body) {
  json::value v;
  std::string perr;
  if (parse_json(body, v, perr) && v.is_object() && get_string(v, {"kind"}) == "Status")
    return api_error_from_status(v.as_object(), status);
  ApiError e;
  e.code = status;
  e.reason = reason_for_code(status);
  std::string text = body;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
    text.pop_back();
  e.message = text.empty() ? "the server responded with status " + std::to_string(status) : text;
  return e;
}

void add_param(std::string& q, const char* key, const std::string& value) {
  if (value.empty()) return;
  q += q.empty() ? '?' : '&';
  q += key;
  q += '=';
  q += detail::url_encode(value);
}

std::string list_query(const ListOptions& o, bool watch) {
  std::string q;
  add_param(q, "labelSelector", o.label_selector);
  add_param(q, "fieldSelector", o.field_selector);
  if (o.limit > 0 && !watch) add_param(q, "limit", std::to_string(o.limit));
  if (!watch) add_param(q, "continue", o.continue_token);
  add_param(q, "resourceVersion", o.resource_version);
  if (watch) {
    add_param(q, "watch", "1");
    if (o.timeout_seconds > 0) add_param(q, "timeoutSeconds", std::to_string(o.timeout_seconds));
    if (o.allow_bookmarks) add_param(q, "allowWatchBookmarks", "true");
  }
  return q;
}
}  // namespace

ApiError api_error_from_status(const json::object& st, int http_code) {
  ApiError e;
  e.code = static_cast<int>(get_int(st, {"code"}, http_code));
  if (e.code == 0) e.code = http_code ? http_code : 500;
  e.reason = get_string(st, {"reason"});
  if (e.reason.empty()) e.reason = reason_for_code(e.code);
  e.message = get_string(st, {"message"});
  e.name = get_string(st, {"details", "name"});
  e.group = get_string(st, {"details", "group"});
  e.kind = get_string(st, {"details", "kind"});
  e.retry_after_seconds = static_cast<int>(get_int(st, {"details", "retryAfterSeconds"}));
  if (auto* causes = find_path(st, {"details", "causes"}); causes && causes->is_array()) {
    for (const auto& c : causes->as_array()) {
      if (!c.is_object()) continue;
      e.causes.push_back(FieldCause{get_string(c, {"reason"}), get_string(c, {"field"}),
                                    get_string(c, {"message"})});
    }
  }
  return e;
}

// Pool state is guarded by mu; a connection taken from `idle` is owned by one request until it
// is returned. Declared before the connections so the TLS context outlives them.
struct Client::Impl {
  Config cfg;
  detail::Endpoint ep;
  std::string config_error;  // set when the Config is unusable; every request fails with it
  std::shared_ptr<boost::asio::ssl::context> tls_ctx;
  detail::RequestHeaders headers;

  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::unique_ptr<HttpConn>> idle;  // guarded by mu
  int open = 0;                                 // connections handed out or idle; guarded by mu

  explicit Impl(Config c) : cfg(std::move(c)) {
    if (cfg.max_connections < 1) cfg.max_connections = 1;
    headers.user_agent = cfg.user_agent;
    headers.token = cfg.token;
    if (!cfg.token_file.empty()) headers.token_file = std::make_shared<TokenFile>(cfg.token_file);
    std::string err;
    if (!detail::parse_server_url(cfg.server, ep, &err)) {
      config_error = err;
      return;
    }
    if (ep.tls) {
      try {
        tls_ctx = detail::make_tls_context(cfg.ca_pem, cfg.cert_pem, cfg.key_pem);
      } catch (const std::exception& ex) {
        config_error = ex.what();
      }
    }
  }

  std::unique_ptr<HttpConn> new_conn() {
    return std::make_unique<HttpConn>(ep, tls_ctx, !cfg.ca_pem.empty(), headers);
  }

  std::unique_ptr<HttpConn> acquire() {
    std::unique_lock lk(mu);
    cv.wait(lk, [&] { return !idle.empty() || open < cfg.max_connections; });
    if (!idle.empty()) {
      auto c = std::move(idle.back());
      idle.pop_back();
      return c;
    }
    ++open;
    lk.unlock();
    return new_conn();
  }

  void release(std::unique_ptr<HttpConn> c) {
    std::lock_guard lk(mu);
    if (c->connected()) {
      idle.push_back(std::move(c));
    } else {
      --open;
    }
    cv.notify_one();
  }

  Result<HttpResponse> send(const std::string& method, const std::string& target,
                            const std::string& body, const std::string& content_type) {
    if (!config_error.empty()) return ApiError::service_unavailable(config_error);
    auto conn = acquire();
    HttpResponse resp;
    std::string err;
    bool retryable = false;
    bool ok = conn->request(method, target, body, content_type, kRequestTimeout, resp, &err,
                            &retryable);
    if (!ok && retryable) {
      // The pooled connection had been closed by the server while idle: once more, fresh.
      ok = conn->request(method, target, body, content_type, kRequestTimeout, resp, &err,
                         &retryable);
    }
    release(std::move(conn));
    if (!ok) return ApiError::service_unavailable(err);
    return resp;
  }

  Result<json::value> call(const std::string& method, const std::string& target,
                           const std::string& body, const std::string& content_type) {
    auto r = send(method, target, body, content_type);
    if (!r) return r.error();
    if (r->status < 200 || r->status >= 300) return error_from_response(r->status, r->body);
    if (r->body.empty()) return json::value(nullptr);
    json::value v;
    std::string perr;
    if (!parse_json(r->body, v, perr)) return json::value(json::string(r->body));
    return v;
  }

  Result<json::object> call_object(const std::string& method, const std::string& target,
                                   const std::string& body,
                                   const std::string& content_type = "application/json") {
    auto r = call(method, target, body, content_type);
    if (!r) return r.error();
    if (!r->is_object())
      return ApiError::internal(method + " " + target + ": the response is not a JSON object");
    return std::move(r->as_object());
  }
};

Client::Client(Config cfg) : impl_(std::make_unique<Impl>(std::move(cfg))) {}
Client::~Client() = default;

std::string Client::path_for(const api::ResourceInfo& r, const std::string& ns,
                             const std::string& name, const std::string& subresource) {
  std::string p = r.group_version_path();
  if (r.namespaced && !ns.empty()) p += "/namespaces/" + ns;
  p += "/" + r.resource;
  if (!name.empty()) p += "/" + name;
  if (!subresource.empty()) p += "/" + subresource;
  return p;
}

Result<json::object> Client::get(const api::ResourceInfo& r, const std::string& ns,
                                 const std::string& name, const std::string& subresource) {
  return impl_->call_object("GET", path_for(r, ns, name, subresource), "");
}

Result<json::object> Client::list(const api::ResourceInfo& r, const std::string& ns,
                                  const ListOptions& opts) {
  return impl_->call_object("GET", path_for(r, ns) + list_query(opts, false), "");
}

Result<json::object> Client::create(const api::ResourceInfo& r, const std::string& ns,
                                    const json::object& obj) {
  return impl_->call_object("POST", path_for(r, ns), json::serialize(obj));
}

Result<json::object> Client::update(const api::ResourceInfo& r, const std::string& ns,
                                    const std::string& name, const json::object& obj,
                                    const std::string& subresource) {
  return impl_->call_object("PUT", path_for(r, ns, name, subresource), json::serialize(obj));
}

Result<json::object> Client::patch(const api::ResourceInfo& r, const std::string& ns,
                                   const std::string& name, const std::string& patch_type,
                                   const json::value& patch, const std::string& subresource) {
  return impl_->call_object("PATCH", path_for(r, ns, name, subresource), json::serialize(patch),
                            patch_type);
}

Result<json::object> Client::remove(const api::ResourceInfo& r, const std::string& ns,
                                    const std::string& name, const json::object& options) {
  return impl_->call_object("DELETE", path_for(r, ns, name),
                            options.empty() ? std::string() : json::serialize(options));
}

Result<json::object> Client::post_subresource(const api::ResourceInfo& r, const std::string& ns,
                                              const std::string& name,
                                              const std::string& subresource,
                                              const json::object& body) {
  return impl_->call_object("POST", path_for(r, ns, name, subresource), json::serialize(body));
}

Result<json::value> Client::request(const std::string& method, const std::string& path,
                                    const std::string& body, const std::string& content_type) {
  return impl_->call(method, path, body, content_type);
}

Status Client::watch(const api::ResourceInfo& r, const std::string& ns, const ListOptions& opts,
                     const std::function<bool(WatchEvent&)>& on_event,
                     const std::atomic<bool>* stop) {
  if (!impl_->config_error.empty()) return ApiError::service_unavailable(impl_->config_error);
  if (stop && stop->load()) return ok_status();
  const std::string target = path_for(r, ns) + list_query(opts, true);
  // Its own connection: a watch holds it for minutes and must not starve the pool.
  auto conn = impl_->new_conn();
  HttpResponse resp;
  std::string err;
  if (!conn->open_stream(target, kRequestTimeout, resp, &err))
    return ApiError::service_unavailable(err);
  if (resp.status != 200) return error_from_response(resp.status, resp.body);
  // The server sends bookmarks about every minute when asked; silence far longer than the
  // watch's own timeout means a dead peer.
  std::chrono::milliseconds idle =
      opts.timeout_seconds > 0 ? std::chrono::seconds(opts.timeout_seconds + 60) : 5min;
  std::string line;
  for (;;) {
    err.clear();
    auto st = conn->read_line(line, idle, stop, &err);
    switch (st) {
      case HttpConn::LineStatus::kLine: break;
      case HttpConn::LineStatus::kEnd:
      case HttpConn::LineStatus::kStopped: return ok_status();
      case HttpConn::LineStatus::kIdleTimeout: return ApiError::timeout(err);
      case HttpConn::LineStatus::kError: return ApiError::service_unavailable(err);
    }
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    json::value v;
    std::string perr;
    if (!parse_json(line, v, perr) || !v.is_object())
      return ApiError::service_unavailable("watch " + target + ": malformed event: " + perr);
    WatchEvent ev;
    ev.type = get_string(v, {"type"});
    if (auto* o = v.as_object().if_contains("object"); o && o->is_object())
      ev.object = std::move(o->as_object());
    if (!on_event(ev)) return ok_status();
    if (stop && stop->load()) return ok_status();
  }
}

}  // namespace skiff::client
