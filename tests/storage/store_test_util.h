// Helpers shared by the storage tests: opening a store, and reading a watch with a deadline.
#pragma once
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "storage/sqlite_store.h"

namespace skiff::storage {

inline std::unique_ptr<SqliteStore> must_open(const std::string& path,
                                              const SqliteStoreOptions& opts = {}) {
  std::string err;
  auto s = SqliteStore::open(path, opts, &err);
  EXPECT_NE(s, nullptr) << err;
  return s;
}

// Reads until `n` events arrived, the watch closed, or the deadline passed.
inline std::vector<WatchEvent> collect(Watch& w, size_t n, bool* closed = nullptr,
                                       std::chrono::seconds deadline = std::chrono::seconds(20)) {
  std::vector<WatchEvent> out;
  auto end = std::chrono::steady_clock::now() + deadline;
  while (out.size() < n && std::chrono::steady_clock::now() < end) {
    WatchBatch b = w.next(std::chrono::milliseconds(100));
    for (auto& e : b.events) out.push_back(std::move(e));
    if (b.closed) {
      if (closed) *closed = true;
      break;
    }
  }
  return out;
}

}  // namespace skiff::storage
