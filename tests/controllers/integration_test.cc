// ControllerManager against a real `skiff server --disable-controllers` (support/test_server.h).
// No kubelet runs: a helper thread marks every pod it sees Running and Ready through
// pods/<p>/status.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "api/resources.h"
#include "client/client.h"
#include "common/time.h"
#include "controllers/controller_manager.h"
#include "controllers/logic.h"
#include "support/server_test.h"

namespace skiff::controllers {
namespace {
using namespace std::chrono_literals;

const api::ResourceInfo& res(const char* group, const char* resource) {
  const api::ResourceInfo* r = api::find_resource(group, "v1", resource);
  if (!r) throw std::runtime_error(std::string("no resource ") + resource);
  return *r;
}
const api::ResourceInfo& pods() { return res("", "pods"); }
const api::ResourceInfo& replicasets() { return res("apps", "replicasets"); }
const api::ResourceInfo& deployments() { return res("apps", "deployments"); }

// Rollouts take a while on a loaded machine: 30 s by default, polled every 50 ms (each poll
// lists pods and ReplicaSets).
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds within = 30s) {
  return testsupport::eventually(pred, within, 50ms);
}

json::object parse(const std::string& text) {
  json::value v;
  std::string err;
  if (!parse_json(text, v, err)) throw std::runtime_error(err);
  return v.as_object();
}

// What the root CA publisher puts in every namespace (any text does: it is copied, not parsed).
constexpr const char* kRootCA = "-----BEGIN CERTIFICATE-----\ntest\n-----END CERTIFICATE-----\n";

class ControllersIntegration : public testsupport::SharedServerTest<ControllersIntegration> {
 public:
  static testsupport::TestServer::Options server_options() {
    // The test runs its own ControllerManager.
    return {.name = "skiff-ctrl-it", .args = {"--disable-controllers"}};
  }

 protected:
  void SetUp() override {
    SharedServerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    cm_client_ = server_->client();
    ControllerOptions opts;
    opts.root_ca_pem = kRootCA;
    cm_ = std::make_unique<ControllerManager>(*cm_client_, opts);
    cm_->start();
  }

  void TearDown() override {
    stop_kubelet();
    if (cm_) cm_->stop();
  }

  std::string make_namespace(const std::string& name) {
    auto r = client_->create(res("", "namespaces"), "",
                             json::object{{"metadata", json::object{{"name", name}}}});
    EXPECT_TRUE(r) << r.error().message;
    return name;
  }

  // A fake kubelet: every live pod in ns becomes Running and Ready.
  void start_kubelet(const std::string& ns) {
    kubelet_ = std::thread([this, ns] {
      auto c = server_->client();
      while (!kubelet_stop_) {
        auto l = c->list(pods(), ns);
        if (l) {
          for (const auto& item : (*l)["items"].as_array()) {
            const json::object& p = item.as_object();
            if (find_path(p, {"metadata", "deletionTimestamp"})) continue;
            if (get_string(p, {"status", "phase"}) == "Running") continue;
            json::object st{
                {"phase", "Running"},
                {"conditions", json::array{json::object{{"type", "Ready"},
                                                        {"status", "True"},
                                                        {"lastTransitionTime", now_rfc3339()}}}}};
            c->patch(pods(), ns, get_string(p, {"metadata", "name"}),
                     "application/merge-patch+json", json::object{{"status", st}}, "status");
          }
        }
        std::this_thread::sleep_for(50ms);
      }
    });
  }
  void stop_kubelet() {
    kubelet_stop_ = true;
    if (kubelet_.joinable()) kubelet_.join();
  }

