// Integration tests of the OCI runtime driver: real containers through crun and runc. They need
// root; each runtime's tests are skipped with a message when its binary is absent.
#include "runtime/runtime.h"

#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/uuid.h"
#include "runtime/monitor.h"
#include "test_network.h"
#include "test_rootfs.h"

namespace skiff::runtime {
namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::wait_for;

class RuntimeTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    if (!testing::have_busybox()) GTEST_SKIP() << "/bin/busybox missing (apt install busybox-static)";
    host_ = detect_host();
    Status err;
    dir_ = fs::temp_directory_path() / ("skiff-rt-" + random_suffix(8));
    RuntimeOptions o;
    o.root_dir = (dir_ / "root").string();
    o.runtime = GetParam();
    rt_ = make_oci_runtime(o, host_, &err);
    if (!rt_) GTEST_SKIP() << GetParam() << " not installed: " << err.message();
    testing::make_busybox_rootfs(dir_ / "rootfs");
  }
  void TearDown() override {
    if (rt_)
      for (const auto& id : rt_->list()) rt_->remove(id);
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  ContainerSpec spec(std::vector<std::string> args) {
    ContainerSpec s;
    s.rootfs = (dir_ / "rootfs").string();
    s.args = std::move(args);
    s.hostname = "test";
    return s;
  }
  std::string log(const std::string& id) { return (dir_ / "logs" / (id + ".log")).string(); }
  std::string new_id() { return "c" + random_suffix(8); }

  ContainerState wait_exit(const std::string& id) {
    ContainerState st;
    wait_for([&] { return rt_->state(id, &st).ok() && st.status == ContainerStatus::kExited; });
    return st;
  }

  // Everything a container leaves on the host is gone.
  void expect_nothing_left(const std::string& id, const ContainerState& st, int pid) {
    EXPECT_FALSE(fs::exists(dir_ / "root/containers" / id));
    EXPECT_FALSE(fs::exists(dir_ / "root/state" / id));
    if (pid > 0) {
      EXPECT_NE(::kill(pid, 0), 0) << "init pid " << pid << " still exists";
    }
    for (const auto& [ctl, mnt] : host_.v1_mounts)
      EXPECT_FALSE(fs::exists(mnt + st.cgroup_path)) << mnt + st.cgroup_path;
    if (host_.cgroup_mode == CgroupMode::kV2) {
      EXPECT_FALSE(fs::exists(host_.unified_mount + st.cgroup_path));
    }
    std::string mounts = read_file("/proc/self/mountinfo");
    EXPECT_EQ(mounts.find(id), std::string::npos);
  }

  HostInfo host_;
  fs::path dir_;
  std::unique_ptr<Runtime> rt_;
};

TEST_P(RuntimeTest, EchoHelloIsLoggedInCriFormat) {
  std::string id = new_id();
  ASSERT_TRUE(rt_->create(id, spec({"/bin/sh", "-c", "echo hello; echo oops >&2; echo -n tail"}), log(id)).ok());
  ContainerState st;
  ASSERT_TRUE(rt_->state(id, &st).ok());
  EXPECT_EQ(st.status, ContainerStatus::kCreated);
  int pid = st.pid;
  EXPECT_GT(pid, 0);
  ASSERT_TRUE(rt_->start(id).ok());
  st = wait_exit(id);
  ASSERT_EQ(st.status, ContainerStatus::kExited);
  EXPECT_EQ(st.exit_code, 0);
  EXPECT_FALSE(st.oom_killed);
  ASSERT_TRUE(wait_for([&] { return read_file(log(id)).find("tail") != std::string::npos; }));
  std::string text = read_file(log(id));
  EXPECT_NE(text.find(" stdout F hello\n"), std::string::npos) << text;
  EXPECT_NE(text.find(" stderr F oops\n"), std::string::npos) << text;
  EXPECT_NE(text.find(" stdout F tail\n"), std::string::npos) << text;
  // 2026-01-02T03:04:05.123456789Z stdout F hello
  EXPECT_EQ(text[4], '-');
  EXPECT_EQ(text[10], 'T');
  EXPECT_EQ(text[29], 'Z');
  ASSERT_TRUE(rt_->remove(id).ok());
  expect_nothing_left(id, st, pid);
  EXPECT_TRUE(rt_->remove(id).is_not_found());
  EXPECT_TRUE(fs::exists(log(id)));  // logs outlive the container
}

