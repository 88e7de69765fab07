// KeyExpiry on the real SQLite store: a key goes once its time is up, a later write keeps it (the
// deadline was for the old revision), and count() follows.
#include <gtest/gtest.h>

#include <filesystem>

#include "storage/key_expiry.h"
#include "storage/sqlite_store.h"

namespace skiff::storage {
namespace {

class KeyExpiryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("skiff-expiry-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::string err;
    store_ = SqliteStore::open((dir_ / "db").string(), &err);
    ASSERT_TRUE(store_) << err;
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(KeyExpiryTest, DeletesDueKeysUnlessWrittenAgain) {
  auto a = store_->create("/e/a", "1");
  auto b = store_->create("/e/b", "1");
  auto c = store_->create("/e/c", "1");
  ASSERT_EQ(a.code, Code::kOk);
  EXPECT_EQ(store_->count("/e/"), 3);
  KeyExpiry x(*store_);
  x.expire_after("/e/a", a.kv.mod_revision, std::chrono::milliseconds(0));
  x.expire_after("/e/b", b.kv.mod_revision, std::chrono::milliseconds(0));
  x.expire_after("/e/c", c.kv.mod_revision, std::chrono::hours(1));
  auto b2 = store_->update("/e/b", "2", b.kv.mod_revision);  // written again: b stays
  ASSERT_EQ(b2.code, Code::kOk);
  EXPECT_EQ(x.expire_due(KeyExpiry::Clock::now()), 1u);
  EXPECT_EQ(store_->get("/e/a").code, Code::kNotFound);
  EXPECT_EQ(store_->get("/e/b").code, Code::kOk);
  EXPECT_EQ(store_->get("/e/c").code, Code::kOk);
  EXPECT_EQ(x.pending(), 1u);  // c, due in an hour
  EXPECT_EQ(store_->count("/e/"), 2);
  // A new deadline replaces the old one.
  x.expire_after("/e/c", c.kv.mod_revision, std::chrono::milliseconds(0));
  EXPECT_EQ(x.pending(), 1u);
  EXPECT_EQ(x.expire_due(KeyExpiry::Clock::now()), 1u);
  EXPECT_EQ(store_->count("/e/"), 1);
}

TEST_F(KeyExpiryTest, ItsThreadDeletesOnTime) {
  auto a = store_->create("/e/a", "1");
  KeyExpiry x(*store_);
  x.start();
  x.expire_after("/e/a", a.kv.mod_revision, std::chrono::milliseconds(50));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (store_->get("/e/a").code == Code::kOk && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(store_->get("/e/a").code, Code::kNotFound);
  x.stop();
}

}  // namespace
}  // namespace skiff::storage
