#!/usr/bin/env bash
# PriorityClasses (built-ins, validation, one global default), priority admission, scheduler
# preemption on a one-node `skiff sim` cluster, and the leader-election Leases of the embedded
# scheduler and controller manager (a second controller manager waits instead of leading).
source "$(dirname "$0")/lib.sh"
start_server
K=/usr/bin/kubectl
k() { "$K" --kubeconfig "$KCFG" "$@"; }

# ---- PriorityClass ----
expect "built-in system-cluster-critical" '^system-cluster-critical +2000000000 +false +[0-9a-z]+ +PreemptLowerPriority' k get pc
expect "built-in system-node-critical" '^system-node-critical +2000001000 +false' k get priorityclasses
expect "api-resources lists priorityclasses" '^priorityclasses +pc +scheduling.k8s.io/v1 +false +PriorityClass' k api-resources
i=0
for kc in "${KUBECTLS[@]}"; do
  i=$((i+1))
  expect "create priorityclass with $(basename "$kc")" "priorityclass.scheduling.k8s.io/tmp-$i created" \
    "$kc" --kubeconfig "$KCFG" create priorityclass "tmp-$i" --value="$i" --description="kubectl $kc"
  expect "get it back with $(basename "$kc")" "^tmp-$i +$i +false" "$kc" --kubeconfig "$KCFG" get pc "tmp-$i" --no-headers
  check "delete it with $(basename "$kc")" "$kc" --kubeconfig "$KCFG" delete pc "tmp-$i"
done
check "create low" k create priorityclass low --value=100
check "create high" k create priorityclass high --value=1000 --description="preempts low"
check "create high-never" k create priorityclass high-never --value=1000 --preemption-policy=Never
expect "table columns" 'NAME +VALUE +GLOBAL-DEFAULT +AGE +PREEMPTIONPOLICY' k get pc
expect "preemptionPolicy defaults" '^PreemptLowerPriority$' k get pc low -o jsonpath='{.preemptionPolicy}'
expect "user classes stop at 1e9" 'maximum allowed value of a user defined priority is 1000000000' k create priorityclass too-high --value=1000000001
expect "system- names are reserved" "priority class names with 'system-' prefix are reserved for system use only" k create priorityclass system-mine --value=1
expect "value is immutable" 'may not be changed in an update' k patch pc low -p '{"value":101}'
expect "built-ins cannot be deleted" 'this is a system priority class and cannot be deleted' k delete pc system-node-critical
check "a global default" k create priorityclass everyone --value=5 --global-default=true
expect "only one global default" 'PriorityClass everyone is already marked as default. Only one default can exist' k create priorityclass everyone2 --value=6 --global-default=true

# ---- priority admission ----
k create namespace prio >/dev/null
check "pod without class" k run plain -n prio --image=x
expect "gets the global default" '^everyone 5 PreemptLowerPriority$' k get pod plain -n prio -o jsonpath='{.spec.priorityClassName} {.spec.priority} {.spec.preemptionPolicy}'
expect "an unknown class is refused" 'pods "bad" is forbidden: no PriorityClass with name nosuch was found' k run bad -n prio --image=x --overrides='{"spec":{"priorityClassName":"nosuch"}}'
expect "a contradicting priority is refused" 'the integer value of priority \(7\) must not be provided in pod spec; priority admission controller computed 5' k run bad2 -n prio --image=x --overrides='{"spec":{"priority":7}}'
check "delete the default" k delete pc everyone
k delete pod plain -n prio --wait=false >/dev/null
check "pod with a Never class" k run polite-dry -n prio --image=x --dry-run=server --overrides='{"spec":{"priorityClassName":"high-never"}}'
expect "resolves priority and policy" '^1000 Never$' k run polite-dry -n prio --image=x --dry-run=server -o jsonpath='{.spec.priority} {.spec.preemptionPolicy}' --overrides='{"spec":{"priorityClassName":"high-never"}}'
expect "no class and no default: priority 0" '^0$' k run zero -n prio --image=x --dry-run=server -o jsonpath='{.spec.priority}'

# ---- preemption on one node with 2 cpus ----
"$SKIFF" sim --kubeconfig "$KCFG" --nodes 1 --name-prefix prio- --cpu 2 >>"$TMP/sim.log" 2>&1 &
node_ready() { k get node prio-0 --no-headers 2>/dev/null | grep -q ' Ready'; }
poll 30 node_ready && pass || fail "sim node Ready"
pod() {  # pod NAME CLASS
  k apply -n prio -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: $1}
