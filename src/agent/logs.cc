// Container logs (agent/logs.h): kubectl's query options, CRI log lines, and reading the log
// files back with tail, since, timestamps, limitBytes and follow.
//
// The writer (runtime/monitor.cc) appends one record per line and rotates by renaming the file
// to "<path>.1" (older ones shift up), so the log is a chain of files, oldest "<path>.N" first.
#include "agent/logs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <thread>
#include <utility>
#include <vector>

#include "common/time.h"

namespace skiff::agent {
namespace {
using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

constexpr int64_t kBlock = 64 * 1024;      // tail scan reads the file backwards in these
constexpr size_t kHeadRoom = 64;           // "<time> <stream> <tag> " of a record fits in this
constexpr size_t kFlushBytes = 32 * 1024;  // output is batched: one sink call per this much
constexpr auto kPollInterval = 100ms;      // follow: how often to look for new data

// ---- Query parameters -------------------------------------------------------------------------

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Query decoding as Go's url.ParseQuery: %XX escapes and '+' for space (a malformed escape is
// kept literally rather than failing the request).
std::string url_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
               hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Go's strconv.ParseBool, which the API's query parameter codec uses.
bool parse_bool(std::string_view v, bool* out) {
  for (auto t : {"1", "t", "T", "true", "TRUE", "True"})
    if (v == t) return *out = true, true;
  for (auto f : {"0", "f", "F", "false", "FALSE", "False"})
    if (v == f) return *out = false, true;
  return false;
}

bool parse_int(std::string_view v, int64_t* out) {
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), *out);
  return ec == std::errc() && p == v.data() + v.size();
}

bool invalid(std::string* err, std::string_view key, std::string_view value, std::string_view why) {
  if (err)
    *err =
        std::string(key) + ": Invalid value: \"" + std::string(value) + "\": " + std::string(why);
  return false;
}

// Applies one key=value pair; unknown keys (container, previous, ...) are the caller's.
bool apply_option(const std::string& key, const std::string& v, LogOptions* o,
                  std::optional<int64_t>* since_seconds, std::string* err) {
  int64_t n = 0;
  if (key == "follow" || key == "timestamps") {
    bool b = false;
    if (!parse_bool(v, &b)) return invalid(err, key, v, "must be a boolean");
    (key == "follow" ? o->follow : o->timestamps) = b;
  } else if (key == "tailLines") {
    if (!parse_int(v, &n)) return invalid(err, key, v, "must be an integer");
    if (n < 0) return invalid(err, key, v, "must be greater than or equal to 0");
    o->tail_lines = n;
  } else if (key == "limitBytes") {
    if (!parse_int(v, &n)) return invalid(err, key, v, "must be an integer");
    if (n <= 0) return invalid(err, key, v, "must be greater than 0");
    o->limit_bytes = n;
  } else if (key == "sinceSeconds") {
    if (!parse_int(v, &n)) return invalid(err, key, v, "must be an integer");
    if (n <= 0) return invalid(err, key, v, "must be greater than 0");
    *since_seconds = n;
  } else if (key == "sinceTime") {
    auto t = parse_rfc3339(v);
    if (!t) return invalid(err, key, v, "must be an RFC 3339 time");
    o->since = *t;
  }
  return true;
}

// ---- CRI records ------------------------------------------------------------------------------

// parse_rfc3339 keeps microseconds; the runtime writes nanoseconds, and `since` compares them,
// so the 7th-9th fraction digits are added here.
std::optional<Clock::time_point> parse_cri_time(std::string_view s) {
  auto t = parse_rfc3339(s);
  if (!t || s.size() <= 26 || s[19] != '.') return t;
  int64_t extra = 0;
  int digits = 0;
  for (size_t i = 26; digits < 3 && i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++digits)
    extra = extra * 10 + (s[i] - '0');
  for (int d = digits; d > 0 && d < 3; ++d) extra *= 10;
  return *t + std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(extra));
}