TEST_P(RuntimeTest, ExitCodeExecAndAlreadyExists) {
  std::string id = new_id();
  // The container exits 42 once the exec has run (it creates /tmp/go).
  ASSERT_TRUE(rt_->create(id, spec({"/bin/sh", "-c", "until [ -e /tmp/go ]; do sleep 0.05; done; exit 42"}), log(id)).ok());
  EXPECT_TRUE(rt_->create(id, spec({"/bin/true"}), log(id)).is_already_exists());
  ASSERT_TRUE(rt_->start(id).ok());
  ExecResult r;
  ASSERT_TRUE(rt_->exec_sync(id, {"/bin/sh", "-c", "hostname; echo e >&2; : > /tmp/go; exit 7"}, 5s, &r).ok());
  EXPECT_EQ(r.exit_code, 7);
  EXPECT_EQ(r.out, "test\n");
  EXPECT_EQ(r.err, "e\n");
  ContainerState st = wait_exit(id);
  EXPECT_EQ(st.exit_code, 42);
  ASSERT_TRUE(rt_->remove(id).ok());
}

TEST_P(RuntimeTest, StopSendsTermThenKillAfterGrace) {
  std::string a = new_id(), b = new_id();
  // a handles SIGTERM and exits 3; b ignores it and must be SIGKILLed after the grace period.
  ASSERT_TRUE(rt_->create(a, spec({"/bin/sh", "-c", "trap 'exit 3' TERM; echo armed; while :; do sleep 0.05; done"}), log(a)).ok());
  ASSERT_TRUE(rt_->create(b, spec({"/bin/sh", "-c", "trap '' TERM; echo armed; while :; do sleep 0.05; done"}), log(b)).ok());
  ASSERT_TRUE(rt_->start(a).ok());
  ASSERT_TRUE(rt_->start(b).ok());
  // Both traps are set once the shells have said so.
  for (const auto& id : {a, b})
    ASSERT_TRUE(wait_for([&] { return read_file(log(id)).find("armed") != std::string::npos; }));
  ContainerState st;
  ASSERT_TRUE(rt_->state(a, &st).ok());
  EXPECT_EQ(st.status, ContainerStatus::kRunning);
  ASSERT_TRUE(rt_->stop(a, 5s).ok());
  ASSERT_TRUE(rt_->state(a, &st).ok());
  EXPECT_EQ(st.exit_code, 3);  // TERM was handled: no SIGKILL was needed
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(rt_->stop(b, 700ms).ok());
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 700ms);
  ASSERT_TRUE(rt_->state(b, &st).ok());
  EXPECT_EQ(st.exit_code, 128 + SIGKILL);
  EXPECT_FALSE(st.oom_killed);
  int pid = st.pid;
  ASSERT_TRUE(rt_->remove(a).ok());
  ASSERT_TRUE(rt_->remove(b).ok());
  expect_nothing_left(b, st, pid);
}

TEST_P(RuntimeTest, MemoryLimitReportsOomKill) {
  std::string id = new_id();
  auto s = spec({"/bin/sh", "-c", "x=0123456789abcdef; while :; do x=$x$x; done"});
  s.resources.memory_limit = 32 << 20;
  s.resources.pids_limit = 64;
  s.resources.cpu_quota = 50000;
  s.resources.cpu_shares = 256;
  ASSERT_TRUE(rt_->create(id, s, log(id)).ok());
  ContainerState st;
  ASSERT_TRUE(rt_->state(id, &st).ok());
  std::string mem = host_.cgroup_dir("memory", st.cgroup_path);
  if (host_.cgroup_mode != CgroupMode::kV2) {
    EXPECT_EQ(read_file(mem + "/memory.limit_in_bytes"), std::to_string(32 << 20) + "\n");
    EXPECT_EQ(read_file(host_.cgroup_dir("pids", st.cgroup_path) + "/pids.max"), "64\n");
  }
  ASSERT_TRUE(rt_->start(id).ok());
  st = wait_exit(id);
  ASSERT_EQ(st.status, ContainerStatus::kExited);
  EXPECT_EQ(st.exit_code, 128 + SIGKILL);
  EXPECT_TRUE(st.oom_killed);
  ASSERT_TRUE(rt_->remove(id).ok());
  expect_nothing_left(id, st, 0);
}

