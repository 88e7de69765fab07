// Informer: list+watch of one resource into a local cache, with event handlers; the
// building block of every controller (see docs/style.md: informer -> key queue -> workers).
// Re-lists on 410 or a broken watch, and resyncs handlers' view of deletions it missed.
// WorkQueue: the key queue with client-go's semantics (a key is queued at most once, a key
// being processed is not handed to a second worker; per-key exponential backoff).
#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/client.h"

namespace skiff::client {

using ObjectPtr = std::shared_ptr<const json::object>;

// "namespace/name", or "name" for cluster-scoped objects.
std::string object_key(const json::object& obj);

struct Handlers {
  std::function<void(const ObjectPtr&)> on_add;
  std::function<void(const ObjectPtr& old_obj, const ObjectPtr& new_obj)> on_update;
  std::function<void(const ObjectPtr&)> on_delete;  // the last known state
};

class Informer {
 public:
  // ns "" = all namespaces. Selectors narrow what is cached.
  Informer(Client& client, const api::ResourceInfo& r, std::string ns = "",
           ListOptions selectors = {});
  ~Informer();
  // Handlers must be added before start(); they run on the informer's thread, in event order.
  void add_handlers(Handlers h);
  void start();
  void stop();
  // Waits until the first list has been delivered to the handlers; false on timeout or stop.
  bool wait_synced(std::chrono::milliseconds timeout);
  bool synced() const;

  ObjectPtr get(const std::string& key) const;
  std::vector<ObjectPtr> list() const;
  // Objects whose namespace is ns.
  std::vector<ObjectPtr> list_namespace(const std::string& ns) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class WorkQueue {
 public:
  WorkQueue();
  ~WorkQueue();
  void add(const std::string& key);
  void add_after(const std::string& key, std::chrono::milliseconds delay);
  // Re-adds with per-key exponential backoff (5 ms doubling up to 1000 s, as client-go).
  void add_rate_limited(const std::string& key);
  void forget(const std::string& key);  // resets the key's backoff
  // Blocks until a key is available; nullopt after shutdown.
  std::optional<std::string> get();
  void done(const std::string& key);  // must follow every get()
  void shutdown();
  bool shutting_down() const;
  // How many times add_rate_limited() has been called for key since the last forget().
  int num_requeues(const std::string& key) const;
  // Keys ready to be handed out (not counting delayed ones or those being processed).
  size_t size() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace skiff::client
