// Unit tests of the WebSocket and SPDY/3.1 codecs (streaming/websocket.h, streaming/spdy.h).
#include <gtest/gtest.h>
#include <zlib.h>

#include "streaming/remotecommand.h"
#include "streaming/spdy.h"
#include "streaming/websocket.h"

namespace skiff::streaming {
namespace {

TEST(WebSocket, AcceptKeyOfRfc6455Example) {
  EXPECT_EQ(websocket_accept("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WebSocket, NegotiatesInServerPreferenceOrder) {
  net::Request req;
  req.method = "GET";
  req.headers["connection"] = "keep-alive, Upgrade";
  req.headers["upgrade"] = "websocket";
  req.headers["sec-websocket-protocol"] = "v4.channel.k8s.io, v5.channel.k8s.io";
  EXPECT_TRUE(is_websocket_request(req));
  EXPECT_EQ(negotiate_subprotocol(req, {"v5.channel.k8s.io", "v4.channel.k8s.io"}),
            "v5.channel.k8s.io");
  EXPECT_EQ(negotiate_subprotocol(req, {"base64.channel.k8s.io"}), "");
}

TEST(WebSocket, MaskedFramesOfEveryLengthEncodingRoundTrip) {
  const uint8_t mask[4] = {1, 2, 3, 250};
  for (size_t n : {size_t{0}, size_t{1}, size_t{125}, size_t{126}, size_t{65535}, size_t{65536},
                   size_t{200000}}) {
    std::string payload(n, '\0');
    for (size_t i = 0; i < n; ++i) payload[i] = static_cast<char>(i * 7);
    std::string wire = encode_frame(Opcode::kBinary, payload, true, mask);
    FrameDecoder d(true);
    d.feed(wire.substr(0, wire.size() / 2));  // in two pieces
    if (wire.size() / 2 > 0 && n > 0) {
      EXPECT_FALSE(d.next().has_value());
    }
    d.feed(wire.substr(wire.size() / 2));
    auto f = d.next();
    ASSERT_TRUE(f.has_value()) << n;
    EXPECT_EQ(f->payload, payload);
    EXPECT_EQ(f->opcode, Opcode::kBinary);
    EXPECT_TRUE(f->fin);
  }
}

TEST(WebSocket, ServerRejectsUnmaskedClientFrames) {
  FrameDecoder d(true);
  d.feed(encode_frame(Opcode::kText, "hi"));
  EXPECT_FALSE(d.next().has_value());
  EXPECT_NE(d.error(), "");
}

TEST(WebSocket, RejectsOversizedControlFrames) {
  const uint8_t mask[4] = {9, 9, 9, 9};
  FrameDecoder d(true);
  d.feed(encode_frame(Opcode::kPing, std::string(126, 'x'), true, mask));
  EXPECT_FALSE(d.next().has_value());
  EXPECT_NE(d.error(), "");
}

TEST(WebSocket, FragmentedMessageWithInterleavedPing) {
  const uint8_t mask[4] = {7, 7, 7, 7};
  FrameDecoder d(true);
  d.feed(encode_frame(Opcode::kBinary, "\x01hel", false, mask));
  d.feed(encode_frame(Opcode::kPing, "p", true, mask));
  d.feed(encode_frame(Opcode::kContinuation, "lo", true, mask));
  MessageAssembler a;
  using K = MessageAssembler::Kind;
  auto e1 = a.on_frame(*d.next());
  EXPECT_EQ(e1.kind, K::kNone);
  auto e2 = a.on_frame(*d.next());
  EXPECT_EQ(e2.kind, K::kPing);
  EXPECT_EQ(e2.payload, "p");
  auto e3 = a.on_frame(*d.next());
  EXPECT_EQ(e3.kind, K::kMessage);
  EXPECT_EQ(e3.payload, "\x01hello");
  // A continuation without a message is a protocol error.
  Frame stray{true, Opcode::kContinuation, "x"};
  EXPECT_EQ(a.on_frame(stray).kind, K::kError);
}

TEST(WebSocket, ClosePayload) {
  EXPECT_EQ(close_payload(1000, "bye"), std::string("\x03\xe8" "bye", 5));
}

TEST(Spdy, DictionaryIsTheSpdy3One) {
  const auto& d = spdy_dictionary();
  EXPECT_EQ(d.size(), 1423u);
  EXPECT_EQ(d.substr(0, 11), std::string("\0\0\0\7options", 11));
  EXPECT_EQ(d.substr(d.size() - 6), "enq=0.");
  EXPECT_EQ(adler32(1, reinterpret_cast<const Bytef*>(d.data()), static_cast<uInt>(d.size())),
            0xe3c6a7c2u);
}

TEST(Spdy, HeadersSurviveSharedCompressionContexts) {
  SpdyCodec client, server;
  // Several frames: each header block depends on the previous ones' zlib state.
  for (uint32_t id = 1; id <= 9; id += 2) {
    std::string wire = client.syn_stream(id, {{"streamType", "stdout"}, {"port", "80"},
                                              {"requestID", std::to_string(id)}});
    for (char c : wire) server.feed(std::string_view(&c, 1));  // byte by byte
    auto f = server.next();
    ASSERT_TRUE(f.has_value()) << server.error();
    EXPECT_EQ(f->type, SpdyType::kSynStream);
    EXPECT_EQ(f->stream_id, id);
    EXPECT_EQ(f->header("streamtype"), "stdout");
    EXPECT_EQ(f->header("requestid"), std::to_string(id));
    // and the reply direction
    client.feed(server.syn_reply(id, {{"x", "y"}}));
    auto r = client.next();
    ASSERT_TRUE(r.has_value()) << client.error();
    EXPECT_EQ(r->type, SpdyType::kSynReply);
    EXPECT_EQ(r->header("x"), "y");
  }
}

TEST(Spdy, DataPingRstGoaway) {
  SpdyCodec c;
  c.feed(SpdyCodec::data(3, "hello", kSpdyFlagFin));
  c.feed(SpdyCodec::ping(42));
  c.feed(SpdyCodec::rst_stream(5, 5));
  c.feed(SpdyCodec::goaway(7, 0));
  auto d = c.next();
  ASSERT_TRUE(d);
  EXPECT_EQ(d->type, SpdyType::kData);
  EXPECT_EQ(d->stream_id, 3u);
  EXPECT_EQ(d->data, "hello");
  EXPECT_TRUE(d->fin());
  auto p = c.next();
  ASSERT_TRUE(p);
  EXPECT_EQ(p->type, SpdyType::kPing);
  EXPECT_EQ(p->stream_id, 42u);
  auto r = c.next();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->type, SpdyType::kRstStream);
  EXPECT_EQ(r->status, 5u);
  auto g = c.next();
  ASSERT_TRUE(g);
  EXPECT_EQ(g->type, SpdyType::kGoaway);
  EXPECT_EQ(g->stream_id, 7u);
  EXPECT_FALSE(c.next());
  EXPECT_EQ(c.error(), "");
}

TEST(Spdy, CorruptHeaderBlockIsAnError) {
  SpdyCodec c;
  // A SYN_STREAM whose header block is not zlib data.
  std::string bad("\x80\x03\x00\x01\x00\x00\x00\x0e\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00garb", 22);
  c.feed(bad);
  EXPECT_FALSE(c.next());
  EXPECT_NE(c.error(), "");
}

TEST(RemoteCommand, ExitStatusJson) {
  EXPECT_EQ(exit_status_json({0, "", false}), R"({"metadata":{},"status":"Success"})");
  std::string fail = exit_status_json({3, "", false});
  EXPECT_NE(fail.find(R"("reason":"NonZeroExitCode")"), std::string::npos) << fail;
  EXPECT_NE(fail.find(R"("causes":[{"reason":"ExitCode","message":"3"}])"), std::string::npos)
      << fail;
  std::string internal = exit_status_json({0, "boom", true});
  EXPECT_NE(internal.find(R"("reason":"InternalError")"), std::string::npos) << internal;
}

TEST(RemoteCommand, OptionsFromQuery) {
  net::Request req;
  req.query = {{"command", "sh"}, {"command", "-c"}, {"command", "echo"}, {"stdin", "true"},
               {"stdout", "1"}, {"stderr", "true"}, {"tty", "false"}};
  auto o = parse_remote_command_options(req);
  EXPECT_EQ(o.command, (std::vector<std::string>{"sh", "-c", "echo"}));
  EXPECT_TRUE(o.stdin && o.stdout && o.stderr);
  EXPECT_FALSE(o.tty);
}

}  // namespace
}  // namespace skiff::streaming
