// The ImageService over the content store, the archive importer and the registry client.
#include <condition_variable>
#include <mutex>

#include "images/error.h"
#include "images/images.h"
#include "images/import.h"
#include "images/manifest.h"
#include "images/reference.h"
#include "images/registry.h"
#include "images/store.h"

namespace skiff::images {
namespace {

using Code = Status::Code;

template <class F>
Status guard(F f) {
  try {
    f();
    return Status::Ok();
  } catch (const ImageError& e) {
    return Status{e.code, e.what()};
  } catch (const std::exception& e) {
    return Status{Code::kIo, e.what()};
  }
}

class ImageServiceImpl final : public ImageService {
 public:
  ImageServiceImpl(const Options& o, RegistryConfig cfg)
      : opts_(o), store_(o.data_dir + "/images"), cfg_(std::move(cfg)) {}

  Status ensure(const std::string& ref_str, PullPolicy policy, Image& out,
                const ProgressFn& progress) override {
    std::string err;
    auto ref = parse_reference(ref_str, &err);
    if (!ref) return {Code::kInvalidReference, err};
    if (policy != PullPolicy::kAlways) {
      Status st = guard([&] {
        if (auto rec = lookup(*ref)) out = image_from_record(store_, *rec);
        else throw ImageError(Code::kNotFound, "");
      });
      if (st.code != Code::kNotFound) return st;
      if (policy == PullPolicy::kNever)
        return {Code::kNotFound, "image " + ref->str() +
                                     " is not present on this node and the pull policy is Never; "
                                     "import it with `skiff images import` or change the policy"};
    }
    return pull_once(*ref, out, progress);
  }

  Status get(const std::string& ref_str, Image& out) override {
    return guard([&] {
      std::optional<Record> rec;
      if (ref_str.rfind("sha256:", 0) == 0) {
        for (auto& r : store_.records())
          if (r.config_digest.rfind(ref_str, 0) == 0) rec = r;
      } else {
        std::string err;
        auto ref = parse_reference(ref_str, &err);
        if (!ref) throw ImageError(Code::kInvalidReference, err);
        rec = lookup(*ref);
      }
      if (!rec) throw ImageError(Code::kNotFound, "no image " + ref_str + " on this node");
      out = image_from_record(store_, *rec);
    });
  }

  std::vector<Image> list() override {
    std::vector<Image> out;
    for (auto& r : store_.records()) {
      try {
        out.push_back(image_from_record(store_, r));
      } catch (const std::exception&) {  // removed meanwhile
      }
    }
    return out;
  }

  Status remove(const std::string& ref_str) override {
    return guard([&] {
      std::string name = ref_str;
      if (ref_str.rfind("sha256:", 0) != 0) {
        std::string err;
        auto ref = parse_reference(ref_str, &err);
        if (!ref) throw ImageError(Code::kInvalidReference, err);
        auto rec = lookup(*ref);
        if (!rec) throw ImageError(Code::kNotFound, "no image " + ref->str() + " on this node");
        name = rec->name;
      }
      if (!store_.remove(name)) throw ImageError(Code::kNotFound, "no image " + ref_str + " on this node");
    });
  }

  Status import_archive(const std::string& path, std::vector<Image>& out,
                        const ProgressFn& progress) override {
    return guard([&] {
      for (auto& r : import_image_archive(store_, path, opts_.os, opts_.architecture, progress))
        out.push_back(image_from_record(store_, r));
    });
  }

 private:
  // A record by exact name, or for a digest reference any record of that repository with that
  // manifest digest.
  std::optional<Record> lookup(const Reference& ref) {
    auto recs = store_.records();
    for (auto& r : recs)
      if (r.name == ref.str()) return r;
    if (!ref.digest.empty())
      for (auto& r : recs)
        if (r.manifest_digest == ref.digest && r.name.rfind(ref.name(), 0) == 0 &&
            r.name.size() > ref.name().size() && (r.name[ref.name().size()] == ':' ||
                                                  r.name[ref.name().size()] == '@'))
          return r;
    return std::nullopt;
  }

  struct Flight {
    bool done = false;
    Status status;
    Image image;
  };

  // Concurrent pulls of one reference: the first caller pulls, the others wait for its result.
  Status pull_once(const Reference& ref, Image& out, const ProgressFn& progress) {
    std::shared_ptr<Flight> f;
    bool leader = false;
    {
      std::unique_lock lk(mu_);
      auto& slot = flights_[ref.str()];
      if (!slot) {
        slot = std::make_shared<Flight>();
        leader = true;
      }
      f = slot;
      if (!leader) {
        if (progress) progress("Waiting for a pull of " + ref.str() + " already in progress");
        cv_.wait(lk, [&] { return f->done; });
        out = f->image;
        return f->status;
      }
    }
    Image img;
    Status st = guard([&] {
      std::string digest = pull_blobs(store_, cfg_, ref, opts_.os, opts_.architecture, progress);
      Record r = commit_image(store_, ref.str(), digest, progress);
      img = image_from_record(store_, r);
      if (progress) progress("Pulled " + ref.str() + " (" + digest + ")");
    });
    {
      std::lock_guard lk(mu_);
      f->done = true;
      f->status = st;
      f->image = img;
      flights_.erase(ref.str());
    }
    cv_.notify_all();
    out = img;
    return st;
  }

  const Options opts_;
  ContentStore store_;
  const RegistryConfig cfg_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, std::shared_ptr<Flight>> flights_;  // guarded by mu_
};

}  // namespace

std::string Image::repo_digest() const {
  std::string n = name;
  auto at = n.find('@');
  if (at != std::string::npos) n = n.substr(0, at);
  auto slash = n.rfind('/');
  auto colon = n.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) n = n.substr(0, colon);
  return n + "@" + manifest_digest;
}

std::string Image::overlay_lowerdir() const {
  std::string out;
  for (auto it = layer_dirs.rbegin(); it != layer_dirs.rend(); ++it) out += (out.empty() ? "" : ":") + *it;
  return out;
}

std::unique_ptr<ImageService> open_image_service(const Options& opts, std::string* err) {
  try {
    return std::make_unique<ImageServiceImpl>(opts, RegistryConfig::load(opts.registry_config));
  } catch (const std::exception& e) {
    if (err) *err = e.what();
    return nullptr;
  }
}

}  // namespace skiff::images
