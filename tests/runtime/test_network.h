// Test helper: a node bridge and pod range with unique names, removed even when a test fails.
#pragma once
#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include "common/uuid.h"
#include "runtime/host.h"
#include "runtime/process.h"
#include "runtime/sandbox.h"

namespace skiff::runtime::testing {

class TestNetwork {
 public:
  explicit TestNetwork(const std::filesystem::path& dir) {
    std::random_device rd;
    std::string host_routes = run_command({"/usr/sbin/ip", "-4", "route", "show", "table", "all"}).out +
                              run_command({"/usr/sbin/ip", "-4", "addr"}).out;
    std::string prefix;
    do {  // a /24 in 10.200.0.0/13 that nothing on the host uses
      prefix = "10." + std::to_string(200 + rd() % 8) + "." + std::to_string(rd() % 256) + ".";
    } while (host_routes.find(prefix) != std::string::npos);
    NetworkConfig c;
    c.bridge = "skt" + random_suffix(8);
    c.pod_cidr = prefix + "0/24";
    c.run_dir = (dir / "run").string();
    c.ipam_dir = (dir / "ipam").string();
    net = std::make_unique<PodNetwork>(c);
    prefix_ = prefix;
  }
  ~TestNetwork() {
    for (const auto& id : pods) net->teardown(id);
    net->delete_bridge();
  }
  std::string prefix_;
  std::vector<std::string> pods;  // torn down by the destructor
  std::unique_ptr<PodNetwork> net;
};

inline bool link_exists(const std::string& name) {
  return run_command({"/usr/sbin/ip", "link", "show", "dev", name}).exit_code == 0;
}

}  // namespace skiff::runtime::testing
