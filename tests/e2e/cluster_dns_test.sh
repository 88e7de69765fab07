#!/usr/bin/env bash
# Cluster DNS on a 3-node cluster made by scripts/cluster (docs/network.md "Cluster DNS"): the
# server's coredns addon (2 `skiff dns` pods from the system image behind the kube-dns Service
# at the 10th service address), the ClusterFirst resolv.conf of a pod, Services by short name,
# svc.ns and full name, a headless service, SRV, a StatefulSet pod's name, an external name
# forwarded to the nodes' resolver (a tiny DNS server this test runs in host 2's namespace,
# handed to every agent as --resolv-conf), dnsPolicy None and Default, and a deleted coredns
# pod replaced with names still resolving. Names are its own (namespaces skdn<pid>-N, subnet
# 192.168.161.0/24, cluster CIDR 10.250.0.0/16), so it runs beside the other cluster tests.
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "cluster_dns_test: needs root (namespaces, containers)"; exit 1; }
cluster_env skdn 192.168.161 10.250.0.0/16
DNS_IP=10.96.0.10
# Bad flags are refused with what is wrong, before anything starts.
expect "server: --disable names an addon" 'knows one addon: dns' "$SKIFF" server --disable foo
expect "server: --cluster-dns is an IPv4 address" 'wants an IPv4 address' "$SKIFF" server --cluster-dns 300.1.1.1
expect "agent: --cluster-dns is an IPv4 address or host" '--cluster-dns: wants an IPv4 address or host, not "nope"' \
  "$SKIFF" agent --kubeconfig /nonexistent --cluster-dns nope
/usr/bin/python3 "$(dirname "$0")/testimage.py" save "$TMP/bb.tar" e2e/dnsbox:1
# The nodes' resolver: host 2's address, where the responder runs once the namespace exists.
echo "nameserver $SUB.12" >"$TMP/resolv.conf"
cluster_up 3 --image-archive "$TMP/bb.tar" --resolv-conf "$TMP/resolv.conf"
"$CLUSTER" exec 2 /usr/bin/python3 "$(dirname "$0")/dns_responder.py" "$SUB.12" external.test 192.0.2.77 \
  >"$TMP/responder.log" 2>&1 &
RESPONDER=$!
TEARDOWN_EXTRA="kill $RESPONDER; $TEARDOWN_EXTRA"

# The addon: Service, Deployment, 2 pods Running and Ready from the system image.
expect "kube-dns Service at the 10th service address" "^$DNS_IP dns:53/UDP,dns-tcp:53/TCP,metrics:9153/TCP,\$" \
  k get svc kube-dns -n kube-system -o jsonpath='{.spec.clusterIP} {range .spec.ports[*]}{.name}:{.port}/{.protocol},{end}'
expect "kube-dns labels" 'CoreDNS kube-dns' \
  k get svc kube-dns -n kube-system -o jsonpath='{.metadata.labels.kubernetes\.io/name} {.metadata.labels.k8s-app}'
dns_ready() { [ "$(k get deploy coredns -n kube-system -o jsonpath='{.status.readyReplicas}')" = 2 ]; }
poll 240 dns_ready && pass || { fail "coredns: 2 ready replicas"; k get pods -n kube-system -o wide >&2; k describe pods -n kube-system >&2 | tail -30; }
running() { [ "$(k get pods -n kube-system -l k8s-app=kube-dns --no-headers | grep -c ' 1/1 *Running ')" = 2 ]; }
poll 20 running && pass || { fail "kubectl get pods -n kube-system: 2 coredns pods 1/1 Running"; k get pods -n kube-system >&2; }
expect "they run skiff's system image" '^localhost/skiff/system:[0-9.]+-[0-9a-f]{12}$' \
  k get deploy coredns -n kube-system -o jsonpath='{.spec.template.spec.containers[0].image}'

