#!/usr/bin/env bash
# Services and namespaces on simulated nodes: the Endpoints and EndpointSlice controllers follow
# a Deployment's pods (target ports by number and by name, readiness, scaling, terminating pods,
# deletion), the API server keeps the `kubernetes` service's endpoints, every namespace gets a
# `default` ServiceAccount, and the namespace controller empties and finalizes a deleted
# namespace (held by a finalizer until it is removed).
source "$(dirname "$0")/lib.sh"
start_server
K=/usr/bin/kubectl
k() { "$K" --kubeconfig "$KCFG" "$@"; }
"$SKIFF" sim --kubeconfig "$KCFG" --nodes 2 --name-prefix svc- >>"$TMP/sim.log" 2>&1 &
nodes_ready() { [ "$(k get nodes --no-headers 2>/dev/null | grep -c ' Ready')" -eq 2 ]; }
poll 30 nodes_ready && pass || fail "2 sim nodes Ready"

# --- The API server's own endpoints for the `kubernetes` service.
expect "kubernetes endpoints name the server" "^kubernetes +127\.0\.0\.1:$PORT " k get endpoints kubernetes --no-headers
expect "kubernetes endpoints port is https" "^https:$PORT:TCP$" k get endpoints kubernetes -o jsonpath='{.subsets[0].ports[0].name}:{.subsets[0].ports[0].port}:{.subsets[0].ports[0].protocol}'
expect "kubernetes endpointslice" "^IPv4 127\.0\.0\.1 https:$PORT kubernetes true$" k get endpointslice kubernetes -o jsonpath='{.addressType} {.endpoints[0].addresses[0]} {.ports[0].name}:{.ports[0].port} {.metadata.labels.kubernetes\.io/service-name} {.endpoints[0].conditions.ready}'
expect "describe svc kubernetes shows its endpoints" "Endpoints: +127\.0\.0\.1:$PORT" k describe svc kubernetes
k delete endpoints kubernetes >/dev/null
ep_back() { k get endpoints kubernetes --no-headers | grep -q "127.0.0.1:$PORT"; }
poll 20 ep_back && pass || fail "deleted kubernetes endpoints come back"

# --- ServiceAccounts.
poll 10 k get sa default -n default && pass || fail "default serviceaccount in default"
poll 10 k get sa default -n kube-system && pass || fail "default serviceaccount in kube-system"
k create namespace fresh >/dev/null
poll 10 k get sa default -n fresh && pass || fail "a new namespace gets a default serviceaccount"
old_uid=$(k get sa default -n fresh -o jsonpath='{.metadata.uid}')
k delete sa default -n fresh >/dev/null
sa_back() { u=$(k get sa default -n fresh -o jsonpath='{.metadata.uid}' 2>/dev/null) && [ -n "$u" ] && [ "$u" != "$old_uid" ]; }
poll 10 sa_back && pass || fail "a deleted default serviceaccount is recreated"

# --- A deployment of 3 exposed on port 80 -> 8080.
k apply -f - >/dev/null <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, tier: front}}
    spec:
      containers: [{name: c, image: nginx, ports: [{name: http, containerPort: 8080}]}]
EOF
running() { [ "$(k get pods -l "$1" --field-selector=status.phase=Running --no-headers 2>/dev/null | wc -l)" -eq "$2" ]; }
poll 30 running app=web 3 && pass || fail "3 web pods running"
check "expose" k expose deploy web --port=80 --target-port=8080
pod_ips() { k get pods -l "$1" -o jsonpath='{range .items[*]}{.status.podIP}{"\n"}{end}' | sort; }
ep_ips() { k get endpoints "$1" -o jsonpath="{range .subsets[*].$2[*]}{.ip}{\"\\n\"}{end}" 2>/dev/null | sort; }
ep_has() { [ "$(ep_ips "$1" addresses | grep -c .)" -eq "$2" ] && [ "$(ep_ips "$1" notReadyAddresses | grep -c .)" -eq "${3:-0}" ]; }
poll 20 ep_has web 3 && pass || fail "endpoints of web list 3 ready addresses"
check "the addresses are the pods' IPs" test "$(ep_ips web addresses)" = "$(pod_ips app=web)"
expect "kubectl get endpoints shows IP:8080 x3" '^web +[0-9.]+:8080,[0-9.]+:8080,[0-9.]+:8080 ' k get endpoints web --no-headers
expect "describe svc shows the endpoints" 'Endpoints: +[0-9.]+:8080,[0-9.]+:8080,[0-9.]+:8080' k describe svc web
expect "targetRef names a pod" '^Pod web-[a-z0-9]+-[a-z0-9]+ svc-[01]$' k get endpoints web -o jsonpath='{.subsets[0].addresses[0].targetRef.kind} {.subsets[0].addresses[0].targetRef.name} {.subsets[0].addresses[0].nodeName}'

