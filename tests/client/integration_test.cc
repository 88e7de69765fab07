// The client against the real API server: `skiff server` runs as a child process in a temporary
// data dir (support/test_server.h), one for the whole suite.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "api/resources.h"
#include "client/client.h"
#include "client/informer.h"
#include "support/server_test.h"

namespace skiff::client {
namespace {
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using testsupport::eventually;
using testsupport::TestServer;

const api::ResourceInfo& res(const char* group, const char* version, const char* resource) {
  const api::ResourceInfo* r = api::find_resource(group, version, resource);
  if (!r) throw std::runtime_error(std::string("no resource ") + resource);
  return *r;
}
const api::ResourceInfo& configmaps() { return res("", "v1", "configmaps"); }
const api::ResourceInfo& pods() { return res("", "v1", "pods"); }
const api::ResourceInfo& namespaces() { return res("", "v1", "namespaces"); }

json::object configmap(const std::string& name, json::object labels = {},
                       json::object data = {}) {
  json::object md{{"name", name}};
  if (!labels.empty()) md["labels"] = std::move(labels);
  return json::object{{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", md},
                      {"data", std::move(data)}};
}

std::string rv(const json::object& o) { return get_string(o, {"metadata", "resourceVersion"}); }

class ClientIntegration : public testsupport::SharedServerTest<ClientIntegration> {
 public:
  // No controllers: they write objects of their own (kube-root-ca.crt in every namespace) into
  // the namespaces whose exact contents these tests count.
  static TestServer::Options server_options() {
    return {.name = "skiff-client-it", .args = {"--disable-controllers"}};
  }

 protected:
  static const Config& cfg() { return server_->config(); }

  // A fresh namespace per test keeps their objects apart.
  std::string make_namespace(const std::string& name) {
    auto r = client_->create(namespaces(), "",
                             json::object{{"metadata", json::object{{"name", name}}}});
    EXPECT_TRUE(r) << r.error().message;
    return name;
  }
};

TEST_F(ClientIntegration, ConfigFromServerKubeconfig) {
  EXPECT_NE(cfg().server.find("https://127.0.0.1:"), std::string::npos);
  EXPECT_FALSE(cfg().ca_pem.empty());
  EXPECT_FALSE(cfg().cert_pem.empty());
  EXPECT_FALSE(cfg().key_pem.empty());
  auto v = client_->request("GET", "/version");
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_TRUE(v->is_object());
}

TEST_F(ClientIntegration, WrongCaFailsVerification) {
  Config bad = cfg();
  // The client certificate is not a CA of the server's chain: verification must fail.
  bad.ca_pem = cfg().cert_pem;
  Client c(bad);
  auto r = c.request("GET", "/version");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, 503);
  EXPECT_NE(r.error().message.find("TLS"), std::string::npos) << r.error().message;
}

TEST_F(ClientIntegration, CrudConflictPatchListRemove) {
  const std::string ns = make_namespace("crud");
  auto& cm = configmaps();
  auto created = client_->create(cm, ns, configmap("one", {{"app", "a"}}, {{"k", "v"}}));
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_FALSE(rv(*created).empty());
  auto dup = client_->create(cm, ns, configmap("one"));
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, 409);
  EXPECT_EQ(dup.error().reason, "AlreadyExists");

  auto got = client_->get(cm, ns, "one");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(get_string(*got, {"data", "k"}), "v");

  json::object upd = *got;
  upd["data"].as_object()["k"] = "v2";
  auto updated = client_->update(cm, ns, "one", upd);
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_NE(rv(*updated), rv(*got));
  // The same (now stale) resourceVersion again: Conflict.
  upd["data"].as_object()["k"] = "v3";
  auto stale = client_->update(cm, ns, "one", upd);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, 409);
  EXPECT_EQ(stale.error().reason, "Conflict");
  EXPECT_FALSE(stale.error().message.empty());

  auto merged = client_->patch(cm, ns, "one", "application/merge-patch+json",
                               json::object{{"data", json::object{{"m", "1"}}}});
  ASSERT_TRUE(merged) << merged.error().message;
  EXPECT_EQ(get_string(*merged, {"data", "m"}), "1");
  EXPECT_EQ(get_string(*merged, {"data", "k"}), "v2");
  auto strategic = client_->patch(
      cm, ns, "one", "application/strategic-merge-patch+json",
      json::object{{"metadata", json::object{{"labels", json::object{{"tier", "x"}}}}}});
  ASSERT_TRUE(strategic) << strategic.error().message;
  EXPECT_EQ(get_string(*strategic, {"metadata", "labels", "tier"}), "x");
  EXPECT_EQ(get_string(*strategic, {"metadata", "labels", "app"}), "a");

