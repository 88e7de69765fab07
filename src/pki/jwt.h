// Service-account tokens as upstream's: JSON Web Tokens (RFC 7519) signed with RS256 by the
// server's RSA key DATA/pki/sa.key (public half sa.pub), kept across restarts like the CA. This
// file is the only place that signs or verifies one; the API server mints them (TokenRequest)
// and authenticates bearer tokens with them.
//
// Verification refuses, each with its own message: a token that is not three base64url parts,
// a header whose alg is not RS256 (so "none" and HS256 are refused before any key is used), a
// bad signature, another issuer, no permitted audience, exp passed and nbf not reached (both
// with upstream's leeway of 60 s for clock skew), and claims that are not a JSON object.
//
// Thread safety: JwtSigner and JwtVerifier are immutable after construction; sign() and
// verify() may be called concurrently.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/api_error.h"
#include "common/json.h"

namespace skiff::pki {

struct RsaKeyPem {
  std::string private_pem;  // PKCS#8
  std::string public_pem;   // SubjectPublicKeyInfo
};

// A fresh RSA-2048 key pair.
RsaKeyPem make_rsa_key();
// DATA_DIR/pki/sa.key (0600) and sa.pub: loaded when present (sa.pub is rewritten from the key
// when missing), made otherwise. Throws std::runtime_error when sa.key does not parse.
RsaKeyPem load_or_create_sa_key(const std::string& data_dir);

struct KeyHolder;  // the parsed OpenSSL key (jwt.cc)

class JwtSigner {
 public:
  // Throws std::invalid_argument when the PEM is not an RSA private key.
  explicit JwtSigner(const std::string& private_pem);
  ~JwtSigner();
  // header {"alg":"RS256","kid":key_id()} . claims, signed.
  std::string sign(const json::object& claims) const;
  // Upstream's key id: base64url of the SHA-256 of the public key's DER.
  const std::string& key_id() const { return kid_; }

 private:
  std::unique_ptr<KeyHolder> key_;
  std::string kid_;
};

struct VerifyOptions {
  std::string issuer;                  // iss must equal it
  std::vector<std::string> audiences;  // aud (a string or a list) must contain one of them
  int64_t now = 0;                     // unix seconds
  int64_t leeway = 60;                 // seconds of clock skew tolerated for exp and nbf
};

class JwtVerifier {
 public:
  // Throws std::invalid_argument when the PEM is not an RSA public key.
  explicit JwtVerifier(const std::string& public_pem);
  ~JwtVerifier();
  // The claims of a valid token; 401 Unauthorized with the reason otherwise.
  Result<json::object> verify(std::string_view token, const VerifyOptions& opts) const;

 private:
  std::unique_ptr<KeyHolder> key_;
};

// RFC 4648 §5 without padding (JWT's encoding).
std::string base64url_encode(std::string_view in);
std::optional<std::string> base64url_decode(std::string_view in);

// True when the string looks like a JWT (three dot-separated parts): bearer tokens of other
// shapes are not ours to judge.
bool looks_like_jwt(std::string_view token);

}  // namespace skiff::pki
