// The cluster PKI on OpenSSL 3: ECDSA P-256 keys, a self-signed CA, serving and client
// certificates signed by it, the server's pki/ directory on disk, kubeconfig files, the kubeadm
// CA pin and the host's addresses. Every OpenSSL object lives in a unique_ptr with its free
// function, so an error path (thrown std::runtime_error) leaks nothing.
#include "pki/pki.h"
#include "pki/pki_files.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

namespace skiff::pki {
namespace {

template <typename T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;
using NamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES, GENERAL_NAMES_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;

constexpr int kRenewBeforeDays = 30;

// Throws with the text of OpenSSL's error queue (and clears it).
[[noreturn]] void fail(const std::string& what) {
  std::string msg = "pki: " + what;
  unsigned long e;
  char buf[256];
  bool first = true;
  while ((e = ERR_get_error()) != 0) {
    ERR_error_string_n(e, buf, sizeof buf);
    msg += first ? ": " : "; ";
    msg += buf;
    first = false;
  }
  throw std::runtime_error(msg);
}

PkeyPtr new_key() {
  PkeyPtr k(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!k) fail("generating an EC P-256 key");
  return k;
}

std::string bio_string(BIO* b) {
  char* data = nullptr;
  long n = BIO_get_mem_data(b, &data);
  return std::string(data, static_cast<size_t>(n));
}

std::string key_to_pem(EVP_PKEY* k) {
  BioPtr b(BIO_new(BIO_s_mem()));
  if (!b || PEM_write_bio_PrivateKey(b.get(), k, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    fail("encoding a private key");
  return bio_string(b.get());
}

std::string cert_to_pem(X509* c) {
  BioPtr b(BIO_new(BIO_s_mem()));
  if (!b || PEM_write_bio_X509(b.get(), c) != 1) fail("encoding a certificate");
  return bio_string(b.get());
}

X509Ptr cert_from_pem(const std::string& pem) {
  BioPtr b(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509Ptr c(b ? PEM_read_bio_X509(b.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!c) fail("parsing a PEM certificate");
  return c;
}

PkeyPtr key_from_pem(const std::string& pem) {
  BioPtr b(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr k(b ? PEM_read_bio_PrivateKey(b.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!k) fail("parsing a PEM private key");
  return k;
}

void add_name_entry(X509_NAME* name, const char* field, const std::string& value) {
  if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                 0) != 1)
    fail(std::string("setting subject ") + field + "=" + value);
}

// Adds an extension given in OpenSSL's config syntax ("critical,CA:TRUE", "hash", ...).
void add_ext(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  ExtPtr ext(X509V3_EXT_nconf_nid(nullptr, ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1)
    fail(std::string("adding extension ") + OBJ_nid2sn(nid) + "=" + value);
}

// A fresh certificate with version 3, a random positive 127-bit serial, and a validity window
// starting an hour ago (tolerates clock skew between nodes).
X509Ptr new_cert(EVP_PKEY* pub, int days) {
  X509Ptr c(X509_new());
  if (!c || X509_set_version(c.get(), 2) != 1) fail("allocating a certificate");
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) fail("random serial");
  serial[0] &= 0x7f;
  serial[0] |= 0x01;  // non-zero, positive
  BnPtr bn(BN_bin2bn(serial, sizeof serial, nullptr));
  if (!bn || !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(c.get()))) fail("setting serial");
  if (!X509_gmtime_adj(X509_getm_notBefore(c.get()), -3600) ||
      !X509_gmtime_adj(X509_getm_notAfter(c.get()), static_cast<long>(days) * 86400))
    fail("setting validity");
  if (X509_set_pubkey(c.get(), pub) != 1) fail("setting public key");
  return c;
}

void sign(X509* cert, EVP_PKEY* key) {
  if (X509_sign(cert, key, EVP_sha256()) <= 0) fail("signing a certificate");
}

// A leaf certificate signed by `ca`: subject from `subject_fields` (field, value) in order.
CertKey make_leaf(const CertKey& ca, const std::vector<std::pair<const char*, std::string>>& subj,
                  const char* eku, const NamesPtr& sans, int days) {
  X509Ptr ca_cert = cert_from_pem(ca.cert_pem);
  PkeyPtr ca_key = key_from_pem(ca.key_pem);
  PkeyPtr key = new_key();
  X509Ptr c = new_cert(key.get(), days);
  X509_NAME* name = X509_get_subject_name(c.get());
  for (const auto& [field, value] : subj) add_name_entry(name, field, value);
  if (X509_set_issuer_name(c.get(), X509_get_subject_name(ca_cert.get())) != 1)
    fail("setting issuer");
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, ca_cert.get(), c.get(), nullptr, nullptr, 0);
  add_ext(c.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE");
  add_ext(c.get(), &ctx, NID_key_usage, "critical,digitalSignature,keyEncipherment");
  add_ext(c.get(), &ctx, NID_ext_key_usage, eku);
  add_ext(c.get(), &ctx, NID_subject_key_identifier, "hash");
  add_ext(c.get(), &ctx, NID_authority_key_identifier, "keyid:always");
  if (sans && sk_GENERAL_NAME_num(sans.get()) > 0 &&
      X509_add1_ext_i2d(c.get(), NID_subject_alt_name, sans.get(), 0, X509V3_ADD_DEFAULT) != 1)
    fail("adding subjectAltName");
  sign(c.get(), ca_key.get());
  return {cert_to_pem(c.get()), key_to_pem(key.get())};
}

}  // namespace

// ---- files (pki_files.h) ----

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Writes `data` to `path` with `mode` atomically: a temp file in the same directory, fsync,
// rename. A crash leaves either the old file or the new one, never half of one.
void write_file_atomic(const std::string& path, const std::string& data, mode_t mode) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) throw std::runtime_error("write " + tmp + ": " + std::strerror(errno));
  ::fchmod(fd, mode);  // the umask may have narrowed or O_CREAT kept an old mode
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw std::runtime_error("write " + tmp + ": " + std::strerror(err));
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw std::runtime_error("write " + tmp + ": " + std::strerror(err));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw std::runtime_error("rename " + tmp + " -> " + path + ": " + std::strerror(err));
  }
}

namespace {
bool file_exists(const std::string& p) { return std::filesystem::exists(p); }

// Loads DIR/NAME.{crt,key}; returns false when both are missing, throws when only one is.
bool load_pair(const std::string& dir, const std::string& name, CertKey& out) {
  std::string crt = dir + "/" + name + ".crt", key = dir + "/" + name + ".key";
  bool have_crt = file_exists(crt), have_key = file_exists(key);
  if (!have_crt && !have_key) return false;
  if (have_crt != have_key)
    throw std::runtime_error("pki: " + (have_crt ? key : crt) + " is missing but " +
                             (have_crt ? crt : key) + " exists; restore it or remove both");
  out.cert_pem = read_file(crt);
  out.key_pem = read_file(key);
  return true;
}

void save_pair(const std::string& dir, const std::string& name, const CertKey& ck) {
  write_file_atomic(dir + "/" + name + ".key", ck.key_pem, 0600);
  write_file_atomic(dir + "/" + name + ".crt", ck.cert_pem, 0644);
}

// A usable leaf: parses, its key matches, it is signed by `ca_cert` and is valid for at least
// kRenewBeforeDays more days.
bool leaf_ok(const CertKey& ck, X509* ca_cert) {
  try {
    X509Ptr c = cert_from_pem(ck.cert_pem);
    PkeyPtr k = key_from_pem(ck.key_pem);
    if (X509_check_private_key(c.get(), k.get()) != 1) return false;
    EVP_PKEY* ca_pub = X509_get0_pubkey(ca_cert);
    if (!ca_pub || X509_verify(c.get(), ca_pub) != 1) return false;
    time_t renew_at = std::time(nullptr) + static_cast<time_t>(kRenewBeforeDays) * 86400;
    if (X509_cmp_time(X509_get0_notAfter(c.get()), &renew_at) < 0) return false;
    return true;
  } catch (const std::exception&) {
    ERR_clear_error();
    return false;
  }
}

bool has_sans(const std::string& cert_pem, const std::vector<std::string>& dns,
              const std::vector<std::string>& ips) {
  X509Ptr c = cert_from_pem(cert_pem);
  for (const auto& d : dns)
    if (X509_check_host(c.get(), d.c_str(), d.size(), X509_CHECK_FLAG_NEVER_CHECK_SUBJECT |
                                                          X509_CHECK_FLAG_NO_WILDCARDS,
                        nullptr) != 1)
      return false;
  for (const auto& ip : ips)
    if (X509_check_ip_asc(c.get(), ip.c_str(), 0) != 1) return false;
  return true;
}

std::string base64(const std::string& in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

// A YAML double-quoted scalar (JSON escaping is valid YAML).
std::string yq(const std::string& s) {
  std::string out = "\"";
  for (unsigned char ch : s) {
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += static_cast<char>(ch);
    } else if (ch < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", ch);
      out += buf;
    } else {
      out += static_cast<char>(ch);
    }
  }
  return out + "\"";
}

}  // namespace

CertKey make_ca(const std::string& common_name, int days) {
  PkeyPtr key = new_key();
  X509Ptr c = new_cert(key.get(), days);
  add_name_entry(X509_get_subject_name(c.get()), "CN", common_name);
  if (X509_set_issuer_name(c.get(), X509_get_subject_name(c.get())) != 1) fail("setting issuer");
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, c.get(), c.get(), nullptr, nullptr, 0);
  add_ext(c.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE");
  add_ext(c.get(), &ctx, NID_key_usage, "critical,digitalSignature,keyCertSign,cRLSign");
  add_ext(c.get(), &ctx, NID_subject_key_identifier, "hash");
  sign(c.get(), key.get());
  return {cert_to_pem(c.get()), key_to_pem(key.get())};
}

CertKey make_serving_cert(const CertKey& ca, const std::string& common_name,
                          const std::vector<std::string>& dns_names,
                          const std::vector<std::string>& ip_addresses, int days) {
  NamesPtr sans(sk_GENERAL_NAME_new_null());
  if (!sans) fail("allocating SANs");
  for (const auto& d : dns_names) {
    GENERAL_NAME* gn = GENERAL_NAME_new();
    ASN1_IA5STRING* s = ASN1_IA5STRING_new();
    if (!gn || !s || ASN1_STRING_set(s, d.data(), static_cast<int>(d.size())) != 1) {
      GENERAL_NAME_free(gn);
      ASN1_IA5STRING_free(s);
      fail("SAN DNS:" + d);
    }
    GENERAL_NAME_set0_value(gn, GEN_DNS, s);
    sk_GENERAL_NAME_push(sans.get(), gn);
  }
  for (const auto& ip : ip_addresses) {
    ASN1_OCTET_STRING* os = a2i_IPADDRESS(ip.c_str());  // v4 or v6 text
    if (!os) {
      ERR_clear_error();
      throw std::runtime_error("pki: not an IP address: " + ip);
    }
    GENERAL_NAME* gn = GENERAL_NAME_new();
    if (!gn) {
      ASN1_OCTET_STRING_free(os);
      fail("SAN IP:" + ip);
    }
    GENERAL_NAME_set0_value(gn, GEN_IPADD, os);
    sk_GENERAL_NAME_push(sans.get(), gn);
  }
  return make_leaf(ca, {{"CN", common_name}}, "serverAuth", sans, days);
}

CertKey make_client_cert(const CertKey& ca, const std::string& common_name,
                         const std::vector<std::string>& organizations, int days) {
  std::vector<std::pair<const char*, std::string>> subj;
  for (const auto& o : organizations) subj.emplace_back("O", o);
  subj.emplace_back("CN", common_name);
  return make_leaf(ca, subj, "clientAuth", NamesPtr(), days);
}

ServerPki load_or_create_server_pki(const std::string& data_dir,
                                    const std::vector<std::string>& dns_names,
                                    const std::vector<std::string>& ip_addresses) {
  namespace fs = std::filesystem;
  std::string dir = data_dir + "/pki";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error("pki: create " + dir + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);

  ServerPki p;
  if (!load_pair(dir, "ca", p.ca)) {
    p.ca = make_ca("skiff-ca");
    save_pair(dir, "ca", p.ca);
  }
  X509Ptr ca_cert = cert_from_pem(p.ca.cert_pem);
  {
    PkeyPtr ca_key = key_from_pem(p.ca.key_pem);
    if (X509_check_private_key(ca_cert.get(), ca_key.get()) != 1)
      fail(dir + "/ca.key does not match ca.crt");
  }

  bool have = load_pair(dir, "apiserver", p.serving);
  if (!have || !leaf_ok(p.serving, ca_cert.get()) ||
      !has_sans(p.serving.cert_pem, dns_names, ip_addresses)) {
    p.serving = make_serving_cert(p.ca, "kube-apiserver", dns_names, ip_addresses);
    save_pair(dir, "apiserver", p.serving);
  }
  have = load_pair(dir, "admin", p.admin);
  if (!have || !leaf_ok(p.admin, ca_cert.get())) {
    p.admin = make_client_cert(p.ca, "kubernetes-admin", {"system:masters"});
    save_pair(dir, "admin", p.admin);
  }
  have = load_pair(dir, "apiserver-kubelet-client", p.kubelet_client);
  if (!have || !leaf_ok(p.kubelet_client, ca_cert.get())) {
    p.kubelet_client = make_client_cert(p.ca, "kube-apiserver-kubelet-client", {"system:masters"});
    save_pair(dir, "apiserver-kubelet-client", p.kubelet_client);
  }
  return p;
}

void write_kubeconfig(const std::string& path, const std::string& server_url,
                      const std::string& ca_pem, const CertKey& client,
                      const std::string& user_name, const std::string& cluster_name) {
  std::string context = user_name + "@" + cluster_name;
  std::ostringstream y;
  y << "apiVersion: v1\n"
    << "kind: Config\n"
    << "clusters:\n"
    << "- name: " << yq(cluster_name) << "\n"
    << "  cluster:\n"
    << "    server: " << yq(server_url) << "\n"
    << "    certificate-authority-data: " << base64(ca_pem) << "\n"
    << "contexts:\n"
    << "- name: " << yq(context) << "\n"
    << "  context:\n"
    << "    cluster: " << yq(cluster_name) << "\n"
    << "    user: " << yq(user_name) << "\n"
    << "current-context: " << yq(context) << "\n"
    << "preferences: {}\n"
    << "users:\n"
    << "- name: " << yq(user_name) << "\n"
    << "  user:\n"
    << "    client-certificate-data: " << base64(client.cert_pem) << "\n"
    << "    client-key-data: " << base64(client.key_pem) << "\n";
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) throw std::runtime_error("kubeconfig: create " + parent.string() + ": " + ec.message());
  }
  write_file_atomic(path, y.str(), 0600);
}