  ASSERT_TRUE(client_->create(cm, ns, configmap("two", {{"app", "b"}})));
  ASSERT_TRUE(client_->create(cm, ns, configmap("three", {{"app", "a"}})));
  ListOptions sel;
  sel.label_selector = "app in (a),tier!=y";
  auto listed = client_->list(cm, ns, sel);
  ASSERT_TRUE(listed) << listed.error().message;
  std::set<std::string> names;
  for (auto& it : listed->at("items").as_array())
    names.insert(get_string(it, {"metadata", "name"}));
  EXPECT_EQ(names, (std::set<std::string>{"one", "three"}));
  EXPECT_FALSE(get_string(*listed, {"metadata", "resourceVersion"}).empty());

  auto removed = client_->remove(cm, ns, "one");
  ASSERT_TRUE(removed) << removed.error().message;
  auto gone = client_->get(cm, ns, "one");
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, 404);
  EXPECT_EQ(gone.error().reason, "NotFound");
  auto again = client_->remove(cm, ns, "one");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, 404);

  // Invalid objects carry field causes.
  auto invalid = client_->create(pods(), ns, json::object{{"metadata", json::object{{"name", "p"}}},
                                                          {"spec", json::object{}}});
  ASSERT_FALSE(invalid);
  EXPECT_EQ(invalid.error().code, 422);
  EXPECT_FALSE(invalid.error().causes.empty());
}

TEST_F(ClientIntegration, PodBinding) {
  const std::string ns = make_namespace("binding");
  json::object pod{
      {"metadata", json::object{{"name", "web"}}},
      {"spec", json::object{{"containers", json::array{json::object{{"name", "c"},
                                                                    {"image", "nginx"}}}}}}};
  auto created = client_->create(pods(), ns, pod);
  ASSERT_TRUE(created) << created.error().message;
  json::object binding{{"apiVersion", "v1"},
                       {"kind", "Binding"},
                       {"metadata", json::object{{"name", "web"}}},
                       {"target", json::object{{"apiVersion", "v1"}, {"kind", "Node"},
                                               {"name", "node-1"}}}};
  auto b = client_->post_subresource(pods(), ns, "web", "binding", binding);
  ASSERT_TRUE(b) << b.error().message;
  auto got = client_->get(pods(), ns, "web");
  ASSERT_TRUE(got);
  EXPECT_EQ(get_string(*got, {"spec", "nodeName"}), "node-1");
  auto twice = client_->post_subresource(pods(), ns, "web", "binding", binding);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, 409);
}

TEST_F(ClientIntegration, PagedList) {
  const std::string ns = make_namespace("paged");
  for (int i = 0; i < 23; ++i)
    ASSERT_TRUE(client_->create(configmaps(), ns, configmap("cm" + std::to_string(i))));
  ListOptions o;
  o.limit = 5;
  std::set<std::string> names;
  int pages = 0;
  do {
    auto page = client_->list(configmaps(), ns, o);
    ASSERT_TRUE(page) << page.error().message;
    ++pages;
    for (auto& it : page->at("items").as_array())
      names.insert(get_string(it, {"metadata", "name"}));
    o.continue_token = get_string(*page, {"metadata", "continue"});
  } while (!o.continue_token.empty() && pages < 100);
  EXPECT_EQ(names.size(), 23u);
  EXPECT_EQ(pages, 5);
}

