// Service-account tokens over a real ObjectStore: TokenRequest validation and claims, bearer
// authentication that follows the account and the bound pod, the request identity of client
// certificates, and the ServiceAccount admission plugin's kube-api-access volume.
#include "apiserver/authn.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "apiserver/admission.h"
#include "common/time.h"
#include "pki/jwt.h"
#include "storage/sqlite_store.h"

namespace skiff::apiserver {
namespace {

json::object parse(std::string_view text) {
  json::value v;
  std::string err;
  EXPECT_TRUE(parse_json(text, v, err)) << err;
  return v.get_object();
}

const pki::RsaKeyPem& key() {
  static const pki::RsaKeyPem k = pki::make_rsa_key();
  return k;
}

class AuthnTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/skiff-authn-test.XXXXXX";
    dir_ = mkdtemp(tmpl);
    std::string err;
    store_ = storage::SqliteStore::open(dir_ + "/state.db", &err);
    ASSERT_TRUE(store_) << err;
    admission_ = std::make_unique<Admission>(*store_, "10.96.0.0/12");
    os_ = std::make_unique<ObjectStore>(*store_, *admission_);
    tokens_ = std::make_unique<TokenAuthority>(*os_, key(), kDefaultIssuer,
                                               std::vector<std::string>{kDefaultIssuer});
    ASSERT_TRUE(os_->create(res("namespaces"), "", parse(R"({"metadata":{"name":"default"}})"), {}));
    auto sa = os_->create(res("serviceaccounts"), "default",
                          parse(R"({"metadata":{"name":"default"}})"), {});
    ASSERT_TRUE(sa);
    sa_uid_ = get_string(*sa, {"metadata", "uid"});
  }
  void TearDown() override {
    tokens_.reset();
    os_.reset();
    admission_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  static const api::ResourceInfo& res(const char* r) { return *api::find_resource("", "v1", r); }
  json::object pod(std::string_view extra_spec = "") {
    auto p = os_->create(res("pods"), "default",
                         parse(std::string(R"({"metadata":{"name":"p"},"spec":{)") +
                               std::string(extra_spec) +
                               R"("containers":[{"name":"c","image":"busybox"}],
                                  "initContainers":[{"name":"i","image":"busybox",
                                    "volumeMounts":[{"name":"mine","mountPath":
                                      "/var/run/secrets/kubernetes.io/serviceaccount"}]}],
                                  "volumes":[{"name":"mine","emptyDir":{}}]}})"),
                         {});
    EXPECT_TRUE(p) << p.error().message;
    return p ? *p : json::object{};
  }
  std::string token(std::string_view request) {
    auto tr = tokens_->issue("default", "default", parse(request));
    EXPECT_TRUE(tr) << tr.error().message;
    return tr ? get_string(*tr, {"status", "token"}) : "";
  }
  json::object claims_of(const std::string& tok) {
    auto mid = tok.substr(tok.find('.') + 1);
    return parse(*pki::base64url_decode(mid.substr(0, mid.find('.'))));
  }

  std::string dir_, sa_uid_;
  std::unique_ptr<storage::SqliteStore> store_;
  std::unique_ptr<Admission> admission_;
  std::unique_ptr<ObjectStore> os_;
  std::unique_ptr<TokenAuthority> tokens_;
};

