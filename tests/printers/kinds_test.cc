// Every served kind has a table, and the remaining kinds' cells.
#include <gtest/gtest.h>

#include <string>

#include "printers/printers.h"

namespace skiff::api {
namespace {

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

Clock::time_point now() { return *parse_rfc3339("2024-05-01T12:00:00Z"); }

json::array cells(std::string_view group, std::string_view resource, std::string_view obj) {
  return table_cells(res(group, resource), parse(obj), now());
}

TEST(PrinterKindsTest, EveryResourceHasAUsableTable) {
  for (const auto& r : all_resources()) {
    SCOPED_TRACE(r.qualified_resource());
    const auto& cols = table_columns(r);
    ASSERT_GE(cols.size(), 2u);
    // Upstream's event table leads with "Last Seen"; its Name column is wide-only.
    size_t name_at = r.resource == "events" ? cols.size() - 1 : 0;
    EXPECT_EQ(cols[name_at].name, "Name");
    EXPECT_EQ(cols[name_at].format, "name");
    EXPECT_FALSE(cols[name_at].description.empty());
    for (const auto& c : cols) {
      EXPECT_FALSE(c.name.empty());
      EXPECT_TRUE(c.type == "string" || c.type == "integer" || c.type == "boolean" ||
                  c.type == "date" || c.type == "number")
          << c.name << ": " << c.type;
      EXPECT_TRUE(c.priority == 0 || c.priority == 1);
      EXPECT_TRUE(c.format.empty() || c.name == "Name") << c.name;
    }
    // Empty objects, objects with wrong-typed fields, and a named one never crash and fill
    // every column.
    for (std::string_view text :
         {R"({})", R"({"metadata":{"name":"x"}})",
          R"({"metadata":"bad","spec":[],"status":7,"subsets":{},"ports":"p","endpoints":1})",
          R"({"metadata":{"name":"x","labels":[],"creationTimestamp":"garbage"},
              "spec":{"containers":{},"template":1,"selector":"s","ports":[1,"a",null],
                      "replicas":"two"},
              "status":{"conditions":[1],"containerStatuses":[{"state":[]}]}})"}) {
      SCOPED_TRACE(text);
      auto row = table_cells(r, parse(text), now());
      ASSERT_EQ(row.size(), cols.size());
      const auto& name_cell = row[name_at];
      ASSERT_TRUE(name_cell.is_string());
      for (const auto& cell : row)
        EXPECT_TRUE(cell.is_string() || cell.is_int64() || cell.is_bool()) << cell;
    }
  }
}

TEST(PrinterKindsTest, UnknownAndDefaultTables) {
  ResourceInfo widget;
  widget.group = "example.com";
  widget.version = "v1";
  widget.resource = "widgets";
  widget.kind = "Widget";
  const auto& cols = table_columns(widget);
  ASSERT_EQ(cols.size(), 2u);
  EXPECT_EQ(cols[0].name, "Name");
  EXPECT_EQ(cols[1].name, "Age");
  EXPECT_EQ(
      table_cells(widget,
                  parse(R"({"metadata":{"name":"w","creationTimestamp":"2024-05-01T11:00:00Z"}})"),
                  now()),
      (json::array{"w", "60m"}));
  // LimitRange uses upstream's default table convertor: "Created At" as an RFC 3339 date.
  const auto& lr = table_columns(res("", "limitranges"));
  ASSERT_EQ(lr.size(), 2u);
  EXPECT_EQ(lr[1].name, "Created At");
  EXPECT_EQ(lr[1].type, "date");
  EXPECT_EQ(cells("", "limitranges",
                  R"({"metadata":{"name":"limits","creationTimestamp":"2024-05-01T11:00:00Z"}})"),
            (json::array{"limits", "2024-05-01T11:00:00Z"}));
  EXPECT_EQ(table_columns(res("", "bindings"))[1].name, "Age");
}

TEST(PrinterKindsTest, SmallCoreKinds) {
  EXPECT_EQ(
      cells(
          "", "namespaces",
          R"({"metadata":{"name":"default","creationTimestamp":"2024-05-01T11:59:50Z"},"status":{"phase":"Active"}})"),
      (json::array{"default", "Active", "10s"}));
  EXPECT_EQ(
      cells("", "configmaps",
            R"({"metadata":{"name":"cm"},"data":{"a":"1","b":"2"},"binaryData":{"c":"AA=="}})"),
      (json::array{"cm", 3, "<unknown>"}));
  EXPECT_EQ(
      cells("", "secrets", R"({"metadata":{"name":"s"},"type":"Opaque","data":{"k":"dg=="}})"),
      (json::array{"s", "Opaque", 1, "<unknown>"}));
  EXPECT_EQ(cells("", "serviceaccounts", R"({"metadata":{"name":"default"}})"),
            (json::array{"default", 0, "<unknown>"}));
}

TEST(PrinterKindsTest, Endpoints) {
  EXPECT_EQ(cells("", "endpoints", R"({"metadata":{"name":"e"}})")[1], json::value("<none>"));
  EXPECT_EQ(
      cells(
          "", "endpoints",
          R"({"metadata":{"name":"e"},"subsets":[{"addresses":[{"ip":"10.0.0.1"},{"ip":"10.0.0.2"}],"ports":[{"port":80}]}]})")
          [1],
      json::value("10.0.0.1:80,10.0.0.2:80"));
  EXPECT_EQ(
      cells(
          "", "endpoints",
          R"({"metadata":{"name":"e"},"subsets":[{"addresses":[{"ip":"10.0.0.1"},{"ip":"10.0.0.2"}],"ports":[{"port":80},{"port":443}]}]})")
          [1],
      json::value("10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more..."));
  EXPECT_EQ(
      cells(
          "", "endpoints",
          R"({"metadata":{"name":"e"},"subsets":[{"addresses":[{"ip":"fd00::1"}],"ports":[{"port":80}]}]})")
          [1],
      json::value("[fd00::1]:80"));
  EXPECT_EQ(cells("", "endpoints",
                  R"({"metadata":{"name":"e"},"subsets":[{"addresses":[{"ip":"10.0.0.9"}]}]})")[1],
            json::value("10.0.0.9"));
}

TEST(PrinterKindsTest, EndpointSlices) {
  auto row = cells("discovery.k8s.io", "endpointslices",
                   R"({"metadata":{"name":"web-abc"},"addressType":"IPv4",
      "ports":[{"name":"http","port":80},{"name":"named"},{}],
      "endpoints":[{"addresses":["10.0.0.1"]},{"addresses":["10.0.0.2"]},{"addresses":["10.0.0.3"]},{"addresses":["10.0.0.4"]}]})");
  EXPECT_EQ(row, (json::array{"web-abc", "IPv4", "80,named,*",
                              "10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...", "<unknown>"}));
  auto empty = cells("discovery.k8s.io", "endpointslices", R"({"metadata":{"name":"e"}})");
  EXPECT_EQ(empty[2], json::value("<unset>"));
  EXPECT_EQ(empty[3], json::value("<unset>"));
}

