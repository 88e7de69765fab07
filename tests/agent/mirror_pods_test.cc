// Tests of agent/mirror_pod_spec.h: the mirror pod as upstream's kubelet creates it, the hash
// that decides replacement, and the health -> Ready mapping (with common/health.h on a fake
// clock: a component whose loop stops beating turns NotReady).
#include "agent/mirror_pod_spec.h"

#include <gtest/gtest.h>

namespace skiff::agent {
namespace {
using namespace std::chrono_literals;

MirrorFacts facts(const std::string& c = "kube-scheduler") {
  return MirrorFacts{c, "node-1", "uid-1", "192.168.1.5", {"/usr/bin/skiff", "server"}};
}

std::string cond(const json::object& st, const std::string& type, const char* field = "status") {
  for (const auto& c : find_path(st, {"conditions"})->get_array())
    if (get_string(c, {"type"}) == type) return get_string(c, {field});
  return "";
}

TEST(MirrorPod, AsUpstreamCreatesIt) {
  auto pod = mirror_pod(facts());
  EXPECT_TRUE(is_mirror_pod(pod));
  EXPECT_EQ(get_string(pod, {"metadata", "name"}), "kube-scheduler-node-1");
  EXPECT_EQ(get_string(pod, {"metadata", "namespace"}), "kube-system");
  const std::string hash = get_string(pod, {"metadata", "annotations", kHashAnnotation});
  EXPECT_EQ(hash.size(), 32u);
  EXPECT_EQ(get_string(pod, {"metadata", "annotations", kMirrorAnnotation}), hash);
  EXPECT_EQ(get_string(pod, {"metadata", "annotations", kSourceAnnotation}), "file");
  EXPECT_EQ(get_string(pod, {"metadata", "labels", "component"}), "kube-scheduler");
  EXPECT_EQ(get_string(pod, {"metadata", "labels", "tier"}), "control-plane");
  const auto& owner = find_path(pod, {"metadata", "ownerReferences"})->get_array().at(0);
  EXPECT_EQ(get_string(owner, {"kind"}), "Node");
  EXPECT_EQ(get_string(owner, {"uid"}), "uid-1");
  EXPECT_TRUE(find_path(owner, {"controller"})->as_bool());
  EXPECT_EQ(get_string(pod, {"spec", "nodeName"}), "node-1");
  EXPECT_TRUE(find_path(pod, {"spec", "hostNetwork"})->as_bool());
  EXPECT_EQ(get_string(pod, {"spec", "priorityClassName"}), "system-node-critical");
  const auto& c = find_path(pod, {"spec", "containers"})->get_array().at(0);
  EXPECT_EQ(get_string(c, {"name"}), "kube-scheduler");
  EXPECT_EQ(get_string(c, {"image"}), mirror_image("kube-scheduler"));

  EXPECT_EQ(get_string(mirror_pod(facts("kube-proxy")), {"metadata", "labels", "k8s-app"}), "kube-proxy");
  EXPECT_EQ(get_string(mirror_pod(facts("kube-flannel")), {"metadata", "labels", "app"}), "flannel");
  EXPECT_FALSE(is_mirror_pod(json::object{{"metadata", json::object{{"name", "x"}}}}));
}

TEST(MirrorPod, HashFollowsTheSpecNotTime) {
  EXPECT_EQ(mirror_hash(facts()), mirror_hash(facts()));
  auto other = facts();
  other.command.push_back("--flannel-backend=vxlan");
  EXPECT_NE(mirror_hash(other), mirror_hash(facts()));
  EXPECT_NE(mirror_hash(facts("kube-proxy")), mirror_hash(facts()));
}

TEST(MirrorPod, ReadyFollowsHealth) {
  health::reset_for_test();
  const auto t0 = health::Steady::now();
  const auto wall = std::chrono::system_clock::now();
  health::beat("kube-scheduler", "scheduling-loop", 5s, t0);
  auto healthy = mirror_status(facts(), health::check("kube-scheduler", t0 + 1s), {}, wall);
  EXPECT_EQ(get_string(healthy, {"phase"}), "Running");
  EXPECT_EQ(cond(healthy, "Ready"), "True");
  EXPECT_EQ(cond(healthy, "ContainersReady"), "True");
  EXPECT_EQ(cond(healthy, "PodScheduled"), "True");
  EXPECT_EQ(cond(healthy, "Initialized"), "True");
  EXPECT_EQ(get_string(healthy, {"podIP"}), "192.168.1.5");
  EXPECT_EQ(get_string(healthy, {"hostIP"}), "192.168.1.5");
  const auto& cs = find_path(healthy, {"containerStatuses"})->get_array().at(0);
  EXPECT_TRUE(find_path(cs, {"ready"})->as_bool());
  EXPECT_EQ(get_int(cs, {"restartCount"}, -1), 0);
  EXPECT_EQ(get_string(cs, {"state", "running", "startedAt"}), get_string(healthy, {"startTime"}));

  // The loop stops beating: after its max age the pod is NotReady, with the reason.
  auto stuck = mirror_status(facts(), health::check("kube-scheduler", t0 + 7s), healthy, wall + 10s);
  EXPECT_EQ(get_string(stuck, {"phase"}), "Running");
  EXPECT_EQ(cond(stuck, "Ready"), "False");
  EXPECT_EQ(cond(stuck, "Ready", "reason"), "ContainersNotReady");
  EXPECT_EQ(cond(stuck, "Ready", "message"), "containers with unready status: [kube-scheduler]");
  EXPECT_FALSE(find_path(find_path(stuck, {"containerStatuses"})->get_array().at(0), {"ready"})->as_bool());
  // Conditions that held keep their transition time; the flipped one gets the new time.
  EXPECT_EQ(cond(stuck, "PodScheduled", "lastTransitionTime"), cond(healthy, "PodScheduled", "lastTransitionTime"));
  EXPECT_NE(cond(stuck, "Ready", "lastTransitionTime"), cond(healthy, "Ready", "lastTransitionTime"));

  // A stopped component (its source forgotten) is NotReady too; the start time stays.
  health::forget("kube-scheduler", "scheduling-loop");
  auto stopped = mirror_status(facts(), health::check("kube-scheduler", t0 + 8s), stuck, wall + 20s);
  EXPECT_EQ(cond(stopped, "Ready"), "False");
  EXPECT_EQ(get_string(stopped, {"startTime"}), get_string(healthy, {"startTime"}));
  health::reset_for_test();
}

}  // namespace
}  // namespace skiff::agent
