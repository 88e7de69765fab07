// A simple garbage collector over the shared informer caches (pods, replicasets, deployments),
// scanned every 2 s:
//  - Background: a dependent whose ownerReferences all name owners that no longer exist (by
//    uid; confirmed with a GET before deleting) is deleted.
//  - Owners being deleted with finalizer "orphan": their references are removed from
//    dependents, then the finalizer; with "foregroundDeletion": dependents are deleted first,
//    and the finalizer is removed once none is left.
// Only owners of the kinds cached here (Deployment, ReplicaSet, Pod) are judged; references to
// other kinds are assumed alive.
#pragma once
#include <condition_variable>
#include <mutex>
#include <thread>

#include "controllers/controllers.h"

namespace skiff::controllers {

class GarbageCollector {
 public:
  GarbageCollector(client::Client& c, SharedInformers inf,
                   std::chrono::milliseconds period = std::chrono::seconds(2));
  ~GarbageCollector();
  void run();
  void stop();
  // One scan (exposed for tests).
  void scan_once();

 private:
  client::Client& client_;
  SharedInformers inf_;
  std::chrono::milliseconds period_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace skiff::controllers
