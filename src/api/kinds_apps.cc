// Validation of apps/v1 and batch/v1 kinds (pkg/apis/apps/validation, pkg/apis/batch/validation),
// including the cron schedule parser CronJob validation relies on.
#include <algorithm>
#include <sstream>

#include "api/kinds_internal.h"
#include "common/time.h"

namespace skiff::api::detail {
namespace {
const json::object kEmpty;

const json::object& spec_of(const json::object& obj) {
  const auto* s = obj_at(obj, "spec");
  return s ? *s : kEmpty;
}
const json::object* template_labels(const json::object& spec) {
  const auto* t = obj_at(spec, "template");
  const auto* m = t ? obj_at(*t, "metadata") : nullptr;
  return m ? obj_at(*m, "labels") : nullptr;
}
const json::object& template_spec(const json::object& spec) {
  const auto* t = obj_at(spec, "template");
  const auto* s = t ? obj_at(*t, "spec") : nullptr;
  return s ? *s : kEmpty;
}
void selector_mismatch(Causes& out, const json::object& spec, const std::string& prefix) {
  const auto* labels = template_labels(spec);
  out.push_back({"FieldValueInvalid", child(prefix, "template.metadata.labels"),
                 "Invalid value: " + go_string_map(labels) +
                     ": `selector` does not match template `labels`"});
}

// Selector, template, restartPolicy Always: ReplicaSet, Deployment, DaemonSet, StatefulSet.
void workload(Causes& out, const json::object& spec, const std::string& kind_word,
              const std::string& ads_msg) {
  const auto& sel = value_at(spec, "selector");
  if (sel.is_null()) {
    out.push_back(required("spec.selector"));
  } else {
    validate_label_selector(out, sel, "spec.selector");
    if (sel.is_object() && selector_empty(sel.get_object()))
      out.push_back(invalid("spec.selector", sel, "empty selector is invalid for " + kind_word));
    else if (sel.is_object() && !selector_matches(sel.get_object(), template_labels(spec)))
      selector_mismatch(out, spec, "spec");
  }
  validate_pod_template(out, value_at(spec, "template"), "spec.template");
  const auto& ts = template_spec(spec);
  std::string rp = str_or(ts, "restartPolicy");
  if (rp != "Always")
    out.push_back(not_supported("spec.template.spec.restartPolicy", json::value(rp), {"Always"}));
  if (has(ts, "activeDeadlineSeconds"))
    out.push_back(forbidden("spec.template.spec.activeDeadlineSeconds", ads_msg));
  nonnegative(out, spec, "replicas", "spec.replicas");
  nonnegative(out, spec, "minReadySeconds", "spec.minReadySeconds");
  nonnegative(out, spec, "revisionHistoryLimit", "spec.revisionHistoryLimit");
}

void not_more_than_100(Causes& out, const json::value& v, const std::string& path) {
  if (v.is_string() && valid_percent(v.get_string()).empty() && int_or_percent_value(v) > 100)
    out.push_back(invalid(path, v, "must not be greater than 100%"));
}

void validate_deployment(const json::object& obj, const json::object* old, Causes& out) {
  const auto& spec = spec_of(obj);
  workload(out, spec, "deployment", "activeDeadlineSeconds in ReplicaSet is not Supported");
  const auto* strategy = obj_at(spec, "strategy");
  std::string type = strategy ? str_or(*strategy, "type") : "";
  const auto* ru = strategy ? obj_at(*strategy, "rollingUpdate") : nullptr;
  if (type == "Recreate") {
    if (ru)
      out.push_back(forbidden("spec.strategy.rollingUpdate",
                              "may not be specified when strategy `type` is 'Recreate'"));
  } else if (type == "RollingUpdate") {
    if (!ru) {
      out.push_back(
          required("spec.strategy.rollingUpdate", "this should be defaulted and never be nil"));
    } else {
      const auto& mu = value_at(*ru, "maxUnavailable");
      const auto& ms = value_at(*ru, "maxSurge");
      positive_int_or_percent(out, mu, "spec.strategy.rollingUpdate.maxUnavailable");
      positive_int_or_percent(out, ms, "spec.strategy.rollingUpdate.maxSurge");
      if (int_or_percent_value(mu) == 0 && int_or_percent_value(ms) == 0)
        out.push_back(invalid("spec.strategy.rollingUpdate.maxUnavailable", mu,
                              "may not be 0 when `maxSurge` is 0"));
      not_more_than_100(out, mu, "spec.strategy.rollingUpdate.maxUnavailable");
    }
  } else {
    out.push_back(
        not_supported("spec.strategy.type", json::value(type), {"Recreate", "RollingUpdate"}));
  }
  if (auto pds = int_at(spec, "progressDeadlineSeconds")) {
    nonnegative(out, spec, "progressDeadlineSeconds", "spec.progressDeadlineSeconds");
    if (*pds <= int_at(spec, "minReadySeconds").value_or(0))
      out.push_back(
          invalid("spec.progressDeadlineSeconds", *pds, "must be greater than minReadySeconds"));
  }
  if (old) immutable(out, spec, spec_of(*old), "selector", "spec.selector");
}

void validate_replicaset(const json::object& obj, const json::object* old, Causes& out) {
  const auto& spec = spec_of(obj);
  workload(out, spec, "deployment", "activeDeadlineSeconds in ReplicaSet is not Supported");
  if (old) immutable(out, spec, spec_of(*old), "selector", "spec.selector");
}

void validate_daemonset(const json::object& obj, const json::object* old, Causes& out) {
  const auto& spec = spec_of(obj);
  workload(out, spec, "daemonset", "activeDeadlineSeconds in DaemonSet is not Supported");
  const auto* us = obj_at(spec, "updateStrategy");
  std::string type = us ? str_or(*us, "type") : "";
  if (type == "RollingUpdate") {
    const auto* ru = obj_at(*us, "rollingUpdate");
    if (!ru) {
      out.push_back(required("spec.updateStrategy.rollingUpdate"));
    } else {
      const std::string p = "spec.updateStrategy.rollingUpdate";
      const auto& mu = value_at(*ru, "maxUnavailable");
      const auto& ms = value_at(*ru, "maxSurge");
      positive_int_or_percent(out, mu, child(p, "maxUnavailable"));
      positive_int_or_percent(out, ms, child(p, "maxSurge"));
      not_more_than_100(out, mu, child(p, "maxUnavailable"));
      not_more_than_100(out, ms, child(p, "maxSurge"));
      bool has_unavailable = int_or_percent_value(mu) != 0;
      bool has_surge = int_or_percent_value(ms) != 0;
      if (has_unavailable && has_surge)
        out.push_back(
            invalid(child(p, "maxSurge"), ms, "may not be set when maxUnavailable is non-zero"));
      else if (!has_unavailable && !has_surge)
        out.push_back(required(child(p, "maxUnavailable"), "cannot be 0 when maxSurge is 0"));
    }
  } else if (type != "OnDelete") {
    out.push_back(not_supported("spec.updateStrategy.type", json::value(type),
                                {"RollingUpdate", "OnDelete"}));
  }
  if (old) immutable(out, spec, spec_of(*old), "selector", "spec.selector");
}

void validate_statefulset(const json::object& obj, const json::object* old, Causes& out) {
  const auto& spec = spec_of(obj);
  std::string pmp = str_or(spec, "podManagementPolicy");
  if (pmp.empty())
    out.push_back(required("spec.podManagementPolicy"));
  else if (pmp != "OrderedReady" && pmp != "Parallel")
    out.push_back(invalid("spec.podManagementPolicy", json::value(pmp),
                          "must be 'OrderedReady' or 'Parallel'"));
  const auto* us = obj_at(spec, "updateStrategy");
  std::string type = us ? str_or(*us, "type") : "";
  const auto* ru = us ? obj_at(*us, "rollingUpdate") : nullptr;
  if (type.empty()) {
    out.push_back(required("spec.updateStrategy"));
  } else if (type == "OnDelete") {
    if (ru)
      out.push_back(invalid("spec.updateStrategy.rollingUpdate", *ru,
                            "only allowed for updateStrategy 'RollingUpdate'"));
  } else if (type == "RollingUpdate") {
    if (ru) {
      nonnegative(out, *ru, "partition", "spec.updateStrategy.rollingUpdate.partition");
      if (has(*ru, "maxUnavailable")) {
        const auto& mu = value_at(*ru, "maxUnavailable");
        positive_int_or_percent(out, mu, "spec.updateStrategy.rollingUpdate.maxUnavailable");
        if (int_or_percent_value(mu) == 0)
          out.push_back(invalid("spec.updateStrategy.rollingUpdate.maxUnavailable", mu,
                                "must be greater than 0"));
      }
    }
  } else {
    out.push_back(
        invalid("spec.updateStrategy", json::value(type), "must be 'RollingUpdate' or 'OnDelete'"));
  }
  if (const auto* pol = obj_at(spec, "persistentVolumeClaimRetentionPolicy"))
    for (const char* f : {"whenDeleted", "whenScaled"})
      enum_field(out, *pol, f, child("spec.persistentVolumeClaimRetentionPolicy", f),
                 {"Retain", "Delete"}, false);
  if (const auto* ord = obj_at(spec, "ordinals"))
    nonnegative(out, *ord, "start", "spec.ordinals.start");
  workload(out, spec, "statefulset", "activeDeadlineSeconds in StatefulSet is not Supported");
  if (const auto* vcts = arr_at(spec, "volumeClaimTemplates"))
    for (size_t i = 0; i < vcts->size(); ++i) {
      const auto* v = (*vcts)[i].if_object();
      const auto* m = v ? obj_at(*v, "metadata") : nullptr;
      std::string name = m ? str_or(*m, "name") : "";
      std::string p = idx("spec.volumeClaimTemplates", i);
      if (name.empty())
        out.push_back(required(child(p, "metadata.name")));
      else
        add_msgs(out, child(p, "metadata.name"), json::value(name), dns1123_subdomain(name));
    }
  if (old) {
    static const char* const kMutable[] = {"replicas",
                                           "ordinals",
                                           "template",
                                           "updateStrategy",
                                           "revisionHistoryLimit",
                                           "persistentVolumeClaimRetentionPolicy",
                                           "minReadySeconds"};
    json::object a = spec, b = spec_of(*old);
    for (const char* f : kMutable) a.erase(f), b.erase(f);
    if (a != b)
      out.push_back(forbidden("spec",
                              "updates to statefulset spec for fields other than 'replicas', "
                              "'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', "
                              "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are "
                              "forbidden"));
  }
}

// validateJobSpec; `prefix` is "spec" or "spec.jobTemplate.spec"; selectors only on Jobs.
void job_spec(Causes& out, const json::object& spec, const std::string& prefix, bool is_job) {
  for (const char* f : {"parallelism", "completions", "activeDeadlineSeconds", "backoffLimit",
                        "ttlSecondsAfterFinished", "backoffLimitPerIndex", "maxFailedIndexes"})
    nonnegative(out, spec, f, child(prefix, f));
  std::string mode = str_or(spec, "completionMode");
  if (has(spec, "completionMode")) {
    enum_field(out, spec, "completionMode", child(prefix, "completionMode"),
               {"NonIndexed", "Indexed"}, true);
    if (mode == "Indexed") {
      if (!has(spec, "completions"))
        out.push_back(required(child(prefix, "completions"), "when completion mode is Indexed"));
      if (auto par = int_at(spec, "parallelism"); par && *par > 100000)
        out.push_back(
            invalid(child(prefix, "parallelism"), *par,
                    "must be less than or equal to 100000 when completion mode is Indexed"));
    }
  }
  if (has(spec, "backoffLimitPerIndex") && mode != "Indexed")
    out.push_back(
        required(child(prefix, "completionMode"), "when backoffLimitPerIndex is specified"));
  enum_field(out, spec, "podReplacementPolicy", child(prefix, "podReplacementPolicy"),
             {"TerminatingOrFailed", "Failed"}, false);
  if (is_job) {
    const auto& sel = value_at(spec, "selector");
    if (sel.is_null()) {
      if (bool_at(spec, "manualSelector").value_or(false)) out.push_back(required("spec.selector"));
    } else {
      validate_label_selector(out, sel, "spec.selector");
      if (sel.is_object() && !selector_matches(sel.get_object(), template_labels(spec)))
        selector_mismatch(out, spec, "spec");
    }
  }
  validate_pod_template(out, value_at(spec, "template"), child(prefix, "template"));
  const auto& ts = template_spec(spec);
  std::string rp = str_or(ts, "restartPolicy");
  std::string rpp = child(prefix, "template.spec.restartPolicy");
  if (rp != "OnFailure" && rp != "Never")
    out.push_back(not_supported(rpp, json::value(rp), {"OnFailure", "Never"}));
  else if (rp == "OnFailure" && has(spec, "podFailurePolicy"))
    out.push_back(invalid(rpp, json::value(rp),
                          "only \"Never\" is supported when podFailurePolicy is specified"));
}

void validate_job(const json::object& obj, const json::object* old, Causes& out) {
  const auto& spec = spec_of(obj);
  job_spec(out, spec, "spec", true);
  if (!old) return;
  const auto& ospec = spec_of(*old);
  bool elastic = str_or(spec, "completionMode") == "Indexed" &&
                 value_at(spec, "completions") == value_at(spec, "parallelism") &&
                 value_at(ospec, "completions") == value_at(ospec, "parallelism");
  if (!elastic) immutable(out, spec, ospec, "completions", "spec.completions");
  immutable(out, spec, ospec, "selector", "spec.selector");
  immutable(out, spec, ospec, "completionMode", "spec.completionMode");
  immutable(out, spec, ospec, "podFailurePolicy", "spec.podFailurePolicy");
  immutable(out, spec, ospec, "backoffLimitPerIndex", "spec.backoffLimitPerIndex");
  // A suspended Job that never started may change its pods' scheduling directives.
  const auto* ostatus = obj_at(*old, "status");
  bool never_started = !ostatus || !has(*ostatus, "startTime");
  json::object a, b;
  if (const auto* t = obj_at(spec, "template")) a = *t;
  if (const auto* t = obj_at(ospec, "template")) b = *t;
  if (bool_at(ospec, "suspend").value_or(false) && never_started) {
    for (auto* t : {&a, &b}) {
      if (auto* m = obj_at(*t, "metadata")) m->erase("labels"), m->erase("annotations");
      if (auto* s = obj_at(*t, "spec"))
        for (const char* f : {"nodeSelector", "tolerations", "affinity", "schedulingGates"})
          s->erase(f);
    }
  }
  if (a != b)
    out.push_back(invalid("spec.template", value_at(spec, "template"), "field is immutable"));
}

void validate_cronjob(const json::object& obj, Causes& out) {
  const auto* meta = obj_at(obj, "metadata");
  std::string name = meta ? str_or(*meta, "name") : "";
  if (name.size() > 52)
    out.push_back(
        invalid("metadata.name", json::value(name), "must be no more than 52 characters"));
  const auto& spec = spec_of(obj);
  std::string schedule = str_or(spec, "schedule");
  if (schedule.empty()) {
    out.push_back(required("spec.schedule"));
  } else {
    std::string err = cron_parse_error(schedule);
    if (!err.empty()) out.push_back(invalid("spec.schedule", json::value(schedule), err));
    if (schedule.find("TZ") != std::string::npos)
      out.push_back(invalid("spec.schedule", json::value(schedule),
                            "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"));
  }
  if (spec.contains("timeZone") && !value_at(spec, "timeZone").is_null()) {
    std::string tz = str_or(spec, "timeZone");
    if (tz.empty())
      out.push_back(
          invalid("spec.timeZone", json::value(tz), "timeZone must be nil or non-empty string"));
    else if (tz == "Local" || tz[0] == '/' || tz.find("..") != std::string::npos ||
             tz.find_first_of(" \t\\") != std::string::npos)
      out.push_back(invalid("spec.timeZone", json::value(tz), "unknown time zone " + tz));
  }
  enum_field(out, spec, "concurrencyPolicy", "spec.concurrencyPolicy",
             {"Allow", "Forbid", "Replace"}, true);
  for (const char* f :
       {"startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"})
    nonnegative(out, spec, f, child("spec", f));
  const auto* jt = obj_at(spec, "jobTemplate");
  const auto* jmeta = jt ? obj_at(*jt, "metadata") : nullptr;
  if (jmeta) {
    validate_labels(out, value_at(*jmeta, "labels"), "spec.jobTemplate.metadata.labels");
    validate_annotations(out, value_at(*jmeta, "annotations"),
                         "spec.jobTemplate.metadata.annotations");
  }
  const auto* jspec = jt ? obj_at(*jt, "spec") : nullptr;
  job_spec(out, jspec ? *jspec : kEmpty, "spec.jobTemplate.spec", false);
}

// ---- robfig/cron v3 ParseStandard ----
struct Bounds {
  int min, max;
  std::vector<std::string> names;  // index + offset = value
  int name_base;
};
bool parse_int(const std::string& s, int& out, std::string& err, const std::string& expr) {
  bool ok = !s.empty() && s.size() < 10;
  size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  ok = ok && i < s.size();
  for (size_t j = i; ok && j < s.size(); ++j) ok = std::isdigit(static_cast<unsigned char>(s[j]));
  if (!ok) {
    err = "failed to parse int from " + s + ": strconv.Atoi: parsing \"" + s + "\": invalid syntax";
    return false;
  }
  out = std::stoi(s);
  if (out < 0) {
    err = "negative number (" + std::to_string(out) + ") not allowed: " + s;
    return false;
  }
  (void)expr;
  return true;
}
bool int_or_name(const std::string& s, const Bounds& b, int& out, std::string& err,
                 const std::string& expr) {
  std::string lower = s;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (size_t i = 0; i < b.names.size(); ++i)
    if (b.names[i] == lower) {
      out = static_cast<int>(i) + b.name_base;
      return true;
    }
  return parse_int(s, out, err, expr);
}
std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t p = s.find(sep, start);
    parts.push_back(s.substr(start, p == std::string::npos ? p : p - start));
    if (p == std::string::npos) return parts;
    start = p + 1;
  }
}
std::string cron_range(const std::string& expr, const Bounds& b) {
  auto range_step = split(expr, '/');
  auto low_high = split(range_step[0], '-');
  bool single = low_high.size() == 1;
  int start = 0, end = 0, step = 1;
  std::string err;
  if (low_high[0] == "*" || low_high[0] == "?") {
    start = b.min;
    end = b.max;
  } else {
    if (!int_or_name(low_high[0], b, start, err, expr)) return err;
    if (low_high.size() == 1)
      end = start;
    else if (low_high.size() == 2) {
      if (!int_or_name(low_high[1], b, end, err, expr)) return err;
    } else
      return "too many hyphens: " + expr;
  }
  if (range_step.size() == 2) {
    if (!parse_int(range_step[1], step, err, expr)) return err;
    if (single) end = b.max;
  } else if (range_step.size() > 2) {
    return "too many slashes: " + expr;
  }
  if (start < b.min)
    return "beginning of range (" + std::to_string(start) + ") below minimum (" +
           std::to_string(b.min) + "): " + expr;
  if (end > b.max)
    return "end of range (" + std::to_string(end) + ") above maximum (" + std::to_string(b.max) +
           "): " + expr;
  if (start > end)
    return "beginning of range (" + std::to_string(start) + ") beyond end of range (" +
           std::to_string(end) + "): " + expr;
  if (step == 0) return "step of range should be a positive number: " + expr;
  return {};
}
}  // namespace

