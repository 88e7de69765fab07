// Parsing of a request path into what it addresses (upstream's RequestInfoFactory):
// /api/v1/namespaces/default/pods/nginx/status -> group "", version v1, resource pods,
// namespace default, name nginx, subresource status; plus the verb from the method.
#pragma once
#include <string>
#include <vector>

#include "net/http.h"

namespace skiff::apiserver {

struct RequestInfo {
  bool is_resource_request = false;
  std::string path;
  std::string verb;  // get, list, watch, create, update, patch, delete, deletecollection
  std::string api_prefix;  // "api" or "apis"
  std::string group, version, resource, subresource, namespace_, name;
  std::vector<std::string> parts;  // path segments after the group-version
};

RequestInfo parse_request_info(const net::Request& req);

}  // namespace skiff::apiserver