TEST(PrinterKindsTest, CoreEvent) {
  const auto& cols = table_columns(res("", "events"));
  std::vector<std::string> names;
  for (const auto& c : cols) names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"Last Seen", "Type", "Reason", "Object", "Subobject",
                                             "Source", "Message", "First Seen", "Count", "Name"}));
  auto row = cells("", "events", R"({"metadata":{"name":"nginx.17abc"},
      "involvedObject":{"kind":"Pod","name":"nginx","fieldPath":"spec.containers{nginx}"},
      "reason":"Pulled","message":"  Successfully pulled image \"nginx\"\n","type":"Normal",
      "source":{"component":"kubelet","host":"node-1"},"count":4,
      "firstTimestamp":"2024-05-01T11:00:00Z","lastTimestamp":"2024-05-01T11:59:00Z"})");
  EXPECT_EQ(row, (json::array{"60s", "Normal", "Pulled", "pod/nginx", "spec.containers{nginx}",
                              "kubelet, node-1", "Successfully pulled image \"nginx\"", "60m", 4,
                              "nginx.17abc"}));
  auto fresh = cells("", "events", R"({"metadata":{"name":"e"},"involvedObject":{"kind":"Node"},
      "eventTime":"2024-05-01T11:59:58.123456Z","reportingComponent":"scheduler","type":"Warning"})");
  EXPECT_EQ(fresh[0], json::value("1s"));  // 1.88s truncates, as Go does
  EXPECT_EQ(fresh[3], json::value("node"));
  EXPECT_EQ(fresh[5], json::value("scheduler"));
  EXPECT_EQ(fresh[7], json::value("1s"));
  EXPECT_EQ(fresh[8], json::value(1));
}

