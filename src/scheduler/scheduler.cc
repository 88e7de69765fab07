#include "scheduler/scheduler.h"

#include <unistd.h>

#include "api/resources.h"
#include "client/client.h"
#include "client/informer.h"
#include "common/health.h"
#include "common/log.h"
#include "common/time.h"
#include "scheduler/preemption.h"

namespace skiff::scheduler {

// ---------------- TaskPool ----------------

TaskPool::TaskPool(int threads) {
  for (int i = 0; i < std::max(1, threads); ++i)
    threads_.emplace_back([this] {
      std::unique_lock lk(mu_);
      while (true) {
        cv_.wait(lk, [&] { return stopping_ || !tasks_.empty(); });
        if (tasks_.empty()) return;  // stopping and drained
        auto task = std::move(tasks_.front());
        tasks_.pop_front();
        ++running_;
        lk.unlock();
        task();
        lk.lock();
        --running_;
        if (tasks_.empty() && running_ == 0) idle_cv_.notify_all();
      }
    });
}

TaskPool::~TaskPool() { shutdown(); }

void TaskPool::submit(std::function<void()> task) {
  std::lock_guard lk(mu_);
  if (stopping_) return;
  tasks_.push_back(std::move(task));
  cv_.notify_one();
}

void TaskPool::wait_idle() {
  std::unique_lock lk(mu_);
  idle_cv_.wait(lk, [&] { return tasks_.empty() && running_ == 0; });
}

void TaskPool::shutdown() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

// ---------------- SchedulerCore ----------------

SchedulerCore::SchedulerCore(std::string scheduler_name, Binder& binder, EventSink& events,
                             int bind_threads)
    : name_(std::move(scheduler_name)),
      binder_(binder),
      events_(events),
      profile_(Profile::make_default(name_)),
      binds_(bind_threads) {}

SchedulerCore::~SchedulerCore() { shutdown(); }

void SchedulerCore::shutdown() {
  queue_.close();
  binds_.shutdown();
}

bool SchedulerCore::responsible_for(const PodInfo& pod) const {
  return pod.scheduler_name == name_ && pod.node_name.empty() && !pod.terminating && !pod.terminal;
}

namespace {

bool same_at(const json::object& a, const json::object& b,
             std::initializer_list<std::string_view> path) {
  const json::value* x = find_path(a, path);
  const json::value* y = find_path(b, path);
  if (!x || !y) return x == y;
  return *x == *y;
}

// A change that can make a pending pod fit (upstream's nodeSchedulingPropertiesChange).
bool node_scheduling_changed(const json::object& a, const json::object& b) {
  if (!same_at(a, b, {"metadata", "labels"}) || !same_at(a, b, {"spec"}) ||
      !same_at(a, b, {"status", "allocatable"}) || !same_at(a, b, {"status", "images"}))
    return true;
  auto ready = [](const json::object& n) {
    if (const auto* cs = find_path(n, {"status", "conditions"}); cs && cs->is_array())
      for (const auto& c : cs->as_array())
        if (get_string(c, {"type"}) == "Ready") return get_string(c, {"status"});
    return std::string();
  };
  return ready(a) != ready(b);
}

}  // namespace

void SchedulerCore::on_node_add(const ObjectPtr& node) {
  cache_.add_node(node);
  queue_.move_all_to_active_or_backoff();
}

void SchedulerCore::on_node_update(const ObjectPtr& old_node, const ObjectPtr& node) {
  cache_.add_node(node);
  if (!old_node || node_scheduling_changed(*old_node, *node)) queue_.move_all_to_active_or_backoff();
}

void SchedulerCore::on_node_delete(const ObjectPtr& node) {
  cache_.remove_node(get_string(*node, {"metadata", "name"}));
}

void SchedulerCore::on_pod_add(const ObjectPtr& pod) {
  auto p = PodInfo::from_json(pod);
  if (!p->node_name.empty()) {
    cache_.add_or_update_pod(p);
    if (p->terminal) queue_.move_all_to_active_or_backoff();
  } else if (responsible_for(*p)) {
    queue_.add(p);
  }
}

void SchedulerCore::on_pod_update(const ObjectPtr& old_pod, const ObjectPtr& pod) {
  auto p = PodInfo::from_json(pod);
  if (!p->node_name.empty()) {
    queue_.remove(p->uid);  // bound (by us or someone else)
    // Only the old phase matters: no second full parse per update.
    std::string old_phase = old_pod ? get_string(*old_pod, {"status", "phase"}) : std::string();
    bool was_terminal = old_phase == "Succeeded" || old_phase == "Failed";
    cache_.add_or_update_pod(p);
    // Resources released or labels changed: pending pods may fit now.
    if ((p->terminal && !was_terminal) ||
        (old_pod && !same_at(*old_pod, *pod, {"metadata", "labels"})))
      queue_.move_all_to_active_or_backoff();
    return;
  }
  if (responsible_for(*p)) {
    // Only spec/label changes are worth a retry; status-only writes keep the pod parked.
    bool changed = !old_pod || !same_at(*old_pod, *pod, {"spec"}) ||
                   !same_at(*old_pod, *pod, {"metadata", "labels"});
    if (changed || !queue_.contains(p->uid)) queue_.add(p);
  } else {
    queue_.remove(p->uid);  // terminating, or handed to another scheduler
  }
}

void SchedulerCore::on_pod_delete(const ObjectPtr& pod) {
  std::string uid = get_string(*pod, {"metadata", "uid"});
  queue_.remove(uid);
  bool held = cache_.has_pod(uid);
  cache_.remove_pod(uid);
  if (held) queue_.move_all_to_active_or_backoff();
}

bool SchedulerCore::schedule_one(std::chrono::milliseconds wait) {
  auto qp = queue_.pop(wait);
  if (!qp) return false;
  const PodInfoPtr& pod = qp->pod;
  if (cache_.has_pod(pod->uid)) {  // already assumed or bound: a stale queue entry
    queue_.done(pod->uid);
    return true;
  }
  cache_.update_snapshot(snapshot_);  // O(nodes changed), not O(nodes)
  const Snapshot& snap = snapshot_;
  ScheduleResult r = profile_->schedule(*pod, snap);
  if (r.code == Code::kSuccess) {
    auto assumed = std::make_shared<PodInfo>(*pod);
    assumed->node_name = r.node;
    cache_.assume(assumed);
    queue_.done(pod->uid);
    SKIFF_LOG(DEBUG) << "scheduler: " << pod->key << " -> " << r.node << " (" << r.feasible_nodes
                     << "/" << r.evaluated_nodes << " feasible)";
    bind_async(assumed, *qp);
    return true;
  }
  // PostFilter (DefaultPreemption) when the binder can act on it; see preemption.h.
  if (r.code == Code::kUnschedulable)
    if (auto* preemptor = dynamic_cast<Preemptor*>(&binder_))
      preemptor->post_filter(*profile_, *pod, snap, r.fit, events_, binds_);
  std::string msg = r.code == Code::kError ? r.error : r.fit.message();
  SKIFF_LOG(INFO) << "scheduler: unable to schedule " << pod->key << ": " << msg;
  events_.record(*pod, "Warning", "FailedScheduling", msg);
  queue_.add_unschedulable(*qp, r.code == Code::kError);
  return true;
}

void SchedulerCore::bind_async(PodInfoPtr assumed, QueuedPod qp) {
  binds_.submit([this, assumed, qp] {
    skiff::Status st = binder_.bind(*assumed, assumed->node_name);
    if (st.ok()) {
      cache_.finish_binding(assumed->uid);
      events_.record(*assumed, "Normal", "Scheduled",
                     "Successfully assigned " + assumed->key + " to " + assumed->node_name);
      return;
    }
    const ApiError& e = st.error();
    SKIFF_LOG(WARN) << "scheduler: binding " << assumed->key << " to " << assumed->node_name
                    << " failed: " << e.message;
    cache_.forget(assumed->uid);
    queue_.move_all_to_active_or_backoff();  // the resources it held are free again
    if (e.code == 404) return;               // the pod is gone
    events_.record(*assumed, "Warning", "FailedScheduling", "Binding rejected: " + e.message);
    if (e.code == 409 && e.message.find("already assigned") != std::string::npos) return;
    // Retry with backoff: put the (unbound) pod back as a fresh pending entry.
    auto retry = std::make_shared<PodInfo>(*assumed);
    retry->node_name.clear();
    queue_.add(retry);
  });
}

// ---------------- API-backed binder and events ----------------

namespace {

constexpr const char* kHealthComponent = "kube-scheduler";
// A loop pass that has not come round in this long is stuck (a pass is at most the queue's
// 500 ms wait plus one attempt); the mirror pod shows NotReady at its next probe.
constexpr std::chrono::milliseconds kLoopMaxAge{5000};

const api::ResourceInfo& resource(const char* name) {
  const api::ResourceInfo* r = api::find_resource("", "v1", name);
  if (!r) {
    SKIFF_LOG(ERROR) << "scheduler: resource v1 " << name << " not registered";
    std::abort();  // a broken build, not a runtime condition
  }
  return *r;
}

class ApiBinder final : public Binder, public ApiPreemptor {
 public:
  explicit ApiBinder(client::Client& c) : ApiPreemptor(c), client_(c) {}
  skiff::Status bind(const PodInfo& pod, const std::string& node) override {
    json::object body{
        {"apiVersion", "v1"},
        {"kind", "Binding"},
        {"metadata", json::object{{"name", pod.name}, {"namespace", pod.ns}, {"uid", pod.uid}}},
        {"target", json::object{{"apiVersion", "v1"}, {"kind", "Node"}, {"name", node}}}};
    auto r = client_.post_subresource(resource("pods"), pod.ns, pod.name, "binding", body);
    if (!r) return r.error();
    return ok_status();
  }

