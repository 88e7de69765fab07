// The node IPAM allocator (CidrSet) and its flag handling: pure logic, no server.
#include <gtest/gtest.h>

#include <set>

#include "controllers/nodeipam.h"

namespace skiff::controllers {
namespace {

TEST(NodeIpam, ParseCidr) {
  auto c = parse_ipv4_cidr("10.244.0.0/16");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->prefix, 16);
  EXPECT_EQ(c->str(), "10.244.0.0/16");
  EXPECT_EQ(parse_ipv4_cidr("10.244.7.9/16")->str(), "10.244.0.0/16");  // host bits cleared
  EXPECT_EQ(parse_ipv4_cidr("0.0.0.0/0")->str(), "0.0.0.0/0");
  for (const char* bad : {"", "10.244.0.0", "10.244.0.0/", "10.244.0.0/33", "10.244.0/16",
                          "10.244.0.256/16", "10.244.0.0/16x", "fd00::/64", "a.b.c.d/8",
                          "10.244.0.0/-1", "10..0.0/8"})
    EXPECT_FALSE(parse_ipv4_cidr(bad)) << bad;
}

TEST(NodeIpam, MakeChecksMask) {
  EXPECT_TRUE(CidrSet::make("10.244.0.0/16", 24));
  EXPECT_EQ(CidrSet::make("10.244.0.0/16", 24)->capacity(), 256u);
  EXPECT_FALSE(CidrSet::make("10.244.0.0/16", 15));  // larger than the cluster CIDR
  EXPECT_FALSE(CidrSet::make("10.244.0.0/16", 31));
  EXPECT_FALSE(CidrSet::make("10.0.0.0/8", 30));      // 2^22 subnets
  EXPECT_FALSE(CidrSet::make("bogus", 24));
  EXPECT_EQ(CidrSet::make("10.244.0.0/16", 16)->capacity(), 1u);
}

TEST(NodeIpam, AllocatesInOrderUntilExhausted) {
  auto s = CidrSet::make("10.244.0.0/22", 24);
  ASSERT_TRUE(s);
  EXPECT_EQ(*s->allocate_next(), "10.244.0.0/24");
  EXPECT_EQ(*s->allocate_next(), "10.244.1.0/24");
  EXPECT_EQ(*s->allocate_next(), "10.244.2.0/24");
  EXPECT_EQ(*s->allocate_next(), "10.244.3.0/24");
  EXPECT_FALSE(s->allocate_next());
  EXPECT_EQ(s->used(), 4u);
}

TEST(NodeIpam, ReleaseMakesRoomNextFit) {
  auto s = CidrSet::make("10.244.0.0/22", 24);
  ASSERT_TRUE(s);
  for (int i = 0; i < 3; ++i) s->allocate_next();  // .0, .1, .2
  EXPECT_TRUE(s->release("10.244.1.0/24"));
  EXPECT_EQ(s->used(), 2u);
  // Next-fit: the untouched .3 first, then the freed .1.
  EXPECT_EQ(*s->allocate_next(), "10.244.3.0/24");
  EXPECT_EQ(*s->allocate_next(), "10.244.1.0/24");
  EXPECT_FALSE(s->allocate_next());
  EXPECT_TRUE(s->release("10.244.2.0/24"));
  EXPECT_EQ(*s->allocate_next(), "10.244.2.0/24");  // the only free one
  // Releasing twice, or something never handed out, does not corrupt the count.
  EXPECT_TRUE(s->release("10.244.2.0/24"));
  EXPECT_TRUE(s->release("10.244.2.0/24"));
  EXPECT_EQ(s->used(), 3u);
}

TEST(NodeIpam, OccupyRebuildsTheMap) {
  auto s = CidrSet::make("10.244.0.0/16", 24);
  ASSERT_TRUE(s);
  // What a restarted controller finds on existing nodes is never handed out again.
  EXPECT_TRUE(s->occupy("10.244.0.0/24"));
  EXPECT_TRUE(s->occupy("10.244.2.0/24"));
  EXPECT_TRUE(s->occupy("10.244.2.0/24"));  // idempotent
  EXPECT_EQ(s->used(), 2u);
  std::set<std::string> got;
  for (int i = 0; i < 254; ++i) {
    auto c = s->allocate_next();
    ASSERT_TRUE(c) << i;
    EXPECT_TRUE(got.insert(*c).second) << *c;
  }
  EXPECT_FALSE(got.count("10.244.0.0/24"));
  EXPECT_FALSE(got.count("10.244.2.0/24"));
  EXPECT_FALSE(s->allocate_next());
}

TEST(NodeIpam, OccupyOtherSizesAndOutOfRange) {
  auto s = CidrSet::make("10.244.0.0/16", 24);
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->occupy("10.244.4.0/23"));   // covers two subnets
  EXPECT_EQ(s->used(), 2u);
  EXPECT_TRUE(s->occupy("10.244.9.128/25"));  // inside one subnet: that subnet is taken
  EXPECT_EQ(s->used(), 3u);
  EXPECT_FALSE(s->occupy("10.128.0.0/24"));  // another range (e.g. a sim's own numbering)
  EXPECT_FALSE(s->occupy("10.0.0.0/8"));     // larger than the cluster CIDR
  EXPECT_FALSE(s->occupy("garbage"));
  EXPECT_FALSE(s->in_range("10.245.0.0/24"));
  EXPECT_TRUE(s->in_range("10.244.255.0/24"));
  EXPECT_EQ(s->used(), 3u);
  EXPECT_TRUE(s->release("10.244.4.0/23"));
  EXPECT_EQ(s->used(), 1u);
}

