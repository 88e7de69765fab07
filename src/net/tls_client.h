// Raw TLS client connections and a byte pump between two RawStreams: the building blocks of the
// API server's upgrade-aware reverse proxy to kubelets (apiserver/kubelet_proxy.cc).
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "net/http.h"

namespace skiff::net {

struct TlsClientOptions {
  std::string cert_pem;  // client certificate (empty: none)
  std::string key_pem;
  std::chrono::seconds connect_timeout{10};  // TCP connect plus TLS handshake
  std::chrono::seconds write_timeout{300};   // one write blocked this long fails
};

// Connects to host:port (an IP address or a name) and completes the TLS handshake. The server's
// certificate is not verified (upstream's default towards kubelets without
// --kubelet-certificate-authority). nullptr with *error set on failure.
std::unique_ptr<RawStream> tls_connect(const std::string& host, uint16_t port,
                                       const TlsClientOptions& opts, std::string* error);

// Copies bytes both ways between a and b on the calling thread until one side ends (EOF or
// error) or stop() returns true (checked at least twice a second). Each side must read and
// write independently (as Go's and skiff's HTTP stacks do): a write blocked by a peer that is
// not reading blocks the other direction too.
void pipe_streams(RawStream& a, RawStream& b, const std::function<bool()>& stop = {});

// Reads an HTTP/1.x message head (up to "\r\n\r\n", at most 64 KiB) from s. Returns the head
// with its terminator; bytes read past it go to *rest. Empty on EOF, error, oversize or when
// the head has not arrived within `timeout`.
std::string read_http_head(RawStream& s, std::string* rest,
                           std::chrono::seconds timeout = std::chrono::seconds(60));

}  // namespace skiff::net