TEST(PrinterKindsTest, EventsV1UsesTheSamePrinter) {
  auto row = cells("events.k8s.io", "events", R"({"metadata":{"name":"ev"},
      "regarding":{"kind":"Deployment","name":"web"},"note":"Scaled up","reason":"ScalingReplicaSet",
      "type":"Normal","reportingController":"deployment-controller","eventTime":"2024-05-01T11:50:00.000000Z",
      "series":{"count":7,"lastObservedTime":"2024-05-01T11:59:00.000000Z"}})");
  EXPECT_EQ(row, (json::array{"60s", "Normal", "ScalingReplicaSet", "deployment/web", "",
                              "deployment-controller", "Scaled up", "10m", 7, "ev"}));
}

TEST(PrinterKindsTest, Workloads) {
  EXPECT_EQ(cells("apps", "statefulsets", R"({"metadata":{"name":"db"},"spec":{"replicas":3,
      "template":{"spec":{"containers":[{"name":"pg","image":"postgres:16"}]}}},"status":{"readyReplicas":1}})"),
            (json::array{"db", "1/3", "<unknown>", "pg", "postgres:16"}));
  EXPECT_EQ(
      cells(
          "apps", "replicasets",
          R"({"metadata":{"name":"rs"},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"a"}}},
      "status":{"replicas":2,"readyReplicas":1}})"),
      (json::array{"rs", 2, 2, 1, "<unknown>", "", "", "app=a"}));
  EXPECT_EQ(
      cells("apps", "daemonsets",
            R"({"metadata":{"name":"ds"},"spec":{"selector":{"matchLabels":{"k":"v"}},
      "template":{"spec":{"nodeSelector":{"kubernetes.io/os":"linux"},"containers":[{"name":"a","image":"b"}]}}},
      "status":{"desiredNumberScheduled":3,"currentNumberScheduled":3,"numberReady":2,"updatedNumberScheduled":3,"numberAvailable":2}})"),
      (json::array{"ds", 3, 3, 2, 3, 2, "kubernetes.io/os=linux", "<unknown>", "a", "b", "k=v"}));
  EXPECT_EQ(
      cells("apps", "controllerrevisions", R"({"metadata":{"name":"ds-5d8f","ownerReferences":[
      {"apiVersion":"apps/v1","kind":"DaemonSet","name":"ds","controller":true}]},"revision":2})"),
      (json::array{"ds-5d8f", "daemonset.apps/ds", 2, "<unknown>"}));
  EXPECT_EQ(cells("apps", "controllerrevisions", R"({"metadata":{"name":"r"}})")[1],
            json::value("<none>"));
}

TEST(PrinterKindsTest, Jobs) {
  auto done = cells("batch", "jobs",
                    R"({"metadata":{"name":"pi","creationTimestamp":"2024-05-01T11:00:00Z"},
      "spec":{"completions":1,"parallelism":1,"selector":{"matchLabels":{"batch.kubernetes.io/controller-uid":"u"}},
        "template":{"spec":{"containers":[{"name":"pi","image":"perl:5.34"}]}}},
      "status":{"succeeded":1,"startTime":"2024-05-01T11:00:00Z","completionTime":"2024-05-01T11:00:42Z",
        "conditions":[{"type":"SuccessCriteriaMet","status":"True"},{"type":"Complete","status":"True"}]}})");
  EXPECT_EQ(done, (json::array{"pi", "Complete", "1/1", "42s", "60m", "pi", "perl:5.34",
                               "batch.kubernetes.io/controller-uid=u"}));
  auto running = cells("batch", "jobs", R"({"metadata":{"name":"w"},"spec":{"parallelism":3},
      "status":{"startTime":"2024-05-01T11:59:00Z"}})");
  EXPECT_EQ(running[1], json::value("Running"));
  EXPECT_EQ(running[2], json::value("0/1 of 3"));
  EXPECT_EQ(running[3], json::value("60s"));
  auto failed = cells("batch", "jobs", R"({"metadata":{"name":"f"},"spec":{"completions":2},
      "status":{"conditions":[{"type":"Failed","status":"True"}]}})");
  EXPECT_EQ(failed[1], json::value("Failed"));
  EXPECT_EQ(failed[2], json::value("0/2"));
  EXPECT_EQ(failed[3], json::value(""));
  auto suspended = cells(
      "batch", "jobs",
      R"({"metadata":{"name":"s"},"status":{"conditions":[{"type":"Suspended","status":"True"}]}})");
  EXPECT_EQ(suspended[1], json::value("Suspended"));
}

