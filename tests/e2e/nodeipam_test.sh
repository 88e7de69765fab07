#!/usr/bin/env bash
# Node IPAM: the controller manager gives every node a podCIDR of --cluster-cidr, two `skiff sim`
# processes then hand out pod IPs that never collide, a full range yields CIDRNotAvailable, a
# deleted node's CIDR goes to the next node, and a restarted controller does not hand out a
# CIDR twice. The cluster CIDR is a /22 of /24s (four subnets) so that exhaustion and reuse are
# reachable with a handful of nodes. Every wait polls with a deadline.
source "$(dirname "$0")/lib.sh"

expect "bad --cluster-cidr is refused" 'invalid cluster CIDR' "$SKIFF" server --cluster-cidr bogus
expect "bad --node-cidr-mask-size is refused" 'mask size' "$SKIFF" server --cluster-cidr 10.244.0.0/16 --node-cidr-mask-size 8

start_server --allocate-node-cidrs --cluster-cidr 10.244.0.0/22 --node-cidr-mask-size 24
K=/usr/bin/kubectl
k() { "$K" --kubeconfig "$KCFG" "$@"; }
start_sim() {  # start_sim PREFIX N [ARGS...]
  local p=$1 n=$2; shift 2
  "$SKIFF" sim --kubeconfig "$KCFG" --nodes "$n" --name-prefix "$p" "$@" >>"$TMP/sim-$p.log" 2>&1 &
}
start_sim ipa- 2
start_sim ipb- 2

# "name podCIDR podCIDRs" of every node (podCIDR empty when unset).
node_cidrs() { k get nodes -o jsonpath='{range .items[*]}{.metadata.name} {.spec.podCIDR} {.spec.podCIDRs}{"\n"}{end}'; }
cidr_of() { k get node "$1" -o jsonpath='{.spec.podCIDR}'; }
# cidrs_ok N: N nodes have a podCIDR (podCIDRs = [podCIDR]), all distinct /24s inside the cluster CIDR.
cidrs_ok() {
  node_cidrs >"$TMP/cidrs" || return 1
  python3 - "$1" "$TMP/cidrs" <<'EOF'
import ipaddress, json, sys
want, cluster = int(sys.argv[1]), ipaddress.ip_network("10.244.0.0/22")
seen = []
for line in open(sys.argv[2]):
    f = line.split(" ", 2)
    if len(f) < 3 or not f[1]:
        continue
    net = ipaddress.ip_network(f[1])
    if json.loads(f[2]) != [f[1]] or net.prefixlen != 24 or not net.subnet_of(cluster):
        sys.exit(1)
    seen.append(net)
sys.exit(0 if len(seen) == want and len(set(seen)) == want else 1)
EOF
}
poll 30 cidrs_ok 4 && pass || { fail "4 nodes get distinct /24 podCIDRs in 10.244.0.0/22"; cat "$TMP/cidrs" >&2; }

# ---- pod IPs of 8 replicas over both sims ----
check "create deployment" k create deployment web --image=nginx:1 --replicas=8
# pods_ok: 8 app=web pods Running on at least 2 nodes, 8 distinct IPs, each in its node's podCIDR.
pods_ok() {
  k get pods -l app=web -o jsonpath='{range .items[*]}{.spec.nodeName} {.status.podIP} {.status.phase}{"\n"}{end}' >"$TMP/pods" || return 1
  node_cidrs >"$TMP/cidrs" || return 1
  python3 - "$TMP/pods" "$TMP/cidrs" <<'EOF'
import ipaddress, sys
cidr = {}
for line in open(sys.argv[2]):
    f = line.split()
    if len(f) >= 2:
        cidr[f[0]] = ipaddress.ip_network(f[1])
pods = [l.split() for l in open(sys.argv[1]) if l.strip()]
if len(pods) != 8 or any(len(p) != 3 or p[2] != "Running" for p in pods):
    sys.exit(1)
if len({p[1] for p in pods}) != 8 or len({p[0] for p in pods}) < 2:
    sys.exit(1)
sys.exit(0 if all(p[0] in cidr and ipaddress.ip_address(p[1]) in cidr[p[0]] for p in pods) else 1)
EOF
}
poll 60 pods_ok && pass || { fail "8 Running pods with distinct IPs inside their nodes' podCIDRs"; cat "$TMP/pods" "$TMP/cidrs" >&2; }

# ---- exhaustion: a fifth node waits, and its pods with it ----
start_sim ipc- 1 --pod-cidr-wait 5m
has_event() {  # has_event NODE: the CIDRNotAvailable event of NODE exists
  k get events -n default -o jsonpath='{range .items[*]}{.reason} {.involvedObject.kind} {.involvedObject.name}{"\n"}{end}' |
    grep -qx "CIDRNotAvailable Node $1"
}
poll 30 has_event ipc-0 && pass || fail "full range: event CIDRNotAvailable on ipc-0"
expect "ipc-0 has no podCIDR" '^$' cidr_of ipc-0
check "pod bound to ipc-0" k run early --image=nginx:1 --overrides='{"spec":{"nodeName":"ipc-0"}}'
phase() { k get pod "$1" -o jsonpath='{.status.phase}'; }
poll 10 k get pod early && pass || fail "pod early exists"
expect "a pod on a node without podCIDR stays Pending" '^Pending$' phase early

# ---- a deleted node's CIDR goes to the waiting one ----
freed=$(cidr_of ipb-1)
check "delete node ipb-1" k delete node ipb-1
gets_freed() { [ -n "$freed" ] && [ "$(cidr_of ipc-0)" = "$freed" ]; }
poll 30 gets_freed && pass || fail "ipc-0 gets ipb-1's CIDR $freed (has '$(cidr_of ipc-0)')"
early_ok() {
  [ "$(phase early)" = Running ] || return 1
  python3 -c 'import ipaddress,sys; sys.exit(0 if ipaddress.ip_address(sys.argv[1]) in ipaddress.ip_network(sys.argv[2]) else 1)' \
    "$(k get pod early -o jsonpath='{.status.podIP}')" "$freed"
}
poll 30 early_ok && pass || fail "the waiting pod runs with an IP in $freed"
poll 30 cidrs_ok 4 && pass || fail "still 4 distinct podCIDRs"

# ---- a restarted controller rebuilds its map: nothing is handed out twice ----
stop_server
start_server --cluster-cidr 10.244.0.0/22 --node-cidr-mask-size 24
start_sim ipd- 1 --pod-cidr-wait 5m
poll 60 has_event ipd-0 && pass || fail "after a restart the range is still full: CIDRNotAvailable on ipd-0"
expect "ipd-0 has no podCIDR" '^$' cidr_of ipd-0
cidrs_ok 4 && pass || { fail "after a restart: 4 distinct podCIDRs, none given twice"; cat "$TMP/cidrs" >&2; }

finish
