#include "images/registry.h"

#include <yaml-cpp/yaml.h>

#include <optional>

#include "common/base64.h"
#include "common/json.h"
#include "images/digest.h"
#include "images/error.h"
#include "images/http.h"
#include "images/manifest.h"

namespace skiff::images {
namespace {

using Code = Status::Code;

bool is_loopback(const std::string& domain) {
  std::string host = domain;
  if (host.rfind("[", 0) == 0) host = host.substr(1, host.find(']') - 1);
  else host = host.substr(0, host.find(':'));
  return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1";
}

// "CODE: message" from a registry error body, or the status line.
std::string registry_error(const HttpResponse& r) {
  json::value v;
  std::string err, out;
  if (parse_json(r.body, v, err))
    if (auto* a = find_path(v, {"errors"}); a && a->is_array())
      for (auto& e : a->as_array())
        out += (out.empty() ? "" : "; ") + get_string(e, {"code"}) + ": " + get_string(e, {"message"});
  return out.empty() ? "HTTP " + std::to_string(r.status) : out;
}

// Parses `Bearer realm="...",service="...",scope="..."` into scheme + params.
std::map<std::string, std::string> parse_challenge(const std::string& h, std::string& scheme) {
  std::map<std::string, std::string> out;
  auto sp = h.find(' ');
  scheme = h.substr(0, sp);
  for (auto& ch : scheme) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  size_t i = sp == std::string::npos ? h.size() : sp + 1;
  while (i < h.size()) {
    while (i < h.size() && (h[i] == ' ' || h[i] == ',')) ++i;
    auto eq = h.find('=', i);
    if (eq == std::string::npos) break;
    std::string key = h.substr(i, eq - i), val;
    i = eq + 1;
    if (i < h.size() && h[i] == '"') {
      for (++i; i < h.size() && h[i] != '"'; ++i) {
        if (h[i] == '\\' && i + 1 < h.size()) ++i;
        val += h[i];
      }
      ++i;
    } else {
      auto end = h.find(',', i);
      val = h.substr(i, end == std::string::npos ? std::string::npos : end - i);
      i = end == std::string::npos ? h.size() : end;
    }
    out[key] = val;
  }
  return out;
}

// One pull from one endpoint: remembers the Authorization header a challenge led to.
class Session {
 public:
  Session(std::string base, const Reference& ref, const RegistryHost* host)
      : base_(std::move(base)), ref_(ref) {
    if (host) {
      user_ = host->username;
      pass_ = host->password;
      opts_.insecure_skip_verify = host->insecure_skip_verify;
      opts_.ca_file = host->ca_file;
    }
  }

  HttpResponse get(const std::string& path, const std::vector<std::pair<std::string, std::string>>& hdrs,
                   const BodySink& sink = {}) {
    HttpRequest req;
    req.url = base_ + "/v2/" + ref_.path + path;
    req.headers = hdrs;
    if (!auth_.empty()) req.headers.emplace_back("Authorization", auth_);
    HttpResponse r = http_request(req, opts_, sink);
    if (r.status == 401 && !tried_auth_) {
      tried_auth_ = true;
      authenticate(r.headers["www-authenticate"]);
      return get(path, hdrs, sink);
    }
    if (r.status == 401 || r.status == 403)
      throw ImageError(Code::kUnauthorized,
                       base_ + ": access to " + ref_.path + " denied (" + registry_error(r) +
                           "); check the credentials in the registry config");
    return r;
  }

  const std::string& base() const { return base_; }

