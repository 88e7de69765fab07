// The generic registry over a real SqliteStore in a temp dir: lifecycle rules that every
// resource shares (system metadata, conflicts, generation, status, deletion, lists, watches).
#include "apiserver/object_store.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "apiserver/admission.h"
#include "storage/sqlite_store.h"

namespace skiff::apiserver {
namespace {

json::object parse(const char* text) {
  json::value v;
  std::string err;
  EXPECT_TRUE(parse_json(text, v, err)) << err;
  return v.get_object();
}

class ObjectStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/skiff-os-test.XXXXXX";
    dir_ = mkdtemp(tmpl);
    std::string err;
    store_ = storage::SqliteStore::open(dir_ + "/state.db", &err);
    ASSERT_TRUE(store_) << err;
    admission_ = std::make_unique<Admission>(*store_, "10.96.0.0/12");
    os_ = std::make_unique<ObjectStore>(*store_, *admission_);
    ASSERT_TRUE(os_->create(*ns_, "", parse(R"({"metadata":{"name":"default"}})"), {}));
  }
  void TearDown() override {
    os_.reset();
    admission_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  json::object deployment(const char* name) {
    auto o = parse(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"labels":{"app":"web"}},
      "spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},
      "spec":{"containers":[{"name":"c","image":"nginx"}]}}}})");
    o["metadata"].get_object()["name"] = name;
    return o;
  }

  std::string dir_;
  std::unique_ptr<storage::SqliteStore> store_;
  std::unique_ptr<Admission> admission_;
  std::unique_ptr<ObjectStore> os_;
  const api::ResourceInfo* ns_ = api::find_resource("", "v1", "namespaces");
  const api::ResourceInfo* cm_ = api::find_resource("", "v1", "configmaps");
  const api::ResourceInfo* pods_ = api::find_resource("", "v1", "pods");
  const api::ResourceInfo* deploy_ = api::find_resource("apps", "v1", "deployments");
};

TEST_F(ObjectStoreTest, CreateSetsSystemMetadataAndDefaults) {
  auto d = os_->create(*deploy_, "default", deployment("web"), {});
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(get_string(*d, {"metadata", "uid"}).size(), 36u);
  EXPECT_FALSE(get_string(*d, {"metadata", "creationTimestamp"}).empty());
  EXPECT_EQ(get_int(*d, {"metadata", "generation"}), 1);
  EXPECT_EQ(get_string(*d, {"metadata", "resourceVersion"}), std::to_string(store_->current_revision()));
  EXPECT_EQ(get_int(*d, {"spec", "replicas"}), 1);
  auto again = os_->create(*deploy_, "default", deployment("web"), {});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, 409);
  EXPECT_EQ(again.error().reason, "AlreadyExists");
}

TEST_F(ObjectStoreTest, InvalidObjectIs422WithFieldPath) {
  auto res = os_->create(*pods_, "default",
                         parse(R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]}})"), {});
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, 422);
  ASSERT_EQ(res.error().causes.size(), 1u);
  EXPECT_EQ(res.error().causes[0].field, "spec.containers[0].image");
}

TEST_F(ObjectStoreTest, MissingNamespaceIsNotFound) {
  auto res = os_->create(*cm_, "nope", parse(R"({"metadata":{"name":"c"}})"), {});
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, 404);
}

TEST_F(ObjectStoreTest, StaleResourceVersionConflicts) {
  auto c = os_->create(*cm_, "default", parse(R"({"metadata":{"name":"c"},"data":{"a":"1"}})"), {});
  ASSERT_TRUE(c);
  json::object upd = *c;
  upd["data"] = json::object{{"a", "2"}};
  ASSERT_TRUE(os_->update(*cm_, "default", "c", "", upd, {}));
  upd["data"] = json::object{{"a", "3"}};  // still carries the first resourceVersion
  auto stale = os_->update(*cm_, "default", "c", "", upd, {});
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, 409);
  EXPECT_EQ(stale.error().reason, "Conflict");
}

TEST_F(ObjectStoreTest, NoOpUpdateKeepsResourceVersion) {
  auto c = os_->create(*cm_, "default", parse(R"({"metadata":{"name":"c"},"data":{"a":"1"}})"), {});
  ASSERT_TRUE(c);
  auto same = os_->update(*cm_, "default", "c", "", *c, {});
  ASSERT_TRUE(same);
  EXPECT_EQ(get_string(*same, {"metadata", "resourceVersion"}),
            get_string(*c, {"metadata", "resourceVersion"}));
}

