// `skiff-bench etcd`: the baseline. Raw puts of ConfigMap-sized values into etcd through its v3
// JSON gateway (POST /v3/kv/put, base64 key and value) over plain HTTP keep-alive connections,
// with the same harness and output as the API benchmark.
#include <cstdio>
#include <iostream>

#include "bench.h"
#include "common/base64.h"

namespace skiff::bench {

int run_etcd_bench(const EtcdOptions& o) {
  try {
    {
      HttpClient probe(o.endpoint, std::chrono::seconds(10));
      Response r;
      try {
        r = probe.request("GET", "/version");
      } catch (const std::exception& e) {
        throw std::runtime_error(std::string("etcd unreachable: ") + e.what());
      }
      if (r.status != 200)
        throw std::runtime_error("GET /version on " + o.endpoint.url() + ": HTTP " +
                                 std::to_string(r.status));
      std::string v = r.body;
      while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) v.pop_back();
      std::cout << "# etcd " << o.endpoint.url() << " " << v << std::endl;
    }
    std::vector<std::unique_ptr<HttpClient>> clients;
    for (size_t i = 0; i < o.clients; ++i)
      clients.push_back(std::make_unique<HttpClient>(o.endpoint));
    connect_all("etcd-connect", clients);

    const std::string prefix = "/skiff-bench/" + random_suffix(6) + "/";
    std::string value = configmap_json("cm-000000");
    if (o.value_bytes) value.assign(o.value_bytes, 'x');
    const std::string value_b64 = base64_encode(value);
    std::cout << "# value bytes " << value.size() << std::endl;

    auto r = run_phase("etcd-put", clients, o.n, [&](HttpClient& c, size_t i) {
      char key[64];
      std::snprintf(key, sizeof key, "%scm-%06zu", prefix.c_str(), i);
      std::string body = R"({"key":")" + base64_encode(key) + R"(","value":")" + value_b64 + "\"}";
      auto resp = c.request("POST", "/v3/kv/put", body);
      if (resp.status != 200)
        return "HTTP " + std::to_string(resp.status) + ": " + resp.body.substr(0, 300);
      return std::string();
    });
    print_result(r);

    // Clean up: delete the whole prefix ([prefix, prefix with its last byte + 1)).
    std::string end = prefix;
    end.back() = static_cast<char>(end.back() + 1);
    clients[0]->request("POST", "/v3/kv/deleterange",
                        R"({"key":")" + base64_encode(prefix) + R"(","range_end":")" +
                            base64_encode(end) + "\"}");
    return r.errors ? 1 : 0;
  } catch (const std::exception& e) {
    std::cerr << "skiff-bench etcd: " << e.what() << std::endl;
    return 1;
  }
}

}  // namespace skiff::bench
