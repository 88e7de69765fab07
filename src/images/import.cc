// Two passes over the archive so that only the content of the selected images is stored: the
// first keeps the small files (index.json, manifest.json, manifests, configs) in memory, the
// second streams the needed layer files into the store.
#include "images/import.h"

#include <algorithm>
#include <map>
#include <set>

#include "common/json.h"
#include "images/digest.h"
#include "images/error.h"
#include "images/manifest.h"
#include "images/reference.h"
#include "images/tar.h"

namespace skiff::images {
namespace {

constexpr int64_t kSmall = 1 << 20;

[[noreturn]] void bad(const std::string& msg) { throw ImageError(Status::Code::kBadContent, msg); }

struct Archive {
  std::string path;
  std::map<std::string, std::string> small;  // cleaned path -> content, for files <= kSmall

  void scan() {
    visit([&](const std::string& p, TarEntry& e, TarReader& tr) {
      if (e.size <= kSmall) small[p] = tr.read_all();
    });
  }
  // Calls f(path, entry, reader) for each regular file.
  template <class F>
  void visit(F f) {
    try {
      auto r = decompressing_reader(open_file_reader(path));
      TarReader tr(*r);
      TarEntry e;
      while (tr.next(e)) {
        if (e.type != '0' && e.type != '7') continue;
        std::string p;
        if (!clean_archive_path(e.name, p)) continue;
        f(p, e, tr);
      }
    } catch (const ImageError&) {
      throw;
    } catch (const std::runtime_error& ex) {
      bad(path + ": " + ex.what());
    }
  }
  const std::string* find(const std::string& p) const {
    auto it = small.find(p);
    return it == small.end() ? nullptr : &it->second;
  }
};

class EntryReader : public Reader {
 public:
  explicit EntryReader(TarReader& tr) : tr_(tr) {}
  size_t read(char* b, size_t n) override { return tr_.read_data(b, n); }

