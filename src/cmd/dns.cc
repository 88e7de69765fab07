// `skiff dns`: the record table kept from informers on Services and EndpointSlices, served by
// the DNS server (server.h, records.h).
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "api/resources.h"
#include "client/client.h"
#include "client/informer.h"
#include "cmd/commands.h"
#include "common/flags.h"
#include "common/log.h"
#include "common/stop_signal.h"
#include "dns/http_status.h"
#include "dns/metrics.h"
#include "dns/records.h"
#include "dns/server.h"

namespace skiff::cmd {
using namespace dns;

int dns_main(int argc, char** argv) {
  dns::ServerOptions o;
  std::string kubeconfig, server, domain = "cluster.local", health, ready_addr, metrics_addr;
  int64_t ttl = 30;
  FlagSet flags("skiff dns", "[--kubeconfig FILE] [flags]",
                "Runs the cluster DNS server in the foreground: answers <svc>.<ns>.svc.<domain> (A, SRV),\n"
                "headless endpoints, <a-b-c-d>.<ns>.pod.<domain> and PTR for service and endpoint\n"
                "addresses from the cluster's Services and EndpointSlices, and forwards other names\n"
                "upstream (docs/network.md, \"Cluster DNS\").");
  flags.string("--kubeconfig", &kubeconfig,
               "credentials for the API server (default: in a pod, its service account: "
               "KUBERNETES_SERVICE_HOST/PORT and /var/run/secrets/kubernetes.io/serviceaccount)",
               "FILE")
      .string("--server", &server, "API server (overrides the kubeconfig's)", "URL")
      .string("--listen", &o.listen, "UDP and TCP address", "ADDR:PORT")
      .string("--cluster-domain", &domain, "the cluster's DNS domain", "DOMAIN")
      .integer("--ttl", &ttl, "TTL of the cluster's records in seconds", 0, 86400, "SECONDS")
      .list("--upstream", &o.upstreams,
            "a server for other names (default: the nameservers of /etc/resolv.conf, without "
            "127.0.0.0/8 when listening on :53)",
            "IP[:PORT]")
      .string("--health", &health, "/health, 200 while serving (e.g. :8080; default off)",
              "[ADDR]:PORT")
      .string("--ready", &ready_addr, "/ready, 200 once the cluster's records are loaded (e.g. :8181)",
              "[ADDR]:PORT")
      .string("--metrics", &metrics_addr, "/metrics in Prometheus text (e.g. :9153)", "[ADDR]:PORT");
  if (auto rc = flags.parse_or_exit(argc, argv)) return *rc;
  if (o.upstreams.empty()) {
    std::ifstream f("/etc/resolv.conf");
    std::stringstream text;
    text << f.rdbuf();
    const bool port53 = o.listen.size() >= 3 && o.listen.compare(o.listen.size() - 3, 3, ":53") == 0;
    o.upstreams = resolv_conf_nameservers(text.str(), port53);
    if (o.upstreams.empty()) {
      SKIFF_LOG(WARN) << "dns: no upstream servers; names outside " << domain << " fail";
    }
  }
  // In a pod (the coredns Deployment): the pod's service-account credentials.
  auto cfg = kubeconfig.empty() ? client::Config::in_cluster() : client::Config::from_kubeconfig(kubeconfig);
  if (!cfg) {
    std::fprintf(stderr, "dns: %s\n", cfg.error().message.c_str());
    return 1;
  }
  if (!server.empty()) cfg->server = server;
  cfg->user_agent = "skiff-dns";
  install_stop_handlers();

  RecordTable table(domain, static_cast<uint32_t>(ttl));
  client::Client c(*cfg);
  client::Informer services(c, *api::find_resource("", "v1", "services"));
  client::Informer slices(c, *api::find_resource("discovery.k8s.io", "v1", "endpointslices"));
  // Events only mark the table dirty; the loop below rebuilds it at most every 100 ms.
  std::mutex mu;
  std::condition_variable cv;
  bool dirty = true;  // guarded by mu; true: build once the first lists are in, even if empty
  auto changed = [&] {
    {
      std::lock_guard lock(mu);
      dirty = true;
    }
    cv.notify_all();
  };
  client::Handlers h{[&](const client::ObjectPtr&) { changed(); },
                     [&](const client::ObjectPtr&, const client::ObjectPtr&) { changed(); },
                     [&](const client::ObjectPtr&) { changed(); }};
  services.add_handlers(h);
  slices.add_handlers(h);
  services.start();
  slices.start();

  Metrics metrics;
  o.metrics = &metrics;
  std::atomic<bool> loaded{false};  // the first full table is in: /ready
  std::vector<HttpEndpoint> status;
  if (!health.empty()) status.push_back({health, [](const std::string& path) {
    return path == "/health" ? HttpReply{200, "text/plain; charset=utf-8", "OK"} : HttpReply{404, "text/plain", "not found\n"};
  }});
  if (!ready_addr.empty()) status.push_back({ready_addr, [&loaded](const std::string& path) {
    if (path != "/ready") return HttpReply{404, "text/plain", "not found\n"};
    return loaded ? HttpReply{200, "text/plain; charset=utf-8", "OK"}
                  : HttpReply{503, "text/plain; charset=utf-8", "the cluster's Services and EndpointSlices are not loaded yet\n"};
  }});
  if (!metrics_addr.empty()) status.push_back({metrics_addr, [&metrics](const std::string& path) {
    if (path != "/metrics") return HttpReply{404, "text/plain", "not found\n"};
    return HttpReply{200, "text/plain; version=0.0.4; charset=utf-8", metrics.render()};
  }});
  dns::Server srv(table, o);
  HttpStatusServer status_server(std::move(status));
  try {
    srv.start();
    status_server.start();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  SKIFF_LOG(INFO) << "dns: serving " << table.domain() << " on " << o.listen << " (port " << srv.port() << ")";
  while (!stop_requested()) {
    std::unique_lock lock(mu);
    cv.wait_for(lock, std::chrono::milliseconds(200), [&] { return dirty; });
    if (!dirty) continue;
    lock.unlock();
    if (!services.synced() || !slices.synced()) {  // the first lists are still arriving
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    lock.lock();
    dirty = false;
    lock.unlock();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // debounce
    table.rebuild(services.list(), slices.list());
    loaded = true;
  }
  SKIFF_LOG(INFO) << "dns: stopping";
  status_server.stop();
  srv.stop();
  services.stop();
  slices.stop();
  return 0;
}

}  // namespace skiff::cmd
