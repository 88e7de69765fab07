// RS256 JSON Web Tokens on OpenSSL 3 (see jwt.h), and the service-account key files.
#include "pki/jwt.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <filesystem>
#include <stdexcept>

#include "common/base64.h"
#include "pki/pki_files.h"

namespace skiff::pki {

struct KeyHolder {
  EVP_PKEY* key = nullptr;
  ~KeyHolder() { EVP_PKEY_free(key); }
};

namespace {
using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free_all)>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

std::string bio_string(BIO* b) {
  char* data = nullptr;
  long n = BIO_get_mem_data(b, &data);
  return std::string(data, static_cast<size_t>(n));
}

std::string public_pem_of(EVP_PKEY* k) {
  BioPtr b(BIO_new(BIO_s_mem()), BIO_free_all);
  if (!b || PEM_write_bio_PUBKEY(b.get(), k) != 1) throw std::runtime_error("jwt: encoding a public key");
  return bio_string(b.get());
}

std::string private_pem_of(EVP_PKEY* k) {
  BioPtr b(BIO_new(BIO_s_mem()), BIO_free_all);
  if (!b || PEM_write_bio_PrivateKey(b.get(), k, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    throw std::runtime_error("jwt: encoding a private key");
  return bio_string(b.get());
}

// An RSA key from PEM, private or public; nullptr when it does not parse or is not RSA.
std::unique_ptr<KeyHolder> parse_rsa(const std::string& pem, bool priv) {
  BioPtr b(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free_all);
  auto h = std::make_unique<KeyHolder>();
  if (b)
    h->key = priv ? PEM_read_bio_PrivateKey(b.get(), nullptr, nullptr, nullptr)
                  : PEM_read_bio_PUBKEY(b.get(), nullptr, nullptr, nullptr);
  ERR_clear_error();
  if (!h->key || EVP_PKEY_get_base_id(h->key) != EVP_PKEY_RSA) return nullptr;
  return h;
}

std::string digest_sha256(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(data.data(), data.size(), md, &n, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("jwt: sha256");
  return std::string(reinterpret_cast<char*>(md), n);
}

bool has_audience(const json::object& claims, const std::vector<std::string>& want) {
  const json::value* aud = claims.if_contains("aud");
  if (!aud) return false;
  auto match = [&](const json::value& v) {
    if (!v.is_string()) return false;
    for (const auto& w : want)
      if (v.get_string() == w) return true;
    return false;
  };
  if (aud->is_string()) return match(*aud);
  if (aud->is_array())
    for (const auto& v : aud->get_array())
      if (match(v)) return true;
  return false;
}

// A NumericDate claim; absent is nullopt, present and not a number is an error.
Result<std::optional<int64_t>> numeric_date(const json::object& c, std::string_view name) {
  const json::value* v = c.if_contains(name);
  if (!v) return std::optional<int64_t>{};
  if (v->is_int64()) return std::optional<int64_t>{v->get_int64()};
  if (v->is_uint64()) return std::optional<int64_t>{static_cast<int64_t>(v->get_uint64())};
  if (v->is_double()) return std::optional<int64_t>{static_cast<int64_t>(v->get_double())};
  return ApiError::unauthorized("invalid bearer token: claim " + std::string(name) +
                                " is not a number");
}
}  // namespace

std::string base64url_encode(std::string_view in) {
  std::string s = base64_encode(in);
  while (!s.empty() && s.back() == '=') s.pop_back();
  for (char& c : s) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return s;
}

std::optional<std::string> base64url_decode(std::string_view in) {
  std::string s(in);
  for (char c : s)
    if (c == '+' || c == '/' || c == '=') return std::nullopt;  // not the URL alphabet
  for (char& c : s) c = c == '-' ? '+' : c == '_' ? '/' : c;
  if (s.size() % 4 == 1) return std::nullopt;
  while (s.size() % 4) s += '=';
  return base64_decode(s);
}

bool looks_like_jwt(std::string_view token) {
  auto first = token.find('.');
  if (first == std::string_view::npos) return false;
  auto second = token.find('.', first + 1);
  return second != std::string_view::npos && token.find('.', second + 1) == std::string_view::npos;
}

RsaKeyPem make_rsa_key() {
  std::unique_ptr<KeyHolder> h = std::make_unique<KeyHolder>();
  h->key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048));
  if (!h->key) throw std::runtime_error("jwt: generating an RSA-2048 key");
  return {private_pem_of(h->key), public_pem_of(h->key)};
}

RsaKeyPem load_or_create_sa_key(const std::string& data_dir) {
  const std::string dir = data_dir + "/pki", key = dir + "/sa.key", pub = dir + "/sa.pub";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error("pki: create " + dir + ": " + ec.message());
  RsaKeyPem out;
  if (std::filesystem::exists(key)) {
    out.private_pem = read_file(key);
    auto h = parse_rsa(out.private_pem, true);
    if (!h)
      throw std::runtime_error("pki: " + key + " is not an RSA private key; restore it or "
                               "remove it (every service-account token issued so far stops "
                               "working)");
    out.public_pem = public_pem_of(h->key);
  } else {
    out = make_rsa_key();
    write_file_atomic(key, out.private_pem, 0600);
  }
  // sa.pub always follows sa.key (other verifiers read it).
  if (read_file(pub) != out.public_pem) write_file_atomic(pub, out.public_pem, 0644);
  return out;
}

JwtSigner::JwtSigner(const std::string& private_pem) : key_(parse_rsa(private_pem, true)) {
  if (!key_) throw std::invalid_argument("jwt: not an RSA private key");
  unsigned char* der = nullptr;
  int n = i2d_PUBKEY(key_->key, &der);
  if (n <= 0) throw std::runtime_error("jwt: encoding the public key");
  std::string d(reinterpret_cast<char*>(der), static_cast<size_t>(n));
  OPENSSL_free(der);
  kid_ = base64url_encode(digest_sha256(d));
}
JwtSigner::~JwtSigner() = default;

std::string JwtSigner::sign(const json::object& claims) const {
  json::object header{{"alg", "RS256"}, {"kid", kid_}};
  std::string input = base64url_encode(json::serialize(header)) + "." +
                      base64url_encode(json::serialize(claims));
  MdCtxPtr ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_->key) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1)
    throw std::runtime_error("jwt: signing");
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1)
    throw std::runtime_error("jwt: signing");
  sig.resize(len);
  return input + "." + base64url_encode(sig);
}