 private:
  void authenticate(const std::string& challenge) {
    std::string scheme;
    auto p = parse_challenge(challenge, scheme);
    if (scheme == "basic") {
      if (user_.empty())
        throw ImageError(Code::kUnauthorized, base_ + " requires credentials (Basic auth); add "
                                                      "username/password to the registry config");
      auth_ = "Basic " + base64_encode(user_ + ":" + pass_);
      return;
    }
    if (scheme != "bearer" || p["realm"].empty())
      throw ImageError(Code::kUnauthorized, base_ + ": unsupported auth challenge \"" + challenge + "\"");
    std::string url = p["realm"];
    std::string scope = p.count("scope") ? p["scope"] : "repository:" + ref_.path + ":pull";
    url += (url.find('?') == std::string::npos ? "?" : "&");
    if (p.count("service")) url += "service=" + url_encode(p["service"]) + "&";
    url += "scope=" + url_encode(scope);
    HttpRequest req;
    req.url = url;
    if (!user_.empty()) req.headers.emplace_back("Authorization", "Basic " + base64_encode(user_ + ":" + pass_));
    HttpResponse r = http_request(req, opts_);
    if (r.status != 200)
      throw ImageError(Code::kUnauthorized, "token endpoint " + p["realm"] + " refused: HTTP " +
                                                std::to_string(r.status) + " " + r.body.substr(0, 200));
    json::value v;
    std::string err;
    std::string tok;
    if (parse_json(r.body, v, err)) tok = get_string(v, {"token"}, get_string(v, {"access_token"}));
    if (tok.empty()) throw ImageError(Code::kUnauthorized, "token endpoint " + p["realm"] + " gave no token");
    auth_ = "Bearer " + tok;
  }

