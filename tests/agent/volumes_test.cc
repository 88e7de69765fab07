#include "agent/volumes.h"

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "common/base64.h"
#include "common/time.h"

namespace skiff::agent {
namespace {
namespace fs = std::filesystem;

json::object obj(std::string_view text) { return json::parse(text).as_object(); }

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
int mode_of(const fs::path& p) {
  return static_cast<int>(fs::status(p).permissions() & fs::perms::mask);
}

struct MountInfo {
  std::string point, fstype, super_options;
};
// The mounts at or below `dir`, in mount order.
std::vector<MountInfo> mounts_at(const std::string& dir) {
  std::vector<MountInfo> out;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string id, parent, dev, root, point, word;
    f >> id >> parent >> dev >> root >> point;
    while (f >> word && word != "-") {}
    MountInfo m{point, "", ""};
    f >> m.fstype >> word >> m.super_options;
    if (point == dir || point.starts_with(dir + "/")) out.push_back(m);
  }
  return out;
}

// The API of these tests: objects in a map, everything else a 404.
struct FakeApi {
  std::map<std::string, json::object> objects;
  ObjectGetter getter() {
    return [this](const std::string& resource, const std::string&,
                  const std::string& name) -> Result<json::object> {
      auto it = objects.find(resource + "/" + name);
      if (it == objects.end()) return ApiError::not_found(resource, name);
      return it->second;
    };
  }
  // TokenRequests: answered with "token-N" valid for token_valid_for (default: the lifetime
  // asked for), or refused when token_error is set.
  std::vector<json::object> token_requests;
  std::optional<std::chrono::seconds> token_valid_for;
  bool token_error = false;
  TokenRequester requester() {
    return [this](const std::string& ns, const std::string& sa,
                  const json::object& req) -> Result<json::object> {
      token_requests.push_back(req);
      if (token_error) return ApiError::not_found("serviceaccounts", sa);
      auto valid = token_valid_for.value_or(
          std::chrono::seconds(get_int(req, {"spec", "expirationSeconds"})));
      return json::object{
          {"status",
           json::object{{"token", "token-" + std::to_string(token_requests.size()) + "-" + ns},
                        {"expirationTimestamp",
                         format_rfc3339(std::chrono::system_clock::now() + valid)}}}};
    };
  }
};

class VolumesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (tmpfs mounts)";
    char tmpl[] = "/tmp/skiff-volumes-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root = fs::canonical(tmpl).string();
    pod_dir = root + "/pods/uid-1";
    facts.node_allocatable = obj(R"({"cpu": "2", "memory": "1Gi"})");
  }
  // Unmounts and removes whatever a failed test left, so no tmpfs outlives the run.
  void TearDown() override {
    if (root.empty()) return;
    auto ms = mounts_at(root);
    for (auto it = ms.rbegin(); it != ms.rend(); ++it) ::umount2(it->point.c_str(), MNT_DETACH);
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  json::object pod_with(std::string_view volumes, std::string_view containers = "[]") {
    return obj(std::string(R"({"metadata": {"name": "p", "namespace": "default", "uid": "uid-1",
        "labels": {"app": "web"}}, "spec": {"containers": )") +
               std::string(containers) + R"(, "volumes": )" + std::string(volumes) + "}}");
  }
  bool set_up(PodVolumes& v, const json::object& pod) {
    err.clear();
    return v.set_up(pod, facts, api.getter(), &err, api.requester());
  }
  std::string root, pod_dir, err;
  PodFacts facts;
  FakeApi api;
};

