#include "images/reference.h"

#include <gtest/gtest.h>

namespace skiff::images {
namespace {

std::string norm(const char* s) {
  std::string err;
  auto r = parse_reference(s, &err);
  return r ? r->str() : "ERR: " + err;
}

TEST(Reference, NormalizesLikeDocker) {
  EXPECT_EQ(norm("nginx"), "docker.io/library/nginx:latest");
  EXPECT_EQ(norm("nginx:1.25"), "docker.io/library/nginx:1.25");
  EXPECT_EQ(norm("library/nginx"), "docker.io/library/nginx:latest");
  EXPECT_EQ(norm("docker.io/nginx"), "docker.io/library/nginx:latest");
  EXPECT_EQ(norm("index.docker.io/library/nginx"), "docker.io/library/nginx:latest");
  EXPECT_EQ(norm("bitnami/redis:7"), "docker.io/bitnami/redis:7");
  EXPECT_EQ(norm("quay.io/coreos/etcd"), "quay.io/coreos/etcd:latest");
  EXPECT_EQ(norm("localhost/foo"), "localhost/foo:latest");
  EXPECT_EQ(norm("localhost:5000/foo/bar:v1"), "localhost:5000/foo/bar:v1");
  EXPECT_EQ(norm("[::1]:5000/foo"), "[::1]:5000/foo:latest");
  EXPECT_EQ(norm("a__b/c-d---e/f.g_h"), "docker.io/a__b/c-d---e/f.g_h:latest");
}

TEST(Reference, Digests) {
  std::string d = "sha256:" + std::string(64, 'a');
  auto r = parse_reference("host:5000/a/b@" + d);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->domain, "host:5000");
  EXPECT_EQ(r->path, "a/b");
  EXPECT_EQ(r->tag, "");
  EXPECT_EQ(r->digest, d);
  EXPECT_EQ(r->manifest_ref(), d);
  EXPECT_EQ(r->str(), "host:5000/a/b@" + d);
  auto both = parse_reference("nginx:1.25@" + d);
  ASSERT_TRUE(both);
  EXPECT_EQ(both->tag, "1.25");
  EXPECT_EQ(both->manifest_ref(), d);
  EXPECT_EQ(both->str(), "docker.io/library/nginx:1.25@" + d);
  EXPECT_EQ(parse_reference("nginx")->manifest_ref(), "latest");
}

TEST(Reference, Invalid) {
  for (const char* bad :
       {"", ":tag", "Nginx", "nginx:", "nginx@sha256:abc", "nginx@md5:" , "a//b", "a/", "/a",
        "-a", "a-", "a..b", "a___b", "nginx:-x", "nginx:a b", "host:port/x", "ho_st:5000/x",
        "nginx@sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}) {
    std::string err;
    EXPECT_FALSE(parse_reference(bad, &err)) << bad;
    EXPECT_FALSE(err.empty()) << bad;
  }
  std::string err;
  parse_reference("Foo/bar", &err);  // upper case in the first component makes it a domain
  EXPECT_FALSE(parse_reference("foo/Bar", &err));
  EXPECT_NE(err.find("lowercase"), std::string::npos);
  EXPECT_FALSE(parse_reference("nginx:" + std::string(129, 'a')));
  EXPECT_TRUE(parse_reference("nginx:" + std::string(128, 'a')));
}

}  // namespace
}  // namespace skiff::images
