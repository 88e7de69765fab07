// Config::from_kubeconfig: the server and credentials of a kubeconfig's current context.
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "client/client.h"
#include "client/http_conn.h"
#include "client/token_file.h"
#include "common/base64.h"

namespace skiff::client {
namespace {

bool read_whole_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

std::string scalar(const YAML::Node& n, const char* key) {
  if (!n || !n.IsMap()) return {};
  YAML::Node v = n[key];
  if (!v || !v.IsScalar()) return {};
  return v.as<std::string>();
}

// The `inner` map of the entry of `section` named `name` (clusters[].cluster, users[].user, ...).
YAML::Node find_named(const YAML::Node& root, const char* section, const char* inner,
                      const std::string& name) {
  YAML::Node list = root[section];
  if (!list || !list.IsSequence()) return YAML::Node();
  for (const auto& item : list) {
    if (scalar(item, "name") == name) return item[inner];
  }
  // A hand-written kubeconfig with one unnamed entry and no current context.
  if (name.empty() && list.size() == 1) return list[0][inner];
  return YAML::Node();
}

// `key-data` (base64 PEM) or `key` (a path, relative to the kubeconfig's directory).
bool credential(const YAML::Node& n, const std::string& key, const std::string& dir,
                std::string& out, std::string& err) {
  std::string data = scalar(n, (key + "-data").c_str());
  if (!data.empty()) {
    auto pem = base64_decode(data);
    if (!pem) {
      err = "invalid base64 in " + key + "-data";
      return false;
    }
    out = *pem;
    return true;
  }
  std::string file = scalar(n, key.c_str());
  if (!file.empty()) {
    std::filesystem::path p(file);
    if (p.is_relative() && !dir.empty()) p = std::filesystem::path(dir) / p;
    if (!read_whole_file(p.string(), out)) {
      err = "cannot read " + key + " " + p.string();
      return false;
    }
  }
  return true;
}
}  // namespace

Result<Config> Config::from_kubeconfig(const std::string& path) {
  auto fail = [&](const std::string& why) -> Result<Config> {
    return ApiError::bad_request("kubeconfig " + path + ": " + why);
  };
  std::string text;
  if (!read_whole_file(path, text)) return fail("cannot read the file");
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const std::exception& ex) {
    return fail(std::string("invalid YAML: ") + ex.what());
  }
  if (!root.IsMap()) return fail("not a kubeconfig (expected a mapping)");
  try {
    std::string dir = std::filesystem::path(path).parent_path().string();
    std::string ctx_name = scalar(root, "current-context");
    YAML::Node ctx = find_named(root, "contexts", "context", ctx_name);
    if (!ctx_name.empty() && !ctx) return fail("context \"" + ctx_name + "\" not found");
    std::string cluster_name = scalar(ctx, "cluster");
    std::string user_name = scalar(ctx, "user");
    YAML::Node cluster = find_named(root, "clusters", "cluster", cluster_name);
    if (!cluster || !cluster.IsMap()) return fail("no cluster for the current context");
    Config cfg;
    cfg.server = scalar(cluster, "server");
    if (cfg.server.empty()) return fail("the cluster has no server");
    detail::Endpoint ep;
    std::string err;
    if (!detail::parse_server_url(cfg.server, ep, &err)) return fail(err);
    if (!credential(cluster, "certificate-authority", dir, cfg.ca_pem, err)) return fail(err);
    YAML::Node user = find_named(root, "users", "user", user_name);
    if (user && user.IsMap()) {
      if (!credential(user, "client-certificate", dir, cfg.cert_pem, err)) return fail(err);
      if (!credential(user, "client-key", dir, cfg.key_pem, err)) return fail(err);
      cfg.token = scalar(user, "token");
      if (cfg.token.empty()) {
        std::string token_file = scalar(user, "tokenFile");
        if (!token_file.empty()) {
          std::filesystem::path p(token_file);
          if (p.is_relative() && !dir.empty()) p = std::filesystem::path(dir) / p;
          if (!read_token_file(p.string(), &cfg.token)) return fail("cannot read " + p.string());
          cfg.token_file = p.string();  // re-read as it rotates
        }
      }
    }
    return cfg;
  } catch (const std::exception& ex) {
    return fail(ex.what());
  }
}

Result<Config> Config::in_cluster() {
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (!host || !*host || !port || !*port)
    return ApiError::bad_request(
        "not running in a pod: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set "
        "(pass --kubeconfig FILE)");
  Config cfg;
  std::string h = host;
  cfg.server = "https://" + (h.find(':') != std::string::npos ? "[" + h + "]" : h) + ":" + port;
  std::string dir = kServiceAccountDir;
  if (!read_whole_file(dir + "/ca.crt", cfg.ca_pem))
    return ApiError::bad_request("cannot read " + dir + "/ca.crt: the pod has no service-account "
                                 "credentials (automountServiceAccountToken: false?)");
  cfg.token_file = dir + "/token";
  if (!read_token_file(cfg.token_file, &cfg.token))
    return ApiError::bad_request("cannot read " + cfg.token_file +
                                 ": the pod has no service-account token");
  return cfg;
}

}  // namespace skiff::client
