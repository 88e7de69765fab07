// `skiff-bench scheduler`: scheduler throughput in the shape of upstream's scheduler_perf
// SchedulingBasic (test/integration/scheduler_perf, templates node-default.yaml and
// pod-default.yaml). N Node objects are created through the API (no kubelets: the scheduler only
// reads them), P pods are created and waited for until bound, then M more pods are created by C
// concurrent clients while one watch on the namespace timestamps each binding with this
// program's clock. Last, the ceiling: the raw rate of pods/binding writes by the same C clients
// on pods that no scheduler owns, in the same run against the same store.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "bench.h"

namespace skiff::bench {
namespace {

std::string name_of(const char* prefix, size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s-%06zu", prefix, i);
  return buf;
}

std::string http_error(const Response& r, int want) {
  if (r.status == want) return {};
  return "HTTP " + std::to_string(r.status) + ": " +
         (r.body.size() > 300 ? r.body.substr(0, 300) + "..." : r.body);
}

// The string value after `key` (e.g. `"nodeName":"`) at its first occurrence at or after `from`.
std::string value_after(const std::string& s, const std::string& key, size_t from = 0) {
  auto p = s.find(key, from);
  if (p == std::string::npos) return {};
  p += key.size();
  auto e = s.find('"', p);
  return e == std::string::npos ? std::string() : s.substr(p, e - p);
}

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// upstream's node-default.yaml: capacity only (the scheduler falls back to it), Ready.
std::string node_json(const std::string& name) {
  return R"({"apiVersion":"v1","kind":"Node","metadata":{"name":")" + name +
         R"(","labels":{"skiff-bench":"scheduler","kubernetes.io/hostname":")" + name +
         R"("}},"spec":{},"status":{"capacity":{"pods":"110","cpu":"4","memory":"32Gi"},)"
         R"("conditions":[{"type":"Ready","status":"True"}],"phase":"Running"}})";
}

