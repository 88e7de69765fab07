#include "printers/printers.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace skiff::api {
namespace {

using namespace std::chrono_literals;

json::object parse(std::string_view text) {
  json::value v;
  std::string err;
  EXPECT_TRUE(parse_json(text, v, err)) << err << "\n" << text;
  return v.is_object() ? v.get_object() : json::object{};
}

const ResourceInfo& res(std::string_view group, std::string_view resource) {
  for (const auto& r : all_resources())
    if (r.group == group && r.resource == resource) return r;
  ADD_FAILURE() << "no resource " << group << "/" << resource;
  static ResourceInfo none;
  return none;
}

// A fixed "now": 2024-05-01T12:00:00Z.
Clock::time_point now() { return *parse_rfc3339("2024-05-01T12:00:00Z"); }

json::array cells(std::string_view group, std::string_view resource, std::string_view obj) {
  return table_cells(res(group, resource), parse(obj), now());
}

std::vector<std::string> column_names(std::string_view group, std::string_view resource) {
  std::vector<std::string> out;
  for (const auto& c : table_columns(res(group, resource))) out.push_back(c.name);
  return out;
}

TEST(PrintersTest, PendingPodFromTheTutorial) {
  auto row = cells("", "pods", R"({"metadata":{"name":"nginx","namespace":"default",
      "creationTimestamp":"2024-05-01T11:55:00Z"},
      "spec":{"containers":[{"name":"nginx","image":"nginx"}]},
      "status":{"phase":"Pending","qosClass":"BestEffort"}})");
  EXPECT_EQ(row, (json::array{"nginx", "0/1", "Pending", "0", "5m", "<none>", "<none>", "<none>",
                              "<none>"}));
}

TEST(PrintersTest, PodColumnsAndWidePriorities) {
  const auto& cols = table_columns(res("", "pods"));
  ASSERT_EQ(cols.size(), 9u);
  std::vector<std::string> normal, wide;
  for (const auto& c : cols) (c.priority == 0 ? normal : wide).push_back(c.name);
  EXPECT_EQ(normal, (std::vector<std::string>{"Name", "Ready", "Status", "Restarts", "Age"}));
  EXPECT_EQ(wide, (std::vector<std::string>{"IP", "Node", "Nominated Node", "Readiness Gates"}));
  EXPECT_EQ(cols[0].format, "name");
  EXPECT_EQ(cols[3].type, "string");  // "3 (2m ago)" since 1.26
}

TEST(PrintersTest, RunningPodWithOneOfTwoReady) {
  auto row =
      cells("", "pods", R"({"metadata":{"name":"web","creationTimestamp":"2024-04-29T12:00:00Z"},
      "spec":{"nodeName":"node-1","containers":[{"name":"a"},{"name":"b"}],
              "readinessGates":[{"conditionType":"example.com/lb"}]},
      "status":{"phase":"Running","podIP":"10.42.0.7","podIPs":[{"ip":"10.42.0.7"}],
        "conditions":[{"type":"Ready","status":"False"},{"type":"example.com/lb","status":"True"}],
        "containerStatuses":[
          {"name":"a","ready":true,"restartCount":0,"state":{"running":{"startedAt":"2024-04-29T12:00:05Z"}}},
          {"name":"b","ready":false,"restartCount":3,"state":{"running":{"startedAt":"2024-05-01T11:58:00Z"}},
           "lastState":{"terminated":{"exitCode":1,"reason":"Error","finishedAt":"2024-05-01T11:58:00Z"}}}]}})");
  EXPECT_EQ(row, (json::array{"web", "1/2", "Running", "3 (2m ago)", "2d", "10.42.0.7", "node-1",
                              "<none>", "1/1"}));
}

TEST(PrintersTest, CrashLoopBackOffPod) {
  auto row = cells("", "pods",
                   R"({"metadata":{"name":"crasher","creationTimestamp":"2024-05-01T11:00:00Z"},
      "spec":{"containers":[{"name":"c"}]},
      "status":{"phase":"Running","containerStatuses":[{"name":"c","ready":false,"restartCount":5,
        "state":{"waiting":{"reason":"CrashLoopBackOff","message":"back-off 2m40s"}},
        "lastState":{"terminated":{"exitCode":1,"reason":"Error","finishedAt":"2024-05-01T11:59:30Z"}}}]}})");
  EXPECT_EQ(row[1], json::value("0/1"));
  EXPECT_EQ(row[2], json::value("CrashLoopBackOff"));
  EXPECT_EQ(row[3], json::value("5 (30s ago)"));
  EXPECT_EQ(row[4], json::value("60m"));
}

