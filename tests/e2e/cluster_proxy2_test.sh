#!/usr/bin/env bash
# The service proxy's second slice (src/proxy, docs/network.md "Services") on a 3-node cluster
# made by scripts/cluster, with the real kubectl: sessionAffinity ClientIP; externalTrafficPolicy
# Local (only nodes with a local endpoint answer, the server sees the client's address);
# incremental updates (another service's chain keeps its rule handles across an EndpointSlice
# change); scaling during a request loop; a selector-less Service with a hand-written
# EndpointSlice; a headless Service without rules; hairpin; the node itself reaching a
# ClusterIP; a stale UDP conntrack entry flushed with its endpoint; hostPort on the node IP
# (and its removal with the pod); an agent restart keeping its table and a NodePort answering;
# a standalone `skiff proxy`
# killed with -9 and restarted while a client keeps calling through it; SCTP skipped when the
# kernel has none. Its names (namespaces skpy<pid>-N, subnet 192.168.164.0/24, cluster CIDR
# 10.249.0.0/16) are its own, so it runs beside the other cluster tests.
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "cluster_proxy2_test: needs root (namespaces, containers)"; exit 1; }
cluster_env skpy 192.168.164 10.249.0.0/16
/usr/bin/python3 "$(dirname "$0")/testimage.py" save "$TMP/bb.tar" e2e/proxybox:1
cluster_up 3 --image-archive "$TMP/bb.tar"
T="ip skiff-proxy"

# Deployment NAME REPLICAS EXTRA-SPEC-YAML: httpd answering / with its hostname and
# /cgi-bin/ip with "hostname client-address", on a port named http (8080), ready once it answers.
deploy() {
  k apply -f - >/dev/null <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: $1}
spec:
  replicas: $2
  selector: {matchLabels: {app: $1}}
  template:
    metadata: {labels: {app: $1}}
    spec:
      terminationGracePeriodSeconds: 1
$3
      containers:
      - name: c
        image: e2e/proxybox:1
        imagePullPolicy: Never
        command: [sh, -c, 'mkdir -p /tmp/w/cgi-bin && hostname >/tmp/w/index.html && printf "#!/bin/sh\necho Content-Type: text/plain\necho\necho \"\\\$(hostname) \\\$REMOTE_ADDR\"\n" >/tmp/w/cgi-bin/ip && busybox chmod +x /tmp/w/cgi-bin/ip && exec httpd -f -p 8080 -h /tmp/w']
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {tcpSocket: {port: http}, periodSeconds: 1}
EOF
}
deploy web 3 '      affinity: {podAntiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: [{labelSelector: {matchLabels: {app: web}}, topologyKey: kubernetes.io/hostname}]}}'
deploy one 1 "      nodeSelector: {kubernetes.io/hostname: ${PREFIX}1}"
k apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  nodeName: ${PREFIX}0
  terminationGracePeriodSeconds: 1
  containers: [{name: c, image: e2e/proxybox:1, imagePullPolicy: Never, command: [sleep, "100000"]}]
EOF
ready() { [ "$(k get deploy "$1" -o jsonpath='{.status.readyReplicas}')" = "$2" ]; }
poll 120 ready web 3 && poll 60 ready one 1 && pass || { fail "deployments ready"; k get pods -o wide >&2; }
client_ready() { [ "$(k get pod client -o jsonpath='{.status.containerStatuses[0].ready}')" = true ]; }
poll 90 client_ready && pass || fail "client pod running"

k expose deployment web --port=80 --target-port=http >/dev/null
k expose deployment web --name=sticky --port=80 --target-port=http --session-affinity=ClientIP >/dev/null
k expose deployment one --name=loc --port=80 --target-port=http --type=NodePort >/dev/null
k patch svc loc -p '{"spec":{"externalTrafficPolicy":"Local"}}' >/dev/null
k expose deployment one --name=clu --port=80 --target-port=http --type=NodePort >/dev/null
vip() { k get svc "$1" -o jsonpath='{.spec.clusterIP}'; }
nodeport() { k get svc "$1" -o jsonpath='{.spec.ports[0].nodePort}'; }
WEB=$(vip web) STICKY=$(vip sticky) LOC=$(vip loc) LOCNP=$(nodeport loc) CLUNP=$(nodeport clu)
# HTTP by nc (busybox wget segfaults on this host): the last line of the body.
get() { k exec client -- sh -c "printf 'GET $2 HTTP/1.0\r\n\r\n' | nc -w 3 $1 80" 2>&1 | tail -1; }
answers() { get "$1" / | grep -q "^$2"; }
poll 30 answers "$WEB" web- && pass || fail "the ClusterIP of web answers"