// Whether the record starting at `head` (its first bytes) ends a line: its tag's first field is
// "F" (tags are "F", "P" or, for forward compatibility, "F:more"). Malformed records are not
// lines: the reader skips them, so the tail must not count them.
bool ends_line(std::string_view head) {
  head = head.substr(0, head.find('\n'));
  size_t a = head.find(' ');
  size_t b = a == head.npos ? a : head.find(' ', a + 1);
  if (b == head.npos) return false;
  size_t c = head.find(' ', b + 1);
  if (c == head.npos) return false;
  std::string_view tag = head.substr(b + 1, c - b - 1);
  return tag.substr(0, tag.find(':')) == "F";
}

// ---- Files ------------------------------------------------------------------------------------

struct Fd {
  int fd = -1;
  explicit Fd(int f = -1) : fd(f) {}
  Fd(Fd&& o) noexcept : fd(std::exchange(o.fd, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      if (fd >= 0) ::close(fd);
      fd = std::exchange(o.fd, -1);
    }
    return *this;
  }
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

int open_read(const std::string& path) { return ::open(path.c_str(), O_RDONLY | O_CLOEXEC); }

// The chain oldest first, all opened before reading so a rotation meanwhile cannot move a file
// away from under us. Empty when `path` itself cannot be opened.
std::vector<Fd> open_chain(const std::string& path) {
  std::vector<Fd> chain;
  Fd cur(open_read(path));
  if (cur.fd < 0 && errno == ENOENT && ::access((path + ".1").c_str(), F_OK) == 0) {
    // Caught between the writer's rename to .1 and its creating the new file.
    std::this_thread::sleep_for(20ms);
    cur = Fd(open_read(path));
  }
  if (cur.fd < 0) return chain;
  chain.push_back(std::move(cur));
  for (int i = 1;; ++i) {
    Fd f(open_read(path + "." + std::to_string(i)));
    if (f.fd < 0) break;
    chain.push_back(std::move(f));
  }
  std::reverse(chain.begin(), chain.end());
  return chain;
}

int64_t file_size(int fd) {
  struct stat st {};
  return ::fstat(fd, &st) == 0 ? st.st_size : 0;
}

bool read_at(int fd, char* buf, size_t n, int64_t off) {
  while (n > 0) {
    ssize_t r = ::pread(fd, buf, n, off);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    buf += r, n -= static_cast<size_t>(r), off += r;
  }
  return true;
}

struct Pos {
  size_t file = 0;
  int64_t offset = 0;
};

// Walks one file's records from its end, counting those that end a line in *lines. Returns the
// offset just past the record that makes *lines exceed `n`: the last n lines start there.
std::optional<int64_t> scan_back(int fd, int64_t n, int64_t* lines) {
  const int64_t size = file_size(fd);
  std::string buf;
  int64_t next_start = size;  // start of the record after the one being looked at
  for (int64_t hi = size; hi > 0;) {
    const int64_t lo = std::max<int64_t>(0, hi - kBlock);
    // Read past `hi` so that the head of a record starting near the block's end is in `buf`.
    buf.resize(static_cast<size_t>(std::min<int64_t>(size, hi + kHeadRoom) - lo));
    if (!read_at(fd, buf.data(), buf.size(), lo)) return std::nullopt;
    for (int64_t p = hi - 1; p >= lo - 1; --p) {
      // A record starts after each '\n' and at offset 0.
      if (p >= 0 && (p < lo || buf[static_cast<size_t>(p - lo)] != '\n')) continue;
      const int64_t start = p + 1;
      if (start >= size) continue;
      std::string_view head(
          buf.data() + (start - lo),
          std::min<size_t>(kHeadRoom, buf.size() - static_cast<size_t>(start - lo)));
      if (ends_line(head) && ++*lines > n) return next_start;
      next_start = start;
    }
    hi = lo;
  }
  return std::nullopt;
}

// Where the last n complete lines of the chain begin (scanning backwards, never the whole file).
Pos find_tail_start(const std::vector<Fd>& chain, int64_t n) {
  int64_t lines = 0;
  for (size_t i = chain.size(); i-- > 0;)
    if (auto off = scan_back(chain[i].fd, n, &lines)) return {i, *off};
  return {};
}

// ---- Output -----------------------------------------------------------------------------------

// Turns records into kubectl's output: partial fragments joined per stream, since applied to a
// line's first fragment, the timestamp prefix, limitBytes; batched into few sink calls.
class LineWriter {
 public:
  LineWriter(const LogOptions& o, const std::function<bool(std::string_view)>& sink)
      : opts_(o), sink_(sink), remaining_(o.limit_bytes.value_or(-1)) {}

