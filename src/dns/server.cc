// The DNS server (server.h): transports, forwarding and the upstream cache.
#include "dns/server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include "common/log.h"

namespace skiff::dns {
namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;
using Clock = std::chrono::steady_clock;
using Bytes = std::vector<uint8_t>;
using Done = std::function<void(Bytes)>;  // the reply; empty = send nothing

namespace {

constexpr size_t kMaxUdpReply = 4096;

// "ADDR:PORT", "[V6]:PORT", or with default_port "ADDR" / "V6".
std::optional<std::pair<asio::ip::address, uint16_t>> parse_hostport(const std::string& s, int default_port) {
  std::string host = s, port;
  if (!s.empty() && s[0] == '[') {
    auto close = s.find(']');
    if (close == std::string::npos) return std::nullopt;
    host = s.substr(1, close - 1);
    if (close + 1 < s.size()) {
      if (s[close + 1] != ':') return std::nullopt;
      port = s.substr(close + 2);
    }
  } else if (std::count(s.begin(), s.end(), ':') == 1) {
    host = s.substr(0, s.find(':'));
    port = s.substr(s.find(':') + 1);
  }
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(host, ec);
  if (ec) return std::nullopt;
  int p = default_port;
  if (!port.empty()) {
    if (port.size() > 5 || !std::all_of(port.begin(), port.end(), ::isdigit)) return std::nullopt;
    p = std::stoi(port);
  }
  if (p < 0 || p > 65535) return std::nullopt;
  return std::pair{addr, static_cast<uint16_t>(p)};
}

std::string cache_key(const Question& q) {
  return lower(q.name) + "/" + std::to_string(q.type) + "/" + std::to_string(q.klass);
}

// Upstream answers by question. Bounded: when full, expired entries go first, then the one
// that expires soonest.
class Cache {
 public:
  explicit Cache(size_t max) : max_(max) {}
  // The cached reply with its TTLs lowered by the time it has been cached, or nullopt.
  std::optional<Message> get(const std::string& key, Clock::time_point now) {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    if (now >= it->second.expires) {
      entries_.erase(it);
      return std::nullopt;
    }
    Message m = it->second.reply;
    const auto age = static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(now - it->second.stored).count());
    for (auto* sec : {&m.answers, &m.authority, &m.additional})
      for (auto& r : *sec)
        if (r.type != type::kOPT) r.ttl = r.ttl > age ? r.ttl - age : 0;
    return m;
  }
  void put(const std::string& key, Message reply, uint32_t ttl, Clock::time_point now) {
    if (max_ == 0 || ttl == 0) return;
    std::lock_guard lock(mu_);
    if (entries_.size() >= max_ && !entries_.count(key)) {
      std::erase_if(entries_, [&](const auto& e) { return now >= e.second.expires; });
      if (entries_.size() >= max_)
        entries_.erase(std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
          return a.second.expires < b.second.expires;
        }));
    }
    entries_[key] = Entry{std::move(reply), now, now + std::chrono::seconds(ttl)};
  }

 private:
  struct Entry {
    Message reply;
    Clock::time_point stored, expires;
  };
  const size_t max_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // guarded by mu_
};

// How long an upstream reply may be cached: the smallest TTL of its records (for a negative
// answer, the SOA's, bounded by its minimum field, RFC 2308), at most max_ttl. 0 = do not.
uint32_t cache_ttl(const Message& m, uint32_t max_ttl) {
  if (m.flags & kFlagTC) return 0;
  if (m.rcode != Rcode::kNoError && m.rcode != Rcode::kNxDomain) return 0;
  std::optional<uint32_t> ttl;
  auto take = [&](uint32_t t) { ttl = ttl ? std::min(*ttl, t) : t; };
  for (const auto& r : m.answers) take(r.ttl);
  if (m.answers.empty())
    for (const auto& r : m.authority)
      if (r.type == type::kSOA) take(std::min(r.ttl, r.minimum));
  return ttl ? std::min(*ttl, max_ttl) : 0;
}

}  // namespace

std::vector<std::string> resolv_conf_nameservers(const std::string& text, bool skip_loopback) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream l(line);
    std::string key, value;
    if (!(l >> key >> value) || key != "nameserver") continue;
    boost::system::error_code ec;
    auto a = asio::ip::make_address(value, ec);
    if (ec) continue;
    if (skip_loopback && a.is_loopback()) continue;
    out.push_back(value);
  }
  return out;
}