TEST_F(AuthnTest, TokenRequestDefaultsAndValidation) {
  auto tr = tokens_->issue("default", "default", json::object{});
  ASSERT_TRUE(tr) << tr.error().message;
  EXPECT_EQ(get_int(*tr, {"spec", "expirationSeconds"}), 3600);
  EXPECT_EQ(json::serialize(tr->at("spec").at("audiences")),
            R"(["https://kubernetes.default.svc.cluster.local"])");
  auto exp = parse_rfc3339(get_string(*tr, {"status", "expirationTimestamp"}));
  ASSERT_TRUE(exp);
  EXPECT_NEAR(std::chrono::duration_cast<std::chrono::seconds>(*exp - Clock::now()).count(), 3600, 5);
  auto c = claims_of(get_string(*tr, {"status", "token"}));
  EXPECT_EQ(get_string(c, {"sub"}), "system:serviceaccount:default:default");
  EXPECT_EQ(get_string(c, {"kubernetes.io", "serviceaccount", "uid"}), sa_uid_);
  EXPECT_EQ(get_int(c, {"exp"}) - get_int(c, {"iat"}), 3600);
  EXPECT_FALSE(get_string(c, {"jti"}).empty());

  auto short_ = tokens_->issue("default", "default", parse(R"({"spec":{"expirationSeconds":599}})"));
  ASSERT_FALSE(short_);
  EXPECT_EQ(short_.error().code, 422);
  EXPECT_EQ(short_.error().causes.at(0).field, "spec.expirationSeconds");
  auto missing = tokens_->issue("default", "nobody", json::object{});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, 404);
  auto kind = tokens_->issue("default", "default",
                             parse(R"({"spec":{"boundObjectRef":{"kind":"ConfigMap","apiVersion":"v1","name":"x"}}})"));
  ASSERT_FALSE(kind);
  EXPECT_EQ(kind.error().code, 400);
  auto gone = tokens_->issue("default", "default",
                             parse(R"({"spec":{"boundObjectRef":{"kind":"Pod","apiVersion":"v1","name":"x"}}})"));
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, 404);
}

TEST_F(AuthnTest, BearerTokenFollowsTheAccount) {
  auto tok = token("{}");
  auto u = tokens_->authenticate(tok);
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->name, "system:serviceaccount:default:default");
  EXPECT_EQ(u->uid, sa_uid_);
  EXPECT_EQ(u->groups, (std::vector<std::string>{"system:serviceaccounts",
                                                 "system:serviceaccounts:default",
                                                 "system:authenticated"}));
  // Another audience than the API server's is not for us.
  EXPECT_FALSE(tokens_->authenticate(token(R"({"spec":{"audiences":["vault"]}})")));
  // The account deleted (and recreated with another uid): the token is dead.
  ASSERT_TRUE(os_->remove(res("serviceaccounts"), "default", "default", {}));
  EXPECT_EQ(tokens_->authenticate(tok).error().code, 401);
  ASSERT_TRUE(os_->create(res("serviceaccounts"), "default",
                          parse(R"({"metadata":{"name":"default"}})"), {}));
  EXPECT_FALSE(tokens_->authenticate(tok));
}

TEST_F(AuthnTest, PodBoundTokenDiesWithThePod) {
  auto p = pod();
  auto uid = get_string(p, {"metadata", "uid"});
  auto wrong = tokens_->issue("default", "default",
                              parse(R"({"spec":{"boundObjectRef":{"kind":"Pod","apiVersion":"v1","name":"p","uid":"other"}}})"));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, 409);
  auto tok = token(R"({"spec":{"boundObjectRef":{"kind":"Pod","apiVersion":"v1","name":"p"}}})");
  EXPECT_EQ(get_string(claims_of(tok), {"kubernetes.io", "pod", "uid"}), uid);
  auto u = tokens_->authenticate(tok);
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->extra["authentication.kubernetes.io/pod-name"], std::vector<std::string>{"p"});
  EXPECT_EQ(u->extra["authentication.kubernetes.io/pod-uid"], std::vector<std::string>{uid});
  DeleteOptions now;
  now.grace_period_seconds = 0;
  ASSERT_TRUE(os_->remove(res("pods"), "default", "p", now));
  EXPECT_EQ(tokens_->authenticate(tok).error().code, 401);
}

TEST_F(AuthnTest, PodShuttingDownKeepsItsTokenForTheLeeway) {
  auto p = os_->create(res("pods"), "default",
                       parse(R"({"metadata":{"name":"held","finalizers":["test/hold"]},
                                 "spec":{"containers":[{"name":"c","image":"busybox"}]}})"),
                       {});
  ASSERT_TRUE(p) << p.error().message;
  auto tok = token(R"({"spec":{"boundObjectRef":{"kind":"Pod","apiVersion":"v1","name":"held"}}})");
  ASSERT_TRUE(os_->remove(res("pods"), "default", "held", {}));
  ASSERT_TRUE(find_path(*os_->get(res("pods"), "default", "held"), {"metadata", "deletionTimestamp"}));
  EXPECT_TRUE(tokens_->authenticate(tok)) << "deletion began less than 60 s ago";
}

