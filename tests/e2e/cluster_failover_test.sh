#!/usr/bin/env bash
# A Service across nodes and a node that dies, on a cluster made by scripts/cluster with the
# real kubectl (issue 9's Tests; docs/network.md "Services", docs/controllers.md "Node
# lifecycle"). A 3-replica Deployment (required pod anti-affinity on kubernetes.io/hostname,
# each replica answering HTTP with its hostname) behind a ClusterIP Service; a client DaemonSet
# puts a pod on every node, and each reaches every replica by pod IP (across the vxlan overlay)
# and the Service by short name, `svc.ns` and full name
# (HTTP through busybox nc, whose getaddrinfo applies the search list; the coredns addon
# answers) and by ClusterIP; every node itself reaches the ClusterIP; 300 requests through the
# ClusterIP (75 from each node) spread over all 3 replicas, each getting at least 50.
# Then the agent of a worker host holding a replica is killed with -9 (its containers keep
# running, as on a node that lost its kubelet). Nothing is forced: with the default
# --node-monitor-grace-period (40 s; scripts/cluster passes no server flags) the node lifecycle
# controller marks the node NotReady (Ready Unknown) and its pods Ready=False, which takes the
# dead replica out of the EndpointSlice; the unreachable:NoExecute taint evicts it at once
# because the Deployment's pods tolerate the taint for 0 s (their own tolerations, instead of
# the 300 s DefaultTolerationSeconds adds); the ReplicaSet's replacement runs on the one live
# node without a replica. This is why the cluster has 4 nodes: with required anti-affinity
# and 3 nodes, a replacement has nowhere to go. Once it runs, the Service answers again and
# 100 requests from the live nodes all answer, none from the dead node's pod (which is still
# running and would answer if it were still an endpoint). Finally the host's agent is started
# again: the node is Ready and the evicted pod goes; nothing is left after `scripts/cluster down`.
# Its names (namespaces skfo<pid>-N, bridge, subnet 192.168.158.0/24, cluster CIDR
# 10.251.0.0/16) are its own, so it runs beside the other cluster tests.
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "cluster_failover_test: needs root (namespaces, containers)"; exit 1; }
cluster_env skfo 192.168.158 10.251.0.0/16
NS=fo
NODES=4
/usr/bin/python3 "$(dirname "$0")/testimage.py" save "$TMP/bb.tar" e2e/fobox:1
cluster_up $NODES --image-archive "$TMP/bb.tar"

k create namespace $NS >/dev/null
k apply -n $NS -f - >/dev/null <<'EOF'
apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: web}
  spec:
    replicas: 3
    selector: {matchLabels: {app: web}}
    template:
      metadata: {labels: {app: web}}
      spec:
        terminationGracePeriodSeconds: 1
        affinity:
          podAntiAffinity:
            requiredDuringSchedulingIgnoredDuringExecution:
            - {labelSelector: {matchLabels: {app: web}}, topologyKey: kubernetes.io/hostname}
        tolerations:
        - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 0}
        - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 0}
        containers:
        - name: c
          image: e2e/fobox:1
          imagePullPolicy: Never
          command: [sh, -c, 'mkdir -p /tmp/w && hostname >/tmp/w/index.html && exec httpd -f -p 8080 -h /tmp/w']
          ports: [{name: http, containerPort: 8080}]
          readinessProbe: {tcpSocket: {port: http}, periodSeconds: 1}
- apiVersion: v1
  kind: Service
  metadata: {name: web}
  spec:
    selector: {app: web}
    ports: [{name: http, port: 80, targetPort: http}]
- apiVersion: apps/v1
  kind: DaemonSet
  metadata: {name: client}
  spec:
    selector: {matchLabels: {app: client}}
    template:
      metadata: {labels: {app: client}}
      spec:
        terminationGracePeriodSeconds: 1
        containers: [{name: c, image: e2e/fobox:1, imagePullPolicy: Never, command: [sleep, "100000"]}]
