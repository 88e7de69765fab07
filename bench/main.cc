// skiff-bench: `skiff-bench api ...` against a running API server, `skiff-bench etcd ...` as the
// raw-storage baseline, `skiff-bench scheduler ...` for scheduling throughput. See
// docs/benchmarks.md, scripts/bench-api and scripts/bench-scheduler.
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "bench.h"

namespace skiff::bench {
int podstartup_main(const std::vector<std::string>& args);  // podstartup_bench.cc
}

namespace {
using namespace skiff::bench;

const char* kUsage = R"(usage:
  skiff-bench api  (--kubeconfig FILE | --server URL [--ca F] [--cert F] [--key F])
                   [--clients C=16] [--creates N=5000] [--gets N=creates]
                   [--watchers W=50] [--watch-creates M=1000]
                   [--lists-1k N=100] [--lists-10k N=20] [--no-lists]
                   [--namespace PREFIX=bench-<random>] [--keep] [--server-pid PID]
  skiff-bench etcd --endpoint http://127.0.0.1:2379 [--clients C=16] [--n N=5000]
                   [--value-bytes B]
  skiff-bench scheduler (--kubeconfig FILE | --server URL ...) [--nodes N=5000]
                   [--placed P=1000] [--pods M=10000] [--clients C=16]
                   [--ceiling-writes W=pods] [--stall-seconds S=60]
                   [--namespace NS=sched-bench-<random>] [--keep]
  skiff-bench podstartup --kubeconfig FILE [--pods N=100] [--batch B=10] [--image REF=bench:1]
                   [--namespace NS=pod-startup-<random>] [--node NAME] [--timeout S=120]
                   [--no-warmup] [--crun-bundle DIR [--crun-runs N=20] [--crun PATH=crun]]
                   [--csv FILE]
Each phase prints: op=NAME clients=C n=N throughput=X/s p50=Yms p99=Zms
)";

[[noreturn]] void usage_error(const std::string& msg) {
  std::cerr << "skiff-bench: " << msg << "\n" << kUsage;
  std::exit(2);
}

struct Args {
  std::vector<std::string> v;
  size_t i = 0;
  bool more() const { return i < v.size(); }
  std::string flag() { return v[i++]; }
  std::string value(const std::string& flag) {
    if (i >= v.size()) usage_error(flag + " needs a value");
    return v[i++];
  }
  size_t number(const std::string& flag) {
    std::string s = value(flag);
    char* end = nullptr;
    unsigned long long n = std::strtoull(s.c_str(), &end, 10);
    if (s.empty() || *end) usage_error(flag + ": not a number: " + s);
    return n;
  }
};

// --kubeconfig/--server/--ca/--cert/--key: the API server endpoint (shared by api and scheduler).
struct EndpointFlags {
  std::string kubeconfig, server, ca, cert, key;
  bool parse(Args& a, const std::string& f) {
    if (f == "--kubeconfig") kubeconfig = a.value(f);
    else if (f == "--server") server = a.value(f);
    else if (f == "--ca") ca = a.value(f);
    else if (f == "--cert") cert = a.value(f);
    else if (f == "--key") key = a.value(f);
    else return false;
    return true;
  }
  // Throws std::runtime_error (unreadable files); exits on missing flags.
  Endpoint resolve(const std::string& cmd) const {
    Endpoint ep;
    if (!kubeconfig.empty()) {
      ep = load_kubeconfig(kubeconfig);
      if (!server.empty()) {
        auto s = parse_url(server);
        ep.tls = s.tls;
        ep.host = s.host;
        ep.port = s.port;
      }
    } else if (!server.empty()) {
      ep = parse_url(server);
    } else {
      usage_error(cmd + " needs --kubeconfig or --server");
    }
    if (!ca.empty()) ep.ca_pem = read_file(ca);
    if (!cert.empty()) ep.cert_pem = read_file(cert);
    if (!key.empty()) ep.key_pem = read_file(key);
    return ep;
  }
};