  json::object get(const api::ResourceInfo& r, const std::string& ns, const std::string& name) {
    auto g = client_->get(r, ns, name);
    return g ? *g : json::object{};
  }
  std::vector<json::object> list(const api::ResourceInfo& r, const std::string& ns) {
    std::vector<json::object> out;
    auto l = client_->list(r, ns);
    if (!l) return out;
    for (const auto& i : (*l)["items"].as_array()) out.push_back(i.as_object());
    return out;
  }
  // Live pods whose controller is the object with this uid.
  std::vector<json::object> owned_pods(const std::string& ns, const std::string& uid) {
    std::vector<json::object> out;
    for (auto& p : list(pods(), ns)) {
      const json::object* ref = controller_ref(p);
      if (ref && get_string(*ref, {"uid"}) == uid && is_pod_active(p)) out.push_back(p);
    }
    return out;
  }
  std::vector<json::object> owned_rses(const std::string& ns, const std::string& uid) {
    std::vector<json::object> out;
    for (auto& rs : list(replicasets(), ns)) {
      const json::object* ref = controller_ref(rs);
      if (ref && get_string(*ref, {"uid"}) == uid) out.push_back(rs);
    }
    return out;
  }

  std::unique_ptr<client::Client> cm_client_;
  std::unique_ptr<ControllerManager> cm_;
  std::thread kubelet_;
  std::atomic<bool> kubelet_stop_{false};
};

json::object deployment(const std::string& name, int replicas, const std::string& image) {
  return parse(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":")" + name +
               R"("},"spec":{"replicas":)" + std::to_string(replicas) +
               R"(,"selector":{"matchLabels":{"app":")" + name +
               R"("}},"template":{"metadata":{"labels":{"app":")" + name +
               R"("}},"spec":{"containers":[{"name":"c","image":")" + image + R"("}]}}}})");
}

TEST_F(ControllersIntegration, RootCAConfigMapInEveryNamespace) {
  const auto& cms = res("", "configmaps");
  auto ns = make_namespace("rootca");
  auto published = [&] {
    auto cm = client_->get(cms, ns, "kube-root-ca.crt");
    return cm && get_string(*cm, {"data", "ca.crt"}) == kRootCA &&
           !get_string(*cm, {"metadata", "annotations", "kubernetes.io/description"}).empty();
  };
  EXPECT_TRUE(eventually(published)) << "created with the namespace";
  ASSERT_TRUE(client_->remove(cms, ns, "kube-root-ca.crt"));
  EXPECT_TRUE(eventually(published)) << "recreated after deletion";
  ASSERT_TRUE(client_->patch(cms, ns, "kube-root-ca.crt", "application/merge-patch+json",
                             parse(R"({"data":{"ca.crt":"junk"},"metadata":{"annotations":null}})")));
  EXPECT_TRUE(eventually(published)) << "repaired after an edit";
  EXPECT_TRUE(eventually([&] { return client_->get(cms, "kube-system", "kube-root-ca.crt").ok(); }));
}

