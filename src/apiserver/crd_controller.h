// Serves CustomResourceDefinitions: upstream's apiextensions-apiserver naming, establishing and
// finalizer controllers in one, inside the API server (it needs the registry, not the API).
// - Registers the resources of every CRD whose names are accepted (api::register_resources),
//   so discovery, OpenAPI and the generic handlers serve them at once, without a restart.
// - Writes the CRD's status: acceptedNames, storedVersions, and the NamesAccepted and
//   Established conditions (a plural or kind another CRD of the group already has: not
//   accepted, reason PluralConflict / KindConflict).
// - A deleted CRD (it carries the customresourcecleanup.apiextensions.k8s.io finalizer from its
//   create) gets a Terminating condition, its objects are deleted, and then the finalizer goes,
//   which lets the CRD go; its resources stop being served with it.
//
// Thread safety: start() and stop() from one thread; the work runs on the controller's thread.
#pragma once
#include <atomic>
#include <map>
#include <set>
#include <string>
#include <thread>

#include "common/json.h"

namespace skiff::apiserver {

class ObjectStore;

inline constexpr const char* kCrdCleanupFinalizer = "customresourcecleanup.apiextensions.k8s.io";

class CrdController {
 public:
  explicit CrdController(ObjectStore& objects) : objects_(objects) {}
  ~CrdController() { stop(); }
  // Registers every stored CRD's resources before returning (call before serving), then follows
  // changes on a thread.
  void start();
  void stop();

 private:
  // Follows CRD changes from revision `rev` (the list start() made), re-listing when the watch ends.
  void run(int64_t rev);
  // Lists every CRD and syncs each; returns the list's revision (0 on error).
  int64_t resync();
  void sync(const std::string& name);
  void write_status(const std::string& name, const json::object& crd, bool accepted,
                    const std::string& reason, const std::string& message);
  // Deletes the CRD's objects; true once none is left.
  bool delete_objects(const json::object& crd);
  void remove_finalizer(const std::string& name);

  ObjectStore& objects_;
  std::map<std::string, json::object> crds_;      // name -> last seen object (controller thread)
  std::map<std::string, std::string> registered_;  // name -> spec registered (controller thread)
  std::set<std::string> terminating_;              // names whose objects are being deleted
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace skiff::apiserver
