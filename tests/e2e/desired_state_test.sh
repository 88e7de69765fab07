#!/usr/bin/env bash
# Desired state on simulated nodes: the embedded scheduler and controllers turn a Deployment
# into Running pods spread over `skiff sim` nodes, scale it, roll it out and back, replace
# deleted pods, and respect resources, nodeSelector, taints and anti-affinity.
source "$(dirname "$0")/lib.sh"
start_server
K=/usr/bin/kubectl
k() { "$K" --kubeconfig "$KCFG" "$@"; }
"$SKIFF" sim --kubeconfig "$KCFG" --nodes 3 --name-prefix sima- >>"$TMP/sim.log" 2>&1 &
"$SKIFF" sim --kubeconfig "$KCFG" --nodes 2 --name-prefix simb- --cpu 1 >>"$TMP/simb.log" 2>&1 &
ready_nodes() { [ "$(k get nodes --no-headers 2>/dev/null | grep -c ' Ready')" -eq 5 ]; }
poll 30 ready_nodes && pass || fail "5 sim nodes Ready"
running() { [ "$(k get pods -n "$1" -l "$2" --field-selector=status.phase=Running --no-headers 2>/dev/null | wc -l)" -eq "$3" ]; }
count() { [ "$(k get pods -n "$1" -l "$2" --no-headers 2>/dev/null | wc -l)" -eq "$3" ]; }

k create namespace app >/dev/null
check "create deployment" k create deployment web -n app --image=nginx:1 --replicas=3
poll 30 running app app=web 3 && pass || fail "3 replicas running"
expect "spread over nodes" '^[3-5]$' bash -c "'$K' --kubeconfig '$KCFG' get pods -n app -l app=web -o jsonpath='{range .items[*]}{.spec.nodeName}{\"\\n\"}{end}' | sort -u | wc -l"
expect "replicaset owned by the deployment" 'Deployment' k get rs -n app -o jsonpath='{.items[0].metadata.ownerReferences[0].kind}'
expect "scheduled event" 'Successfully assigned app/web-' k get events -n app
check "scale to 10" k scale deploy/web -n app --replicas=10
poll 30 running app app=web 10 && pass || fail "10 replicas running"
check "scale to 4" k scale deploy/web -n app --replicas=4
poll 30 count app app=web 4 && pass || fail "scaled down to 4"
check "set image" k set image deploy/web -n app nginx=nginx:2
expect "rollout status" 'successfully rolled out' timeout 60 "$K" --kubeconfig "$KCFG" rollout status deploy/web -n app --timeout=55s
new_image() { [ "$(k get pods -n app -l app=web -o jsonpath='{range .items[*]}{.spec.containers[0].image} {end}')" = "nginx:2 nginx:2 nginx:2 nginx:2 " ]; }
poll 30 new_image && pass || fail "all pods on the new image"
expect "history has 2 revisions" '^2 ' bash -c "'$K' --kubeconfig '$KCFG' rollout history deploy/web -n app | grep -E '^[0-9]' | tail -1"
check "undo" k rollout undo deploy/web -n app
expect "undo rolled out" 'successfully rolled out' timeout 60 "$K" --kubeconfig "$KCFG" rollout status deploy/web -n app --timeout=55s
expect "undo restored the image" '^nginx:1$' k get deploy web -n app -o jsonpath='{.spec.template.spec.containers[0].image}'
poll 30 count app app=web 4
victim=$(k get pods -n app -l app=web -o jsonpath='{.items[0].metadata.name}')
k delete pod "$victim" -n app --wait=false >/dev/null
healed() { running app app=web 4 && ! k get pod "$victim" -n app >/dev/null 2>&1; }
poll 30 healed && pass || fail "a deleted pod is replaced"

# Scheduling rules.
k run big -n app --image=x --overrides='{"spec":{"containers":[{"name":"big","image":"x","resources":{"requests":{"cpu":"64"}}}]}}' >/dev/null
insufficient() { k get events -n app --field-selector involvedObject.name=big | grep -q '0/5 nodes are available: 5 Insufficient cpu'; }
poll 30 insufficient && pass || fail "a pod that fits nowhere gets FailedScheduling"
expect "and stays Pending" 'Pending' k get pod big -n app --no-headers
k label node sima-0 disk=ssd --overwrite >/dev/null
k run picky -n app --image=x --overrides='{"spec":{"nodeSelector":{"disk":"ssd"},"containers":[{"name":"picky","image":"x"}]}}' >/dev/null
on_ssd() { [ "$(k get pod picky -n app -o jsonpath='{.spec.nodeName}')" = sima-0 ]; }
poll 20 on_ssd && pass || fail "nodeSelector"
k taint nodes -l 'disk!=ssd' dedicated=x:NoSchedule >/dev/null
k create deployment tainted -n app --image=x --replicas=3 >/dev/null
all_on_ssd() { [ "$(k get pods -n app -l app=tainted -o jsonpath='{range .items[*]}{.spec.nodeName}{"\n"}{end}' | grep -c '^sima-0$')" -eq 3 ]; }
poll 20 all_on_ssd && pass || fail "taints respected"
k taint nodes -l 'disk!=ssd' dedicated- >/dev/null
k apply -f - >/dev/null <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: anti, namespace: app}
spec:
  replicas: 5
  selector: {matchLabels: {app: anti}}
  template:
    metadata: {labels: {app: anti}}
    spec:
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector: {matchLabels: {app: anti}}
            topologyKey: kubernetes.io/hostname
      containers: [{name: c, image: x}]
EOF
poll 30 running app app=anti 5 && pass || fail "anti-affinity: 5 pods running"
expect "anti-affinity: one per node" '^5$' bash -c "'$K' --kubeconfig '$KCFG' get pods -n app -l app=anti -o jsonpath='{range .items[*]}{.spec.nodeName}{\"\\n\"}{end}' | sort -u | wc -l"
check "scale anti to 6" k scale deploy/anti -n app --replicas=6
sixth() { k get events -n app | grep -q "didn't match pod anti-affinity rules"; }
poll 30 sixth && pass || fail "the sixth anti-affinity pod cannot be placed"
expect "and stays Pending" '^1$' bash -c "'$K' --kubeconfig '$KCFG' get pods -n app -l app=anti --field-selector=status.phase=Pending --no-headers | wc -l"

# Cascading deletes through the garbage collector.
check "delete deployment" k delete deploy web -n app
gone() { ! k get rs -n app -o name | grep -q web- && [ "$(k get pods -n app -l app=web --no-headers 2>/dev/null | wc -l)" -eq 0 ]; }
poll 30 gone && pass || fail "background deletion removes the replicasets and pods"
finish
