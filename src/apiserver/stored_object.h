// The stored form of an API object: its JSON text, with metadata.resourceVersion taken from the
// store's revision on the way out. Shared by the object store and admission (which reads
// namespaces, services and priority classes straight from the store), so neither includes
// the other for it.
#pragma once
#include "common/api_error.h"
#include "common/json.h"
#include "storage/store.h"

namespace skiff::apiserver {

// Parses a stored value and sets metadata.resourceVersion from the revision; 500 when the
// stored text does not decode to an object.
Result<json::object> decode_stored_object(const storage::KeyValue& kv);

}  // namespace skiff::apiserver
