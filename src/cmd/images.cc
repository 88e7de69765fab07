// `skiff images`: import, list, remove and pull images in a node's store, whether or not the
// agent runs (the store is safe to share between processes).
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "cmd/commands.h"
#include "common/flags.h"
#include "images/images.h"

namespace skiff::cmd {
using images::Image;
using images::Options;
using images::PullPolicy;
using images::Status;
using images::open_image_service;

namespace {

const char* hint(Status::Code c) {
  switch (c) {
    case Status::Code::kInvalidReference:
      return "fix the image reference (e.g. nginx, nginx:1.25, registry:5000/team/app@sha256:...)";
    case Status::Code::kNotFound:
      return "check the repository and tag; `skiff images ls` lists local images; for a local "
             "registry or mirror, map the registry in --registry-config";
    case Status::Code::kUnauthorized:
      return "add username/password for this registry to the --registry-config file";
    case Status::Code::kRegistry:
      return "check that the registry is reachable from this node; without internet access, "
             "point the registry at a mirror in --registry-config";
    case Status::Code::kBadContent:
      return "the content failed verification and was not stored; re-push or re-export the image";
    case Status::Code::kIo:
      return "check that the data dir is writable (run as root, or pass --data-dir)";
    default:
      return "";
  }
}

int report(const Status& st, const std::string& what) {
  if (st.ok()) return 0;
  std::fprintf(stderr, "skiff images: %s: %s\n  hint: %s\n", what.c_str(), st.message.c_str(),
               hint(st.code));
  return 1;
}

std::string human_size(int64_t n) {
  char buf[32];
  if (n >= (1 << 20)) std::snprintf(buf, sizeof buf, "%.1fMB", n / 1048576.0);
  else std::snprintf(buf, sizeof buf, "%.1fkB", n / 1024.0);
  return buf;
}

std::string short_id(const std::string& id) { return id.size() > 19 ? id.substr(7, 12) : id; }

}  // namespace

int images_main(int argc, char** argv) {
  Options opts;
  FlagSet flags("skiff images", "[flags] COMMAND [ARGS]",
                "Imports, lists, removes and pulls images in a node's store, whether or not the agent\n"
                "runs.");
  flags.string("--data-dir", &opts.data_dir, "the node agent's data dir", "DIR")
      .string("--registry-config", &opts.registry_config,
              "registry mirrors and credentials (YAML or JSON; see docs/images.md)", "FILE")
      .allow_args(
          "commands:\n"
          "  import FILE...   import OCI image-layout or docker-archive tars (as made by\n"
          "                   `skopeo copy ... oci-archive:` or `docker save`)\n"
          "  ls               list the images on this node\n"
          "  rm REF|ID...     remove images (and their layers no other image uses)\n"
          "  pull REF         pull an image from its registry (or a mirror)");
  if (auto rc = flags.parse_or_exit(argc, argv)) return *rc;
  std::vector<std::string> args = flags.args();
  if (args.empty()) return flags.fail("a command is required (import, ls, rm or pull)");
  std::string cmd = args[0];
  args.erase(args.begin());
  bool ok_args = (cmd == "ls" && args.empty()) || ((cmd == "import" || cmd == "rm") && !args.empty()) ||
                 (cmd == "pull" && args.size() == 1);
  if (cmd != "ls" && cmd != "import" && cmd != "rm" && cmd != "pull")
    return flags.fail("unknown command " + cmd + " (import, ls, rm or pull)");
  if (!ok_args) return flags.fail("bad usage of " + cmd);
  std::string err;
  auto svc = open_image_service(opts, &err);
  if (!svc) {
    std::fprintf(stderr, "skiff images: %s\n  hint: %s\n", err.c_str(), hint(Status::Code::kIo));
    return 1;
  }
  auto progress = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
  int rc = 0;
  if (cmd == "ls") {
    std::printf("%-60s %-14s %-10s %s\n", "NAME", "IMAGE ID", "SIZE", "PLATFORM");
    for (auto& img : svc->list())
      std::printf("%-60s %-14s %-10s %s\n", img.name.c_str(), short_id(img.id).c_str(),
                  human_size(img.size).c_str(), img.platform.c_str());
  } else if (cmd == "import") {
    for (auto& f : args) {
      std::vector<Image> imgs;
      Status st = svc->import_archive(f, imgs, progress);
      for (auto& img : imgs) std::printf("imported %s (%s)\n", img.name.c_str(), short_id(img.id).c_str());
      rc |= report(st, "import " + f);
    }
  } else if (cmd == "rm") {
    for (auto& r : args) {
      Status st = svc->remove(r);
      if (st.ok()) std::printf("removed %s\n", r.c_str());
      rc |= report(st, "rm " + r);
    }
  } else if (cmd == "pull") {
    Image img;
    Status st = svc->ensure(args[0], PullPolicy::kAlways, img, progress);
    if (st.ok()) std::printf("%s %s\n", img.name.c_str(), img.manifest_digest.c_str());
    rc = report(st, "pull " + args[0]);
  }
  return rc;
}

}  // namespace skiff::cmd