TEST_F(AuthnTest, ClientCertificatesAndBearerHeaders) {
  net::Request req;
  req.cert_user = "kubernetes-admin";
  req.cert_groups = {"system:masters"};
  auto u = authenticate(req, tokens_.get());
  ASSERT_TRUE(u);
  EXPECT_EQ(u->name, "kubernetes-admin");
  EXPECT_EQ(u->groups, (std::vector<std::string>{"system:masters", "system:authenticated"}));
  net::Request anon;
  EXPECT_TRUE(authenticate(anon, tokens_.get())->anonymous());
  net::Request bearer;
  bearer.headers["authorization"] = "Bearer " + token("{}");
  EXPECT_EQ(authenticate(bearer, tokens_.get())->name, "system:serviceaccount:default:default");
  bearer.headers["authorization"] = "bearer " + token("{}");  // the scheme ignores case
  EXPECT_TRUE(authenticate(bearer, tokens_.get()));
  bearer.headers["authorization"] = "Bearer garbage";  // a bad token never falls back to anonymous
  EXPECT_EQ(authenticate(bearer, tokens_.get()).error().code, 401);
  EXPECT_EQ(authenticate(bearer, nullptr).error().code, 401);
}

TEST_F(AuthnTest, AdmissionMountsTheAccessVolume) {
  auto p = pod();
  EXPECT_EQ(get_string(p, {"spec", "serviceAccountName"}), "default");
  EXPECT_EQ(get_string(p, {"spec", "serviceAccount"}), "default");
  const auto& vols = p["spec"].at("volumes").as_array();
  ASSERT_EQ(vols.size(), 2u);
  auto name = get_string(vols[1], {"name"});
  ASSERT_EQ(name.size(), std::string("kube-api-access-").size() + 5) << name;
  EXPECT_EQ(json::serialize(vols[1].at("projected")),
            R"({"sources":[{"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},)"
            R"({"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt","path":"ca.crt"}]}},)"
            R"({"downwardAPI":{"items":[{"path":"namespace","fieldRef":{"apiVersion":"v1",)"
            R"("fieldPath":"metadata.namespace"}}]}}],"defaultMode":420})");
  auto mounts = p["spec"].at("containers").at(0).at("volumeMounts");
  EXPECT_EQ(json::serialize(mounts),
            R"([{"name":")" + name +
                R"(","readOnly":true,"mountPath":"/var/run/secrets/kubernetes.io/serviceaccount"}])");
  // The init container mounts something of its own there: left alone.
  EXPECT_EQ(p["spec"].at("initContainers").at(0).at("volumeMounts").as_array().size(), 1u);
}

TEST_F(AuthnTest, AdmissionHonoursAutomountAndMirrorPods) {
  auto p = pod(R"("automountServiceAccountToken":false,)");
  EXPECT_EQ(p["spec"].at("volumes").as_array().size(), 1u);
  ASSERT_TRUE(os_->remove(res("pods"), "default", "p", {}));
  // The account says no; the pod's own true wins over it.
  auto sa = os_->get(res("serviceaccounts"), "default", "default");
  (*sa)["automountServiceAccountToken"] = false;
  (*sa)["imagePullSecrets"] = parse(R"({"a":[{"name":"regcred"}]})")["a"];
  ASSERT_TRUE(os_->update(res("serviceaccounts"), "default", "default", "", *sa, {}));
  auto q = pod();
  EXPECT_EQ(q["spec"].at("volumes").as_array().size(), 1u);
  EXPECT_EQ(get_string(q["spec"].at("imagePullSecrets").at(0), {"name"}), "regcred");
  ASSERT_TRUE(os_->remove(res("pods"), "default", "p", {}));
  auto r = pod(R"("automountServiceAccountToken":true,)");
  EXPECT_EQ(r["spec"].at("volumes").as_array().size(), 2u);
  ASSERT_TRUE(os_->remove(res("pods"), "default", "p", {}));
  auto mirror = os_->create(
      res("pods"), "default",
      parse(R"({"metadata":{"name":"m","annotations":{"kubernetes.io/config.mirror":"x"}},
               "spec":{"nodeName":"n","containers":[{"name":"c","image":"busybox"}]}})"),
      {});
  ASSERT_TRUE(mirror) << mirror.error().message;
  EXPECT_FALSE(find_path(*mirror, {"spec", "volumes"}));
  EXPECT_TRUE(get_string(*mirror, {"spec", "serviceAccountName"}).empty());
}

}  // namespace
}  // namespace skiff::apiserver