TEST_F(VolumesTest, ConfigMapItemsModesAndNestedPaths) {
  api.objects["configmaps/cfg"] = obj(json::serialize(json::object{
      {"data", {{"a", "1"}, {"b", "2"}}},
      {"binaryData", {{"bin", base64_encode(std::string("\0\1", 2))}}}}));
  PodVolumes v(pod_dir);
  auto pod = pod_with(R"([{"name": "cfg", "configMap": {"name": "cfg", "defaultMode": 288,
      "items": [{"key": "a", "path": "a.txt"}, {"key": "b", "path": "sub/dir/b.txt", "mode": 384},
                {"key": "bin", "path": "bin"}]}}])");
  ASSERT_TRUE(set_up(v, pod)) << err;
  fs::path d = v.volume_dir("cfg");
  EXPECT_EQ(read(d / "a.txt"), "1");
  EXPECT_EQ(read(d / "sub/dir/b.txt"), "2");
  EXPECT_EQ(read(d / "bin"), std::string("\0\1", 2));
  EXPECT_EQ(mode_of(d / "a.txt"), 0440);
  EXPECT_EQ(mode_of(d / "sub/dir/b.txt"), 0600);
  EXPECT_EQ(fs::read_symlink(d / "a.txt"), "..data/a.txt");
  EXPECT_EQ(fs::read_symlink(d / "sub"), "..data/sub");  // nested: the top level is the link
  EXPECT_TRUE(fs::read_symlink(d / "..data").string().starts_with(".."));

  api.objects["configmaps/cfg"] = obj(R"({"data": {"a": "1"}})");
  EXPECT_FALSE(set_up(v, pod));
  EXPECT_EQ(err, "configmap references non-existent config key: b");
  EXPECT_EQ(read(d / "sub/dir/b.txt"), "2");  // a failed refresh leaves the old files
}

TEST_F(VolumesTest, ConfigMapUpdatePropagates) {
  api.objects["configmaps/cfg"] = obj(R"({"data": {"x": "one", "y": "why"}})");
  PodVolumes v(pod_dir);
  auto pod = pod_with(R"([{"name": "c", "configMap": {"name": "cfg"}}])");
  ASSERT_TRUE(set_up(v, pod)) << err;
  fs::path d = v.volume_dir("c");
  auto first = fs::read_symlink(d / "..data");
  EXPECT_EQ(read(d / "x"), "one");
  EXPECT_EQ(mode_of(d / "x"), 0644);

  ASSERT_TRUE(set_up(v, pod)) << err;  // unchanged: no new data dir
  EXPECT_EQ(fs::read_symlink(d / "..data"), first);

  api.objects["configmaps/cfg"] = obj(R"({"data": {"x": "two"}})");
  ASSERT_TRUE(set_up(v, pod)) << err;
  auto second = fs::read_symlink(d / "..data");
  EXPECT_NE(second, first);
  EXPECT_EQ(read(d / "x"), "two");
  EXPECT_FALSE(fs::exists(fs::symlink_status(d / "y")));  // stale key removed
  EXPECT_FALSE(fs::exists(d / first));                    // old data dir removed
  std::vector<std::string> names;
  for (auto& e : fs::directory_iterator(d)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  std::vector<std::string> want = {"..data", second.string(), "x"};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(names, want);
}

TEST_F(VolumesTest, MissingConfigMapRequiredVsOptional) {
  PodVolumes v(pod_dir);
  EXPECT_FALSE(set_up(v, pod_with(R"([{"name": "c", "configMap": {"name": "greet"}},
                                      {"name": "e", "emptyDir": {}}])")));
  EXPECT_EQ(err, "configmap \"greet\" not found");
  EXPECT_TRUE(fs::is_directory(v.volume_dir("e")));  // the other volumes are still set up
  ASSERT_TRUE(set_up(v, pod_with(R"([{"name": "c", "configMap": {"name": "greet",
      "optional": true, "items": [{"key": "k", "path": "k"}]}}])"))) << err;
  EXPECT_TRUE(fs::is_symlink(v.volume_dir("c") + "/..data"));
  EXPECT_FALSE(set_up(v, pod_with(R"([{"name": "s", "secret": {"secretName": "s"}}])")));
  EXPECT_EQ(err, "secret \"s\" not found");
}

TEST_F(VolumesTest, SecretIsDecodedOnTmpfsAndTornDown) {
  api.objects["secrets/s"] = obj(json::serialize(json::object{
      {"data", {{"token", base64_encode("abc")}, {"ca.crt", base64_encode("PEM")}}}}));
  PodVolumes v(pod_dir);
  auto pod = pod_with(R"([{"name": "sec", "secret": {"secretName": "s", "defaultMode": 256}}])");
  ASSERT_TRUE(set_up(v, pod)) << err;
  ASSERT_TRUE(set_up(v, pod)) << err;  // refresh: still one mount
  std::string d = v.volume_dir("sec");
  EXPECT_EQ(read(d + "/token"), "abc");
  EXPECT_EQ(read(d + "/ca.crt"), "PEM");
  EXPECT_EQ(mode_of(d + "/token"), 0400);
  auto ms = mounts_at(d);
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].fstype, "tmpfs");
  ASSERT_TRUE(v.tear_down(&err)) << err;
  EXPECT_TRUE(mounts_at(d).empty());
  EXPECT_FALSE(fs::exists(pod_dir + "/volumes"));
}

