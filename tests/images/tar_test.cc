#include "images/tar.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "images/digest.h"
#include "images/stream.h"
#include "tar_builder.h"

namespace skiff::images {
namespace {
namespace fs = std::filesystem;
using testing::TarBuilder;

class TarTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/skiff-tar-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void extract(const std::string& data, ExtractOptions o = {}) {
    auto r = decompressing_reader(string_reader(data));
    extract_tar(*r, dir_, o);
  }
  std::string slurp(const std::string& rel) {
    std::ifstream f(dir_ + "/" + rel);
    return std::string(std::istreambuf_iterator<char>(f), {});
  }
  std::string dir_;
};

TEST(CleanPath, Cases) {
  std::string out;
  ASSERT_TRUE(clean_archive_path("./a/./b//c/", out));
  EXPECT_EQ(out, "a/b/c");
  ASSERT_TRUE(clean_archive_path("/etc/passwd", out));
  EXPECT_EQ(out, "etc/passwd");
  ASSERT_TRUE(clean_archive_path("a/../b", out));
  EXPECT_EQ(out, "b");
  ASSERT_TRUE(clean_archive_path("./", out));
  EXPECT_EQ(out, "");
  EXPECT_FALSE(clean_archive_path("../x", out));
  EXPECT_FALSE(clean_archive_path("a/../../x", out));
}

TEST_F(TarTest, ExtractsAllKinds) {
  TarBuilder t;
  t.dir("./").dir("bin/", 0755).file("bin/sh", "#!echo\n", 04755, 12, 34)
      .symlink("bin/ash", "/bin/sh").hardlink("bin/sh2", "bin/sh").fifo("run.fifo")
      .chardev("dev/null", 1, 3).pax({{"path", std::string(150, 'x') + "/long"},
                                      {"SCHILY.xattr.user.k", "v"}})
      .file("ignored-name", "long!");
  extract(t.str());
  EXPECT_EQ(slurp("bin/sh"), "#!echo\n");
  struct stat st;
  ASSERT_EQ(lstat((dir_ + "/bin/sh").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 04755u);
  EXPECT_EQ(st.st_uid, 12u);
  EXPECT_EQ(st.st_gid, 34u);
  EXPECT_EQ(st.st_nlink, 2u);
  EXPECT_EQ(fs::read_symlink(dir_ + "/bin/ash"), "/bin/sh");
  ASSERT_EQ(lstat((dir_ + "/run.fifo").c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  ASSERT_EQ(lstat((dir_ + "/dev/null").c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(major(st.st_rdev), 1u);
  EXPECT_EQ(minor(st.st_rdev), 3u);
  std::string longp = std::string(150, 'x') + "/long";
  EXPECT_EQ(slurp(longp), "long!");
  char v[8] = {};
  if (getxattr((dir_ + "/" + longp).c_str(), "user.k", v, sizeof v) >= 0) {
    EXPECT_STREQ(v, "v");
  }
}

TEST_F(TarTest, GzipAndZstdAndDiffId) {
  std::string tar = TarBuilder().file("a", "hello").str();
  for (auto& data : {testing::gzip(tar), testing::zstd(tar), tar}) {
    auto r = decompressing_reader(string_reader(data));
    HashingReader h(*r);
    std::string sub = dir_ + "/x" + std::to_string(data.size());
    fs::create_directory(sub);
    extract_tar(h, sub);
    EXPECT_EQ(h.finish(), sha256_digest(tar));
    std::ifstream f(sub + "/a");
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(f), {}), "hello");
  }
  // Two concatenated gzip members are one stream.
  std::string two = testing::gzip(tar.substr(0, 512)) + testing::gzip(tar.substr(512));
  auto r = decompressing_reader(string_reader(two));
  HashingReader h(*r);
  EXPECT_EQ(h.finish(), sha256_digest(tar));
  auto bad = decompressing_reader(string_reader(testing::gzip(tar).substr(0, 20)));
  HashingReader hb(*bad);
  EXPECT_THROW(hb.finish(), std::runtime_error);
}

TEST_F(TarTest, Whiteouts) {
  extract(TarBuilder().dir("etc/").file("etc/.wh.passwd", "").file("etc/.wh..wh..opq", "")
              .file("etc/new", "n").file(".wh.gone", "").file(".wh..wh.plnk", "").str());
  struct stat st;
  ASSERT_EQ(lstat((dir_ + "/etc/passwd").c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_rdev, makedev(0, 0));
  ASSERT_EQ(lstat((dir_ + "/gone").c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  char v[4] = {};
  ASSERT_EQ(getxattr((dir_ + "/etc").c_str(), "trusted.overlay.opaque", v, sizeof v), 1);
  EXPECT_EQ(v[0], 'y');
  EXPECT_EQ(slurp("etc/new"), "n");
  EXPECT_FALSE(fs::exists(dir_ + "/.wh..wh.plnk"));
  EXPECT_FALSE(fs::exists(dir_ + "/etc/.wh.passwd"));
}

TEST_F(TarTest, RefusesEscapes) {
  EXPECT_THROW(extract(TarBuilder().file("../evil", "x").str()), std::runtime_error);
  EXPECT_THROW(extract(TarBuilder().hardlink("h", "../../etc/passwd").str()), std::runtime_error);
  // A symlink to outside, then a file through it: refused, nothing written outside.
  std::string outside = dir_ + "-outside";
  fs::create_directory(outside);
  EXPECT_THROW(extract(TarBuilder().symlink("link", outside).file("link/pwned", "x").str()),
               std::runtime_error);
  EXPECT_FALSE(fs::exists(outside + "/pwned"));
  EXPECT_THROW(extract(TarBuilder().symlink("l2", outside).dir("l2/sub/").str()),
               std::runtime_error);
  EXPECT_FALSE(fs::exists(outside + "/sub"));
  fs::remove_all(outside);
  // Absolute paths land inside.
  extract(TarBuilder().file("/abs", "in").str());
  EXPECT_EQ(slurp("abs"), "in");
  // A file replacing a directory and vice versa.
  extract(TarBuilder().dir("d/").file("d/x", "1").file("d", "now a file").dir("f/").str());
  EXPECT_EQ(slurp("d"), "now a file");
  EXPECT_THROW(extract(TarBuilder().file("trunc", "abc").str().substr(0, 600)), std::runtime_error);
}

}  // namespace
}  // namespace skiff::images
