// Names for storage result codes (logs and error messages).
#include "storage/store.h"

namespace skiff::storage {

const char* code_name(Code c) {
  switch (c) {
    case Code::kOk: return "Ok";
    case Code::kNotFound: return "NotFound";
    case Code::kAlreadyExists: return "AlreadyExists";
    case Code::kConflict: return "Conflict";
    case Code::kTooOld: return "TooOld";
    case Code::kFutureRevision: return "FutureRevision";
    case Code::kUnavailable: return "Unavailable";
  }
  return "Unknown";
}

int64_t Store::count(const std::string& prefix) {
  ListOptions opts;
  opts.prefix = prefix;
  auto res = list(opts);
  return res.code == Code::kOk ? static_cast<int64_t>(res.items.size()) : 0;
}

}  // namespace skiff::storage
