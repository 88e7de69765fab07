// Private to src/images: the registry config (mirrors, credentials, TLS) and a client for the
// OCI distribution API that pulls an image's manifest and blobs into the content store.
#pragma once
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "images/images.h"
#include "images/reference.h"
#include "images/store.h"

namespace skiff::images {

struct RegistryHost {
  std::vector<std::string> mirrors;  // base URLs ("http://127.0.0.1:5000"), tried in order
  std::string endpoint;              // the registry's own base URL; empty = the default
  std::string username, password;    // for Basic auth and the Bearer token endpoint
  bool insecure_skip_verify = false;
  std::string ca_file;
};

// The registry config file (YAML, or JSON which is YAML too):
//   registries:
//     docker.io:
//       mirrors: ["http://127.0.0.1:5000"]
//       username: u
//       password: p
//     registry.example.com:5000:
//       endpoint: https://registry.example.com:5000
//       insecureSkipVerify: true
//       ca: /etc/skiff/registry-ca.pem
class RegistryConfig {
 public:
  // Throws ImageError(kIo) when the file is unreadable or malformed. An empty path is an
  // empty config.
  static RegistryConfig load(const std::string& path);
  const RegistryHost* find(const std::string& domain) const;
  // The base URLs to try for `domain`: mirrors, then the registry itself (docker.io is
  // https://registry-1.docker.io; localhost and loopback addresses use plain HTTP, like
  // Docker's default insecure registries; everything else HTTPS).
  std::vector<std::string> endpoints(const std::string& domain) const;

 private:
  std::map<std::string, RegistryHost> hosts_;
};

// Pulls `ref` for os/arch: fetches and verifies the manifest (resolving an index), then the
// config and layer blobs the store lacks. Returns the manifest digest; the caller commits the
// image. Throws ImageError (kNotFound, kUnauthorized, kRegistry, kBadContent, kIo).
std::string pull_blobs(ContentStore& store, const RegistryConfig& cfg, const Reference& ref,
                       const std::string& os, const std::string& arch, const ProgressFn& progress);

}  // namespace skiff::images
