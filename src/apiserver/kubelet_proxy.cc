// The upgrade-aware reverse proxy to kubelets: pods/log, pods/exec, pods/attach,
// pods/portforward and nodes/{name}/proxy/... (upstream: pkg/registry/core/pod/rest/subresources.go
// and the kubelet paths of pkg/kubelet/server/server.go).
//
// The API server finds the pod's node, the node's InternalIP and kubelet port, connects over TLS
// with its own client certificate (CN=kube-apiserver-kubelet-client), forwards the request and,
// once the kubelet's response head has arrived, takes over the client connection and copies
// bytes both ways until one side closes. A 101 Switching Protocols (WebSocket or SPDY/3.1) then
// carries the stream protocol end to end; a plain response (logs, with follow) is relayed as the
// kubelet framed it, after asking the kubelet for "Connection: close". WebSocket requests are not
// translated to SPDY as upstream does for old kubelets: skiff's kubelet speaks both.
#include <cctype>
#include <sstream>

#include "api/node_address.h"
#include "apiserver/handler.h"
#include "common/log.h"
#include "net/tls_client.h"

namespace skiff::apiserver {
namespace {

constexpr int kDefaultKubeletPort = 10250;

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool is_upgrade(const net::Request& req) {
  return lower(req.header("connection")).find("upgrade") != std::string::npos &&
         !req.header("upgrade").empty();
}

std::string raw_query(const net::Request& req) {
  auto q = req.target.find('?');
  return q == std::string::npos ? std::string() : req.target.substr(q + 1);
}

std::string url_escape(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == ':') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// Go's %v of a []string: [a b c].
std::string go_list(const std::vector<std::string>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? " " : "") + v[i];
  return s + "]";
}

// The container a request addresses: the one named, or the pod's only container
// (upstream validateContainer in pkg/registry/core/pod/strategy.go).
Result<std::string> pick_container(const json::object& pod, const std::string& pod_name,
                                   const std::string& requested) {
  std::vector<std::string> regular, all;
  for (const char* field : {"initContainers", "containers", "ephemeralContainers"}) {
    const auto* list = find_path(pod, {"spec", field});
    if (!list || !list->is_array()) continue;
    for (const auto& c : list->get_array()) {
      auto n = get_string(c, {"name"});
      all.push_back(n);
      if (std::string_view(field) == "containers") regular.push_back(n);
    }
  }
  if (requested.empty()) {
    if (regular.size() == 1) return regular[0];
    if (regular.empty())
      return ApiError::bad_request("pod " + pod_name + " does not have a container");
    return ApiError::bad_request("a container name must be specified for pod " + pod_name +
                                 ", choose one of: " + go_list(all));
  }
  for (const auto& n : all)
    if (n == requested) return requested;
  return ApiError::bad_request("container " + requested + " is not valid for pod " + pod_name);
}

struct KubeletAddress {
  std::string host;
  int port = kDefaultKubeletPort;
};

// The node's InternalIP (else its first address) and kubelet port.
Result<KubeletAddress> kubelet_address(const json::object& node, const std::string& name) {
  KubeletAddress a;
  if (const auto* addrs = find_path(node, {"status", "addresses"}); addrs && addrs->is_array()) {
    a.host = api::node_address(node, "InternalIP");
    if (a.host.empty() && !addrs->get_array().empty())
      a.host = get_string(addrs->get_array()[0], {"address"});
  }
  if (a.host.empty())
    return ApiError::service_unavailable("node " + name + " has no address to reach its kubelet");
  int64_t port = get_int(node, {"status", "daemonEndpoints", "kubeletEndpoint", "Port"});
  if (port > 0 && port < 65536) a.port = static_cast<int>(port);
  return a;
}

// The upstream request's head: the client's headers minus credentials and hop-by-hop ones.
std::string request_head(const net::Request& req, const std::string& path_and_query,
                         const std::string& host_port, bool upgrade) {
  std::ostringstream h;
  h << req.method << " " << path_and_query << " HTTP/1.1\r\n";
  h << "Host: " << host_port << "\r\n";
  for (const auto& [name, value] : req.headers) {
    if (name == "host" || name == "authorization" || name == "content-length" ||
        name == "transfer-encoding" || name == "expect" || name == "te" || name == "trailer" ||
        name == "keep-alive" || name == "connection" || name == "upgrade" ||
        name.rfind("proxy-", 0) == 0 || name == "x-forwarded-for")
      continue;
    if (name == "x-stream-protocol-version") {
      // One line per offered protocol, as kubectl sent them (the server joined them with ", ").
      std::istringstream is(value);
      std::string v;
      while (std::getline(is, v, ',')) {
        while (!v.empty() && v.front() == ' ') v.erase(v.begin());
        if (!v.empty()) h << "X-Stream-Protocol-Version: " << v << "\r\n";
      }
      continue;
    }
    h << name << ": " << value << "\r\n";
  }
  std::string remote_ip = req.remote_addr.substr(0, req.remote_addr.rfind(':'));
  h << "X-Forwarded-For: " << remote_ip << "\r\n";
  if (upgrade) h << "Connection: Upgrade\r\nUpgrade: " << req.header("upgrade") << "\r\n";
  else h << "Connection: close\r\n";
  if (!req.body.empty() || req.method == "POST" || req.method == "PUT" || req.method == "PATCH")
    h << "Content-Length: " << req.body.size() << "\r\n";
  h << "\r\n";
  return h.str();
}

const char* kLogParams[] = {"follow",     "previous",  "timestamps", "sinceSeconds",
                            "sinceTime",  "tailLines", "limitBytes"};

}  // namespace

