#!/usr/bin/env bash
# Node lifecycle on simulated nodes: default tolerations, cordon/drain through pods/eviction and
# a PodDisruptionBudget, a dead `skiff sim` (NotReady, unreachable taints, taint-manager
# eviction, replacements elsewhere), its return (Ready, taints gone) and pod GC of a deleted
# node's pods. Every wait polls with a deadline.
source "$(dirname "$0")/lib.sh"
start_server --node-monitor-grace-period 5s --default-unreachable-toleration-seconds 5 \
  --default-not-ready-toleration-seconds 5
K=/usr/bin/kubectl
k() { "$K" --kubeconfig "$KCFG" "$@"; }
start_sim() {  # start_sim PREFIX: two nodes PREFIX0, PREFIX1; sets SIM_PID
  "$SKIFF" sim --kubeconfig "$KCFG" --nodes 2 --name-prefix "$1" --heartbeat-interval 1s \
    >>"$TMP/sim-$1.log" 2>&1 &
  SIM_PID=$!
}
start_sim na-; PID_na=$SIM_PID
start_sim nb-; PID_nb=$SIM_PID
ready_count() { k get nodes --no-headers 2>/dev/null | awk '$2=="Ready"' | grep -c "^$1"; }
four_ready() { [ "$(ready_count n)" -eq 4 ]; }
poll 30 four_ready && pass || fail "4 sim nodes Ready"

# pods: "name node phase deleting" lines of app=web.
web_pods() {
  k get pods -l app=web -o jsonpath='{range .items[*]}{.metadata.name} {.spec.nodeName} {.status.phase} {.metadata.deletionTimestamp}{"\n"}{end}' 2>/dev/null
}
# live_on PREFIX N: exactly N app=web pods Running, not being deleted, on nodes PREFIX*.
live_on() { [ "$(web_pods | awk -v p="$1" 'NF==3 && $3=="Running" && index($2,p)==1' | wc -l)" -eq "$2" ]; }
# live N: exactly N live app=web pods in all, all Running.
live() { [ "$(web_pods | awk 'NF==3 && $3=="Running"' | wc -l)" -eq "$1" ] && [ "$(web_pods | awk 'NF==3' | wc -l)" -eq "$1" ]; }

check "create deployment" k create deployment web --image=nginx:1 --replicas=4
poll 30 live 4 && pass || fail "4 web replicas Running"
expect "DefaultTolerationSeconds: unreachable 5s" 'node.kubernetes.io/unreachable","operator":"Exists","tolerationSeconds":5|"key":"node.kubernetes.io/unreachable".*"tolerationSeconds":5' \
  k get pods -l app=web -o jsonpath='{.items[0].spec.tolerations}'
expect "DefaultTolerationSeconds: not-ready 5s" 'node.kubernetes.io/not-ready' \
  k get pods -l app=web -o jsonpath='{.items[0].spec.tolerations}'

# ---- cordon, drain, PodDisruptionBudget ----
D=$(web_pods | awk 'NF==3{print $2; exit}')
check "cordon" k cordon "$D"
expect "cordoned node shows SchedulingDisabled" 'SchedulingDisabled' k get node "$D" --no-headers
has_taint() { k get node "$1" -o jsonpath='{range .spec.taints[*]}{.key}:{.effect}{"\n"}{end}' | grep -qx "$2"; }
poll 15 has_taint "$D" node.kubernetes.io/unschedulable:NoSchedule && pass || fail "cordon adds the unschedulable taint"
check "create probe deployment" k create deployment probe --image=x --replicas=4
probe_running() { [ "$(k get pods -l app=probe --field-selector=status.phase=Running --no-headers 2>/dev/null | wc -l)" -eq 4 ]; }
poll 30 probe_running && pass || fail "probe pods Running"
expect_not "new pods avoid the cordoned node" " $D\$" \
  k get pods -l app=probe -o jsonpath='{range .items[*]}{.metadata.name} {.spec.nodeName}{"\n"}{end}'
k delete deployment probe --wait=false >/dev/null

check "create pdb" k create pdb web-pdb --selector=app=web --min-available=4
pdb_is() { [ "$(k get pdb web-pdb -o jsonpath='{.status.observedGeneration}/{.metadata.generation} {.status.currentHealthy} {.status.disruptionsAllowed}' 2>/dev/null)" = "$1" ]; }
poll 20 pdb_is "1/1 4 0" && pass || fail "pdb status: 4 healthy, 0 disruptions allowed"
expect "kubectl get pdb" '^web-pdb +4 +N/A +0 ' k get pdb web-pdb --no-headers
expect "pdb condition" 'InsufficientPods' k get pdb web-pdb -o jsonpath='{.status.conditions[0].reason}'
out=$(timeout 60 "$K" --kubeconfig "$KCFG" drain "$D" --ignore-daemonsets --delete-emptydir-data --timeout=5s 2>&1); rc=$?
if [ "$rc" -ne 0 ] && grep -q "Cannot evict pod as it would violate the pod's disruption budget" <<<"$out"; then pass; else
  fail "drain blocked by the pdb (rc $rc)"; echo "  ${out:0:600}" >&2; fi
poll 10 live 4 && pass || fail "a blocked drain deletes nothing"
victim=$(web_pods | awk 'NF==3{print $1; exit}')
body='{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"'$victim'"}}'
expect "raw eviction answers 429" '^429$' api_code POST "/api/v1/namespaces/default/pods/$victim/eviction" \
  -H 'Content-Type: application/json' -d "$body"
