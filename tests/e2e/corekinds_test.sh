#!/usr/bin/env bash
# The core kinds kubectl's own commands assume: ReplicationController (with its controller),
# PodTemplate, ComponentStatus; so `kubectl apply --prune` and `kubectl cluster-info dump` work.
source "$(dirname "$0")/lib.sh"
start_server
for K in "${KUBECTLS[@]}"; do
  v=$(basename "$K"); ns=ck-${v//./-}
  k() { "$K" --kubeconfig "$KCFG" "$@"; }
  k create ns $ns >/dev/null
  cat >"$TMP/rc.yaml" <<EOF2
apiVersion: v1
kind: ReplicationController
metadata: {name: web}
spec:
  replicas: 2
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: busybox}]}
EOF2
  check "$v create rc" k create -n $ns -f "$TMP/rc.yaml"
  expect "$v selector defaulted from the template" '^app=web$' k get rc web -n $ns -o jsonpath='{range .spec.selector}{@}{end}' --template='{{range $k,$v := .spec.selector}}{{$k}}={{$v}}{{end}}' -o go-template
  two() { [ "$(k get pods -n $ns -l app=web --no-headers 2>/dev/null | wc -l)" = 2 ]; }
  poll 30 two && pass || fail "$v rc made its pods"
  owner() { k get pods -n $ns -l app=web -o jsonpath='{.items[0].metadata.ownerReferences[0].kind}' | grep -q '^ReplicationController$'; }
  poll 10 owner && pass || fail "$v pods owned by the rc"
  expect "$v rc table" '^web +2 +2 +0 ' k get rc web -n $ns --no-headers
  check "$v scale rc" k scale rc web -n $ns --replicas=1
  one() { [ "$(k get pods -n $ns -l app=web --no-headers 2>/dev/null | grep -vc Terminating)" = 1 ]; }
  poll 30 one && pass || fail "$v rc scaled down"
  expect "$v rc validation" 'selector. does not match template .labels' bash -c "sed 's/name: web/name: bad/; s/replicas: 2/replicas: 1\n  selector: {app: other}/' '$TMP/rc.yaml' | '$K' --kubeconfig '$KCFG' create -n $ns -f - 2>&1"
  printf 'apiVersion: v1\nkind: PodTemplate\nmetadata: {name: pt}\ntemplate:\n  metadata: {labels: {a: b}}\n  spec: {containers: [{name: c, image: busybox}]}\n' >"$TMP/pt.yaml"
  check "$v create podtemplate" k create -n $ns -f "$TMP/pt.yaml"
  expect "$v podtemplate defaulted" '^IfNotPresent$|^Always$' k get podtemplate pt -n $ns -o jsonpath='{.template.spec.containers[0].imagePullPolicy}'
  expect "$v get cs" 'etcd-0 +Healthy +ok' k get cs
  expect "$v cs scheduler" 'scheduler +Healthy' k get componentstatuses
  # apply --prune lists every kind with the label, the core ones included
  printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, labels: {set: p}}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, labels: {set: p}}\n' >"$TMP/prune.yaml"
  check "$v apply set" k apply -n $ns -l set=p -f "$TMP/prune.yaml" --prune
  printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, labels: {set: p}}\n' >"$TMP/prune.yaml"
  expect "$v apply --prune" 'configmap/b pruned' k apply -n $ns -l set=p -f "$TMP/prune.yaml" --prune
  check "$v cluster-info dump" k cluster-info dump --namespaces $ns --output-directory "$TMP/dump-$v"
  expect "$v dump has the rc" 'web' cat "$TMP/dump-$v/$ns/replication-controllers.json"
done
finish
