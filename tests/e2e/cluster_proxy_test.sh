#!/usr/bin/env bash
# Services through the agents' service proxy (src/proxy, nftables table ip skiff-proxy) on a
# 3-node cluster made by scripts/cluster (docs/network.md "Services (kube-proxy)"): a Deployment
# of 3 httpd replicas (one per node, each answering with its hostname) exposed as a NodePort
# Service with a named targetPort; a client pod reaches all 3 replicas through the ClusterIP;
# the NodePort answers on every node IP from the root namespace; scaling to 0 gives an
# immediate "connection refused"; no skiff-proxy table is left after `scripts/cluster down`.
# Its names (namespaces skpx<pid>-N, bridge, subnet 192.168.168.0/24, cluster CIDR
# 10.252.0.0/16) are its own, so it runs beside cluster_test.sh and a user's cluster.
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "cluster_proxy_test: needs root (namespaces, containers)"; exit 1; }
cluster_env skpx 192.168.168 10.252.0.0/16
/usr/bin/python3 "$(dirname "$0")/testimage.py" save "$TMP/bb.tar" e2e/proxybox:1
cluster_up 3 --image-archive "$TMP/bb.tar"

for h in 0 1 2; do
  expect "host $h: the agent's proxy made table ip skiff-proxy" 'chain nat-prerouting' \
    cexec $h nft list table ip skiff-proxy
done

# 3 replicas, one per node (required anti-affinity), each serving its own hostname on a port
# named "http"; ready only once httpd answers.
k apply -f - <<'EOF' >/dev/null
{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
 "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},
  "template":{"metadata":{"labels":{"app":"web"}},
   "spec":{"terminationGracePeriodSeconds":1,
    "affinity":{"podAntiAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[
      {"labelSelector":{"matchLabels":{"app":"web"}},"topologyKey":"kubernetes.io/hostname"}]}},
    "containers":[{"name":"c","image":"e2e/proxybox:1","imagePullPolicy":"Never",
     "command":["sh","-c","mkdir -p /tmp/w && hostname >/tmp/w/index.html && exec httpd -f -p 8080 -h /tmp/w"],
     "ports":[{"name":"http","containerPort":8080}],
     "readinessProbe":{"tcpSocket":{"port":"http"},"periodSeconds":1}}]}}}}
EOF
pod_client() {
  k apply -f - <<EOF >/dev/null
{"apiVersion":"v1","kind":"Pod","metadata":{"name":"client"},
 "spec":{"nodeName":"${PREFIX}0","terminationGracePeriodSeconds":1,
  "containers":[{"name":"c","image":"e2e/proxybox:1","imagePullPolicy":"Never","command":["sleep","100000"]}]}}
EOF
}
pod_client
three_ready() { [ "$(k get deploy web -o jsonpath='{.status.readyReplicas}')" = 3 ]; }
poll 120 three_ready && pass || { fail "3 ready replicas"; k get pods -o wide >&2; }
expect "one replica per node" '^3$' bash -c "'$K' --kubeconfig '$SKIFF_CLUSTER_DIR/kubeconfig' get pods -l app=web -o jsonpath='{range .items[*]}{.spec.nodeName}{\"\\n\"}{end}' | sort -u | wc -l"
client_ready() { [ "$(k get pod client -o jsonpath='{.status.containerStatuses[0].ready}')" = true ]; }
poll 90 client_ready && pass || fail "client pod running"

check "kubectl expose --type=NodePort (named targetPort)" \
  k expose deployment web --port=80 --target-port=http --type=NodePort
VIP=$(k get svc web -o jsonpath='{.spec.clusterIP}')
NP=$(k get svc web -o jsonpath='{.spec.ports[0].nodePort}')
expect "a ClusterIP and a NodePort" '^[0-9.]+ 3[0-9]{4}$' echo "$VIP $NP"
HOSTS=$(k get pods -l app=web -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}' | sort)

# HTTP by nc (busybox wget segfaults on this host); the body is the serving pod's hostname.
get() { k exec client -- sh -c "printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 5 $VIP 80" 2>&1 | tail -1; }
programmed() { get | grep -q '^web-'; }
poll 30 programmed && pass || fail "the client pod reaches the ClusterIP $VIP:80"
# 60 requests from the client pod in one exec: every replica must answer some.
many=$(k exec client -- sh -c "for i in \$(seq 60); do printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 5 $VIP 80 | tail -1; done" 2>&1)
expect "60 requests answered" '^60$' bash -c "grep -c '^web-' <<<'$many'"
expect "all 3 replicas answered through the ClusterIP" '^3$' bash -c "grep '^web-' <<<'$many' | sort -u | wc -l"
expect "by the Deployment's pods" "^$(echo $HOSTS)\$" bash -c "echo \$(grep '^web-' <<<'$many' | sort -u)"