TEST(PrintersTest, TerminatedContainerReasons) {
  auto signal = cells("", "pods", R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]},
      "status":{"phase":"Running","containerStatuses":[{"name":"c","state":{"terminated":{"exitCode":137,"signal":9}}}]}})");
  EXPECT_EQ(signal[2], json::value("Signal:9"));
  auto code = cells("", "pods", R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]},
      "status":{"phase":"Failed","containerStatuses":[{"name":"c","state":{"terminated":{"exitCode":2}}}]}})");
  EXPECT_EQ(code[2], json::value("ExitCode:2"));
  auto done = cells("", "pods", R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]},
      "status":{"phase":"Succeeded","containerStatuses":[{"name":"c","state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]}})");
  EXPECT_EQ(done[2], json::value("Completed"));
  EXPECT_EQ(done[4], json::value("<unknown>"));  // no creationTimestamp
}

TEST(PrintersTest, CompletedSidecarStillRunningIsNotReadyOrRunning) {
  std::string pod = R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"a"},{"name":"b"}]},
      "status":{"phase":"Running","conditions":[{"type":"Ready","status":"%s"}],"containerStatuses":[
        {"name":"a","ready":true,"state":{"running":{}}},
        {"name":"b","ready":false,"state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]}})";
  auto with = [&](const char* ready) {
    std::string s = pod;
    s.replace(s.find("%s"), 2, ready);
    return cells("", "pods", s);
  };
  EXPECT_EQ(with("True")[2], json::value("Running"));
  EXPECT_EQ(with("False")[2], json::value("NotReady"));
}

TEST(PrintersTest, InitContainerStates) {
  auto waiting = cells("", "pods", R"({"metadata":{"name":"p"},
      "spec":{"initContainers":[{"name":"i"}],"containers":[{"name":"c"}]},
      "status":{"phase":"Pending","initContainerStatuses":[{"name":"i","restartCount":2,
        "state":{"waiting":{"reason":"CrashLoopBackOff"}}}],
        "containerStatuses":[{"name":"c","state":{"waiting":{"reason":"PodInitializing"}}}]}})");
  EXPECT_EQ(waiting[2], json::value("Init:CrashLoopBackOff"));
  EXPECT_EQ(waiting[3], json::value("2"));
  auto progress = cells("", "pods", R"({"metadata":{"name":"p"},
      "spec":{"initContainers":[{"name":"i1"},{"name":"i2"}],"containers":[{"name":"c"}]},
      "status":{"phase":"Pending","initContainerStatuses":[
        {"name":"i1","state":{"terminated":{"exitCode":0,"reason":"Completed"}}},
        {"name":"i2","state":{"running":{}}}]}})");
  EXPECT_EQ(progress[2], json::value("Init:1/2"));
  auto failed = cells("", "pods", R"({"metadata":{"name":"p"},
      "spec":{"initContainers":[{"name":"i"}],"containers":[{"name":"c"}]},
      "status":{"phase":"Pending","initContainerStatuses":[{"name":"i","state":{"terminated":{"exitCode":3}}}]}})");
  EXPECT_EQ(failed[2], json::value("Init:ExitCode:3"));
  // A started sidecar (restartable init container) counts towards Ready.
  auto sidecar = cells("", "pods", R"({"metadata":{"name":"p"},
      "spec":{"initContainers":[{"name":"s","restartPolicy":"Always"}],"containers":[{"name":"c"}]},
      "status":{"phase":"Running","conditions":[{"type":"Initialized","status":"True"}],
        "initContainerStatuses":[{"name":"s","started":true,"ready":true,"restartCount":1,"state":{"running":{}}}],
        "containerStatuses":[{"name":"c","ready":true,"state":{"running":{}}}]}})");
  EXPECT_EQ(sidecar[1], json::value("2/2"));
  EXPECT_EQ(sidecar[2], json::value("Running"));
  EXPECT_EQ(sidecar[3], json::value("1"));
}