TEST_F(ClientIntegration, WatchSeesAddedModifiedDeleted) {
  const std::string ns = make_namespace("watch");
  auto list = client_->list(configmaps(), ns);
  ASSERT_TRUE(list);
  ListOptions o;
  o.resource_version = get_string(*list, {"metadata", "resourceVersion"});
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> seen;  // type, name
  std::atomic<bool> stop{false};
  Status result = ok_status();
  std::thread t([&] {
    result = client_->watch(
        configmaps(), ns, o,
        [&](WatchEvent& ev) {
          if (ev.type == "BOOKMARK") return true;
          std::lock_guard lk(mu);
          seen.emplace_back(ev.type, get_string(ev.object, {"metadata", "name"}));
          return ev.type != "DELETED";
        },
        &stop);
  });
  std::this_thread::sleep_for(200ms);
  auto c = client_->create(configmaps(), ns, configmap("w"));
  ASSERT_TRUE(c);
  ASSERT_TRUE(client_->patch(configmaps(), ns, "w", "application/merge-patch+json",
                             json::object{{"data", json::object{{"x", "y"}}}}));
  ASSERT_TRUE(client_->remove(configmaps(), ns, "w"));
  bool finished = eventually([&] {
    std::lock_guard lk(mu);
    return !seen.empty() && seen.back().first == "DELETED";
  });
  if (!finished) stop = true;
  t.join();
  EXPECT_TRUE(result) << result.error().message;
  std::vector<std::pair<std::string, std::string>> want = {
      {"ADDED", "w"}, {"MODIFIED", "w"}, {"DELETED", "w"}};
  EXPECT_EQ(seen, want);
}

TEST_F(ClientIntegration, WatchStopsPromptly) {
  const std::string ns = make_namespace("watchstop");
  std::atomic<bool> stop{false};
  Status result = ok_status();
  std::thread t([&] {
    result = client_->watch(configmaps(), ns, {}, [](WatchEvent&) { return true; }, &stop);
  });
  std::this_thread::sleep_for(300ms);
  auto t0 = Clock::now();
  stop = true;
  t.join();
  EXPECT_LT(Clock::now() - t0, 1500ms);
  EXPECT_TRUE(result) << result.error().message;
}

TEST_F(ClientIntegration, WatchFromCompactedOrBadRevision) {
  const std::string ns = make_namespace("watchbad");
  ListOptions o;
  o.resource_version = "1";  // far in the past: 410 as an ERROR event, or ok if still retained
  std::atomic<bool> stop{false};
  std::vector<std::string> types;
  std::thread stopper([&] {
    std::this_thread::sleep_for(1500ms);
    stop = true;
  });
  auto st = client_->watch(
      configmaps(), ns, o,
      [&](WatchEvent& ev) {
        types.push_back(ev.type);
        if (ev.type == "ERROR") {
          EXPECT_EQ(api_error_from_status(ev.object).code, 410);
          return false;
        }
        return true;
      },
      &stop);
  stopper.join();
  EXPECT_TRUE(st) << st.error().message;
}

TEST_F(ClientIntegration, InformerSyncsAndFollows) {
  const std::string ns = make_namespace("informer");
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(client_->create(configmaps(), ns, configmap("pre" + std::to_string(i))));
  // An object elsewhere must not show up in a namespaced informer.
  ASSERT_TRUE(client_->create(configmaps(), "default", configmap("elsewhere")));

  std::mutex mu;
  std::map<std::string, int> adds, updates, deletes;
  std::thread::id handler_thread;
  Informer inf(*client_, configmaps(), ns);
  inf.add_handlers(Handlers{
      [&](const ObjectPtr& o) {
        std::lock_guard lk(mu);
        ++adds[object_key(*o)];
        handler_thread = std::this_thread::get_id();
      },
      [&](const ObjectPtr& a, const ObjectPtr& b) {
        std::lock_guard lk(mu);
        EXPECT_EQ(object_key(*a), object_key(*b));
        ++updates[object_key(*b)];
      },
      [&](const ObjectPtr& o) {
        std::lock_guard lk(mu);
        ++deletes[object_key(*o)];
      }});
  EXPECT_FALSE(inf.synced());
  inf.start();
  ASSERT_TRUE(inf.wait_synced(10s));
  {
    std::lock_guard lk(mu);
    EXPECT_EQ(adds.size(), 5u);
    EXPECT_NE(handler_thread, std::this_thread::get_id());
  }
  EXPECT_EQ(inf.list().size(), 5u);
  ASSERT_TRUE(inf.get(ns + "/pre3"));
  EXPECT_EQ(get_string(*inf.get(ns + "/pre3"), {"kind"}), "ConfigMap");
  EXPECT_FALSE(inf.get("default/elsewhere"));

  ASSERT_TRUE(client_->create(configmaps(), ns, configmap("new")));
  ASSERT_TRUE(client_->patch(configmaps(), ns, "pre1", "application/merge-patch+json",
                             json::object{{"data", json::object{{"a", "b"}}}}));
  ASSERT_TRUE(client_->remove(configmaps(), ns, "pre2"));
  EXPECT_TRUE(eventually([&] {
    std::lock_guard lk(mu);
    return adds.count(ns + "/new") && updates.count(ns + "/pre1") && deletes.count(ns + "/pre2");
  }));
  EXPECT_TRUE(eventually([&] { return !inf.get(ns + "/pre2") && inf.get(ns + "/new"); }));
  auto pre1 = inf.get(ns + "/pre1");
  ASSERT_TRUE(pre1);
  EXPECT_EQ(get_string(*pre1, {"data", "a"}), "b");

  // The cache matches the server's list.
  auto list = client_->list(configmaps(), ns);
  ASSERT_TRUE(list);
  std::map<std::string, std::string> server, cache;
  for (auto& it : list->at("items").as_array())
    server[object_key(it.as_object())] = rv(it.as_object());
  EXPECT_TRUE(eventually([&] {
    cache.clear();
    for (auto& o : inf.list()) cache[object_key(*o)] = rv(*o);
    return cache == server;
  }));
  EXPECT_EQ(cache, server);
  EXPECT_EQ(inf.list_namespace(ns).size(), server.size());
  EXPECT_TRUE(inf.list_namespace("default").empty());

  auto t0 = Clock::now();
  inf.stop();
  EXPECT_LT(Clock::now() - t0, 2s);
}

