// Per-kind lifecycle rules of the generic registry (upstream's RESTCreateStrategy and
// RESTUpdateStrategy): what a create resets, which writes bump metadata.generation, and what
// the main resource and the status subresource may each change.
#pragma once
#include "api/resources.h"
#include "common/json.h"

namespace skiff::apiserver {

// Kinds whose metadata.generation counts spec changes.
bool tracks_generation(const api::ResourceInfo& r);

// Before a create: status reset for kinds with a status subresource (a Pod starts Pending with its
// QoS class, a Namespace Active), generation 1.
void prepare_for_create(const api::ResourceInfo& r, json::object& obj);

// Before an update of the main resource: the status is kept from `old` (kinds with a status
// subresource), generation bumped when the spec changed.
void prepare_for_update(const api::ResourceInfo& r, json::object& obj, const json::object& old);

// Before an update of the status subresource: only status (and labels/annotations) may change.
void prepare_for_status_update(const api::ResourceInfo& r, json::object& obj,
                               const json::object& old);

}  // namespace skiff::apiserver
