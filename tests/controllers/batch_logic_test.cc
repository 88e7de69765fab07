// Unit tests of the Job and CronJob controllers' pure logic (controllers/batch_logic.h).
#include "controllers/batch_logic.h"

#include <gtest/gtest.h>

namespace skiff::controllers {
namespace {
using namespace std::chrono_literals;

Clock::time_point at(const char* rfc3339) {
  auto t = parse_rfc3339(rfc3339);
  EXPECT_TRUE(t) << rfc3339;
  return t.value_or(Clock::time_point{});
}

std::string next(const char* spec, const char* after) {
  auto s = parse_cron(spec);
  EXPECT_TRUE(s) << spec << ": " << (s ? "" : s.error().message);
  if (!s) return "parse error";
  auto t = cron_next(*s, at(after));
  return t ? format_rfc3339(*t) : "never";
}

TEST(Cron, NextTimes) {
  EXPECT_EQ(next("* * * * *", "2024-01-01T00:00:00Z"), "2024-01-01T00:01:00Z");
  EXPECT_EQ(next("* * * * *", "2024-01-01T00:00:30Z"), "2024-01-01T00:01:00Z");
  EXPECT_EQ(next("*/1 * * * *", "2024-01-01T00:59:59Z"), "2024-01-01T01:00:00Z");
  EXPECT_EQ(next("*/15 * * * *", "2024-01-01T00:15:00Z"), "2024-01-01T00:30:00Z");
  EXPECT_EQ(next("5/20 * * * *", "2024-01-01T00:26:00Z"), "2024-01-01T00:45:00Z");
  EXPECT_EQ(next("0 9-17/4 * * *", "2024-01-01T13:00:00Z"), "2024-01-01T17:00:00Z");
  EXPECT_EQ(next("0 9-17/4 * * *", "2024-01-01T17:00:00Z"), "2024-01-02T09:00:00Z");
  EXPECT_EQ(next("30 2 1,15 * *", "2024-01-02T00:00:00Z"), "2024-01-15T02:30:00Z");
  // 2024-01-01 is a Monday.
  EXPECT_EQ(next("0 0 * * MON-FRI", "2024-01-05T12:00:00Z"), "2024-01-08T00:00:00Z");
  EXPECT_EQ(next("0 0 * * sat,sun", "2024-01-01T00:00:00Z"), "2024-01-06T00:00:00Z");
  EXPECT_EQ(next("0 0 1 JAN *", "2024-01-01T00:00:00Z"), "2025-01-01T00:00:00Z");
  EXPECT_EQ(next("0 0 29 FEB *", "2024-03-01T00:00:00Z"), "2028-02-29T00:00:00Z");
  EXPECT_EQ(next("0 0 31 * *", "2024-04-01T00:00:00Z"), "2024-05-31T00:00:00Z");
  EXPECT_EQ(next("0 0 30 2 *", "2024-01-01T00:00:00Z"), "never");
  // Day of month and day of week both restricted: either matches (cron's OR).
  EXPECT_EQ(next("0 0 13 * FRI", "2024-01-01T00:00:00Z"), "2024-01-05T00:00:00Z");
  EXPECT_EQ(next("0 0 13 * FRI", "2024-01-12T00:00:00Z"), "2024-01-13T00:00:00Z");
  // A starred field makes it AND.
  EXPECT_EQ(next("0 0 * 3 *", "2024-01-01T00:00:00Z"), "2024-03-01T00:00:00Z");
  EXPECT_EQ(next("@hourly", "2024-01-01T00:00:00Z"), "2024-01-01T01:00:00Z");
  EXPECT_EQ(next("@daily", "2024-01-01T00:00:00Z"), "2024-01-02T00:00:00Z");
  EXPECT_EQ(next("@weekly", "2024-01-01T00:00:00Z"), "2024-01-07T00:00:00Z");
  EXPECT_EQ(next("@monthly", "2024-01-31T00:00:00Z"), "2024-02-01T00:00:00Z");
  EXPECT_EQ(next("@yearly", "2024-06-01T00:00:00Z"), "2025-01-01T00:00:00Z");
  EXPECT_EQ(next("  0   12 * * *  ", "2024-01-01T00:00:00Z"), "2024-01-01T12:00:00Z");
}

TEST(Cron, RejectsBadSchedules) {
  for (const char* bad : {"", "* * * *", "* * * * * *", "60 * * * *", "* 24 * * *", "* * 0 * *",
                          "* * * 13 *", "* * * * 7", "5-1 * * * *", "*/0 * * * *", "a * * * *",
                          "1-2-3 * * * *", "1/2/3 * * * *", "@every 5m", "@reboot",
                          "TZ=UTC * * * * *", "CRON_TZ=UTC * * * * *", "* * * FOO *"})
    EXPECT_FALSE(parse_cron(bad)) << bad;
}

TEST(Cron, MostRecentSchedule) {
  auto s = parse_cron("*/10 * * * *");
  ASSERT_TRUE(s);
  auto w = most_recent_schedule(*s, at("2024-01-01T00:00:00Z"), at("2024-01-01T00:35:00Z"));
  ASSERT_TRUE(w.most_recent);
  EXPECT_EQ(format_rfc3339(*w.most_recent), "2024-01-01T00:30:00Z");
  EXPECT_EQ(w.missed, 3);
  w = most_recent_schedule(*s, at("2024-01-01T00:30:00Z"), at("2024-01-01T00:35:00Z"));
  EXPECT_FALSE(w.most_recent);
  EXPECT_EQ(w.missed, 0);
  // Years behind: more than 100 missed, and still the latest one.
  auto every = parse_cron("* * * * *");
  ASSERT_TRUE(every);
  w = most_recent_schedule(*every, at("2020-01-01T00:00:00Z"), at("2024-01-01T10:20:30Z"));
  ASSERT_TRUE(w.most_recent);
  EXPECT_GT(w.missed, 100);
  EXPECT_EQ(format_rfc3339(*w.most_recent), "2024-01-01T10:20:00Z");
}

TEST(Cron, JobName) {
  EXPECT_EQ(cronjob_job_name("hello", at("2024-01-01T00:00:00Z")), "hello-28401120");
}

client::ObjectPtr pod(const std::string& phase, const char* finished = nullptr, int restarts = 0,
                      bool deleting = false, const char* index = nullptr) {
  json::object p{{"metadata", json::object{{"name", "p"}, {"creationTimestamp", "2024-01-01T00:00:00Z"}}},
                 {"status", json::object{{"phase", phase}}}};
  json::object cs{{"name", "c"}, {"restartCount", restarts}};
  if (finished)
    cs["state"] = json::object{{"terminated", json::object{{"exitCode", 0}, {"finishedAt", finished}}}};
  p["status"].as_object()["containerStatuses"] = json::array{cs};
  if (phase == "Running")
    p["status"].as_object()["conditions"] =
        json::array{json::object{{"type", "Ready"}, {"status", "True"}}};
  if (deleting) p["metadata"].as_object()["deletionTimestamp"] = "2024-01-01T00:00:09Z";
  if (index)
    p["metadata"].as_object()["annotations"] = json::object{{kJobCompletionIndex, index}};
  return std::make_shared<const json::object>(std::move(p));
}

TEST(JobPods, Summary) {
  auto s = summarize_job_pods({pod("Running", nullptr, 2), pod("Pending"),
                               pod("Running", nullptr, 0, true),
                               pod("Succeeded", "2024-01-01T00:00:05Z", 0, false, "1"),
                               pod("Failed", "2024-01-01T00:00:03Z"),
                               pod("Failed", "2024-01-01T00:00:07Z"),
                               pod("Failed", "2024-01-01T00:00:08Z")});
  EXPECT_EQ(s.active.size(), 2u);
  EXPECT_EQ(s.ready, 1);
  EXPECT_EQ(s.terminating, 1);
  EXPECT_EQ(s.succeeded, 1);
  EXPECT_EQ(s.failed, 3);
  EXPECT_EQ(s.active_restarts, 2);
  EXPECT_EQ(s.failures_since_success, 2);  // the one at :03 came before the success
  ASSERT_TRUE(s.last_failure);
  EXPECT_EQ(format_rfc3339(*s.last_failure), "2024-01-01T00:00:08Z");
  EXPECT_EQ(s.succeeded_indexes, (std::set<int64_t>{1}));
}

TEST(JobPods, WantActive) {
  EXPECT_EQ(job_want_active(5, 2, 0, 0), 2);
  EXPECT_EQ(job_want_active(5, 2, 4, 1), 1);
  EXPECT_EQ(job_want_active(5, 2, 5, 1), 0);
  EXPECT_EQ(job_want_active(5, 2, 7, 0), 0);
  EXPECT_EQ(job_want_active(std::nullopt, 3, 0, 0), 3);  // work queue: until one succeeds
  EXPECT_EQ(job_want_active(std::nullopt, 3, 1, 2), 2);  // then no new pods
}

TEST(JobPods, BackoffAndLimits) {
  EXPECT_EQ(job_failure_backoff(0), 0s);
  EXPECT_EQ(job_failure_backoff(1), 10s);
  EXPECT_EQ(job_failure_backoff(2), 20s);
  EXPECT_EQ(job_failure_backoff(6), 320s);
  EXPECT_EQ(job_failure_backoff(7), 360s);
  EXPECT_EQ(job_failure_backoff(100), 360s);
  EXPECT_TRUE(past_backoff_limit_on_failure(1, 0));
  EXPECT_FALSE(past_backoff_limit_on_failure(0, 0));
  EXPECT_FALSE(past_backoff_limit_on_failure(5, 6));
  EXPECT_TRUE(past_backoff_limit_on_failure(6, 6));
}

TEST(JobPods, IndexSets) {
  EXPECT_EQ(format_index_set({}), "");
  EXPECT_EQ(format_index_set({0, 1, 2, 4, 6, 7}), "0-2,4,6-7");
  EXPECT_EQ(parse_index_set("0-2,4,6-7", 10), (std::set<int64_t>{0, 1, 2, 4, 6, 7}));
  EXPECT_EQ(parse_index_set("1,8-12,x", 10), (std::set<int64_t>{1, 8, 9}));
  EXPECT_EQ(missing_indexes({0, 2}, {1}, 6, 2), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(missing_indexes({0, 1, 2}, {}, 3, 5), (std::vector<int64_t>{}));
}

TEST(JobStatus, FinishedTypeAndTime) {
  json::object job{{"status", json::object{{"conditions", json::array{
      job_condition("Suspended", "JobResumed", "Job resumed", at("2024-01-01T00:00:00Z"), "False"),
      job_condition("Failed", "DeadlineExceeded", "m", at("2024-01-01T00:01:00Z"))}}}}};
  EXPECT_EQ(job_finished_type(job), "Failed");
  ASSERT_TRUE(job_finish_time(job));
  EXPECT_EQ(format_rfc3339(*job_finish_time(job)), "2024-01-01T00:01:00Z");
  auto c = job_condition("Complete", "CompletionsReached", "x", at("2024-01-01T00:02:00Z"));
  EXPECT_EQ(get_string(c, {"status"}), "True");
  EXPECT_EQ(get_string(c, {"lastProbeTime"}), "2024-01-01T00:02:00Z");
  json::object running{{"status", json::object{}}};
  EXPECT_EQ(job_finished_type(running), "");
  EXPECT_FALSE(job_finish_time(running));
}

}  // namespace
}  // namespace skiff::controllers