# EndpointSlices of web.
slices() { k get endpointslices -l "kubernetes.io/service-name=$1" -o name 2>/dev/null; }
slice_eps() { k get endpointslices -l "kubernetes.io/service-name=$1" -o jsonpath='{range .items[*].endpoints[*]}{.addresses[0]} {.conditions.ready} {.conditions.serving} {.conditions.terminating}{"\n"}{end}' 2>/dev/null; }
slice_count() { [ "$(slice_eps "$1" | grep -c .)" -eq "$2" ]; }
poll 20 slice_count web 3 && pass || fail "the endpointslice of web has 3 endpoints"
expect "one slice named web-xxxxx" '^endpointslice.discovery.k8s.io/web-[a-z0-9]{5}$' slices web
S=$(slices web | head -1 | cut -d/ -f2)
expect "slice labels" "^endpointslice-controller\.k8s\.io web$" k get endpointslice "$S" -o jsonpath='{.metadata.labels.endpointslice\.kubernetes\.io/managed-by} {.metadata.labels.kubernetes\.io/service-name}'
expect "slice owned by the service" "^Service web true $(k get svc web -o jsonpath='{.metadata.uid}')$" k get endpointslice "$S" -o jsonpath='{.metadata.ownerReferences[0].kind} {.metadata.ownerReferences[0].name} {.metadata.ownerReferences[0].controller} {.metadata.ownerReferences[0].uid}'
expect "slice addressType and port" '^IPv4  8080 TCP Pod$' k get endpointslice "$S" -o jsonpath='{.addressType} {.ports[0].name} {.ports[0].port} {.ports[0].protocol} {.endpoints[0].targetRef.kind}'
expect "kubectl get endpointslices" "^$S +IPv4 +8080 +[0-9.]+,[0-9.]+,[0-9.]+ " k get endpointslices "$S" --no-headers
check "all slice endpoints ready" test "$(slice_eps web | awk '{print $2,$3,$4}' | sort -u)" = "true true false"

# A named targetPort resolves in each pod; pods with another number for the name go apart.
check "expose with a named target port" k expose deploy web --name=named --port=80 --target-port=http --selector=tier=front
k apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: odd, labels: {tier: front}}
spec:
  containers: [{name: c, image: nginx, ports: [{name: http, containerPort: 9090}]}]
EOF
poll 30 running tier=front 4 && pass || fail "the odd pod runs"
two_subsets() { [ "$(k get endpoints named -o jsonpath='{range .subsets[*]}{.ports[0].port}={range .addresses[*]}x{end}{"\n"}{end}' | sort | tr '\n' ' ')" = "8080=xxx 9090=x " ]; }
poll 20 two_subsets && pass || fail "named port: 3 pods on 8080 and the odd one on 9090 in two subsets ($(k get endpoints named --no-headers 2>&1))"
two_slices() { [ "$(k get endpointslices -l kubernetes.io/service-name=named -o jsonpath='{range .items[*]}{.ports[0].port}:{range .endpoints[*]}x{end}{"\n"}{end}' | sort | tr '\n' ' ')" = "8080:xxx 9090:x " ]; }
poll 20 two_slices && pass || fail "named port: two slices, by port number"

# A terminating pod (held by a finalizer) leaves Endpoints but stays in its slice, terminating.
k patch pod odd --type=merge -p '{"metadata":{"finalizers":["example.com/hold"]}}' >/dev/null
k delete pod odd --wait=false >/dev/null
odd_ip=$(k get pod odd -o jsonpath='{.status.podIP}')
odd_gone_from_ep() { ! ep_ips named addresses | grep -qx "$odd_ip" && ! ep_ips named notReadyAddresses | grep -qx "$odd_ip"; }
poll 20 odd_gone_from_ep && pass || fail "a terminating pod leaves the Endpoints"
odd_terminating() { slice_eps named | grep -qx "$odd_ip false true true"; }
poll 20 odd_terminating && pass || fail "a terminating pod stays in its slice: ready=false serving=true terminating=true ($(slice_eps named | tr '\n' ';'))"
k patch pod odd --type=json -p '[{"op":"remove","path":"/metadata/finalizers"}]' >/dev/null

# Readiness: a pod whose Ready condition turns False moves to notReadyAddresses.
P=$(k get pods -l app=web -o jsonpath='{.items[0].metadata.name}')
PIP=$(k get pod "$P" -o jsonpath='{.status.podIP}')
check "mark a pod not ready" k patch pod "$P" --subresource=status --type=strategic -p '{"status":{"conditions":[{"type":"Ready","status":"False"}]}}'
poll 20 ep_has web 2 1 && pass || fail "the not-ready pod is under notReadyAddresses"
check "the not-ready address is that pod's" test "$(ep_ips web notReadyAddresses)" = "$PIP"
not_ready_in_slice() { slice_eps web | grep -qx "$PIP false false false"; }
poll 20 not_ready_in_slice && pass || fail "its slice endpoint has ready=false ($(slice_eps web | tr '\n' ';'))"