TEST(NodeIpam, Flags) {
  ControllerOptions o;
  EXPECT_EQ(o.cluster_cidr, "10.244.0.0/16");
  EXPECT_EQ(o.node_cidr_mask_size, 24);
  FlagSet fs("skiff test", "");
  add_node_ipam_flags(fs, o);
  EXPECT_EQ(fs.parse({"--port=1"}), FlagSet::Outcome::kError);
  ASSERT_EQ(fs.parse({"--cluster-cidr", "10.200.0.0/14", "--node-cidr-mask-size=26"}),
            FlagSet::Outcome::kOk);
  EXPECT_EQ(o.cluster_cidr, "10.200.0.0/14");
  EXPECT_EQ(o.node_cidr_mask_size, 26);
  EXPECT_TRUE(check_node_ipam_options(o));
  EXPECT_EQ(fs.parse({"--node-cidr-mask-size", "x"}), FlagSet::Outcome::kError);
  EXPECT_EQ(fs.parse({"--node-cidr-mask-size", "31"}), FlagSet::Outcome::kError);
  ASSERT_EQ(fs.parse({"--node-cidr-mask-size", "12"}), FlagSet::Outcome::kOk);
  EXPECT_FALSE(check_node_ipam_options(o));  // /12 subnets of a /14
  ASSERT_EQ(fs.parse({"--allocate-node-cidrs=false"}), FlagSet::Outcome::kOk);
  EXPECT_TRUE(check_node_ipam_options(o));  // off: nothing to check
  EXPECT_FALSE(o.allocate_node_cidrs);
  ASSERT_EQ(fs.parse({"--allocate-node-cidrs"}), FlagSet::Outcome::kOk);
  EXPECT_TRUE(o.allocate_node_cidrs);
  EXPECT_EQ(fs.parse({"--allocate-node-cidrs=yes"}), FlagSet::Outcome::kError);
  ASSERT_EQ(fs.parse({"--cluster-cidr="}), FlagSet::Outcome::kOk);
  EXPECT_TRUE(check_node_ipam_options(o));  // empty = off
}

}  // namespace
}  // namespace skiff::controllers