TEST_F(VolumesTest, DownwardApiFilesFollowThePod) {
  PodVolumes v(pod_dir);
  auto pod = pod_with(R"([{"name": "info", "downwardAPI": {"items": [
      {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}},
      {"path": "meta/name", "fieldRef": {"fieldPath": "metadata.name"}, "mode": 256},
      {"path": "cpu", "resourceFieldRef": {"containerName": "c", "resource": "limits.cpu",
                                           "divisor": "1m"}}]}}])",
                      R"([{"name": "c", "resources": {"limits": {"cpu": "500m"}}}])");
  ASSERT_TRUE(set_up(v, pod)) << err;
  fs::path d = v.volume_dir("info");
  EXPECT_EQ(read(d / "labels"), "app=\"web\"");
  EXPECT_EQ(read(d / "meta/name"), "p");
  EXPECT_EQ(mode_of(d / "meta/name"), 0400);
  EXPECT_EQ(read(d / "cpu"), "500");
  pod["metadata"].as_object()["labels"] = obj(R"({"app": "web", "v": "2"})");
  ASSERT_TRUE(set_up(v, pod)) << err;
  EXPECT_EQ(read(d / "labels"), "app=\"web\"\nv=\"2\"");
}

TEST_F(VolumesTest, ProjectedMergesSourcesOnTmpfs) {
  api.objects["configmaps/cm"] = obj(R"({"data": {"a": "A", "b": "B"}})");
  api.objects["secrets/s"] =
      obj(json::serialize(json::object{{"data", {{"t", base64_encode("T")}}}}));
  PodVolumes v(pod_dir);
  ASSERT_TRUE(set_up(v, pod_with(R"([{"name": "all", "projected": {"defaultMode": 420, "sources": [
      {"serviceAccountToken": {"path": "token"}},
      {"configMap": {"name": "cm", "items": [{"key": "a", "path": "cm/a"}]}},
      {"secret": {"name": "s"}},
      {"secret": {"name": "gone", "optional": true}},
      {"downwardAPI": {"items": [{"path": "ns", "fieldRef": {"fieldPath": "metadata.namespace"}}]}}
  ]}}])"))) << err;
  fs::path d = v.volume_dir("all");
  EXPECT_EQ(read(d / "cm/a"), "A");
  EXPECT_EQ(read(d / "t"), "T");
  EXPECT_EQ(read(d / "ns"), "default");
  EXPECT_EQ(read(d / "token"), "token-1-default");
  EXPECT_FALSE(fs::exists(d / "cm/b"));
  EXPECT_EQ(mounts_at(d.string()).size(), 1u);
}

