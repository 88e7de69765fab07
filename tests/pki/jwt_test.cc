// Tests for pki/jwt: a signed token verifies and gives back its claims; every way of forging or
// outliving one is refused (tampered claims or signature, alg none/HS256, another key, wrong
// issuer or audience, expired, not yet valid); the key files survive a restart.
#include "pki/jwt.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "support/temp_dir.h"

namespace skiff::pki {
namespace {

const RsaKeyPem& key() {
  static const RsaKeyPem k = make_rsa_key();
  return k;
}

constexpr int64_t kNow = 1'700'000'000;

json::object claims(int64_t iat = kNow, int64_t exp = kNow + 3600) {
  return {{"iss", "https://kubernetes.default.svc.cluster.local"},
          {"sub", "system:serviceaccount:default:default"},
          {"aud", json::array{"https://kubernetes.default.svc.cluster.local", "other"}},
          {"iat", iat},
          {"nbf", iat},
          {"exp", exp}};
}

VerifyOptions opts(int64_t now = kNow) {
  return {"https://kubernetes.default.svc.cluster.local",
          {"https://kubernetes.default.svc.cluster.local"}, now};
}

std::string part(const std::string& tok, int i) {
  auto a = tok.find('.'), b = tok.rfind('.');
  return i == 0 ? tok.substr(0, a) : i == 1 ? tok.substr(a + 1, b - a - 1) : tok.substr(b + 1);
}

TEST(Jwt, SignedTokenVerifies) {
  JwtSigner s(key().private_pem);
  auto tok = s.sign(claims());
  auto got = JwtVerifier(key().public_pem).verify(tok, opts());
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(get_string(*got, {"sub"}), "system:serviceaccount:default:default");
  // The header names RS256 and the key id, which is stable for a key.
  auto header = base64url_decode(part(tok, 0));
  ASSERT_TRUE(header);
  EXPECT_NE(header->find("\"alg\":\"RS256\""), std::string::npos);
  EXPECT_NE(header->find(s.key_id()), std::string::npos);
  EXPECT_EQ(JwtSigner(key().private_pem).key_id(), s.key_id());
  EXPECT_EQ(tok.find('='), std::string::npos);  // base64url without padding
}

TEST(Jwt, TamperedClaimsOrSignatureRefused) {
  auto tok = JwtSigner(key().private_pem).sign(claims());
  JwtVerifier v(key().public_pem);
  json::object other = claims();
  other["sub"] = "system:serviceaccount:kube-system:admin";
  auto forged = part(tok, 0) + "." + base64url_encode(json::serialize(other)) + "." + part(tok, 2);
  auto r = v.verify(forged, opts());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, 401);
  std::string sig = part(tok, 2);
  sig[sig.size() / 2] = sig[sig.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(v.verify(part(tok, 0) + "." + part(tok, 1) + "." + sig, opts()).ok());
  EXPECT_FALSE(v.verify(part(tok, 0) + "." + part(tok, 1) + ".", opts()).ok());
  EXPECT_FALSE(v.verify("a.b", opts()).ok());
  EXPECT_FALSE(v.verify("not a token", opts()).ok());
  EXPECT_FALSE(v.verify("%%%.%%%.%%%", opts()).ok());
}

TEST(Jwt, WrongAlgorithmRefused) {
  auto tok = JwtSigner(key().private_pem).sign(claims());
  JwtVerifier v(key().public_pem);
  for (const char* alg : {"none", "HS256", "RS512", ""}) {
    json::object h{{"alg", alg}, {"typ", "JWT"}};
    auto t = base64url_encode(json::serialize(h)) + "." + part(tok, 1) + "." + part(tok, 2);
    auto r = v.verify(t, opts());
    ASSERT_FALSE(r.ok()) << alg;
    EXPECT_NE(r.error().message.find("algorithm"), std::string::npos) << r.error().message;
    // "none" with an empty signature too.
    EXPECT_FALSE(v.verify(base64url_encode(json::serialize(h)) + "." + part(tok, 1) + ".", opts()).ok());
  }
}

TEST(Jwt, OtherKeyRefused) {
  auto other = make_rsa_key();
  auto tok = JwtSigner(other.private_pem).sign(claims());
  EXPECT_FALSE(JwtVerifier(key().public_pem).verify(tok, opts()).ok());
}

TEST(Jwt, TimeWindowWithLeeway) {
  JwtSigner s(key().private_pem);
  JwtVerifier v(key().public_pem);
  auto tok = s.sign(claims(kNow, kNow + 600));
  EXPECT_TRUE(v.verify(tok, opts(kNow + 600 + 59)).ok());  // within the leeway
  auto expired = v.verify(tok, opts(kNow + 600 + 61));
  ASSERT_FALSE(expired.ok());
  EXPECT_NE(expired.error().message.find("expired"), std::string::npos);
  EXPECT_TRUE(v.verify(tok, opts(kNow - 59)).ok());
  auto early = v.verify(tok, opts(kNow - 120));
  ASSERT_FALSE(early.ok());
  EXPECT_NE(early.error().message.find("not valid yet"), std::string::npos);
  json::object no_exp = claims();
  no_exp.erase("exp");
  EXPECT_FALSE(v.verify(s.sign(no_exp), opts()).ok());
  json::object bad_exp = claims();
  bad_exp["exp"] = "tomorrow";
  EXPECT_FALSE(v.verify(s.sign(bad_exp), opts()).ok());
}

TEST(Jwt, IssuerAndAudienceChecked) {
  JwtSigner s(key().private_pem);
  JwtVerifier v(key().public_pem);
  auto tok = s.sign(claims());
  VerifyOptions o = opts();
  o.issuer = "https://elsewhere";
  EXPECT_FALSE(v.verify(tok, o).ok());
  o = opts();
  o.audiences = {"vault"};
  auto r = v.verify(tok, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("audience"), std::string::npos);
  o.audiences = {"vault", "other"};
  EXPECT_TRUE(v.verify(tok, o).ok());
  json::object one = claims();
  one["aud"] = "vault";  // a single string is an audience too
  o.audiences = {"vault"};
  EXPECT_TRUE(v.verify(s.sign(one), o).ok());
}

TEST(Jwt, BadKeysRefusedAtConstruction) {
  EXPECT_THROW(JwtSigner("junk"), std::invalid_argument);
  EXPECT_THROW(JwtVerifier("junk"), std::invalid_argument);
  EXPECT_THROW(JwtSigner(key().public_pem), std::invalid_argument);
}

TEST(Jwt, KeyFilesKeptAcrossRestarts) {
  testing::TempDir dir;
  auto a = load_or_create_sa_key(dir.path());
  struct stat st{};
  ASSERT_EQ(::stat((dir.path() + "/pki/sa.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto b = load_or_create_sa_key(dir.path());
  EXPECT_EQ(a.private_pem, b.private_pem);
  std::filesystem::remove(dir.path() + "/pki/sa.pub");
  auto c = load_or_create_sa_key(dir.path());
  EXPECT_EQ(c.public_pem, a.public_pem);
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/pki/sa.pub"));
  std::ofstream(dir.path() + "/pki/sa.key") << "garbage";
  EXPECT_THROW(load_or_create_sa_key(dir.path()), std::runtime_error);
}

}  // namespace
}  // namespace skiff::pki
