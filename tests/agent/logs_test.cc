// Tests of agent/logs.h: query options, CRI line parsing, and reading log files back (tail
// across rotated files, since, timestamps, partial joins, limitBytes, follow with rotation).
#include "agent/logs.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "common/time.h"
#include "common/uuid.h"
#include "runtime/monitor.h"

namespace skiff::agent {
namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

const long long kT0 = 1704164645000000000LL;  // 2024-01-02T03:04:05Z in unix ns

std::string stamp(long long ns) {
  char buf[32];
  return std::string(buf, static_cast<size_t>(runtime::format_rfc3339_nano(ns, buf)));
}
Clock::time_point tp(long long ns) { return Clock::time_point(std::chrono::nanoseconds(ns)); }

// One CRI record as runtime/monitor.cc writes it; `i` seconds after kT0.
std::string rec(int i, std::string_view text, char tag = 'F', std::string_view stream = "stdout") {
  return stamp(kT0 + i * 1000000000LL) + " " + std::string(stream) + " " + tag + " " +
         std::string(text) + "\n";
}

// Polls `f` until it holds or the deadline passes (never a fixed sleep standing in for it).
bool eventually(const std::function<bool()>& f, std::chrono::seconds limit = 10s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!f()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

class LogsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("skiff-logs-" + random_suffix(8));
    fs::create_directories(dir_);
    path_ = (dir_ / "c.log").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const std::string& path, const std::string& text, bool append = false) {
    std::ofstream f(path, append ? std::ios::app : std::ios::trunc);
    f << text;
  }
  std::string read(const LogOptions& o, int* calls = nullptr) {
    std::string out;
    bool ok = write_logs(
        path_, o,
        [&](std::string_view s) {
          if (calls) ++*calls;
          out += s;
          return true;
        },
        [] { return false; });
    EXPECT_TRUE(ok);
    return out;
  }

  fs::path dir_;
  std::string path_;
};

TEST(ParseCriLine, FullPartialAndEmpty) {
  LogLine l;
  ASSERT_TRUE(parse_cri_line("2024-01-02T03:04:05.000000123Z stderr F hello world", &l));
  EXPECT_EQ(l.time, tp(kT0 + 123));  // nanoseconds kept
  EXPECT_EQ(l.stream, "stderr");
  EXPECT_FALSE(l.partial);
  EXPECT_EQ(l.text, "hello world");
  ASSERT_TRUE(parse_cri_line("2024-01-02T03:04:05.5Z stdout P part", &l));
  EXPECT_TRUE(l.partial);
  EXPECT_EQ(l.time, tp(kT0 + 500000000));
  ASSERT_TRUE(parse_cri_line("2024-01-02T03:04:05.000000000Z stdout F ", &l));
  EXPECT_EQ(l.text, "");
  ASSERT_TRUE(parse_cri_line("2024-01-02T03:04:05Z stdout F:x  two spaces", &l));  // future tags
  EXPECT_FALSE(l.partial);
  EXPECT_EQ(l.text, " two spaces");
}

TEST(ParseCriLine, Malformed) {
  LogLine l;
  EXPECT_FALSE(parse_cri_line("", &l));
  EXPECT_FALSE(parse_cri_line("not-a-time stdout F x", &l));
  EXPECT_FALSE(parse_cri_line("2024-01-02T03:04:05Z stdin F x", &l));
  EXPECT_FALSE(parse_cri_line("2024-01-02T03:04:05Z stdout F", &l));  // no space after the tag
  EXPECT_FALSE(parse_cri_line("2024-01-02T03:04:05Z stdout", &l));
}

TEST(ParseLogOptions, AllOptions) {
  LogOptions o;
  std::string err;
  ASSERT_TRUE(
      parse_log_options("follow=true&tailLines=10&limitBytes=100&timestamps=1&"
                        "sinceTime=2024-01-02T03%3A04%3A05Z&container=app",
                        &o, &err))
      << err;
  EXPECT_TRUE(o.follow);
  EXPECT_TRUE(o.timestamps);
  EXPECT_EQ(o.tail_lines, 10);
  EXPECT_EQ(o.limit_bytes, 100);
  ASSERT_TRUE(o.since);
  EXPECT_EQ(*o.since, tp(kT0));

  ASSERT_TRUE(parse_log_options("", &o, &err));
  EXPECT_FALSE(o.follow);
  EXPECT_FALSE(o.tail_lines || o.limit_bytes || o.since);

  ASSERT_TRUE(parse_log_options("sinceSeconds=60&tailLines=0&follow=false", &o, &err));
  ASSERT_TRUE(o.since);
  EXPECT_NEAR(std::chrono::duration<double>(Clock::now() - *o.since).count(), 60, 5);
  EXPECT_EQ(o.tail_lines, 0);
  EXPECT_FALSE(o.follow);
}

