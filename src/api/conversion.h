// Conversion between the versions a kind is served at and the one it is stored at (the hub).
// Built-in kinds: the legacy apps versions (extensions/v1beta1, apps/v1beta1, apps/v1beta2) are
// stored as apps/v1; a write first gets the defaults its own version had (upstream's
// pkg/apis/{extensions,apps}/v1beta*/defaults.go: e.g. an extensions/v1beta1 Deployment without
// a selector selects its template's labels, keeps every old ReplicaSet and surges by 1), then
// the apps/v1 defaulting that every write gets fills the rest. CRD versions (conversion
// strategy None) differ only in apiVersion.
#pragma once
#include "api/resources.h"
#include "common/json.h"

namespace skiff::api {

// An object written at r's version, in place, to r.hub()'s: that version's defaults, then the
// hub's apiVersion. No-op when r is its own storage version.
void convert_to_storage(const ResourceInfo& r, json::object& obj);
// A stored object, in place, to r's version (apiVersion and kind).
void convert_from_storage(const ResourceInfo& r, json::object& obj);

}  // namespace skiff::api
