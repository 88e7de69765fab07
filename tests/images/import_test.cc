#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "image_builder.h"
#include "images/images.h"

namespace skiff::images {
namespace {
namespace fs = std::filesystem;
using namespace testing;

class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/skiff-import-XXXXXX";
    dir_ = mkdtemp(tmpl);
    std::string err;
    svc_ = open_image_service(Options{dir_ + "/agent", "", "linux", "amd64"}, &err);
    ASSERT_TRUE(svc_) << err;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& data) {
    std::ofstream(dir_ + "/" + name) << data;
    return dir_ + "/" + name;
  }
  std::string dir_;
  std::unique_ptr<ImageService> svc_;
};

// Layer 1: a base tree; layer 2 deletes a file and makes a directory opaque.
std::vector<std::string> base_layers() {
  return {TarBuilder().dir("bin/").file("bin/sh", "shell", 0755).dir("etc/")
              .file("etc/passwd", "root").file("etc/group", "g").dir("data/").file("data/old", "o").str(),
          TarBuilder().file("etc/.wh.passwd", "").dir("data/").file("data/.wh..wh..opq", "")
              .file("data/new", "n").str()};
}

TEST_F(ImportTest, OciArchiveWithIndexAndOverlay) {
  TestImage amd = make_image(base_layers(), "amd64", "gzip");
  TestImage arm = make_image({TarBuilder().file("arm", "x").str()}, "arm64", "zstd");
  Blob index = make_index({{&arm, "arm64"}, {&amd, "amd64"}});
  std::vector<Blob> blobs = amd.all();
  for (auto& b : arm.all()) blobs.push_back(b);
  blobs.push_back(index);
  std::vector<Image> imgs;
  Status st = svc_->import_archive(write("oci.tar", oci_archive(blobs, index, "example.com/app:v1")), imgs);
  ASSERT_TRUE(st.ok()) << st.message;
  ASSERT_EQ(imgs.size(), 1u);
  Image& img = imgs[0];
  EXPECT_EQ(img.name, "example.com/app:v1");
  EXPECT_EQ(img.id, amd.config.digest);
  EXPECT_EQ(img.manifest_digest, amd.manifest.digest);
  EXPECT_EQ(img.repo_digest(), "example.com/app@" + amd.manifest.digest);
  EXPECT_EQ(img.platform, "linux/amd64");
  EXPECT_EQ(img.config.entrypoint, std::vector<std::string>{"/bin/sh"});
  EXPECT_EQ(img.config.cmd, (std::vector<std::string>{"-c", "echo hi"}));
  EXPECT_EQ(img.config.env, (std::vector<std::string>{"PATH=/bin", "A=b"}));
  EXPECT_EQ(img.config.working_dir, "/work");
  EXPECT_EQ(img.config.user, "1000:1000");
  ASSERT_EQ(img.layer_dirs.size(), 2u);
  EXPECT_EQ(img.overlay_lowerdir(), img.layer_dirs[1] + ":" + img.layer_dirs[0]);
  // Only the amd64 content was stored.
  EXPECT_FALSE(fs::exists(dir_ + "/agent/images/blobs/sha256/" + arm.layers[0].digest.substr(7)));

  // The layers stack as an overlay: whiteout hides etc/passwd, the opaque dir hides data/old.
  std::string m = dir_ + "/merged";
  fs::create_directory(m);
  std::string opt = "lowerdir=" + img.overlay_lowerdir();
  ASSERT_EQ(mount("overlay", m.c_str(), "overlay", MS_RDONLY, opt.c_str()), 0) << strerror(errno);
  EXPECT_TRUE(fs::exists(m + "/bin/sh"));
  EXPECT_TRUE(fs::exists(m + "/etc/group"));
  EXPECT_FALSE(fs::exists(m + "/etc/passwd"));
  EXPECT_FALSE(fs::exists(m + "/data/old"));
  EXPECT_TRUE(fs::exists(m + "/data/new"));
  umount(m.c_str());

  // ls, get by name and by ID, rm.
  ASSERT_EQ(svc_->list().size(), 1u);
  Image got;
  EXPECT_TRUE(svc_->get("example.com/app:v1", got).ok());
  EXPECT_TRUE(svc_->get(amd.config.digest.substr(0, 19), got).ok());
  EXPECT_TRUE(svc_->ensure("example.com/app:v1", PullPolicy::kNever, got).ok());
  EXPECT_EQ(svc_->ensure("example.com/other", PullPolicy::kNever, got).code, Status::Code::kNotFound);
  EXPECT_TRUE(svc_->remove("example.com/app:v1").ok());
  EXPECT_EQ(svc_->remove("example.com/app:v1").code, Status::Code::kNotFound);
  EXPECT_TRUE(svc_->list().empty());
  EXPECT_TRUE(fs::is_empty(dir_ + "/agent/images/layers/sha256"));
  EXPECT_TRUE(fs::is_empty(dir_ + "/agent/images/blobs/sha256"));
}