TEST_F(ObjectStoreTest, GenerationCountsSpecChangesOnly) {
  auto d = os_->create(*deploy_, "default", deployment("web"), {});
  ASSERT_TRUE(d);
  json::object labels = *d;
  labels["metadata"].get_object()["labels"].get_object()["x"] = "y";
  labels["metadata"].get_object().erase("resourceVersion");
  auto l = os_->update(*deploy_, "default", "web", "", labels, {});
  ASSERT_TRUE(l) << l.error().message;
  EXPECT_EQ(get_int(*l, {"metadata", "generation"}), 1);
  json::object spec = *l;
  spec["spec"].get_object()["replicas"] = 4;
  auto s = os_->update(*deploy_, "default", "web", "", spec, {});
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(get_int(*s, {"metadata", "generation"}), 2);
}

TEST_F(ObjectStoreTest, StatusSubresourceSeparatesSpecAndStatus) {
  auto d = os_->create(*deploy_, "default", deployment("web"), {});
  ASSERT_TRUE(d);
  json::object with_status = *d;
  with_status["status"] = json::object{{"replicas", 3}};
  with_status["spec"].get_object()["replicas"] = 9;
  auto st = os_->update(*deploy_, "default", "web", "status", with_status, {});
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_EQ(get_int(*st, {"status", "replicas"}), 3);
  EXPECT_EQ(get_int(*st, {"spec", "replicas"}), 1);
  json::object main = *st;
  main["status"] = json::object{{"replicas", 0}};
  auto m = os_->update(*deploy_, "default", "web", "", main, {});
  ASSERT_TRUE(m);
  EXPECT_EQ(get_int(*m, {"status", "replicas"}), 3);
}

TEST_F(ObjectStoreTest, FinalizersHoldDeletion) {
  ASSERT_TRUE(os_->create(*cm_, "default",
                          parse(R"({"metadata":{"name":"c","finalizers":["x/y"]}})"), {}));
  bool now = true;
  auto del = os_->remove(*cm_, "default", "c", {}, &now);
  ASSERT_TRUE(del);
  EXPECT_FALSE(now);
  EXPECT_TRUE(find_path(*del, {"metadata", "deletionTimestamp"}));
  auto res = os_->guaranteed_update(
      *cm_, "default", "c", "",
      [](const json::object& cur) -> Result<json::object> {
        json::object out = cur;
        out["metadata"].get_object()["finalizers"] = json::array{};
        out["metadata"].get_object().erase("resourceVersion");
        return out;
      },
      {});
  ASSERT_TRUE(res) << res.error().message;
  EXPECT_EQ(os_->get(*cm_, "default", "c").error().code, 404);
}

TEST_F(ObjectStoreTest, ScheduledPodsWaitForTheirGracePeriod) {
  ASSERT_TRUE(os_->create(*pods_, "default",
                          parse(R"({"metadata":{"name":"p"},"spec":{"nodeName":"n1",
                                   "containers":[{"name":"c","image":"x"}]}})"), {}));
  bool now = true;
  auto del = os_->remove(*pods_, "default", "p", {}, &now);
  ASSERT_TRUE(del);
  EXPECT_FALSE(now);
  EXPECT_EQ(get_int(*del, {"metadata", "deletionGracePeriodSeconds"}), 30);
  DeleteOptions force;
  force.grace_period_seconds = 0;
  ASSERT_TRUE(os_->remove(*pods_, "default", "p", force, &now));
  EXPECT_TRUE(now);
}

TEST_F(ObjectStoreTest, PaginationReadsOneSnapshot) {
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(os_->create(*cm_, "default",
                            parse(("{\"metadata\":{\"name\":\"c" + std::to_string(i) + "\"}}").c_str()), {}));
  ListParams p;
  p.limit = 4;
  auto first = os_->list(*cm_, "default", p);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->items.size(), 4u);
  ASSERT_FALSE(first->continue_token.empty());
  EXPECT_EQ(first->remaining.value_or(-1), 6);
  // Created after the first page: not part of the snapshot.
  ASSERT_TRUE(os_->create(*cm_, "default", parse(R"({"metadata":{"name":"c99"}})"), {}));
  size_t total = first->items.size();
  std::string token = first->continue_token;
  while (!token.empty()) {
    ListParams next;
    next.limit = 4;
    next.continue_token = token;
    auto page = os_->list(*cm_, "default", next);
    ASSERT_TRUE(page) << page.error().message;
    for (const auto& o : page->items) EXPECT_NE(get_string(o, {"metadata", "name"}), "c99");
    total += page->items.size();
    token = page->continue_token;
  }
  EXPECT_EQ(total, 10u);
}

