#include "images/store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "images/digest.h"
#include "images/error.h"
#include "tar_builder.h"

namespace skiff::images {
namespace {
namespace fs = std::filesystem;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/skiff-store-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
};

TEST_F(StoreTest, BlobsVerifiedAndAtomic) {
  ContentStore s(dir_ + "/images");
  std::string d = s.write_blob("hello");
  EXPECT_EQ(d, sha256_digest("hello"));
  EXPECT_TRUE(s.has_blob(d));
  EXPECT_EQ(s.read_blob(d), "hello");
  EXPECT_THROW(s.write_blob("other", d), ImageError);
  EXPECT_EQ(s.read_blob(d), "hello");
  EXPECT_THROW(s.write_blob("x", "sha256:nothex"), ImageError);
  // Concurrent writers of the same blob: all succeed, one file, nothing left in tmp.
  std::string big(3 << 20, 'z');
  std::vector<std::thread> ts;
  for (int i = 0; i < 4; ++i) ts.emplace_back([&] { s.write_blob(big, sha256_digest(big)); });
  for (auto& t : ts) t.join();
  EXPECT_EQ(s.read_blob(sha256_digest(big)), big);
  EXPECT_TRUE(fs::is_empty(dir_ + "/images/tmp"));
}

TEST_F(StoreTest, LayersRecordsAndGc) {
  ContentStore s(dir_ + "/images");
  std::string tar1 = testing::TarBuilder().file("a", "1").str();
  std::string tar2 = testing::TarBuilder().file("b", "2").str();
  std::string b1 = s.write_blob(testing::gzip(tar1)), b2 = s.write_blob(testing::zstd(tar2));
  std::string d1 = sha256_digest(tar1), d2 = sha256_digest(tar2);
  EXPECT_THROW(s.unpack_layer(b1, d2), ImageError);  // wrong diffID: nothing kept
  EXPECT_FALSE(s.has_layer(d2));
  std::vector<std::thread> ts;
  for (int i = 0; i < 3; ++i) ts.emplace_back([&] { s.unpack_layer(b1, d1); });
  for (auto& t : ts) t.join();
  s.unpack_layer(b2, d2);
  EXPECT_TRUE(fs::exists(s.layer_dir(d1) + "/a"));
  EXPECT_TRUE(fs::exists(s.layer_dir(d2) + "/b"));
  EXPECT_TRUE(fs::is_empty(dir_ + "/images/tmp"));

  std::string cfg = s.write_blob("{}"), m1 = s.write_blob("m1"), m2 = s.write_blob("m2");
  Record r1{"docker.io/library/a:latest", m1, cfg, "linux/amd64", {b1}, {d1}, 1, 1};
  Record r2{"docker.io/library/b:latest", m2, cfg, "linux/amd64", {b1, b2}, {d1, d2}, 2, 2};
  s.put(r1);
  s.put(r2);
  s.put(r2);  // replaces by name
  ASSERT_EQ(s.records().size(), 2u);
  Record bad = r1;
  bad.name = "x";
  bad.diff_ids = {sha256_digest("missing")};
  EXPECT_THROW(s.put(bad), ImageError);

  ASSERT_TRUE(s.remove("docker.io/library/b:latest"));
  EXPECT_FALSE(s.remove("docker.io/library/b:latest"));
  EXPECT_TRUE(s.has_layer(d1));  // still used by a
  EXPECT_FALSE(s.has_layer(d2));
  EXPECT_FALSE(s.has_blob(b2));
  EXPECT_FALSE(s.has_blob(m2));
  EXPECT_TRUE(s.has_blob(cfg));
  ASSERT_TRUE(s.remove(cfg));  // by image ID
  EXPECT_FALSE(s.has_layer(d1));
  EXPECT_FALSE(s.has_blob(cfg));
  EXPECT_TRUE(s.records().empty());
}

}  // namespace
}  // namespace skiff::images
