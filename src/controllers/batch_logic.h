// Pure logic of the Job and CronJob controllers (batch/v1): cron schedules (the 5-field format
// of robfig/cron's standard parser, which upstream uses), the schedule arithmetic of the
// CronJob controller, and the pod accounting of the Job controller. No I/O, so everything here
// is unit-tested directly (tests/controllers/batch_logic_test.cc). All times are UTC.
#pragma once
#include <bitset>
#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "client/informer.h"
#include "common/api_error.h"
#include "common/json.h"
#include "common/time.h"

namespace skiff::controllers {

// ---------------- cron ----------------

// A parsed schedule. The *_star flags follow robfig/cron: a day-of-month or day-of-week field
// written as "*" or "?" (step 1) matches with AND semantics, otherwise the two fields OR.
struct CronSchedule {
  std::bitset<60> minute;
  std::bitset<24> hour;
  std::bitset<32> dom;    // 1..31
  std::bitset<13> month;  // 1..12
  std::bitset<7> dow;     // 0 = Sunday
  bool dom_star = false, dow_star = false;
};

// "*/5 9-17 * JAN-MAR mon,wed", and the descriptors @yearly, @annually, @monthly, @weekly,
// @daily, @midnight and @hourly. @every and TZ= prefixes are refused (400 with the reason).
Result<CronSchedule> parse_cron(std::string_view spec);
// The first schedule time strictly after `t` (whole minutes, UTC); nullopt when none comes in
// the next five years (e.g. "0 0 30 2 *"), as robfig/cron.
std::optional<Clock::time_point> cron_next(const CronSchedule& s, Clock::time_point t);

// The latest schedule time in (earliest, now], and how many there were (capped at 101, enough to
// tell "more than 100 missed", upstream's TooManyMissedTimes threshold).
struct ScheduleWindow {
  std::optional<Clock::time_point> most_recent;
  int64_t missed = 0;
};
ScheduleWindow most_recent_schedule(const CronSchedule& s, Clock::time_point earliest,
                                    Clock::time_point now);

// The Job a CronJob creates for `scheduled`: "<cronjob>-<minutes since the epoch>".
std::string cronjob_job_name(const std::string& cronjob, Clock::time_point scheduled);

// ---------------- jobs ----------------

inline constexpr const char* kJobCompletionIndex = "batch.kubernetes.io/job-completion-index";
inline constexpr const char* kCronJobScheduledTimestamp =
    "batch.kubernetes.io/cronjob-scheduled-timestamp";

// What a Job's pods say, for the controller's status arithmetic.
struct JobPodSummary {
  std::vector<client::ObjectPtr> active;  // not terminal, not being deleted
  int64_t ready = 0;                      // active and Ready
  int64_t terminating = 0;                // being deleted, not terminal
  int64_t succeeded = 0, failed = 0;      // terminal pods by phase
  // Container (and init container) restarts of active pods: restartPolicy OnFailure's failures.
  int64_t active_restarts = 0;
  // Failed pods newer than the newest succeeded one, and when the last of them ended: the pod
  // failure backoff (10 s doubling) counts from there.
  int64_t failures_since_success = 0;
  std::optional<Clock::time_point> last_failure;
  std::set<int64_t> succeeded_indexes, active_indexes;  // Indexed mode (-1: no valid index)
};
JobPodSummary summarize_job_pods(const std::vector<client::ObjectPtr>& pods);

// When a pod ended: its containers' latest finishedAt, else its deletion or creation time.
std::optional<Clock::time_point> pod_finish_time(const json::object& pod);
// The pod's completion index (annotation, else label), or -1.
int64_t pod_completion_index(const json::object& pod);

// How many pods a NonIndexed Job wants running (upstream's wantActive).
int64_t job_want_active(std::optional<int64_t> completions, int64_t parallelism,
                        int64_t succeeded, int64_t active);
// Upstream's pod failure backoff: 10 s * 2^(n-1), at most 6 minutes; 0 for n <= 0.
std::chrono::seconds job_failure_backoff(int64_t consecutive_failures);
// Restarts count toward backoffLimit under restartPolicy OnFailure (pastBackoffLimitOnFailure).
bool past_backoff_limit_on_failure(int64_t restarts, int64_t backoff_limit);

// Indexed mode: "1,3-5" and back (invalid parts skipped).
std::string format_index_set(const std::set<int64_t>& s);
std::set<int64_t> parse_index_set(std::string_view s, int64_t completions);
// The lowest indexes in [0, completions) neither succeeded nor active, at most n.
std::vector<int64_t> missing_indexes(const std::set<int64_t>& succeeded,
                                     const std::set<int64_t>& active, int64_t completions,
                                     int64_t n);

// A JobCondition (status True) as upstream writes it.
json::object job_condition(const std::string& type, const std::string& reason,
                           const std::string& message, Clock::time_point now,
                           const std::string& status = "True");
// "Complete" or "Failed" when that condition is True, else "".
std::string job_finished_type(const json::object& job);
// When the Job finished: completionTime, else the finishing condition's lastTransitionTime.
std::optional<Clock::time_point> job_finish_time(const json::object& job);

}  // namespace skiff::controllers