TEST(TokenRefresh, AtEightyPercentOfTheLifetime) {
  using namespace std::chrono;
  auto t0 = system_clock::now();
  auto exp = t0 + seconds(3600);
  EXPECT_FALSE(token_needs_refresh(t0, exp, 3600));
  EXPECT_FALSE(token_needs_refresh(t0 + seconds(2879), exp, 3600));
  EXPECT_TRUE(token_needs_refresh(t0 + seconds(2881), exp, 3600));
  EXPECT_TRUE(token_needs_refresh(t0 + seconds(2875), exp, 3600, seconds(9)));  // jitter: earlier
  // A year-long token is renewed after a day.
  auto year = t0 + hours(24 * 365);
  EXPECT_FALSE(token_needs_refresh(t0 + hours(23), year, 3600 * 24 * 365));
  EXPECT_TRUE(token_needs_refresh(t0 + hours(25), year, 3600 * 24 * 365));
}

TEST_F(VolumesTest, ServiceAccountTokenBoundToThePodAndRenewed) {
  PodVolumes v(pod_dir);
  auto pod = pod_with(R"([{"name": "kube-api-access-x", "projected": {"defaultMode": 420,
      "sources": [{"serviceAccountToken": {"path": "token", "expirationSeconds": 3607}}]}},
      {"name": "aud", "projected": {"defaultMode": 384, "sources": [{"serviceAccountToken":
      {"path": "vault/token", "audience": "vault", "expirationSeconds": 600}}]}}])");
  pod["spec"].as_object()["serviceAccountName"] = "builder";
  ASSERT_TRUE(set_up(v, pod)) << err;
  ASSERT_EQ(api.token_requests.size(), 2u);
  const auto& r0 = api.token_requests[0];
  EXPECT_EQ(get_int(r0, {"spec", "expirationSeconds"}), 3607);
  EXPECT_EQ(get_string(r0, {"spec", "boundObjectRef", "kind"}), "Pod");
  EXPECT_EQ(get_string(r0, {"spec", "boundObjectRef", "name"}), "p");
  EXPECT_EQ(get_string(r0, {"spec", "boundObjectRef", "uid"}), "uid-1");
  EXPECT_FALSE(r0.at("spec").as_object().contains("audiences"));  // the API server's default
  EXPECT_EQ(json::serialize(api.token_requests[1].at("spec").at("audiences")), R"(["vault"])");
  fs::path d = v.volume_dir("kube-api-access-x");
  EXPECT_EQ(read(d / "token"), "token-1-default");
  EXPECT_EQ(mode_of(d / "token"), 0644);
  EXPECT_EQ(read(v.volume_dir("aud") + "/vault/token"), "token-2-default");
  EXPECT_EQ(mode_of(v.volume_dir("aud") + "/vault/token"), 0600);
  // A fresh token is kept across refreshes.
  ASSERT_TRUE(set_up(v, pod)) << err;
  EXPECT_EQ(api.token_requests.size(), 2u);
  // One past 80% of its lifetime is renewed (here: issued already nearly expired).
  PodVolumes w(root + "/pods/uid-2");
  api.token_valid_for = std::chrono::seconds(100);
  ASSERT_TRUE(set_up(w, pod)) << err;
  EXPECT_EQ(api.token_requests.size(), 4u);
  ASSERT_TRUE(set_up(w, pod)) << err;
  EXPECT_EQ(api.token_requests.size(), 6u);
  EXPECT_EQ(read(w.volume_dir("kube-api-access-x") + "/token"), "token-5-default");
  // A failed renewal keeps the token it had; a first fetch that fails is an error.
  api.token_error = true;
  ASSERT_TRUE(set_up(w, pod)) << err;
  EXPECT_EQ(read(w.volume_dir("kube-api-access-x") + "/token"), "token-5-default");
  PodVolumes fresh(root + "/pods/uid-3");
  EXPECT_FALSE(set_up(fresh, pod));
  EXPECT_NE(err.find("failed to fetch token"), std::string::npos) << err;
  EXPECT_TRUE(w.tear_down(&err)) << err;
  EXPECT_TRUE(fresh.tear_down(&err)) << err;
  EXPECT_TRUE(v.tear_down(&err)) << err;
}

