// Serving one request on a worker thread: the connection's blocking writes, the ResponseWriter
// (whole and chunked responses), hijacked streams, and afterwards handing the connection back to
// its strand for the next request, or closing it.
#include <poll.h>

#include <cctype>
#include <stdexcept>
#include <string_view>
#include <type_traits>

#include "common/log.h"
#include "net/https_internal.h"
#include "net/url.h"

namespace skiff::net::detail {

// ---- Conn: serving a request, on a worker ----

template <typename Buffers>
bool Conn::write_all(const Buffers& b) {
  beast::buffers_suffix<Buffers> rest(b);
  while (beast::buffer_bytes(rest) > 0) {
    error_code ec;
    set_deadline(srv.opts.write_timeout);
    size_t n = s.write_some(rest, ec);
    clear_deadline();
    if (ec) return false;
    rest.consume(n);
  }
  return true;
}

// An orderly TLS close (close_notify both ways), bounded in time.
void Conn::graceful_close() {
  error_code ec;
  set_deadline(kCloseTimeout);
  s.shutdown(ec);
  clear_deadline();
}

namespace {

// A connection taken over by its handler (ResponseWriter::hijack): bytes the HTTP parser read
// past the request come first, then the TLS stream itself. Used on the worker only.
class HijackedStream final : public RawStream {
 public:
  explicit HijackedStream(Conn& c) : c_(c) {}

  long read_some(char* out, size_t n) override {
    if (c_.srv.stopping) return -1;
    if (c_.buf.size() > 0) {
      size_t k = asio::buffer_copy(asio::buffer(out, n), c_.buf.data());
      c_.buf.consume(k);
      return static_cast<long>(k);
    }
    error_code ec;
    size_t k = c_.s.read_some(asio::buffer(out, n), ec);
    if (ec == asio::error::eof || ec == ssl::error::stream_truncated) return 0;
    return ec ? -1 : static_cast<long>(k);
  }
  bool write_all(std::string_view data) override {
    if (c_.srv.stopping) return false;
    return c_.write_all(asio::buffer(data.data(), data.size()));
  }
  int fd() const override { return c_.fd; }
  bool pending() override { return tls_pending(c_.s, c_.buf); }

 private:
  Conn& c_;
};

// The ResponseWriter of one request, used on the worker serving it.
class ConnWriter final : public ResponseWriter {
 public:
  ConnWriter(Conn& c, unsigned version, bool keep_alive, bool head)
      : c_(c), version_(version), want_keep_alive_(keep_alive), head_(head) {}

  RawStream* hijack() override {
    if (state_ != State::kNone) return nullptr;
    state_ = State::kHijacked;
    hijacked_ = std::make_unique<HijackedStream>(c_);
    return hijacked_.get();
  }

  void respond(int status, std::string_view content_type, std::string body,
               const Headers& extra) override {
    if (state_ != State::kNone) {
      SKIFF_LOG(ERROR) << "http: second response to one request ignored";
      return;
    }
    state_ = State::kResponded;
    http::response<http::string_body> res;
    res.version(version_);
    res.result(static_cast<unsigned>(status));
    if (!content_type.empty()) res.set(http::field::content_type, content_type);
    for (const auto& [k, v] : extra) res.insert(k, v);
    keep_alive_ = want_keep_alive_ && res.keep_alive() && !stopping();
    res.keep_alive(keep_alive_);
    bool no_body = status / 100 == 1 || status == 204 || status == 304;
    if (no_body) body.clear();
    else res.content_length(body.size());
    if (!head_) res.body() = std::move(body);
    http::response_serializer<http::string_body> sr(res);
    if (!write(sr)) broken_ = true;
  }

  bool start_stream(int status, std::string_view content_type, const Headers& extra) override {
    if (state_ != State::kNone) {
      SKIFF_LOG(ERROR) << "http: start_stream after a response ignored";
      return false;
    }
    state_ = State::kStreaming;
    http::response<http::empty_body> res;
    res.version(version_);
    res.result(static_cast<unsigned>(status));
    if (!content_type.empty()) res.set(http::field::content_type, content_type);
    for (const auto& [k, v] : extra) res.insert(k, v);
    keep_alive_ = want_keep_alive_ && res.keep_alive() && !stopping() && version_ >= 11;
    res.keep_alive(keep_alive_);
    res.chunked(true);
    http::response_serializer<http::empty_body> sr(res);
    if (!write(sr)) broken_ = true;
    return !client_gone();
  }

  bool write_chunk(std::string_view data) override {
    if (state_ != State::kStreaming || client_gone()) return false;  // also when hijacked
    if (data.empty() || head_) return true;  // an empty chunk would end the stream
    if (!c_.write_all(http::make_chunk(asio::const_buffer(data.data(), data.size()))))
      broken_ = true;
    return !broken_;
  }