  void record(std::string_view raw) {
    LogLine l;
    if (stopped_ || !parse_cri_line(raw, &l)) return;  // upstream skips malformed lines too
    Pending& p = pending_[l.stream == "stderr" ? 1 : 0];
    if (!p.open) p = {true, l.time, std::string(raw.substr(0, raw.find(' '))), {}};
    p.text += l.text;
    if (!l.partial) finish_line(p, true);
  }
  // The end of output: a line still being written is shown as far as it goes (as upstream).
  void finish() {
    for (Pending& p : pending_)
      if (p.open) finish_line(p, false);
    flush();
  }
  void flush() {
    if (!out_.empty() && !stopped_ && !sink_(out_)) stopped_ = true;
    out_.clear();
  }
  bool stopped() const { return stopped_; }

 private:
  struct Pending {
    bool open = false;
    Clock::time_point time;
    std::string stamp;  // the record's own RFC 3339 nano text
    std::string text;
  };

  void finish_line(Pending& p, bool newline) {
    p.open = false;
    if (opts_.since && p.time < *opts_.since) return;
    size_t before = out_.size();
    if (opts_.timestamps) out_.append(p.stamp).append(1, ' ');
    out_.append(p.text);
    if (newline) out_ += '\n';
    if (remaining_ >= 0) {
      int64_t added = static_cast<int64_t>(out_.size() - before);
      if (added >= remaining_) {
        out_.resize(before + static_cast<size_t>(remaining_));
        flush();
        stopped_ = true;  // limitBytes reached: the output ends here
        return;
      }
      remaining_ -= added;
    }
    if (out_.size() >= kFlushBytes) flush();
  }

  const LogOptions& opts_;
  const std::function<bool(std::string_view)>& sink_;
  int64_t remaining_;  // bytes left under limitBytes; -1 = no limit
  bool stopped_ = false;
  Pending pending_[2];  // stdout, stderr
  std::string out_;
};

// Reads records sequentially from one file, keeping an unterminated last record until its
// newline arrives (the writer may be in the middle of it).
class RecordReader {
 public:
  explicit RecordReader(int fd) : fd_(fd) {}
  // Feeds every complete record up to the current end of the file.
  void drain(LineWriter& w) {
    char chunk[kBlock];
    while (!w.stopped()) {
      ssize_t r = ::read(fd_, chunk, sizeof chunk);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return;
      buf_.append(chunk, static_cast<size_t>(r));
      size_t from = 0;
      for (size_t nl; !w.stopped() && (nl = buf_.find('\n', from)) != buf_.npos; from = nl + 1)
        w.record(std::string_view(buf_).substr(from, nl - from));
      buf_.erase(0, from);
    }
  }
  // The file is done: an unterminated rest counts as a record.
  void finish(LineWriter& w) {
    if (!buf_.empty()) w.record(buf_);
    buf_.clear();
  }