# Scale to 1: one address left.
check "scale to 1" k scale deploy web --replicas=1
poll 30 ep_has web 1 && pass || fail "scaled to 1: one address ($(k get endpoints web --no-headers))"
poll 20 slice_count web 1 && pass || fail "scaled to 1: one slice endpoint"

# A service that selects nothing keeps an empty placeholder slice and empty Endpoints.
k create service clusterip nobody --tcp=80:80 >/dev/null
poll 20 k get endpoints nobody && pass || fail "endpoints of a service without pods"
expect "it has no subsets" '^$' k get endpoints nobody -o jsonpath='{.subsets}'
one_placeholder() { [ "$(slices nobody | wc -l)" -eq 1 ] && [ -z "$(slice_eps nobody)" ]; }
poll 20 one_placeholder && pass || fail "a placeholder slice without endpoints"

# A service without selector: Endpoints are the user's.
k create -f - >/dev/null <<EOF
{"apiVersion":"v1","kind":"Service","metadata":{"name":"manual"},"spec":{"ports":[{"port":80}]}}
EOF
k create -f - >/dev/null <<EOF
{"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"manual"},"subsets":[{"addresses":[{"ip":"192.0.2.7"}],"ports":[{"port":80}]}]}
EOF
expect "user-managed endpoints stay" '^manual +192\.0\.2\.7:80 ' k get endpoints manual --no-headers
expect "and get no controller slices" '^$' slices manual

# Deleting the service removes its Endpoints and (through the garbage collector) its slices.
check "delete service web" k delete svc web
ep_gone() { k get endpoints web 2>&1 | grep -q NotFound; }
poll 20 ep_gone && pass || fail "the endpoints of a deleted service go"
no_slices() { [ -z "$(slices web)" ]; }
poll 20 no_slices && pass || fail "the slices of a deleted service go"

# --- Namespace deletion: content deleted, finalizer-held objects keep the namespace.
k create namespace doomed >/dev/null
k create -n doomed -f - >/dev/null <<EOF
{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"held","finalizers":["example.com/hold"]}}
EOF
k create configmap plain -n doomed >/dev/null
k create deployment d -n doomed --image=nginx --replicas=2 >/dev/null
k create service clusterip s -n doomed --tcp=80:80 >/dev/null
expect "delete namespace" 'namespace "doomed" deleted' k delete namespace doomed --wait=false
in_doomed() { api GET /api/v1/configmaps | jq -r '.items[] | select(.metadata.namespace=="doomed") | "\(.metadata.name) \(.metadata.deletionTimestamp != null)"'; }
ns_gone() { k get ns doomed 2>&1 | grep -q NotFound; }
only_held() { [ "$(in_doomed)" = "held true" ]; }
settled() { ns_gone || only_held; }
poll 30 settled
check "namespace deletion deletes its contents and marks held objects ($(in_doomed | tr '\n' ' '))" only_held
nothing_else() { [ -z "$(k get deploy,rs,pods,svc,endpoints,endpointslices,sa -n doomed --no-headers 2>/dev/null)" ]; }
poll 30 nothing_else && pass || fail "the rest of the namespace's content is gone ($(k get all -n doomed --no-headers 2>&1 | head -3))"
expect "namespace waits for the held object" '^doomed +Terminating' k get ns doomed --no-headers
cond() { k get ns doomed -o jsonpath="{.status.conditions[?(@.type==\"$1\")].status} {.status.conditions[?(@.type==\"$1\")].reason}: {.status.conditions[?(@.type==\"$1\")].message}"; }
remaining_cond() { cond NamespaceContentRemaining | grep -q '^True SomeResourcesRemain: Some resources are remaining: configmaps\. has 1 resource instances$'; }
poll 10 remaining_cond && pass || fail "NamespaceContentRemaining condition ($(cond NamespaceContentRemaining))"
expect "NamespaceFinalizersRemaining condition" '^True SomeFinalizerRemain: Some finalizers are remaining: example\.com/hold in 1 resource instances$' cond NamespaceFinalizersRemaining
expect "NamespaceDeletionContentFailure is False" '^False ContentDeleted: ' cond NamespaceDeletionContentFailure
expect "NamespaceDeletionDiscoveryFailure is False" '^False ResourcesDiscovered: ' cond NamespaceDeletionDiscoveryFailure
k patch cm held -n doomed --type=json -p '[{"op":"remove","path":"/metadata/finalizers"}]' >/dev/null 2>&1
poll 30 ns_gone && pass || fail "namespace disappears once its content is gone"
none_left() { [ -z "$(in_doomed)" ]; }
check "no objects left in the deleted namespace" none_left
expect "an empty namespace goes at once" 'namespace "fresh" deleted' k delete namespace fresh --timeout=30s

finish
