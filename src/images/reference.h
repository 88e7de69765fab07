// Image references, parsed and normalized as Docker does (distribution/reference):
// `nginx` -> `docker.io/library/nginx:latest`, `host:5000/a/b@sha256:...`, name:tag@digest.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace skiff::images {

inline constexpr std::string_view kDefaultDomain = "docker.io";

struct Reference {
  std::string domain;  // "docker.io", "registry.example.com:5000", "[::1]:5000"
  std::string path;    // "library/nginx"
  std::string tag;     // empty when the reference has only a digest
  std::string digest;  // "sha256:<64 hex>", or empty

  // "docker.io/library/nginx"
  std::string name() const { return domain + "/" + path; }
  // The normalized string: name[:tag][@digest].
  std::string str() const;
  // Tag when present, else digest: what to ask the registry's manifest endpoint for.
  std::string manifest_ref() const { return digest.empty() ? tag : digest; }
};

// Parses and normalizes `s`: adds docker.io and library/ like Docker, and the tag "latest" when
// there is neither a tag nor a digest. On invalid input returns nullopt with *err saying why.
std::optional<Reference> parse_reference(std::string_view s, std::string* err = nullptr);

// True for "sha256:<64 lowercase hex>" (the only algorithm the store accepts).
bool valid_digest(std::string_view d);

}  // namespace skiff::images