TEST_F(VolumesTest, EmptyDirMemoryIsTmpfsAndSurvivesAgentRestart) {
  {
    PodVolumes v(pod_dir);
    ASSERT_TRUE(set_up(v, pod_with(R"([{"name": "mem", "emptyDir": {"medium": "Memory",
        "sizeLimit": "1Mi"}}, {"name": "disk", "emptyDir": {}}])"))) << err;
    auto ms = mounts_at(v.volume_dir("mem"));
    ASSERT_EQ(ms.size(), 1u);
    EXPECT_EQ(ms[0].fstype, "tmpfs");
    EXPECT_NE(ms[0].super_options.find("size=1024k"), std::string::npos) << ms[0].super_options;
    EXPECT_TRUE(mounts_at(v.volume_dir("disk")).empty());
    EXPECT_EQ(mode_of(v.volume_dir("disk")), 0777);
  }
  PodVolumes restarted(pod_dir);  // remembers nothing: the mount table says what to undo
  ASSERT_TRUE(restarted.tear_down(&err)) << err;
  EXPECT_TRUE(mounts_at(root).empty());
  EXPECT_FALSE(fs::exists(pod_dir + "/volumes"));
  ASSERT_TRUE(restarted.tear_down(&err)) << err;  // twice is fine
  EXPECT_FALSE(
      set_up(restarted, pod_with(R"([{"name": "h", "emptyDir": {"medium": "HugePages"}}])")));
  EXPECT_EQ(err, "unsupported emptyDir medium \"HugePages\"");
}

TEST_F(VolumesTest, HostPathTypeChecks) {
  std::string file = root + "/file", dir = root + "/dir", sock = root + "/sock";
  std::ofstream(file) << "x";
  fs::create_directories(dir);
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, sock.c_str(), sizeof addr.sun_path - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  PodVolumes v(pod_dir);
  auto check = [&](const std::string& path, const std::string& type) {
    json::array vols{json::object{{"name", "h"},
                                  {"hostPath", {{"path", path}, {"type", type}}}}};
    return set_up(v, pod_with(json::serialize(vols)));
  };
  EXPECT_TRUE(check(dir, "Directory"));
  EXPECT_TRUE(check(file, "File"));
  EXPECT_TRUE(check(sock, "Socket"));
  EXPECT_TRUE(check("/dev/null", "CharDevice"));
  EXPECT_TRUE(check(root + "/nothing", ""));
  EXPECT_FALSE(check(file, "Directory"));
  EXPECT_EQ(err, "hostPath type check failed: " + file + " is not a directory");
  EXPECT_FALSE(check(root + "/missing", "Directory"));
  EXPECT_EQ(err, "hostPath type check failed: " + root + "/missing is not a directory");
  EXPECT_FALSE(check(dir, "File"));
  EXPECT_EQ(err, "hostPath type check failed: " + dir + " is not a file");
  EXPECT_FALSE(check(file, "Socket"));
  EXPECT_EQ(err, "hostPath type check failed: " + file + " is not a socket file");
  EXPECT_FALSE(check(file, "CharDevice"));
  EXPECT_EQ(err, "hostPath type check failed: " + file + " is not a character device");
  EXPECT_FALSE(check("/dev/null", "BlockDevice"));
  EXPECT_EQ(err, "hostPath type check failed: /dev/null is not a block device");
  EXPECT_FALSE(check(dir, "Weird"));
  EXPECT_EQ(err, "Weird is an invalid volume type");
  EXPECT_TRUE(check(root + "/new/deep", "DirectoryOrCreate"));
  EXPECT_TRUE(fs::is_directory(root + "/new/deep"));
  EXPECT_TRUE(check(root + "/newfile", "FileOrCreate"));
  EXPECT_TRUE(fs::is_regular_file(root + "/newfile"));
  EXPECT_FALSE(check(file, "DirectoryOrCreate"));
  ::close(fd);
}

