#include "apiserver/handler.h"

#include "apimachinery/duplicates.h"
#include "apimachinery/yaml.h"
#include "common/log.h"
#include "discovery/discovery.h"
#include "protobuf/k8s_protobuf.h"
#include "common/version.h"

namespace skiff::apiserver {
namespace {
bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

json::object version_info() {
  return {{"major", kKubeMajor},
          {"minor", kKubeMinor},
          {"gitVersion", kKubeGitVersion},
          {"gitCommit", kSkiffCommit},
          {"gitTreeState", "clean"},
          {"buildDate", build_date()},
          {"goVersion", "none (skiff is C++)"},
          {"compiler", "gcc"},
          {"platform", "linux/amd64"}};
}

void write_discovery(net::ResponseWriter& w, const net::Request& req, bool core) {
  auto v = discovery::aggregated_discovery_version(req.header("accept"));
  if (!v) {
    write_json(w, 200, core ? discovery::core_api_versions() : discovery::api_group_list());
    return;
  }
  w.respond(200, discovery::aggregated_discovery_content_type(*v),
            json::serialize(discovery::aggregated_discovery(core, *v)));
}

bool anonymous_allowed(const std::string& path) {
  return path == "/version" || path == "/livez" || path == "/readyz" || path == "/healthz" ||
         starts_with(path, "/livez/") || starts_with(path, "/readyz/") ||
         starts_with(path, "/healthz/");
}
}  // namespace

void write_json(net::ResponseWriter& w, int status, const json::value& body,
                const net::Headers& extra) {
  w.respond(status, "application/json", json::serialize(body), extra);
}

void write_error(net::ResponseWriter& w, const ApiError& e) {
  net::Headers extra;
  if (e.retry_after_seconds > 0) extra.emplace_back("Retry-After", std::to_string(e.retry_after_seconds));
  write_json(w, e.code, e.to_status(), extra);
}

bool wants_table(const net::Request& req) {
  auto accept = req.header("accept");
  return accept.find("as=Table") != std::string::npos;
}

Status refuse_non_finite(const json::object& body) {
  std::string path;
  if (find_non_finite(body, &path))
    return ApiError::bad_request("json: cannot unmarshal number into Go value of field " + path +
                                 ": the number is out of range (not finite)");
  return ok_status();
}

Result<json::object> decode_body(const net::Request& req) { return decode_body(req, nullptr); }

Result<json::object> decode_body(const net::Request& req, std::vector<std::string>* strict_errors) {
  auto ct = req.header("content-type");
  auto semi = ct.find(';');
  if (semi != std::string::npos) ct = ct.substr(0, semi);
  json::value v;
  if (ct.empty() || ct == "application/json" || ct == "*/*") {
    std::string err;
    if (!parse_json(req.body, v, err))
      return ApiError::bad_request("couldn't get version/kind; json parse error: " + err);
    if (strict_errors)
      for (auto& path : json_duplicate_fields(req.body))
        strict_errors->push_back("duplicate field \"" + path + "\"");
  } else if (protobuf::is_k8s_protobuf_content_type(ct)) {
    // Typed clients (kubectl create namespace/configmap/secret/...) send protobuf.
    auto obj = protobuf::decode_k8s_protobuf(req.body);
    if (!obj) return obj.error();
    if (auto st = refuse_non_finite(*obj); !st) return st.error();
    return std::move(*obj);
  } else if (ct == "application/yaml" || ct == "application/x-yaml" || ct == "text/yaml") {
    std::vector<std::string> dups;
    auto y = yaml_to_json(req.body, strict_errors ? &dups : nullptr);
    if (!y) return y.error();
    v = std::move(*y);
    if (!dups.empty()) {
      std::string e = "yaml: unmarshal errors:";
      for (const auto& d : dups) e += "\n  " + d;
      strict_errors->push_back(std::move(e));
    }
  } else {
    return ApiError::unsupported_media_type("the body of the request was in an unknown format - "
                                            "accepted media types include: application/json, "
                                            "application/yaml");
  }
  if (!v.is_object())
    return ApiError::bad_request("couldn't get version/kind; json parse error: the body is not a "
                                 "JSON object");
  if (auto st = refuse_non_finite(v.get_object()); !st) return st.error();
  return std::move(v.get_object());
}

ApiHandler::ApiHandler(ObjectStore& objects) : objects_(objects) {}

void ApiHandler::handle(net::Request& req, net::ResponseWriter& w) {
  const std::string& path = req.path;
  auto user = authenticate(req, tokens_);
  if (!user) return write_error(w, user.error());
  // Authorization as before RBAC: authenticated users may do everything, anonymous ones only
  // read the health and version endpoints.
  if (user->anonymous() && !anonymous_allowed(path)) {
    write_error(w, ApiError::unauthorized());
    return;
  }
  if (path == "/version" || path == "/version/") {
    write_json(w, 200, version_info());
    return;
  }
  if (path == "/livez" || path == "/healthz" || starts_with(path, "/livez/") ||
      starts_with(path, "/healthz/")) {
    w.respond(200, "text/plain; charset=utf-8", "ok");
    return;
  }
  if (path == "/readyz" || starts_with(path, "/readyz/")) {
    if (ready_) w.respond(200, "text/plain; charset=utf-8", "ok");
    else w.respond(500, "text/plain; charset=utf-8", "[-]bootstrap failed: not finished\nreadyz check failed");
    return;
  }
  if (path == "/api" || path == "/api/") {
    write_discovery(w, req, true);
    return;
  }
  if (path == "/apis" || path == "/apis/") {
    write_discovery(w, req, false);
    return;
  }
  if (path == "/openapi/v3" || path == "/openapi/v3/") {
    write_json(w, 200, discovery::openapi_v3_root());
    return;
  }
  if (starts_with(path, "/openapi/v3/")) {
    auto gv = path.substr(std::string("/openapi/v3/").size());
    auto doc = discovery::openapi_v3_document_json(gv);
    if (!doc) {
      write_error(w, ApiError::no_such_path());
      return;
    }
    auto hash = discovery::openapi_v3_hash(gv).value_or("");
    net::Headers headers{{"ETag", "\"" + hash + "\""}};
    if (req.query_param("hash") == hash) headers.emplace_back("Cache-Control", "public, immutable");
    else headers.emplace_back("Cache-Control", "no-cache, private");
    if (req.header("if-none-match") == "\"" + hash + "\"") {
      w.respond(304, "application/json", "", headers);
      return;
    }
    w.respond(200, "application/json", std::move(*doc), headers);
    return;
  }
  if (path == "/openapi/v2") {
    auto pb = discovery::openapi_v2_protobuf();
    if (pb.empty()) {
      write_error(w, ApiError::no_such_path());
      return;
    }
    w.respond(200, std::string(discovery::kOpenAPIV2ProtobufContentType), std::move(pb));
    return;
  }
  RequestInfo info = parse_request_info(req);
  if (!info.is_resource_request) {
    // /api/v1, /apis/<group>/<version>, /apis/<group>
    if (!info.version.empty() || (info.api_prefix == "api" && !info.group.empty())) {
      if (auto list = discovery::api_resource_list(info.group, info.version)) {
        write_json(w, 200, *list);
        return;
      }
    } else if (info.api_prefix == "apis") {
      // /apis/<group>: the APIGroup
      std::string group = path.substr(6);
      while (!group.empty() && group.back() == '/') group.pop_back();
      auto groups = discovery::api_group_list();
      for (const auto& g : groups["groups"].get_array())
        if (get_string(g, {"name"}) == group) {
          json::object o = g.get_object();
          o["kind"] = "APIGroup";
          o["apiVersion"] = "v1";
          write_json(w, 200, o);
          return;
        }
    }
    write_error(w, ApiError::no_such_path());
    return;
  }
  try {
    handle_resource(req, info, *user, w);
  } catch (const std::exception& ex) {
    SKIFF_LOG(ERROR) << req.method << " " << req.target << ": " << ex.what();
    write_error(w, ApiError::internal(ex.what()));
  }
}
}  // namespace skiff::apiserver
