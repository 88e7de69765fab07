#!/usr/bin/env bash
# The tutorial's first steps with every kubectl version: version, discovery, the nginx Pod
# (create, table, wide, describe, defaults, errors, delete), namespaces.
source "$(dirname "$0")/lib.sh"
start_server

i=0
for K in "${KUBECTLS[@]}"; do
  i=$((i+1)); v=$(basename "$K"); ns=basics$i
  k() { "$K" --kubeconfig "$KCFG" "$@"; }
  expect "$v version" 'Server Version.*v1\.32' k version
  expect "$v api-resources short names" 'po +v1 +true +Pod' k api-resources
  expect "$v api-resources apps" 'deploy +apps/v1 +true +Deployment' k api-resources
  expect "$v api-resources batch" 'cj +batch/v1 +true +CronJob' k api-resources
  expect "$v system namespaces" 'kube-node-lease' k get ns
  expect "$v kube-system empty" 'No resources found' k get pods -n kube-system
  expect "$v create namespace" "namespace/$ns created" k create namespace $ns
  expect "$v tutorial pod" 'pod/nginx created' k create -n $ns -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: nginx
spec:
  containers:
  - name: nginx
    image: nginx
EOF
  expect "$v table" '^nginx +0/1 +Pending +0 +[0-9]+s' k get pods -n $ns --no-headers
  expect "$v wide" 'NOMINATED NODE +READINESS GATES' k get pods -n $ns -o wide
  expect "$v describe" 'Image: +nginx' k describe pod nginx -n $ns
  expect "$v describe qos" 'QoS Class: +BestEffort' k describe pod nginx -n $ns
  expect "$v defaults" '^Always ClusterFirst 30 default-scheduler Always$' \
    k get pod nginx -n $ns -o jsonpath='{.spec.containers[0].imagePullPolicy} {.spec.dnsPolicy} {.spec.terminationGracePeriodSeconds} {.spec.schedulerName} {.spec.restartPolicy}'
  expect "$v system fields" '^[0-9a-f-]{36} [0-9]+ 20[0-9-]+T' \
    k get pod nginx -n $ns -o jsonpath='{.metadata.uid} {.metadata.resourceVersion} {.metadata.creationTimestamp}'
  expect "$v tagged image pull policy" 'IfNotPresent' k run tagged -n $ns --image=nginx:1.25 --dry-run=server -o jsonpath='{.spec.containers[0].imagePullPolicy}'
  expect "$v dry run stored nothing" 'NotFound' k get pod tagged -n $ns
  expect "$v already exists" 'AlreadyExists.*pods "nginx" already exists' k create -n $ns -f - <<EOF
{"apiVersion":"v1","kind":"Pod","metadata":{"name":"nginx"},"spec":{"containers":[{"name":"nginx","image":"nginx"}]}}
EOF
  expect "$v invalid names the field" 'The Pod "noimage" is invalid: spec.containers\[0\].image: Required value' k create -n $ns -f - <<EOF
{"apiVersion":"v1","kind":"Pod","metadata":{"name":"noimage"},"spec":{"containers":[{"name":"c"}]}}
EOF
  expect "$v invalid name" 'metadata.name: Invalid value: "Bad_Name"' k create -n $ns -f - <<EOF
{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"Bad_Name"}}
EOF
  expect "$v generateName" '^pod/gen-[a-z0-9]{5} created' k create -n $ns -f - <<EOF
{"apiVersion":"v1","kind":"Pod","metadata":{"generateName":"gen-"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}
EOF
  expect "$v strict field validation" 'unknown field "spce"' k create -n $ns -f - <<EOF
{"apiVersion":"v1","kind":"Pod","metadata":{"name":"typo"},"spce":{}}
EOF
  expect "$v unscheduled delete is immediate" 'pod "nginx" deleted' k delete pod nginx -n $ns
  expect "$v not found" 'NotFound.*pods "nginx" not found' k get pod nginx -n $ns
  expect "$v no create in missing namespace" "NotFound.*namespaces \"nope-$i\" not found" \
    k create -n nope-$i -f - <<EOF
{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}
EOF
  expect "$v delete namespace" "namespace \"$ns\" deleted" k delete namespace $ns --wait=false
  gone() { "$K" --kubeconfig "$KCFG" get ns "$1" 2>&1 | grep -q NotFound; }
  if poll 30 gone $ns; then pass; else fail "$v namespace finalized"; fi
done
expect "system namespace cannot be deleted" 'Forbidden' k delete namespace kube-system
expect "kubernetes service" '^10\.96\.0\.1 443$' k get svc kubernetes -o jsonpath='{.spec.clusterIP} {.spec.ports[0].port}'
finish
