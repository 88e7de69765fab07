// The CronJob controller (batch/v1). See batch.h and docs/controllers.md.
#include <algorithm>

#include "common/log.h"
#include "controllers/batch.h"

namespace skiff::controllers {
namespace {
using client::ObjectPtr;
using namespace std::chrono;
constexpr const char* kMergePatch = "application/merge-patch+json";

std::string owner_cronjob_key(const json::object& job) { return owner_key_of(job, "CronJob"); }

std::optional<Clock::time_point> time_at(const json::object& o,
                                         std::initializer_list<std::string_view> path) {
  const json::value* v = find_path(o, path);
  if (!v || !v->is_string()) return std::nullopt;
  return parse_rfc3339(std::string_view(v->get_string()));
}

// Zones that are UTC under another name; others need a tz database the binary does not carry.
bool is_utc_zone(const std::string& tz) {
  for (const char* z : {"UTC", "Etc/UTC", "Etc/Universal", "Universal", "Zulu", "Etc/Zulu", "GMT",
                        "Etc/GMT", "Etc/GMT+0", "Etc/GMT-0", "Etc/GMT0", "GMT0"})
    if (tz == z) return true;
  return false;
}

std::string rfc1123z(Clock::time_point t) {
  std::time_t tt = Clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

json::object job_ref(const json::object& job) {
  return json::object{{"kind", "Job"},
                      {"namespace", ns_of(job)},
                      {"name", name_of(job)},
                      {"uid", uid_of(job)},
                      {"apiVersion", "batch/v1"},
                      {"resourceVersion", get_string(job, {"metadata", "resourceVersion"})}};
}
}  // namespace

CronJobController::CronJobController(client::Client& c, InformerFactory& inf, int workers)
    : QueueController("cronjob", workers),
      client_(c),
      jobs_(inf.get("batch", "jobs")),
      cronjobs_(inf.get("batch", "cronjobs")) {
  cronjobs_.add_handlers(key_handlers(nullptr, /*enqueue_on_delete=*/false));
  jobs_.add_handlers(client::Handlers{
      [this](const ObjectPtr& j) { on_job(j); },
      [this](const ObjectPtr& old_j, const ObjectPtr& j) {
        on_job(old_j);
        on_job(j);
      },
      [this](const ObjectPtr& j) { on_job(j); }});
}

void CronJobController::on_job(const ObjectPtr& job) {
  std::string k = owner_cronjob_key(*job);
  if (!k.empty()) enqueue(k);
}

void CronJobController::event(const json::object& cj, const std::string& type,
                              const std::string& reason, const std::string& message) {
  {
    const auto now = Clock::now();
    std::lock_guard lk(events_mu_);
    if (recent_events_.size() > 10000) recent_events_.clear();
    auto [it, fresh] = recent_events_.try_emplace(uid_of(cj) + "\x1f" + reason + "\x1f" + message, now);
    if (!fresh && now - it->second < minutes(5)) return;
    it->second = now;
  }
  json::object involved{{"apiVersion", "batch/v1"}, {"kind", "CronJob"}, {"metadata", cj.at("metadata")}};
  auto r = client_.create(resource("", "events"), ns_of(cj),
                          make_event(involved, type, reason, message, "cronjob-controller"));
  if (!r) {
    SKIFF_LOG(DEBUG) << "cronjob: event " << reason << ": " << r.error().message;
  }
}

Status CronJobController::cleanup_history(const json::object& cj, std::vector<ObjectPtr> finished) {
  // Oldest first by startTime (jobs without one first), then by name.
  std::sort(finished.begin(), finished.end(), [](const ObjectPtr& a, const ObjectPtr& b) {
    auto ta = time_at(*a, {"status", "startTime"}).value_or(Clock::time_point{});
    auto tb = time_at(*b, {"status", "startTime"}).value_or(Clock::time_point{});
    if (ta != tb) return ta < tb;
    return name_of(*a) < name_of(*b);
  });
  std::optional<ApiError> err;
  for (const char* type : {"Complete", "Failed"}) {
    const char* field = std::string(type) == "Complete" ? "successfulJobsHistoryLimit"
                                                        : "failedJobsHistoryLimit";
    const json::value* limit_v = find_path(cj, {"spec", field});
    if (!limit_v || !limit_v->is_number()) continue;  // nil: keep them all
    int64_t limit = get_int(cj, {"spec", field}, 0);
    std::vector<ObjectPtr> of_type;
    for (const auto& j : finished)
      if (job_finished_type(*j) == type && !find_path(*j, {"metadata", "deletionTimestamp"}))
        of_type.push_back(j);
    for (size_t i = 0; static_cast<int64_t>(of_type.size() - i) > limit; ++i) {
      const auto& j = of_type[i];
      json::object opts{{"kind", "DeleteOptions"}, {"apiVersion", "v1"}, {"propagationPolicy", "Background"}};
      auto r = client_.remove(resource("batch", "jobs"), ns_of(*j), name_of(*j), opts);
      if (r) event(cj, "Normal", "SuccessfulDelete", "Deleted job " + name_of(*j));
      else if (r.error().code != 404 && !err) err = r.error();
    }
  }
  if (err) return *err;
  return ok_status();
}

Status CronJobController::sync(const std::string& key) {
  ObjectPtr cj_ptr = cronjobs_.get(key);
  if (!cj_ptr) return ok_status();
  const json::object& cj = *cj_ptr;
  const std::string ns = ns_of(cj), uid = uid_of(cj);
  const auto now = Clock::now();
  const auto& jobs_res = resource("batch", "jobs");

  json::object old_status;
  if (const json::value* s = cj.if_contains("status"); s && s->is_object()) old_status = s->as_object();
  json::object status = old_status;
  json::array active;
  if (const json::value* a = old_status.if_contains("active"); a && a->is_array()) active = a->as_array();

  std::vector<ObjectPtr> owned, finished;
  for (const auto& j : jobs_.list_namespace(ns)) {
    const json::object* ref = controller_ref(*j);
    if (ref && get_string(*ref, {"uid"}) == uid) owned.push_back(j);
  }
  auto in_active = [&](const std::string& job_uid) {
    for (const auto& r : active)
      if (get_string(r, {"uid"}) == job_uid) return true;
    return false;
  };
  // An unfinished Job missing from status.active is usually one we just created whose status
  // write the cache has not delivered yet: read the CronJob from the API, as upstream does.
  for (const auto& j : owned) {
    if (in_active(uid_of(*j)) || !job_finished_type(*j).empty()) continue;
    auto fresh = client_.get(resource("batch", "cronjobs"), ns, name_of(cj));
    if (!fresh) return fresh.error().code == 404 ? ok_status() : Status(fresh.error());
    old_status = json::object{};
    if (const json::value* s = fresh->if_contains("status"); s && s->is_object()) old_status = s->as_object();
    status = old_status;
    active = json::array{};
    if (const json::value* a = old_status.if_contains("active"); a && a->is_array()) active = a->as_array();
    break;
  }
  auto last_success = time_at(old_status, {"lastSuccessfulTime"});
  for (const auto& j : owned) {
    const std::string type = job_finished_type(*j);
    const bool found = in_active(uid_of(*j));
    if (!type.empty()) finished.push_back(j);
    if (!found && type.empty()) {
      event(cj, "Warning", "UnexpectedJob",
            "Saw a job that the controller did not create or forgot: " + name_of(*j));
    } else if (found && !type.empty()) {
      json::array kept;
      for (auto& r : active)
        if (get_string(r, {"uid"}) != uid_of(*j)) kept.push_back(r);
      active = std::move(kept);
      event(cj, "Normal", "SawCompletedJob",
            "Saw completed job: " + name_of(*j) + ", condition: " + type);
    }
    if (type == "Complete") {
      auto t = time_at(*j, {"status", "completionTime"});
      if (t && (!last_success || *t > *last_success)) last_success = t;
    }
  }
  // Drop references to Jobs that no longer exist (asking the API about ones the cache lacks).
  {
    json::array kept;
    for (auto& r : active) {
      const std::string jname = get_string(r, {"name"});
      bool exists = false;
      if (auto j = jobs_.get(ns + "/" + jname)) {
        exists = uid_of(*j) == get_string(r, {"uid"});
      } else {
        auto got = client_.get(jobs_res, ns, jname);
        if (!got && got.error().code != 404) return got.error();
        exists = got && uid_of(*got) == get_string(r, {"uid"});
      }
      if (exists) kept.push_back(r);
    }
    active = std::move(kept);
  }
  if (last_success) status["lastSuccessfulTime"] = format_rfc3339(*last_success);

  auto write_status = [&]() -> Status {
    if (active.empty()) status.erase("active");
    else status["active"] = active;
    if (status == old_status) return ok_status();
    json::object patch = status;
    for (const auto& kv : old_status)
      if (!status.contains(kv.key())) patch[kv.key()] = nullptr;
    auto r = client_.patch(resource("batch", "cronjobs"), ns, name_of(cj), kMergePatch,
                           json::object{{"status", patch}}, "status");
    if (!r && r.error().code != 404) return r.error();
    return ok_status();
  };

  if (find_path(cj, {"metadata", "deletionTimestamp"})) return write_status();
  if (auto st = cleanup_history(cj, finished); !st) return st;
  if (const json::value* s = find_path(cj, {"spec", "suspend"}); s && s->is_bool() && s->get_bool())
    return write_status();

  const std::string tz = get_string(cj, {"spec", "timeZone"});
  if (!tz.empty() && !is_utc_zone(tz)) {
    event(cj, "Warning", "UnknownTimeZone",
          "invalid timeZone: \"" + tz + "\": skiff schedules CronJobs in UTC only");
    return write_status();
  }
  const std::string schedule = get_string(cj, {"spec", "schedule"});
  auto sched = parse_cron(schedule);
  if (!sched) {
    event(cj, "Warning", "UnparseableSchedule",
          "unparseable schedule: \"" + schedule + "\" : " + sched.error().message);
    return write_status();
  }

  auto earliest = time_at(old_status, {"lastScheduleTime"});
  if (!earliest) earliest = time_at(cj, {"metadata", "creationTimestamp"});
  if (!earliest) earliest = now;
  const json::value* sds_v = find_path(cj, {"spec", "startingDeadlineSeconds"});
  const bool has_sds = sds_v && sds_v->is_number();
  const auto sds = seconds(get_int(cj, {"spec", "startingDeadlineSeconds"}, 0));
  if (has_sds && now - sds > *earliest) earliest = now - sds;
  ScheduleWindow win = most_recent_schedule(*sched, *earliest, now);
  if (win.missed > 100)
    event(cj, "Warning", "TooManyMissedTimes",
          "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check "
          "clock skew");
  if (auto next = cron_next(*sched, now))
    queue_.add_after(key, ceil<milliseconds>(*next - now) + milliseconds(100));
  if (!win.most_recent) return write_status();
  const auto scheduled = *win.most_recent;

  if (has_sds && scheduled + sds < now) {
    event(cj, "Warning", "MissSchedule", "Missed scheduled time to start a job: " + rfc1123z(scheduled));
    return write_status();
  }
  const std::string job_name = cronjob_job_name(name_of(cj), scheduled);
  for (const auto& r : active)
    if (get_string(r, {"name"}) == job_name) return write_status();
  if (auto last = time_at(old_status, {"lastScheduleTime"}); last && *last == scheduled)
    return write_status();

  const std::string policy = get_string(cj, {"spec", "concurrencyPolicy"}, "Allow");
  if (policy == "Forbid" && !active.empty()) {
    event(cj, "Normal", "JobAlreadyActive",
          "Not starting job because prior execution is running and concurrency policy is Forbid");
    return write_status();
  }
  if (policy == "Replace") {
    json::array kept;
    for (const auto& r : active) {
      json::object opts{{"kind", "DeleteOptions"}, {"apiVersion", "v1"}, {"propagationPolicy", "Background"}};
      auto d = client_.remove(jobs_res, ns, get_string(r, {"name"}), opts);
      if (d || d.error().code == 404) {
        event(cj, "Normal", "SuccessfulDelete", "Deleted job " + get_string(r, {"name"}));
      } else {
        kept.push_back(r);
      }
    }
    active = std::move(kept);
    if (!active.empty()) {
      if (auto st = write_status(); !st) return st;
      return ApiError::internal("could not delete every active job to replace it");
    }
  }

  json::object md{{"name", job_name},
                  {"namespace", ns},
                  {"ownerReferences", json::array{json::object{{"apiVersion", "batch/v1"},
                                                               {"kind", "CronJob"},
                                                               {"name", name_of(cj)},
                                                               {"uid", uid},
                                                               {"controller", true},
                                                               {"blockOwnerDeletion", true}}}}};
  if (const json::value* tm = find_path(cj, {"spec", "jobTemplate", "metadata"}); tm && tm->is_object())
    for (const char* f : {"labels", "annotations"})
      if (const json::value* v = tm->as_object().if_contains(f); v && v->is_object()) md[f] = *v;
  ensure_object(md, "annotations")[kCronJobScheduledTimestamp] = format_rfc3339(scheduled);
  json::object job{{"apiVersion", "batch/v1"}, {"kind", "Job"}, {"metadata", std::move(md)}};
  if (const json::value* s = find_path(cj, {"spec", "jobTemplate", "spec"}); s && s->is_object())
    job["spec"] = *s;
  auto created = client_.create(jobs_res, ns, job);
  if (!created) {
    if (created.error().code != 409) {
      event(cj, "Warning", "FailedCreate", "Error creating job: " + created.error().message);
      if (auto st = write_status(); !st) return st;
      return created.error();
    }
    // Created by an earlier sync whose status write was lost: take it over if it is ours.
    auto got = client_.get(jobs_res, ns, job_name);
    if (!got) return got.error();
    const json::object* ref = controller_ref(*got);
    if (!ref || get_string(*ref, {"uid"}) != uid) return write_status();
    created = std::move(got);
  } else {
    event(cj, "Normal", "SuccessfulCreate", "Created job " + job_name);
  }
  if (job_finished_type(*created).empty() && !in_active(uid_of(*created)))
    active.push_back(job_ref(*created));
  status["lastScheduleTime"] = format_rfc3339(scheduled);
  return write_status();
}

}  // namespace skiff::controllers
