#include "common/api_error.h"

namespace skiff {
namespace {
std::string show(const json::value& v) {
  if (v.is_string()) return json::serialize(v);  // quoted, as upstream's %q
  if (v.is_null()) return "null";
  return json::serialize(v);
}
std::string with_detail(std::string head, const std::string& detail) {
  return detail.empty() ? head : head + ": " + detail;
}
ApiError make(int code, std::string reason, std::string message) {
  ApiError e;
  e.code = code;
  e.reason = std::move(reason);
  e.message = std::move(message);
  return e;
}
// "deployments.apps" -> {"deployments", "apps"}
std::pair<std::string, std::string> split_resource(const std::string& qualified) {
  auto dot = qualified.find('.');
  if (dot == std::string::npos) return {qualified, ""};
  return {qualified.substr(0, dot), qualified.substr(dot + 1)};
}
}  // namespace

FieldCause required(std::string field, std::string detail) {
  return {"FieldValueRequired", std::move(field), with_detail("Required value", detail)};
}
FieldCause invalid(std::string field, const json::value& value, std::string detail) {
  return {"FieldValueInvalid", std::move(field),
          with_detail("Invalid value: " + show(value), detail)};
}
FieldCause not_supported(std::string field, const json::value& value,
                         const std::vector<std::string>& valid) {
  std::string list;
  for (const auto& s : valid) list += (list.empty() ? "" : ", ") + json::serialize(json::value(s));
  return {"FieldValueNotSupported", std::move(field),
          "Unsupported value: " + show(value) + (list.empty() ? "" : ": supported values: " + list)};
}
FieldCause duplicate(std::string field, const json::value& value) {
  return {"FieldValueDuplicate", std::move(field), "Duplicate value: " + show(value)};
}
FieldCause forbidden(std::string field, std::string detail) {
  return {"FieldValueForbidden", std::move(field), with_detail("Forbidden", detail)};
}
FieldCause too_long(std::string field, size_t max) {
  return {"FieldValueTooLong", std::move(field),
          "Too long: may not be more than " + std::to_string(max) + " bytes"};
}

json::object ApiError::to_status() const {
  json::object s;
  s["kind"] = "Status";
  s["apiVersion"] = "v1";
  s["metadata"] = json::object{};
  s["status"] = "Failure";
  s["message"] = message;
  s["reason"] = reason;
  json::object details;
  if (!name.empty()) details["name"] = name;
  if (!group.empty()) details["group"] = group;
  if (!kind.empty()) details["kind"] = kind;
  if (!causes.empty()) {
    json::array arr;
    for (const auto& c : causes)
      arr.push_back(json::object{{"reason", c.type}, {"message", c.message}, {"field", c.field}});
    details["causes"] = std::move(arr);
  }
  if (retry_after_seconds > 0) details["retryAfterSeconds"] = retry_after_seconds;
  // A 404 always has details, as upstream's (kubectl debug reads them without a check).
  if (!details.empty() || code == 404) s["details"] = std::move(details);
  s["code"] = code;
  return s;
}

ApiError ApiError::bad_request(std::string m) { return make(400, "BadRequest", std::move(m)); }
ApiError ApiError::unauthorized(std::string m) { return make(401, "Unauthorized", std::move(m)); }
ApiError ApiError::forbidden(std::string m) { return make(403, "Forbidden", std::move(m)); }
ApiError ApiError::not_found(std::string resource, std::string name) {
  auto e = make(404, "NotFound", resource + " \"" + name + "\" not found");
  auto [res, group] = split_resource(resource);
  e.name = std::move(name);
  e.group = group;
  e.kind = res;
  return e;
}
ApiError ApiError::no_such_path() {
  return make(404, "NotFound", "the server could not find the requested resource");
}
ApiError ApiError::already_exists(std::string resource, std::string name) {
  auto e = make(409, "AlreadyExists", resource + " \"" + name + "\" already exists");
  auto [res, group] = split_resource(resource);
  e.name = std::move(name);
  e.group = group;
  e.kind = res;
  return e;
}
ApiError ApiError::conflict(std::string resource, std::string name, std::string why) {
  auto e = make(409, "Conflict",
                "Operation cannot be fulfilled on " + resource + " \"" + name + "\": " + why);
  auto [res, group] = split_resource(resource);
  e.name = std::move(name);
  e.group = group;
  e.kind = res;
  return e;
}
ApiError ApiError::invalid(std::string kind, std::string name, std::string group,
                           std::vector<FieldCause> causes) {
  std::string qualified = group.empty() ? kind : kind + "." + group;
  std::string agg;
  for (const auto& c : causes) {
    std::string one = c.field.empty() ? c.message : c.field + ": " + c.message;
    agg += (agg.empty() ? "" : ", ") + one;
  }
  if (causes.size() > 1) agg = "[" + agg + "]";
  auto e = make(422, "Invalid", qualified + " \"" + name + "\" is invalid: " + agg);
  e.name = std::move(name);
  e.group = std::move(group);
  e.kind = std::move(kind);
  e.causes = std::move(causes);
  return e;
}
ApiError ApiError::gone(std::string m) { return make(410, "Gone", std::move(m)); }
ApiError ApiError::expired(std::string m) { return make(410, "Expired", std::move(m)); }
ApiError ApiError::method_not_allowed(std::string m) {
  return make(405, "MethodNotAllowed", std::move(m));
}
ApiError ApiError::not_acceptable(std::string m) { return make(406, "NotAcceptable", std::move(m)); }
ApiError ApiError::too_large(std::string m) {
  return make(413, "RequestEntityTooLarge", std::move(m));
}
ApiError ApiError::unsupported_media_type(std::string m) {
  return make(415, "UnsupportedMediaType", std::move(m));
}
ApiError ApiError::unprocessable(std::string m) { return make(422, "Invalid", std::move(m)); }
ApiError ApiError::internal(std::string m) {
  return make(500, "InternalError", "Internal error occurred: " + m);
}
ApiError ApiError::timeout(std::string m) { return make(504, "Timeout", std::move(m)); }
ApiError ApiError::service_unavailable(std::string m) {
  return make(503, "ServiceUnavailable", std::move(m));
}
}  // namespace skiff