spec:
  priorityClassName: $2
  containers: [{name: c, image: x, resources: {requests: {cpu: "1"}}}]
EOF
}
phase() { [ "$(k get pod "$1" -n prio -o jsonpath='{.status.phase}' 2>/dev/null)" = "$2" ]; }
pod low-1 low
poll 30 phase low-1 Running && pass || fail "low-1 Running"
pod low-2 low
poll 30 phase low-2 Running && pass || fail "low-2 Running: the node is full"
pod high-1 high
nominated() { [ "$(k get pod high-1 -n prio -o jsonpath='{.status.nominatedNodeName}')" = prio-0 ]; }
preempted() { k get events -n prio --field-selector reason=Preempted -o jsonpath='{.items[*].message}' | grep -q 'Preempted by pod .* on node prio-0'; }
nominated_or_preempted() { nominated || preempted; }
poll 30 nominated_or_preempted && pass || fail "high-1 nominated to prio-0 or a Preempted event"
poll 30 phase high-1 Running && pass || fail "high-1 Running after preemption"
expect "high-1 on prio-0" '^prio-0$' k get pod high-1 -n prio -o jsonpath='{.spec.nodeName}'
poll 10 preempted && pass || fail "Preempted event on the victim"
low_left() { [ "$(k get pods -n prio --no-headers 2>/dev/null | grep -c '^low-')" -eq 1 ]; }
poll 30 low_left && pass || fail "exactly one low pod was preempted"
expect "pod priority resolved" '^1000$' k get pod high-1 -n prio -o jsonpath='{.spec.priority}'

pod polite high-never
never_msg() { k get events -n prio --field-selector involvedObject.name=polite -o jsonpath='{.items[*].message}' | grep -q 'preemption: not eligible due to preemptionPolicy=Never'; }
poll 30 never_msg && pass || fail "preemptionPolicy=Never: FailedScheduling says it does not preempt"
expect "polite stays Pending" '^Pending$' k get pod polite -n prio -o jsonpath='{.status.phase}'
survivor=$(k get pods -n prio --no-headers -o custom-columns=N:.metadata.name | grep '^low-')
expect "the Never pod preempted nothing" '^Running Running$' k get pod high-1 "$survivor" -n prio -o jsonpath='{.items[*].status.phase}'

# ---- leader election ----
holder() { k get lease "$1" -n kube-system -o jsonpath='{.spec.holderIdentity}' 2>/dev/null; }
has_holder() { [ -n "$(holder "$1")" ]; }
poll 20 has_holder kube-scheduler && pass || fail "Lease kube-system/kube-scheduler has a holder"
poll 20 has_holder kube-controller-manager && pass || fail "Lease kube-system/kube-controller-manager has a holder"
expect "holder is hostname_uuid" '^.+_[0-9a-f]{8}-[0-9a-f]{4}-' holder kube-scheduler
expect "lease duration 15s" '^15$' k get lease kube-scheduler -n kube-system -o jsonpath='{.spec.leaseDurationSeconds}'
cm_holder=$(holder kube-controller-manager)
renewed_at=$(k get lease kube-controller-manager -n kube-system -o jsonpath='{.spec.renewTime}')
renewed() { [ "$(k get lease kube-controller-manager -n kube-system -o jsonpath='{.spec.renewTime}')" != "$renewed_at" ]; }
poll 10 renewed && pass || fail "the holder renews the lease"
"$SKIFF" controller-manager --kubeconfig "$KCFG" >>"$TMP/cm2.log" 2>&1 &
CM2=$!
waiting() { grep -q "kube-system/kube-controller-manager is held by $cm_holder and has not yet expired" "$TMP/cm2.log"; }
poll 20 waiting && pass || fail "a second controller-manager waits for the held lease"
check "it is still running" kill -0 "$CM2"
expect_not "it did not acquire the lease" 'successfully acquired' cat "$TMP/cm2.log"
expect "Lease holder unchanged" "^$cm_holder\$" holder kube-controller-manager
kill "$CM2" 2>/dev/null; wait "$CM2" 2>/dev/null
finish