 private:
  client::Client& client_;
};

// Writes core/v1 Events on its own thread. Repeats of the same (pod, reason, message) bump the
// existing event's count and lastTimestamp, as client-go's recorder does.
class ApiEventSink final : public EventSink {
 public:
  ApiEventSink(client::Client& c, std::string component) : client_(c), component_(std::move(component)) {}
  void record(const PodInfo& pod, const std::string& type, const std::string& reason,
              const std::string& message) override {
    PodInfoPtr p = std::make_shared<PodInfo>(pod);
    pool_.submit([this, p, type, reason, message] { write(*p, type, reason, message); });
  }
  void shutdown() { pool_.shutdown(); }

 private:
  void write(const PodInfo& pod, const std::string& type, const std::string& reason,
             const std::string& message) {
    std::string now = now_rfc3339();
    std::string key = pod.uid + "\x1f" + reason + "\x1f" + message;
    auto it = seen_.find(key);
    if (it != seen_.end()) {
      ++it->second.second;
      json::object patch{{"count", it->second.second}, {"lastTimestamp", now}};
      if (client_.patch(resource("events"), pod.ns, it->second.first,
                        "application/merge-patch+json", patch))
        return;
      seen_.erase(it);  // deleted or expired: write a new one
    }
    static std::atomic<uint64_t> seq{0};
    char hex[32];
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                  std::chrono::system_clock::now().time_since_epoch()).count();
    snprintf(hex, sizeof hex, "%llx", static_cast<unsigned long long>(ns) + seq++);
    std::string name = pod.name + "." + hex;
    json::object ev{
        {"apiVersion", "v1"},
        {"kind", "Event"},
        {"metadata", json::object{{"name", name}, {"namespace", pod.ns}}},
        {"involvedObject",
         json::object{{"kind", "Pod"},
                      {"namespace", pod.ns},
                      {"name", pod.name},
                      {"uid", pod.uid},
                      {"apiVersion", "v1"},
                      {"resourceVersion", get_string(*pod.pod, {"metadata", "resourceVersion"})}}},
        {"reason", reason},
        {"message", message},
        {"type", type},
        {"action", reason == "Scheduled" ? "Binding" : "Scheduling"},
        {"source", json::object{{"component", component_}}},
        {"firstTimestamp", now},
        {"lastTimestamp", now},
        {"count", 1},
        {"reportingComponent", component_},
        {"reportingInstance", component_}};
    auto r = client_.create(resource("events"), pod.ns, ev);
    if (!r) {
      SKIFF_LOG(WARN) << "scheduler: event " << reason << " for " << pod.key
                      << " not written: " << r.error().message;
      return;
    }
    if (seen_.size() > 10000) seen_.clear();
    seen_[key] = {name, 1};
  }