# NodePort on every node's IP, from the root namespace (outside the hosts): every answer is a
# replica, and all replicas answer across the nodes.
np_seen=""
for h in 0 1 2; do
  ip=192.168.168.$((10 + h))
  expect "NodePort $ip:$NP answers from the root namespace" '^web-' curl -s -m 5 "http://$ip:$NP/"
  for i in $(seq 10); do np_seen+="$(curl -s -m 5 "http://$ip:$NP/")"$'\n'; done
done
expect "all 3 replicas answered through NodePorts" '^3$' bash -c "grep '^web-' <<<'$np_seen' | sort -u | wc -l"
expect "NodePort from a host itself (output chain)" '^web-' cexec 1 curl -s -m 5 "http://192.168.168.11:$NP/"

# `skiff proxy` standalone in a namespace of its own on the test bridge: it programs the table
# for the cluster's services and removes it on a clean exit (SIGTERM).
XNS=${PREFIX}x XV=${PREFIX}xv
TEARDOWN_EXTRA="ip netns del $XNS; ip link del $XV; $TEARDOWN_EXTRA"
ip netns add "$XNS" && ip link add "$XV" type veth peer name eth0 netns "$XNS" &&
  ip link set "$XV" master "$SKIFF_CLUSTER_BRIDGE" up &&
  ip -n "$XNS" addr add 192.168.168.50/24 dev eth0 && ip -n "$XNS" link set eth0 up && ip -n "$XNS" link set lo up
ip netns exec "$XNS" "$SKIFF" proxy --kubeconfig "$SKIFF_CLUSTER_DIR/kubeconfig" --hostname-override standalone \
  --cluster-cidr 10.252.0.0/16 >"$TMP/proxy.log" 2>&1 &
PXPID=$!
has_vip() { ip netns exec "$XNS" nft list map ip skiff-proxy services | grep -q "$VIP . tcp . 80 : goto"; }
poll 30 has_vip && pass || { fail "skiff proxy (standalone) programs the ClusterIP"; tail -5 "$TMP/proxy.log" >&2; }
kill "$PXPID"; wait "$PXPID"
expect "skiff proxy exits cleanly on SIGTERM" '^0$' echo $?
expect "and removes its table" 'No such file|does not exist' ip netns exec "$XNS" nft list table ip skiff-proxy
ip netns del "$XNS"; ip link del "$XV" 2>/dev/null

# No ready endpoint: an immediate refusal, not a timeout.
check "scale to 0" k scale deployment web --replicas=0
no_eps() { ! k get endpointslices -l kubernetes.io/service-name=web -o jsonpath='{.items[*].endpoints[*].addresses}' | grep -q .; }
poll 60 no_eps && pass || fail "the EndpointSlice emptied"
refused() {
  local t0=$SECONDS out
  out=$(k exec client -- nc -w 5 "$VIP" 80 </dev/null 2>&1)
  [ $((SECONDS - t0)) -le 3 ] && grep -qi 'refused' <<<"$out"
}
poll 20 refused && pass || { fail "ClusterIP with no endpoints: connection refused at once"; k exec client -- nc -w 5 "$VIP" 80 </dev/null >&2; }
np_refused() {
  local t0=$SECONDS out
  out=$(curl -sS -m 5 "http://192.168.168.12:$NP/" 2>&1)
  [ $((SECONDS - t0)) -le 2 ] && grep -q "Couldn't connect" <<<"$out"
}
poll 20 np_refused && pass || fail "NodePort with no endpoints: refused at once"
expect "the table lists the service as without endpoints" "$VIP . tcp . 80" cexec 2 nft list map ip skiff-proxy no-endpoint-services

k delete pod --all --grace-period=1 --wait=false >/dev/null 2>&1
check "scripts/cluster down" "$CLUSTER" down
leftovers() {
  ip netns list | grep "^$PREFIX"
  nft list tables 2>/dev/null | grep skiff-proxy
  pgrep -af "$SKIFF_CLUSTER_DIR"
  [ -e "$SKIFF_CLUSTER_DIR" ] && echo "$SKIFF_CLUSTER_DIR"
}
expect "nothing left: host namespaces (with their skiff-proxy tables), processes, state" '^$' leftovers
finish
