// The DNS codec: round trips, and malformed input that must give an error, not a crash.
#include "dns/message.h"

#include <gtest/gtest.h>

#include <random>

namespace skiff::dns {
namespace {

using Bytes = std::vector<uint8_t>;

Message query(const std::string& name, uint16_t t) {
  Message m;
  m.id = 0x1234;
  m.flags = kFlagRD;
  m.questions.push_back({name, t, kClassIN});
  return m;
}

TEST(Message, QueryRoundTrip) {
  Message q = query("Web.Default.svc.cluster.local", type::kSRV);
  Record opt;
  opt.type = type::kOPT;
  opt.klass = 4096;
  q.additional.push_back(opt);
  auto wire = encode(q);
  ASSERT_FALSE(wire.empty());
  auto p = parse(wire);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->id, 0x1234);
  EXPECT_EQ(p->flags & kFlagRD, kFlagRD);
  EXPECT_FALSE(p->flags & kFlagQR);
  ASSERT_EQ(p->questions.size(), 1u);
  EXPECT_EQ(p->questions[0].name, "Web.Default.svc.cluster.local");
  EXPECT_EQ(p->questions[0].type, type::kSRV);
  EXPECT_EQ(p->udp_size(), 4096);
}

TEST(Message, ResponseRoundTripAllTypes) {
  Message r = reply_to(query("x.cluster.local", type::kA), Rcode::kNxDomain);
  r.answers.push_back(a_record("a.cluster.local", 30, {10, 96, 0, 1}));
  Record aaaa;
  aaaa.name = "a.cluster.local";
  aaaa.type = type::kAAAA;
  aaaa.addr[0] = 0xfd;
  aaaa.addr[15] = 1;
  r.answers.push_back(aaaa);
  Record srv;
  srv.name = "_http._tcp.web.default.svc.cluster.local";
  srv.type = type::kSRV;
  srv.priority = 1;
  srv.weight = 100;
  srv.port = 8080;
  srv.target = "web.default.svc.cluster.local";
  r.answers.push_back(srv);
  Record ptr;
  ptr.name = "1.0.96.10.in-addr.arpa";
  ptr.type = type::kPTR;
  ptr.target = "web.default.svc.cluster.local";
  r.answers.push_back(ptr);
  Record soa;
  soa.name = "cluster.local";
  soa.type = type::kSOA;
  soa.target = "ns.dns.cluster.local";
  soa.rname = "hostmaster.cluster.local";
  soa.serial = 7;
  soa.minimum = 30;
  r.authority.push_back(soa);
  auto p = parse(encode(r));
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->flags & kFlagQR);
  EXPECT_EQ(p->rcode, Rcode::kNxDomain);
  ASSERT_EQ(p->answers.size(), 4u);
  EXPECT_EQ(p->answers[0].addr[0], 10);
  EXPECT_EQ(p->answers[0].addr[3], 1);
  EXPECT_EQ(p->answers[0].ttl, 30u);
  EXPECT_EQ(p->answers[1].type, type::kAAAA);
  EXPECT_EQ(p->answers[1].addr[15], 1);
  EXPECT_EQ(p->answers[2].port, 8080);
  EXPECT_EQ(p->answers[2].priority, 1);
  EXPECT_EQ(p->answers[2].target, "web.default.svc.cluster.local");
  EXPECT_EQ(p->answers[3].target, "web.default.svc.cluster.local");
  ASSERT_EQ(p->authority.size(), 1u);
  EXPECT_EQ(p->authority[0].rname, "hostmaster.cluster.local");
  EXPECT_EQ(p->authority[0].serial, 7u);
  EXPECT_EQ(p->authority[0].minimum, 30u);
}

TEST(Message, CompressedNamesAreRead) {
  // Question "a.example" at offset 12; an answer whose name is a pointer to it.
  Bytes w = {0, 1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 1, 'a', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 1, 0, 1,
             0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 1, 2, 3, 4};
  auto p = parse(w);
  ASSERT_TRUE(p);
  ASSERT_EQ(p->answers.size(), 1u);
  EXPECT_EQ(p->answers[0].name, "a.example");
  EXPECT_EQ(p->answers[0].ttl, 60u);
}