struct Server::Impl {
  Impl(const Zone& z, ServerOptions opts) : zone(z), o(std::move(opts)), cache(o.cache_entries) {}

  const Zone& zone;
  const ServerOptions o;
  Cache cache;  // thread-safe
  std::vector<udp::endpoint> upstreams;  // set in start(), read-only afterwards
  std::atomic<uint64_t> upstream_count{0};
  std::atomic<size_t> tcp_connections{0};
  // Declared before the sockets: they must be destroyed before the io_context.
  asio::io_context io;
  asio::strand<asio::io_context::executor_type> udp_strand{asio::make_strand(io)};
  udp::socket udp_sock{udp_strand};
  tcp::acceptor acceptor{io};
  std::array<uint8_t, 65535> udp_buf{};  // used by the one pending receive (on udp_strand)
  udp::endpoint udp_peer;
  std::vector<std::thread> threads;
  uint16_t port = 0;

  void handle(const Bytes& query, bool over_tcp, Done done);
  void forward(Message q, Done done);
  void udp_receive();
  void tcp_accept();
};

// Answers one query from any transport.
void Server::Impl::handle(const Bytes& wire, bool over_tcp, Done done) {
  if (o.metrics)
    done = [m = o.metrics, d = std::move(done)](Bytes r) {
      if (r.size() >= 4) m->response(r[3] & 15);
      d(std::move(r));
    };
  ParseError err;
  auto q = parse(wire, &err);
  if (!q) {
    if (!err.header_ok || (err.flags & kFlagQR)) return done({});  // not even a query: drop
    Message r;
    r.id = err.id;
    r.flags = static_cast<uint16_t>(kFlagQR | (err.flags & kFlagRD));
    r.rcode = Rcode::kFormErr;
    return done(encode(r));
  }
  if (q->flags & kFlagQR) return done({});
  const size_t max = over_tcp ? 65535 : std::min<size_t>(q->udp_size(), kMaxUdpReply);
  if (q->opcode != 0) return done(encode(reply_to(*q, Rcode::kNotImp), max));
  if (q->questions.size() != 1) return done(encode(reply_to(*q, Rcode::kFormErr), max));
  const Question& question = q->questions[0];
  if (o.metrics) o.metrics->request(over_tcp, question.type);
  if (question.klass == kClassIN) {
    if (auto a = zone.lookup(question.name, question.type)) {
      Message r = reply_to(*q, a->rcode);
      r.flags |= kFlagAA | kFlagRA;
      r.answers = std::move(a->answers);
      r.authority = std::move(a->authority);
      return done(encode(r, max));
    }
  }
  auto hit = cache.get(cache_key(question), Clock::now());
  if (o.metrics) hit ? o.metrics->cache_hit() : o.metrics->cache_miss();
  if (hit) {
    hit->id = q->id;
    hit->questions = q->questions;  // the asker's case (some resolvers check it, "0x20" bits)
    return done(encode(*hit, max));
  }
  forward(std::move(*q), std::move(done));
}

namespace {
// One forwarded query: each upstream in turn, with a timeout, until one answers.
struct Forward : std::enable_shared_from_this<Forward> {
  Forward(asio::io_context& io, std::vector<udp::endpoint> ups, std::chrono::milliseconds timeout, Message q,
          std::function<void(std::optional<Message>, Bytes)> finish)
      : strand(asio::make_strand(io)),
        sock(strand),
        timer(strand),
        upstreams(std::move(ups)),
        timeout(timeout),
        query(std::move(q)),
        on_finish(std::move(finish)) {
    static thread_local std::mt19937 rng{std::random_device{}()};
    id = static_cast<uint16_t>(rng());
    Message out = query;
    out.id = id;
    wire = encode(out);
  }

  void attempt() {
    if (done) return;
    if (next >= upstreams.size() || wire.empty()) return finish(std::nullopt, {});
    const udp::endpoint ep = upstreams[next++];
    const int g = ++gen;
    boost::system::error_code ec;
    sock.close(ec);
    sock.open(ep.protocol(), ec);
    if (ec) return attempt();
    if (count) ++*count;
    if (metrics) metrics->forward();
    auto self = shared_from_this();
    sock.async_send_to(asio::buffer(wire), ep, asio::bind_executor(strand, [self, g](auto ec, size_t) {
                         if (ec && g == self->gen) self->attempt();
                       }));
    timer.expires_after(timeout);
    timer.async_wait(asio::bind_executor(strand, [self, g](auto ec) {
      if (!ec && g == self->gen) self->attempt();
    }));
    receive(g, ep);
  }