EOF
web_ready() { [ "$(k get deploy web -n $NS -o jsonpath='{.status.readyReplicas}')" = 3 ]; }
poll 150 web_ready && pass || { fail "3 ready replicas"; k get pods -n $NS -o wide >&2; }
clients_ready() { [ "$(k get ds client -n $NS -o jsonpath='{.status.numberReady}')" = $NODES ]; }
poll 120 clients_ready && pass || { fail "a ready client pod on each of the $NODES nodes"; k get pods -n $NS -o wide >&2; }
dns_ready() { [ "$(k get deploy coredns -n kube-system -o jsonpath='{.status.readyReplicas}')" = 2 ]; }
poll 180 dns_ready && pass || { fail "coredns: 2 ready replicas"; k get pods -n kube-system -o wide >&2; }

# node -> its web pod, node -> its client pod.
declare -A WEB CLIENT
while read -r node pod; do [ -n "$node" ] && WEB[$node]=$pod; done < <(k get pods -n $NS -l app=web \
  --field-selector status.phase=Running -o jsonpath='{range .items[*]}{.spec.nodeName} {.metadata.name}{"\n"}{end}')
while read -r node pod; do [ -n "$node" ] && CLIENT[$node]=$pod; done < <(k get pods -n $NS -l app=client \
  -o jsonpath='{range .items[*]}{.spec.nodeName} {.metadata.name}{"\n"}{end}')
expect "the 3 replicas on 3 different nodes" '^3$' echo "${#WEB[@]}"
expect "a client pod on every node" "^$NODES\$" echo "${#CLIENT[@]}"
VIP=$(k get svc web -n $NS -o jsonpath='{.spec.clusterIP}')
expect "the Service has a ClusterIP" '^10\.' echo "$VIP"

# HTTP by nc (busybox wget segfaults on this host): the last line of the body, the replica's
# hostname (= its pod name).
get() {  # get CLIENT-POD HOST
  k exec -n $NS "$1" -- sh -c "printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 3 $2 80" 2>&1 | tail -1
}
answers() { get "$1" "$2" | grep -q '^web-'; }
# First the pod network: every client pod reaches every replica by pod IP (one exec per client).
WEB_IPS=$(k get pods -n $NS -l app=web -o jsonpath='{range .items[*]}{.status.podIP} {end}')
by_pod_ip() {  # by_pod_ip CLIENT-POD: how many replicas answer it by pod IP (and what failed)
  local out
  out=$(k exec -n $NS "$1" -- sh -c "for ip in $WEB_IPS; do printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 3 \$ip 8080 | tail -1; done" 2>&1)
  echo "$(grep -c '^web-' <<<"$out") $(grep -v '^web-' <<<"$out" | tr '\n' ' ')"
}
for ((h = 0; h < NODES; h++)); do
  expect "node $h's pod reaches the 3 replicas by pod IP" '^3 $' by_pod_ip "${CLIENT[$PREFIX$h]:-none}"
done
for ((h = 0; h < NODES; h++)); do
  node=$PREFIX$h c=${CLIENT[$PREFIX$h]:-none}
  for name in web web.$NS web.$NS.svc.cluster.local "$VIP"; do
    poll 30 answers "$c" "$name" && pass || { fail "from node $h's pod: http://$name/ answers"; get "$c" "$name" >&2; }
  done
  expect "node $h itself reaches the ClusterIP" '^web-' cexec $h curl -s -m 5 "http://$VIP/"
done

