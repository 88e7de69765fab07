#!/usr/bin/env bash
# Declarative workflows with every kubectl version: apply (create, unchanged, 3-way merge), scale,
# the three patch types, labels and selectors, services with ClusterIPs, configmaps, secrets,
# status and scale subresources, generation.
source "$(dirname "$0")/lib.sh"
start_server --disable-controllers --disable-scheduler

i=0
for K in "${KUBECTLS[@]}"; do
  i=$((i+1)); v=$(basename "$K"); ns=work$i
  k() { "$K" --kubeconfig "$KCFG" "$@"; }
  k create namespace $ns >/dev/null
  cat >"$TMP/dep$i.yaml" <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: nginx, ports: [{containerPort: 80}]}
      - {name: side, image: busybox}
EOF
  expect "$v apply create" 'deployment.apps/web created' k apply -n $ns -f "$TMP/dep$i.yaml"
  expect "$v generation 1" '^1$' k get deploy web -n $ns -o jsonpath='{.metadata.generation}'
  expect "$v apply unchanged" 'deployment.apps/web unchanged' k apply -n $ns -f "$TMP/dep$i.yaml"
  sed -i 's/image: busybox}/image: busybox:1.36}/' "$TMP/dep$i.yaml"
  expect "$v apply configured" 'deployment.apps/web configured' k apply -n $ns -f "$TMP/dep$i.yaml"
  expect "$v apply kept both containers" '^nginx busybox:1.36$' k get deploy web -n $ns -o jsonpath='{.spec.template.spec.containers[*].image}'
  expect "$v generation bumped by spec" '^2$' k get deploy web -n $ns -o jsonpath='{.metadata.generation}'
  expect "$v label" 'labeled' k label deploy web -n $ns tier=front
  expect "$v generation not bumped by labels" '^2$' k get deploy web -n $ns -o jsonpath='{.metadata.generation}'
  expect "$v annotate" 'annotated?' k annotate deploy web -n $ns note=hello
  expect "$v scale" 'deployment.apps/web scaled' k scale deploy/web -n $ns --replicas=5
  expect "$v scale took" '^5$' k get deploy web -n $ns -o jsonpath='{.spec.replicas}'
  expect "$v scale subresource" '"kind":"Scale".*"replicas":5' k get --raw /apis/apps/v1/namespaces/$ns/deployments/web/scale
  expect "$v defaults" '^25% 25% 10 600$' k get deploy web -n $ns -o jsonpath='{.spec.strategy.rollingUpdate.maxSurge} {.spec.strategy.rollingUpdate.maxUnavailable} {.spec.revisionHistoryLimit} {.spec.progressDeadlineSeconds}'
  expect "$v strategic patch" 'patched' k patch deploy web -n $ns -p '{"spec":{"template":{"spec":{"containers":[{"name":"side","image":"busybox:2"}]}}}}'
  expect "$v strategic merged by name" '^nginx busybox:2$' k get deploy web -n $ns -o jsonpath='{.spec.template.spec.containers[*].image}'
  expect "$v merge patch" 'patched' k patch deploy web -n $ns --type=merge -p '{"metadata":{"labels":{"merged":"yes"}}}'
  expect "$v json patch" 'patched' k patch deploy web -n $ns --type=json -p '[{"op":"replace","path":"/spec/replicas","value":3}]'
  expect "$v json patch took" '^3 yes$' k get deploy web -n $ns -o jsonpath='{.spec.replicas} {.metadata.labels.merged}'
  expect "$v invalid patch is 422" 'Invalid|invalid' k patch deploy web -n $ns --type=json -p '[{"op":"replace","path":"/spec/replicas","value":-1}]'
  expect "$v set selector" '^web$' k get deploy -n $ns -l 'tier in (front,back),app' -o custom-columns=N:.metadata.name --no-headers
  expect "$v notin selector" 'No resources found' k get deploy -n $ns -l 'tier notin (front)'
  expect "$v not-exists selector" 'No resources found' k get deploy -n $ns -l '!tier'
  expect "$v != selector" '^web' k get deploy -n $ns -l 'tier!=back' --no-headers
  expect "$v deploy wide" 'web,side +nginx,busybox:2 +app=web' k get deploy -n $ns -o wide
  expect "$v service clusterip" '^10\.(9[6-9]|10[0-9]|11[01])\.' k create service clusterip web -n $ns --tcp=80:8080 -o jsonpath='{.spec.clusterIP}'
  expect "$v service table" 'web +ClusterIP +10\.[0-9.]+ +<none> +80/TCP' k get svc web -n $ns
  expect "$v service targetPort" '^8080$' k get svc web -n $ns -o jsonpath='{.spec.ports[0].targetPort}'
  expect "$v nodeport" '^3[0-2][0-9]{3}$' k create service nodeport np -n $ns --tcp=80:80 -o jsonpath='{.spec.ports[0].nodePort}'
  expect "$v configmap" 'configmap/c1 created' k create configmap c1 -n $ns --from-literal=a=b
  expect "$v secret" 'secret/s1 created' k create secret generic s1 -n $ns --from-literal=p=q
  expect "$v secret data base64" '^cQ==$' k get secret s1 -n $ns -o jsonpath='{.data.p}'
  expect "$v get many kinds" 'deployment.apps/web' k get deploy,rs,svc,cm,secret -n $ns -o name
  expect "$v get all" 'service/web' k get all -n $ns
  expect "$v replace" 'replaced' bash -c "'$K' --kubeconfig '$KCFG' get cm c1 -n $ns -o yaml | sed 's/a: b/a: c/' | '$K' --kubeconfig '$KCFG' replace -f -"
  expect "$v replace took" '^c$' k get cm c1 -n $ns -o jsonpath='{.data.a}'
  expect "$v delete deployment" 'deleted' k delete deploy web -n $ns