  void receive(int g, udp::endpoint ep) {
    auto self = shared_from_this();
    sock.async_receive_from(asio::buffer(buf), from, asio::bind_executor(strand, [self, g, ep](auto ec, size_t n) {
                              if (ec || g != self->gen || self->done) return;  // the timer moves on
                              auto m = parse(std::span(self->buf.data(), n));
                              if (self->from != ep || !m || m->id != self->id || !(m->flags & kFlagQR) ||
                                  m->questions.size() != 1 ||
                                  lower(m->questions[0].name) != lower(self->query.questions[0].name) ||
                                  m->questions[0].type != self->query.questions[0].type)
                                return self->receive(g, ep);  // not the answer: keep listening
                              self->finish(std::move(m), Bytes(self->buf.begin(), self->buf.begin() + n));
                            }));
  }

  void finish(std::optional<Message> m, Bytes bytes) {
    done = true;
    ++gen;
    boost::system::error_code ec;
    timer.cancel();
    sock.close(ec);
    on_finish(std::move(m), std::move(bytes));
  }

  asio::strand<asio::io_context::executor_type> strand;
  udp::socket sock;            // on strand
  asio::steady_timer timer;    // on strand
  const std::vector<udp::endpoint> upstreams;
  const std::chrono::milliseconds timeout;
  const Message query;
  std::function<void(std::optional<Message>, Bytes)> on_finish;
  std::atomic<uint64_t>* count = nullptr;
  Metrics* metrics = nullptr;
  // State below is only touched on strand.
  Bytes wire;
  uint16_t id = 0;
  size_t next = 0;
  int gen = 0;  // the current attempt; handlers of older attempts do nothing
  bool done = false;
  std::array<uint8_t, 65535> buf{};
  udp::endpoint from;
};
}  // namespace

void Server::Impl::forward(Message q, Done done) {
  const uint16_t client_id = q.id;
  const std::string key = cache_key(q.questions[0]);
  auto servfail = reply_to(q, Rcode::kServFail);
  servfail.flags |= kFlagRA;
  auto f = std::make_shared<Forward>(
      io, upstreams, o.upstream_timeout, std::move(q),
      [this, client_id, key, servfail, done](std::optional<Message> m, Bytes bytes) {
        if (!m) return done(encode(servfail));
        if (uint32_t ttl = cache_ttl(*m, o.max_cache_ttl)) cache.put(key, *m, ttl, Clock::now());
        bytes[0] = static_cast<uint8_t>(client_id >> 8);  // upstream's bytes as they are, our client's id
        bytes[1] = static_cast<uint8_t>(client_id);
        done(std::move(bytes));
      });
  f->count = &upstream_count;
  f->metrics = o.metrics;
  asio::post(f->strand, [f] { f->attempt(); });
}

void Server::Impl::udp_receive() {
  udp_sock.async_receive_from(asio::buffer(udp_buf), udp_peer, asio::bind_executor(udp_strand, [this](auto ec, size_t n) {
    if (ec == asio::error::operation_aborted || !udp_sock.is_open()) return;
    if (!ec) {
      const udp::endpoint peer = udp_peer;
      handle(Bytes(udp_buf.begin(), udp_buf.begin() + n), false, [this, peer](Bytes r) {
        if (r.empty()) return;
        auto b = std::make_shared<Bytes>(std::move(r));
        asio::post(udp_strand, [this, b, peer] {
          if (udp_sock.is_open()) udp_sock.async_send_to(asio::buffer(*b), peer, [b](auto, size_t) {});
        });
      });
    }
    udp_receive();
  }));
}

namespace {
// One TCP client: length-prefixed queries answered one after the other; closed after an idle
// timeout or on any error.
struct TcpConn : std::enable_shared_from_this<TcpConn> {
  TcpConn(tcp::socket s, std::chrono::milliseconds idle, std::atomic<size_t>& n,
          std::function<void(const Bytes&, Done)> h)
      : sock(std::move(s)), timer(sock.get_executor()), idle(idle), conns(n), handle(std::move(h)) {}
  ~TcpConn() { --conns; }