# 300 requests through the ClusterIP, 75 from each node's client pod: the proxy's random
# choice gives each replica about 100 (fewer than 50 is far below chance).
burst() {  # burst CLIENT-POD N: N requests, one answer per line
  k exec -n $NS "$1" -- sh -c "for i in \$(seq $2); do printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 3 $VIP 80 | tail -1; done" 2>&1
}
: >"$TMP/spread"
for c in "${CLIENT[@]}"; do burst "$c" 75 >>"$TMP/spread"; done
expect "300 requests answered by the replicas" '^300$' grep -c '^web-' "$TMP/spread"
for node in "${!WEB[@]}"; do
  n=$(grep -cx "${WEB[$node]}" "$TMP/spread")
  [ "$n" -ge 50 ] && pass || fail "replica ${WEB[$node]} on $node got $n of 300 requests (wanted >= 50)"
done
echo "spread over the replicas: $(sort "$TMP/spread" | uniq -c | tr -s ' \n' ' ')"

# A node dies: the agent of a worker host holding a replica, killed with -9.
V=
for ((h = NODES - 1; h >= 1; h--)); do [ -n "${WEB[$PREFIX$h]:-}" ] && { V=$h; break; }; done
VNODE=$PREFIX$V VPOD=${WEB[$PREFIX$V]}
VIP_POD=$(k get pod -n $NS "$VPOD" -o jsonpath='{.status.podIP}')
SPARE=
for ((h = 0; h < NODES; h++)); do [ -z "${WEB[$PREFIX$h]:-}" ] && SPARE=$PREFIX$h; done
LIVE=()
for node in "${!CLIENT[@]}"; do [ "$node" != "$VNODE" ] && LIVE+=("${CLIENT[$node]}"); done
APID=$(cat "$SKIFF_CLUSTER_DIR/h$V/pid")
check "kill -9 the agent of host $V ($VNODE, running $VPOD)" kill -9 "$APID"
t0=$SECONDS
gone() { ! kill -0 "$APID"; }
poll 10 gone && pass || fail "the agent of host $V is gone"
# Its containers outlive it: the dead node's replica still answers on its pod IP.
expect "the dead node's pod still answers by pod IP" "^$VPOD\$" \
  bash -c "'$K' --kubeconfig '$SKIFF_CLUSTER_DIR/kubeconfig' exec -n $NS ${LIVE[0]} -- sh -c \"printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 3 $VIP_POD 8080 | tail -1\""

not_ready() { k get node "$VNODE" --no-headers | grep -q ' NotReady '; }
poll 90 not_ready && pass || { fail "$VNODE NotReady after the grace period"; k get nodes >&2; }
t_notready=$((SECONDS - t0))
expect "its Ready condition is Unknown (NodeStatusUnknown)" '^Unknown NodeStatusUnknown$' \
  k get node "$VNODE" -o jsonpath='{range .status.conditions[?(@.type=="Ready")]}{.status} {.reason}{end}'
expect "it is tainted unreachable:NoExecute" 'node.kubernetes.io/unreachable:NoExecute' \
  k get node "$VNODE" -o jsonpath='{range .spec.taints[*]}{.key}:{.effect} {end}'
# The EndpointSlice no longer counts the dead replica ready (Ready=False, then terminating).
ep_ready() {  # ep_ready IP: IP is a ready endpoint of web
  k get endpointslices -n $NS -l kubernetes.io/service-name=web \
    -o jsonpath='{range .items[*].endpoints[*]}{.addresses[0]} {.conditions.ready}{"\n"}{end}' | grep -qx "$1 true"
}
not_ep() { ! ep_ready "$VIP_POD"; }
poll 30 not_ep && pass || { fail "the dead replica $VIP_POD left the ready endpoints"; k get endpointslices -n $NS -o yaml >&2; }
t_noep=$((SECONDS - t0))
evicted() { [ -n "$(k get pod -n $NS "$VPOD" -o jsonpath='{.metadata.deletionTimestamp}')" ]; }
poll 30 evicted && pass || { fail "$VPOD evicted by the taint manager"; k get pod -n $NS "$VPOD" -o yaml >&2; }
expect "with DisruptionTarget DeletionByTaintManager" '^True DeletionByTaintManager$' \
  k get pod -n $NS "$VPOD" -o jsonpath='{range .status.conditions[?(@.type=="DisruptionTarget")]}{.status} {.reason}{end}'