std::string cron_parse_error(const std::string& schedule) {
  std::string spec = schedule;
  if (spec.empty()) return "empty spec string";
  if (spec.rfind("TZ=", 0) == 0 || spec.rfind("CRON_TZ=", 0) == 0) {
    auto sp = spec.find(' ');
    spec = sp == std::string::npos ? "" : spec.substr(sp + 1);
    spec.erase(0, spec.find_first_not_of(' '));
  }
  if (!spec.empty() && spec[0] == '@') {
    static const char* const kDescriptors[] = {"@yearly", "@annually", "@monthly", "@weekly",
                                               "@daily",  "@midnight", "@hourly"};
    for (const char* d : kDescriptors)
      if (spec == d) return {};
    if (spec.rfind("@every ", 0) == 0) {
      if (!parse_duration(spec.substr(7)))
        return "failed to parse duration " + spec + ": time: invalid duration \"" + spec.substr(7) +
               "\"";
      return {};
    }
    return "unrecognized descriptor: " + spec;
  }
  std::vector<std::string> fields;
  std::istringstream in(spec);
  for (std::string f; in >> f;) fields.push_back(f);
  if (fields.size() != 5) {
    std::string shown = "[";
    for (size_t i = 0; i < fields.size(); ++i) shown += (i ? " " : "") + fields[i];
    return "expected exactly 5 fields, found " + std::to_string(fields.size()) + ": " + shown + "]";
  }
  static const Bounds kBounds[] = {
      {0, 59, {}, 0},
      {0, 23, {}, 0},
      {1, 31, {}, 0},
      {1,
       12,
       {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"},
       1},
      {0, 6, {"sun", "mon", "tue", "wed", "thu", "fri", "sat"}, 0}};
  for (size_t i = 0; i < 5; ++i)
    for (const auto& part : split(fields[i], ',')) {
      std::string err = cron_range(part, kBounds[i]);
      if (!err.empty()) return err;
    }
  return {};
}

void immutable(Causes& out, const json::object& now, const json::object& old, std::string_view k,
               const std::string& path) {
  const auto& a = value_at(now, k);
  if (a != value_at(old, k)) out.push_back(invalid(path, a, "field is immutable"));
}

bool validate_apps_kind(const ResourceInfo& r, const json::object& obj, const json::object* old,
                        Causes& out) {
  if (r.group != "apps") return false;
  if (r.kind == "Deployment") validate_deployment(obj, old, out);
  if (r.kind == "ReplicaSet") validate_replicaset(obj, old, out);
  if (r.kind == "DaemonSet") validate_daemonset(obj, old, out);
  if (r.kind == "StatefulSet") validate_statefulset(obj, old, out);
  if (r.kind == "ControllerRevision") {
    nonnegative(out, obj, "revision", "revision");
    if (old) immutable(out, obj, *old, "data", "data");
  }
  return true;
}

bool validate_batch_kind(const ResourceInfo& r, const json::object& obj, const json::object* old,
                         Causes& out) {
  if (r.group != "batch") return false;
  if (r.kind == "Job") validate_job(obj, old, out);
  if (r.kind == "CronJob") validate_cronjob(obj, out);
  return true;
}

}  // namespace skiff::api::detail