TEST(ParseLogOptions, BadValues) {
  LogOptions o;
  for (const char* q : {"tailLines=-1", "tailLines=abc", "limitBytes=0", "sinceSeconds=0",
                        "sinceSeconds=-5", "follow=maybe", "timestamps=yes", "sinceTime=yesterday",
                        "sinceSeconds=5&sinceTime=2024-01-02T03:04:05Z"}) {
    std::string err;
    EXPECT_FALSE(parse_log_options(q, &o, &err)) << q;
    EXPECT_FALSE(err.empty()) << q;
  }
  std::string err;
  parse_log_options("tailLines=-1", &o, &err);
  EXPECT_NE(err.find("tailLines"), std::string::npos) << err;
}

TEST_F(LogsTest, MissingFile) {
  EXPECT_FALSE(write_logs(
      path_, {}, [](std::string_view) { return true; }, [] { return false; }));
}

TEST_F(LogsTest, JoinsPartialsPerStreamAndSkipsMalformed) {
  write(path_, rec(0, "one") + rec(1, "tw", 'P') + rec(2, "err", 'F', "stderr") + rec(3, "o") +
                   "garbage line\n" + rec(4, "", 'F') + rec(5, "unfinished", 'P'));
  // The stderr line completes first; a line still being written is shown as far as it goes.
  EXPECT_EQ(read({}), "one\nerr\ntwo\n\nunfinished");
}

TEST_F(LogsTest, Timestamps) {
  write(path_, rec(0, "a") + rec(1, "b", 'P') + rec(2, "c"));
  LogOptions o;
  o.timestamps = true;
  // A joined line carries its first fragment's time.
  EXPECT_EQ(read(o), stamp(kT0) + " a\n" + stamp(kT0 + 1000000000LL) + " bc\n");
}

TEST_F(LogsTest, SinceFiltersByLineTime) {
  std::string text;
  for (int i = 0; i < 5; ++i) text += rec(i, "line" + std::to_string(i));
  write(path_, text);
  LogOptions o;
  o.since = tp(kT0 + 2000000000LL);  // inclusive
  EXPECT_EQ(read(o), "line2\nline3\nline4\n");
  o.since = tp(kT0 + 2000000001LL);  // nanosecond precision
  EXPECT_EQ(read(o), "line3\nline4\n");
  o.tail_lines = 4;  // the tail is taken first, then filtered
  o.since = tp(kT0);
  EXPECT_EQ(read(o), "line1\nline2\nline3\nline4\n");
}

TEST_F(LogsTest, TailAcrossRotatedFiles) {
  write(path_ + ".2", rec(1, "l1") + rec(2, "l2") + rec(3, "l3"));
  write(path_ + ".1", rec(4, "l4") + rec(5, "l5") + rec(6, "l6a", 'P'));
  write(path_, rec(7, "b") + rec(8, "l7") + rec(9, "l8"));  // l6 spans the rotation
  LogOptions o;
  EXPECT_EQ(read(o), "l1\nl2\nl3\nl4\nl5\nl6ab\nl7\nl8\n");
  o.tail_lines = 3;
  EXPECT_EQ(read(o), "l6ab\nl7\nl8\n");
  o.tail_lines = 5;
  EXPECT_EQ(read(o), "l4\nl5\nl6ab\nl7\nl8\n");
  o.tail_lines = 100;
  EXPECT_EQ(read(o), "l1\nl2\nl3\nl4\nl5\nl6ab\nl7\nl8\n");
  o.tail_lines = 0;
  EXPECT_EQ(read(o), "");
}

TEST_F(LogsTest, TailCountsOnlyCompleteWellFormedLines) {
  write(path_, rec(0, "a") + rec(1, "b") + "junk\n" + rec(2, "c1", 'P') + rec(3, "c2") +
                   rec(4, "d") + rec(5, "e", 'P'));
  LogOptions o;
  o.tail_lines = 2;
  EXPECT_EQ(read(o), "c1c2\nd\ne");
}