# sessionAffinity ClientIP: 20 requests from one client, one replica; an affinity set holds the
# client's address. The plain service spreads (the check can fail).
poll 30 answers "$STICKY" web- && pass || fail "the ClusterIP of sticky answers"
n20() { k exec client -- sh -c "for i in \$(seq 20); do printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 3 $1 80 | tail -1; done" 2>&1; }
expect "sessionAffinity ClientIP: 20 requests, one replica" '^1$' bash -c "grep '^web-' <<<'$(n20 "$STICKY")' | sort -u | wc -l"
expect "without affinity the same 20 requests reach several replicas" '^[23]$' bash -c "grep '^web-' <<<'$(n20 "$WEB")' | sort -u | wc -l"
CLIENT_IP=$(k get pod client -o jsonpath='{.status.podIP}')
aff_elements() { cexec 0 nft list table $T | grep -A6 'set affinity-default/sticky/' | grep elements; }
expect "an affinity set (timeout 3h) holds the client's address" "$CLIENT_IP expires 2h59m" aff_elements

# externalTrafficPolicy Local: the one endpoint is on node 1; only node 1 answers, and the
# server sees the client's own address (the root namespace, $SUB.1). Cluster policy masquerades.
expect "eTP Local: node 1 (local endpoint) answers, client address kept" "^one-.* (\[::ffff:)?$SUB\.1\]?\$" \
  curl -s -m 5 "http://$SUB.11:$LOCNP/cgi-bin/ip"
for h in 0 2; do
  expect_not "eTP Local: node $h (no local endpoint) does not answer" 'one-' curl -s -m 2 "http://$SUB.1$h:$LOCNP/"
done
expect "eTP Cluster: node 0 answers, masqueraded" "^one-.* (\[::ffff:)?(10\.249\.|$SUB\.10)" curl -s -m 5 "http://$SUB.10:$CLUNP/cgi-bin/ip"
expect "eTP Local drops (not rejects) on node 2" 'drop' cexec 2 nft list map $T no-endpoint-nodeports
# Hairpin: the one pod reaching itself through its service's ClusterIP.
ONE=$(k get pods -l app=one -o jsonpath='{.items[0].metadata.name}')
expect "hairpin: a pod reaches itself through its service" "^$ONE\$" \
  k exec "$ONE" -- sh -c "printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 3 $LOC 80 | tail -1"
# The node itself reaching a ClusterIP (DNAT in the nat output hook).
expect "a node reaches a ClusterIP" '^web-' cexec 2 curl -s -m 5 "http://$WEB/"