TEST_F(ObjectStoreTest, WatchTypesFollowTheSelector) {
  ListParams p;
  auto sel = LabelSelector::parse("sel=yes");
  ASSERT_TRUE(sel);
  p.labels = *sel;
  p.resource_version = std::to_string(store_->current_revision());
  auto w = os_->watch(*cm_, "default", p, false);
  ASSERT_TRUE(w);
  ASSERT_TRUE(os_->create(*cm_, "default", parse(R"({"metadata":{"name":"c","labels":{"sel":"yes"}}})"), {}));
  auto relabel = [&](const char* v) {
    return os_->guaranteed_update(*cm_, "default", "c", "",
                                  [&](const json::object& cur) -> Result<json::object> {
                                    json::object out = cur;
                                    out["metadata"].get_object()["labels"] = json::object{{"sel", v}};
                                    out["metadata"].get_object().erase("resourceVersion");
                                    return out;
                                  },
                                  {});
  };
  ASSERT_TRUE(relabel("no"));
  ASSERT_TRUE(relabel("yes"));
  std::vector<std::string> types;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (types.size() < 3 && std::chrono::steady_clock::now() < deadline) {
    bool closed = false;
    for (auto& ev : (*w)->next(std::chrono::milliseconds(200), &closed)) types.push_back(ev.type);
    ASSERT_FALSE(closed);
  }
  EXPECT_EQ(types, (std::vector<std::string>{"ADDED", "DELETED", "ADDED"}));
}

TEST_F(ObjectStoreTest, ServiceClusterIPsAreAllocatedAndReleased) {
  const auto* svc = api::find_resource("", "v1", "services");
  auto make = [&](const char* name, const char* ip) {
    auto o = parse(R"({"metadata":{},"spec":{"ports":[{"port":80}]}})");
    o["metadata"].get_object()["name"] = name;
    if (ip) o["spec"].get_object()["clusterIP"] = ip;
    return os_->create(*svc, "default", o, {});
  };
  auto a = make("a", nullptr);
  ASSERT_TRUE(a) << a.error().message;
  std::string ip = get_string(*a, {"spec", "clusterIP"});
  EXPECT_EQ(ip.rfind("10.", 0), 0u);
  EXPECT_NE(ip, "10.96.0.1");  // reserved for the kubernetes service
  auto taken = make("b", ip.c_str());
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().code, 422);
  ASSERT_TRUE(os_->remove(*svc, "default", "a", {}));
  EXPECT_TRUE(make("b", ip.c_str()));
}

}  // namespace
}  // namespace skiff::apiserver

namespace skiff::apiserver {
namespace {
TEST(EncodeWithRv, SplicesTheResourceVersionIntoCanonicalText) {
  storage::KeyValue kv{"k", R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{}})", 1, 42};
  json::value v = json::parse(ObjectStore::encode_with_rv(kv));
  EXPECT_EQ(get_string(v, {"metadata", "resourceVersion"}), "42");
  EXPECT_EQ(get_string(v, {"metadata", "name"}), "c");
  storage::KeyValue empty_meta{"k", R"({"apiVersion":"v1","kind":"X","metadata":{}})", 1, 7};
  EXPECT_EQ(get_string(json::parse(ObjectStore::encode_with_rv(empty_meta)), {"metadata", "resourceVersion"}), "7");
  // Any other layout goes through a real parse.
  storage::KeyValue other{"k", R"({"spec":{"template":{"metadata":{}}},"metadata":{"name":"d"},"kind":"X"})", 1, 9};
  json::value o = json::parse(ObjectStore::encode_with_rv(other));
  EXPECT_EQ(get_string(o, {"metadata", "resourceVersion"}), "9");
  EXPECT_EQ(find_path(o, {"spec", "template", "metadata", "resourceVersion"}), nullptr);
}
}  // namespace
}  // namespace skiff::apiserver