void ApiHandler::handle_kubelet_proxy(net::Request& req, const RequestInfo& info,
                                      const api::ResourceInfo& r, net::ResponseWriter& w) {
  const std::string& sub = info.subresource;
  if (sub == "log" && req.method != "GET")
    return write_error(w, ApiError::method_not_allowed(req.method + " is not allowed on pods/log"));
  if ((sub == "exec" || sub == "attach" || sub == "portforward") && req.method != "GET" &&
      req.method != "POST")
    return write_error(w, ApiError::method_not_allowed(req.method + " is not allowed on pods/" + sub));

  std::string node_name, path;
  if (r.resource == "pods") {
    auto pod = objects_.get(r, info.namespace_, info.name);
    if (!pod) return write_error(w, pod.error());
    node_name = get_string(*pod, {"spec", "nodeName"});
    if (node_name.empty())
      return write_error(w, ApiError::bad_request("pod " + info.name +
                                                  " does not have a host assigned"));
    std::string ns_pod = "/" + url_escape(info.namespace_) + "/" + url_escape(info.name);
    if (sub == "portforward") {
      path = "/portForward" + ns_pod;
      if (auto q = raw_query(req); !q.empty()) path += "?" + q;
    } else {
      auto container = pick_container(*pod, info.name, req.query_param("container"));
      if (!container) return write_error(w, container.error());
      if (sub == "log") {
        path = "/containerLogs" + ns_pod + "/" + url_escape(*container);
        std::string q;
        for (const char* p : kLogParams) {
          if (!req.has_query(p)) continue;
          auto v = req.query_param(p);
          if ((std::string_view(p) == "follow" || std::string_view(p) == "previous" ||
               std::string_view(p) == "timestamps") && v != "true" && v != "1")
            continue;
          q += (q.empty() ? "" : "&") + std::string(p) + "=" + url_escape(v);
        }
        if (!q.empty()) path += "?" + q;
      } else {
        path = "/" + sub + ns_pod + "/" + url_escape(*container);
        if (auto q = raw_query(req); !q.empty()) path += "?" + q;
      }
    }
  } else {  // nodes/{name}/proxy/{path}
    node_name = info.name;
    std::string prefix = "/api/v1/nodes/" + info.name + "/proxy";
    std::string rest = req.target.rfind(prefix, 0) == 0 ? req.target.substr(prefix.size()) : "/";
    if (rest.empty() || rest[0] == '?') rest = "/" + rest;
    path = rest;
  }

  const auto* nodes = api::find_resource("", "v1", "nodes");
  auto node = objects_.get(*nodes, "", node_name);
  if (!node) return write_error(w, node.error());
  auto addr = kubelet_address(*node, node_name);
  if (!addr) return write_error(w, addr.error());

  net::TlsClientOptions opts;
  opts.cert_pem = kubelet_cert_pem_;
  opts.key_pem = kubelet_key_pem_;
  std::string err;
  auto kubelet = net::tls_connect(addr->host, static_cast<uint16_t>(addr->port), opts, &err);
  if (!kubelet) return write_error(w, ApiError::internal("error dialing backend: " + err));
  std::string host_port = addr->host.find(':') != std::string::npos
                              ? "[" + addr->host + "]:" + std::to_string(addr->port)
                              : addr->host + ":" + std::to_string(addr->port);
  bool upgrade = is_upgrade(req);
  if (!kubelet->write_all(request_head(req, path, host_port, upgrade)) ||
      (!req.body.empty() && !kubelet->write_all(req.body)))
    return write_error(w, ApiError::internal("error sending the request to the kubelet on " +
                                             host_port));
  std::string rest;
  std::string head = net::read_http_head(*kubelet, &rest);
  if (head.empty())
    return write_error(w, ApiError::internal("the kubelet on " + host_port +
                                             " sent no response (closed or timed out)"));
  // A refusal (4xx/5xx, e.g. "previous terminated container not found") becomes a
  // metav1.Status with the kubelet's text as its message, as upstream's response checker does:
  // kubectl prints that text instead of "the server rejected our request for an unknown reason".
  if (int code = std::atoi(head.c_str() + std::min(head.find(' ') + 1, head.size())); code >= 400) {
    std::string body = rest;
    char buf[4096];
    long n;
    while (body.size() < 16384 && (n = kubelet->read_some(buf, sizeof buf)) > 0) body.append(buf, n);
    while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
    ApiError e = code == 400 ? ApiError::bad_request(body) : ApiError::internal(body);
    if (code != 400) e.code = code, e.reason = code == 404 ? "NotFound" : code == 403 ? "Forbidden" : e.reason;
    return write_error(w, e);
  }
  net::RawStream* client = w.hijack();
  if (!client) return write_error(w, ApiError::internal("cannot take over the connection"));
  SKIFF_LOG(DEBUG) << "proxy " << req.method << " " << req.path << " -> " << host_port << path
                   << ": " << head.substr(0, head.find('\r'));
  if (!client->write_all(head) || (!rest.empty() && !client->write_all(rest))) return;
  net::pipe_streams(*client, *kubelet, [this] { return stopping_.load(); });
}

}  // namespace skiff::apiserver
