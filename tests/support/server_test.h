// gtest fixtures around TestServer (test_server.h): the test's fixture derives from one and
// says how to start the server.
//
//   class Foo : public testsupport::SharedServerTest<Foo> {   // one server for the suite
//    public:
//     static testsupport::TestServer::Options server_options() { return {.args = {...}}; }
//   };
//   class Bar : public testsupport::ServerPerTest {             // one server per test
//    protected:
//     testsupport::TestServer::Options server_options() override { return {...}; }
//   };
//
// Both skip the test when there is no skiff binary and fail it when the server does not
// start; otherwise client_ talks to the server as its admin. A derived SetUp calls the base
// first and returns when IsSkipped() || HasFatalFailure().
#pragma once
#include <gtest/gtest.h>

#include <memory>
#include <optional>

#include "support/test_server.h"

namespace skiff::testsupport {

// One server for all tests of the suite (per Derived, so suites in one binary do not share).
template <class Derived>
class SharedServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = std::make_unique<TestServer>(Derived::server_options());
    server_->start();
  }
  static void TearDownTestSuite() { server_.reset(); }

  void SetUp() override {
    if (server_->skipped()) GTEST_SKIP() << server_->error();
    ASSERT_TRUE(server_->ready()) << server_->error();
    client_ = server_->client();
  }

  static inline std::unique_ptr<TestServer> server_;
  std::unique_ptr<client::Client> client_;
};

// A fresh server for each test, in a fresh directory that is kept when the test fails.
class ServerPerTest : public ::testing::Test {
 protected:
  virtual TestServer::Options server_options() { return {}; }

  void SetUp() override {
    server_.emplace(server_options());
    if (!server_->start()) {
      if (server_->skipped()) GTEST_SKIP() << server_->error();
      FAIL() << server_->error();
    }
    client_ = server_->client();
  }
  void TearDown() override {
    client_.reset();
    server_->keep_dir(HasFailure());
    server_.reset();
  }

  std::optional<TestServer> server_;
  std::unique_ptr<client::Client> client_;  // destroyed before the server it talks to
};

}  // namespace skiff::testsupport