TEST(PrintersTest, TerminatingAndSchedulingGatedPods) {
  auto term =
      cells("", "pods", R"({"metadata":{"name":"p","deletionTimestamp":"2024-05-01T11:59:00Z"},
      "spec":{"containers":[{"name":"c"}]},
      "status":{"phase":"Running","containerStatuses":[{"name":"c","ready":true,"state":{"running":{}}}]}})");
  EXPECT_EQ(term[2], json::value("Terminating"));
  auto lost =
      cells("", "pods", R"({"metadata":{"name":"p","deletionTimestamp":"2024-05-01T11:59:00Z"},
      "spec":{"containers":[{"name":"c"}]},"status":{"phase":"Running","reason":"NodeLost"}})");
  EXPECT_EQ(lost[2], json::value("Unknown"));
  auto done =
      cells("", "pods", R"({"metadata":{"name":"p","deletionTimestamp":"2024-05-01T11:59:00Z"},
      "spec":{"containers":[{"name":"c"}]},"status":{"phase":"Succeeded"}})");
  EXPECT_EQ(done[2], json::value("Succeeded"));
  auto gated = cells("", "pods", R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]},
      "status":{"phase":"Pending","conditions":[{"type":"PodScheduled","status":"False","reason":"SchedulingGated"}]}})");
  EXPECT_EQ(gated[2], json::value("SchedulingGated"));
}

TEST(PrintersTest, Deployment) {
  auto row = cells("apps", "deployments",
                   R"({"metadata":{"name":"web","creationTimestamp":"2024-05-01T09:00:00Z"},
      "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web","tier":"fe"}},
        "template":{"spec":{"containers":[{"name":"web","image":"nginx"},{"name":"side","image":"busybox:1.36"}]}}},
      "status":{"replicas":3,"updatedReplicas":3,"readyReplicas":2,"availableReplicas":2}})");
  EXPECT_EQ(row, (json::array{"web", "2/3", 3, 2, "3h", "web,side", "nginx,busybox:1.36",
                              "app=web,tier=fe"}));
  EXPECT_EQ(column_names("apps", "deployments"),
            (std::vector<std::string>{"Name", "Ready", "Up-to-date", "Available", "Age",
                                      "Containers", "Images", "Selector"}));
}

TEST(PrintersTest, SelectorsWithExpressions) {
  auto row = cells("apps", "replicasets", R"({"metadata":{"name":"rs"},"spec":{"replicas":2,
      "selector":{"matchLabels":{"b":"1"},"matchExpressions":[
        {"key":"a","operator":"In","values":["y","x"]},{"key":"c","operator":"Exists"},
        {"key":"d","operator":"DoesNotExist"},{"key":"e","operator":"NotIn","values":["z"]}]},
      "template":{"spec":{"containers":[{"name":"c","image":"i"}]}}}})");
  EXPECT_EQ(row[7], json::value("a in (x,y),b=1,c,!d,e notin (z)"));
  auto empty = cells("apps", "daemonsets", R"({"metadata":{"name":"ds"},"spec":{"selector":{}}})");
  EXPECT_EQ(empty[6], json::value("<none>"));  // node selector
  EXPECT_EQ(empty[10], json::value("<none>"));
}

