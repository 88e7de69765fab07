// `skiff-bench api`: create, get, list (1k and 10k objects, whole and paginated) and watch
// fan-out against a running API server, over C keep-alive HTTPS connections.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

#include "bench.h"
#include "common/json.h"

namespace skiff::bench {
namespace {

std::string cm_name(const char* prefix, size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s-%06zu", prefix, i);
  return buf;
}

std::string short_body(const std::string& body) {
  return body.size() > 300 ? body.substr(0, 300) + "..." : body;
}

std::string status_error(const Response& r, int want) {
  if (r.status == want) return {};
  return "HTTP " + std::to_string(r.status) + ": " + short_body(r.body);
}

// The string value of `"key":"...` at its first occurrence (values without escapes only).
std::string find_string_field(const std::string& body, const std::string& key) {
  std::string needle = "\"" + key + "\":\"";
  auto p = body.find(needle);
  if (p == std::string::npos) return {};
  p += needle.size();
  auto e = body.find('"', p);
  if (e == std::string::npos) return {};
  return body.substr(p, e - p);
}

void create_namespace(HttpClient& c, const std::string& ns) {
  std::string body = R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":")" + ns +
                     R"(","labels":{"app":"skiff-bench"}}})";
  auto r = c.request("POST", "/api/v1/namespaces", body);
  if (r.status != 201 && r.status != 200)
    throw std::runtime_error("creating namespace " + ns + ": " + status_error(r, 201));
}

// One full list; returns the number of items (validated by parsing; untimed).
size_t count_items(HttpClient& c, const std::string& ns, size_t limit) {
  size_t total = 0;
  std::string cont;
  do {
    std::string target = "/api/v1/namespaces/" + ns + "/configmaps?limit=" + std::to_string(limit);
    if (!cont.empty()) target += "&continue=" + cont;
    auto r = c.request("GET", target);
    if (r.status != 200) throw std::runtime_error("list " + ns + ": " + status_error(r, 200));
    json::value v;
    std::string err;
    if (!parse_json(r.body, v, err)) throw std::runtime_error("list " + ns + ": bad JSON: " + err);
    auto* items = find_path(v, {"items"});
    // Every namespace also holds kube-root-ca.crt (the root CA publisher's): not the bench's.
    if (items && items->is_array())
      for (const auto& it : items->as_array())
        if (get_string(it, {"metadata", "name"}) != "kube-root-ca.crt") ++total;
    cont = get_string(v, {"metadata", "continue"});
  } while (!cont.empty());
  return total;
}

// Continue tokens are base64 (A-Za-z0-9+/=); percent-encode what a query string needs.
std::string url_escape(const std::string& s) {
  std::string out;
  for (unsigned char ch : s) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
      out += static_cast<char>(ch);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", ch);
      out += buf;
    }
  }
  return out;
}

class ApiBench {
 public:
  explicit ApiBench(const ApiOptions& o) : o_(o) {
    ns_ = o.ns.empty() ? "bench-" + random_suffix(6) : o.ns;
    for (size_t i = 0; i < o.clients; ++i)
      clients_.push_back(std::make_unique<HttpClient>(o.endpoint));
  }

  int run() {
    preflight();
    connect_all("connect", clients_);
    auto& c0 = *clients_[0];
    std::vector<std::string> namespaces = {ns_};
    if (o_.lists) namespaces.insert(namespaces.end(), {ns_ + "-l1k", ns_ + "-l10k"});
    if (o_.watchers) namespaces.push_back(ns_ + "-watch");
    for (auto& ns : namespaces) {
      create_namespace(c0, ns);
      created_.push_back(ns);
    }
    std::cout << "# namespaces:";
    for (auto& ns : namespaces) std::cout << " " << ns;
    std::cout << std::endl;

    creates(ns_, "create", "cm", o_.creates);
    gets();
    if (o_.lists) {
      creates(ns_ + "-l1k", "create-fill1k", "cm", 1000);
      creates(ns_ + "-l10k", "create-fill10k", "cm", 10000);
      lists(ns_ + "-l1k", "1k", 1000, o_.lists_1k);
      lists(ns_ + "-l10k", "10k", 10000, o_.lists_10k);
    }
    if (o_.watchers) watch_fanout();
    return failed_ ? 1 : 0;
  }

  void cleanup() {
    if (!o_.cleanup || created_.empty()) return;
    auto start = Clock::now();
    try {
      HttpClient c(o_.endpoint);
      for (auto& ns : created_) {
        // Empty the namespace first: without a namespace controller a deleted namespace
        // would keep its objects.
        c.request("DELETE", "/api/v1/namespaces/" + ns + "/configmaps");
        c.request("DELETE", "/api/v1/namespaces/" + ns);
      }
      std::printf("# cleanup: deleted %zu namespaces in %.1fs\n", created_.size(),
                  std::chrono::duration<double>(Clock::now() - start).count());
    } catch (const std::exception& e) {
      std::cerr << "cleanup failed: " << e.what() << std::endl;
    }
  }

