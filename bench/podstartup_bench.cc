// `skiff-bench podstartup`: pod startup latency on a node with the agent (issue 4), measured the
// way upstream's density tests read it: from just before the create request until a watch on
// the pods shows the pod's Ready condition True, with the image already on the node
// (imagePullPolicy Never). Phase 1 creates the pods one at a time (each waits for the previous
// to be Ready), phase 2 creates them B at a time (a batch's creates are concurrent, and the
// next batch waits for the whole batch). All pods are deleted between the phases and at the
// end, and the benchmark waits until the API holds none of them, so each phase starts on an
// empty node. One warm-up pod (the node's first: cold caches, the scheduler's first cycle) is
// started and deleted before phase 1 and not counted (--no-warmup skips it).
//
// The floor (--crun-bundle DIR): in the same process, the time of a bare `crun run -d` of an OCI
// bundle with the same image and command, timed from fork to crun's exit (the container process
// is then running; checked with `crun state`), N times before the first phase and N times after
// the last. The ratios printed at the end are p50(pod startup) / p50(bare crun).
//
// Stages, to tell where the time goes: the pod watch dates the binding (spec.nodeName), phase
// Running and Ready; a second watch, on the namespace's Events, dates the agent's Pulled (the
// container attempt begins: sandbox and volumes are done), Created (crun create) and Started
// (crun start) by the time encoded in each Event's name (see event_time). --csv writes every
// pod's stages.
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench.h"
#include "client/client.h"

