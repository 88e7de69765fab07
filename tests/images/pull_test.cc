// Integration test: a real docker-registry (Debian package `docker-registry`) on a loopback port,
// images pushed through the distribution API, pulled through skiff with a docker.io mirror.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "image_builder.h"
#include "images/error.h"
#include "images/http.h"
#include "images/images.h"

namespace skiff::images {
namespace {
namespace fs = std::filesystem;
using namespace testing;

constexpr const char* kRegistryBin = "/usr/bin/docker-registry";

int free_port() {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  close(s);
  return ntohs(a.sin_port);
}

class PullTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (access(kRegistryBin, X_OK) != 0) return;
    char tmpl[] = "/tmp/skiff-pull-XXXXXX";
    dir_ = mkdtemp(tmpl);
    port_ = free_port();
    pid_ = start_registry(dir_ + "/plain", port_, "", "", base());
  }
  // Starts docker-registry on 127.0.0.1:port storing under dir (with TLS when cert is given) and
  // waits until url/v2/ answers. kNotReady (the process stopped again) when it never does.
  static constexpr pid_t kNotReady = -2;
  static pid_t start_registry(const std::string& dir, int port, const std::string& cert,
                              const std::string& key, const std::string& url,
                              const HttpOptions& opts = {}) {
    fs::create_directories(dir);
    std::ofstream cfg(dir + "/config.yml");
    cfg << "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: "
        << dir << "/data\nhttp:\n  addr: 127.0.0.1:" << port << "\n";
    if (!cert.empty()) cfg << "  tls:\n    certificate: " << cert << "\n    key: " << key << "\n";
    cfg.close();
    pid_t pid = fork();
    if (pid == 0) {
      int fd = open((dir + "/registry.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, 1);
      dup2(fd, 2);
      execl(kRegistryBin, kRegistryBin, "serve", (dir + "/config.yml").c_str(), nullptr);
      _exit(127);
    }
    for (int i = 0; i < 100; ++i) {
      try {
        if (http_request({"GET", url + "/v2/", {}, {}}, opts).status == 200) return pid;
      } catch (const ImageError&) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    kill(pid, SIGTERM);
    waitpid(pid, nullptr, 0);
    return kNotReady;
  }
  static void TearDownTestSuite() {
    if (pid_ > 0) {  // kNotReady: already stopped
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  void SetUp() override {
    if (pid_ == kNotReady) FAIL() << "docker-registry did not answer on 127.0.0.1:" << port_ << " within 10 s";
    if (pid_ <= 0) GTEST_SKIP() << kRegistryBin << " not installed (apt-get install docker-registry)";
    work_ = dir_ + "/t-" + std::to_string(counter_++);
    fs::create_directories(work_);
    std::ofstream(work_ + "/registries.yaml")
        << "registries:\n  docker.io:\n    mirrors: [\"" << base() << "\"]\n";
  }
  static std::string base() { return "http://127.0.0.1:" + std::to_string(port_); }

  static void push_blob(const std::string& repo, const Blob& b, const std::string& url = base(),
                        const HttpOptions& o = {}) {
    HttpResponse r = http_request({"POST", url + "/v2/" + repo + "/blobs/uploads/", {}, {}}, o);
    ASSERT_EQ(r.status, 202) << r.body;
    std::string loc = r.headers["location"];
    if (loc[0] == '/') loc = url + loc;
    loc += (loc.find('?') == std::string::npos ? "?" : "&") + std::string("digest=") + b.digest;
    r = http_request({"PUT", loc, {{"Content-Type", "application/octet-stream"}}, b.data}, o);
    ASSERT_EQ(r.status, 201) << r.body;
  }
  static void push_manifest(const std::string& repo, const std::string& ref, const Blob& m,
                            const std::string& url = base(), const HttpOptions& o = {}) {
    HttpResponse r = http_request({"PUT", url + "/v2/" + repo + "/manifests/" + ref,
                                   {{"Content-Type", m.media_type}}, m.data}, o);
    ASSERT_EQ(r.status, 201) << r.body;
  }
  static void push(const std::string& repo, const std::string& tag, const TestImage& img,
                   const std::string& url = base(), const HttpOptions& o = {}) {
    for (auto& b : img.layers) push_blob(repo, b, url, o);
    push_blob(repo, img.config, url, o);
    push_manifest(repo, tag, img.manifest, url, o);
  }
  std::unique_ptr<ImageService> service(const std::string& cfg) {
    std::string err;
    auto s = open_image_service(Options{work_ + "/agent", cfg, "linux", "amd64"}, &err);
    EXPECT_TRUE(s) << err;
    return s;
  }

  static inline std::string dir_;
  static inline int port_ = 0;
  static inline pid_t pid_ = -1;
  static inline int counter_ = 0;
  std::string work_;
};

TEST_F(PullTest, PullsThroughMirrorWithIndexAndDockerTypes) {
  TestImage amd = make_image({TarBuilder().dir("bin/").file("bin/sh", "shell", 0755).str(),
                              TarBuilder().file("hello", "world").str()});
  TestImage arm = make_image({TarBuilder().file("arm", "x").str()}, "arm64");
  Blob index = make_index({{&arm, "arm64"}, {&amd, "amd64"}});
  push("library/busytest", "v1", amd);
  push("library/busytest", arm.manifest.digest, arm);
  push_manifest("library/busytest", "multi", index);
  TestImage docker = make_image({TarBuilder().file("d", "docker").str()}, "amd64", "gzip", true);
  push("library/dockertypes", "latest", docker);

  auto svc = service(work_ + "/registries.yaml");
  std::vector<std::string> lines;
  Image img;
  Status st = svc->ensure("busytest:v1", PullPolicy::kIfNotPresent, img,
                          [&](const std::string& l) { lines.push_back(l); });
  ASSERT_TRUE(st.ok()) << st.message;
  EXPECT_EQ(img.name, "docker.io/library/busytest:v1");
  EXPECT_EQ(img.manifest_digest, amd.manifest.digest);
  EXPECT_EQ(img.config.entrypoint, std::vector<std::string>{"/bin/sh"});
  ASSERT_EQ(img.layer_dirs.size(), 2u);
  EXPECT_TRUE(fs::exists(img.layer_dirs[1] + "/hello"));
  EXPECT_FALSE(lines.empty());

  ASSERT_TRUE(svc->ensure("busytest:multi", PullPolicy::kAlways, img).ok());
  EXPECT_EQ(img.manifest_digest, amd.manifest.digest);  // linux/amd64 chosen from the index
  ASSERT_TRUE(svc->ensure("docker.io/library/busytest@" + amd.manifest.digest,
                          PullPolicy::kIfNotPresent, img).ok());
  st = svc->ensure("dockertypes", PullPolicy::kIfNotPresent, img);
  ASSERT_TRUE(st.ok()) << st.message;
  EXPECT_TRUE(fs::exists(img.layer_dirs[0] + "/d"));
  // v1, multi and dockertypes: the digest reference found v1's record.
  EXPECT_EQ(svc->list().size(), 3u);
}

TEST_F(PullTest, ConcurrentPullsOnceAndErrors) {
  std::vector<std::string> tars;
  for (int i = 0; i < 4; ++i) tars.push_back(TarBuilder().file("f" + std::to_string(i), std::string(200000, 'a' + i)).str());
  TestImage img = make_image(tars);
  push("team/app", "1.0", img);
  auto svc = service(work_ + "/registries.yaml");
  std::string ref = "127.0.0.1:" + std::to_string(port_) + "/team/app:1.0";
  std::atomic<int> fetches{0};
  std::vector<std::thread> ts;
  std::vector<Status> sts(6);
  for (int i = 0; i < 6; ++i)
    ts.emplace_back([&, i] {
      Image out;
      sts[i] = svc->ensure(ref, PullPolicy::kIfNotPresent, out, [&](const std::string& l) {
        if (l.rfind("Pulling sha256:", 0) == 0) ++fetches;
      });
    });
  for (auto& t : ts) t.join();
  for (auto& s : sts) EXPECT_TRUE(s.ok()) << s.message;
  EXPECT_EQ(fetches.load(), 5);  // 4 layers + config, each fetched once

  Image out;
  EXPECT_EQ(svc->ensure("nosuchimage", PullPolicy::kIfNotPresent, out).code, Status::Code::kNotFound);
  EXPECT_EQ(svc->ensure("127.0.0.1:" + std::to_string(port_) + "/team/app@sha256:" + std::string(64, '0'),
                        PullPolicy::kIfNotPresent, out).code,
            Status::Code::kNotFound);
  EXPECT_EQ(svc->ensure("Bad Ref", PullPolicy::kAlways, out).code, Status::Code::kInvalidReference);
  // Nothing listens on port 1.
  Status st = svc->ensure("127.0.0.1:1/x/y", PullPolicy::kIfNotPresent, out);
  EXPECT_EQ(st.code, Status::Code::kRegistry) << st.message;
  EXPECT_TRUE(fs::is_empty(work_ + "/agent/images/tmp"));
}

TEST_F(PullTest, Https) {
  std::string d = work_ + "/tls";
  fs::create_directories(d);
  std::string gen = "openssl req -x509 -newkey rsa:2048 -nodes -keyout " + d + "/key.pem -out " + d +
                    "/cert.pem -days 1 -subj /CN=skiff-test -addext subjectAltName=IP:127.0.0.1 "
                    ">/dev/null 2>&1";
  if (system(gen.c_str()) != 0) GTEST_SKIP() << "openssl could not make a certificate";
  int port = free_port();
  std::string url = "https://127.0.0.1:" + std::to_string(port);
  HttpOptions o;
  o.ca_file = d + "/cert.pem";
  pid_t pid = start_registry(d, port, d + "/cert.pem", d + "/key.pem", url, o);
  ASSERT_GT(pid, 0) << "docker-registry with TLS did not answer; see " << d << "/registry.log";
  struct Stop {
    pid_t pid;
    ~Stop() {
      kill(pid, SIGTERM);
      waitpid(pid, nullptr, 0);
    }
  } stop{pid};
  TestImage img = make_image({TarBuilder().file("tls", "yes").str()});
  push("secure/app", "v1", img, url, o);
  std::string host = "127.0.0.1:" + std::to_string(port);
  std::ofstream(work_ + "/tls.yaml") << "registries:\n  \"" << host << "\":\n    endpoint: " << url
                                     << "\n    ca: " << d << "/cert.pem\n";
  std::ofstream(work_ + "/notrust.yaml") << "registries:\n  \"" << host << "\":\n    endpoint: " << url << "\n";
  Image out;
  Status st = service(work_ + "/notrust.yaml")->ensure(host + "/secure/app:v1", PullPolicy::kAlways, out);
  EXPECT_EQ(st.code, Status::Code::kRegistry) << st.message;  // unknown CA
  st = service(work_ + "/tls.yaml")->ensure(host + "/secure/app:v1", PullPolicy::kAlways, out);
  ASSERT_TRUE(st.ok()) << st.message;
  EXPECT_TRUE(fs::exists(out.layer_dirs[0] + "/tls"));
}

TEST_F(PullTest, CommandLine) {
  TestImage img = make_image({TarBuilder().file("cli", "1").str()});
  push("library/clitest", "latest", img);
  // The skiff binary is built next to this test program.
  std::string skiff = (fs::read_symlink("/proc/self/exe").parent_path() / "skiff").string();
  if (access(skiff.c_str(), X_OK) != 0) GTEST_SKIP() << "no skiff binary at " << skiff;
  std::string flags = " --data-dir " + work_ + "/agent --registry-config " + work_ + "/registries.yaml";
  EXPECT_EQ(system((skiff + " images" + flags + " pull clitest >" + work_ + "/out 2>&1").c_str()), 0);
  EXPECT_EQ(system((skiff + " images" + flags + " ls | grep -q docker.io/library/clitest:latest").c_str()), 0);
  EXPECT_EQ(system((skiff + " images" + flags + " rm clitest >/dev/null").c_str()), 0);
  EXPECT_NE(system((skiff + " images" + flags + " pull nosuch 2>" + work_ + "/err").c_str()), 0);
  std::ifstream f(work_ + "/err");
  std::string err(std::istreambuf_iterator<char>(f), {});
  EXPECT_NE(err.find("hint:"), std::string::npos) << err;
}

}  // namespace
}  // namespace skiff::images