TEST_F(ControllersIntegration, DeploymentLifecycle) {
  const std::string ns = make_namespace("deploy-life");
  start_kubelet(ns);
  auto created = client_->create(deployments(), ns, deployment("web", 3, "nginx:1"));
  ASSERT_TRUE(created) << created.error().message;
  const std::string duid = get_string(*created, {"metadata", "uid"});

  // One RS with the hash label, three pods owned by it.
  std::string rs1_name, rs1_uid;
  ASSERT_TRUE(eventually([&] {
    auto rses = owned_rses(ns, duid);
    if (rses.size() != 1) return false;
    rs1_name = get_string(rses[0], {"metadata", "name"});
    rs1_uid = get_string(rses[0], {"metadata", "uid"});
    return owned_pods(ns, rs1_uid).size() == 3;
  })) << "RS/pods not created";
  {
    auto rs = get(replicasets(), ns, rs1_name);
    std::string hash = get_string(rs, {"metadata", "labels", kPodTemplateHashLabel});
    EXPECT_FALSE(hash.empty());
    EXPECT_EQ(rs1_name, "web-" + hash);
    EXPECT_EQ(get_string(rs, {"spec", "selector", "matchLabels", kPodTemplateHashLabel}), hash);
    EXPECT_EQ(get_string(rs, {"spec", "template", "metadata", "labels", kPodTemplateHashLabel}),
              hash);
    EXPECT_EQ(get_string(rs, {"metadata", "annotations", kRevisionAnnotation}), "1");
    for (auto& p : owned_pods(ns, rs1_uid)) {
      EXPECT_EQ(get_string(p, {"metadata", "labels", kPodTemplateHashLabel}), hash);
      EXPECT_EQ(get_string(p, {"metadata", "generateName"}), rs1_name + "-");
    }
  }
  auto rolled_out = [&](int64_t n, const std::string& rev) {
    return eventually([&] {
      auto d = get(deployments(), ns, "web");
      return get_int(d, {"status", "observedGeneration"}) ==
                 get_int(d, {"metadata", "generation"}) &&
             get_int(d, {"status", "updatedReplicas"}) == n &&
             get_int(d, {"status", "replicas"}) == n &&
             get_int(d, {"status", "availableReplicas"}) == n &&
             get_int(d, {"status", "readyReplicas"}) == n &&
             get_string(d, {"metadata", "annotations", kRevisionAnnotation}) == rev;
    });
  };
  ASSERT_TRUE(rolled_out(3, "1")) << json::serialize(get(deployments(), ns, "web"));
  {
    auto rs = get(replicasets(), ns, rs1_name);
    EXPECT_EQ(get_int(rs, {"status", "replicas"}), 3);
    EXPECT_EQ(get_int(rs, {"status", "readyReplicas"}), 3);
    EXPECT_EQ(get_int(rs, {"status", "availableReplicas"}), 3);
    EXPECT_EQ(get_int(rs, {"status", "fullyLabeledReplicas"}), 3);
    EXPECT_EQ(get_int(rs, {"status", "observedGeneration"}), get_int(rs, {"metadata", "generation"}));
  }

  // Scale to 5.
  auto sc = client_->patch(deployments(), ns, "web", "application/merge-patch+json",
                           json::object{{"spec", json::object{{"replicas", 5}}}});
  ASSERT_TRUE(sc) << sc.error().message;
  ASSERT_TRUE(eventually([&] { return owned_pods(ns, rs1_uid).size() == 5; }));
  ASSERT_TRUE(rolled_out(5, "1")) << json::serialize(get(deployments(), ns, "web"));

  // New image: a second RS takes over; the first is scaled to 0.
  auto up = client_->patch(
      deployments(), ns, "web", "application/merge-patch+json",
      parse(R"({"spec":{"template":{"spec":{"containers":[{"name":"c","image":"nginx:2"}]}}}})"));
  ASSERT_TRUE(up) << up.error().message;
  ASSERT_TRUE(rolled_out(5, "2")) << json::serialize(get(deployments(), ns, "web"));
  std::string rs2_name, rs2_uid;
  ASSERT_TRUE(eventually([&] {
    auto rses = owned_rses(ns, duid);
    if (rses.size() != 2) return false;
    for (auto& rs : rses)
      if (get_string(rs, {"metadata", "name"}) != rs1_name) {
        rs2_name = get_string(rs, {"metadata", "name"});
        rs2_uid = get_string(rs, {"metadata", "uid"});
      }
    return get_int(get(replicasets(), ns, rs1_name), {"spec", "replicas"}, -1) == 0 &&
           owned_pods(ns, rs1_uid).empty() && owned_pods(ns, rs2_uid).size() == 5;
  }));
  {
    auto rs2 = get(replicasets(), ns, rs2_name);
    EXPECT_EQ(get_string(rs2, {"metadata", "annotations", kRevisionAnnotation}), "2");
    EXPECT_EQ(get_string(rs2["spec"].as_object()["template"].as_object()["spec"]
                             .as_object()["containers"].as_array()[0], {"image"}),
              "nginx:2");
    auto d = get(deployments(), ns, "web");
    bool progressed = false, available = false;
    for (auto& c : d["status"].as_object()["conditions"].as_array()) {
      if (get_string(c, {"type"}) == "Progressing" &&
          get_string(c, {"reason"}) == "NewReplicaSetAvailable" &&
          get_string(c, {"message"}) == "ReplicaSet \"" + rs2_name + "\" has successfully progressed.")
        progressed = true;
      if (get_string(c, {"type"}) == "Available" && get_string(c, {"status"}) == "True")
        available = true;
    }
    EXPECT_TRUE(progressed) << json::serialize(d);
    EXPECT_TRUE(available) << json::serialize(d);
  }

  // A deleted pod is replaced.
  auto before = owned_pods(ns, rs2_uid);
  ASSERT_EQ(before.size(), 5u);
  const std::string victim = get_string(before[0], {"metadata", "name"});
  ASSERT_TRUE(client_->remove(pods(), ns, victim));
  ASSERT_TRUE(eventually([&] {
    auto now = owned_pods(ns, rs2_uid);
    if (now.size() != 5) return false;
    for (auto& p : now)
      if (get_string(p, {"metadata", "name"}) == victim) return false;
    return true;
  }));

  // Rollback (what `kubectl rollout undo` does): the old template again -> the old RS is the new
  // one, with revision 3.
  json::object old_tmpl = get(replicasets(), ns, rs1_name)["spec"].as_object()["template"].as_object();
  old_tmpl["metadata"].as_object()["labels"].as_object().erase(kPodTemplateHashLabel);
  old_tmpl["metadata"].as_object()["creationTimestamp"] = nullptr;  // as kubectl sends it
  auto undo = client_->patch(deployments(), ns, "web", "application/json-patch+json",
                             json::array{json::object{{"op", "replace"},
                                                      {"path", "/spec/template"},
                                                      {"value", old_tmpl}}});
  ASSERT_TRUE(undo) << undo.error().message;
  ASSERT_TRUE(rolled_out(5, "3")) << json::serialize(get(deployments(), ns, "web"));
  EXPECT_EQ(get_string(get(replicasets(), ns, rs1_name), {"metadata", "annotations",
                                                           kRevisionAnnotation}),
            "3");
  EXPECT_EQ(owned_rses(ns, duid).size(), 2u);

  // Deleting the deployment (background) removes its ReplicaSets and pods.
  ASSERT_TRUE(client_->remove(deployments(), ns, "web"));
  EXPECT_TRUE(eventually([&] {
    return list(replicasets(), ns).empty() && owned_pods(ns, rs1_uid).empty() &&
           owned_pods(ns, rs2_uid).empty();
  })) << "garbage collection";
}

