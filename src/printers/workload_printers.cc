// Tables of the workload kinds: deployments, replica sets, stateful sets, daemon sets,
// controller revisions (apps/v1), jobs and cron jobs (batch/v1).
#include "printers/printing.h"

namespace skiff::api::printing {
namespace {

const json::value* template_spec(const json::object& o) {
  return at(o, {"spec", "template", "spec"});
}

// spec.replicas; the API defaults it to 1.
int64_t desired_replicas(const json::object& o) { return num(o, {"spec", "replicas"}, 1); }

json::array deployment_cells(const json::object& d, Clock::time_point now) {
  auto [names, images] = container_cells(template_spec(d));
  return json::array{name_of(d),
                     std::to_string(num(d, {"status", "readyReplicas"})) + "/" +
                         std::to_string(desired_replicas(d)),
                     num(d, {"status", "updatedReplicas"}),
                     num(d, {"status", "availableReplicas"}),
                     age(d, now),
                     names,
                     images,
                     selector_string(at(d, {"spec", "selector"}))};
}

json::array replicaset_cells(const json::object& rs, Clock::time_point now) {
  auto [names, images] = container_cells(template_spec(rs));
  return json::array{name_of(rs),
                     desired_replicas(rs),
                     num(rs, {"status", "replicas"}),
                     num(rs, {"status", "readyReplicas"}),
                     age(rs, now),
                     names,
                     images,
                     format_label_selector(at(rs, {"spec", "selector"}))};
}

// A ReplicationController's selector is a plain label map: "a=b,c=d".
json::array replicationcontroller_cells(const json::object& rc, Clock::time_point now) {
  auto [names, images] = container_cells(template_spec(rc));
  std::string sel;
  if (const json::value* m = at(rc, {"spec", "selector"}); m && m->is_object())
    for (const auto& kv : m->as_object())
      sel += (sel.empty() ? "" : ",") + std::string(kv.key()) + "=" +
             (kv.value().is_string() ? std::string(kv.value().as_string()) : "");
  return json::array{name_of(rc),
                     desired_replicas(rc),
                     num(rc, {"status", "replicas"}),
                     num(rc, {"status", "readyReplicas"}),
                     age(rc, now),
                     names,
                     images,
                     sel.empty() ? std::string("<none>") : sel};
}

json::array statefulset_cells(const json::object& ss, Clock::time_point now) {
  auto [names, images] = container_cells(template_spec(ss));
  return json::array{name_of(ss),
                     std::to_string(num(ss, {"status", "readyReplicas"})) + "/" +
                         std::to_string(desired_replicas(ss)),
                     age(ss, now), names, images};
}

json::array daemonset_cells(const json::object& ds, Clock::time_point now) {
  auto [names, images] = container_cells(template_spec(ds));
  return json::array{name_of(ds),
                     num(ds, {"status", "desiredNumberScheduled"}),
                     num(ds, {"status", "currentNumberScheduled"}),
                     num(ds, {"status", "numberReady"}),
                     num(ds, {"status", "updatedNumberScheduled"}),
                     num(ds, {"status", "numberAvailable"}),
                     format_labels(obj(ds, {"spec", "template", "spec", "nodeSelector"})),
                     age(ds, now),
                     names,
                     images,
                     format_label_selector(at(ds, {"spec", "selector"}))};
}

// hasJobCondition: the status of the first condition of that type.
bool job_condition(const json::object& job, std::string_view type) {
  for (const auto& c : arr(job, {"status", "conditions"}))
    if (str(&c, {"type"}) == type) return str(&c, {"status"}) == "True";
  return false;
}

json::array job_cells(const json::object& job, Clock::time_point now) {
  int64_t succeeded = num(job, {"status", "succeeded"});
  std::string completions;
  const auto* want = at(job, {"spec", "completions"});
  if (want && want->is_number()) {
    completions = std::to_string(succeeded) + "/" + std::to_string(num(want));
  } else {
    int64_t parallelism = num(job, {"spec", "parallelism"});
    completions = std::to_string(succeeded) + "/1";
    if (parallelism > 1) completions += " of " + std::to_string(parallelism);
  }

  std::string duration;
  auto start = timestamp(at(job, {"status", "startTime"}));
  auto done = timestamp(at(job, {"status", "completionTime"}));
  if (start) duration = human((done ? *done : now) - *start);

  const auto* deletion = at(job, {"metadata", "deletionTimestamp"});
  std::string status;
  if (job_condition(job, "Complete")) {
    status = "Complete";
  } else if (job_condition(job, "Failed")) {
    status = "Failed";
  } else if (deletion && !deletion->is_null()) {
    status = "Terminating";
  } else if (job_condition(job, "Suspended")) {
    status = "Suspended";
  } else if (job_condition(job, "FailureTarget")) {
    status = "FailureTarget";
  } else {
    status = "Running";
  }

  auto [names, images] = container_cells(template_spec(job));
  return json::array{
      name_of(job),  status, completions, duration,
      age(job, now), names,  images,      format_label_selector(at(job, {"spec", "selector"}))};
}

json::array cronjob_cells(const json::object& cj, Clock::time_point now) {
  const auto* last = at(cj, {"status", "lastScheduleTime"});
  std::string last_schedule = last && !last->is_null() ? since(last, now) : "<none>";
  const auto* tz = at(cj, {"spec", "timeZone"});
  std::string time_zone = tz && tz->is_string() ? std::string(tz->get_string()) : "<none>";
  const auto* suspend = at(cj, {"spec", "suspend"});
  std::string suspend_cell = "<unset>";  // printBoolPtr
  if (suspend && suspend->is_bool()) suspend_cell = suspend->get_bool() ? "True" : "False";
  const json::value* job_spec = at(cj, {"spec", "jobTemplate", "spec"});
  auto [names, images] = container_cells(at(job_spec, {"template", "spec"}));
  return json::array{name_of(cj),
                     str(cj, {"spec", "schedule"}),
                     time_zone,
                     suspend_cell,
                     static_cast<int64_t>(arr(cj, {"status", "active"}).size()),
                     last_schedule,
                     age(cj, now),
                     names,
                     images,
                     format_label_selector(at(job_spec, {"selector"}))};
}

json::array controllerrevision_cells(const json::object& cr, Clock::time_point now) {
  std::string controller = "<none>";
  for (const auto& ref : arr(cr, {"metadata", "ownerReferences"})) {
    if (!flag(&ref, {"controller"})) continue;
    // formatResourceName: lower("Kind.group")/name, or lower("Kind")/name for core.
    std::string api_version = str(&ref, {"apiVersion"}), kind = str(&ref, {"kind"});
    auto slash = api_version.find('/');
    std::string group = slash == std::string::npos ? "" : api_version.substr(0, slash);
    std::string name = str(&ref, {"name"});
    if (kind.empty() && group.empty()) {
      controller = name;
    } else {
      controller = to_lower(group.empty() ? kind : kind + "." + group) + "/" + name;
    }
    break;
  }
  return json::array{name_of(cr), controller, num(cr, {"revision"}), age(cr, now)};
}

}  // namespace

void add_workload_printers(std::vector<Printer>& out) {
  out.push_back({"apps",
                 "deployments",
                 {name_col(), col("Ready", "string", "Number of the pod with ready state"),
                  col("Up-to-date", "string", kDescDeployUpdated),
                  col("Available", "string", kDescDeployAvailable), age_col(), containers_col(),
                  images_col(), col("Selector", "string", kDescDeploySelector, 1)},
                 deployment_cells});
  out.push_back({"apps",
                 "replicasets",
                 {name_col(), col("Desired", "integer", kDescRSSpecReplicas),
                  col("Current", "integer", kDescRSStatusReplicas),
                  col("Ready", "integer", kDescRSReadyReplicas), age_col(), containers_col(),
                  images_col(), col("Selector", "string", kDescRSSelector, 1)},
                 replicaset_cells});
  out.push_back({"",
                 "replicationcontrollers",
                 {name_col(), col("Desired", "integer", kDescRSSpecReplicas),
                  col("Current", "integer", kDescRSStatusReplicas),
                  col("Ready", "integer", kDescRSReadyReplicas), age_col(), containers_col(),
                  images_col(), col("Selector", "string", kDescRSSelector, 1)},
                 replicationcontroller_cells});
  out.push_back({"apps",
                 "statefulsets",
                 {name_col(), col("Ready", "string", "Number of the pod with ready state"),
                  age_col(), containers_col(), images_col()},
                 statefulset_cells});
  out.push_back(
      {"apps",
       "daemonsets",
       {name_col(), col("Desired", "integer", kDescDSDesired),
        col("Current", "integer", kDescDSCurrent), col("Ready", "integer", kDescDSReady),
        col("Up-to-date", "integer", kDescDSUpdated), col("Available", "integer", kDescDSAvailable),
        col("Node Selector", "string", kDescPodNodeSelector), age_col(), containers_col(),
        images_col(), col("Selector", "string", kDescDSSelector, 1)},
       daemonset_cells});
  out.push_back({"apps",
                 "controllerrevisions",
                 {name_col(), col("Controller", "string", "Controller of the object"),
                  col("Revision", "string", kDescControllerRevisionRevision), age_col()},
                 controllerrevision_cells});
  out.push_back({"batch",
                 "jobs",
                 {name_col(), col("Status", "string", "Status of the job."),
                  col("Completions", "string", kDescJobSucceeded),
                  col("Duration", "string", "Time required to complete the job."), age_col(),
                  containers_col(), images_col(), col("Selector", "string", kDescJobSelector, 1)},
                 job_cells});
  out.push_back(
      {"batch",
       "cronjobs",
       {name_col(), col("Schedule", "string", kDescCronSchedule),
        col("Timezone", "string", kDescCronTimeZone), col("Suspend", "boolean", kDescCronSuspend),
        col("Active", "integer", kDescCronActive),
        col("Last Schedule", "string", kDescCronLastSchedule), age_col(), containers_col(),
        images_col(), col("Selector", "string", kDescJobSelector, 1)},
       cronjob_cells});
}

}  // namespace skiff::api::printing