TEST(Message, TruncatesWhenTooBig) {
  Message r = reply_to(query("big.cluster.local", type::kA), Rcode::kNoError);
  for (int i = 0; i < 100; ++i) r.answers.push_back(a_record("big.cluster.local", 30, {10, 0, 0, uint8_t(i)}));
  auto w = encode(r, 512);
  ASSERT_FALSE(w.empty());
  EXPECT_LE(w.size(), 512u);
  auto p = parse(w);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->flags & kFlagTC);
  EXPECT_TRUE(p->answers.empty());
}

TEST(Message, MalformedInputIsAnError) {
  ParseError e;
  EXPECT_FALSE(parse(Bytes{0x12, 0x34, 1}, &e));
  EXPECT_FALSE(e.header_ok);
  EXPECT_FALSE(parse(Bytes{}, &e));

  Bytes header = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
  // A question count with no question.
  EXPECT_FALSE(parse(header, &e));
  EXPECT_TRUE(e.header_ok);
  EXPECT_EQ(e.id, 0x1234);
  // A label length past the end.
  Bytes w = header;
  w.insert(w.end(), {5, 'a', 'b'});
  EXPECT_FALSE(parse(w, &e));
  // A pointer to itself, and a loop of two pointers.
  w = header;
  w.insert(w.end(), {0xC0, 12, 0, 1, 0, 1});
  EXPECT_FALSE(parse(w, &e));
  w = header;
  w.insert(w.end(), {1, 'a', 0xC0, 14, 0, 1, 0, 1});
  EXPECT_FALSE(parse(w, &e));
  // A backward pointer that makes a loop through a label: ends at the 255-byte name limit.
  w = header;
  w.insert(w.end(), {1, 'a', 0xC0, 12, 0, 1, 0, 1});
  EXPECT_FALSE(parse(w, &e));
  // A pointer forward (past the end).
  w = header;
  w.insert(w.end(), {0xC0, 0xFF, 0, 1, 0, 1});
  EXPECT_FALSE(parse(w, &e));
  // A question without its type and class.
  w = header;
  w.insert(w.end(), {1, 'a', 0, 0});
  EXPECT_FALSE(parse(w, &e));
  // An answer whose rdata length runs past the end.
  w = {0, 1, 0x81, 0x80, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 200, 1, 2};
  EXPECT_FALSE(parse(w, &e));
  // An A record with 3 bytes of data.
  w = {0, 1, 0x81, 0x80, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 3, 1, 2, 3};
  EXPECT_FALSE(parse(w, &e));
  // Huge section counts.
  w = {0, 1, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
  EXPECT_FALSE(parse(w, &e));
}

TEST(Message, NamesOver255BytesAreRejected) {
  std::string name;
  for (int i = 0; i < 5; ++i) name += std::string(60, 'a') + ".";
  name += "x";
  EXPECT_TRUE(encode(query(name, type::kA)).empty());
  EXPECT_TRUE(encode(query(std::string(64, 'a') + ".x", type::kA)).empty());
}

TEST(Message, RandomBytesNeverCrash) {
  std::mt19937 rng(42);
  Bytes base = encode(query("web.default.svc.cluster.local", type::kA));
  int parsed = 0;
  for (int i = 0; i < 20000; ++i) {
    Bytes w = base;
    if (i % 2) w.resize(rng() % (w.size() + 1));
    for (int k = 0; k < 3; ++k)
      if (!w.empty()) w[rng() % w.size()] = static_cast<uint8_t>(rng());
    if (parse(w)) ++parsed;
  }
  EXPECT_GT(parsed, 0);  // some mutations stay valid; the point is that none crashed
}

}  // namespace
}  // namespace skiff::dns