TEST_F(ClientIntegration, InformerAllNamespacesWithSelector) {
  const std::string ns1 = make_namespace("sel-a");
  const std::string ns2 = make_namespace("sel-b");
  ASSERT_TRUE(client_->create(configmaps(), ns1, configmap("x", {{"pick", "yes"}})));
  ASSERT_TRUE(client_->create(configmaps(), ns2, configmap("y", {{"pick", "yes"}})));
  ASSERT_TRUE(client_->create(configmaps(), ns2, configmap("z", {{"pick", "no"}})));
  ListOptions sel;
  sel.label_selector = "pick=yes";
  Informer inf(*client_, configmaps(), "", sel);
  inf.start();
  ASSERT_TRUE(inf.wait_synced(10s));
  EXPECT_TRUE(inf.get(ns1 + "/x"));
  EXPECT_TRUE(inf.get(ns2 + "/y"));
  EXPECT_FALSE(inf.get(ns2 + "/z"));
  EXPECT_EQ(inf.list().size(), 2u);
  inf.stop();
}

TEST_F(ClientIntegration, InformerResumesAfterServerEndsWatch) {
  const std::string ns = make_namespace("resume");
  ListOptions o;
  o.timeout_seconds = 1;  // the server ends each watch after a second; the informer re-watches
  std::atomic<int> adds{0};
  Informer inf(*client_, configmaps(), ns, o);
  inf.add_handlers(Handlers{[&](const ObjectPtr&) { ++adds; }, nullptr, nullptr});
  inf.start();
  ASSERT_TRUE(inf.wait_synced(10s));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(client_->create(configmaps(), ns, configmap("r" + std::to_string(i))));
    std::this_thread::sleep_for(1200ms);
  }
  EXPECT_TRUE(eventually([&] { return adds.load() == 3; }));
  EXPECT_EQ(inf.list().size(), 3u);
  inf.stop();
}

TEST_F(ClientIntegration, ConcurrentCreatesFromEightThreads) {
  const std::string ns = make_namespace("concurrent");
  Config c = cfg();
  c.max_connections = 4;  // fewer connections than threads: requests wait for a free one
  Client shared(c);
  std::atomic<int> ok{0};
  std::mutex mu;
  std::vector<std::string> errors;
  std::vector<std::thread> ts;
  for (int t = 0; t < 8; ++t)
    ts.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        auto r = shared.create(configmaps(), ns,
                               configmap("c-" + std::to_string(t) + "-" + std::to_string(i)));
        if (r) {
          ++ok;
        } else {
          std::lock_guard lk(mu);
          errors.push_back(r.error().message);
        }
      }
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(ok.load(), 200);
  EXPECT_TRUE(errors.empty()) << errors.front();
  auto list = shared.list(configmaps(), ns);
  ASSERT_TRUE(list);
  EXPECT_EQ(list->at("items").as_array().size(), 200u);
}

}  // namespace
}  // namespace skiff::client
