#!/usr/bin/env bash
# A 3-node cluster on this machine made by scripts/cluster (host namespaces on a test bridge,
# host-gw pod network, or vxlan when CLUSTER_BACKEND=vxlan as cluster_vxlan_test.sh runs it;
# docs/network.md): 3 Ready nodes with their own InternalIPs, pods pinned
# to different nodes with IPs from their node's podCIDR, a pod reaching an httpd pod on another
# node by pod IP with its own address as the source the server sees, unclaimed cluster and
# service addresses answered "unreachable" at once, the way to a deleted node removed, an agent
# restart keeping pods connected (and pruning stale routes), node-reset removing the routes (and
# flannel.1), and nothing left after
# `scripts/cluster down`. vxlan also: flannel's annotations on the Nodes, MTU 1450 in pods.
# Its names (namespaces skct<pid>-N, bridge, subnet 192.168.176.0/24, cluster CIDR
# 10.246.0.0/16; for vxlan skcv<pid>-N, 192.168.175.0/24, 10.247.0.0/16) are its own, so it runs
# beside the other e2e files (and the other backend) and a user's cluster.
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "cluster_test: needs root (namespaces, containers)"; exit 1; }
BACKEND=${CLUSTER_BACKEND:-host-gw}
if [ "$BACKEND" = vxlan ]; then TAG=skcv SUB=192.168.175 C16=10.247; else TAG=skct SUB=192.168.176 C16=10.246; fi
cluster_env $TAG $SUB $C16.0.0/16
SUBR=${SUB//./\\.} C16R=${C16//./\\.}  # as regular expressions
/usr/bin/python3 "$(dirname "$0")/testimage.py" save "$TMP/bb.tar" e2e/clusterbox:1
cluster_up 3 --backend "$BACKEND" --image-archive "$TMP/bb.tar"
cp "$SKIFF_CLUSTER_DIR"/h0.log "$TMP/server.log" 2>/dev/null

expect "3 Ready nodes" '^3$' bash -c "'$K' --kubeconfig '$SKIFF_CLUSTER_DIR/kubeconfig' get nodes --no-headers | grep -c ' Ready '"
ips=$(k get nodes -o jsonpath='{range .items[*]}{.status.addresses[?(@.type=="InternalIP")].address}{"\n"}{end}' | sort)
expect "distinct InternalIPs on the test subnet" '^'"$SUBR"'\.10 '"$SUBR"'\.11 '"$SUBR"'\.12 $' \
  echo $ips" "
for h in 0 1 2; do
  cidr[$h]=$(k get node "${PREFIX}$h" -o jsonpath='{.spec.podCIDR}')
done
expect "podCIDRs from the cluster CIDR, one per node" '^3 '"$C16R"'\.' \
  bash -c "echo \$(printf '%s\n' ${cidr[*]} | sort -u | wc -l) ${cidr[0]}"

# kube-system: the control plane on node 0, a proxy and a flannel backend on every node, as
# mirror pods (docs/agent.md); an agent-only node shows its own two, Ready, with their logs.
mready() { [ "$(k get pod -n kube-system "$1" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]; }
for c in kube-apiserver kube-controller-manager kube-scheduler kube-proxy kube-flannel; do
  poll 60 mready "$c-${PREFIX}0" && pass || fail "$c-${PREFIX}0 Ready"
done
for c in kube-proxy kube-flannel; do
  poll 60 mready "$c-${PREFIX}1" && pass || fail "$c-${PREFIX}1 (agent-only node) Ready"
done
expect "the agent-only node has just its proxy and flannel pods" "^kube-flannel-${PREFIX}1 kube-proxy-${PREFIX}1 \$" \
  bash -c "echo \$('$K' --kubeconfig '$SKIFF_CLUSTER_DIR/kubeconfig' get pods -n kube-system --field-selector spec.nodeName=${PREFIX}1 -o name | sed 's|^pod/||' | sort) ''"
expect "kube-proxy pod: label and the node's address" "^kube-proxy ${SUBR}\.11\$" \
  k get pod -n kube-system "kube-proxy-${PREFIX}1" -o jsonpath='{.metadata.labels.k8s-app} {.status.podIP}'
expect "kube-flannel logs: the backend's lines" "$BACKEND" k logs -n kube-system "kube-flannel-${PREFIX}1"
expect "kube-proxy logs: the proxy's lines" 'proxy\.cc:[0-9]+\]' k logs -n kube-system "kube-proxy-${PREFIX}1"

# A health check that fails for real (host-gw): a Node whose InternalIP is off every connected
# subnet cannot be routed to ("invalid gateway"), so every flannel backend reports the failure
# and kube-flannel turns NotReady at its next probe; deleting that Node makes it Ready again.
if [ "$BACKEND" = host-gw ]; then
  k create -f - >/dev/null <<EOF
{"apiVersion":"v1","kind":"Node","metadata":{"name":"${PREFIX}bogus"},"spec":{"podCIDR":"$C16.250.0/24"}}
EOF
  k patch node "${PREFIX}bogus" --subresource=status --type=merge \
    -p '{"status":{"addresses":[{"type":"InternalIP","address":"203.0.113.7"}]}}' >/dev/null
  notready() { [ "$(k get pod -n kube-system "kube-flannel-${PREFIX}1" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = False ]; }
  poll 30 notready && pass || fail "kube-flannel NotReady while a route cannot be programmed"
  expect "kube-flannel shows 0/1" "^kube-flannel-${PREFIX}1 +0/1 +Running" k get pod -n kube-system "kube-flannel-${PREFIX}1" --no-headers
  expect "the reason as an Unhealthy event" 'Readiness probe failed: routes: the way to node .*bogus' \
    k get events -n kube-system --field-selector involvedObject.name=kube-flannel-${PREFIX}1,reason=Unhealthy -o jsonpath='{.items[*].message}'
  k delete node "${PREFIX}bogus" >/dev/null
  poll 30 mready "kube-flannel-${PREFIX}1" && pass || fail "kube-flannel Ready again once the bad node is gone"
fi

# httpd pods pinned to nodes 1 and 2 (nodeName and the hostname label), a client on node 0.
pod() {  # pod NAME NODE-INDEX HOW ARGS...
  local name=$1 h=$2 how=$3; shift 3
  local place="\"nodeName\":\"${PREFIX}$h\""
  [ "$how" = selector ] && place="\"nodeSelector\":{\"kubernetes.io/hostname\":\"${PREFIX}$h\"}"
  local args; args=$(printf '"%s",' "$@"); args=[${args%,}]
  k apply -f - <<EOF >/dev/null
{"apiVersion":"v1","kind":"Pod","metadata":{"name":"$name"},
 "spec":{$place,"terminationGracePeriodSeconds":1,
  "containers":[{"name":"c","image":"e2e/clusterbox:1","imagePullPolicy":"Never","command":$args}]}}
EOF
}
pod web1 1 nodeName httpd -f -v -p 80 -h /www
pod web2 2 selector httpd -f -v -p 80 -h /www
pod client 0 selector sleep 100000
ready() { [ "$(k get pod "$1" -o jsonpath='{.status.containerStatuses[0].ready}')" = true ]; }
for p in web1 web2 client; do poll 90 ready $p && pass || fail "pod $p running"; done
podip() { k get pod "$1" -o jsonpath='{.status.podIP}'; }
in_cidr() {  # in_cidr IP CIDR (a /24 here)
  local net=${2%/*}; [ "${1%.*}" = "${net%.*}" ]
}
for p in web1:1 web2:2 client:0; do
  n=${p%:*} h=${p#*:}
  expect "$n runs on node $h" "^${PREFIX}$h\$" k get pod "$n" -o jsonpath='{.spec.nodeName}'
  check "$n's IP is in node $h's podCIDR ${cidr[$h]}" in_cidr "$(podip "$n")" "${cidr[$h]}"
done
W1=$(podip web1) W2=$(podip web2) C=$(podip client)

# busybox's wget dies of SIGSEGV on this host (Debian 1.35 static), so HTTP by nc.
get() { k exec "$1" -- sh -c "printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 5 $2 80"; }
expect "a pod on node 0 reaches an httpd pod on node 2 by pod IP" 'hello from skiff' get client "$W2"
expect "and one on node 1" 'hello from skiff' get client "$W1"
expect "node 1's pod reaches node 2's" 'hello from skiff' get web1 "$W2"
expect "the server saw the client pod's own address" "[^0-9]$C\]?:[0-9]+: response:200" k logs web2
expect "from node 1 too" "[^0-9]$W1\]?:[0-9]+: response:200" k logs web2
expect "a host reaches a pod on another node" 'hello from skiff' \
  cexec 1 curl -s -m 5 "http://$W2/"

# Unclaimed addresses: an immediate local "no route to host", never a timeout or a default route.
for h in 0 2; do
  expect "host $h: unclaimed service address unreachable" 'unreachable 10\.96\.0\.0/12' cexec $h ip route show type unreachable
  expect "host $h: unclaimed cluster address unreachable" "unreachable $C16R\\.0\\.0/16" cexec $h ip route show type unreachable
  expect "host $h: no default route" '^$' cexec $h ip route show default
done
quick_fail() {  # quick_fail HOST ADDR: curl fails with "couldn't connect" in under 2 s
  local t0=$SECONDS out
  out=$(cexec "$1" curl -sS -m 10 "http://$2/" 2>&1) && return 1
  [ $((SECONDS - t0)) -le 2 ] && grep -q "Couldn't connect\|No route" <<<"$out"
}
check "a host: unclaimed service IP fails at once" quick_fail 1 10.96.200.7
check "a host: unclaimed cluster IP fails at once" quick_fail 2 $C16.99.7
# (Not `ip route get` for the service address: a host's own traffic to the service CIDR takes
# the service proxy's policy route, table 157, and an unclaimed address is rejected after DNAT.)
# From a pod the answer is an ICMP host-unreachable from its node (rate limited per
# destination by the kernel, so allow a few tries).
pod_unreach() { k exec client -- nc -w 3 $C16.99.8 80 </dev/null 2>&1 | grep -q 'No route to host'; }
poll 20 pod_unreach && pass || fail "a pod: unclaimed cluster IP answered 'no route to host'"
expect "masquerade table on every host" 'masquerade' cexec 2 nft list table ip skiff-nat

G2=${cidr[2]%/*}  # node 2's podCIDR network address
if [ "$BACKEND" = vxlan ]; then
  ann() { k get node "${PREFIX}$1" -o jsonpath="{.metadata.annotations.flannel\.alpha\.coreos\.com/$2}"; }
  MAC2=$(cexec 2 ip -o link show flannel.1 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
  expect "node 2 annotated backend-type vxlan" '^vxlan$' ann 2 backend-type
  expect "node 2 annotated backend-data with its VTEP MAC" "^\\{\"VNI\":1,\"VtepMAC\":\"$MAC2\"\\}\$" ann 2 backend-data
  expect "node 2 annotated public-ip" "^${SUBR}\\.12\$" ann 2 public-ip
  expect "node 2 annotated kube-subnet-manager" '^true$' ann 2 kube-subnet-manager
  expect "flannel.1: MTU 1450" " mtu 1450 " cexec 2 ip -d link show flannel.1
  expect "flannel.1: vxlan id 1, local node IP, port 8472, nolearning" \
    "vxlan id 1 local ${SUBR}\\.12 dev eth0 .*dstport 8472 nolearning" cexec 2 ip -d link show flannel.1
  expect "pod eth0 MTU 1450" '^1450$' k exec client -- cat /sys/class/net/eth0/mtu
  expect "host 0: route to node 2's pods via flannel.1" "^$G2/24 via $G2 dev flannel\\.1 proto 157 onlink" cexec 0 ip route
  expect "host 0: permanent neighbour for node 2's gateway" "^$G2 lladdr $MAC2 PERMANENT" cexec 0 ip neigh show dev flannel.1
  expect "host 0: FDB entry to node 2's IP" "^$MAC2 dst ${SUBR}\\.12 " cexec 0 bridge fdb show dev flannel.1
else
  expect "host 0 routes node 2's podCIDR via its IP" "$G2/24 via ${SUBR}\\.12" cexec 0 ip route
fi

# A node that goes takes its route (and neighbour and FDB entry) with it.
k delete node "${PREFIX}2" --wait=false >/dev/null
no_route() { ! cexec 0 ip route | grep -q "^$G2/24 via"; }
poll 30 no_route && pass || fail "route to a deleted node removed"
if [ "$BACKEND" = vxlan ]; then
  expect "and its neighbour and FDB entry" '^$' bash -c "'$CLUSTER' exec 0 ip neigh show dev flannel.1 | grep -F '$G2 '; '$CLUSTER' exec 0 bridge fdb show dev flannel.1 | grep -F '$MAC2'"
fi

# An agent restart (host 1) keeps what it programmed, as flannel does: while it is down and
# after it is back, its pod answers across nodes with the same address (and, vxlan, the same VTEP
# MAC); a route a previous agent left for a node that no longer exists is pruned at start.
left_in() {  # what the network of host $1 still has
  cexec "$1" ip route show proto 157
  cexec "$1" ip link show flannel.1 2>/dev/null
  cexec "$1" nft list table ip skiff-nat 2>/dev/null
}
vtep_mac() { cexec "$1" ip -o link show flannel.1 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2; }
[ "$BACKEND" = vxlan ] && MAC1=$(vtep_mac 1)
pid1=$(cat "$SKIFF_CLUSTER_DIR/h1/pid")
kill "$pid1"
gone() { ! kill -0 "$1" 2>/dev/null; }
poll 30 gone "$pid1" && pass || fail "agent of host 1 exits on SIGTERM"
expect "host 1: a clean exit leaves the routes and the masquerade table" 'masquerade' left_in 1
expect "host 1's pod answers while its agent is down" 'hello from skiff' get client "$W1"
check "a stale route left on host 1" cexec 1 ip route add $C16.250.0/24 via ${SUB}.99 proto 157
check "scripts/cluster restart 1" "$CLUSTER" restart 1
node_ready() { k get node "${PREFIX}$1" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' | grep -q True; }
poll 60 node_ready 1 && pass || fail "node 1 Ready after its agent restarted"
no_stale() { ! cexec 1 ip route show proto 157 | grep -q "^$C16R\.250\.0/24"; }
poll 30 no_stale && pass || fail "host 1: the restarted agent pruned the stale route"
expect "web1 kept its pod IP" "^$W1\$" podip web1
[ "$BACKEND" = vxlan ] && expect "host 1: the same VTEP MAC after the restart" "^$MAC1\$" vtep_mac 1
expect "host 1's pod answers after the restart" 'hello from skiff' get client "$W1"

# node-reset after a kill (host 2) removes the routes, the table, flannel.1.
pid2=$(cat "$SKIFF_CLUSTER_DIR/h2/pid")
kill -9 "$pid2"; poll 10 gone "$pid2"
[ "$BACKEND" = vxlan ] && check "host 2: flannel.1 outlives a killed agent" cexec 2 ip link show flannel.1
check "node-reset on host 2" cexec 2 "$SKIFF" node-reset --data-dir "$SKIFF_CLUSTER_DIR/h2"
expect "host 2: node-reset removed routes, table, flannel.1" '^$' left_in 2

k delete pod --all --grace-period=1 --wait=false >/dev/null 2>&1
check "scripts/cluster down" "$CLUSTER" down
leftovers() {
  ip netns list | grep "^$PREFIX"
  ip -br link | grep -E "^(${PREFIX}|$SKIFF_CLUSTER_BRIDGE)"
  ip route | grep -E "$SUBR\\.|$C16R\\."
  mount | grep -F "$SKIFF_CLUSTER_DIR"
  ls -d /sys/fs/cgroup/*/skiffcl-"$PREFIX"* 2>/dev/null
  pgrep -af "$SKIFF_CLUSTER_DIR"
  [ -e "$SKIFF_CLUSTER_DIR" ] && echo "$SKIFF_CLUSTER_DIR"
}
expect "nothing left: namespaces (and their nft tables and routes), veths, bridge, mounts, cgroups, processes" \
  '^$' leftovers
finish
