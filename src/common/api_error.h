// ApiError: an error as the API reports it (metav1.Status). Every layer that can fail a request
// returns one of these so the HTTP layer maps it to a code and body without string matching.
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "common/json.h"

namespace skiff {

// One field-level problem, as in metav1.StatusCause. `type` is upstream's reason string,
// e.g. "FieldValueRequired", "FieldValueInvalid", "FieldValueNotSupported", "FieldValueDuplicate",
// "FieldValueForbidden", "FieldValueTooLong". `field` is the path, e.g. "spec.containers[0].image".
struct FieldCause {
  std::string type;
  std::string field;
  std::string message;  // detail only, e.g. "Required value" or `Invalid value: "x": must be ...`
};

// Helpers that build causes with upstream's wording (field.ErrorList's messages).
FieldCause required(std::string field, std::string detail = {});
FieldCause invalid(std::string field, const json::value& value, std::string detail);
FieldCause not_supported(std::string field, const json::value& value,
                         const std::vector<std::string>& valid);
FieldCause duplicate(std::string field, const json::value& value);
FieldCause forbidden(std::string field, std::string detail);
FieldCause too_long(std::string field, size_t max);

struct ApiError {
  int code = 500;
  std::string reason;   // metav1.StatusReason: NotFound, AlreadyExists, Conflict, Invalid, ...
  std::string message;  // what kubectl prints after "Error from server (Reason): "
  // details
  std::string name, group, kind;
  std::vector<FieldCause> causes;
  int retry_after_seconds = 0;

  json::object to_status() const;  // a full metav1.Status object

  static ApiError bad_request(std::string message);
  static ApiError unauthorized(std::string message = "Unauthorized");
  static ApiError forbidden(std::string message);
  // `resource` is the group-qualified plural as upstream prints it: "pods", "deployments.apps".
  static ApiError not_found(std::string resource, std::string name);
  // 404 for a path that names no resource: "the server could not find the requested resource".
  static ApiError no_such_path();
  static ApiError already_exists(std::string resource, std::string name);
  static ApiError conflict(std::string resource, std::string name, std::string why);
  static ApiError invalid(std::string kind, std::string name, std::string group,
                          std::vector<FieldCause> causes);
  static ApiError gone(std::string message);      // 410 reason Gone
  static ApiError expired(std::string message);   // 410 reason Expired
  static ApiError method_not_allowed(std::string message);
  static ApiError not_acceptable(std::string message);
  static ApiError too_large(std::string message);
  static ApiError unsupported_media_type(std::string message);
  static ApiError unprocessable(std::string message);  // 422 without causes
  static ApiError internal(std::string message);
  static ApiError timeout(std::string message);
  static ApiError service_unavailable(std::string message);
};

// Result<T>: a value or an ApiError. Errors are values (see docs/style: LevelDB Status).
template <typename T>
class Result {
 public:
  Result(T v) : v_(std::move(v)) {}
  Result(ApiError e) : v_(std::move(e)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const ApiError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, ApiError> v_;
};

struct Unit {};
using Status = Result<Unit>;
inline Status ok_status() { return Unit{}; }

}  // namespace skiff