 private:
  int fd_;
  std::string buf_;
};

// Whether `path` now names another file than `fd` (the writer rotated it). A missing path is
// the moment between the writer's rename and create: not yet.
bool rotated(const std::string& path, int fd) {
  struct stat now {};
  struct stat ours {};
  if (::stat(path.c_str(), &now) != 0 || ::fstat(fd, &ours) != 0) return false;
  return now.st_ino != ours.st_ino || now.st_dev != ours.st_dev;
}

// After the current file's end: polls for appended lines and for rotations until told to stop.
void follow(const std::string& path, Fd cur, LineWriter& w,
            const std::function<bool()>& keep_following) {
  auto reader = std::make_unique<RecordReader>(cur.fd);
  while (!w.stopped()) {
    reader->drain(w);
    w.flush();  // the client sees what exists before we wait
    if (w.stopped()) break;
    if (rotated(path, cur.fd)) {
      // Lines written between our last read and the rename are still in the old file.
      reader->drain(w);
      reader->finish(w);
      Fd next(open_read(path));
      if (next.fd >= 0) {  // else it vanished again meanwhile: wait and look again
        cur = std::move(next);
        reader = std::make_unique<RecordReader>(cur.fd);
        continue;
      }
    }
    if (!keep_following || !keep_following()) {
      reader->drain(w);  // what arrived just before the caller decided to stop
      break;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  reader->finish(w);
}

}  // namespace

bool parse_log_options(std::string_view query, LogOptions* out, std::string* err) {
  *out = LogOptions{};
  std::optional<int64_t> since_seconds;
  bool since_time = false;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == query.npos ? std::string_view() : query.substr(amp + 1);
    size_t eq = pair.find('=');
    std::string key = url_decode(pair.substr(0, eq));
    std::string value = eq == pair.npos ? std::string() : url_decode(pair.substr(eq + 1));
    if (value.empty()) continue;  // "follow=" is no value at all, as Go's codec treats it
    if (!apply_option(key, value, out, &since_seconds, err)) return false;
    since_time = since_time || key == "sinceTime";
  }
  if (since_seconds && since_time) {
    if (err) *err = "at most one of `sinceTime` or `sinceSeconds` may be specified";
    return false;
  }
  if (since_seconds) {
    // Capped so that the subtraction cannot overflow; anything this old means "everything".
    int64_t s = std::min<int64_t>(*since_seconds, int64_t{200} * 365 * 86400);
    out->since = Clock::now() - std::chrono::seconds(s);
  }
  return true;
}

bool parse_cri_line(std::string_view line, LogLine* out) {
  size_t sp = line.find(' ');
  if (sp == line.npos) return false;
  auto t = parse_cri_time(line.substr(0, sp));
  if (!t) return false;
  std::string_view rest = line.substr(sp + 1);
  sp = rest.find(' ');
  if (sp == rest.npos) return false;
  std::string_view stream = rest.substr(0, sp);
  if (stream != "stdout" && stream != "stderr") return false;
  rest = rest.substr(sp + 1);
  sp = rest.find(' ');  // the tag is always followed by a space, even before an empty text
  if (sp == rest.npos) return false;
  std::string_view tag = rest.substr(0, sp);
  out->time = *t;
  out->stream = stream;
  out->partial = tag.substr(0, tag.find(':')) == "P";
  out->text = rest.substr(sp + 1);
  return true;
}

bool write_logs(const std::string& path, const LogOptions& opts,
                const std::function<bool(std::string_view)>& sink,
                const std::function<bool()>& keep_following) {
  std::vector<Fd> chain = open_chain(path);
  if (chain.empty()) return false;
  Pos start = opts.tail_lines ? find_tail_start(chain, *opts.tail_lines) : Pos{};
  LineWriter w(opts, sink);
  for (size_t i = start.file; i + 1 < chain.size() && !w.stopped(); ++i) {
    ::lseek(chain[i].fd, i == start.file ? start.offset : 0, SEEK_SET);
    RecordReader r(chain[i].fd);
    r.drain(w);
    r.finish(w);  // a rotated file gets no more lines
  }
  Fd& cur = chain.back();
  if (start.file + 1 == chain.size()) ::lseek(cur.fd, start.offset, SEEK_SET);
  if (opts.follow) {
    follow(path, std::move(cur), w, keep_following);
  } else if (!w.stopped()) {
    RecordReader r(cur.fd);
    r.drain(w);
    r.finish(w);
  }
  w.finish();
  return true;
}

}  // namespace skiff::agent