TEST_F(LogsTest, TailOfALargeFileMatchesAFullRead) {
  // Lines of varied length (one longer than the scan block) so records straddle block edges.
  std::string text;
  std::vector<std::string> lines;
  for (int i = 0; i < 20000; ++i) {
    std::string t = "line " + std::to_string(i) + std::string(static_cast<size_t>(i * 7 % 53), 'x');
    if (i == 19990) t = std::string(200000, 'y');
    lines.push_back(t);
    text += rec(i, t);
  }
  write(path_, text);
  for (int64_t n : {1, 7, 10, 1000, 19999, 20000, 30000}) {
    LogOptions o;
    o.tail_lines = n;
    std::string want;
    for (size_t i = lines.size() - std::min<size_t>(static_cast<size_t>(n), lines.size());
         i < lines.size(); ++i)
      want += lines[i] + "\n";
    EXPECT_TRUE(read(o) == want) << "tail " << n;
  }
}

TEST_F(LogsTest, LimitBytesTruncatesTheOutput) {
  write(path_, rec(0, "hello world") + rec(1, "second"));
  LogOptions o;
  o.limit_bytes = 5;
  EXPECT_EQ(read(o), "hello");
  o.limit_bytes = 14;
  o.timestamps = false;
  EXPECT_EQ(read(o), "hello world\nse");
  o.limit_bytes = 1000;
  EXPECT_EQ(read(o), "hello world\nsecond\n");
}

TEST_F(LogsTest, OutputIsBatchedAndStopsWhenTheClientLeaves) {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += rec(i, std::string(100, 'z'));
  write(path_, text);
  int calls = 0;
  EXPECT_EQ(read({}, &calls).size(), 5000u * 101);
  EXPECT_LT(calls, 100);  // not one sink call per line
  calls = 0;
  EXPECT_TRUE(write_logs(
      path_, {}, [&](std::string_view) { return ++calls < 2; }, [] { return false; }));
  EXPECT_EQ(calls, 2);
}

// A follower in a thread; the test appends and rotates as the runtime monitor would.
class Follower {
 public:
  Follower(const std::string& path, LogOptions o) {
    o.follow = true;
    thread_ = std::thread([this, path, o] {
      opened_ = write_logs(
          path, o,
          [this](std::string_view s) {
            std::lock_guard<std::mutex> lk(mu_);
            out_ += s;
            return true;
          },
          [this] { return !stop_; });
      done_ = true;
    });
  }
  ~Follower() { stop(); }
  std::string out() {
    std::lock_guard<std::mutex> lk(mu_);
    return out_;
  }
  bool saw(const std::string& s) {
    return eventually([&] { return out().find(s) != std::string::npos; });
  }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  bool done() const { return done_; }
  bool opened() const { return opened_; }

 private:
  std::mutex mu_;
  std::string out_;
  std::atomic<bool> stop_{false}, done_{false}, opened_{false};
  std::thread thread_;
};

TEST_F(LogsTest, FollowPicksUpAppendedLinesAndRotation) {
  write(path_, rec(0, "old") + rec(1, "kept"));
  LogOptions o;
  o.tail_lines = 1;
  Follower f(path_, o);
  ASSERT_TRUE(f.saw("kept\n"));
  write(path_, rec(2, "appended"), true);
  ASSERT_TRUE(f.saw("appended\n"));
  write(path_, rec(3, "half", 'P'), true);
  write(path_, rec(4, "-done"), true);
  ASSERT_TRUE(f.saw("half-done\n"));

  // Rotation: the old file gets one more line after the rename (the writer still held it),
  // then the new file starts.
  {
    std::ofstream old(path_, std::ios::app);
    fs::rename(path_, path_ + ".1");
    old << rec(5, "last-in-old");
  }
  write(path_, rec(6, "first-in-new"));
  ASSERT_TRUE(f.saw("first-in-new\n"));
  write(path_, rec(7, "more"), true);
  ASSERT_TRUE(f.saw("more\n"));
  EXPECT_FALSE(f.done());
  f.stop();
  EXPECT_TRUE(f.opened());
  EXPECT_EQ(f.out(), "kept\nappended\nhalf-done\nlast-in-old\nfirst-in-new\nmore\n");
}

TEST_F(LogsTest, FollowDrainsWhenTold) {
  write(path_, rec(0, "a"));
  Follower f(path_, {});
  ASSERT_TRUE(f.saw("a\n"));
  write(path_, rec(1, "b"), true);
  f.stop();  // lines written before the caller stops are still delivered
  EXPECT_EQ(f.out(), "a\nb\n");
}

}  // namespace
}  // namespace skiff::agent
