// Tests for pki/: certificates verify against their CA with OpenSSL's own verifier and carry the
// SANs / subject fields asked for; the server PKI dir survives a restart; kubeconfigs are private
// and accepted by the real kubectl (when installed).
#include "pki/pki.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "support/temp_dir.h"

namespace skiff::pki {
namespace {
using testing::TempDir;

namespace fs = std::filesystem;

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

X509Ptr parse(const std::string& pem) {
  BIO* b = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* x = PEM_read_bio_X509(b, nullptr, nullptr, nullptr);
  BIO_free(b);
  return X509Ptr(x);
}

// X509_verify_cert of `leaf` against `ca` for `purpose` (X509_PURPOSE_SSL_SERVER/CLIENT).
int verify(const std::string& ca_pem, const std::string& leaf_pem, int purpose) {
  X509Ptr ca = parse(ca_pem), leaf = parse(leaf_pem);
  if (!ca || !leaf) return -1;
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca.get());
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf.get(), nullptr);
  X509_STORE_CTX_set_purpose(ctx, purpose);
  int ok = X509_verify_cert(ctx);
  int err = X509_STORE_CTX_get_error(ctx);
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return ok == 1 ? 0 : err;
}

std::vector<std::string> subject_fields(X509* x, int nid) {
  std::vector<std::string> out;
  X509_NAME* n = X509_get_subject_name(x);
  for (int i = -1; (i = X509_NAME_get_index_by_NID(n, nid, i)) >= 0;) {
    ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i));
    out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     ASN1_STRING_length(s));
  }
  return out;
}

std::string run(const std::string& cmd, int* status = nullptr) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int st = ::pclose(p);
  if (status) *status = st;
  return out;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}


TEST(Pki, CaIsSelfSignedCa) {
  CertKey ca = make_ca("test-ca");
  X509Ptr x = parse(ca.cert_pem);
  ASSERT_TRUE(x);
  EXPECT_EQ(X509_check_ca(x.get()), 1);
  EXPECT_EQ(X509_check_issued(x.get(), x.get()), X509_V_OK);
  EXPECT_NE(X509_get0_subject_key_id(x.get()), nullptr);
  EXPECT_EQ(subject_fields(x.get(), NID_commonName), std::vector<std::string>{"test-ca"});
  EXPECT_EQ(X509_get_key_usage(x.get()) & (KU_KEY_CERT_SIGN | KU_CRL_SIGN),
            static_cast<uint32_t>(KU_KEY_CERT_SIGN | KU_CRL_SIGN));
  EXPECT_NE(ca.key_pem.find("PRIVATE KEY"), std::string::npos);
}

TEST(Pki, ServingCertVerifiesAndHasSans) {
  CertKey ca = make_ca("test-ca");
  CertKey s = make_serving_cert(ca, "kube-apiserver", {"localhost", "kubernetes.default.svc"},
                                {"127.0.0.1", "10.96.0.1", "::1", "fd00::5"});
  EXPECT_EQ(verify(ca.cert_pem, s.cert_pem, X509_PURPOSE_SSL_SERVER), 0);
  X509Ptr x = parse(s.cert_pem);
  ASSERT_TRUE(x);
  for (const char* host : {"localhost", "kubernetes.default.svc"})
    EXPECT_EQ(X509_check_host(x.get(), host, 0, X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, nullptr), 1)
        << host;
  EXPECT_NE(X509_check_host(x.get(), "example.com", 0, 0, nullptr), 1);
  for (const char* ip : {"127.0.0.1", "10.96.0.1", "::1", "fd00::5"})
    EXPECT_EQ(X509_check_ip_asc(x.get(), ip, 0), 1) << ip;
  EXPECT_NE(X509_check_ip_asc(x.get(), "10.0.0.9", 0), 1);
  EXPECT_NE(X509_get0_authority_key_id(x.get()), nullptr);
  EXPECT_EQ(X509_check_ca(x.get()), 0);
  EXPECT_TRUE(X509_get_extended_key_usage(x.get()) & XKU_SSL_SERVER);

  // A different CA does not verify it.
  CertKey other = make_ca("other");
  EXPECT_NE(verify(other.cert_pem, s.cert_pem, X509_PURPOSE_SSL_SERVER), 0);

  // Serials are random.
  CertKey s2 = make_serving_cert(ca, "kube-apiserver", {"localhost"}, {});
  X509Ptr x2 = parse(s2.cert_pem);
  EXPECT_NE(ASN1_INTEGER_cmp(X509_get0_serialNumber(x.get()), X509_get0_serialNumber(x2.get())),
            0);
}

