// Exclusive ownership of a node agent's data dir: one `skiff agent` (or the agent embedded in
// `skiff server`), or one `skiff node-reset`, at a time. Without it a node-reset run while an
// agent was still shutting down removed containers that the agent then started again.
//
// The lock is flock(LOCK_EX) on <data dir>/agent.lock, opened O_CLOEXEC so that no child (crun,
// the container monitors, which outlive the agent) inherits it: the kernel releases it when the
// holder releases it or dies, kill -9 included. The file says who holds it ("<pid> <role>\n"),
// for the message the next one prints; its content means nothing when nobody holds the lock.
#pragma once
#include <memory>
#include <string>

namespace skiff::agent {

class DataDirLock {
 public:
  struct Holder {
    int pid = 0;       // 0 when the holder had not written its pid yet
    std::string role;  // "agent" or "node-reset"
  };

  // Takes the lock without waiting. nullptr when another process (or another DataDirLock in
  // this one) holds it: `*holder` then says who and `*error` stays empty; or when the lock file
  // cannot be opened: `*error` says why.
  static std::unique_ptr<DataDirLock> try_acquire(const std::string& data_dir,
                                                  const std::string& role, Holder* holder,
                                                  std::string* error);
  ~DataDirLock();  // releases the lock
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;

  static std::string path(const std::string& data_dir) { return data_dir + "/agent.lock"; }

 private:
  explicit DataDirLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace skiff::agent