int scheduler_main(Args& a) {
  SchedulerOptions o;
  EndpointFlags ep;
  while (a.more()) {
    std::string f = a.flag();
    if (ep.parse(a, f)) continue;
    if (f == "--nodes") o.nodes = a.number(f);
    else if (f == "--placed") o.placed = a.number(f);
    else if (f == "--pods") o.pods = a.number(f);
    else if (f == "--clients") o.clients = a.number(f);
    else if (f == "--ceiling-writes") o.ceiling_writes = a.number(f);
    else if (f == "--stall-seconds") o.stall_seconds = a.number(f);
    else if (f == "--namespace") o.ns = a.value(f);
    else if (f == "--keep") o.cleanup = false;
    else if (f == "-h" || f == "--help") { std::cout << kUsage; return 0; }
    else usage_error("unknown flag " + f);
  }
  if (o.clients == 0) usage_error("--clients must be at least 1");
  if (o.nodes == 0) usage_error("--nodes must be at least 1");
  try {
    o.endpoint = ep.resolve("scheduler");
  } catch (const std::exception& e) {
    std::cerr << "skiff-bench scheduler: " << e.what() << std::endl;
    return 1;
  }
  return run_scheduler_bench(o);
}

int api_main(Args& a) {
  ApiOptions o;
  EndpointFlags ep;
  while (a.more()) {
    std::string f = a.flag();
    if (ep.parse(a, f)) continue;
    if (f == "--clients") o.clients = a.number(f);
    else if (f == "--creates") o.creates = a.number(f);
    else if (f == "--gets") o.gets = a.number(f);
    else if (f == "--watchers") o.watchers = a.number(f);
    else if (f == "--watch-creates") o.watch_creates = a.number(f);
    else if (f == "--lists-1k") o.lists_1k = a.number(f);
    else if (f == "--lists-10k") o.lists_10k = a.number(f);
    else if (f == "--no-lists") o.lists = false;
    else if (f == "--namespace") o.ns = a.value(f);
    else if (f == "--keep") o.cleanup = false;
    else if (f == "--server-pid") o.server_pid = static_cast<int>(a.number(f));
    else if (f == "-h" || f == "--help") { std::cout << kUsage; return 0; }
    else usage_error("unknown flag " + f);
  }
  if (o.clients == 0) usage_error("--clients must be at least 1");
  try {
    o.endpoint = ep.resolve("api");
  } catch (const std::exception& e) {
    std::cerr << "skiff-bench api: " << e.what() << std::endl;
    return 1;
  }
  return run_api_bench(o);
}

int etcd_main(Args& a) {
  EtcdOptions o;
  std::string endpoint = "http://127.0.0.1:2379";
  while (a.more()) {
    std::string f = a.flag();
    if (f == "--endpoint") endpoint = a.value(f);
    else if (f == "--clients") o.clients = a.number(f);
    else if (f == "--n") o.n = a.number(f);
    else if (f == "--value-bytes") o.value_bytes = a.number(f);
    else if (f == "-h" || f == "--help") { std::cout << kUsage; return 0; }
    else usage_error("unknown flag " + f);
  }
  if (o.clients == 0) usage_error("--clients must be at least 1");
  try {
    o.endpoint = parse_url(endpoint);
  } catch (const std::exception& e) {
    usage_error(e.what());
  }
  return run_etcd_bench(o);
}
}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) a.v.emplace_back(argv[i]);
  if (!a.more()) usage_error("missing command");
  std::string cmd = a.flag();
  if (cmd == "api") return api_main(a);
  if (cmd == "etcd") return etcd_main(a);
  if (cmd == "scheduler") return scheduler_main(a);
  if (cmd == "podstartup") return skiff::bench::podstartup_main({a.v.begin() + 1, a.v.end()});
  if (cmd == "-h" || cmd == "--help" || cmd == "help") {
    std::cout << kUsage;
    return 0;
  }
  usage_error("unknown command " + cmd);
}