# A namespace with a ClusterIP service, a headless one over a StatefulSet, and a client pod.
NS=dnst
k create namespace $NS >/dev/null
k apply -n $NS -f - <<'EOF' >/dev/null
{"apiVersion":"v1","kind":"List","items":[
 {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"front"},
  "spec":{"replicas":1,"selector":{"matchLabels":{"app":"front"}},
   "template":{"metadata":{"labels":{"app":"front"}},
    "spec":{"terminationGracePeriodSeconds":1,
     "containers":[{"name":"c","image":"e2e/dnsbox:1","imagePullPolicy":"Never",
      "command":["sh","-c","mkdir -p /tmp/w && echo front-ok >/tmp/w/index.html && exec httpd -f -p 80 -h /tmp/w"]}]}}}},
 {"apiVersion":"v1","kind":"Service","metadata":{"name":"front"},
  "spec":{"selector":{"app":"front"},"ports":[{"name":"http","port":80,"protocol":"TCP"}]}},
 {"apiVersion":"v1","kind":"Service","metadata":{"name":"web"},
  "spec":{"clusterIP":"None","selector":{"app":"web"},"ports":[{"name":"http","port":8080,"protocol":"TCP"}]}},
 {"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"web"},
  "spec":{"serviceName":"web","replicas":2,"selector":{"matchLabels":{"app":"web"}},
   "template":{"metadata":{"labels":{"app":"web"}},
    "spec":{"terminationGracePeriodSeconds":1,
     "containers":[{"name":"c","image":"e2e/dnsbox:1","imagePullPolicy":"Never","command":["sleep","100000"],
      "ports":[{"name":"http","containerPort":8080}]}]}}}},
 {"apiVersion":"v1","kind":"Pod","metadata":{"name":"client"},
  "spec":{"terminationGracePeriodSeconds":1,
   "containers":[{"name":"c","image":"e2e/dnsbox:1","imagePullPolicy":"Never","command":["sleep","100000"]}]}},
 {"apiVersion":"v1","kind":"Pod","metadata":{"name":"none"},
  "spec":{"terminationGracePeriodSeconds":1,"dnsPolicy":"None",
   "dnsConfig":{"nameservers":["192.0.2.1"],"searches":["a.test","b.test"],"options":[{"name":"ndots","value":"2"},{"name":"edns0"}]},
   "containers":[{"name":"c","image":"e2e/dnsbox:1","imagePullPolicy":"Never","command":["sleep","100000"]}]}},
 {"apiVersion":"v1","kind":"Pod","metadata":{"name":"dflt"},
  "spec":{"terminationGracePeriodSeconds":1,"dnsPolicy":"Default",
   "containers":[{"name":"c","image":"e2e/dnsbox:1","imagePullPolicy":"Never","command":["sleep","100000"]}]}}]}
EOF
all_running() { [ "$(k get pods -n $NS --no-headers | grep -c ' 1/1 *Running ')" = 6 ]; }
poll 120 all_running && pass || { fail "the test's 6 pods Running"; k get pods -n $NS -o wide >&2; }
ex() { k exec -n $NS client -- "$@" 2>&1; }

expect "ClusterFirst resolv.conf" "^search $NS.svc.cluster.local svc.cluster.local cluster.local nameserver $DNS_IP options ndots:5 \$" \
  bash -c "'$K' --kubeconfig '$SKIFF_CLUSTER_DIR/kubeconfig' exec -n $NS client -- cat /etc/resolv.conf | tr '\n' ' '"
VIP=$(k get svc front -n $NS -o jsonpath='{.spec.clusterIP}')
# busybox nslookup prints the server first, then "Name: ... Address: ..." per answer.
resolves() {  # resolves NAME ADDRESS: NAME's answer holds ADDRESS
  ex busybox nslookup "$1" | sed -n '/^Name:/,$p' | grep -q "Address:* *$2\$"
}
poll 30 resolves front "$VIP" && pass || { fail "short name front -> $VIP"; ex busybox nslookup front >&2; }
# busybox nslookup takes a dotted name as absolute (no search list); the C library's resolver
# (busybox nc: getaddrinfo) applies search and ndots as any application does. HTTP through the
# name shows it led to the service.
via_name() { ex sh -c "printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 5 $1 80" | grep -q front-ok; }
poll 30 via_name front && pass || { fail "HTTP to the short name front"; ex sh -c "nc -w 5 front 80 </dev/null" >&2; }
poll 10 via_name front.$NS && pass || { fail "front.$NS (search path) reaches the service"; ex sh -c "nc -w 5 front.$NS 80 </dev/null" >&2; }
poll 10 resolves front.$NS.svc.cluster.local "$VIP" && pass || { fail "full name -> $VIP"; ex busybox nslookup front.$NS.svc.cluster.local >&2; }

