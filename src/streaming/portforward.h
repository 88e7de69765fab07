// The kubelet side of port-forward (upstream: k8s.io/kubelet/pkg/cri/streaming/portforward),
// protocol portforward.k8s.io over SPDY/3.1: for every forwarded connection the client opens
// an `error` and a `data` stream carrying headers `port` and `requestID`; the server dials the
// port in the pod's network and copies bytes between the connection and the data stream. A
// failure is reported as text on the error stream.
//
// Transports: a SPDY/3.1 upgrade (kubectl <= 1.30) or SPDY tunnelled in WebSocket binary
// messages with subprotocol "SPDY/3.1+portforward.k8s.io" (kubectl >= 1.31).
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "net/http.h"

namespace skiff::streaming {

// Connects to `port` in the pod's network: a connected stream socket (the caller owns and
// closes it), or -1 with *error set.
using PortDialer = std::function<int(uint16_t port, std::string* error)>;

// Serves one portForward request on w (taking over the connection) until the client goes away.
void serve_port_forward(net::Request& req, net::ResponseWriter& w, const PortDialer& dial);

// A PortDialer for a host address (the debug kubelet's "pod network" is the host's loopback).
int dial_tcp(const std::string& host, uint16_t port, std::string* error);

}  // namespace skiff::streaming