TEST_F(ImportTest, DockerArchiveSharesLayers) {
  TestImage img = make_image(base_layers(), "amd64", "none");
  std::vector<Image> imgs;
  Status st = svc_->import_archive(write("d.tar", gzip(docker_archive(img, {"busy:1", "reg:5000/x/busy:2"}))), imgs);
  ASSERT_TRUE(st.ok()) << st.message;
  ASSERT_EQ(imgs.size(), 2u);
  EXPECT_EQ(imgs[0].name, "docker.io/library/busy:1");
  EXPECT_EQ(imgs[1].name, "reg:5000/x/busy:2");
  EXPECT_EQ(imgs[0].layer_dirs, imgs[1].layer_dirs);
  EXPECT_TRUE(fs::exists(imgs[0].layer_dirs[0] + "/bin/sh"));
  // An OCI archive of the same layers (compressed differently) reuses the unpacked layers.
  TestImage other = make_image(base_layers(), "amd64", "zstd");
  std::vector<Image> more;
  ASSERT_TRUE(svc_->import_archive(write("o.tar", oci_archive(other.all(), other.manifest, "other:1")), more).ok());
  EXPECT_EQ(more[0].layer_dirs, imgs[0].layer_dirs);
  EXPECT_TRUE(svc_->remove("busy:1").ok());
  EXPECT_TRUE(fs::exists(imgs[0].layer_dirs[0] + "/bin/sh"));  // still used
  EXPECT_EQ(svc_->list().size(), 2u);
}

TEST_F(ImportTest, BadArchives) {
  std::vector<Image> imgs;
  EXPECT_FALSE(svc_->import_archive(write("x.tar", TarBuilder().file("a", "b").str()), imgs).ok());
  EXPECT_FALSE(svc_->import_archive(dir_ + "/missing.tar", imgs).ok());
  // A blob whose content does not match its name: rejected, nothing recorded.
  TestImage img = make_image(base_layers());
  std::vector<Blob> blobs = img.all();
  blobs[0].data = gzip(TarBuilder().file("evil", "x").str());
  Status st = svc_->import_archive(write("bad.tar", oci_archive(blobs, img.manifest, "bad:1")), imgs);
  EXPECT_EQ(st.code, Status::Code::kBadContent) << st.message;
  // Wrong diffID in the config: rejected.
  TestImage lie = make_image(base_layers());
  lie.layer_tars[0] = TarBuilder().file("different", "x").str();
  st = svc_->import_archive(write("lie.tar", docker_archive(lie, {"lie:1"})), imgs);
  EXPECT_EQ(st.code, Status::Code::kBadContent) << st.message;
  EXPECT_TRUE(svc_->list().empty());
  EXPECT_TRUE(fs::is_empty(dir_ + "/agent/images/layers/sha256"));
  EXPECT_TRUE(fs::is_empty(dir_ + "/agent/images/tmp"));
}

}  // namespace
}  // namespace skiff::images
