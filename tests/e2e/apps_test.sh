#!/usr/bin/env bash
# DaemonSets and StatefulSets on simulated nodes, driven by the real kubectl: one daemon pod per
# eligible node (taints, nodeSelector, nodes joining), rollout status/history/undo of both kinds
# through ControllerRevisions, OrderedReady creation and scale-down order, partitions, stable
# names after deletion, and claims from volumeClaimTemplates.
source "$(dirname "$0")/lib.sh"
start_server
K=/usr/bin/kubectl
k() { "$K" --kubeconfig "$KCFG" "$@"; }
SIM_PIDS=()
trap 'kill "${SIM_PIDS[@]}" 2>/dev/null; teardown' EXIT
"$SKIFF" sim --kubeconfig "$KCFG" --nodes 3 --name-prefix dsa- >>"$TMP/sim.log" 2>&1 &
SIM_PIDS+=($!)
ready_nodes() { [ "$(k get nodes --no-headers 2>/dev/null | grep -c ' Ready')" -eq "$1" ]; }
poll 30 ready_nodes 3 && pass || fail "3 sim nodes Ready"
k create namespace apps >/dev/null
# running NS SELECTOR N: exactly N pods, all Running and Ready.
running() {
  local out; out=$(k get pods -n "$1" -l "$2" --no-headers 2>/dev/null)
  [ "$(grep -c . <<<"$out")" -eq "$3" ] && [ "$(grep -Ec ' 1/1 +Running ' <<<"$out")" -eq "$3" ]
}
nodes_of() { k get pods -n apps -l "$1" -o jsonpath='{range .items[*]}{.spec.nodeName}{"\n"}{end}' | sort | tr '\n' ' '; }
images_of() { k get pods -n apps -l "$1" -o jsonpath='{range .items[*]}{.spec.containers[0].image}{"\n"}{end}' | sort -u | tr '\n' ' '; }

# ---------------- DaemonSet ----------------
k apply -f - >/dev/null <<EOF
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: apps}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: c, image: "busybox:1"}]}
EOF
poll 30 running apps app=agent 3 && pass || fail "daemonset: 3 pods running"
expect "daemonset: one pod per node" '^dsa-0 dsa-1 dsa-2 $' nodes_of app=agent
expect "kubectl get ds" 'agent +3 +3 +3 +3 +3 ' k get ds -n apps agent --no-headers
expect "pods pinned by matchFields" 'metadata.name' k get pods -n apps -l app=agent -o jsonpath='{.items[0].spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].key}'
expect "default tolerations" 'node.kubernetes.io/unschedulable' k get pods -n apps -l app=agent -o jsonpath='{.items[0].spec.tolerations}'
expect "SuccessfulCreate events" 'SuccessfulCreate' k get events -n apps --field-selector involvedObject.kind=DaemonSet

on_a0=$(k get pods -n apps -l app=agent --field-selector spec.nodeName=dsa-0 -o name)
k taint node dsa-0 dedicated=x:NoSchedule >/dev/null
"$SKIFF" sim --kubeconfig "$KCFG" --nodes 1 --name-prefix dsb- >>"$TMP/simb.log" 2>&1 &
SIM_PIDS+=($!)
poll 30 running apps app=agent 4 && pass || fail "daemonset: a new node gets a pod"
expect "the new node's pod" 'dsb-0' nodes_of app=agent
check "NoSchedule taint keeps the running pod" k get -n apps "$on_a0"
expect "tainted node not desired" '^3$' k get ds -n apps agent -o jsonpath='{.status.desiredNumberScheduled}'
k taint node dsa-0 dedicated- >/dev/null

k label node dsa-1 role=edge >/dev/null
k apply -f - >/dev/null <<EOF
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: edge, namespace: apps}
spec:
  selector: {matchLabels: {app: edge}}
  template:
    metadata: {labels: {app: edge}}
    spec: {nodeSelector: {role: edge}, containers: [{name: c, image: x}]}
