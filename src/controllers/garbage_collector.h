// A simple garbage collector over the shared informer caches of every kind that has owners or
// dependents here (kGcResources), scanned every period (2 s default):
//  - Background: a dependent whose ownerReferences all name owners that no longer exist (by
//    uid; confirmed with a GET before deleting) is deleted.
//  - Owners being deleted with finalizer "orphan": their references are removed from
//    dependents, then the finalizer; with "foregroundDeletion": dependents are deleted first,
//    and the finalizer is removed once none is left.
// Only owners of the kinds cached here are judged; references to other kinds are assumed alive.
#pragma once
#include <condition_variable>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "controllers/controllers.h"

namespace skiff::controllers {

// {group, resource} of every kind the collector watches (all served as v1).
inline constexpr std::pair<const char*, const char*> kGcResources[] = {
    {"", "pods"},          {"apps", "replicasets"},         {"apps", "deployments"},
    {"apps", "daemonsets"}, {"apps", "statefulsets"},        {"apps", "controllerrevisions"},
    {"batch", "jobs"},     {"batch", "cronjobs"},           {"", "services"},
    {"discovery.k8s.io", "endpointslices"},                 {"", "persistentvolumeclaims"},
};

class GarbageCollector : public Controller {
 public:
  GarbageCollector(client::Client& c, InformerFactory& inf,
                   std::chrono::milliseconds period = std::chrono::seconds(2));
  ~GarbageCollector() override;
  void run() override;
  void stop() override;
  // One scan (exposed for tests).
  void scan_once();

 private:
  client::Client& client_;
  std::vector<std::pair<const api::ResourceInfo*, client::Informer*>> watched_;
  std::chrono::milliseconds period_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace skiff::controllers