// upstream's pod-default.yaml (100m CPU, 500Mi, one pause container with a port).
std::string pod_json(const std::string& name, const std::string& scheduler) {
  return R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name +
         R"("},"spec":{"schedulerName":")" + scheduler +
         R"(","containers":[{"name":"pause","image":"registry.k8s.io/pause:3.10",)"
         R"("ports":[{"containerPort":80}],"resources":{"limits":{"cpu":"100m","memory":"500Mi"},)"
         R"("requests":{"cpu":"100m","memory":"500Mi"}}}]}})";
}

// Timestamps, by this program's clock, when the watch first saw each pod with spec.nodeName.
// Pods are named <prefix>-<index>; one Tracker per prefix.
struct Tracker {
  std::string prefix;  // "sbi" (placed), "sbp" (measured)
  std::vector<Clock::time_point> bound_at;
  std::atomic<size_t> bound{0};
  Tracker(std::string p, size_t n) : prefix(std::move(p)), bound_at(n) {}
};

class PodWatcher {
 public:
  PodWatcher(const Endpoint& ep, std::string ns, std::vector<Tracker*> trackers)
      : client_(ep), ns_(std::move(ns)), trackers_(std::move(trackers)) {}
  ~PodWatcher() { stop(); }

  // Opens the watch at `rv` (the namespace's list revision) and starts reading it.
  void start(const std::string& rv) {
    rv_ = rv;
    open();
    thread_ = std::thread([this] { run(); });
  }
  void stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::string error() {
    std::lock_guard<std::mutex> lock(mu_);
    return error_;
  }

 private:
  void open() {
    std::string body;
    int status = client_.open_stream("/api/v1/namespaces/" + ns_ +
                                         "/pods?watch=1&allowWatchBookmarks=true&timeoutSeconds=3600"
                                         "&resourceVersion=" + rv_, &body);
    if (status != 200) throw std::runtime_error("watch pods: " + http_error({status, body}, 200));
  }

  void run() {
    std::string line;
    while (!stopping_) {
      bool timed_out = false;
      if (!client_.read_line(line, std::chrono::milliseconds(200), &timed_out)) {
        if (timed_out) continue;
        try {  // the stream ended (server-side timeout): resume where it stopped
          client_.close();
          open();
          continue;
        } catch (const std::exception& e) {
          std::lock_guard<std::mutex> lock(mu_);
          error_ = e.what();
          return;
        }
      }
      auto now = Clock::now();
      std::string rv = value_after(line, "\"resourceVersion\":\"");
      if (!rv.empty()) rv_ = rv;
      if (line.find("\"nodeName\":\"") == std::string::npos) continue;
      for (Tracker* t : trackers_) {
        std::string key = "\"name\":\"" + t->prefix + "-";
        auto p = line.find(key);
        if (p == std::string::npos) continue;
        size_t idx = std::strtoull(line.c_str() + p + key.size(), nullptr, 10);
        if (idx < t->bound_at.size() && t->bound_at[idx] == Clock::time_point{}) {
          t->bound_at[idx] = now;
          t->bound.fetch_add(1, std::memory_order_release);
        }
        break;
      }
    }
  }

  HttpClient client_;
  std::string ns_;
  std::vector<Tracker*> trackers_;
  std::string rv_;  // only the watch thread uses it after start()
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::mutex mu_;
  std::string error_;  // guarded by mu_
};

class SchedulerBench {
 public:
  explicit SchedulerBench(const SchedulerOptions& o)
      : o_(o), placed_("sbi", o.placed), measured_("sbp", o.pods) {
    ns_ = o.ns.empty() ? "sched-bench-" + random_suffix(6) : o.ns;
    for (size_t i = 0; i < o.clients; ++i) clients_.push_back(std::make_unique<HttpClient>(o.endpoint));
  }

  int run() {
    auto& c0 = *clients_[0];
    auto v = c0.request("GET", "/version");
    if (v.status != 200) throw std::runtime_error("GET /version: " + http_error(v, 200));
    std::cout << "# server " << o_.endpoint.url() << " version "
              << value_after(v.body, "\"gitVersion\":\"") << std::endl;
    connect_all("connect", clients_);
    auto r = c0.request("POST", "/api/v1/namespaces",
                        R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":")" + ns_ + "\"}}");
    if (r.status != 201) throw std::runtime_error("create namespace: " + http_error(r, 201));
    created_ns_ = true;
    std::cout << "# namespace " << ns_ << ", nodes " << o_.nodes << ", placed pods " << o_.placed
              << ", measured pods " << o_.pods << ", clients " << o_.clients << std::endl;

    auto nodes = run_phase("create-nodes", clients_, o_.nodes, [&](HttpClient& c, size_t i) {
      auto resp = c.request("POST", "/api/v1/nodes", node_json(name_of("sb-node", i)));
      return resp.status == 409 ? std::string() : http_error(resp, 201);  // 409: kept from a --keep run
    });
    check(nodes);

    r = c0.request("GET", "/api/v1/namespaces/" + ns_ + "/pods?limit=1");
    if (r.status != 200) throw std::runtime_error("list pods: " + http_error(r, 200));
    watcher_ = std::make_unique<PodWatcher>(o_.endpoint, ns_, std::vector<Tracker*>{&placed_, &measured_});
    watcher_->start(value_after(r.body, "\"resourceVersion\":\""));

    // The pods already placed (upstream: initPods), created and bound before measuring.
    std::vector<Clock::time_point> ack_placed(o_.placed);
    auto t0 = Clock::now();
    auto cp = create_pods("create-placed", "sbi", "default-scheduler", ack_placed);
    check(cp);
    if (!wait_bound(placed_, o_.placed, "placed")) return 1;
    report_schedule("schedule-placed", placed_, ack_placed, t0);

    // The measured batch (upstream: measurePods), created while the scheduler works.
    std::vector<Clock::time_point> ack(o_.pods);
    t0 = Clock::now();
    std::atomic<bool> creating{true};
    std::thread progress([&] {
      while (creating) {
        for (int i = 0; i < 20 && creating; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (creating) print_progress(measured_, o_.pods);
      }
    });
    auto cm = create_pods("create-pods", "sbp", "default-scheduler", ack);
    creating = false;
    progress.join();
    check(cm);
    bool all = wait_bound(measured_, o_.pods, "measured");
    watcher_->stop();  // the bindings are in; nothing writes the trackers from here on
    double sched_rate = report_schedule("schedule", measured_, ack, t0);
    if (!all) failed_ = true;

    double ceiling = measure_ceiling();
    if (ceiling > 0 && sched_rate > 0)
      std::printf("# scheduler %.1f pods/s = %.0f%% of the raw binding write rate %.1f/s (aim: >= 80%%)\n",
                  sched_rate, 100.0 * sched_rate / ceiling, ceiling);
    if (auto e = watcher_->error(); !e.empty()) {
      std::cerr << "watch: " << e << std::endl;
      failed_ = true;
    }
    return failed_ ? 1 : 0;
  }

  void cleanup() {
    if (watcher_) watcher_->stop();
    if (!o_.cleanup) return;
    auto start = Clock::now();
    try {
      HttpClient c(o_.endpoint);
      if (created_ns_) {
        c.request("DELETE", "/api/v1/namespaces/" + ns_ + "/pods");
        c.request("DELETE", "/api/v1/namespaces/" + ns_);
      }
      c.request("DELETE", "/api/v1/nodes?labelSelector=skiff-bench%3Dscheduler");
      std::printf("# cleanup: %.1fs\n", std::chrono::duration<double>(Clock::now() - start).count());
    } catch (const std::exception& e) {
      std::cerr << "cleanup failed: " << e.what() << std::endl;
    }
  }

 private:
  void check(PhaseResult& r, const std::string& extra = {}) {
    print_result(r, extra);
    if (r.errors) failed_ = true;
  }

  PhaseResult create_pods(const std::string& op, const char* prefix, const std::string& scheduler,
                          std::vector<Clock::time_point>& ack) {
    std::string target = "/api/v1/namespaces/" + ns_ + "/pods";
    return run_phase(op, clients_, ack.size(), [&](HttpClient& c, size_t i) {
      auto e = http_error(c.request("POST", target, pod_json(name_of(prefix, i), scheduler)), 201);
      ack[i] = Clock::now();
      return e;
    });
  }

  void print_progress(Tracker& t, size_t n) {
    std::printf("# %s: %zu/%zu bound\n", t.prefix == "sbi" ? "placed" : "measured",
                t.bound.load(std::memory_order_acquire), n);
    std::fflush(stdout);
  }

  // Waits until every pod of `t` is bound, printing progress every 2 s; gives up after
  // o_.stall_seconds without one new binding.
  bool wait_bound(Tracker& t, size_t n, const char* what) {
    size_t last = t.bound.load(std::memory_order_acquire);
    auto last_change = Clock::now(), last_print = Clock::now();
    while (last < n) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      size_t now_bound = t.bound.load(std::memory_order_acquire);
      auto now = Clock::now();
      if (now_bound != last) {
        last = now_bound;
        last_change = now;
      }
      if (now - last_print >= std::chrono::seconds(2)) {
        print_progress(t, n);
        last_print = now;
      }
      if (now - last_change > std::chrono::seconds(o_.stall_seconds)) {
        std::cerr << "skiff-bench scheduler: " << what << " pods: " << last << "/" << n
                  << " bound, none for " << o_.stall_seconds << "s; giving up" << std::endl;
        return false;
      }
      if (auto e = watcher_->error(); !e.empty()) throw std::runtime_error("watch: " + e);
    }
    return true;
  }

  // Prints the scheduling line; returns pods/s from the first to the last binding.
  double report_schedule(const std::string& op, Tracker& t, const std::vector<Clock::time_point>& ack,
                         Clock::time_point start) {
    PhaseResult r;
    r.op = op;
    r.clients = o_.clients;
    Clock::time_point first = Clock::time_point::max(), last = start;
    size_t early = 0;
    for (size_t i = 0; i < t.bound_at.size(); ++i) {
      if (t.bound_at[i] == Clock::time_point{}) continue;
      first = std::min(first, t.bound_at[i]);
      last = std::max(last, t.bound_at[i]);
      if (ack[i] == Clock::time_point{}) continue;  // its create failed
      double ms = ms_between(ack[i], t.bound_at[i]);
      if (ms < 0) {
        ++early;
        ms = 0;
      }
      r.latencies_ms.push_back(ms);
    }
    r.ok = r.latencies_ms.size();
    r.errors = t.bound_at.size() - t.bound.load();
    if (r.errors) r.first_error = std::to_string(r.errors) + " pods never seen bound";
    double span = first < last ? std::chrono::duration<double>(last - first).count() : 0;
    r.seconds = span;
    double rate = span > 0 ? static_cast<double>(r.ok > 0 ? r.ok - 1 : 0) / span : 0;
    double max = r.latencies_ms.empty() ? 0 : *std::max_element(r.latencies_ms.begin(), r.latencies_ms.end());
    // The rate once every create was acknowledged: scheduling no longer shares the machine
    // with the creates (upstream's machines have cores to spare for them).
    Clock::time_point created = start;
    for (auto a : ack) created = std::max(created, a);
    size_t after = 0;
    for (auto b : t.bound_at)
      if (b > created) ++after;
    double tail = std::chrono::duration<double>(last - created).count();
    char extra[300];
    std::snprintf(extra, sizeof extra,
                  "max=%.2fms first-to-last-binding=%.2fs first-create-to-last-binding=%.2fs "
                  "after-creates=%zu/%.2fs=%.1f/s early=%zu",
                  max, span, std::chrono::duration<double>(last - start).count(), after, tail,
                  tail > 0 ? static_cast<double>(after) / tail : 0.0, early);
    check(r, extra);
    return rate;
  }

  // The ceiling: pods/binding writes by the C clients on pods no scheduler owns (schedulerName
  // skiff-bench-none), spread over the benchmark's nodes. A binding is the one write the
  // scheduler makes per pod, through the same API path and store, so the scheduler cannot bind
  // faster than this.
  double measure_ceiling() {
    size_t n = o_.ceiling_writes ? o_.ceiling_writes : o_.pods;
    if (!n) return 0;
    std::vector<Clock::time_point> ack(n);
    auto cu = create_pods("create-unscheduled", "sbu", "skiff-bench-none", ack);
    check(cu);
    std::string base = "/api/v1/namespaces/" + ns_ + "/pods/";
    size_t nodes = std::max<size_t>(o_.nodes, 1);
    auto b = run_phase("bind-raw", clients_, n, [&](HttpClient& c, size_t i) {
      std::string pod = name_of("sbu", i);
      std::string body = R"({"apiVersion":"v1","kind":"Binding","metadata":{"name":")" + pod +
                         R"("},"target":{"apiVersion":"v1","kind":"Node","name":")" +
                         name_of("sb-node", i % nodes) + "\"}}";
      return http_error(c.request("POST", base + pod + "/binding", body), 201);
    });
    double rate = b.seconds > 0 ? static_cast<double>(b.ok) / b.seconds : 0;
    check(b);
    return rate;
  }

  SchedulerOptions o_;
  std::string ns_;
  bool created_ns_ = false;
  std::vector<std::unique_ptr<HttpClient>> clients_;
  Tracker placed_, measured_;
  std::unique_ptr<PodWatcher> watcher_;  // after the trackers it writes to
  bool failed_ = false;
};

}  // namespace

int run_scheduler_bench(const SchedulerOptions& opts) {
  SchedulerBench b(opts);
  int rc = 1;
  try {
    rc = b.run();
  } catch (const std::exception& e) {
    std::cerr << "skiff-bench scheduler: " << e.what() << std::endl;
    rc = 1;
  }
  b.cleanup();
  return rc;
}

}  // namespace skiff::bench
