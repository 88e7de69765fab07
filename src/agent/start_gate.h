// The agent's shutdown rule: once stop has begun, no container is created or started again.
// Pod workers hold a Permit around every runtime create and start (and around a pod's first
// steps, which would lead to one); close() refuses permits from then on and waits for the ones
// in flight, so when it returns nothing of this agent makes a container run any more. Without it
// a worker in the middle of a sync restarted containers while `skiff server` shut down, and a
// node-reset run at that moment left them orphaned.
#pragma once
#include <condition_variable>
#include <mutex>

namespace skiff::agent {

class StartGate {
 public:
  class Permit {
   public:
    Permit() = default;
    Permit(Permit&& o) noexcept : gate_(o.gate_) { o.gate_ = nullptr; }
    Permit& operator=(Permit&& o) noexcept {
      if (this != &o) {
        release();
        gate_ = o.gate_;
        o.gate_ = nullptr;
      }
      return *this;
    }
    ~Permit() { release(); }
    explicit operator bool() const { return gate_ != nullptr; }

   private:
    friend class StartGate;
    explicit Permit(StartGate* g) : gate_(g) {}
    void release() {
      if (!gate_) return;
      std::lock_guard lock(gate_->mu_);
      if (--gate_->in_flight_ == 0) gate_->cv_.notify_all();
      gate_ = nullptr;
    }
    StartGate* gate_ = nullptr;
  };

  // An empty (false) permit once close() has begun.
  Permit enter() {
    std::lock_guard lock(mu_);
    if (closed_) return Permit();
    ++in_flight_;
    return Permit(this);
  }
  // Refuses new permits, then waits until every outstanding one is released.
  void close() {
    std::unique_lock lock(mu_);
    closed_ = true;
    cv_.wait(lock, [this] { return in_flight_ == 0; });
  }
  bool closed() const {
    std::lock_guard lock(mu_);
    return closed_;
  }

 private:
  mutable std::mutex mu_;  // guards closed_ and in_flight_
  std::condition_variable cv_;
  bool closed_ = false;
  int in_flight_ = 0;
};

}  // namespace skiff::agent
