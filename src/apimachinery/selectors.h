// Label and field selectors as the API's query parameters write them
// (k8s.io/apimachinery/pkg/labels and pkg/fields).
#pragma once
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/api_error.h"
#include "common/json.h"

namespace skiff {

// labelSelector: "a=b,c!=d,e in (x,y),f notin (z),g,!h", also "==". Empty = everything.
// Upstream's "a>1" / "a<1" (integer comparisons, absent or non-integer labels never match) too.
class LabelSelector {
 public:
  enum class Op {
    kEquals, kNotEquals, kIn, kNotIn, kExists, kDoesNotExist, kGreaterThan, kLessThan
  };
  struct Requirement {
    std::string key;
    Op op;
    std::vector<std::string> values;
  };

  // 400 BadRequest with upstream-like wording on a syntax error or an invalid key/value.
  static Result<LabelSelector> parse(std::string_view text);
  // From a metav1.LabelSelector object ({matchLabels, matchExpressions}); a null/absent selector
  // matches nothing, an empty one ({}) everything, as upstream's LabelSelectorAsSelector.
  static Result<LabelSelector> from_json(const json::value* selector);

  bool matches(const json::object* labels) const;  // labels: metadata.labels (may be null)
  bool matches(const std::map<std::string, std::string>& labels) const;
  bool empty() const { return reqs_.empty() && !match_nothing_; }
  const std::vector<Requirement>& requirements() const { return reqs_; }
  std::string to_string() const;  // canonical text form

 private:
  std::vector<Requirement> reqs_;
  bool match_nothing_ = false;
};

// fieldSelector: "a=b,c==d,e!=f". Only equality and inequality, as upstream.
class FieldSelector {
 public:
  struct Requirement {
    std::string field;
    bool equals;  // false: !=
    std::string value;
  };
  static Result<FieldSelector> parse(std::string_view text);
  // `fields`: the object's selectable fields (see api/fields.h). A requirement on a field not in
  // the map never matches; callers reject unsupported fields before with check_supported.
  bool matches(const std::map<std::string, std::string>& fields) const;
  // 400 `field label not supported: X` for the first field not in `supported`.
  Status check_supported(const std::vector<std::string>& supported) const;
  bool empty() const { return reqs_.empty(); }
  const std::vector<Requirement>& requirements() const { return reqs_; }
  // The value required by "field=value" if present (for indexed lookups such as metadata.name).
  const std::string* exact(const std::string& field) const;
  std::string to_string() const;  // "a=b,c!=d" with values escaped as upstream

 private:
  std::vector<Requirement> reqs_;
};

}  // namespace skiff