TEST_F(VolumesTest, MountsAndSubPaths) {
  api.objects["configmaps/cm"] = obj(R"({"data": {"k": "v"}})");
  PodVolumes v(pod_dir);
  auto pod = pod_with(R"([{"name": "data", "emptyDir": {}},
      {"name": "cm", "configMap": {"name": "cm"}},
      {"name": "host", "hostPath": {"path": "/etc"}}])");
  ASSERT_TRUE(set_up(v, pod)) << err;
  auto mounts = [&](std::string_view vms, std::vector<runtime::MountSpec>* out) {
    out->clear();
    err.clear();
    auto container = obj(std::string(R"({"name": "c", "volumeMounts": )") + std::string(vms) + "}");
    return v.mounts(pod, container, out, &err);
  };
  std::vector<runtime::MountSpec> ms;
  ASSERT_TRUE(mounts(R"([{"name": "data", "mountPath": "/data"},
      {"name": "data", "mountPath": "/ro", "readOnly": true},
      {"name": "cm", "mountPath": "/etc/cm"},
      {"name": "cm", "mountPath": "/etc/k", "subPath": "k"},
      {"name": "host", "mountPath": "/host"},
      {"name": "data", "mountPath": "/sub", "subPath": "a/b"}])", &ms)) << err;
  ASSERT_EQ(ms.size(), 6u);
  using Opts = std::vector<std::string>;
  EXPECT_EQ(ms[0].destination, "/data");
  EXPECT_EQ(ms[0].type, "bind");
  EXPECT_EQ(ms[0].source, v.volume_dir("data"));
  EXPECT_EQ(ms[0].options, (Opts{"rbind", "rprivate"}));
  EXPECT_EQ(ms[1].options, (Opts{"rbind", "rprivate", "ro"}));
  EXPECT_EQ(ms[2].options, (Opts{"rbind", "rprivate", "ro"}));  // configMap: always read-only
  EXPECT_EQ(read(ms[3].source), "v");                          // resolved to the data file
  EXPECT_TRUE(ms[3].source.find("/..") != std::string::npos) << ms[3].source;
  EXPECT_EQ(ms[4].source, "/etc");
  EXPECT_EQ(ms[5].source, fs::canonical(v.volume_dir("data")).string() + "/a/b");
  EXPECT_TRUE(fs::is_directory(ms[5].source));  // created inside the volume

  EXPECT_FALSE(mounts(R"([{"name": "data", "mountPath": "/x", "subPath": "/etc"}])", &ms));
  EXPECT_EQ(err, "error SubPath `/etc` must not be an absolute path");
  EXPECT_FALSE(mounts(R"([{"name": "data", "mountPath": "/x", "subPath": "a/../../x"}])", &ms));
  EXPECT_EQ(err, "unable to provision SubPath `a/../../x`: must not contain '..'");
  fs::create_symlink("/etc", v.volume_dir("data") + "/esc");
  EXPECT_FALSE(mounts(R"([{"name": "data", "mountPath": "/x", "subPath": "esc/skiff-new"}])", &ms));
  EXPECT_NE(err.find("not within volume path"), std::string::npos) << err;
  EXPECT_FALSE(fs::exists("/etc/skiff-new"));
  EXPECT_FALSE(mounts(R"([{"name": "nope", "mountPath": "/x"}])", &ms));
  EXPECT_EQ(err, "cannot find volume \"nope\" to mount into container \"c\"");

  ASSERT_TRUE(v.tear_down(&err)) << err;
  EXPECT_TRUE(fs::is_directory("/etc"));  // hostPath volumes are never touched
}

TEST_F(VolumesTest, TearDownWithNothingSetUp) {
  PodVolumes v(pod_dir);
  EXPECT_TRUE(v.tear_down(&err)) << err;
  PodVolumes elsewhere(root + "/never");
  EXPECT_TRUE(elsewhere.tear_down(&err)) << err;
}

}  // namespace
}  // namespace skiff::agent
