// Registry authentication (Bearer token via a WWW-Authenticate challenge, and Basic) and
// content verification, against a small fake registry in Python (the Debian docker-registry
// needs a JWT token service for Bearer auth). Serves files named after the request path.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "image_builder.h"
#include "images/images.h"

namespace skiff::images {
namespace {
namespace fs = std::filesystem;
using namespace testing;

constexpr const char* kFakeRegistry = R"PY(
import base64, http.server, json, os, sys
port_file, mode, root = sys.argv[1:4]
basic = 'Basic ' + base64.b64encode(b'alice:secret').decode()
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def reply(self, code, body, headers={}):
        self.send_response(code)
        for k, v in headers.items(): self.send_header(k, v)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_GET(self):
        auth = self.headers.get('Authorization', '')
        if self.path.startswith('/token'):
            if auth != basic or 'scope=repository%3Ateam%2Fapp%3Apull' not in self.path:
                return self.reply(401, b'bad token request')
            return self.reply(200, json.dumps({'token': 'tok123'}).encode())
        ok = auth == ('Bearer tok123' if mode == 'bearer' else basic)
        if not ok:
            ch = ('Bearer realm="http://127.0.0.1:%d/token",service="fake"' % self.server.server_port
                  if mode == 'bearer' else 'Basic realm="fake"')
            return self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}',
                              {'WWW-Authenticate': ch})
        f = os.path.join(root, self.path.replace('/', '_'))
        if not os.path.exists(f):
            return self.reply(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}')
        ctype = open(f + '.type').read() if os.path.exists(f + '.type') else 'application/octet-stream'
        self.reply(200, open(f, 'rb').read(), {'Content-Type': ctype})
srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)
with open(port_file + '.tmp', 'w') as p: p.write(str(srv.server_port))
os.rename(port_file + '.tmp', port_file)
srv.serve_forever()
)PY";

class AuthTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (access("/usr/bin/python3", X_OK) != 0) GTEST_SKIP() << "/usr/bin/python3 not installed";
    char tmpl[] = "/tmp/skiff-auth-XXXXXX";
    dir_ = mkdtemp(tmpl);
    fs::create_directory(dir_ + "/root");
    std::ofstream(dir_ + "/fake.py") << kFakeRegistry;
    pid_ = fork();
    if (pid_ == 0) {
      execl("/usr/bin/python3", "python3", (dir_ + "/fake.py").c_str(), (dir_ + "/port").c_str(),
            GetParam().c_str(), (dir_ + "/root").c_str(), nullptr);
      _exit(127);
    }
    for (int i = 0; i < 100 && !fs::exists(dir_ + "/port"); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::ifstream(dir_ + "/port") >> port_;
    ASSERT_GT(port_, 0) << "fake registry did not start";
  }
  void TearDown() override {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  void serve(const std::string& path, const Blob& b) {
    std::string f = dir_ + "/root/" + path;
    std::replace(f.begin() + dir_.size() + 6, f.end(), '/', '_');
    std::ofstream(f) << b.data;
    std::ofstream(f + ".type") << b.media_type;
  }
  void serve_image(const std::string& repo, const std::string& tag, const TestImage& img) {
    for (auto& l : img.layers) serve("/v2/" + repo + "/blobs/" + l.digest, l);
    serve("/v2/" + repo + "/blobs/" + img.config.digest, img.config);
    serve("/v2/" + repo + "/manifests/" + tag, img.manifest);
  }
  std::unique_ptr<ImageService> service(const std::string& user, const std::string& pass) {
    std::string host = "127.0.0.1:" + std::to_string(port_);
    std::ofstream(dir_ + "/reg.json") << "{\"registries\": {\"" << host << "\": {\"username\": \""
                                      << user << "\", \"password\": \"" << pass << "\"}}}";
    std::string err;
    auto s = open_image_service(Options{dir_ + "/agent", dir_ + "/reg.json", "linux", "amd64"}, &err);
    EXPECT_TRUE(s) << err;
    return s;
  }
  std::string ref(const std::string& tail) { return "127.0.0.1:" + std::to_string(port_) + "/" + tail; }
  std::string dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

TEST_P(AuthTest, PullsWithCredentialsOnly) {
  TestImage img = make_image({TarBuilder().file("secret", "s").str()});
  serve_image("team/app", "v1", img);
  Image out;
  Status st = service("alice", "secret")->ensure(ref("team/app:v1"), PullPolicy::kAlways, out);
  ASSERT_TRUE(st.ok()) << st.message;
  EXPECT_TRUE(fs::exists(out.layer_dirs[0] + "/secret"));
  st = service("alice", "wrong")->ensure(ref("team/app:v1"), PullPolicy::kAlways, out);
  EXPECT_EQ(st.code, Status::Code::kUnauthorized) << st.message;
  fs::remove_all(dir_ + "/agent");
  st = service("", "")->ensure(ref("team/app:v1"), PullPolicy::kAlways, out);
  EXPECT_EQ(st.code, Status::Code::kUnauthorized) << st.message;
}

TEST_P(AuthTest, BadDigestKeepsNothing) {
  TestImage img = make_image({TarBuilder().file("a", "1").str()});
  img.layers[0].data = gzip(TarBuilder().file("a", "tampered").str());  // digest kept
  serve_image("team/app", "v1", img);
  Image out;
  Status st = service("alice", "secret")->ensure(ref("team/app:v1"), PullPolicy::kAlways, out);
  EXPECT_EQ(st.code, Status::Code::kBadContent) << st.message;
  EXPECT_TRUE(fs::is_empty(dir_ + "/agent/images/tmp"));
  EXPECT_TRUE(fs::is_empty(dir_ + "/agent/images/layers/sha256"));
  EXPECT_FALSE(fs::exists(dir_ + "/agent/images/blobs/sha256/" + img.layers[0].digest.substr(7)));
  // A manifest served under a digest it does not have.
  serve("/v2/team/app/manifests/sha256:" + std::string(64, 'e'), img.manifest);
  st = service("alice", "secret")->ensure(ref("team/app@sha256:" + std::string(64, 'e')),
                                          PullPolicy::kAlways, out);
  EXPECT_EQ(st.code, Status::Code::kBadContent) << st.message;
}

INSTANTIATE_TEST_SUITE_P(Modes, AuthTest, ::testing::Values("bearer", "basic"));

}  // namespace
}  // namespace skiff::images