 private:
  TarReader& tr_;
};

std::string blob_file(const std::string& digest) { return "blobs/sha256/" + digest_hex(digest); }

// Stores the blobs in `want` (digest -> size) from the archive's blobs/ directory.
void store_oci_blobs(ContentStore& store, Archive& a, const std::map<std::string, int64_t>& want,
                     const ProgressFn& progress) {
  std::set<std::string> missing;
  for (auto& [d, size] : want) {
    if (store.has_blob(d)) continue;
    if (auto* s = a.find(blob_file(d))) {
      store.write_blob(*s, d);
    } else {
      missing.insert(d);
    }
  }
  if (missing.empty()) return;
  a.visit([&](const std::string& p, TarEntry&, TarReader& tr) {
    for (auto& d : missing)
      if (p == blob_file(d)) {
        if (progress) progress("Importing blob " + d.substr(0, 19));
        EntryReader er(tr);
        store.write_blob(er, d, want.at(d));
        missing.erase(d);
        break;
      }
  });
  if (!missing.empty()) bad("archive lacks blob " + *missing.begin());
}

// The name an OCI index entry gives its image, or "" (unnamed).
std::string oci_name(const Descriptor& d, const ProgressFn& progress) {
  std::string n;
  if (auto it = d.annotations.find("io.containerd.image.name"); it != d.annotations.end())
    n = it->second;
  else if (auto it2 = d.annotations.find("org.opencontainers.image.ref.name");
           it2 != d.annotations.end())
    n = it2->second;
  if (n.empty()) return "";
  if (n.find_first_of(":/@") == std::string::npos) {
    if (progress) progress("ref.name \"" + n + "\" is only a tag; importing the image unnamed");
    return "";
  }
  std::string err;
  auto ref = parse_reference(n, &err);
  if (!ref) bad("image name \"" + n + "\" in the archive: " + err);
  return ref->str();
}

std::vector<Record> import_oci(ContentStore& store, Archive& a, const std::string& os,
                               const std::string& arch, const ProgressFn& progress) {
  std::vector<Record> out;
  for (auto& top : parse_index(*a.find("index.json"))) {
    std::string name = oci_name(top, progress);
    Descriptor man = top;
    std::map<std::string, int64_t> want;
    // Nested indexes down to a manifest for our platform.
    for (int depth = 0; depth < 4; ++depth) {
      const std::string* body = a.find(blob_file(man.digest));
      if (!body) bad("archive lacks manifest blob " + man.digest);
      if (sha256_digest(*body) != man.digest) bad("blob " + man.digest + " does not match its digest");
      if (!is_index(*body)) break;
      std::string avail;
      auto sel = select_platform(parse_index(*body), os, arch, &avail);
      if (!sel) bad("the archive has no " + os + "/" + arch + " image (has " + avail + ")");
      man = *sel;
    }
    Manifest m = parse_manifest(*a.find(blob_file(man.digest)));
    want[man.digest] = static_cast<int64_t>(a.find(blob_file(man.digest))->size());
    want[m.config.digest] = m.config.size;
    for (auto& l : m.layers) want[l.digest] = l.size;
    store_oci_blobs(store, a, want, progress);
    out.push_back(commit_image(store, name, man.digest, progress));
  }
  return out;
}

std::vector<Record> import_docker(ContentStore& store, Archive& a, const ProgressFn& progress) {
  json::value v;
  std::string err;
  if (!parse_json(*a.find("manifest.json"), v, err) || !v.is_array())
    bad("manifest.json is malformed: " + err);
  std::vector<Record> out;
  for (auto& img : v.as_array()) {
    std::string cfg_path, cp = get_string(img, {"Config"});
    if (!clean_archive_path(cp, cfg_path) || !a.find(cfg_path))
      bad("archive lacks the image config " + cp);
    const std::string& cfg = *a.find(cfg_path);
    std::vector<std::string> layer_paths;
    if (auto* ls = find_path(img, {"Layers"}); ls && ls->is_array())
      for (auto& l : ls->as_array()) {
        std::string p;
        if (!l.is_string() || !clean_archive_path(std::string(l.as_string()), p)) bad("bad layer path");
        layer_paths.push_back(p);
      }
    std::map<std::string, std::pair<std::string, int64_t>> stored;  // path -> digest, size
    a.visit([&](const std::string& p, TarEntry&, TarReader& tr) {
      if (stored.count(p) || std::find(layer_paths.begin(), layer_paths.end(), p) == layer_paths.end())
        return;
      if (progress) progress("Importing layer " + p);
      EntryReader er(tr);
      int64_t size = 0;
      std::string d = store.write_blob(er, "", -1, &size);
      stored[p] = {d, size};
    });
    // A synthesized OCI manifest gives the image a manifest digest like a pulled one.
    json::array layers;
    for (auto& p : layer_paths) {
      auto it = stored.find(p);
      if (it == stored.end()) bad("archive lacks layer " + p);
      auto r = open_file_reader(store.blob_path(it->second.first));
      unsigned char magic[4] = {};
      r->read(reinterpret_cast<char*>(magic), 4);
      std::string mt = kOciLayerTar;
      if (magic[0] == 0x1f && magic[1] == 0x8b) mt += "+gzip";
      if (magic[0] == 0x28 && magic[1] == 0xb5) mt += "+zstd";
      layers.push_back(json::object{{"mediaType", mt}, {"digest", it->second.first},
                                    {"size", it->second.second}});
    }
    std::string cfg_digest = store.write_blob(cfg);
    json::object man{{"schemaVersion", 2},
                     {"mediaType", kOciManifest},
                     {"config", json::object{{"mediaType", kOciConfig}, {"digest", cfg_digest},
                                             {"size", static_cast<int64_t>(cfg.size())}}},
                     {"layers", std::move(layers)}};
    std::string man_digest = store.write_blob(json::serialize(man));
    std::vector<std::string> names;
    if (auto* tags = find_path(img, {"RepoTags"}); tags && tags->is_array())
      for (auto& t : tags->as_array()) {
        if (!t.is_string()) continue;
        auto ref = parse_reference(std::string(t.as_string()), &err);
        if (!ref) bad("RepoTag \"" + std::string(t.as_string()) + "\": " + err);
        names.push_back(ref->str());
      }
    if (names.empty()) names.push_back("");
    for (auto& n : names) out.push_back(commit_image(store, n, man_digest, progress));
  }
  return out;
}

}  // namespace

std::vector<Record> import_image_archive(ContentStore& store, const std::string& path,
                                         const std::string& os, const std::string& arch,
                                         const ProgressFn& progress) {
  Archive a{path, {}};
  a.scan();
  if (a.find("index.json") && (a.find("oci-layout") || !a.find("manifest.json")))
    return import_oci(store, a, os, arch, progress);
  if (a.find("manifest.json")) return import_docker(store, a, progress);
  bad(path + " is neither an OCI image layout (index.json, oci-layout) nor a docker-archive "
      "(manifest.json)");
}

}  // namespace skiff::images
