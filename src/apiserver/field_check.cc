// Unknown fields of kinds without a schema, and fieldValidation (field_check.h).
#include "apiserver/field_check.h"

#include <map>
#include <set>

#include "api/typecheck.h"

namespace skiff::apiserver {
namespace {
const std::set<std::string>& top_level(const std::string& kind) {
  static const std::map<std::string, std::set<std::string>> kFields = {
      {"ConfigMap", {"data", "binaryData", "immutable"}},
      {"Secret", {"data", "stringData", "type", "immutable"}},
      {"Endpoints", {"subsets"}},
      {"EndpointSlice", {"addressType", "endpoints", "ports"}},
      {"Event",
       {"involvedObject", "reason", "message", "source", "firstTimestamp", "lastTimestamp",
        "count", "type", "eventTime", "series", "action", "related", "reportingComponent",
        "reportingInstance", "regarding", "note", "reportingController", "deprecatedSource",
        "deprecatedFirstTimestamp", "deprecatedLastTimestamp", "deprecatedCount"}},
      {"ServiceAccount", {"secrets", "imagePullSecrets", "automountServiceAccountToken"}},
      {"Binding", {"target"}},
      {"ControllerRevision", {"data", "revision"}},
      {"PriorityClass", {"value", "globalDefault", "description", "preemptionPolicy"}},
  };
  static const std::set<std::string> kSpecStatus = {"spec", "status"};
  auto it = kFields.find(kind);
  return it == kFields.end() ? kSpecStatus : it->second;
}
const std::set<std::string> kMetadata = {
    "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
    "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels",
    "annotations", "ownerReferences", "finalizers", "managedFields"};
}  // namespace

std::vector<std::string> unknown_fields(const api::ResourceInfo& r, const json::object& obj) {
  std::vector<std::string> out;
  const auto& allowed = top_level(r.kind);
  for (const auto& kv : obj) {
    std::string k(kv.key());
    if (k == "apiVersion" || k == "kind" || k == "metadata") continue;
    if (!allowed.count(k)) out.push_back(k);
  }
  if (const auto* m = obj.if_contains("metadata"); m && m->is_object())
    for (const auto& kv : m->get_object())
      if (!kMetadata.count(std::string(kv.key()))) out.push_back("metadata." + std::string(kv.key()));
  return out;
}

// fieldValidation's mode ("", "Strict", "Warn" or "Ignore"); 400 for any other value.
Result<std::string> validation_mode(const net::Request& req) {
  auto mode = req.query_param("fieldValidation");
  if (!mode.empty() && mode != "Strict" && mode != "Warn" && mode != "Ignore")
    return ApiError::bad_request("fieldValidation parameter unsupported: " + mode);
  return mode;
}

// Appends `unknown field "<path>"` for each field of `obj` its kind does not have. Type errors
// are found here too, before anything else reads the body.
Status add_unknown_fields(const api::ResourceInfo& r, json::object& obj,
                          std::vector<std::string>& strict_errors) {
  std::vector<std::string> unknown;
  if (r.runtime) {
    json::object copy = obj;  // the write path prunes; here only the names are wanted
    r.runtime->prune_and_default(copy, &unknown);
  } else if (api::has_schema(r.api_version(), r.kind)) {
    if (auto st = api::check_types(r, obj, {false, &unknown}); !st) return st;
  } else {
    unknown = unknown_fields(r, obj);
  }
  for (const auto& f : unknown) strict_errors.push_back("unknown field \"" + f + "\"");
  return ok_status();
}

// Strict: a 400 listing every error after `prefix`; Warn (or no mode): a Warning header each.
Result<net::Headers> report_strict_errors(const std::string& mode, const std::string& prefix,
                                          const std::vector<std::string>& strict_errors) {
  net::Headers headers;
  if (mode == "Ignore" || strict_errors.empty()) return headers;
  if (mode == "Strict") {
    std::string msg = prefix + "strict decoding error: ";
    for (size_t i = 0; i < strict_errors.size(); ++i) msg += (i ? ", " : "") + strict_errors[i];
    return ApiError::bad_request(msg);
  }
  for (auto e : strict_errors) {
    // A header value cannot hold a line break (Go's server writes it as a space).
    for (auto& c : e)
      if (c == '\n' || c == '\r') c = ' ';
    std::string quoted;
    for (char c : e) {
      if (c == '"' || c == '\\') quoted.push_back('\\');
      quoted.push_back(c);
    }
    headers.emplace_back("Warning", "299 - \"" + quoted + "\"");
  }
  return headers;
}

// fieldValidation of a create or update body: Strict rejects unknown and duplicate fields, Warn
// reports them in Warning headers. `strict_errors` holds the body's duplicates (decode_body),
// found before the object lost them.
Result<net::Headers> check_fields(const net::Request& req, const api::ResourceInfo& r,
                                  json::object& obj, std::vector<std::string> strict_errors) {
  auto mode = validation_mode(req);
  if (!mode) return mode.error();
  if (auto st = add_unknown_fields(r, obj, strict_errors); !st) return st.error();
  // As upstream's decoder words it: `Pod in version "v1" cannot be handled as a Pod: ...`.
  return report_strict_errors(
      *mode, r.kind + " in version \"" + r.version + "\" cannot be handled as a " + r.kind + ": ",
      strict_errors);
}
}  // namespace skiff::apiserver
