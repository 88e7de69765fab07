// Test helpers: builds image content (layers, config, manifest, index) and wraps it into OCI
// image-layout archives and docker-archive tars.
#pragma once
#include <boost/json.hpp>
#include <map>
#include <string>
#include <vector>

#include "images/digest.h"
#include "tar_builder.h"

namespace skiff::images::testing {

struct Blob {
  std::string media_type, data, digest;
};

inline Blob blob(std::string media_type, std::string data) {
  std::string d = sha256_digest(data);
  return {std::move(media_type), std::move(data), d};
}

inline boost::json::object desc(const Blob& b) {
  return {{"mediaType", b.media_type}, {"digest", b.digest}, {"size", b.data.size()}};
}

struct TestImage {
  std::vector<std::string> layer_tars;  // uncompressed
  std::vector<Blob> layers;             // as stored (gzip by default)
  Blob config, manifest;
  std::vector<Blob> all() const {
    std::vector<Blob> v = layers;
    v.push_back(config);
    v.push_back(manifest);
    return v;
  }
};

// An image from uncompressed layer tars; `compress` picks gzip, zstd or none per layer.
inline TestImage make_image(std::vector<std::string> tars, const std::string& arch = "amd64",
                            const std::string& compress = "gzip",
                            bool docker_media_types = false) {
  TestImage img;
  img.layer_tars = tars;
  boost::json::array diff_ids, layers;
  for (auto& t : tars) {
    diff_ids.emplace_back(sha256_digest(t));
    std::string mt = docker_media_types ? "application/vnd.docker.image.rootfs.diff.tar.gzip"
                                        : "application/vnd.oci.image.layer.v1.tar";
    std::string data = t;
    if (compress == "gzip") {
      data = gzip(t);
      if (!docker_media_types) mt += "+gzip";
    } else if (compress == "zstd") {
      data = zstd(t);
      mt += "+zstd";
    }
    img.layers.push_back(blob(mt, data));
    layers.push_back(desc(img.layers.back()));
  }
  boost::json::object cfg{
      {"architecture", arch},
      {"os", "linux"},
      {"config", {{"Entrypoint", {"/bin/sh"}}, {"Cmd", {"-c", "echo hi"}},
                  {"Env", {"PATH=/bin", "A=b"}}, {"WorkingDir", "/work"}, {"User", "1000:1000"}}},
      {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}}};
  img.config = blob(docker_media_types ? "application/vnd.docker.container.image.v1+json"
                                       : "application/vnd.oci.image.config.v1+json",
                    boost::json::serialize(cfg));
  std::string mmt = docker_media_types ? "application/vnd.docker.distribution.manifest.v2+json"
                                       : "application/vnd.oci.image.manifest.v1+json";
  boost::json::object man{{"schemaVersion", 2}, {"mediaType", mmt}, {"config", desc(img.config)},
                          {"layers", layers}};
  img.manifest = blob(mmt, boost::json::serialize(man));
  return img;
}

// An index over manifests, each with its platform architecture.
inline Blob make_index(const std::vector<std::pair<const TestImage*, std::string>>& entries) {
  boost::json::array ms;
  for (auto& [img, arch] : entries) {
    auto d = desc(img->manifest);
    d["platform"] = {{"os", "linux"}, {"architecture", arch}};
    ms.push_back(d);
  }
  return blob("application/vnd.oci.image.index.v1+json",
              boost::json::serialize(boost::json::object{
                  {"schemaVersion", 2},
                  {"mediaType", "application/vnd.oci.image.index.v1+json"},
                  {"manifests", ms}}));
}

// An OCI image layout archive; index.json lists `top` (a manifest or index) named `ref_name`.
inline std::string oci_archive(const std::vector<Blob>& blobs, const Blob& top,
                               const std::string& ref_name) {
  TarBuilder t;
  t.file("oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
  auto d = desc(top);
  if (!ref_name.empty()) d["annotations"] = {{"org.opencontainers.image.ref.name", ref_name}};
  t.file("index.json", boost::json::serialize(boost::json::object{
                           {"schemaVersion", 2}, {"manifests", boost::json::array{d}}}));
  t.dir("blobs/").dir("blobs/sha256/");
  for (auto& b : blobs) t.file("blobs/sha256/" + b.digest.substr(7), b.data);
  return t.str();
}

// A `docker save` archive of one image with these tags.
inline std::string docker_archive(const TestImage& img, const std::vector<std::string>& tags) {
  TarBuilder t;
  boost::json::array layers, rt;
  for (size_t i = 0; i < img.layer_tars.size(); ++i) {
    std::string p = "l" + std::to_string(i) + "/layer.tar";
    t.dir("l" + std::to_string(i) + "/").file(p, img.layer_tars[i]);
    layers.emplace_back(p);
  }
  for (auto& tag : tags) rt.emplace_back(tag);
  std::string cfg_name = img.config.digest.substr(7) + ".json";
  t.file(cfg_name, img.config.data);
  t.file("manifest.json",
         boost::json::serialize(boost::json::array{boost::json::object{
             {"Config", cfg_name}, {"RepoTags", rt}, {"Layers", layers}}}));
  return t.str();
}

}  // namespace skiff::images::testing