EOF
poll 30 running apps app=edge 1 && pass || fail "nodeSelector: one pod"
expect "nodeSelector: on the labelled node" '^dsa-1 $' nodes_of app=edge
k label node dsa-2 role=edge >/dev/null
k label node dsa-1 role- >/dev/null
edge_moved() { [ "$(nodes_of app=edge)" = "dsa-2 " ] && running apps app=edge 1; }
poll 30 edge_moved && pass || fail "nodeSelector: follows node labels"

poll 20 running apps app=agent 4
check "ds set image" k set image ds/agent -n apps c=busybox:2
expect "ds rollout status" 'successfully rolled out' timeout 60 "$K" --kubeconfig "$KCFG" rollout status ds/agent -n apps --timeout=55s
expect "ds pods on the new image" '^busybox:2 $' images_of app=agent
expect "ds history has 2 revisions" '^2 ' bash -c "'$K' --kubeconfig '$KCFG' rollout history ds/agent -n apps | grep -E '^[0-9]' | tail -1"
expect "ds history shows a revision's template" 'busybox:1' k rollout history ds/agent -n apps --revision=1
check "ds undo" k rollout undo ds/agent -n apps
expect "ds undo rolled out" 'successfully rolled out' timeout 60 "$K" --kubeconfig "$KCFG" rollout status ds/agent -n apps --timeout=55s
expect "ds undo restored the image" '^busybox:1$' k get ds agent -n apps -o jsonpath='{.spec.template.spec.containers[0].image}'
restored() { [ "$(images_of app=agent)" = "busybox:1 " ] && running apps app=agent 4; }
poll 30 restored && pass || fail "ds pods back on the old image"

# ---------------- StatefulSet ----------------
# A watch records the order of pod events; a marker pod shows when it is established.
k get pods -n apps -l 'app in (web,marker)' -w --no-headers --output-watch-events \
  -o custom-columns='E:.type,N:.object.metadata.name,R:.object.status.conditions[?(@.type=="Ready")].status' \
  >"$TMP/sts.watch" 2>&1 &
k run marker -n apps -l app=marker --image=x >/dev/null
poll 20 grep -q marker "$TMP/sts.watch" || fail "pod watch started"
k delete pod marker -n apps --wait=false >/dev/null
k apply -f - >/dev/null <<EOF
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web, namespace: apps}
spec:
  replicas: 3
  serviceName: web
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: "nginx:1"}]}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
EOF
poll 40 running apps app=web 3 && pass || fail "statefulset: 3 pods running"
expect "stable names" '^web-0 web-1 web-2$' bash -c "'$K' --kubeconfig '$KCFG' get pods -n apps -l app=web -o jsonpath='{.items[*].metadata.name}'"
# OrderedReady: web-(i+1) appears only after web-i was reported Ready.
ordered() {
  awk '{n=$2; r=$3} !(n in first){first[n]=NR} r=="True" && !(n in ready){ready[n]=NR}
       END{exit !(("web-0" in ready) && ("web-1" in ready) && first["web-1"]>ready["web-0"] && first["web-2"]>ready["web-1"])}' "$TMP/sts.watch"
}
poll 10 ordered && pass || { fail "OrderedReady creation order"; cat "$TMP/sts.watch" >&2; }
expect "hostname and subdomain" '^web-1 web$' k get pod web-1 -n apps -o jsonpath='{.spec.hostname} {.spec.subdomain}'
expect "pod labels" 'apps.kubernetes.io/pod-index":"2".*statefulset.kubernetes.io/pod-name":"web-2"' k get pod web-2 -n apps -o jsonpath='{.metadata.labels}'
expect "claims from volumeClaimTemplates" '^data-web-0 data-web-1 data-web-2$' bash -c "'$K' --kubeconfig '$KCFG' get pvc -n apps -o jsonpath='{.items[*].metadata.name}'"
expect "pod uses its claim" '^data-web-1$' k get pod web-1 -n apps -o jsonpath='{.spec.volumes[?(@.name=="data")].persistentVolumeClaim.claimName}'