done

# ClusterIPs are released on delete: a freed address can be asked for again.
k() { /usr/bin/kubectl --kubeconfig "$KCFG" "$@"; }
k create namespace ips >/dev/null
ip=$(k create service clusterip a -n ips --tcp=80:80 -o jsonpath='{.spec.clusterIP}')
expect "taken clusterIP refused" 'already allocated' k create -n ips -f - <<EOF
{"apiVersion":"v1","kind":"Service","metadata":{"name":"b"},"spec":{"clusterIP":"$ip","ports":[{"port":80}]}}
EOF
k delete svc a -n ips >/dev/null
expect "freed clusterIP reusable" "^$ip\$" k create -n ips -o jsonpath='{.spec.clusterIP}' -f - <<EOF
{"apiVersion":"v1","kind":"Service","metadata":{"name":"b"},"spec":{"clusterIP":"$ip","ports":[{"port":80}]}}
EOF
expect "clusterIP immutable" 'Invalid' k patch svc b -n ips --type=merge -p '{"spec":{"clusterIP":"10.96.100.100"}}'

# Status subresource: the main resource ignores status, /status ignores spec.
k create -n ips -f - >/dev/null <<EOF
{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"x"}]}}}}
EOF
api PATCH /apis/apps/v1/namespaces/ips/deployments/d -H 'Content-Type: application/merge-patch+json' -d '{"status":{"replicas":7}}' >/dev/null
expect "main resource ignores status" '^$' k get deploy d -n ips -o jsonpath='{.status.replicas}'
api PATCH /apis/apps/v1/namespaces/ips/deployments/d/status -H 'Content-Type: application/merge-patch+json' -d '{"status":{"replicas":7},"spec":{"replicas":9}}' >/dev/null
expect "status subresource writes status only" '^7 1$' k get deploy d -n ips -o jsonpath='{.status.replicas} {.spec.replicas}'
expect "status write keeps generation" '^1$' k get deploy d -n ips -o jsonpath='{.metadata.generation}'
expect "stale resourceVersion is 409" '"code":409' api PUT /apis/apps/v1/namespaces/ips/deployments/d -H 'Content-Type: application/json' \
  -d '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","resourceVersion":"1"},"spec":{"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"x"}]}}}}'
expect "immutable selector" 'field is immutable' k patch deploy d -n ips --type=merge -p '{"spec":{"selector":{"matchLabels":{"a":"c"}},"template":{"metadata":{"labels":{"a":"c"}}}}}'
finish