TEST(PrinterKindsTest, CronJobs) {
  auto row =
      cells("batch", "cronjobs", R"({"metadata":{"name":"hello"},"spec":{"schedule":"*/1 * * * *",
      "suspend":false,"jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"hello","image":"busybox"}]}}}}},
      "status":{"active":[{"name":"hello-1"}],"lastScheduleTime":"2024-05-01T11:59:00Z"}})");
  EXPECT_EQ(row, (json::array{"hello", "*/1 * * * *", "<none>", "False", 1, "60s", "<unknown>",
                              "hello", "busybox", "<none>"}));
  auto tz = cells("batch", "cronjobs",
                  R"({"metadata":{"name":"c"},"spec":{"timeZone":"Etc/UTC","suspend":true}})");
  EXPECT_EQ(tz[2], json::value("Etc/UTC"));
  EXPECT_EQ(tz[3], json::value("True"));
  EXPECT_EQ(tz[5], json::value("<none>"));
}

TEST(PrinterKindsTest, LeasesAndDisruptionBudgets) {
  EXPECT_EQ(cells("coordination.k8s.io", "leases",
                  R"({"metadata":{"name":"n1"},"spec":{"holderIdentity":"n1"}})"),
            (json::array{"n1", "n1", "<unknown>"}));
  EXPECT_EQ(
      cells("policy", "poddisruptionbudgets", R"({"metadata":{"name":"p"},"spec":{"minAvailable":2},
      "status":{"disruptionsAllowed":1}})"),
      (json::array{"p", "2", "N/A", 1, "<unknown>"}));
  EXPECT_EQ(cells("policy", "poddisruptionbudgets",
                  R"({"metadata":{"name":"p"},"spec":{"maxUnavailable":"25%"}})")[2],
            json::value("25%"));
}

TEST(PrinterKindsTest, QuotasAndVolumes) {
  EXPECT_EQ(cells("", "resourcequotas", R"({"metadata":{"name":"q"},"status":{
      "hard":{"pods":"10","limits.cpu":"2","requests.memory":"1Gi","limits.memory":"2Gi"},
      "used":{"pods":"3","limits.cpu":"500m","requests.memory":"256Mi"}}})"),
            (json::array{"q", "<unknown>", "pods: 3/10, requests.memory: 256Mi/1Gi",
                         "limits.cpu: 500m/2, limits.memory: 0/2Gi"}));
  EXPECT_EQ(cells("", "persistentvolumes",
                  R"({"metadata":{"name":"pv1"},"spec":{"capacity":{"storage":"10Gi"},
      "accessModes":["ReadWriteMany","ReadWriteOnce"],"persistentVolumeReclaimPolicy":"Retain",
      "claimRef":{"namespace":"default","name":"data"},"storageClassName":"local","volumeMode":"Filesystem"},
      "status":{"phase":"Bound"}})"),
            (json::array{"pv1", "10Gi", "RWO,RWX", "Retain", "Bound", "default/data", "local",
                         "<unset>", "", "<unknown>", "Filesystem"}));
  EXPECT_EQ(
      cells("", "persistentvolumeclaims", R"({"metadata":{"name":"data"},"spec":{"volumeName":"pv1",
      "storageClassName":"local","volumeMode":"Filesystem"},
      "status":{"phase":"Bound","accessModes":["ReadWriteOnce"],"capacity":{"storage":"10Gi"}}})"),
      (json::array{"data", "Bound", "pv1", "10Gi", "RWO", "local", "<unset>", "<unknown>",
                   "Filesystem"}));
  auto pending = cells("", "persistentvolumeclaims",
                       R"({"metadata":{"name":"d","deletionTimestamp":"2024-05-01T11:00:00Z",
      "annotations":{"volume.beta.kubernetes.io/storage-class":"beta"}},"spec":{"storageClassName":"local"},"status":{"phase":"Pending"}})");
  EXPECT_EQ(pending[1], json::value("Terminating"));
  EXPECT_EQ(pending[3], json::value(""));
  EXPECT_EQ(pending[5], json::value("beta"));
}

}  // namespace
}  // namespace skiff::api