 private:
  void preflight() {
    HttpClient c(o_.endpoint, std::chrono::seconds(10));
    Response r;
    try {
      r = c.request("GET", "/version");
    } catch (const std::exception& e) {
      throw std::runtime_error(std::string("API server unreachable: ") + e.what());
    }
    if (r.status == 401 || r.status == 403)
      throw std::runtime_error("API server at " + o_.endpoint.url() +
                               " rejected our credentials: " + status_error(r, 200));
    if (r.status != 200)
      throw std::runtime_error("GET /version on " + o_.endpoint.url() + ": " + status_error(r, 200));
    json::value v;
    std::string err;
    std::string version = parse_json(r.body, v, err) ? get_string(v, {"gitVersion"}) : "";
    std::cout << "# server " << o_.endpoint.url() << " version " << version << std::endl;
  }

  void check(PhaseResult& r, const std::string& extra = {}) {
    print_result(r, extra);
    if (r.errors) failed_ = true;
  }

  void creates(const std::string& ns, const std::string& op, const char* prefix, size_t n) {
    std::string target = "/api/v1/namespaces/" + ns + "/configmaps";
    auto r = run_phase(op, clients_, n, [&](HttpClient& c, size_t i) {
      return status_error(c.request("POST", target, configmap_json(cm_name(prefix, i))), 201);
    });
    check(r);
  }

  void gets() {
    size_t n = o_.gets ? o_.gets : o_.creates;
    if (!n || !o_.creates) return;
    std::string base = "/api/v1/namespaces/" + ns_ + "/configmaps/";
    auto r = run_phase("get", clients_, n, [&](HttpClient& c, size_t i) {
      return status_error(c.request("GET", base + cm_name("cm", i % o_.creates)), 200);
    });
    check(r);
  }

  void lists(const std::string& ns, const std::string& label, size_t expect, size_t n) {
    if (!n) return;
    auto& c0 = *clients_[0];
    // Untimed validation: both ways return every object.
    size_t whole = count_items(c0, ns, 0), paged = count_items(c0, ns, 500);
    if (whole != expect || paged != expect) {
      std::cerr << "list " << ns << ": expected " << expect << " items, got " << whole
                << " (limit=0) and " << paged << " (limit=500)" << std::endl;
      failed_ = true;
    }
    std::string base = "/api/v1/namespaces/" + ns + "/configmaps?limit=";
    std::atomic<size_t> bytes{0};
    auto r = run_phase("list-" + label, clients_, n, [&](HttpClient& c, size_t) {
      auto resp = c.request("GET", base + "0");
      bytes += resp.body.size();
      return status_error(resp, 200);
    });
    char extra[64];
    std::snprintf(extra, sizeof extra, "limit=0 bytes/list=%.1fMB",
                  r.ok ? static_cast<double>(bytes) / static_cast<double>(r.ok) / 1e6 : 0.0);
    check(r, extra);
    std::atomic<size_t> pages{0};
    r = run_phase("list-" + label + "-paged", clients_, n, [&](HttpClient& c, size_t) {
      std::string cont;
      do {
        std::string target = base + "500";
        if (!cont.empty()) target += "&continue=" + url_escape(cont);
        auto resp = c.request("GET", target);
        if (auto e = status_error(resp, 200); !e.empty()) return e;
        ++pages;
        cont = find_string_field(resp.body, "continue");
      } while (!cont.empty());
      return std::string();
    });
    std::snprintf(extra, sizeof extra, "limit=500 pages/list=%.0f",
                  r.ok ? static_cast<double>(pages) / static_cast<double>(r.ok) : 0.0);
    check(r, extra);
  }