TEST(Pki, ClientCertSubject) {
  CertKey ca = make_ca("test-ca");
  CertKey c = make_client_cert(ca, "jane", {"devs", "system:masters"});
  EXPECT_EQ(verify(ca.cert_pem, c.cert_pem, X509_PURPOSE_SSL_CLIENT), 0);
  X509Ptr x = parse(c.cert_pem);
  ASSERT_TRUE(x);
  EXPECT_EQ(subject_fields(x.get(), NID_commonName), std::vector<std::string>{"jane"});
  EXPECT_EQ(subject_fields(x.get(), NID_organizationName),
            (std::vector<std::string>{"devs", "system:masters"}));
  EXPECT_TRUE(X509_get_extended_key_usage(x.get()) & XKU_SSL_CLIENT);
}

TEST(Pki, BadIpAddressThrows) {
  CertKey ca = make_ca("test-ca");
  EXPECT_THROW(make_serving_cert(ca, "x", {}, {"not-an-ip"}), std::runtime_error);
}

TEST(Pki, ServerPkiFilesAndReload) {
  TempDir tmp;
  ServerPki a = load_or_create_server_pki(tmp.path(), {"localhost"}, {"127.0.0.1"});
  std::string dir = tmp.path() + "/pki";
  struct stat st;
  ASSERT_EQ(::stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  for (const char* f : {"ca", "apiserver", "admin"}) {
    ASSERT_EQ(::stat((dir + "/" + f + ".key").c_str(), &st), 0) << f;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << f;
    ASSERT_EQ(::stat((dir + "/" + f + ".crt").c_str(), &st), 0) << f;
  }
  EXPECT_EQ(slurp(dir + "/ca.crt"), a.ca.cert_pem);
  EXPECT_EQ(verify(a.ca.cert_pem, a.serving.cert_pem, X509_PURPOSE_SSL_SERVER), 0);
  EXPECT_EQ(verify(a.ca.cert_pem, a.admin.cert_pem, X509_PURPOSE_SSL_CLIENT), 0);
  X509Ptr admin = parse(a.admin.cert_pem);
  EXPECT_EQ(subject_fields(admin.get(), NID_commonName),
            std::vector<std::string>{"kubernetes-admin"});
  EXPECT_EQ(subject_fields(admin.get(), NID_organizationName),
            std::vector<std::string>{"system:masters"});

  // Same SANs: everything is kept.
  ServerPki b = load_or_create_server_pki(tmp.path(), {"localhost"}, {"127.0.0.1"});
  EXPECT_EQ(b.ca.cert_pem, a.ca.cert_pem);
  EXPECT_EQ(b.ca.key_pem, a.ca.key_pem);
  EXPECT_EQ(b.serving.cert_pem, a.serving.cert_pem);
  EXPECT_EQ(b.admin.cert_pem, a.admin.cert_pem);

  // A new SAN remakes only the serving certificate, under the same CA.
  ServerPki c = load_or_create_server_pki(tmp.path(), {"localhost", "api.example"},
                                          {"127.0.0.1", "::1"});
  EXPECT_EQ(c.ca.cert_pem, a.ca.cert_pem);
  EXPECT_EQ(c.admin.cert_pem, a.admin.cert_pem);
  EXPECT_NE(c.serving.cert_pem, a.serving.cert_pem);
  X509Ptr sc = parse(c.serving.cert_pem);
  EXPECT_EQ(X509_check_host(sc.get(), "api.example", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(sc.get(), "::1", 0), 1);
  EXPECT_EQ(slurp(dir + "/apiserver.crt"), c.serving.cert_pem);

  // A soon-expiring serving certificate is remade.
  CertKey short_lived = make_serving_cert(c.ca, "kube-apiserver", {"localhost"}, {"127.0.0.1"}, 5);
  std::ofstream(dir + "/apiserver.crt") << short_lived.cert_pem;
  std::ofstream(dir + "/apiserver.key") << short_lived.key_pem;
  ServerPki d = load_or_create_server_pki(tmp.path(), {"localhost"}, {"127.0.0.1"});
  EXPECT_NE(d.serving.cert_pem, short_lived.cert_pem);
  EXPECT_EQ(d.ca.cert_pem, a.ca.cert_pem);

  // Half a pair is an error, not a silent new CA.
  fs::remove(dir + "/ca.key");
  EXPECT_THROW(load_or_create_server_pki(tmp.path(), {"localhost"}, {}), std::runtime_error);
}

TEST(Pki, OpensslCliVerifies) {
  if (::access("/usr/bin/openssl", X_OK) != 0) GTEST_SKIP() << "no openssl CLI";
  TempDir tmp;
  ServerPki p = load_or_create_server_pki(tmp.path(), {"localhost"}, {"127.0.0.1"});
  std::string dir = tmp.path() + "/pki";
  int st = -1;
  std::string out = run("openssl verify -CAfile " + dir + "/ca.crt -purpose sslserver " + dir +
                            "/apiserver.crt 2>&1",
                        &st);
  EXPECT_EQ(st, 0) << out;
  EXPECT_NE(out.find("apiserver.crt: OK"), std::string::npos) << out;
  out = run("openssl verify -CAfile " + dir + "/ca.crt -purpose sslclient " + dir +
                "/admin.crt 2>&1",
            &st);
  EXPECT_EQ(st, 0) << out;
}

TEST(Pki, SpkiPin) {
  CertKey ca = make_ca("test-ca");
  std::string pin = spki_pin(ca.cert_pem);
  ASSERT_EQ(pin.size(), 7u + 64u);
  EXPECT_EQ(pin.substr(0, 7), "sha256:");
  EXPECT_EQ(pin, spki_pin(ca.cert_pem));
  EXPECT_NE(pin, spki_pin(make_ca("test-ca").cert_pem));
  if (::access("/usr/bin/openssl", X_OK) == 0) {
    // kubeadm's documented recipe for the discovery hash.
    TempDir tmp;
    std::string f = tmp.path() + "/ca.crt";
    std::ofstream(f) << ca.cert_pem;
    std::string out = run("openssl x509 -pubkey -in " + f +
                          " | openssl pkey -pubin -outform der | openssl dgst -sha256 -hex");
    EXPECT_NE(out.find(pin.substr(7)), std::string::npos) << out;
  }
}

TEST(Pki, KubeconfigModeAndKubectl) {
  TempDir tmp;
  ServerPki p = load_or_create_server_pki(tmp.path(), {"localhost"}, {"127.0.0.1"});
  std::string path = tmp.path() + "/sub/admin.conf";
  ::umask(022);
  write_kubeconfig(path, "https://127.0.0.1:6443", p.ca.cert_pem, p.admin, "kubernetes-admin");
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::string text = slurp(path);
  EXPECT_NE(text.find("certificate-authority-data: "), std::string::npos);
  EXPECT_NE(text.find("current-context: "), std::string::npos);
  // Overwriting works and keeps the mode.
  write_kubeconfig(path, "https://[::1]:6443", p.ca.cert_pem, p.admin, "system:node:n1");
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  for (const auto& e : fs::directory_iterator(tmp.path() + "/sub"))
    EXPECT_EQ(e.path().filename(), "admin.conf");  // no temp files left

  if (::access("/usr/bin/kubectl", X_OK) != 0) GTEST_SKIP() << "no kubectl";
  int status = -1;
  std::string out = run("/usr/bin/kubectl --kubeconfig " + path + " config view --raw 2>&1", &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("server: https://[::1]:6443"), std::string::npos) << out;
  EXPECT_NE(out.find("system:node:n1"), std::string::npos) << out;
  out = run("/usr/bin/kubectl --kubeconfig " + path +
                " config view --raw -o jsonpath='{.users[0].user.client-key-data}' 2>&1",
            &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_FALSE(out.empty());
  out = run("/usr/bin/kubectl --kubeconfig " + path + " config current-context 2>&1", &status);
  EXPECT_EQ(out, "system:node:n1@skiff\n");
}

TEST(Pki, HostAddresses) {
  for (const auto& a : host_addresses()) {
    EXPECT_NE(a, "127.0.0.1");
    EXPECT_NE(a, "::1");
    EXPECT_NE(a.rfind("fe80", 0), 0u) << a;
  }
}

}  // namespace
}  // namespace skiff::pki
