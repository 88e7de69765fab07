#include "images/manifest.h"

#include <chrono>

#include "common/json.h"
#include "images/error.h"
#include "images/reference.h"

namespace skiff::images {
namespace {

[[noreturn]] void bad(const std::string& msg) { throw ImageError(Status::Code::kBadContent, msg); }

json::value parse(const std::string& body, const char* what) {
  json::value v;
  std::string err;
  if (!parse_json(body, v, err) || !v.is_object()) bad(std::string("malformed ") + what + ": " + err);
  return v;
}

Descriptor descriptor(const json::value& v) {
  Descriptor d;
  d.media_type = get_string(v, {"mediaType"});
  d.digest = get_string(v, {"digest"});
  d.size = get_int(v, {"size"}, -1);
  d.os = get_string(v, {"platform", "os"});
  d.architecture = get_string(v, {"platform", "architecture"});
  d.variant = get_string(v, {"platform", "variant"});
  if (auto* a = find_path(v, {"annotations"}); a && a->is_object())
    for (auto& [k, val] : a->as_object())
      if (val.is_string()) d.annotations[std::string(k)] = std::string(val.as_string());
  if (!valid_digest(d.digest)) bad("descriptor with invalid digest \"" + d.digest + "\"");
  return d;
}

std::vector<std::string> strings(const json::value& v, std::initializer_list<std::string_view> p) {
  std::vector<std::string> out;
  if (auto* a = find_path(v, p); a && a->is_array())
    for (auto& s : a->as_array())
      if (s.is_string()) out.emplace_back(s.as_string());
  return out;
}

}  // namespace

bool is_index(const std::string& body) {
  json::value v = parse(body, "manifest");
  std::string mt = get_string(v, {"mediaType"});
  if (mt == kOciIndex || mt == kDockerList) return true;
  if (!mt.empty()) return false;
  auto* m = find_path(v, {"manifests"});
  return m && m->is_array();
}

Manifest parse_manifest(const std::string& body) {
  json::value v = parse(body, "manifest");
  if (get_int(v, {"schemaVersion"}) != 2)
    bad("unsupported manifest schemaVersion " + std::to_string(get_int(v, {"schemaVersion"})) +
        " (Docker schema1 images are not supported; re-push the image with a current client)");
  std::string mt = get_string(v, {"mediaType"});
  if (!mt.empty() && mt != kOciManifest && mt != kDockerManifest)
    bad("unsupported manifest media type " + mt);
  auto* cfg = find_path(v, {"config"});
  if (!cfg) bad("manifest has no config");
  Manifest m;
  m.config = descriptor(*cfg);
  if (auto* ls = find_path(v, {"layers"}); ls && ls->is_array())
    for (auto& l : ls->as_array()) m.layers.push_back(descriptor(l));
  for (auto& l : m.layers)
    if (l.media_type.find("foreign") != std::string::npos || l.media_type.find("nondistributable") != std::string::npos)
      bad("foreign (non-distributable) layers are not supported: " + l.digest);
  return m;
}

std::vector<Descriptor> parse_index(const std::string& body) {
  json::value v = parse(body, "index");
  std::vector<Descriptor> out;
  if (auto* a = find_path(v, {"manifests"}); a && a->is_array())
    for (auto& e : a->as_array()) out.push_back(descriptor(e));
  return out;
}

std::optional<Descriptor> select_platform(const std::vector<Descriptor>& entries,
                                          const std::string& os, const std::string& arch,
                                          std::string* available) {
  std::string avail;
  for (auto& e : entries) {
    if (e.os == os && e.architecture == arch) return e;
    // Attestation manifests (buildkit) carry "unknown/unknown"; skip them in the message.
    if (e.os != "unknown") avail += (avail.empty() ? "" : ", ") + e.os + "/" + e.architecture;
  }
  if (available) *available = avail.empty() ? "none" : avail;
  return std::nullopt;
}

ImageConfig parse_config(const std::string& body, std::vector<std::string>& diff_ids,
                         std::string& platform) {
  json::value v = parse(body, "image config");
  ImageConfig c;
  c.entrypoint = strings(v, {"config", "Entrypoint"});
  c.cmd = strings(v, {"config", "Cmd"});
  c.env = strings(v, {"config", "Env"});
  c.working_dir = get_string(v, {"config", "WorkingDir"});
  c.user = get_string(v, {"config", "User"});
  diff_ids = strings(v, {"rootfs", "diff_ids"});
  for (auto& d : diff_ids)
    if (!valid_digest(d)) bad("image config has invalid diffID " + d);
  platform = get_string(v, {"os"}) + "/" + get_string(v, {"architecture"});
  return c;
}

Record commit_image(ContentStore& store, const std::string& name,
                    const std::string& manifest_digest, const ProgressFn& progress) {
  Manifest m = parse_manifest(store.read_blob(manifest_digest));
  Record r;
  r.name = name;
  r.manifest_digest = manifest_digest;
  r.config_digest = m.config.digest;
  parse_config(store.read_blob(m.config.digest), r.diff_ids, r.platform);
  if (r.diff_ids.size() != m.layers.size())
    bad("manifest has " + std::to_string(m.layers.size()) + " layers but its config lists " +
        std::to_string(r.diff_ids.size()) + " diffIDs");
  for (size_t i = 0; i < m.layers.size(); ++i) {
    r.layer_blobs.push_back(m.layers[i].digest);
    r.size += m.layers[i].size > 0 ? m.layers[i].size : 0;
    if (!store.has_layer(r.diff_ids[i])) {
      if (progress) progress("Unpacking layer " + m.layers[i].digest.substr(0, 19));
      store.unpack_layer(m.layers[i].digest, r.diff_ids[i]);
    }
  }
  if (r.name.empty()) r.name = r.config_digest;
  r.created = std::chrono::duration_cast<std::chrono::seconds>(
                  std::chrono::system_clock::now().time_since_epoch()).count();
  store.put(r);
  return r;
}

Image image_from_record(const ContentStore& store, const Record& r) {
  Image img;
  img.name = r.name;
  img.id = r.config_digest;
  img.manifest_digest = r.manifest_digest;
  img.platform = r.platform;
  img.size = r.size;
  img.created = r.created;
  std::vector<std::string> diff_ids;
  std::string platform;
  img.config = parse_config(store.read_blob(r.config_digest), diff_ids, platform);
  for (auto& d : r.diff_ids) img.layer_dirs.push_back(store.layer_dir(d));
  return img;
}

}  // namespace skiff::images
