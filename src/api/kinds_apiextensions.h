// CustomResourceDefinition (apiextensions.k8s.io/v1): defaulting, validation, and the resources
// a CRD serves once its names are accepted (one entry per served version, each with a
// RuntimeKind that prunes, defaults and validates through the version's structural schema).
#pragma once
#include <string>
#include <vector>

#include "api/resources.h"
#include "common/api_error.h"
#include "common/json.h"

namespace skiff::api {

// Defaults of a CRD (names.singular = lower-case kind, names.listKind = kind + "List",
// conversion.strategy None, served/storage flags absent = false).
void default_crd(json::object& crd);
// Validation of a CRD on create (old null) or update, with upstream's paths.
void validate_crd(const json::object& crd, const json::object* old, std::vector<FieldCause>& out);

struct CrdResources {
  std::vector<ResourceInfo> resources;  // served versions, most preferred first
  std::string storage_version;
};
// The resources a valid CRD serves (names from spec.names).
CrdResources crd_resources(const json::object& crd);
// Kubernetes version priority (v1 > v1beta2 > v1beta1 > v1alpha1 > other, as upstream sorts).
bool version_less(const std::string& a, const std::string& b);

}  // namespace skiff::api
