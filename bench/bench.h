// skiff-bench: load generators for the API server and, as the baseline, raw etcd writes.
// Every phase prints one line:
//   op=create clients=16 n=5000 throughput=1234.5/s p50=3.10ms p99=12.00ms
#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "https_client.h"

namespace skiff::bench {

using Clock = std::chrono::steady_clock;

struct PhaseResult {
  std::string op;
  size_t clients = 0;
  size_t ok = 0;
  size_t errors = 0;
  double seconds = 0;
  std::vector<double> latencies_ms;  // of the successful operations
  std::string first_error;
};

// One operation: returns an empty string on success, else what went wrong. May throw
// (transport errors); that client then stops and the error is counted.
using OpFn = std::function<std::string(HttpClient&, size_t index)>;

// Runs operations 0..n-1 over the clients (one thread each, taking the next index), timing each.
PhaseResult run_phase(const std::string& op, std::vector<std::unique_ptr<HttpClient>>& clients,
                      size_t n, const OpFn& fn);

// The q-quantile (0..1) of `v` (sorted in place); 0 when empty.
double quantile(std::vector<double>& v, double q);

// Prints the phase's line (and its first error to stderr); `extra` is appended as is.
void print_result(PhaseResult& r, const std::string& extra = {});

// Connects every client in parallel; prints an op=connect line (TCP + TLS handshake).
// Throws std::runtime_error when a client cannot connect.
void connect_all(const std::string& op, std::vector<std::unique_ptr<HttpClient>>& clients);

std::string random_suffix(size_t n);

struct ApiOptions {
  Endpoint endpoint;
  size_t clients = 16;
  size_t creates = 5000;
  size_t gets = 0;  // 0: as many as creates
  size_t watchers = 50;
  size_t watch_creates = 1000;
  size_t lists_1k = 100;  // full lists of the 1k namespace (each way: limit=0 and paginated)
  size_t lists_10k = 20;
  bool lists = true;
  bool cleanup = true;
  std::string ns;  // namespace prefix; default bench-<random>
  int server_pid = 0;  // when set: the server's RSS around the watch phase (same machine)
};
int run_api_bench(const ApiOptions& opts);

struct EtcdOptions {
  Endpoint endpoint;
  size_t clients = 16;
  size_t n = 5000;
  size_t value_bytes = 0;  // 0: the size of the API benchmark's ConfigMap
};
int run_etcd_bench(const EtcdOptions& opts);

struct SchedulerOptions {
  Endpoint endpoint;
  size_t nodes = 5000;   // Node objects created through the API (no kubelets)
  size_t placed = 1000;  // pods created and bound before measuring
  size_t pods = 10000;   // the measured batch
  size_t clients = 16;
  size_t ceiling_writes = 0;  // pods/binding writes of the ceiling phase; 0: as many as pods
  size_t stall_seconds = 60;  // give up after this long without a new binding
  bool cleanup = true;
  std::string ns;  // default sched-bench-<random>
};
int run_scheduler_bench(const SchedulerOptions& opts);

// The ConfigMap the create phases send (about 1 KiB).
std::string configmap_json(const std::string& name);

}  // namespace skiff::bench
