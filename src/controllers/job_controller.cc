// The Job controller (batch/v1). See batch.h and docs/controllers.md.
#include <algorithm>

#include "common/log.h"
#include "controllers/batch.h"

namespace skiff::controllers {
namespace {
using client::ObjectPtr;
using namespace std::chrono;
constexpr const char* kMergePatch = "application/merge-patch+json";

// The Job key a pod's controller reference names, or "".
std::string owner_job_key(const json::object& pod) { return owner_key_of(pod, "Job"); }

std::optional<int64_t> opt_int(const json::object& o, std::initializer_list<std::string_view> path) {
  const json::value* v = find_path(o, path);
  if (!v || !v->is_number()) return std::nullopt;
  return get_int(o, path, 0);
}

bool opt_bool(const json::object& o, std::initializer_list<std::string_view> path) {
  const json::value* v = find_path(o, path);
  return v && v->is_bool() && v->get_bool();
}

// Replaces (or appends) the condition of c's type.
void set_condition(json::array& conds, json::object c) {
  for (auto& e : conds)
    if (e.is_object() && get_string(e, {"type"}) == get_string(c, {"type"})) {
      e = std::move(c);
      return;
    }
  conds.push_back(std::move(c));
}

const json::object* find_condition(const json::array& conds, const std::string& type) {
  for (const auto& e : conds)
    if (e.is_object() && get_string(e, {"type"}) == type) return &e.as_object();
  return nullptr;
}
}  // namespace

JobController::JobController(client::Client& c, InformerFactory& inf, int workers)
    : QueueController("job", workers),
      client_(c),
      pods_(inf.get("", "pods")),
      jobs_(inf.get("batch", "jobs")) {
  jobs_.add_handlers(key_handlers([this](const ObjectPtr& o) {
    expectations_.erase(client::object_key(*o));
    std::lock_guard lk(finished_mu_);
    finished_.erase(uid_of(*o));
  }));
  pods_.add_handlers(client::Handlers{
      [this](const ObjectPtr& p) {
        std::string k = owner_job_key(*p);
        if (!k.empty()) expectations_.creation_observed(k);
        on_pod(p, false);
      },
      [this](const ObjectPtr& old_p, const ObjectPtr& p) {
        std::string ok = owner_job_key(*old_p);
        if (!ok.empty() && ok != owner_job_key(*p)) enqueue(ok);
        on_pod(p, false);
      },
      [this](const ObjectPtr& p) { on_pod(p, true); }});
}

void JobController::on_pod(const ObjectPtr& pod, bool deleted) {
  std::string k = owner_job_key(*pod);
  if (k.empty()) return;
  if (deleted || find_path(*pod, {"metadata", "deletionTimestamp"}))
    expectations_.deletion_observed(k, client::object_key(*pod));
  enqueue(k);
}

void JobController::event(const json::object& job, const std::string& type,
                          const std::string& reason, const std::string& message) {
  json::object involved{{"apiVersion", "batch/v1"}, {"kind", "Job"}, {"metadata", job.at("metadata")}};
  auto r = client_.create(resource("", "events"), ns_of(job),
                          make_event(involved, type, reason, message, "job-controller"));
  if (!r) {
    SKIFF_LOG(DEBUG) << "job: event " << reason << ": " << r.error().message;
  }
}

Status JobController::sync_ttl(const json::object& job, const std::string& key) {
  auto ttl = opt_int(job, {"spec", "ttlSecondsAfterFinished"});
  auto finished = job_finish_time(job);
  if (!ttl || !finished) return ok_status();
  auto expire = *finished + seconds(*ttl);
  auto now = Clock::now();
  if (now < expire) {
    queue_.add_after(key, ceil<milliseconds>(expire - now) + milliseconds(50));
    return ok_status();
  }
  // As upstream's TTL-after-finished controller: foreground cascade, only this very Job.
  json::object opts{{"kind", "DeleteOptions"},
                    {"apiVersion", "v1"},
                    {"propagationPolicy", "Foreground"},
                    {"preconditions", json::object{{"uid", uid_of(job)}}}};
  auto r = client_.remove(resource("batch", "jobs"), ns_of(job), name_of(job), opts);
  if (!r && r.error().code != 404 && r.error().code != 409) return r.error();
  return ok_status();
}

Status JobController::sync(const std::string& key) {
  ObjectPtr job_ptr = jobs_.get(key);
  if (!job_ptr) {
    expectations_.erase(key);
    return ok_status();
  }
  const json::object& job = *job_ptr;
  if (find_path(job, {"metadata", "deletionTimestamp"})) return ok_status();
  {
    std::lock_guard lk(finished_mu_);
    if (!job_finished_type(job).empty()) {
      finished_.erase(uid_of(job));
    } else if (finished_.count(uid_of(job))) {  // our terminal status is not in the cache yet
      queue_.add_after(key, milliseconds(200));
      return ok_status();
    }
  }
  if (!job_finished_type(job).empty()) {
    // Pods deleted when the Job finished count as terminating until they are gone.
    if (int64_t was = get_int(job, {"status", "terminating"}, 0); was > 0) {
      int64_t now_terminating = 0;
      for (const auto& p : pods_.list_namespace(ns_of(job))) {
        const json::object* ref = controller_ref(*p);
        if (ref && get_string(*ref, {"uid"}) == uid_of(job)) {
          const std::string phase = get_string(*p, {"status", "phase"});
          if (find_path(*p, {"metadata", "deletionTimestamp"}) && phase != "Succeeded" &&
              phase != "Failed")
            ++now_terminating;
        }
      }
      if (now_terminating != was) {
        auto r = client_.patch(resource("batch", "jobs"), ns_of(job), name_of(job), kMergePatch,
                               json::object{{"status", json::object{{"terminating", now_terminating}}}},
                               "status");
        if (!r && r.error().code != 404) return r.error();
      }
    }
    return sync_ttl(job, key);
  }
  // Read before the cache so that no observation is missed.
  const bool satisfied = expectations_.satisfied(key);

  const std::string uid = uid_of(job);
  std::vector<ObjectPtr> pods;
  for (const auto& p : pods_.list_namespace(ns_of(job))) {
    const json::object* ref = controller_ref(*p);
    if (ref && get_string(*ref, {"uid"}) == uid) pods.push_back(p);
  }
  JobPodSummary sum = summarize_job_pods(pods);
  const auto now = Clock::now();

  const int64_t parallelism = get_int(job, {"spec", "parallelism"}, 1);
  const auto completions = opt_int(job, {"spec", "completions"});
  const int64_t backoff_limit = get_int(job, {"spec", "backoffLimit"}, 6);
  const auto deadline = opt_int(job, {"spec", "activeDeadlineSeconds"});
  const bool suspended = opt_bool(job, {"spec", "suspend"});
  const bool indexed = get_string(job, {"spec", "completionMode"}) == "Indexed" && completions;
  const bool on_failure =
      get_string(job, {"spec", "template", "spec", "restartPolicy"}) == "OnFailure";

  json::object old_status;
  if (const json::value* s = job.if_contains("status"); s && s->is_object()) old_status = s->as_object();
  json::object status = old_status;
  json::array conds;
  if (const json::value* c = old_status.if_contains("conditions"); c && c->is_array()) conds = c->as_array();

  // Terminal pods are counted by phase; the counts never go down (a deleted pod is not lost).
  int64_t succeeded = std::max(get_int(old_status, {"succeeded"}, 0), sum.succeeded);
  int64_t failed = std::max(get_int(old_status, {"failed"}, 0), sum.failed);
  std::set<int64_t> done_indexes;
  if (indexed) {
    done_indexes = parse_index_set(get_string(old_status, {"completedIndexes"}), *completions);
    for (int64_t i : sum.succeeded_indexes)
      if (i < *completions) done_indexes.insert(i);
    succeeded = std::max(succeeded, static_cast<int64_t>(done_indexes.size()));
  }

  // Suspend / resume.
  const json::object* susp = find_condition(conds, "Suspended");
  const bool was_suspended = susp && get_string(*susp, {"status"}) == "True";
  if (suspended && !was_suspended) {
    set_condition(conds, job_condition("Suspended", "JobSuspended", "Job suspended", now));
    event(job, "Normal", "Suspended", "Job suspended");
  } else if (!suspended && was_suspended) {
    set_condition(conds, job_condition("Suspended", "JobResumed", "Job resumed", now, "False"));
    status["startTime"] = format_rfc3339(now);  // the deadline counts from the resume
    event(job, "Normal", "Resumed", "Job resumed");
  }
  if (!suspended && !status.contains("startTime")) status["startTime"] = format_rfc3339(now);
  std::optional<Clock::time_point> start;
  if (const json::value* s = status.if_contains("startTime"); s && s->is_string())
    start = parse_rfc3339(std::string_view(s->get_string()));

  // Finished?
  std::string fail_reason, fail_message;
  if (!suspended) {
    if (failed > backoff_limit ||
        (on_failure && past_backoff_limit_on_failure(sum.active_restarts, backoff_limit))) {
      fail_reason = "BackoffLimitExceeded";
      fail_message = "Job has reached the specified backoff limit";
    } else if (deadline && start && now >= *start + seconds(*deadline)) {
      fail_reason = "DeadlineExceeded";
      fail_message = "Job was active longer than specified deadline";
    }
  }
  bool complete = false;
  if (fail_reason.empty() && !suspended) {
    if (indexed) complete = static_cast<int64_t>(done_indexes.size()) >= *completions;
    else if (completions) complete = succeeded >= *completions;
    else complete = succeeded > 0 && sum.active.empty();
  }

  int64_t active = static_cast<int64_t>(sum.active.size());
  int64_t terminating = sum.terminating;
  Status manage_status = ok_status();
  std::optional<milliseconds> requeue;
  if (!fail_reason.empty() || complete || suspended) {
    if (!sum.active.empty()) {
      manage_status = delete_pods(job, key, sum.active);
      if (!manage_status) return manage_status;  // retry before declaring the outcome
      if (!fail_reason.empty()) failed += active;
      terminating += active;
      active = 0;
    }
    if (!fail_reason.empty()) {
      set_condition(conds, job_condition("Failed", fail_reason, fail_message, now));
      event(job, "Warning", fail_reason, fail_message);
    } else if (complete) {
      set_condition(conds, job_condition("Complete", "CompletionsReached",
                                         "Reached expected number of succeeded pods", now));
      status["completionTime"] = format_rfc3339(now);
      event(job, "Normal", "Completed", "Job completed");
    }
  } else if (satisfied) {
    // Pod failure backoff: replacements wait 10 s * 2^(n-1) after the last failure.
    bool may_create = true;
    if (sum.failures_since_success > 0 && sum.last_failure) {
      auto ready_at = *sum.last_failure + job_failure_backoff(sum.failures_since_success);
      if (now < ready_at) {
        may_create = false;
        requeue = ceil<milliseconds>(ready_at - now) + milliseconds(50);
      }
    }
    if (indexed) {
      auto missing = missing_indexes(done_indexes, sum.active_indexes, *completions,
                                     std::min(parallelism - active, kBurst));
      if (may_create && !missing.empty()) {
        manage_status = create_pods(job, key, static_cast<int64_t>(missing.size()), missing);
        active += static_cast<int64_t>(missing.size());
      }
    } else {
      int64_t want = job_want_active(completions, parallelism, succeeded, active);
      if (want < active) {
        auto victims = pods_to_delete(sum.active, static_cast<size_t>(std::min(active - want, kBurst)));
        manage_status = delete_pods(job, key, victims);
        active -= static_cast<int64_t>(victims.size());
        terminating += static_cast<int64_t>(victims.size());
      } else if (want > active && may_create) {
        int64_t n = std::min(want - active, kBurst);
        manage_status = create_pods(job, key, n, {});
        active += n;
      }
    }
  }
  if (fail_reason.empty() && !complete && !suspended && deadline && start) {
    auto left = ceil<milliseconds>(*start + seconds(*deadline) - now) + milliseconds(50);
    requeue = requeue ? std::min(*requeue, left) : left;
  }

  // Zero counters are omitted, as upstream's omitempty; ready and terminating are always set.
  auto set_count = [&](const char* f, int64_t v) {
    if (v > 0) status[f] = v;
    else status.erase(f);
  };
  set_count("active", active);
  set_count("succeeded", succeeded);
  set_count("failed", failed);
  status["ready"] = active > 0 ? std::min(sum.ready, active) : 0;
  status["terminating"] = terminating;
  if (indexed) {
    std::string ci = format_index_set(done_indexes);
    if (ci.empty()) status.erase("completedIndexes");
    else status["completedIndexes"] = ci;
  }
  if (conds.empty()) status.erase("conditions");
  else status["conditions"] = conds;

  if (status != old_status) {
    json::object patch = status;
    for (const auto& kv : old_status)
      if (!status.contains(kv.key())) patch[kv.key()] = nullptr;
    auto r = client_.patch(resource("batch", "jobs"), ns_of(job), name_of(job), kMergePatch,
                           json::object{{"status", patch}}, "status");
    if (!r && r.error().code != 404) return r.error();
    if (r && (complete || !fail_reason.empty())) {
      {
        std::lock_guard lk(finished_mu_);
        if (finished_.size() > 10000) finished_.clear();  // a bound; the cache catches up anyway
        finished_.insert(uid_of(job));
      }
      if (auto ttl = opt_int(job, {"spec", "ttlSecondsAfterFinished"}))
        queue_.add_after(key, seconds(*ttl) + milliseconds(50));
    }
  }
  if (requeue) queue_.add_after(key, *requeue);
  return manage_status;
}

Status JobController::create_pods(const json::object& job, const std::string& key, int64_t n,
                                  const std::vector<int64_t>& indexes) {
  const std::string ns = ns_of(job), name = name_of(job);
  json::object tmpl_md;
  if (const json::value* tm = find_path(job, {"spec", "template", "metadata"}); tm && tm->is_object())
    tmpl_md = tm->as_object();
  json::object spec;
  if (const json::value* s = find_path(job, {"spec", "template", "spec"}); s && s->is_object())
    spec = s->as_object();
  const json::array owners{json::object{{"apiVersion", "batch/v1"},
                                        {"kind", "Job"},
                                        {"name", name},
                                        {"uid", uid_of(job)},
                                        {"controller", true},
                                        {"blockOwnerDeletion", true}}};
  expectations_.expect_creations(key, static_cast<int>(n));
  std::optional<ApiError> err;
  for (int64_t i = 0; i < n; ++i) {
    json::object md;
    for (const char* f : {"labels", "annotations"})
      if (const json::value* v = tmpl_md.if_contains(f); v && v->is_object()) md[f] = *v;
    md["generateName"] = name + "-";
    md["namespace"] = ns;
    md["ownerReferences"] = owners;
    json::object pod_spec = spec;
    if (!indexes.empty()) {
      const std::string idx = std::to_string(indexes[static_cast<size_t>(i)]);
      md["generateName"] = name + "-" + idx + "-";
      ensure_object(md, "annotations")[kJobCompletionIndex] = idx;
      ensure_object(md, "labels")[kJobCompletionIndex] = idx;
      if (get_string(pod_spec, {"hostname"}).empty()) pod_spec["hostname"] = name + "-" + idx;
      for (const char* list : {"containers", "initContainers"}) {
        json::value* cs = pod_spec.if_contains(list);
        if (!cs || !cs->is_array()) continue;
        for (auto& c : cs->as_array()) {
          if (!c.is_object()) continue;
          auto& env = ensure_array(c.as_object(), "env");
          env.push_back(json::object{
              {"name", "JOB_COMPLETION_INDEX"},
              {"valueFrom",
               json::object{{"fieldRef",
                             json::object{{"apiVersion", "v1"},
                                          {"fieldPath", std::string("metadata.annotations['") +
                                                            kJobCompletionIndex + "']"}}}}}});
        }
      }
    }
    json::object pod{{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", std::move(md)},
                     {"spec", std::move(pod_spec)}};
    auto r = client_.create(resource("", "pods"), ns, pod);
    if (r) {
      event(job, "Normal", "SuccessfulCreate", "Created pod: " + name_of(*r));
      continue;
    }
    expectations_.creation_observed(key);  // will never be observed
    event(job, "Warning", "FailedCreate", "Error creating: " + r.error().message);
    if (!err) err = r.error();
    // Stop early on errors that would repeat; the rest are never observed either.
    for (int64_t j = i + 1; j < n; ++j) expectations_.creation_observed(key);
    break;
  }
  if (err) return *err;
  return ok_status();
}

Status JobController::delete_pods(const json::object& job, const std::string& key,
                                  const std::vector<ObjectPtr>& pods) {
  std::vector<std::string> keys;
  for (const auto& p : pods) keys.push_back(client::object_key(*p));
  expectations_.expect_deletions(key, keys);
  std::optional<ApiError> err;
  for (const auto& p : pods) {
    auto r = client_.remove(resource("", "pods"), ns_of(*p), name_of(*p));
    if (r) {
      event(job, "Normal", "SuccessfulDelete", "Deleted pod: " + name_of(*p));
      continue;
    }
    if (r.error().code == 404) continue;  // already gone; the informer will tell
    expectations_.deletion_observed(key, client::object_key(*p));
    if (!err) err = r.error();
  }
  if (err) return *err;
  return ok_status();
}

}  // namespace skiff::controllers
