// Write-throughput figures for SqliteStore's group commit (not a pass/fail test). Run with:
//   storage_tests --gtest_also_run_disabled_tests --gtest_filter='*WriteThroughput*'
// SKIFF_BENCH_DIR picks the directory (default: the system temp dir); use a real disk, since
// group commit only pays off when fsync costs something.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "storage/sqlite_store.h"

namespace skiff::storage {
namespace {

double run(const std::string& path, int threads, std::chrono::milliseconds duration) {
  std::filesystem::remove(path);
  std::string err;
  auto s = SqliteStore::open(path, &err);
  if (!s) {
    ADD_FAILURE() << err;
    return 0;
  }
  std::atomic<bool> stop{false};
  std::atomic<long> writes{0};
  std::string value(1000, 'v');  // about the size of a small pod object
  std::vector<std::thread> ts;
  auto t0 = std::chrono::steady_clock::now();
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      for (long i = 0; !stop.load(); ++i) {
        std::string key = "/bench/" + std::to_string(t) + "/" + std::to_string(i);
        if (s->create(key, value).code == Code::kOk) writes++;
      }
    });
  }
  std::this_thread::sleep_for(duration);
  stop = true;
  for (auto& th : ts) th.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  s->close();
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
  std::filesystem::remove(path + ".lock");
  return writes / secs;
}

TEST(SqliteStoreBench, DISABLED_WriteThroughput) {
  const char* env = std::getenv("SKIFF_BENCH_DIR");
  std::string dir = env ? env : std::filesystem::temp_directory_path().string();
  std::string path = dir + "/skiff-bench.db";
  for (int threads : {1, 4, 16, 64}) {
    double rate = run(path, threads, std::chrono::milliseconds(3000));
    std::printf("threads=%-3d  %8.0f writes/s\n", threads, rate);
  }
}

}  // namespace
}  // namespace skiff::storage