JwtVerifier::JwtVerifier(const std::string& public_pem) : key_(parse_rsa(public_pem, false)) {
  if (!key_) throw std::invalid_argument("jwt: not an RSA public key");
}
JwtVerifier::~JwtVerifier() = default;

Result<json::object> JwtVerifier::verify(std::string_view token, const VerifyOptions& opts) const {
  auto bad = [](const std::string& why) { return ApiError::unauthorized("invalid bearer token, " + why); };
  if (!looks_like_jwt(token)) return bad("not a JSON Web Token");
  auto d1 = token.find('.'), d2 = token.rfind('.');
  auto header_text = base64url_decode(token.substr(0, d1));
  auto claims_text = base64url_decode(token.substr(d1 + 1, d2 - d1 - 1));
  auto sig = base64url_decode(token.substr(d2 + 1));
  if (!header_text || !claims_text || !sig) return bad("malformed base64url");
  json::value header, claims;
  std::string err;
  if (!parse_json(*header_text, header, err) || !header.is_object())
    return bad("malformed header");
  // The algorithm is fixed before the key is used: "none" or a symmetric alg naming our public
  // key as its secret never reaches the signature check.
  if (get_string(header.get_object(), {"alg"}) != "RS256")
    return bad("unexpected signing algorithm \"" + get_string(header.get_object(), {"alg"}) + "\"");
  MdCtxPtr ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::string_view input = token.substr(0, d2);
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_->key) != 1 ||
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig->data()), sig->size(),
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    ERR_clear_error();
    return bad("signature does not verify");
  }
  if (!parse_json(*claims_text, claims, err) || !claims.is_object()) return bad("malformed claims");
  const json::object& c = claims.get_object();
  if (get_string(c, {"iss"}) != opts.issuer) return bad("unexpected issuer");
  if (!has_audience(c, opts.audiences)) return bad("token audiences do not match");
  auto exp = numeric_date(c, "exp");
  if (!exp) return exp.error();
  if (!*exp) return bad("no expiration");
  if (opts.now > **exp + opts.leeway) return ApiError::unauthorized("invalid bearer token, Token has expired.");
  auto nbf = numeric_date(c, "nbf");
  if (!nbf) return nbf.error();
  if (*nbf && opts.now + opts.leeway < **nbf) return bad("token is not valid yet");
  return std::move(claims.get_object());
}

}  // namespace skiff::pki