  void read_length() {
    auto self = shared_from_this();
    timer.expires_after(idle);
    timer.async_wait([self](auto ec) {
      boost::system::error_code e;
      if (!ec) self->sock.close(e);
    });
    asio::async_read(sock, asio::buffer(len), [self](auto ec, size_t) {
      if (ec) return;
      const size_t n = size_t{self->len[0]} << 8 | self->len[1];
      if (n < 12) return self->close();  // shorter than a header: not DNS
      self->body.resize(n);
      asio::async_read(self->sock, asio::buffer(self->body), [self](auto ec, size_t) {
        if (ec) return;
        self->timer.cancel();
        self->handle(self->body, [self](Bytes r) {
          asio::post(self->sock.get_executor(), [self, r = std::move(r)]() mutable { self->reply(std::move(r)); });
        });
      });
    });
  }
  void reply(Bytes r) {
    if (r.empty() || r.size() > 65535) return close();
    out.resize(r.size() + 2);
    out[0] = static_cast<uint8_t>(r.size() >> 8);
    out[1] = static_cast<uint8_t>(r.size());
    std::copy(r.begin(), r.end(), out.begin() + 2);
    auto self = shared_from_this();
    asio::async_write(sock, asio::buffer(out), [self](auto ec, size_t) {
      if (!ec) self->read_length();
    });
  }
  void close() {
    boost::system::error_code e;
    timer.cancel();
    sock.close(e);
  }

  tcp::socket sock;  // on its own strand, as are all handlers here
  asio::steady_timer timer;
  const std::chrono::milliseconds idle;
  std::atomic<size_t>& conns;
  std::function<void(const Bytes&, Done)> handle;
  std::array<uint8_t, 2> len{};
  Bytes body, out;
};
}  // namespace

void Server::Impl::tcp_accept() {
  acceptor.async_accept(asio::make_strand(io), [this](auto ec, tcp::socket s) {
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
    if (!ec) {
      if (tcp_connections.load() >= o.max_tcp_connections) {
        boost::system::error_code e;
        s.close(e);
      } else {
        ++tcp_connections;
        auto c = std::make_shared<TcpConn>(std::move(s), o.tcp_idle_timeout, tcp_connections,
                                           [this](const Bytes& q, Done d) { handle(q, true, std::move(d)); });
        asio::post(c->sock.get_executor(), [c] { c->read_length(); });
      }
    }
    tcp_accept();
  });
}

Server::Server(const Zone& zone, ServerOptions options) : impl_(std::make_unique<Impl>(zone, std::move(options))) {}

Server::~Server() { stop(); }

void Server::start() {
  auto& s = *impl_;
  auto listen = parse_hostport(s.o.listen, -1);
  if (!listen || s.o.listen.find(':') == std::string::npos)
    throw std::runtime_error("dns: invalid listen address " + s.o.listen + " (want ADDR:PORT)");
  for (const auto& u : s.o.upstreams) {
    auto hp = parse_hostport(u, 53);
    if (!hp || hp->second == 0) throw std::runtime_error("dns: invalid upstream " + u + " (want IP[:PORT])");
    s.upstreams.emplace_back(hp->first, hp->second);
  }
  // UDP first: with port 0 it picks the port, which TCP then takes too.
  udp::endpoint uep(listen->first, listen->second);
  s.udp_sock.open(uep.protocol());
  boost::system::error_code ec;
  s.udp_sock.bind(uep, ec);
  if (ec) throw std::runtime_error("dns: bind udp " + s.o.listen + ": " + ec.message());
  s.port = s.udp_sock.local_endpoint().port();
  tcp::endpoint tep(listen->first, s.port);
  s.acceptor.open(tep.protocol());
  s.acceptor.set_option(tcp::acceptor::reuse_address(true));
  s.acceptor.bind(tep, ec);
  if (ec) throw std::runtime_error("dns: bind tcp " + s.o.listen + ": " + ec.message());
  s.acceptor.listen(asio::socket_base::max_listen_connections);
  asio::post(s.udp_strand, [&s] { s.udp_receive(); });
  s.tcp_accept();
  for (int i = 0; i < std::max(1, s.o.threads); ++i) s.threads.emplace_back([&s] { s.io.run(); });
}

void Server::stop() {
  auto& s = *impl_;
  s.io.stop();
  for (auto& t : s.threads)
    if (t.joinable()) t.join();
  s.threads.clear();
  boost::system::error_code ec;
  s.udp_sock.close(ec);
  s.acceptor.close(ec);
}

uint16_t Server::port() const { return impl_->port; }

uint64_t Server::upstream_queries() const { return impl_->upstream_count.load(); }

}  // namespace skiff::dns
