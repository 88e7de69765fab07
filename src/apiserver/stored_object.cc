// decode_stored_object (stored_object.h).
#include "apiserver/stored_object.h"

namespace skiff::apiserver {

Result<json::object> decode_stored_object(const storage::KeyValue& kv) {
  json::value v;
  std::string err;
  if (!parse_json(kv.value, v, err) || !v.is_object())
    return ApiError::internal("stored object " + kv.key + " does not decode: " + err);
  auto& obj = v.get_object();
  ensure_object(obj, "metadata")["resourceVersion"] = std::to_string(kv.mod_revision);
  return std::move(obj);
}

}  // namespace skiff::apiserver