W0=$(k get pod web-0 -n $NS -o jsonpath='{.status.podIP}')
W1=$(k get pod web-1 -n $NS -o jsonpath='{.status.podIP}')
both() { resolves web.$NS.svc.cluster.local "$W0" && resolves web.$NS.svc.cluster.local "$W1"; }
poll 20 both && pass || { fail "headless web -> $W0 and $W1"; ex busybox nslookup web.$NS.svc.cluster.local >&2; }
expect_not "headless: no ClusterIP answer" "Address:* *10\\.9[6-9]\\." ex busybox nslookup web.$NS.svc.cluster.local
poll 10 resolves web-0.web.$NS.svc.cluster.local "$W0" && pass || { fail "web-0.web.$NS.svc.cluster.local -> $W0"; ex busybox nslookup web-0.web.$NS.svc.cluster.local >&2; }
expect "SRV for the named port" "8080 web-0\\.web\\.$NS\\.svc\\.cluster\\.local" ex busybox nslookup -type=srv _http._tcp.web.$NS.svc.cluster.local
expect "SRV of a ClusterIP service" "80 front\\.$NS\\.svc\\.cluster\\.local" ex busybox nslookup -type=srv _http._tcp.front.$NS.svc.cluster.local
expect "a missing service is NXDOMAIN" "NXDOMAIN" ex busybox nslookup nothere.$NS.svc.cluster.local
poll 20 resolves host.external.test 192.0.2.77 && pass || { fail "external name forwarded to the node's resolver"; ex busybox nslookup host.external.test >&2; }

expect "dnsPolicy None: dnsConfig only" '^search a.test b.test nameserver 192.0.2.1 options ndots:2 edns0 $' \
  bash -c "'$K' --kubeconfig '$SKIFF_CLUSTER_DIR/kubeconfig' exec -n $NS none -- cat /etc/resolv.conf | tr '\n' ' '"
expect "dnsPolicy Default: the node's resolver" "^nameserver $SUB.12 \$" \
  bash -c "'$K' --kubeconfig '$SKIFF_CLUSTER_DIR/kubeconfig' exec -n $NS dflt -- cat /etc/resolv.conf | tr '\n' ' '"

# The metrics port of a DNS pod counts what it answered.
DP=$(k get pods -n kube-system -l k8s-app=kube-dns -o jsonpath='{.items[0].status.podIP}')
expect "coredns metrics on :9153" 'coredns_dns_requests_total\{proto="udp",type="A"\} [1-9]' \
  ex sh -c "printf 'GET /metrics HTTP/1.0\r\n\r\n' | nc -w 5 $DP 9153"

# A deleted DNS pod is replaced; names keep resolving.
OLD=$(k get pods -n kube-system -l k8s-app=kube-dns -o jsonpath='{.items[0].metadata.name}')
check "delete a coredns pod" k delete pod -n kube-system "$OLD" --wait=false
replaced() {
  dns_ready && ! k get pods -n kube-system -l k8s-app=kube-dns --no-headers | grep -q "^$OLD "
}
poll 120 replaced && pass || { fail "the coredns pod was replaced (2 ready)"; k get pods -n kube-system >&2; }
poll 20 resolves front "$VIP" && pass || fail "names still resolve after the replacement"

k delete pod -n $NS --all --grace-period=1 --wait=false >/dev/null 2>&1
check "scripts/cluster down" "$CLUSTER" down
kill $RESPONDER 2>/dev/null
leftovers() {
  ip netns list | grep "^$PREFIX"
  pgrep -af "$SKIFF_CLUSTER_DIR"
  [ -e "$SKIFF_CLUSTER_DIR" ] && echo "$SKIFF_CLUSTER_DIR"
}
expect "nothing left: host namespaces, processes, state" '^$' leftovers
finish