check "scale sts to 1" k scale sts/web -n apps --replicas=1
poll 30 running apps app=web 1 && pass || fail "scaled down to 1"
scaled_in_order() {
  local d2 d1
  d2=$(grep -n '^DELETED *web-2 ' "$TMP/sts.watch" | head -1 | cut -d: -f1)
  d1=$(grep -n '^DELETED *web-1 ' "$TMP/sts.watch" | head -1 | cut -d: -f1)
  [ -n "$d2" ] && [ -n "$d1" ] && [ "$d2" -lt "$d1" ]
}
poll 10 scaled_in_order && pass || { fail "web-2 removed before web-1"; cat "$TMP/sts.watch" >&2; }
expect "claims are retained" '^data-web-0 data-web-1 data-web-2$' bash -c "'$K' --kubeconfig '$KCFG' get pvc -n apps -o jsonpath='{.items[*].metadata.name}'"
check "scale sts to 3" k scale sts/web -n apps --replicas=3
poll 40 running apps app=web 3 && pass || fail "scaled back to 3"

check "sts set image" k set image sts/web -n apps c=nginx:2
expect "sts rollout status" 'roll(ing update| out) complete:? 3 ' timeout 60 "$K" --kubeconfig "$KCFG" rollout status sts/web -n apps --timeout=55s
expect "sts pods on the new image" '^nginx:2 $' images_of app=web
expect "sts revisions" '^web-[a-z0-9]+ web-[a-z0-9]+$' k get sts web -n apps -o jsonpath='{.status.currentRevision} {.status.updateRevision}'
expect "sts history has 2 revisions" '^2 ' bash -c "'$K' --kubeconfig '$KCFG' rollout history sts/web -n apps | grep -E '^[0-9]' | tail -1"

check "partition 2" k patch sts web -n apps -p '{"spec":{"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":2}}}}'
check "sts set image again" k set image sts/web -n apps c=nginx:3
expect "partitioned rollout" 'partitioned roll out complete' timeout 60 "$K" --kubeconfig "$KCFG" rollout status sts/web -n apps --timeout=55s
poll 20 running apps app=web 3
expect "only ordinals >= 2 updated" '^nginx:2 nginx:2 nginx:3$' k get pods -n apps -l app=web -o jsonpath='{.items[*].spec.containers[0].image}'

uid0=$(k get pod web-0 -n apps -o jsonpath='{.metadata.uid}')
check "delete web-0" k delete pod web-0 -n apps --wait=false
recreated() { u=$(k get pod web-0 -n apps -o jsonpath='{.metadata.uid}' 2>/dev/null) && [ -n "$u" ] && [ "$u" != "$uid0" ] && running apps app=web 3; }
poll 30 recreated && pass || fail "web-0 recreated with the same name"
expect "below the partition at the current revision" '^nginx:2$' k get pod web-0 -n apps -o jsonpath='{.spec.containers[0].image}'

check "sts undo" k rollout undo sts/web -n apps
check "partition 0" k patch sts web -n apps -p '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}'
expect "sts undo rolled out" 'roll(ing update| out) complete:? 3 ' timeout 60 "$K" --kubeconfig "$KCFG" rollout status sts/web -n apps --timeout=55s
expect "sts undo restored the image" '^nginx:2 nginx:2 nginx:2$' k get pods -n apps -l app=web -o jsonpath='{.items[*].spec.containers[0].image}'
# Deletion cascades through the garbage collector; claims are retained (whenDeleted: Retain).
check "delete ds" k delete ds agent -n apps --wait=false
check "delete sts" k delete sts web -n apps --wait=false
cascaded() {
  [ -z "$(k get pods -n apps -l 'app in (agent,web)' -o name 2>/dev/null)" ] &&
    ! k get controllerrevisions -n apps -o name | grep -Eq '/(agent|web)-'
}
poll 30 cascaded && pass || fail "pods and revisions deleted with their owners"
expect "claims outlive the statefulset" '^data-web-0 data-web-1 data-web-2$' bash -c "'$K' --kubeconfig '$KCFG' get pvc -n apps -o jsonpath='{.items[*].metadata.name}'"
finish
