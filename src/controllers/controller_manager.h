// ControllerManager: runs every registered controller (see kControllers in
// controller_manager.cc) against an API server through one Client. Owns the shared informers
// (one per resource); each controller has its own WorkQueue and worker threads.
// Thread safety: start() and stop() from one thread; stop() is idempotent and runs from the
// destructor.
#pragma once
#include <chrono>
#include <memory>

#include "client/client.h"
#include "controllers/controllers.h"

namespace skiff::controllers {

class ControllerManager {
 public:
  explicit ControllerManager(client::Client& client, ControllerOptions opts = {});
  ~ControllerManager();
  ControllerManager(const ControllerManager&) = delete;
  ControllerManager& operator=(const ControllerManager&) = delete;

  // Starts the informers, waits (up to 30 s) for their first list, then the workers.
  void start();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace skiff::controllers