expect "429 body" '"reason":"TooManyRequests".*"DisruptionBudget"|"DisruptionBudget".*"reason":"TooManyRequests"' \
  api POST "/api/v1/namespaces/default/pods/$victim/eviction" -H 'Content-Type: application/json' -d "$body"

check "lower the pdb" k patch pdb web-pdb --type=merge -p '{"spec":{"minAvailable":2}}'
poll 20 pdb_is "2/2 4 2" && pass || fail "pdb status: 2 disruptions allowed"
expect "kubectl get pdb after lowering" '^web-pdb +2 +N/A +2 ' k get pdb web-pdb --no-headers
out=$(timeout 90 "$K" --kubeconfig "$KCFG" drain "$D" --ignore-daemonsets --delete-emptydir-data --timeout=60s 2>&1); rc=$?
if [ "$rc" -eq 0 ] && grep -q "evicted" <<<"$out" && grep -q "drained" <<<"$out"; then pass; else
  fail "drain succeeds (rc $rc)"; echo "  ${out:0:600}" >&2; fi
none_on_d() { ! web_pods | awk '{print $2}' | grep -qx "$D"; }
poll 20 none_on_d && pass || fail "no web pods left on the drained node"
poll 30 live 4 && pass || fail "replacements Running elsewhere"
check "uncordon" k uncordon "$D"
expect_not "uncordoned" 'SchedulingDisabled' k get node "$D" --no-headers
no_taint() { ! has_taint "$1" "$2"; }
poll 15 no_taint "$D" node.kubernetes.io/unschedulable:NoSchedule && pass || fail "uncordon removes the unschedulable taint"
check "delete pdb" k delete pdb web-pdb

# ---- a node agent dies: NotReady, taints, eviction, replacements ----
V=$(web_pods | awk 'NF==3{print $2; exit}')
VP=${V%[0-9]}; if [ "$VP" = na- ]; then OP=nb-; VPID=$PID_na; else OP=na-; VPID=$PID_nb; fi
victims=$(web_pods | awk -v p="$VP" 'NF==3 && index($2,p)==1 {print $1}')
kill "$VPID"; wait "$VPID" 2>/dev/null
not_ready() { [ "$(k get nodes --no-headers | awk -v p="$VP" 'index($1,p)==1 && $2=="NotReady"' | wc -l)" -eq 2 ]; }
poll 30 not_ready && pass || fail "the dead sim's nodes become NotReady"
expect "Ready=Unknown with NodeStatusUnknown" '^Unknown NodeStatusUnknown Kubelet stopped posting node status.$' \
  k get node "${VP}0" -o jsonpath='{range .status.conditions[?(@.type=="Ready")]}{.status} {.reason} {.message}{end}'
poll 15 has_taint "${VP}0" node.kubernetes.io/unreachable:NoExecute && pass || fail "unreachable:NoExecute taint"
poll 5 has_taint "${VP}0" node.kubernetes.io/unreachable:NoSchedule && pass || fail "unreachable:NoSchedule taint"
expect "the taint has timeAdded" 'T' k get node "${VP}0" -o jsonpath='{.spec.taints[?(@.effect=="NoExecute")].timeAdded}'
first_victim=$(head -1 <<<"$victims")
evicted() { for p in $victims; do k get pod "$p" -o jsonpath='{.metadata.deletionTimestamp}' 2>/dev/null | grep -q T || return 1; done; }
poll 30 evicted && pass || fail "pods on the dead nodes are evicted after tolerationSeconds"
expect "evicted pod not ready, DisruptionTarget" 'Ready=False.*DisruptionTarget=True:DeletionByTaintManager|DisruptionTarget=True:DeletionByTaintManager.*Ready=False' \
  k get pod "$first_victim" -o jsonpath='{range .status.conditions[*]}{.type}={.status}:{.reason} {end}'
expect "TaintManagerEviction event" "Marking for deletion Pod default/$first_victim" \
  k get events --field-selector "involvedObject.name=$first_victim"
poll 40 live_on "$OP" 4 && pass || fail "4 replacements Running on the live sim's nodes"

start_sim "$VP"; VPID=$SIM_PID
if [ "$VP" = na- ]; then PID_na=$VPID; else PID_nb=$VPID; fi
poll 30 four_ready && pass || fail "the nodes come back Ready"
poll 15 no_taint "${VP}0" node.kubernetes.io/unreachable:NoExecute && pass || fail "the unreachable taint goes"
poll 5 no_taint "${VP}1" node.kubernetes.io/unreachable:NoSchedule && pass || fail "the NoSchedule taint goes"

# ---- pod GC: pods of a deleted node ----
k run orphan --image=x --overrides="{\"spec\":{\"nodeName\":\"${OP}0\"}}" >/dev/null
orphan_running() { [ "$(k get pod orphan -o jsonpath='{.status.phase}' 2>/dev/null)" = Running ]; }
poll 20 orphan_running && pass || fail "pinned pod Running"
check "delete node" k delete node "${OP}0" --wait=false
orphan_gone() { ! k get pod orphan >/dev/null 2>&1; }
poll 30 orphan_gone && pass || fail "pod GC deletes the pods of a deleted node"
poll 40 live 4 && pass || fail "the deployment heals after the node deletion"
finish
