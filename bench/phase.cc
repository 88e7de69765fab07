// The harness shared by the API and etcd benchmarks: concurrent phases, quantiles, output.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <random>
#include <thread>

#include "bench.h"

namespace skiff::bench {

double quantile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t idx = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
  if (idx > 0) --idx;
  return v[std::min(idx, v.size() - 1)];
}

void print_result(PhaseResult& r, const std::string& extra) {
  double thr = r.seconds > 0 ? static_cast<double>(r.ok) / r.seconds : 0;
  double p50 = quantile(r.latencies_ms, 0.50);
  double p99 = quantile(r.latencies_ms, 0.99);
  char line[512];
  std::snprintf(line, sizeof line, "op=%s clients=%zu n=%zu throughput=%.1f/s p50=%.2fms p99=%.2fms",
                r.op.c_str(), r.clients, r.ok, thr, p50, p99);
  std::cout << line;
  if (r.errors) std::cout << " errors=" << r.errors;
  if (!extra.empty()) std::cout << " " << extra;
  std::cout << std::endl;
  if (r.errors) std::cerr << "  " << r.op << ": first error: " << r.first_error << std::endl;
}

PhaseResult run_phase(const std::string& op, std::vector<std::unique_ptr<HttpClient>>& clients,
                      size_t n, const OpFn& fn) {
  PhaseResult r;
  r.op = op;
  r.clients = std::min(clients.size(), n);
  std::atomic<size_t> next{0};
  std::mutex mu;
  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (size_t c = 0; c < r.clients; ++c) {
    threads.emplace_back([&, c] {
      std::vector<double> lat;
      size_t errors = 0;
      std::string first_error;
      for (;;) {
        size_t i = next.fetch_add(1);
        if (i >= n) break;
        auto t0 = Clock::now();
        std::string err;
        bool fatal = false;
        try {
          err = fn(*clients[c], i);
        } catch (const std::exception& e) {
          err = e.what();
          fatal = true;
        }
        auto t1 = Clock::now();
        if (err.empty()) {
          lat.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        } else {
          ++errors;
          if (first_error.empty()) first_error = err;
          if (fatal) break;
        }
      }
      std::lock_guard<std::mutex> lock(mu);
      r.latencies_ms.insert(r.latencies_ms.end(), lat.begin(), lat.end());
      r.errors += errors;
      if (r.first_error.empty()) r.first_error = first_error;
    });
  }
  for (auto& t : threads) t.join();
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  r.ok = r.latencies_ms.size();
  return r;
}

void connect_all(const std::string& op, std::vector<std::unique_ptr<HttpClient>>& clients) {
  PhaseResult r;
  r.op = op;
  r.clients = clients.size();
  std::mutex mu;
  std::vector<std::thread> threads;
  auto start = Clock::now();
  for (auto& c : clients) {
    threads.emplace_back([&, client = c.get()] {
      auto t0 = Clock::now();
      std::string err;
      try {
        client->connect();
      } catch (const std::exception& e) {
        err = e.what();
      }
      double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
      std::lock_guard<std::mutex> lock(mu);
      if (err.empty()) {
        r.latencies_ms.push_back(ms);
      } else {
        ++r.errors;
        if (r.first_error.empty()) r.first_error = err;
      }
    });
  }
  for (auto& t : threads) t.join();
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  r.ok = r.latencies_ms.size();
  if (r.errors) throw std::runtime_error(r.first_error);
  print_result(r);
}

std::string random_suffix(size_t n) {
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device rd;
  std::mt19937_64 gen(rd());
  std::uniform_int_distribution<size_t> pick(0, sizeof alphabet - 2);
  std::string s;
  for (size_t i = 0; i < n; ++i) s += alphabet[pick(gen)];
  return s;
}

std::string configmap_json(const std::string& name) {
  // ~1 KiB of data that does not compress to nothing: a fixed pseudo-random payload.
  static const std::string payload = [] {
    std::mt19937 gen(42);
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::uniform_int_distribution<int> pick(0, sizeof alphabet - 2);
    std::string s;
    for (int i = 0; i < 960; ++i) s += alphabet[pick(gen)];
    return s;
  }();
  return R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":")" + name +
         R"(","labels":{"app":"skiff-bench"}},"data":{"payload":")" + payload + R"("}})";
}

}  // namespace skiff::bench