# Selector-less service + hand-written EndpointSlice (pointing at the one pod); headless service.
ONE_IP=$(k get pod "$ONE" -o jsonpath='{.status.podIP}')
k apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Service
metadata: {name: manual}
spec: {ports: [{name: web, port: 80}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: manual-1, labels: {kubernetes.io/service-name: manual}}
addressType: IPv4
ports: [{name: web, port: 8080, protocol: TCP}]
endpoints: [{addresses: ["$ONE_IP"], conditions: {ready: true}}]
---
apiVersion: v1
kind: Service
metadata: {name: hl}
spec: {clusterIP: None, selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
EOF
poll 30 answers "$(vip manual)" "$ONE" && pass || fail "a selector-less service with a hand-written EndpointSlice"
expect_not "a headless service has no rules" 'default/hl/' cexec 1 nft list table $T

# Incremental: handles of web's chains on node 2 before and after other services change.
handles() { cexec 2 nft -a list chain $T service-default/web/tcp/80 | grep -o 'handle [0-9]*' | tr '\n' ' '; }
H0=$(handles)
[ -n "$H0" ] && pass || fail "web's service chain on node 2"
# Scaling a deployment during a request loop: no gap of failures longer than 2 s.
deploy scale 2 ""
poll 90 ready scale 2 && pass || fail "scale ready"
k expose deployment scale --port=80 --target-port=http >/dev/null
SC=$(vip scale)
poll 30 answers "$SC" scale- && pass || fail "the ClusterIP of scale answers"
k exec client -- sh -c "for i in \$(seq 200); do t=\$(cut -d' ' -f1 /proc/uptime); if printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 2 $SC 80 | grep -q '^scale-'; then echo \"\$t ok\"; else echo \"\$t fail\"; fi; sleep 0.1; done" >"$TMP/loop" 2>&1 &
LOOP=$!
k scale deployment scale --replicas=5 >/dev/null; poll 90 ready scale 5
k scale deployment scale --replicas=1 >/dev/null; poll 90 ready scale 1
wait "$LOOP"
longest_gap() {  # the longest run of failures, in seconds
  awk '$2=="fail"{if(s=="")s=$1; e=$1; next} {if(s!=""&&e-s>m)m=e-s; s=""} END{if(s!=""&&e-s>m)m=e-s; printf "%.1f\n", m+0}' "$TMP/loop"
}
expect "requests during scaling: at least 150 answered" '^(1[5-9][0-9]|200)$' grep -c ' ok$' "$TMP/loop"
expect "no failure window over 2 s" '^(0|1)\.[0-9]$|^2\.0$' longest_gap
expect "web's chain kept its rule handles (incremental, not rebuilt)" "^$H0\$" handles
expect "node 2's proxy applied those changes incrementally" 'proxy: applied' grep -h 'proxy: applied' "$SKIFF_CLUSTER_DIR"/h2*.log

# UDP conntrack: a flow from node 0 to a UDP service is pinned to its endpoint; when that
# endpoint goes, node 0's proxy deletes the entry (it would otherwise live 30 s).
if [ -x /usr/sbin/conntrack ]; then
  deploy udp 1 "      nodeSelector: {kubernetes.io/hostname: ${PREFIX}2}"
  poll 90 ready udp 1 && pass || fail "udp ready"
  k apply -f - >/dev/null <<<'{"apiVersion":"v1","kind":"Service","metadata":{"name":"udpsvc"},
    "spec":{"selector":{"app":"udp"},"ports":[{"protocol":"UDP","port":53,"targetPort":5353}]}}'
  UVIP=$(vip udpsvc) UPOD=$(k get pods -l app=udp -o jsonpath='{.items[0].metadata.name}')
  UEP=$(k get pod "$UPOD" -o jsonpath='{.status.podIP}')
  udp_flow() {
    cexec 0 bash -c "echo hi >/dev/udp/$UVIP/53" 2>/dev/null  # from node 0 itself: busybox nc has no UDP
    cexec 0 conntrack -L -p udp --orig-dst "$UVIP" --reply-src "$UEP" 2>/dev/null | grep -q 'dport=53'
  }
  poll 30 udp_flow && pass || fail "a UDP flow to the service has a conntrack entry on node 0"
  k delete pod "$UPOD" --wait=false >/dev/null
  flushed() { ! cexec 0 conntrack -L -p udp --orig-dst "$UVIP" --reply-src "$UEP" 2>/dev/null | grep -q dport=53; }
  poll 10 flushed && pass || fail "the entry of the removed UDP endpoint is flushed (under 10 s, not its 30 s timeout)"
else
  echo "cluster_proxy2_test: no conntrack tool (scripts/install-deps); UDP flush not tested"
fi

# hostPort on the node's address; gone with the pod.
k apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: hp}
spec:
  nodeName: ${PREFIX}2
  terminationGracePeriodSeconds: 1
  containers:
  - {name: c, image: e2e/proxybox:1, imagePullPolicy: Never, ports: [{containerPort: 8080, hostPort: 18080}],
     command: [sh, -c, 'mkdir -p /tmp/w && hostname >/tmp/w/index.html && exec httpd -f -p 8080 -h /tmp/w']}
EOF
hp() { curl -s -m 3 "http://$SUB.12:18080/" | grep -q '^hp$'; }
poll 60 hp && pass || { fail "hostPort answers on the node IP"; cexec 2 nft list map $T hostports >&2; }
k delete pod hp --wait=false >/dev/null
no_hp() { ! cexec 2 nft list map $T hostports | grep -q 18080; }
poll 30 no_hp && pass || fail "the hostPort rule goes with the pod"

# SCTP: only where the kernel has it.
if /usr/bin/python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_STREAM, 132)' 2>/dev/null; then
  k apply -f - >/dev/null <<<'{"apiVersion":"v1","kind":"Service","metadata":{"name":"sctp"},
    "spec":{"selector":{"app":"web"},"ports":[{"protocol":"SCTP","port":80,"targetPort":8080}]}}'
  has_sctp() { cexec 1 nft list map $T services | grep -q "$(vip sctp) . sctp . 80"; }
  poll 30 has_sctp && pass || fail "an SCTP service port in the services map"
else
  echo "cluster_proxy2_test: no SCTP in this kernel; SCTP not tested"
fi

