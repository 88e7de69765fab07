// Unknown-field detection for fieldValidation=Strict|Warn of kinds the generated tables do not
// describe (api::has_schema false; every built-in kind has a schema and is checked at every depth
// by api::check_types): the levels every kind shares, the top-level fields of each kind and the
// fields of metadata. Typos there ("metdata", "lables", "spce") are caught.
//
// And fieldValidation itself (Strict|Warn|Ignore) for create, update and patch: which errors a
// body has (unknown fields from the schema, duplicates found by the body's decoder) and the
// answer (Strict: 400 listing them; Warn or no parameter: a Warning header each).
#pragma once
#include <string>
#include <vector>

#include "api/resources.h"
#include "common/api_error.h"
#include "common/json.h"
#include "net/http.h"

namespace skiff::apiserver {
// Paths of fields the kind does not have, e.g. "spce", "metadata.lables".
std::vector<std::string> unknown_fields(const api::ResourceInfo& r, const json::object& obj);

// fieldValidation's mode ("", "Strict", "Warn" or "Ignore"); 400 for any other value.
Result<std::string> validation_mode(const net::Request& req);
// Appends `unknown field "<path>"` for each field of `obj` its kind does not have (every depth
// for kinds with a schema); a wrongly typed value is the error returned instead.
Status add_unknown_fields(const api::ResourceInfo& r, json::object& obj,
                          std::vector<std::string>& strict_errors);
// Strict: 400 "<prefix>strict decoding error: <errors, joined>"; Warn (or ""): a Warning header
// per error; Ignore: nothing.
Result<net::Headers> report_strict_errors(const std::string& mode, const std::string& prefix,
                                          const std::vector<std::string>& strict_errors);
// A create or update body: its unknown fields and `strict_errors` (its duplicates, from
// decode_body), reported with upstream's prefix `Pod in version "v1" cannot be handled as a Pod: `.
Result<net::Headers> check_fields(const net::Request& req, const api::ResourceInfo& r,
                                  json::object& obj, std::vector<std::string> strict_errors);
}  // namespace skiff::apiserver