TEST_F(ControllersIntegration, OrphanDeleteThenReadopt) {
  const std::string ns = make_namespace("orphan");
  start_kubelet(ns);
  auto created = client_->create(deployments(), ns, deployment("o", 2, "nginx:1"));
  ASSERT_TRUE(created) << created.error().message;
  std::string rs_name, rs_uid;
  ASSERT_TRUE(eventually([&] {
    auto rses = owned_rses(ns, get_string(*created, {"metadata", "uid"}));
    if (rses.size() != 1) return false;
    rs_name = get_string(rses[0], {"metadata", "name"});
    rs_uid = get_string(rses[0], {"metadata", "uid"});
    return owned_pods(ns, rs_uid).size() == 2;
  }));
  // --cascade=orphan: the RS stays, without its owner reference.
  ASSERT_TRUE(client_->remove(deployments(), ns, "o",
                              json::object{{"propagationPolicy", "Orphan"}}));
  ASSERT_TRUE(eventually([&] {
    auto rs = get(replicasets(), ns, rs_name);
    return !rs.empty() && controller_ref(rs) == nullptr &&
           get(deployments(), ns, "o").empty();
  })) << json::serialize(get(replicasets(), ns, rs_name));
  EXPECT_EQ(owned_pods(ns, rs_uid).size(), 2u);
  // The same deployment again adopts the RS instead of creating another.
  auto again = client_->create(deployments(), ns, deployment("o", 2, "nginx:1"));
  ASSERT_TRUE(again) << again.error().message;
  const std::string duid = get_string(*again, {"metadata", "uid"});
  ASSERT_TRUE(eventually([&] {
    auto rses = owned_rses(ns, duid);
    return rses.size() == 1 && get_string(rses[0], {"metadata", "uid"}) == rs_uid &&
           get_int(get(deployments(), ns, "o"), {"status", "availableReplicas"}) == 2;
  }));
  EXPECT_EQ(list(replicasets(), ns).size(), 1u);
}