  std::string base_;
  const Reference& ref_;
  std::string user_, pass_, auth_;
  bool tried_auth_ = false;
  HttpOptions opts_;
};

const std::vector<std::pair<std::string, std::string>> kAccept = {
    {"Accept", std::string(kOciManifest) + ", " + kDockerManifest + ", " + kOciIndex + ", " + kDockerList}};

// Fetches a manifest (by tag or digest) and checks it against the digest it should have.
std::string fetch_manifest(Session& s, const std::string& ref, std::string& digest) {
  HttpResponse r = s.get("/manifests/" + ref, kAccept);
  if (r.status == 404)
    throw ImageError(Code::kNotFound, s.base() + ": manifest for " + ref + " not found (" + registry_error(r) + ")");
  if (r.status != 200)
    throw ImageError(Code::kRegistry, s.base() + ": fetching manifest " + ref + ": " + registry_error(r));
  std::string got = sha256_digest(r.body);
  std::string want = valid_digest(ref) ? ref : r.headers["docker-content-digest"];
  if (!want.empty() && want != got)
    throw ImageError(Code::kBadContent, "manifest " + ref + " from " + s.base() +
                                            " has digest " + got + ", expected " + want);
  digest = got;
  return r.body;
}

std::string human(int64_t n) {
  char buf[32];
  if (n >= (1 << 20)) std::snprintf(buf, sizeof buf, "%.1f MB", n / 1048576.0);
  else std::snprintf(buf, sizeof buf, "%.1f kB", n / 1024.0);
  return buf;
}

void fetch_blob(Session& s, ContentStore& store, const Descriptor& d, const ProgressFn& progress) {
  if (store.has_blob(d.digest)) return;
  if (progress) progress("Pulling " + d.digest.substr(0, 19) + " (" + human(d.size) + ")");
  BlobWriter w(store);
  HttpResponse r = s.get("/blobs/" + d.digest, {}, [&](const char* p, size_t n) { w.write(p, n, d.size); });
  if (r.status == 404)
    throw ImageError(Code::kNotFound, s.base() + ": blob " + d.digest + " not found (" + registry_error(r) + ")");
  if (r.status != 200)
    throw ImageError(Code::kRegistry, s.base() + ": fetching blob " + d.digest + ": " + registry_error(r));
  w.commit(d.digest, d.size);
}

std::string pull_from(const std::string& base, ContentStore& store, const RegistryHost* host,
                      const Reference& ref, const std::string& os, const std::string& arch,
                      const ProgressFn& progress) {
  Session s(base, ref, host);
  std::string digest;
  std::string body = fetch_manifest(s, ref.manifest_ref(), digest);
  if (is_index(body)) {
    std::string avail;
    auto sel = select_platform(parse_index(body), os, arch, &avail);
    if (!sel)
      throw ImageError(Code::kNotFound, ref.str() + " has no " + os + "/" + arch + " image (has " + avail + ")");
    body = fetch_manifest(s, sel->digest, digest);
    if (is_index(body)) throw ImageError(Code::kBadContent, "nested index in " + ref.str());
  }
  Manifest m = parse_manifest(body);
  fetch_blob(s, store, m.config, progress);
  for (auto& l : m.layers) fetch_blob(s, store, l, progress);
  store.write_blob(body, digest);
  return digest;
}

}  // namespace

RegistryConfig RegistryConfig::load(const std::string& path) {
  RegistryConfig c;
  if (path.empty()) return c;
  try {
    YAML::Node root = YAML::LoadFile(path);
    YAML::Node regs = root["registries"];
    if (regs && !regs.IsMap()) throw ImageError(Code::kIo, path + ": registries must be a map");
    for (auto it = regs.begin(); regs && it != regs.end(); ++it) {
      RegistryHost h;
      const YAML::Node& n = it->second;
      if (n["mirrors"])
        for (auto m : n["mirrors"]) {
          std::string u = m.as<std::string>();
          while (!u.empty() && u.back() == '/') u.pop_back();
          h.mirrors.push_back(u);
        }
      if (n["endpoint"]) h.endpoint = n["endpoint"].as<std::string>();
      if (n["username"]) h.username = n["username"].as<std::string>();
      if (n["password"]) h.password = n["password"].as<std::string>();
      if (n["insecureSkipVerify"]) h.insecure_skip_verify = n["insecureSkipVerify"].as<bool>();
      if (n["ca"]) h.ca_file = n["ca"].as<std::string>();
      for (auto& u : h.mirrors)
        if (u.rfind("http://", 0) && u.rfind("https://", 0))
          throw ImageError(Code::kIo, path + ": mirror \"" + u + "\" must start with http:// or https://");
      c.hosts_[it->first.as<std::string>()] = h;
    }
  } catch (const YAML::Exception& e) {
    throw ImageError(Code::kIo, "registry config " + path + ": " + e.what());
  }
  return c;
}

const RegistryHost* RegistryConfig::find(const std::string& domain) const {
  auto it = hosts_.find(domain);
  return it == hosts_.end() ? nullptr : &it->second;
}

std::vector<std::string> RegistryConfig::endpoints(const std::string& domain) const {
  std::vector<std::string> out;
  const RegistryHost* h = find(domain);
  if (h) out = h->mirrors;
  if (h && !h->endpoint.empty()) out.push_back(h->endpoint);
  else if (domain == kDefaultDomain) out.push_back("https://registry-1.docker.io");
  else out.push_back((is_loopback(domain) ? "http://" : "https://") + domain);
  return out;
}

std::string pull_blobs(ContentStore& store, const RegistryConfig& cfg, const Reference& ref,
                       const std::string& os, const std::string& arch, const ProgressFn& progress) {
  std::optional<Code> code;
  std::string msgs;
  for (auto& base : cfg.endpoints(ref.domain)) {
    try {
      if (progress) progress("Pulling " + ref.str() + " from " + base);
      return pull_from(base, store, cfg.find(ref.domain), ref, os, arch, progress);
    } catch (const ImageError& e) {
      if (e.code == Code::kIo) throw;  // local trouble: another endpoint will not help
      if (progress) progress("  " + std::string(e.what()));
      if (!code) code = e.code;  // the first endpoint's failure decides (a mirror's, usually)
      msgs += (msgs.empty() ? "" : "; ") + std::string(e.what());
    }
  }
  throw ImageError(*code, msgs);
}

}  // namespace skiff::images