  client::Client& client_;
  std::string component_;
  std::map<std::string, std::pair<std::string, int64_t>> seen_;  // only the pool thread uses it
  TaskPool pool_{1};  // last: joined before the members above go away
};

}  // namespace

// ---------------- Scheduler ----------------

struct Scheduler::Impl {
  Impl(client::Client& c, std::string name)
      : client(c), binder(c), events(c, name), core(name, binder, events, kBindThreads) {}
  // Binds in flight at once (upstream: one goroutine per bind). The client's pool has 8
  // connections; the event writer and the informers' lists need one now and then.
  static constexpr int kBindThreads = 6;
  client::Client& client;
  ApiBinder binder;
  ApiEventSink events;
  SchedulerCore core;
  std::unique_ptr<client::Informer> nodes, pods;
  std::thread loop, janitor;
  std::atomic<bool> stopping{false};
  bool started = false;
};

Scheduler::Scheduler(client::Client& client, std::string scheduler_name)
    : impl_(std::make_unique<Impl>(client, std::move(scheduler_name))) {}

Scheduler::~Scheduler() { stop(); }

void Scheduler::start() {
  Impl& d = *impl_;
  if (d.started) return;
  d.started = true;
  SchedulerCore& core = d.core;
  d.nodes = std::make_unique<client::Informer>(d.client, resource("nodes"));
  d.nodes->add_handlers({[&core](const client::ObjectPtr& o) { core.on_node_add(o); },
                         [&core](const client::ObjectPtr& a, const client::ObjectPtr& b) {
                           core.on_node_update(a, b);
                         },
                         [&core](const client::ObjectPtr& o) { core.on_node_delete(o); }});
  d.pods = std::make_unique<client::Informer>(d.client, resource("pods"));
  d.pods->add_handlers({[&core](const client::ObjectPtr& o) { core.on_pod_add(o); },
                        [&core](const client::ObjectPtr& a, const client::ObjectPtr& b) {
                          core.on_pod_update(a, b);
                        },
                        [&core](const client::ObjectPtr& o) { core.on_pod_delete(o); }});
  d.nodes->start();
  d.pods->start();
  if (!d.nodes->wait_synced(std::chrono::seconds(30)) ||
      !d.pods->wait_synced(std::chrono::seconds(30))) {
    SKIFF_LOG(WARN) << "scheduler: informers not synced after 30s; scheduling anyway";
  }
  // The loop's heartbeat is the scheduler's health (its mirror pod's Ready, common/health.h):
  // a pass takes at most the 500 ms queue wait plus one scheduling attempt.
  d.loop = std::thread([&d] {
    while (!d.stopping) {
      health::beat(kHealthComponent, "scheduling-loop", kLoopMaxAge);
      d.core.schedule_one(std::chrono::milliseconds(500));
    }
    health::forget(kHealthComponent, "scheduling-loop");
  });
  d.janitor = std::thread([&d] {
    int ticks = 0;
    while (!d.stopping) {
      for (int i = 0; i < 10 && !d.stopping; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      d.core.cache().cleanup_expired();
      // Safety net (as upstream's periodic flush of unschedulable pods): a cluster change that
      // raced with a pod's failed attempt must not leave the pod parked for good.
      if (++ticks % 10 == 0) d.core.queue().move_all_to_active_or_backoff();
    }
  });
  SKIFF_LOG(INFO) << "scheduler: " << d.core.name() << " started";
}

void Scheduler::stop() {
  Impl& d = *impl_;
  if (!d.started || d.stopping.exchange(true)) return;
  d.core.queue().close();
  if (d.loop.joinable()) d.loop.join();
  if (d.janitor.joinable()) d.janitor.join();
  if (d.nodes) d.nodes->stop();
  if (d.pods) d.pods->stop();
  d.core.shutdown();
  d.events.shutdown();
  SKIFF_LOG(INFO) << "scheduler: stopped";
}

}  // namespace skiff::scheduler