std::string spki_pin(const std::string& cert_pem) {
  X509Ptr c = cert_from_pem(cert_pem);
  unsigned char* der = nullptr;
  int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(c.get()), &der);
  if (n <= 0) fail("encoding SubjectPublicKeyInfo");
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  int ok = EVP_Digest(der, static_cast<size_t>(n), md, &md_len, EVP_sha256(), nullptr);
  OPENSSL_free(der);
  if (ok != 1) fail("sha256");
  static const char* hex = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned i = 0; i < md_len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

std::vector<std::string> host_addresses() {
  std::vector<std::string> v4, v6;
  ifaddrs* ifs = nullptr;
  if (::getifaddrs(&ifs) != 0) return {};
  for (ifaddrs* i = ifs; i; i = i->ifa_next) {
    if (!i->ifa_addr || !(i->ifa_flags & IFF_UP) || (i->ifa_flags & IFF_LOOPBACK)) continue;
    char buf[INET6_ADDRSTRLEN] = {};
    if (i->ifa_addr->sa_family == AF_INET) {
      auto* a = reinterpret_cast<sockaddr_in*>(i->ifa_addr);
      uint32_t h = ntohl(a->sin_addr.s_addr);
      if ((h >> 24) == 127 || (h >> 16) == 0xa9fe) continue;  // loopback, link-local
      if (::inet_ntop(AF_INET, &a->sin_addr, buf, sizeof buf)) v4.emplace_back(buf);
    } else if (i->ifa_addr->sa_family == AF_INET6) {
      auto* a = reinterpret_cast<sockaddr_in6*>(i->ifa_addr);
      const in6_addr& ad = a->sin6_addr;
      if (IN6_IS_ADDR_LOOPBACK(&ad) || IN6_IS_ADDR_LINKLOCAL(&ad) || IN6_IS_ADDR_MULTICAST(&ad) ||
          IN6_IS_ADDR_UNSPECIFIED(&ad) || IN6_IS_ADDR_V4MAPPED(&ad))
        continue;
      if (::inet_ntop(AF_INET6, &ad, buf, sizeof buf)) v6.emplace_back(buf);
    }
  }
  ::freeifaddrs(ifs);
  std::vector<std::string> out;
  for (auto* list : {&v4, &v6})
    for (auto& a : *list)
      if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
  return out;
}

}  // namespace skiff::pki
