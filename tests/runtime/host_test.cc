#include "runtime/host.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace skiff::runtime {
namespace {

// This machine's layout: v1 controllers plus a cgroup2 mount holding only hugetlb.
constexpr const char* kHybrid =
    "22 1 0:21 / /sys rw,nosuid - sysfs sysfs rw\n"
    "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
    "39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime shared:9 - cgroup cgroup rw,xattr,name=systemd\n"
    "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
constexpr const char* kV2 =
    "25 1 0:21 / /sys rw - sysfs sysfs rw\n"
    "35 25 0:30 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate\n";
constexpr const char* kV1 =
    "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
    "34 30 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n";

TEST(Mountinfo, ParsesFieldsAndOptionalFieldsAndEscapes) {
  auto m = parse_mountinfo(
      "39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime shared:9 master:2 - cgroup cgroup rw,name=systemd\n"
      "50 1 8:1 / /mnt/with\\040space rw - ext4 /dev/sda1 rw\n"
      "garbage line\n");
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].mount_point, "/sys/fs/cgroup/systemd");
  EXPECT_EQ(m[0].fstype, "cgroup");
  EXPECT_EQ(m[0].super_options, "rw,name=systemd");
  EXPECT_EQ(m[1].mount_point, "/mnt/with space");
  EXPECT_EQ(m[1].source, "/dev/sda1");
}

TEST(CgroupMode, DetectsHybridV1V2AndNone) {
  std::string uni;
  std::map<std::string, std::string> v1;
  EXPECT_EQ(cgroup_mode_from_mounts(parse_mountinfo(kHybrid), &uni, &v1), CgroupMode::kHybrid);
  EXPECT_EQ(uni, "/sys/fs/cgroup/unified");
  EXPECT_EQ(v1["memory"], "/sys/fs/cgroup/memory");
  EXPECT_EQ(v1["name=systemd"], "/sys/fs/cgroup/systemd");
  EXPECT_EQ(v1.count("xattr"), 0u);
  EXPECT_EQ(cgroup_mode_from_mounts(parse_mountinfo(kV2), &uni, &v1), CgroupMode::kV2);
  EXPECT_EQ(uni, "/sys/fs/cgroup");
  EXPECT_TRUE(v1.empty());
  EXPECT_EQ(cgroup_mode_from_mounts(parse_mountinfo(kV1), &uni, &v1), CgroupMode::kV1);
  EXPECT_EQ(v1["cpuacct"], "/sys/fs/cgroup/cpu,cpuacct");
  EXPECT_EQ(cgroup_mode_from_mounts({}, nullptr, nullptr), CgroupMode::kNone);
}

TEST(Capabilities, ReadsCapEff) {
  // This machine: everything except bit 24 (CAP_SYS_RESOURCE).
  std::string st = "Name:\tx\nCapPrm:\t000001ffffffffff\nCapEff:\t000001fffeffffff\n";
  EXPECT_FALSE(status_has_capability(st, 24));
  EXPECT_TRUE(status_has_capability(st, 21));
  EXPECT_TRUE(status_has_capability("CapEff:\t000001ffffffffff\n", 24));
  EXPECT_FALSE(status_has_capability("", 0));
}

TEST(ProcCgroup, FindsControllerAndUnifiedPaths) {
  std::string c = "9:name=systemd:/\n4:memory:/process_api/abc\n1:cpu,cpuacct:/x\n0::/u\n";
  EXPECT_EQ(cgroup_path_from_proc(c, "memory"), "/process_api/abc");
  EXPECT_EQ(cgroup_path_from_proc(c, "cpuacct"), "/x");
  EXPECT_EQ(cgroup_path_from_proc(c, ""), "/u");
  EXPECT_EQ(cgroup_path_from_proc(c, "pids"), "/");
}

class FakeHost : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("skiff-host-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "bin");
    paths_.mountinfo = put("mountinfo", kHybrid);
    paths_.self_status = put("status", "CapEff:\t000001fffeffffff\n");
    paths_.self_cgroup = put("cgroup", "4:memory:/limited\n0::/\n");
    paths_.self_oom_score_adj = put("oom", "-5\n");
    paths_.init_comm = put("comm", "tini\n");
    paths_.systemd_run_dir = (dir_ / "no-systemd").string();
    paths_.bin_dirs = {(dir_ / "bin").string()};
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string put(const std::string& name, const std::string& text) {
    auto p = dir_ / name;
    std::ofstream(p) << text;
    return p.string();
  }
  std::filesystem::path dir_;
  HostPaths paths_;
};

TEST_F(FakeHost, DetectsEverything) {
  put("bin/runc", "#!/bin/sh\n");
  ::chmod((dir_ / "bin/runc").c_str(), 0755);
  put("bin/crun", "not executable");
  HostInfo h = detect_host(paths_);
  EXPECT_EQ(h.cgroup_mode, CgroupMode::kHybrid);
  EXPECT_EQ(h.unified_mount, "/sys/fs/cgroup/unified");
  EXPECT_EQ(h.self_cgroup, "/limited");
  EXPECT_EQ(h.runc_path, (dir_ / "bin/runc").string());
  EXPECT_EQ(h.crun_path, "");
  EXPECT_FALSE(h.cap_sys_resource);
  EXPECT_EQ(h.self_oom_score_adj, -5);
  EXPECT_EQ(h.min_oom_score_adj(), -5);
  EXPECT_FALSE(h.systemd);
  EXPECT_EQ(h.cgroup_dir("memory", "/a/b"), "/sys/fs/cgroup/memory/a/b");
  EXPECT_EQ(h.cgroup_dir("hugetlb", "/a"), "");
}

TEST_F(FakeHost, DetectsSystemdAndV2) {
  paths_.mountinfo = put("mountinfo", kV2);
  paths_.init_comm = put("comm", "systemd\n");
  std::filesystem::create_directories(dir_ / "systemd");
  paths_.systemd_run_dir = (dir_ / "systemd").string();
  paths_.self_status = put("status", "CapEff:\t000001ffffffffff\n");
  HostInfo h = detect_host(paths_);
  EXPECT_EQ(h.cgroup_mode, CgroupMode::kV2);
  EXPECT_EQ(h.self_cgroup, "/");
  EXPECT_TRUE(h.systemd);
  EXPECT_TRUE(h.cap_sys_resource);
  EXPECT_EQ(h.min_oom_score_adj(), -1000);
  EXPECT_EQ(h.cgroup_dir("memory", "/a"), "/sys/fs/cgroup/a");
}

TEST(RealHost, DetectsSomething) {
  HostInfo h = detect_host();
  // Whatever the machine, a Linux host with a cgroup filesystem has a cgroup layout, and the
  // cgroup of this process is one of its directories.
  if (!is_mount_point("/sys/fs/cgroup") && !is_mount_point("/sys/fs/cgroup/memory"))
    GTEST_SKIP() << "no cgroup filesystem mounted";
  EXPECT_NE(h.cgroup_mode, CgroupMode::kNone);
  std::string dir = h.cgroup_mode == CgroupMode::kV2 ? h.cgroup_dir("", h.self_cgroup)
                                                     : h.cgroup_dir("memory", h.self_cgroup);
  EXPECT_TRUE(std::filesystem::is_directory(dir)) << dir;
  std::cout << "cgroup=" << to_string(h.cgroup_mode) << " crun=" << h.crun_path
            << " runc=" << h.runc_path << " cap_sys_resource=" << h.cap_sys_resource
            << " systemd=" << h.systemd << " self=" << h.self_cgroup << "\n";
}

}  // namespace
}  // namespace skiff::runtime
