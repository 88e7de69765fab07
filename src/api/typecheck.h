// Typed decoding of the built-in kinds: the JSON type of every field the server knows, checked
// before anything is stored, as upstream's Go decoder does when it decodes a body into the kind's
// struct. One table is the source of the types: the protobuf descriptors in
// protobuf/k8s_schema.h (field names, scalar kinds, int32 vs int64, repeated, maps, inline
// structs), so no field's type is written by hand here.
//
// What the check does to an object, in place:
//  - a value of the wrong JSON type, an integer out of its field's range (int32: +-2^31), a
//    number with a fraction or an exponent in an integer field, a number that is not finite,
//    a malformed time, duration, quantity or base64 string: the first one found is a 400
//    BadRequest worded as upstream's ("Deployment in version \"v1\" cannot be handled as a
//    Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas
//    of type int32");
//  - null: a field set to null is dropped (a time that is not a pointer keeps its null, as
//    upstream encodes it), an array element or map value that is null becomes its type's zero value
//    (Go decodes null as "leave the zero value");
//  - fields the kind does not have are reported (their paths, with list indices, as upstream's
//    strict decoding names them) and, when `prune`, removed: the store keeps only what the
//    schema knows, as upstream's decode/encode round trip does.
// A kind the tables do not describe is only checked for non-finite numbers.
#pragma once
#include <string>
#include <vector>

#include "api/resources.h"
#include "common/api_error.h"
#include "common/json.h"

namespace skiff::api {

struct TypeCheckOptions {
  bool prune = true;                       // remove fields the kind does not have
  std::vector<std::string>* unknown = nullptr;  // receives their paths ("spec.foo[0].bar")
};

// Checks `obj` (a whole object of `r`'s kind) against the kind's schema; see above.
Status check_types(const ResourceInfo& r, json::object& obj, const TypeCheckOptions& opts = {});
// The same for an object of any top-level kind the tables know (apiVersion/kind given), e.g. a
// Scale or DeleteOptions body. Kinds without a schema get the non-finite check only.
Status check_types(const std::string& api_version, const std::string& kind, json::object& obj,
                   const TypeCheckOptions& opts = {});
// True when the tables describe the kind (a test asserts every served kind is described).
bool has_schema(const std::string& api_version, const std::string& kind);

}  // namespace skiff::api