# The replacement: a new replica on the spare node, Running and ready.
NEW=
replaced() {
  NEW=$(k get pods -n $NS -l app=web --field-selector spec.nodeName="$SPARE" \
    -o jsonpath='{range .items[?(@.status.phase=="Running")]}{.metadata.name}{end}')
  [ -n "$NEW" ] && ep_ready "$(k get pod -n $NS "$NEW" -o jsonpath='{.status.podIP}')" && web_ready
}
poll 90 replaced && pass || { fail "a replacement replica ready on $SPARE"; k get pods -n $NS -o wide >&2; }
t_replaced=$((SECONDS - t0))
echo "failover: $VNODE NotReady after ${t_notready}s, $VPOD out of the endpoints after ${t_noep}s, $NEW ready on $SPARE after ${t_replaced}s"
# The Service answers again, the replacement among its replicas.
new_answers() { get "${LIVE[0]}" "$VIP" | grep -qx "$NEW"; }
poll 30 new_answers && pass || fail "the replacement $NEW answers through the ClusterIP"
# 100 requests from the live nodes' clients: all answered by live replicas, none by the dead
# node's pod.
: >"$TMP/after"
for i in 0 1 2; do burst "${LIVE[$i]}" $((i == 0 ? 34 : 33)) >>"$TMP/after"; done
expect "100 requests after the failover answered" '^100$' grep -c '^web-' "$TMP/after"
expect "none by the dead node's pod $VPOD" '^0$' grep -cx "$VPOD" "$TMP/after"
LIVE_WEB=$(for node in "${!WEB[@]}"; do [ "$node" != "$VNODE" ] && echo "${WEB[$node]}"; done; echo "$NEW")
expect "all 3 live replicas answered" "^$(echo $(sort <<<"$LIVE_WEB"))\$" \
  bash -c "echo \$(grep '^web-' '$TMP/after' | sort -u)"
echo "after the failover: $(sort "$TMP/after" | uniq -c | tr -s ' \n' ' ')"

# The host's agent comes back: the node is Ready again and the evicted pod is removed.
check "scripts/cluster restart $V" "$CLUSTER" restart $V
node_ready() { k get node "$VNODE" --no-headers | grep -q ' Ready '; }
poll 90 node_ready && pass || { fail "$VNODE Ready again"; k get nodes >&2; }
vpod_gone() { ! k get pod -n $NS "$VPOD" >/dev/null 2>&1; }
poll 60 vpod_gone && pass || { fail "the evicted $VPOD removed by its returning kubelet"; k get pods -n $NS -o wide >&2; }

# Nothing may be starting while `down` runs (a pod half made leaves mounts behind).
k delete namespace $NS --wait=false >/dev/null 2>&1
no_pods() { [ -z "$(k get pods -n $NS -o name 2>/dev/null)" ]; }
poll 60 no_pods || echo "cluster_failover_test: pods still there before down" >&2
# A failed run with KEEP_TMP=1 keeps the hosts' logs (down removes the cluster dir).
[ "$FAILED" -ne 0 ] && cp "$SKIFF_CLUSTER_DIR"/h*.log "$TMP/" 2>/dev/null
check "scripts/cluster down" "$CLUSTER" down
leftovers() {
  ip netns list | grep "^$PREFIX"; nft list tables 2>/dev/null | grep skiff-proxy; pgrep -af "$SKIFF_CLUSTER_DIR"
  grep -F "$SKIFF_CLUSTER_DIR" /proc/mounts
  [ -e "$SKIFF_CLUSTER_DIR" ] && echo "$SKIFF_CLUSTER_DIR"
}
expect "nothing left (namespaces, tables, processes, mounts, state)" '^$' leftovers
finish
