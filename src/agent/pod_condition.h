// One pod condition as the kubelet writes it: lastTransitionTime moves only when the status
// changes (the old one is kept while `ok` agrees with it). Shared by the pod workers' status and
// the mirror pods' status.
#pragma once
#include <string>

#include "common/json.h"

namespace skiff::agent {

inline json::object pod_condition(const json::object& old_status, const std::string& type, bool ok,
                                  const std::string& now, const std::string& reason = "",
                                  const std::string& message = "") {
  std::string status = ok ? "True" : "False", since = now;
  if (const auto* conds = find_path(old_status, {"conditions"}); conds && conds->is_array())
    for (const auto& c : conds->get_array())
      if (get_string(c, {"type"}) == type && get_string(c, {"status"}) == status) {
        since = get_string(c, {"lastTransitionTime"}, since);
        break;
      }
  json::object c{{"type", type}, {"status", status}, {"lastProbeTime", nullptr},
                 {"lastTransitionTime", since}};
  if (!reason.empty()) c["reason"] = reason;
  if (!message.empty()) c["message"] = message;
  return c;
}

}  // namespace skiff::agent
