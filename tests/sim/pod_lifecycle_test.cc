// Unit tests of how hollow nodes end Job-like pods (sim/pod_lifecycle.h).
#include "sim/pod_lifecycle.h"

#include <gtest/gtest.h>

#include "sim/objects.h"

namespace skiff::sim {
namespace {
using namespace std::chrono_literals;

json::object make_pod(const char* restart_policy, json::object annotations = {}) {
  json::object pod{
      {"metadata", json::object{{"name", "p"}, {"namespace", "default"}, {"uid", "u1"}}},
      {"spec", json::object{{"containers", json::array{json::object{{"name", "c"}, {"image", "x"}}}}}}};
  if (restart_policy) pod["spec"].as_object()["restartPolicy"] = restart_policy;
  if (!annotations.empty()) pod["metadata"].as_object()["annotations"] = std::move(annotations);
  return pod;
}

// The pod as it is once the sim made it Running at `t`.
json::object running(json::object pod, Clock::time_point t) {
  auto patch = running_pod_status(pod, "10.128.0.2", "10.250.0.1", t);
  pod["status"] = patch.at("status");
  return pod;
}

const json::object& container(const json::object& patch) {
  return find_path(patch, {"status", "containerStatuses"})->as_array().at(0).as_object();
}

std::string condition(const json::object& patch, const char* type, const char* field) {
  for (const auto& c : find_path(patch, {"status", "conditions"})->as_array())
    if (get_string(c, {"type"}) == type) return get_string(c, {field});
  return "<none>";
}

TEST(PodLifecycle, RunDuration) {
  EXPECT_FALSE(pod_run_duration(make_pod(nullptr), 1s));  // Always by default: never finishes
  EXPECT_FALSE(pod_run_duration(make_pod("Always"), 1s));
  EXPECT_EQ(pod_run_duration(make_pod("Never"), 1s), std::chrono::milliseconds(1000));
  EXPECT_EQ(pod_run_duration(make_pod("OnFailure", {{kRunDurationAnnotation, "5s"}}), 1s),
            std::chrono::milliseconds(5000));
  EXPECT_EQ(pod_run_duration(make_pod("Never", {{kRunDurationAnnotation, "junk"}}), 2s),
            std::chrono::milliseconds(2000));
}

TEST(PodLifecycle, ExitCode) {
  EXPECT_EQ(pod_exit_code(make_pod("Never")), 0);
  EXPECT_EQ(pod_exit_code(make_pod("Never", {{kExitCodeAnnotation, "3"}})), 3);
  EXPECT_EQ(pod_exit_code(make_pod("Never", {{kExitCodeAnnotation, "x"}})), 0);
  EXPECT_EQ(pod_exit_code(make_pod("Never", {{kExitCodeAnnotation, "300"}})), 0);
}

TEST(PodLifecycle, SucceedsWithExitZero) {
  auto t0 = *parse_rfc3339("2024-01-01T00:00:00Z");
  auto pod = running(make_pod("Never"), t0);
  ASSERT_TRUE(pod_running_since(pod));
  EXPECT_EQ(*pod_running_since(pod), t0);
  auto patch = finished_pod_status(pod, 0, t0 + 1s);
  EXPECT_EQ(get_string(patch, {"status", "phase"}), "Succeeded");
  const auto& c = container(patch);
  EXPECT_EQ(get_int(c, {"state", "terminated", "exitCode"}, -1), 0);
  EXPECT_EQ(get_string(c, {"state", "terminated", "reason"}), "Completed");
  EXPECT_EQ(get_string(c, {"state", "terminated", "startedAt"}), "2024-01-01T00:00:00Z");
  EXPECT_EQ(get_string(c, {"state", "terminated", "finishedAt"}), "2024-01-01T00:00:01Z");
  EXPECT_FALSE(c.at("ready").as_bool());
  EXPECT_EQ(condition(patch, "Ready", "status"), "False");
  EXPECT_EQ(condition(patch, "Ready", "reason"), "PodCompleted");
  EXPECT_EQ(condition(patch, "ContainersReady", "status"), "False");
  EXPECT_EQ(condition(patch, "PodScheduled", "status"), "True");
}

TEST(PodLifecycle, FailsUnderNever) {
  auto t0 = *parse_rfc3339("2024-01-01T00:00:00Z");
  auto pod = running(make_pod("Never", {{kExitCodeAnnotation, "2"}}), t0);
  EXPECT_FALSE(exit_restarts(pod, 2));
  auto patch = finished_pod_status(pod, pod_exit_code(pod), t0 + 1s);
  EXPECT_EQ(get_string(patch, {"status", "phase"}), "Failed");
  EXPECT_EQ(get_int(container(patch), {"state", "terminated", "exitCode"}, -1), 2);
  EXPECT_EQ(get_string(container(patch), {"state", "terminated", "reason"}), "Error");
}

TEST(PodLifecycle, RestartsUnderOnFailure) {
  auto t0 = *parse_rfc3339("2024-01-01T00:00:00Z");
  auto pod = running(make_pod("OnFailure", {{kExitCodeAnnotation, "1"}}), t0);
  EXPECT_TRUE(exit_restarts(pod, 1));
  auto patch = finished_pod_status(pod, 1, t0 + 1s);
  EXPECT_FALSE(find_path(patch, {"status", "phase"}));  // stays Running
  const auto& c = container(patch);
  EXPECT_EQ(get_int(c, {"restartCount"}, -1), 1);
  EXPECT_EQ(get_int(c, {"lastState", "terminated", "exitCode"}, -1), 1);
  EXPECT_EQ(get_string(c, {"state", "running", "startedAt"}), "2024-01-01T00:00:01Z");
  // The next failure counts on.
  pod["status"].as_object()["containerStatuses"] = patch.at("status").at("containerStatuses");
  EXPECT_EQ(get_int(container(finished_pod_status(pod, 1, t0 + 2s)), {"restartCount"}, -1), 2);
  // Exit 0 under OnFailure ends the pod.
  EXPECT_EQ(get_string(finished_pod_status(pod, 0, t0 + 3s), {"status", "phase"}), "Succeeded");
}

TEST(PodLifecycle, RunDurationFlag) {
  const char* argv[] = {"sim", "--kubeconfig", "k", "--nodes", "1", "--pod-run-duration", "250ms"};
  auto cfg = parse_sim_flags(7, const_cast<char**>(argv), nullptr);
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->pod_run_duration, std::chrono::milliseconds(250));
  const char* def[] = {"sim", "--kubeconfig", "k", "--nodes", "1"};
  EXPECT_EQ(parse_sim_flags(5, const_cast<char**>(def), nullptr)->pod_run_duration,
            std::chrono::milliseconds(1000));
}

}  // namespace
}  // namespace skiff::sim