  void end_stream() override {
    if (state_ != State::kStreaming) return;
    state_ = State::kEnded;
    if (broken_ || head_) return;  // a HEAD response has headers only
    if (!c_.write_all(http::make_chunk_last())) broken_ = true;
  }

  bool client_gone() override {
    if (broken_ || stopping()) return true;
    pollfd p{c_.fd, POLLIN | POLLRDHUP, 0};
    int r = ::poll(&p, 1, 0);
    // Readable during a response means EOF, an error, or (with TLS) a close_notify or garbage:
    // a well-behaved HTTP/1.1 client sends nothing while it waits for the response.
    if (r > 0 && (p.revents & (POLLIN | POLLRDHUP | POLLHUP | POLLERR | POLLNVAL))) broken_ = true;
    return broken_;
  }

  // After the handler: completes what it left open. Returns whether the connection may serve
  // another request.
  bool finish(const std::string& error) {
    if (state_ == State::kHijacked) return false;  // the handler owned it; close
    if (state_ == State::kNone) {
      if (!broken_) {
        ApiError e = ApiError::internal(error.empty() ? "the handler sent no response" : error);
        respond(e.code, "application/json", status_body(e), {});
      }
    } else if (state_ == State::kStreaming) {
      if (!error.empty()) broken_ = true;  // can't report it mid-stream; cut the stream
      end_stream();
    }
    return !broken_ && keep_alive_ && !stopping();
  }

  bool hijacked() const { return state_ == State::kHijacked; }

 private:
  enum class State { kNone, kResponded, kStreaming, kEnded, kHijacked };

  bool stopping() const { return c_.srv.stopping; }

  // Writes a response's header (only, for HEAD or a stream) or all of it, one TLS record at a
  // time, each under the write timeout.
  template <typename Serializer>
  bool write(Serializer& sr) {
    constexpr bool kStream = std::is_same_v<Serializer, http::response_serializer<http::empty_body>>;
    bool header_only = head_ || kStream;
    if (header_only) sr.split(true);
    while (header_only ? !sr.is_header_done() : !sr.is_done()) {
      error_code ec;
      c_.set_deadline(c_.srv.opts.write_timeout);
      http::write_some(c_.s, sr, ec);
      c_.clear_deadline();
      if (ec) return false;
    }
    return true;
  }

  Conn& c_;
  std::unique_ptr<HijackedStream> hijacked_;
  const unsigned version_;
  const bool want_keep_alive_;  // what the request asked for
  const bool head_;
  State state_ = State::kNone;
  bool keep_alive_ = false;  // what the response said
  bool broken_ = false;      // a write failed or the peer left: close the connection
};

Request build_request(http::request<http::string_body>&& msg, const Conn& c) {
  Request r;
  r.method = std::string(msg.method_string());
  r.target = std::string(msg.target());
  std::string_view t = r.target;
  size_t q = t.find('?');
  r.path = percent_decode(t.substr(0, q), false);
  if (q != std::string_view::npos) r.query = parse_query(t.substr(q + 1));
  for (const auto& f : msg) {
    std::string name(f.name_string());
    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    auto [it, inserted] = r.headers.emplace(name, std::string(f.value()));
    if (!inserted) it->second += ", " + std::string(f.value());
  }
  r.body = std::move(msg.body());
  r.remote_addr = c.remote;
  r.cert_user = c.cert_user;
  r.cert_groups = c.cert_groups;
  return r;
}

}  // namespace

void Conn::serve() {
  http::request<http::string_body> msg = parser->release();
  parser.reset();
  bool keep_alive = msg.keep_alive();
  unsigned version = msg.version();
  bool head = msg.method() == http::verb::head;
  Request req = build_request(std::move(msg), *this);

  ConnWriter w(*this, version, keep_alive, head);
  std::string error;
  try {
    srv.handler(req, w);
  } catch (const std::exception& e) {
    SKIFF_LOG(ERROR) << "http: handler for " << req.method << " " << req.path
                     << " threw: " << e.what();
    error = e.what()[0] ? e.what() : "handler failed";
  } catch (...) {
    SKIFF_LOG(ERROR) << "http: handler for " << req.method << " " << req.path
                     << " threw a non-exception";
    error = "handler failed";
  }
  bool again = w.finish(error);
  if (!again && !srv.stopping && !w.client_gone()) graceful_close();
  srv.inflight.fetch_sub(1);
  if (again) {
    asio::post(s.get_executor(), [self = shared_from_this()] { self->wait_request(false); });
    return;
  }
  close();
}

}  // namespace skiff::net::detail
