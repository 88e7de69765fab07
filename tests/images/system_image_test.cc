// The system image (images/system_image.h), built from this test program's own binary: its
// name, its content (the binary, the libraries it maps, the interpreter at its ELF path) and
// that a second ensure finds it instead of building again.
#include "images/system_image.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <regex>

namespace skiff::images {
namespace {
namespace fs = std::filesystem;

TEST(SystemImage, RefIsNameVersionAndBuildId) {
  const std::string& ref = system_image_ref();
  EXPECT_TRUE(std::regex_match(ref, std::regex(R"(localhost/skiff/system:[0-9.]+-[0-9a-f]{12})"))) << ref;
  EXPECT_EQ(&ref, &system_image_ref());  // computed once
}

TEST(SystemImage, LibrariesIncludeTheLoaderAndLibc) {
  auto libs = system_image_libraries();
  bool libc = false, loader = false;
  for (const auto& l : libs) {
    EXPECT_EQ(l[0], '/') << l;
    if (l.find("/libc.so") != std::string::npos) libc = true;
    if (l.find("ld-linux") != std::string::npos) loader = true;
  }
  EXPECT_TRUE(libc);
  EXPECT_TRUE(loader);
}

TEST(SystemImage, BuildsOnceAndRunsTheBinary) {
  char tmpl[] = "/tmp/skiff-sysimg-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  std::string err;
  auto svc = open_image_service(Options{dir + "/agent", "", "linux", "amd64"}, &err);
  ASSERT_TRUE(svc) << err;
  auto st = ensure_system_image(*svc, dir + "/agent/tmp");
  ASSERT_TRUE(st.ok()) << st.message;
  Image img;
  ASSERT_TRUE(svc->get(system_image_ref(), img).ok());
  EXPECT_EQ(img.config.entrypoint, std::vector<std::string>{"/usr/bin/skiff"});
  ASSERT_EQ(img.layer_dirs.size(), 1u);
  const std::string root = img.layer_dirs[0];
  EXPECT_EQ(fs::file_size(root + "/usr/bin/skiff"), fs::file_size("/proc/self/exe"));
  for (const auto& lib : system_image_libraries())
    EXPECT_TRUE(fs::exists(fs::symlink_status(root + lib))) << lib;
  // The soname the loader asks for, as a symlink to the mapped file (libz.so.1 -> libz.so.1.2.x).
  bool soname = false;
  for (const auto& lib : system_image_libraries())
    if (lib.find("/libz.so.") != std::string::npos || lib.find("/libzstd.so.") != std::string::npos) {
      const std::string so = lib.substr(0, lib.find(".so.") + 5);
      soname = soname || fs::is_symlink(root + so);
    }
  EXPECT_TRUE(soname);
  // The temporary archive is gone; a second call finds the image and builds nothing.
  EXPECT_TRUE(fs::is_empty(dir + "/agent/tmp"));
  auto created = img.created;
  ASSERT_TRUE(ensure_system_image(*svc, dir + "/agent/tmp").ok());
  ASSERT_TRUE(svc->get(system_image_ref(), img).ok());
  EXPECT_EQ(img.created, created);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace skiff::images