  // W watchers on an empty namespace from its current revision, then M creates by the C
  // clients. Latency of one delivery = received at a watcher - create acknowledged to its client
  // (0 when the event overtook the response: counted as `early`).
  void watch_fanout() {
    const std::string ns = ns_ + "-watch";
    const size_t w = o_.watchers, m = o_.watch_creates;
    auto rv_resp = clients_[0]->request("GET", "/api/v1/namespaces/" + ns + "/configmaps?limit=1");
    if (rv_resp.status != 200) throw std::runtime_error("list " + ns + ": " + status_error(rv_resp, 200));
    json::value v;
    std::string err;
    if (!parse_json(rv_resp.body, v, err)) throw std::runtime_error("list " + ns + ": " + err);
    std::string rv = get_string(v, {"metadata", "resourceVersion"});
    std::string target = "/api/v1/namespaces/" + ns + "/configmaps?watch=1&resourceVersion=" + rv;

    const double rss_idle = server_rss_mb();
    std::vector<std::unique_ptr<HttpClient>> wclients;
    for (size_t i = 0; i < w; ++i) wclients.push_back(std::make_unique<HttpClient>(o_.endpoint));
    connect_all("connect-watchers", wclients);

    std::vector<std::vector<Clock::time_point>> recv(w, std::vector<Clock::time_point>(m));
    std::vector<size_t> got(w, 0);
    std::vector<std::string> werr(w);
    std::mutex mu;
    std::condition_variable cv;
    size_t ready = 0;
    std::vector<std::thread> threads;
    auto watch_start = Clock::now();
    for (size_t k = 0; k < w; ++k) {
      threads.emplace_back([&, k] {
        auto& c = *wclients[k];
        int status = 0;
        std::string body;
        try {
          status = c.open_stream(target, &body);
        } catch (const std::exception& e) {
          werr[k] = e.what();
        }
        if (werr[k].empty() && status != 200)
          werr[k] = "watch: HTTP " + std::to_string(status) + ": " + short_body(body);
        {
          std::lock_guard<std::mutex> lock(mu);
          ++ready;
        }
        cv.notify_all();
        if (!werr[k].empty()) return;
        std::string line;
        bool timed_out = false;
        while (got[k] < m) {
          if (!c.read_line(line, std::chrono::seconds(30), &timed_out)) {
            werr[k] = timed_out ? "watch: no event for 30s" : "watch: stream ended";
            break;
          }
          auto now = Clock::now();
          auto p = line.find("\"name\":\"w-");
          if (p == std::string::npos) continue;
          size_t idx = std::strtoull(line.c_str() + p + 10, nullptr, 10);
          if (idx < m && recv[k][idx] == Clock::time_point{}) {
            recv[k][idx] = now;
            ++got[k];
          }
        }
        c.close();
      });
    }
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return ready == w; });
    }
    double setup_ms = std::chrono::duration<double, std::milli>(Clock::now() - watch_start).count();
    const double rss_watching = server_rss_mb();
    std::vector<Clock::time_point> ack(m);
    std::string ctarget = "/api/v1/namespaces/" + ns + "/configmaps";
    auto create_start = Clock::now();
    auto r = run_phase("watch-create", clients_, m, [&](HttpClient& c, size_t i) {
      auto e = status_error(c.request("POST", ctarget, configmap_json(cm_name("w", i))), 201);
      ack[i] = Clock::now();
      return e;
    });
    check(r);
    for (auto& t : threads) t.join();

    PhaseResult d;
    d.op = "watch";
    d.clients = w;
    size_t early = 0, missing = 0;
    Clock::time_point last = create_start;
    for (size_t k = 0; k < w; ++k) {
      if (!werr[k].empty()) {
        ++d.errors;
        if (d.first_error.empty()) d.first_error = werr[k];
      }
      for (size_t i = 0; i < m; ++i) {
        if (recv[k][i] == Clock::time_point{}) {
          ++missing;
          continue;
        }
        last = std::max(last, recv[k][i]);
        if (ack[i] == Clock::time_point{}) continue;  // its create failed
        double ms = std::chrono::duration<double, std::milli>(recv[k][i] - ack[i]).count();
        if (ms < 0) {
          ++early;
          ms = 0;
        }
        d.latencies_ms.push_back(ms);
      }
    }
    d.ok = d.latencies_ms.size();
    d.seconds = std::chrono::duration<double>(last - create_start).count();
    char extra[160];
    std::snprintf(extra, sizeof extra, "watchers=%zu creates=%zu missing=%zu early=%zu setup=%.0fms",
                  w, m, missing, early, setup_ms);
    check(d, extra);
    if (missing) failed_ = true;
    if (rss_idle > 0 && rss_watching > 0)
      std::printf("# server rss: %.1f MB before the watchers, %.1f MB with %zu watchers "
                  "established: %.1f KB per watcher\n",
                  rss_idle, rss_watching, w, (rss_watching - rss_idle) * 1024.0 / static_cast<double>(w));
  }

  // The server's resident memory in MB (--server-pid), or 0.
  double server_rss_mb() const {
    if (o_.server_pid <= 0) return 0;
    std::ifstream f("/proc/" + std::to_string(o_.server_pid) + "/status");
    std::string line;
    while (std::getline(f, line))
      if (line.rfind("VmRSS:", 0) == 0) return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
    return 0;
  }

  ApiOptions o_;
  std::string ns_;
  std::vector<std::unique_ptr<HttpClient>> clients_;
  std::vector<std::string> created_;
  bool failed_ = false;
};

}  // namespace

int run_api_bench(const ApiOptions& opts) {
  ApiBench b(opts);
  int rc = 1;
  try {
    rc = b.run();
  } catch (const std::exception& e) {
    std::cerr << "skiff-bench api: " << e.what() << std::endl;
    rc = 1;
  }
  b.cleanup();
  return rc;
}

}  // namespace skiff::bench
