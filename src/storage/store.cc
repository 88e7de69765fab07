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

}  // namespace skiff::storage