TEST_F(ControllersIntegration, ProgressDeadlineExceeded) {
  const std::string ns = make_namespace("deadline");
  // No kubelet: pods never become ready, so the rollout stalls.
  json::object d = deployment("stuck", 2, "nginx:1");
  d["spec"].as_object()["progressDeadlineSeconds"] = 2;
  ASSERT_TRUE(client_->create(deployments(), ns, d));
  EXPECT_TRUE(eventually([&] {
    auto o = get(deployments(), ns, "stuck");
    const json::value* conds = find_path(o, {"status", "conditions"});
    if (!conds || !conds->is_array()) return false;
    for (const auto& c : conds->as_array())
      if (get_string(c, {"type"}) == "Progressing" && get_string(c, {"status"}) == "False" &&
          get_string(c, {"reason"}) == "ProgressDeadlineExceeded")
        return true;
    return false;
  }, 20s)) << json::serialize(get(deployments(), ns, "stuck"));
}

TEST_F(ControllersIntegration, ReplicaSetAdoptsAndReleases) {
  const std::string ns = make_namespace("rs-adopt");
  // An orphan pod matching the selector is adopted; the RS then creates only one more.
  auto orphan = client_->create(pods(), ns, parse(R"({"metadata":{"name":"orphan","labels":{"app":"a"}},
      "spec":{"containers":[{"name":"c","image":"busybox"}]}})"));
  ASSERT_TRUE(orphan) << orphan.error().message;
  auto rs = client_->create(replicasets(), ns, parse(R"({"metadata":{"name":"a"},
      "spec":{"replicas":2,"selector":{"matchLabels":{"app":"a"}},
      "template":{"metadata":{"labels":{"app":"a"}},
                  "spec":{"containers":[{"name":"c","image":"busybox"}]}}}})"));
  ASSERT_TRUE(rs) << rs.error().message;
  const std::string uid = get_string(*rs, {"metadata", "uid"});
  ASSERT_TRUE(eventually([&] {
    auto owned = owned_pods(ns, uid);
    bool has_orphan = false;
    for (auto& p : owned) has_orphan |= get_string(p, {"metadata", "name"}) == "orphan";
    return owned.size() == 2 && has_orphan;
  }));
  const json::object adopted = get(pods(), ns, "orphan");
  const json::object* ref = controller_ref(adopted);
  ASSERT_NE(ref, nullptr);
  EXPECT_EQ(get_string(*ref, {"kind"}), "ReplicaSet");
  EXPECT_EQ(find_path(*ref, {"blockOwnerDeletion"})->as_bool(), true);
  // Relabel: released, and replaced.
  ASSERT_TRUE(client_->patch(pods(), ns, "orphan", "application/merge-patch+json",
                             parse(R"({"metadata":{"labels":{"app":"other"}}})")));
  ASSERT_TRUE(eventually([&] {
    auto p = get(pods(), ns, "orphan");
    return controller_ref(p) == nullptr && owned_pods(ns, uid).size() == 2;
  }));
  // Scale down to 0.
  ASSERT_TRUE(client_->patch(replicasets(), ns, "a", "application/merge-patch+json",
                             parse(R"({"spec":{"replicas":0}})")));
  ASSERT_TRUE(eventually([&] {
    return owned_pods(ns, uid).empty() &&
           get_int(get(replicasets(), ns, "a"), {"status", "replicas"}, -1) == 0;
  }));
}

}  // namespace
}  // namespace skiff::controllers