namespace skiff::bench {
namespace {

using namespace std::chrono_literals;
using TimePoint = Clock::time_point;

const char* kPodStartupUsage = R"(usage:
  skiff-bench podstartup --kubeconfig FILE [--pods N=100] [--batch B=10] [--image REF=bench:1]
                   [--namespace NS=pod-startup-<random>] [--node NAME] [--timeout S=120]
                   [--no-warmup] [--crun-bundle DIR [--crun-runs N=20] [--crun PATH=crun]]
                   [--csv FILE]
)";

struct Options {
  std::string kubeconfig;
  size_t pods = 100;
  size_t batch = 10;
  std::string image = "bench:1";
  std::string ns;
  std::string node;
  size_t timeout_s = 120;
  bool warmup = true;
  std::string crun_bundle;
  size_t crun_runs = 20;
  std::string crun = "crun";
  std::string csv;  // per-pod stage times, ms after the create request
};

double ms_between(TimePoint a, TimePoint b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

std::string fmt_ms(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fms", ms);
  return buf;
}

const api::ResourceInfo& core(const char* resource) {
  const auto* r = api::find_resource("", "v1", resource);
  if (!r) throw std::runtime_error(std::string("no resource ") + resource);
  return *r;
}

// ---------------------------------------------------------------------------------------------
// The floor: bare crun.

// This host may mount cgroup v1 controllers and a cgroup2 hierarchy side by side ("hybrid"),
// which crun refuses. As the agent does (docs/runtime.md), crun then runs in a private mount
// namespace without the cgroup2 mount: this process enters one before it starts any thread, and
// every crun it forks inherits it. Returns an error text, empty on success.
std::string hide_cgroup2_if_hybrid() {
  std::ifstream in("/proc/self/mountinfo");
  std::vector<std::string> v2;
  bool v1 = false;
  for (std::string line; std::getline(in, line);) {
    std::istringstream ss(line);
    std::string id, parent, dev, root, mnt, tok;
    ss >> id >> parent >> dev >> root >> mnt;
    while (ss >> tok && tok != "-") {
    }
    std::string fstype;
    ss >> fstype;
    if (fstype == "cgroup2") v2.push_back(mnt);
    if (fstype == "cgroup") v1 = true;
  }
  if (!v1 || v2.empty()) return {};
  if (::unshare(CLONE_NEWNS) != 0) return std::string("unshare(CLONE_NEWNS): ") + std::strerror(errno);
  if (::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    return std::string("make / private: ") + std::strerror(errno);
  for (const auto& m : v2)
    if (::umount2(m.c_str(), MNT_DETACH) != 0)
      return "umount " + m + ": " + std::strerror(errno);
  std::printf("# crun floor: cgroup hybrid mode, %zu cgroup2 mount(s) hidden in a private mount namespace\n",
              v2.size());
  return {};
}

// Runs argv with stdio on /dev/null (stdout to `out` when given); returns the exit status.
int run_cmd(const std::vector<std::string>& args, std::string* out = nullptr) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  int pipefd[2] = {-1, -1};
  if (out && ::pipe2(pipefd, O_CLOEXEC) != 0) return -1;
  int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(devnull, 0);
    ::dup2(out ? pipefd[1] : devnull, 1);
    ::dup2(devnull, 2);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(devnull);
  if (out) {
    ::close(pipefd[1]);
    char buf[4096];
    ssize_t n;
    while ((n = ::read(pipefd[0], buf, sizeof buf)) > 0) out->append(buf, static_cast<size_t>(n));
    ::close(pipefd[0]);
  }
  if (pid < 0) return -1;
  int st = 0;
  while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

// `crun run -d` of the bundle `runs` times: time from fork to crun's exit, the container checked
// running afterwards and deleted (neither timed). Returns the latencies, empty on failure.
std::vector<double> measure_crun(const Options& o, const std::string& label) {
  const std::string root = o.crun_bundle + "/crun-state";
  std::vector<double> lat;
  for (size_t i = 0; i < o.crun_runs; ++i) {
    std::string id = "skiff-bench-floor-" + std::to_string(::getpid()) + "-" + label + "-" + std::to_string(i);
    auto t0 = Clock::now();
    int rc = run_cmd({o.crun, "--root", root, "run", "-d", "--bundle", o.crun_bundle, id});
    auto t1 = Clock::now();
    if (rc != 0) {
      std::cerr << "crun floor: `" << o.crun << " --root " << root << " run -d --bundle "
                << o.crun_bundle << " " << id << "` exited " << rc << std::endl;
      run_cmd({o.crun, "--root", root, "delete", "-f", id});
      return {};
    }
    std::string state;
    run_cmd({o.crun, "--root", root, "state", id}, &state);
    bool running = state.find("\"running\"") != std::string::npos;
    run_cmd({o.crun, "--root", root, "delete", "-f", id});
    if (!running) {
      std::cerr << "crun floor: container " << id << " not running after crun run -d: " << state
                << std::endl;
      return {};
    }
    lat.push_back(ms_between(t0, t1));
  }
  std::vector<double> s = lat;
  std::printf("op=crun-run-%s n=%zu p50=%.2fms p90=%.2fms max=%.2fms\n", label.c_str(), s.size(),
              quantile(s, 0.5), quantile(s, 0.9), quantile(s, 1.0));
  std::fflush(stdout);
  return lat;
}

// ---------------------------------------------------------------------------------------------
// Pods.

// What the watches saw of one pod, by this program's clock.
struct PodTimes {
  TimePoint create;     // just before the create request
  TimePoint acked;      // the create's response
  TimePoint bound;      // spec.nodeName first seen
  TimePoint pulled;     // the agent's Pulled event ("already present on machine")
  TimePoint created;    // the agent's Created event (after crun create)
  TimePoint started;    // the agent's Started event (after crun start)
  TimePoint running;    // status.phase Running first seen
  TimePoint ready;      // condition Ready True first seen
  bool failed = false;  // the create failed
};

class PodStartupBench {
 public:
  PodStartupBench(const Options& o, client::Config cfg) : o_(o), client_(std::move(cfg)) {
    ns_ = o.ns.empty() ? "pod-startup-" + random_suffix(6) : o.ns;
    if (!o.csv.empty()) {
      csv_ = std::fopen(o.csv.c_str(), "w");
      if (!csv_) throw std::runtime_error("cannot write " + o.csv);
      std::fputs("phase,pod,created_at_ms,acked,bound,pulled,created,started,running,ready\n", csv_);
    }
  }

  ~PodStartupBench() {
    stop_watches();
    if (csv_) std::fclose(csv_);
  }

  int run() {
    find_node();
    auto r = client_.create(core("namespaces"), "",
                            json::object{{"apiVersion", "v1"},
                                         {"kind", "Namespace"},
                                         {"metadata", json::object{{"name", ns_}}}});
    if (!r && r.error().code != 409) throw std::runtime_error("create namespace: " + r.error().message);
    created_ns_ = true;
    std::printf("# namespace %s, node %s, image %s, pods %zu one at a time + %zu in batches of %zu\n",
                ns_.c_str(), node_.c_str(), o_.image.c_str(), o_.pods, o_.pods, o_.batch);
    std::fflush(stdout);
    start_watches();

    if (o_.warmup) {  // the node's first pod (bridge, first netns, cold caches): not counted
      auto t = serial_phase("warmup", "ps-warmup", 1);
      if (t.empty()) return 1;
      if (!delete_all()) return 1;
    }
    serial_ = serial_phase("serial", "ps-s", o_.pods);
    if (serial_.empty() || !delete_all()) return 1;
    batched_ = batched_phase("batched", "ps-b", o_.pods, o_.batch);
    if (batched_.empty() || !delete_all()) return 1;
    if (!watch_error_.empty()) std::cerr << "watch: " << watch_error_ << std::endl;
    return failed_ ? 1 : 0;
  }

  // p50 of pod startup per phase (ms), for the ratios.
  double serial_p50() { return quantile(serial_, 0.5); }
  double batched_p50() { return quantile(batched_, 0.5); }

  void cleanup() {
    stop_watches();
    if (!created_ns_) return;
    auto t0 = Clock::now();
    client_.request("DELETE", "/api/v1/namespaces/" + ns_ + "/pods");
    client_.request("DELETE", "/api/v1/namespaces/" + ns_);
    std::printf("# cleanup: namespace %s deleted in %.1fs\n", ns_.c_str(),
                std::chrono::duration<double>(Clock::now() - t0).count());
  }

 private:
  void find_node() {
    auto nodes = client_.list(core("nodes"), "");
    if (!nodes) throw std::runtime_error("list nodes: " + nodes.error().message);
    std::vector<std::string> ready;
    std::string runtime;
    if (const auto* items = find_path(*nodes, {"items"}); items && items->is_array())
      for (const auto& n : items->get_array()) {
        std::string name = get_string(n, {"metadata", "name"});
        bool ok = false;
        if (const auto* conds = find_path(n, {"status", "conditions"}); conds && conds->is_array())
          for (const auto& c : conds->get_array())
            ok = ok || (get_string(c, {"type"}) == "Ready" && get_string(c, {"status"}) == "True");
        if (ok && (o_.node.empty() || o_.node == name)) {
          ready.push_back(name);
          runtime = get_string(n, {"status", "nodeInfo", "containerRuntimeVersion"});
        }
      }
    if (ready.empty())
      throw std::runtime_error(o_.node.empty() ? "no Ready node" : "node " + o_.node + " is not Ready");
    if (ready.size() > 1)
      throw std::runtime_error("more than one Ready node: pass --node (the benchmark is about one node)");
    node_ = ready[0];
    std::printf("# node %s, runtime %s\n", node_.c_str(), runtime.c_str());
  }

  json::object pod_object(const std::string& name) const {
    json::object spec{{"terminationGracePeriodSeconds", 1},
                      {"containers", json::array{json::object{{"name", "sleep"},
                                                              {"image", o_.image},
                                                              {"imagePullPolicy", "Never"},
                                                              {"command", json::array{"sleep", "3600"}}}}}};
    // With --node on a cluster of several nodes, the scheduler still places the pods (its time
    // is part of startup), restricted to that node as the agent labels it.
    if (!o_.node.empty()) spec["nodeSelector"] = json::object{{"kubernetes.io/hostname", node_}};
    return json::object{
        {"apiVersion", "v1"},
        {"kind", "Pod"},
        {"metadata", json::object{{"name", name}, {"labels", json::object{{"app", "pod-startup-bench"}}}}},
        {"spec", std::move(spec)}};
  }

  // ---- watches

  void start_watches() {
    for (const char* res : {"pods", "events"}) {
      client::ListOptions lo;
      lo.limit = 1;
      auto l = client_.list(core(res), ns_, lo);
      if (!l) throw std::runtime_error(std::string("list ") + res + ": " + l.error().message);
      std::string rv = get_string(*l, {"metadata", "resourceVersion"});
      bool pods = std::string_view(res) == "pods";
      watch_threads_.emplace_back([this, res, rv, pods] { watch_loop(core(res), rv, pods); });
    }
  }

  void stop_watches() {
    stop_ = true;
    for (auto& t : watch_threads_)
      if (t.joinable()) t.join();
    watch_threads_.clear();
  }

  void watch_loop(const api::ResourceInfo& res, std::string rv, bool pods) {
    while (!stop_) {
      client::ListOptions lo;
      lo.resource_version = rv;
      lo.timeout_seconds = 3600;
      std::string stream_error;
      auto st = client_.watch(
          res, ns_, lo,
          [&](client::WatchEvent& ev) {
            auto now = Clock::now();
            if (ev.type == "ERROR") {
              stream_error = get_string(ev.object, {"message"});
              return false;
            }
            std::string v = get_string(ev.object, {"metadata", "resourceVersion"});
            if (!v.empty()) rv = v;
            if (ev.type == "BOOKMARK" || ev.type == "DELETED") return true;
            if (pods) on_pod(ev.object, now);
            else on_event(ev.object, now);
            return true;
          },
          &stop_);
      if (stop_) break;
      if (!st || !stream_error.empty()) {
        std::lock_guard lock(mu_);
        watch_error_ = st ? stream_error : st.error().message;
        if (!stream_error.empty()) return;  // e.g. 410: nothing sensible to resume from
      }
      std::this_thread::sleep_for(100ms);
    }
  }

  void on_pod(const json::object& pod, TimePoint now) {
    std::string name = get_string(pod, {"metadata", "name"});
    bool bound = !get_string(pod, {"spec", "nodeName"}).empty();
    bool running = get_string(pod, {"status", "phase"}) == "Running";
    bool ready = false;
    if (const auto* conds = find_path(pod, {"status", "conditions"}); conds && conds->is_array())
      for (const auto& c : conds->get_array())
        ready = ready || (get_string(c, {"type"}) == "Ready" && get_string(c, {"status"}) == "True");
    std::lock_guard lock(mu_);
    auto it = times_.find(name);
    if (it == times_.end()) return;  // not ours, or from an earlier phase
    auto& t = it->second;
    auto set = [&](TimePoint& f, bool cond) {
      if (cond && f == TimePoint{}) f = now;
    };
    set(t.bound, bound);
    set(t.running, running);
    if (ready && t.ready == TimePoint{}) {
      t.ready = now;
      cv_.notify_all();
    }
  }

  // The kubelet names its Events as upstream's recorder does, "<pod>.<hex unix nanoseconds>",
  // taken when the step happened; the agent writes them from a queue, so they may arrive much
  // later. The time in the name, moved onto this program's steady clock (same machine, same
  // clock), dates the step; the arrival time is the fallback.
  TimePoint event_time(const std::string& event_name, const std::string& pod, TimePoint arrived) const {
    if (event_name.size() <= pod.size() + 1 || event_name.compare(0, pod.size() + 1, pod + ".") != 0)
      return arrived;
    const std::string hex = event_name.substr(pod.size() + 1);
    char* end = nullptr;
    unsigned long long ns = std::strtoull(hex.c_str(), &end, 16);
    if (hex.empty() || *end) return arrived;
    auto t = TimePoint(std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(
                 static_cast<int64_t>(ns) - wall_minus_steady_ns_)));
    // Not a time after all (or a clock step): keep the arrival.
    if (t > arrived + 1s || t < arrived - 10min) return arrived;
    return t;
  }

  void on_event(const json::object& ev, TimePoint now) {
    std::string name = get_string(ev, {"involvedObject", "name"});
    if (name.empty()) name = get_string(ev, {"regarding", "name"});
    std::string reason = get_string(ev, {"reason"});
    TimePoint when = event_time(get_string(ev, {"metadata", "name"}), name, now);
    std::lock_guard lock(mu_);
    auto it = times_.find(name);
    if (it == times_.end()) return;
    auto& t = it->second;
    TimePoint* f = reason == "Pulled" ? &t.pulled : reason == "Created" ? &t.created
                 : reason == "Started" ? &t.started : nullptr;
    if (f && *f == TimePoint{}) {
      *f = when;
      cv_.notify_all();
    }
  }

  // Waits (up to 30 s) until the Pulled, Created and Started events of every Ready pod arrived.
  void wait_events(const std::vector<std::string>& names) {
    std::unique_lock lock(mu_);
    cv_.wait_until(lock, Clock::now() + 30s, [&] {
      for (const auto& n : names) {
        const auto& t = times_[n];
        if (t.ready != TimePoint{} &&
            (t.pulled == TimePoint{} || t.created == TimePoint{} || t.started == TimePoint{}))
          return false;
      }
      return true;
    });
  }

  // ---- phases

  std::string name_of(const std::string& prefix, size_t i) const {
    char buf[32];
    std::snprintf(buf, sizeof buf, "-%04zu", i);
    return prefix + buf;
  }

  // Creates one pod, timing it; false when the create failed.
  bool create_pod(const std::string& name) {
    {
      std::lock_guard lock(mu_);
      times_[name].create = Clock::now();
    }
    auto r = client_.create(core("pods"), ns_, pod_object(name));
    std::lock_guard lock(mu_);
    auto& t = times_[name];
    t.acked = Clock::now();
    if (!r) {
      t.failed = true;
      if (first_error_.empty()) first_error_ = "create " + name + ": " + r.error().message;
      return false;
    }
    return true;
  }

  // Waits until every named pod is Ready (or its create failed); false on timeout.
  bool wait_ready(const std::vector<std::string>& names) {
    std::unique_lock lock(mu_);
    auto deadline = Clock::now() + std::chrono::seconds(o_.timeout_s);
    bool done = cv_.wait_until(lock, deadline, [&] {
      for (const auto& n : names) {
        const auto& t = times_[n];
        if (!t.failed && t.ready == TimePoint{}) return false;
      }
      return true;
    });
    if (!done) {
      for (const auto& n : names)
        if (!times_[n].failed && times_[n].ready == TimePoint{}) {
          std::cerr << "pod " << ns_ << "/" << n << " not Ready within " << o_.timeout_s << " s"
                    << (watch_error_.empty() ? "" : " (watch: " + watch_error_ + ")") << std::endl;
          break;
        }
    }
    return done;
  }

  std::vector<double> serial_phase(const std::string& op, const std::string& prefix, size_t n) {
    std::vector<std::string> names;
    auto t0 = Clock::now();
    for (size_t i = 0; i < n; ++i) {
      names.push_back(name_of(prefix, i));
      create_pod(names.back());
      if (!wait_ready({names.back()})) {
        failed_ = true;
        return {};
      }
    }
    return report(op, names, 1, t0);
  }

  std::vector<double> batched_phase(const std::string& op, const std::string& prefix, size_t n,
                                    size_t batch) {
    std::vector<std::string> names;
    for (size_t i = 0; i < n; ++i) names.push_back(name_of(prefix, i));
    {
      std::lock_guard lock(mu_);
      for (const auto& name : names) times_[name];  // known before any event can arrive
    }
    auto t0 = Clock::now();
    for (size_t b = 0; b < n; b += batch) {
      std::vector<std::string> these(names.begin() + static_cast<long>(b),
                                     names.begin() + static_cast<long>(std::min(n, b + batch)));
      std::vector<std::thread> threads;
      for (const auto& name : these) threads.emplace_back([this, name] { create_pod(name); });
      for (auto& t : threads) t.join();
      if (!wait_ready(these)) {
        failed_ = true;
        return {};
      }
    }
    return report(op, names, batch, t0);
  }

  // Prints the phase's latency line and its stages; returns the startup latencies (ms).
  std::vector<double> report(const std::string& op, const std::vector<std::string>& names,
                             size_t batch, TimePoint t0) {
    wait_events(names);
    std::lock_guard lock(mu_);
    std::vector<double> lat, ack;
    size_t errors = 0;
    TimePoint last{};
    // Per stage: ms from the create request until the stage was seen, of every pod that has it.
    const char* stage_names[] = {"bound", "Pulled", "Created", "Started", "Running", "Ready"};
    std::vector<std::vector<double>> stages(6);
    for (const auto& n : names) {
      const auto& t = times_[n];
      if (t.failed || t.ready == TimePoint{}) {
        ++errors;
        continue;
      }
      lat.push_back(ms_between(t.create, t.ready));
      ack.push_back(ms_between(t.create, t.acked));
      last = std::max(last, t.ready);
      const TimePoint* st[] = {&t.bound, &t.pulled, &t.created, &t.started, &t.running, &t.ready};
      for (size_t i = 0; i < 6; ++i)
        if (*st[i] != TimePoint{}) stages[i].push_back(ms_between(t.create, *st[i]));
    }
    double total = std::chrono::duration<double>(last - t0).count();
    std::vector<double> s = lat;
    std::printf("op=pod-startup-%s pods=%zu batch=%zu p50=%.1fms p90=%.1fms p99=%.1fms max=%.1fms "
                "total=%.2fs throughput=%.1f/s errors=%zu\n",
                op.c_str(), lat.size(), batch, quantile(s, 0.5), quantile(s, 0.9), quantile(s, 0.99),
                quantile(s, 1.0), total, total > 0 ? static_cast<double>(lat.size()) / total : 0.0,
                errors);
    std::printf("#   stages, ms after the create request (p50/p99): create-acked %s/%s",
                fmt_ms(quantile(ack, 0.5)).c_str(), fmt_ms(quantile(ack, 0.99)).c_str());
    for (size_t i = 0; i < 6; ++i) {
      if (stages[i].empty()) {
        std::printf(", %s -", stage_names[i]);
        continue;
      }
      double p50 = quantile(stages[i], 0.5), p99 = quantile(stages[i], 0.99);
      std::printf(", %s %s/%s", stage_names[i], fmt_ms(p50).c_str(), fmt_ms(p99).c_str());
    }
    std::printf("\n");
    // The p50 of each quarter of the phase, in creation order: does startup slow down as the
    // node fills up?
    if (names.size() >= 8) {
      std::printf("#   p50 by quarter of the phase (pods already running at its start):");
      size_t q = names.size() / 4;
      for (size_t k = 0; k < 4; ++k) {
        std::vector<double> part;
        size_t end = k == 3 ? names.size() : (k + 1) * q;
        for (size_t i = k * q; i < end; ++i) {
          const auto& t = times_[names[i]];
          if (!t.failed && t.ready != TimePoint{}) part.push_back(ms_between(t.create, t.ready));
        }
        std::printf(" %zu+ %s", k * q, fmt_ms(quantile(part, 0.5)).c_str());
      }
      std::printf("\n");
    }
    if (csv_) {
      auto rel = [](TimePoint from, TimePoint t) {
        if (t == TimePoint{}) return std::string();
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.1f", ms_between(from, t));
        return std::string(buf);
      };
      for (const auto& n : names) {
        const auto& t = times_[n];
        std::fprintf(csv_, "%s,%s,%.1f,%s,%s,%s,%s,%s,%s,%s\n", op.c_str(), n.c_str(),
                     ms_between(t0, t.create), rel(t.create, t.acked).c_str(),
                     rel(t.create, t.bound).c_str(), rel(t.create, t.pulled).c_str(),
                     rel(t.create, t.created).c_str(), rel(t.create, t.started).c_str(),
                     rel(t.create, t.running).c_str(), rel(t.create, t.ready).c_str());
      }
      std::fflush(csv_);
    }
    if (!first_error_.empty()) std::fprintf(stderr, "first error: %s\n", first_error_.c_str());
    std::fflush(stdout);
    if (errors) failed_ = true;
    return lat;
  }

  // Deletes every pod of the namespace and waits until the API holds none (the agent removes a
  // pod from the API only after its containers, network and volumes are gone). A slow
  // deletecollection (the server is busy with the teardowns it causes) may outlast the client's
  // timeout: the pods it did not reach are then deleted one by one.
  bool delete_all() {
    auto t0 = Clock::now();
    auto r = client_.request("DELETE", "/api/v1/namespaces/" + ns_ + "/pods");
    if (!r)
      std::printf("# deletecollection of the pods failed after %.1fs (%s); deleting what is left one by one\n",
                  std::chrono::duration<double>(Clock::now() - t0).count(), r.error().message.c_str());
    auto last_deletes = Clock::now();
    size_t n = 0;
    const auto limit = std::chrono::seconds(std::max<size_t>(o_.timeout_s, 600));
    while (Clock::now() - t0 < limit) {
      auto l = client_.list(core("pods"), ns_);
      if (l) {
        const auto* items = find_path(*l, {"items"});
        n = items && items->is_array() ? items->get_array().size() : 0;
        if (n == 0) {
          std::printf("# all pods deleted and gone from the node in %.1fs\n",
                      std::chrono::duration<double>(Clock::now() - t0).count());
          std::fflush(stdout);
          return true;
        }
        if (!r && Clock::now() - last_deletes > 20s) {
          for (const auto& p : items->get_array())
            if (!find_path(p, {"metadata", "deletionTimestamp"}))
              client_.remove(core("pods"), ns_, get_string(p, {"metadata", "name"}));
          last_deletes = Clock::now();
        }
      }
      std::this_thread::sleep_for(200ms);
    }
    std::cerr << "delete pods: " << n << " pods still there after " << limit.count() << " s" << std::endl;
    failed_ = true;
    return false;
  }

  const Options& o_;
  client::Client client_;
  std::string ns_, node_;
  bool created_ns_ = false;
  bool failed_ = false;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> watch_threads_;
  std::mutex mu_;  // guards the fields below
  std::condition_variable cv_;
  std::map<std::string, PodTimes> times_;
  std::string watch_error_, first_error_;
  std::vector<double> serial_, batched_;
  FILE* csv_ = nullptr;
  // system_clock minus steady_clock, in ns: turns the agent's wall-clock event times into ours.
  const int64_t wall_minus_steady_ns_ =
      std::chrono::duration_cast<std::chrono::nanoseconds>(
          std::chrono::system_clock::now().time_since_epoch()).count() -
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
};

[[noreturn]] void usage_error(const std::string& msg) {
  std::cerr << "skiff-bench podstartup: " << msg << "\n" << kPodStartupUsage;
  std::exit(2);
}

}  // namespace

int podstartup_main(const std::vector<std::string>& args) {
  Options o;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& f = args[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) usage_error(f + " needs a value");
      return args[++i];
    };
    auto number = [&]() -> size_t {
      std::string s = value();
      char* end = nullptr;
      unsigned long long n = std::strtoull(s.c_str(), &end, 10);
      if (s.empty() || *end) usage_error(f + ": not a number: " + s);
      return n;
    };
    if (f == "--kubeconfig") o.kubeconfig = value();
    else if (f == "--pods") o.pods = number();
    else if (f == "--batch") o.batch = number();
    else if (f == "--image") o.image = value();
    else if (f == "--namespace") o.ns = value();
    else if (f == "--node") o.node = value();
    else if (f == "--timeout") o.timeout_s = number();
    else if (f == "--no-warmup") o.warmup = false;
    else if (f == "--crun-bundle") o.crun_bundle = value();
    else if (f == "--crun-runs") o.crun_runs = number();
    else if (f == "--crun") o.crun = value();
    else if (f == "--csv") o.csv = value();
    else if (f == "-h" || f == "--help") {
      std::cout << kPodStartupUsage;
      return 0;
    } else usage_error("unknown flag " + f);
  }
  if (o.kubeconfig.empty()) usage_error("needs --kubeconfig");
  if (o.pods == 0 || o.batch == 0) usage_error("--pods and --batch must be at least 1");
  if (!o.crun_bundle.empty() && o.crun_runs == 0) usage_error("--crun-runs must be at least 1");

  auto cfg = client::Config::from_kubeconfig(o.kubeconfig);
  if (!cfg) {
    std::cerr << "skiff-bench podstartup: " << o.kubeconfig << ": " << cfg.error().message << std::endl;
    return 1;
  }
  cfg->user_agent = "skiff-bench";
  cfg->max_connections = static_cast<int>(std::max<size_t>(o.batch, 4) + 2);

  // The floor first, while this process has no other thread (it may enter a mount namespace).
  std::vector<double> floor;
  if (!o.crun_bundle.empty()) {
    if (auto e = hide_cgroup2_if_hybrid(); !e.empty()) {
      std::cerr << "crun floor: " << e << std::endl;
      return 1;
    }
    floor = measure_crun(o, "before");
    if (floor.empty()) return 1;
  }

  int rc = 1;
  double serial = 0, batched = 0;
  {
    std::unique_ptr<PodStartupBench> b;
    try {
      b = std::make_unique<PodStartupBench>(o, std::move(*cfg));
      rc = b->run();
      serial = b->serial_p50();
      batched = b->batched_p50();
    } catch (const std::exception& e) {
      std::cerr << "skiff-bench podstartup: " << e.what() << std::endl;
    }
    if (b) b->cleanup();
  }

  if (!o.crun_bundle.empty()) {
    // After a failure the node may still be tearing pods down: no second floor then.
    if (rc == 0) {
      auto after = measure_crun(o, "after");
      if (after.empty()) return 1;
      floor.insert(floor.end(), after.begin(), after.end());
    }
    double f = quantile(floor, 0.5);
    std::printf("op=crun-run n=%zu p50=%.2fms (the floor%s)\n", floor.size(), f,
                rc == 0 ? ": before and after together" : ", before only");
    if (f > 0 && serial > 0)
      std::printf("# ratio p50(pod startup, one at a time) / p50(bare crun run) = %.1f / %.1f = %.2fx (aim: <= 3x)\n",
                  serial, f, serial / f);
    if (f > 0 && batched > 0)
      std::printf("# ratio p50(pod startup, %zu at a time) / p50(bare crun run) = %.1f / %.1f = %.2fx (aim: <= 3x)\n",
                  o.batch, batched, f, batched / f);
  }
  return rc;
}

}  // namespace skiff::bench
