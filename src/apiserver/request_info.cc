#include "apiserver/request_info.h"

#include "common/numbers.h"

#include <sstream>

namespace skiff::apiserver {
namespace {
std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> out;
  std::string seg;
  std::istringstream is(path);
  while (std::getline(is, seg, '/'))
    if (!seg.empty()) out.push_back(seg);
  return out;
}
}  // namespace

RequestInfo parse_request_info(const net::Request& req) {
  RequestInfo info;
  info.path = req.path;
  auto segs = split_path(req.path);
  const std::string& m = req.method;
  if (m == "GET" || m == "HEAD") info.verb = "get";
  else if (m == "POST") info.verb = "create";
  else if (m == "PUT") info.verb = "update";
  else if (m == "PATCH") info.verb = "patch";
  else if (m == "DELETE") info.verb = "delete";
  else info.verb = "";
  if (segs.empty() || (segs[0] != "api" && segs[0] != "apis")) return info;
  info.api_prefix = segs[0];
  size_t i = 1;
  if (info.api_prefix == "api") {
    if (segs.size() < 2) return info;
    info.version = segs[1];
    i = 2;
  } else {
    if (segs.size() < 3) return info;
    info.group = segs[1];
    info.version = segs[2];
    i = 3;
  }
  if (i >= segs.size()) return info;
  info.is_resource_request = true;
  std::vector<std::string> rest(segs.begin() + i, segs.end());
  info.parts = rest;
  // legacy /watch/ prefix
  if (!rest.empty() && rest[0] == "watch") {
    info.verb = "watch";
    rest.erase(rest.begin());
  }
  // /namespaces/{ns}/{resource}/..., except the namespace's own subresources status, finalize.
  if (rest.size() > 1 && rest[0] == "namespaces") {
    info.namespace_ = rest[1];
    if (rest.size() > 2 && rest[2] != "status" && rest[2] != "finalize")
      rest.erase(rest.begin(), rest.begin() + 2);
  }
  if (!rest.empty()) info.resource = rest[0];
  if (rest.size() >= 2) info.name = rest[1];
  if (rest.size() >= 3) info.subresource = rest[2];
  if (info.resource == "namespaces") info.namespace_.clear();  // cluster-scoped
  if (info.verb == "get" && info.name.empty()) {
    info.verb = parse_bool(req.query_param("watch")).value_or(false) ? "watch" : "list";
  } else if (info.verb == "watch") {
    // keep
  } else if (info.verb == "delete" && info.name.empty()) {
    info.verb = "deletecollection";
  }
  return info;
}
}  // namespace skiff::apiserver