TEST_P(RuntimeTest, OverlayRootfsAndReadOnlyRoot) {
  fs::create_directories(dir_ / "upper");
  fs::create_directories(dir_ / "work");
  std::string id = new_id();
  auto s = spec({"/bin/sh", "-c", "echo written > /tmp/f && cat /tmp/f"});
  s.rootfs.clear();
  s.lower_dirs = {(dir_ / "rootfs").string()};
  s.upper_dir = (dir_ / "upper").string();
  s.work_dir = (dir_ / "work").string();
  ASSERT_TRUE(rt_->create(id, s, log(id)).ok());
  ASSERT_TRUE(rt_->start(id).ok());
  EXPECT_EQ(wait_exit(id).exit_code, 0);
  EXPECT_EQ(read_file((dir_ / "upper/tmp/f").string()), "written\n");
  ContainerState st;
  ASSERT_TRUE(rt_->state(id, &st).ok());
  ASSERT_TRUE(rt_->remove(id).ok());
  expect_nothing_left(id, st, 0);

  std::string ro = new_id();
  auto r = spec({"/bin/sh", "-c", "echo x > /f"});
  r.read_only_rootfs = true;
  ASSERT_TRUE(rt_->create(ro, r, log(ro)).ok());
  ASSERT_TRUE(rt_->start(ro).ok());
  EXPECT_NE(wait_exit(ro).exit_code, 0);
  EXPECT_NE(read_file(log(ro)).find("Read-only file system"), std::string::npos) << read_file(log(ro));
}

TEST_P(RuntimeTest, CreateFailureLeavesNothing) {
  std::string id = new_id();
  auto s = spec({"/no/such/binary"});
  Status st = rt_->create(id, s, log(id));
  if (st.ok()) {  // runc reports a missing binary at create, crun at start
    Status started = rt_->start(id);
    if (started.ok()) {
      EXPECT_NE(wait_exit(id).exit_code, 0);
    }
    ASSERT_TRUE(rt_->remove(id).ok());
  } else {
    EXPECT_NE(st.message().find("create failed"), std::string::npos) << st.message();
  }
  EXPECT_FALSE(fs::exists(dir_ / "root/containers" / id));
  EXPECT_TRUE(rt_->create("../bad", s, log(id)).code() == Status::Code::kInvalid);
}

// A raw HTTP GET from the host; "" when the connection fails.
std::string http_get(const std::string& ip, int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
  timeval tv{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    std::string req = "GET /index.html HTTP/1.0\r\n\r\n";
    (void)!::write(fd, req.data(), req.size());
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

TEST_P(RuntimeTest, PodSandboxIsReachableFromTheNodeByItsIp) {
  testing::TestNetwork tn(dir_);
  ASSERT_TRUE(tn.net->ensure_bridge().ok());
  std::string pod = "pod-" + random_suffix(6);
  tn.pods.push_back(pod);
  SandboxNetwork sb;
  Status s = tn.net->setup(pod, &sb);
  ASSERT_TRUE(s.ok()) << s.message();
  fs::create_directories(dir_ / "rootfs/www");
  std::ofstream(dir_ / "rootfs/www/index.html") << "hello from the pod\n";
  std::string id = new_id();
  auto c = spec({"/bin/httpd", "-f", "-p", "8080", "-h", "/www"});
  c.namespaces["network"] = sb.netns_path;
  c.hostname = pod;
  ASSERT_TRUE(rt_->create(id, c, log(id)).ok());
  ASSERT_TRUE(rt_->start(id).ok());
  std::string body;
  ASSERT_TRUE(wait_for([&] { return (body = http_get(sb.ip, 8080)).find("hello from the pod") != std::string::npos; }))
      << body;
  ExecResult r;
  ASSERT_TRUE(rt_->exec_sync(id, {"/bin/sh", "-c", "ip -4 addr show eth0; ping -c1 -W2 " + sb.gateway}, 5s, &r).ok());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;  // CAP_NET_RAW is in the default set
  EXPECT_NE(r.out.find(sb.ip + "/"), std::string::npos) << r.out;
  // httpd as PID 1 ignores SIGTERM: stopped by SIGKILL after the grace period.
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(rt_->stop(id, 300ms).ok());
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 300ms);
  ContainerState st;
  ASSERT_TRUE(rt_->state(id, &st).ok());
  EXPECT_EQ(st.exit_code, 128 + SIGKILL);
  ASSERT_TRUE(rt_->remove(id).ok());
  expect_nothing_left(id, st, 0);
  ASSERT_TRUE(tn.net->teardown(pod).ok());
  EXPECT_FALSE(fs::exists(sb.netns_path));
  EXPECT_FALSE(testing::link_exists(sb.host_veth));
  EXPECT_FALSE(tn.net->lookup(pod, &sb).ok());
  EXPECT_TRUE(fs::is_empty(dir_ / "ipam") || !fs::exists(dir_ / "ipam" / sb.ip));
}

TEST_P(RuntimeTest, ANewRuntimeInstanceAdoptsRunningContainers) {
  std::string id = new_id();
  ASSERT_TRUE(rt_->create(id, spec({"/bin/sh", "-c", "echo up; exec sleep 1000"}), log(id)).ok());
  ASSERT_TRUE(rt_->start(id).ok());
  // The kubelet restarts: a fresh Runtime over the same root sees the container running, and
  // the monitor, which does not belong to it, still records the exit and the log.
  RuntimeOptions o;
  o.root_dir = (dir_ / "root").string();
  o.runtime = GetParam();
  auto again = make_oci_runtime(o, host_);
  rt_.reset();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->list(), std::vector<std::string>{id});
  ContainerState st;
  ASSERT_TRUE(again->state(id, &st).ok());
  EXPECT_EQ(st.status, ContainerStatus::kRunning);
  EXPECT_EQ(st.log_path, log(id));
  ASSERT_TRUE(again->kill(id, SIGKILL).ok());
  ASSERT_TRUE(wait_for([&] { return again->state(id, &st).ok() && st.status == ContainerStatus::kExited; }));
  EXPECT_EQ(st.exit_code, 128 + SIGKILL);
  EXPECT_NE(read_file(log(id)).find(" stdout F up\n"), std::string::npos);
  ASSERT_TRUE(again->remove(id).ok());
  rt_ = std::move(again);
}