TEST(PrintersTest, ServicePorts) {
  auto np = cells("", "services",
                  R"({"metadata":{"name":"web","creationTimestamp":"2024-05-01T11:59:00Z"},
      "spec":{"type":"NodePort","clusterIP":"10.96.0.20","clusterIPs":["10.96.0.20"],
        "selector":{"app":"web"},
        "ports":[{"port":80,"targetPort":8080,"nodePort":30080,"protocol":"TCP"},
                 {"port":53,"protocol":"UDP","nodePort":30053}]}})");
  EXPECT_EQ(np, (json::array{"web", "NodePort", "10.96.0.20", "<none>", "80:30080/TCP,53:30053/UDP",
                             "60s", "app=web"}));
  auto kube = cells("", "services", R"({"metadata":{"name":"kubernetes"},
      "spec":{"type":"ClusterIP","clusterIP":"10.96.0.1","ports":[{"port":443,"protocol":"TCP"}]}})");
  EXPECT_EQ(kube[4], json::value("443/TCP"));
  EXPECT_EQ(kube[6], json::value("<none>"));
  auto lb = cells("", "services",
                  R"({"metadata":{"name":"lb"},"spec":{"type":"LoadBalancer","ports":[]}})");
  EXPECT_EQ(lb[2], json::value("<none>"));
  EXPECT_EQ(lb[3], json::value("<pending>"));
  EXPECT_EQ(lb[4], json::value("<none>"));
  auto lb2 = cells("", "services", R"({"metadata":{"name":"lb"},"spec":{"type":"LoadBalancer",
      "externalIPs":["1.2.3.4"]},"status":{"loadBalancer":{"ingress":[{"ip":"5.6.7.8"},{"hostname":"a.example"}]}}})");
  EXPECT_EQ(lb2[3], json::value("5.6.7.8,a.example,1.2.3.4"));
  auto ext = cells(
      "", "services",
      R"({"metadata":{"name":"x"},"spec":{"type":"ExternalName","externalName":"db.example"}})");
  EXPECT_EQ(ext[3], json::value("db.example"));
}

TEST(PrintersTest, NodeStatusAndRoles) {
  auto row =
      cells("", "nodes", R"J({"metadata":{"name":"n1","creationTimestamp":"2024-04-01T12:00:00Z",
      "labels":{"node-role.kubernetes.io/control-plane":"","node-role.kubernetes.io/etcd":"true",
                "kubernetes.io/role":"master","kubernetes.io/hostname":"n1"}},
      "spec":{"unschedulable":true},
      "status":{"conditions":[{"type":"MemoryPressure","status":"False"},{"type":"Ready","status":"True"}],
        "addresses":[{"type":"Hostname","address":"n1"},{"type":"InternalIP","address":"192.168.1.10"}],
        "nodeInfo":{"kubeletVersion":"v1.32.0","osImage":"Debian GNU/Linux 12 (bookworm)",
          "kernelVersion":"6.1.0","containerRuntimeVersion":"skiff://0.1.0"}}})J");
  EXPECT_EQ(row, (json::array{"n1", "Ready,SchedulingDisabled", "control-plane,etcd,master", "30d",
                              "v1.32.0", "192.168.1.10", "<none>", "Debian GNU/Linux 12 (bookworm)",
                              "6.1.0", "skiff://0.1.0"}));
  auto bare = cells(
      "", "nodes",
      R"({"metadata":{"name":"n2"},"status":{"conditions":[{"type":"Ready","status":"Unknown"}]}})");
  EXPECT_EQ(bare[1], json::value("NotReady"));
  EXPECT_EQ(bare[2], json::value("<none>"));
  EXPECT_EQ(bare[7], json::value("<unknown>"));
  auto none = cells("", "nodes", R"({"metadata":{"name":"n3"}})");
  EXPECT_EQ(none[1], json::value("Unknown"));
}

TEST(PrintersTest, WideColumnsHavePriorityOne) {
  auto wide_of = [](std::string_view g, std::string_view r) {
    std::vector<std::string> out;
    for (const auto& c : table_columns(res(g, r)))
      if (c.priority != 0) out.push_back(c.name);
    return out;
  };
  EXPECT_EQ(wide_of("", "services"), (std::vector<std::string>{"Selector"}));
  EXPECT_EQ(wide_of("", "nodes"),
            (std::vector<std::string>{"Internal-IP", "External-IP", "OS-Image", "Kernel-Version",
                                      "Container-Runtime"}));
  EXPECT_EQ(wide_of("apps", "statefulsets"), (std::vector<std::string>{"Containers", "Images"}));
  EXPECT_EQ(wide_of("", "events"),
            (std::vector<std::string>{"Subobject", "Source", "First Seen", "Count", "Name"}));
  EXPECT_EQ(wide_of("", "persistentvolumes"), (std::vector<std::string>{"VolumeMode"}));
}

}  // namespace
}  // namespace skiff::api