# A standalone proxy in a namespace of its own on the test bridge, routed to the pod network
# through the nodes: a client calls web's NodePort through it while it is killed (-9: the table
# stays and keeps serving) and restarted (it adopts the table, no gap).
XNS=${PREFIX}x XV=${PREFIX}xv
TEARDOWN_EXTRA="ip netns del $XNS; ip link del $XV; $TEARDOWN_EXTRA"
ip netns add "$XNS" && ip link add "$XV" type veth peer name eth0 netns "$XNS" &&
  ip link set "$XV" master "$SKIFF_CLUSTER_BRIDGE" up &&
  ip -n "$XNS" addr add "$SUB.50/24" dev eth0 && ip -n "$XNS" link set eth0 up && ip -n "$XNS" link set lo up &&
  ip netns exec "$XNS" sysctl -qw net.ipv4.ip_forward=1
for h in 0 1 2; do
  cidr=$(k get node "$PREFIX$h" -o jsonpath='{.spec.podCIDR}')
  ip -n "$XNS" route add "$cidr" via "$SUB.1$h"
done
k patch svc web -p '{"spec":{"type":"NodePort"}}' >/dev/null
WEBNP=$(nodeport web)
# An agent restart (host 2) keeps its proxy's table: web's NodePort on node 2 keeps answering
# while the agent is down and after it adopted the table again.
np2() { curl -s -m 2 "http://$SUB.12:$WEBNP/" | grep -q '^web-'; }
poll 30 np2 && pass || fail "web's NodePort on node 2"
( for i in $(seq 40); do if np2; then echo ok; else echo fail; fi; sleep 0.1; done ) >"$TMP/rloop" &
RLOOP=$!
check "scripts/cluster restart 2" "$CLUSTER" restart 2
wait "$RLOOP"
expect "requests through node 2's NodePort during its agent restart: none failed" '^0$' grep -c fail "$TMP/rloop"
adopted() { [ "$(grep -c 'proxy: full sync' "$SKIFF_CLUSTER_DIR"/h2*.log)" -ge 2 ]; }
poll 60 adopted && pass || fail "the restarted agent's proxy made its full sync"
expect "the restarted agent's proxy adopted the table (no replace)" '^0$' grep -c 'replacing the table' "$SKIFF_CLUSTER_DIR"/h2.log

startpx() {
  ip netns exec "$XNS" "$SKIFF" proxy --kubeconfig "$SKIFF_CLUSTER_DIR/kubeconfig" --hostname-override standalone \
    --cluster-cidr 10.249.0.0/16 >>"$TMP/proxy.log" 2>&1 &
  PXPID=$!
}
startpx
viax() { curl -s -m 2 "http://$SUB.50:$WEBNP/" | grep -q '^web-'; }
poll 30 viax && pass || { fail "web's NodePort through the standalone proxy"; tail -5 "$TMP/proxy.log" >&2; }
( for i in $(seq 60); do if curl -s -m 2 "http://$SUB.50:$WEBNP/" | grep -q '^web-'; then echo ok; else echo fail; fi; sleep 0.1; done ) >"$TMP/xloop" &
XLOOP=$!
started() { [ "$(wc -l <"$TMP/xloop")" -ge 5 ]; }
poll 10 started  # the loop has run against the first proxy for a while
kill -9 "$PXPID"; wait "$PXPID" 2>/dev/null
expect "kill -9 leaves the table" 'chain nat-prerouting' ip netns exec "$XNS" nft list table $T
startpx
synced() { [ "$(grep -c 'proxy: full sync' "$TMP/proxy.log")" -ge 2 ]; }
poll 30 synced && pass || fail "the restarted proxy made its full sync"
expect "it adopted the table (no delete): no errors" '^0$' grep -c 'replacing the table\|WARN' "$TMP/proxy.log"
wait "$XLOOP"
expect "requests through the restart: none failed" '^0$' grep -c fail "$TMP/xloop"
kill "$PXPID"; wait "$PXPID"
expect "SIGTERM removes the table" 'No such file|does not exist' ip netns exec "$XNS" nft list table $T
ip netns del "$XNS"; ip link del "$XV" 2>/dev/null

# Nothing may be starting while `down` runs (a pod half made then leaves mounts behind).
k delete deploy --all >/dev/null 2>&1
k delete pod --all --grace-period=1 --wait=false >/dev/null 2>&1
no_pods() { [ -z "$(k get pods -o name 2>/dev/null)" ]; }
poll 60 no_pods || echo "cluster_proxy2_test: pods still there before down" >&2
check "scripts/cluster down" "$CLUSTER" down
leftovers() {
  ip netns list | grep "^$PREFIX"; nft list tables 2>/dev/null | grep skiff-proxy; pgrep -af "$SKIFF_CLUSTER_DIR"
  grep -F "$SKIFF_CLUSTER_DIR" /proc/mounts
}
expect "nothing left (namespaces, tables, processes, mounts)" '^$' leftovers
finish