TEST_P(RuntimeTest, TheMonitorIsNamedAfterItsContainerAndHoldsNoneOfOurFiles) {
  // A file this process holds open without close-on-exec: the monitor must not inherit it.
  const std::string marker = (dir_ / "held-by-the-agent").string();
  int held = ::open(marker.c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(held, 0);
  std::string id = new_id();
  Status created = rt_->create(id, spec({"/bin/sh", "-c", "exec sleep 1000"}), log(id));
  ::close(held);
  ASSERT_TRUE(created.ok()) << created.message();
  ASSERT_TRUE(rt_->start(id).ok());
  int monitor = std::atoi(read_file((dir_ / "root/containers" / id / "monitor").string()).c_str());
  ASSERT_GT(monitor, 0);
  // `ps -o args` and `ps -o comm` (and pgrep) show the monitor and its container, not a copy
  // of whatever started it.
  std::string proc = "/proc/" + std::to_string(monitor);
  EXPECT_EQ(read_file(proc + "/cmdline"), std::string("skiff-monitor\0", 14) + id + '\0');
  EXPECT_EQ(read_file(proc + "/comm"), "skiff-monitor\n");
  EXPECT_TRUE(is_monitor_of(monitor, id));
  EXPECT_FALSE(is_monitor_of(monitor, id + "x"));
  EXPECT_FALSE(is_monitor_of(::getpid(), id));
  // Detached: not our child, its own session.
  std::string stat = read_file(proc + "/stat");
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  char state;
  int ppid = 0, pgrp = 0, session = 0;
  fields >> state >> ppid >> pgrp >> session;
  EXPECT_NE(ppid, ::getpid());
  EXPECT_NE(session, ::getsid(0));
  std::error_code ec;
  for (const auto& fd : fs::directory_iterator(proc + "/fd", ec)) {
    auto target = fs::read_symlink(fd.path(), ec).string();
    EXPECT_NE(target, marker) << "the monitor holds " << fd.path();
  }
  // The container is the monitor's child (it is the subreaper that reaps it).
  ContainerState st;
  ASSERT_TRUE(rt_->state(id, &st).ok());
  std::string cstat = read_file("/proc/" + std::to_string(st.pid) + "/stat");
  std::istringstream cfields(cstat.substr(cstat.rfind(')') + 2));
  int cppid = 0;
  cfields >> state >> cppid;
  EXPECT_EQ(cppid, monitor);
  ASSERT_TRUE(rt_->remove(id).ok());
  EXPECT_TRUE(wait_for([&] { return !is_monitor_of(monitor, id); })) << "the monitor outlived remove";
}

TEST_P(RuntimeTest, CreateDeleteCyclesLeakNothing) {
  testing::TestNetwork tn(dir_);
  ASSERT_TRUE(tn.net->ensure_bridge().ok());
  // Other tests may run on this host at the same time: count only what is ours.
  std::vector<std::string> veths;
  std::string parent;
  for (int i = 0; i < 10; ++i) {
    std::string pod = "pod-" + random_suffix(6), id = new_id();
    veths.push_back(PodNetwork::veth_name(pod));
    SandboxNetwork sb;
    ASSERT_TRUE(tn.net->setup(pod, &sb).ok());
    auto c = spec({"/bin/sleep", "1000"});
    c.namespaces["network"] = sb.netns_path;
    c.resources.memory_limit = 64 << 20;
    ASSERT_TRUE(rt_->create(id, c, log(id)).ok());
    ASSERT_TRUE(rt_->start(id).ok());
    ContainerState st;
    ASSERT_TRUE(rt_->state(id, &st).ok());
    parent = fs::path(st.cgroup_path).parent_path().string();
    ASSERT_TRUE(rt_->stop(id, 0ms).ok());
    ASSERT_TRUE(rt_->remove(id).ok());
    ASSERT_TRUE(tn.net->teardown(pod).ok());
  }
  EXPECT_EQ(read_file("/proc/self/mountinfo").find(dir_.string()), std::string::npos);
  std::string links = run_command({"/usr/sbin/ip", "-o", "link"}).out;
  for (const auto& v : veths) EXPECT_EQ(links.find(v), std::string::npos) << v;
  EXPECT_EQ(run_command({"/usr/sbin/ip", "-o", "link", "show", "master", tn.net->config().bridge}).out, "");
  EXPECT_TRUE(rt_->list().empty());
  EXPECT_TRUE(fs::is_empty(dir_ / "root/state"));
  EXPECT_TRUE(fs::is_empty(dir_ / "run/netns"));
  for (auto& e : fs::directory_iterator(dir_ / "ipam")) EXPECT_EQ(e.path().filename(), "last");
  // Only the parent cgroup stays, with no container under it.
  for (const auto& [ctl, mnt] : host_.v1_mounts) {
    std::error_code ec;
    for (auto& e : fs::directory_iterator(mnt + parent, ec)) EXPECT_FALSE(e.is_directory()) << e.path();
  }
}

TEST_P(RuntimeTest, StreamingExecWithPipesAndWithATty) {
  std::string id = new_id();
  ASSERT_TRUE(rt_->create(id, spec({"/bin/sleep", "1000"}), log(id)).ok());
  ASSERT_TRUE(rt_->start(id).ok());
  int in[2], out[2];
  ASSERT_EQ(::pipe(in), 0);
  ASSERT_EQ(::pipe(out), 0);
  ASSERT_EQ(::write(in[1], "ping\n", 5), 5);
  ::close(in[1]);
  ExecIO io;
  io.stdin_fd = in[0];
  io.stdout_fd = out[1];
  io.env = {"GREETING=hi"};
  int code = -1;
  ASSERT_TRUE(rt_->exec(id, {"/bin/sh", "-c", "read x; echo $GREETING $x; exit 5"}, io, &code).ok());
  ::close(in[0]);
  ::close(out[1]);
  EXPECT_EQ(code, 5);
  char buf[256];
  ssize_t n = ::read(out[0], buf, sizeof buf);
  ::close(out[0]);
  EXPECT_EQ(std::string(buf, n > 0 ? static_cast<size_t>(n) : 0), "hi ping\n");

  ExecIO tty;
  tty.tty = true;
  std::string seen;
  std::thread reader;
  tty.on_tty = [&](int master) {
    reader = std::thread([&seen, master] {
      char b[256];
      ssize_t r;
      while ((r = ::read(master, b, sizeof b)) > 0) seen.append(b, static_cast<size_t>(r));
      ::close(master);
    });
  };
  ASSERT_TRUE(rt_->exec(id, {"/bin/sh", "-c", "tty; test -t 0"}, tty, &code).ok());
  if (reader.joinable()) reader.join();
  EXPECT_EQ(code, 0);
  EXPECT_NE(seen.find("/dev/pts/"), std::string::npos)
      << seen << read_file((dir_ / "root/containers" / id / "runtime.log").string());
  ASSERT_TRUE(rt_->remove(id).ok());
}

INSTANTIATE_TEST_SUITE_P(Oci, RuntimeTest, ::testing::Values("crun", "runc"));

TEST(Monitor, FormatsRfc3339Nano) {
  char buf[32];
  EXPECT_EQ(format_rfc3339_nano(0, buf), 30);
  EXPECT_STREQ(buf, "1970-01-01T00:00:00.000000000Z");
  format_rfc3339_nano(1709251199123456789LL, buf);  // leap year, end of February
  EXPECT_STREQ(buf, "2024-02-29T23:59:59.123456789Z");
  format_rfc3339_nano(951868800000000001LL, buf);
  EXPECT_STREQ(buf, "2000-03-01T00:00:00.000000001Z");
}

}  // namespace
}  // namespace skiff::runtime
