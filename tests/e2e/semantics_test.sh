#!/usr/bin/env bash
# Upstream Kubernetes API semantics: pagination and continue tokens, label and field selectors,
# resourceVersion on lists, finalizers, graceful pod deletion and the binding subresource,
# delete preconditions, deletecollection, server-side dry run, propagation policy, namespace
# lifecycle, generation, ClusterIPs from --service-cidr, events shown by describe.
source "$(dirname "$0")/lib.sh"
start_server --disable-controllers  # no garbage collector: finalizers stay visible
K0=/usr/bin/kubectl
k() { "$K0" --kubeconfig "$KCFG" "$@"; }

# --- Pagination: 620 objects from one multi-document file; kubectl pages with limit=500.
k create namespace pg >/dev/null
/usr/bin/python3 - >"$TMP/many.yaml" <<'EOF'
for i in range(620):
    print("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%04d\ndata:\n  i: \"%d\"" % (i, i))
EOF
expect "create 620 from one file" '^620$' bash -c "'$K0' --kubeconfig '$KCFG' create -n pg -f '$TMP/many.yaml' | grep -c 'created\$'"
for K in "${KUBECTLS[@]}"; do
  expect "$(basename "$K") get pages through 620" '^620$' bash -c "'$K' --kubeconfig '$KCFG' get cm -n pg --no-headers | wc -l"
done
expect "kubectl --chunk-size pages too" '^620$' bash -c "'$K0' --kubeconfig '$KCFG' get cm -n pg --chunk-size=100 -o name | sort -u | wc -l"
page=$(api GET '/api/v1/namespaces/pg/configmaps?limit=100')
expect "limit=100 returns 100 items" '^100$' jq '.items | length' <<<"$page"
expect "limit=100 has continue and remainingItemCount 520" '^true 520$' jq -r '"\(.metadata.continue | length > 0) \(.metadata.remainingItemCount)"' <<<"$page"
# Following the continue tokens yields every object exactly once.
: >"$TMP/pages"
tok= pages=0
while :; do
  pages=$((pages+1)); [ $pages -le 20 ] || break
  r=$(api GET "/api/v1/namespaces/pg/configmaps?limit=100${tok:+&continue=$tok}")
  jq -r '.items[].metadata.name' <<<"$r" >>"$TMP/pages"
  tok=$(jq -r '.metadata.continue // empty' <<<"$r")
  [ -n "$tok" ] || break
done
expect "7 pages" '^7$' echo $pages
expect "continue walk sees 620" '^620$' bash -c "wc -l <'$TMP/pages'"
expect "continue walk sees each once" '^620$' bash -c "sort -u '$TMP/pages' | wc -l"
expect "bad continue token is 400" '^400$' api_code GET '/api/v1/namespaces/pg/configmaps?limit=100&continue=not-a-token'
expect "bad continue token reason" '"reason":"BadRequest"' api GET '/api/v1/namespaces/pg/configmaps?limit=100&continue=eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6IngifQ=='
# A paginated list is one snapshot: writes between pages are invisible to later pages.
first=$(api GET '/api/v1/namespaces/pg/configmaps?limit=300')
snap_rv=$(jq -r .metadata.resourceVersion <<<"$first")
tok=$(jq -r .metadata.continue <<<"$first")
k create configmap zz-late -n pg >/dev/null
k patch cm cm-0600 -n pg --type=merge -p '{"data":{"i":"changed"}}' >/dev/null
k delete cm cm-0601 -n pg >/dev/null
rest=$(api GET "/api/v1/namespaces/pg/configmaps?limit=1000&continue=$tok")
expect "later page keeps the snapshot's resourceVersion" "^$snap_rv\$" jq -r .metadata.resourceVersion <<<"$rest"
expect "later page has exactly the snapshot's rest" '^320$' jq '.items | length' <<<"$rest"
expect_not "object created between pages is not in later pages" 'zz-late' jq -r '.items[].metadata.name' <<<"$rest"
expect "object changed between pages shows its snapshot data" '^600$' jq -r '.items[] | select(.metadata.name=="cm-0600") | .data.i' <<<"$rest"
expect "object deleted between pages is still in the snapshot" '^cm-0601$' jq -r '.items[] | select(.metadata.name=="cm-0601") | .metadata.name' <<<"$rest"
fresh() { api GET /api/v1/namespaces/pg/configmaps | jq -r '"\(.items|length) \(.items[]|select(.metadata.name=="cm-0600")|.data.i)"'; }
expect "a fresh list sees the new state" '^620 changed$' fresh

# --- Label and field selectors, with every kubectl.
i=0
for K in "${KUBECTLS[@]}"; do
  i=$((i+1)); v=$(basename "$K"); ns=sel$i
  k() { "$K" --kubeconfig "$KCFG" "$@"; }
  k create namespace $ns >/dev/null
  k create configmap a -n $ns >/dev/null; k label cm a -n $ns env=prod tier=web >/dev/null
  k create configmap b -n $ns >/dev/null; k label cm b -n $ns env=dev tier=db >/dev/null
  k create configmap c -n $ns >/dev/null; k label cm c -n $ns env=test >/dev/null
  k create configmap d -n $ns >/dev/null
  names() { "$K" --kubeconfig "$KCFG" get cm -n $ns --no-headers -o custom-columns=N:.metadata.name "$@" 2>&1 | tr '\n' ' '; }
  expect "$v -l =" '^a $' names -l env=prod
  expect "$v -l ==" '^a $' names -l env==prod
  expect "$v -l !=" '^b c d $' names -l 'env!=prod'
  expect "$v -l in" '^a b $' names -l 'env in (prod,dev)'
  expect "$v -l notin" '^c d $' names -l 'env notin (prod,dev)'
  expect "$v -l exists" '^a b $' names -l tier
  expect "$v -l !key" '^c d $' names -l '!tier'
  expect "$v -l combined" '^c $' names -l 'env,!tier'
  expect "$v -l no match" 'No resources found' k get cm -n $ns -l env=none
  expect "$v field metadata.name" '^b $' names --field-selector metadata.name=b
  expect "$v field metadata.name!=" '^a c d $' names --field-selector metadata.name!=b
  expect "$v field metadata.namespace" '^4$' bash -c "'$K' --kubeconfig '$KCFG' get cm -A --field-selector metadata.namespace=$ns --no-headers | wc -l"
  expect "$v field + label" '^a $' names --field-selector metadata.name!=b -l tier
  k run p1 -n $ns --image=nginx >/dev/null
  k run p2 -n $ns --image=nginx >/dev/null
  pnames() { "$K" --kubeconfig "$KCFG" get pods -n $ns --no-headers -o custom-columns=N:.metadata.name "$@" 2>&1 | tr '\n' ' '; }
  expect "$v bind p2" '^201$' api_code POST /api/v1/namespaces/$ns/pods/p2/binding -H 'Content-Type: application/json' \
    -d '{"apiVersion":"v1","kind":"Binding","metadata":{"name":"p2"},"target":{"kind":"Node","name":"n1"}}'
  expect "$v field status.phase=Pending" '^p1 p2 $' pnames --field-selector status.phase=Pending
  expect "$v field status.phase=Running" 'No resources found' k get pods -n $ns --field-selector status.phase=Running
  expect "$v field spec.nodeName=n1" '^p2 $' pnames --field-selector spec.nodeName=n1
  expect "$v field spec.nodeName= (unscheduled)" '^p1 $' pnames --field-selector spec.nodeName=
  expect "$v field spec.nodeName!=" '^p2 $' pnames --field-selector spec.nodeName!=
  expect "$v unsupported field" 'field label not supported|not a known field selector' k get cm -n $ns --field-selector data.x=1
  expect "$v unsupported pod field" 'field label not supported|not a known field selector' k get pods -n $ns --field-selector spec.foo=bar
done
k() { "$K0" --kubeconfig "$KCFG" "$@"; }
expect "bad label selector is 400" '^400$' api_code GET '/api/v1/namespaces/sel1/configmaps?labelSelector=a%20in%20(' 
expect "unsupported field selector is 400" '^400$' api_code GET '/api/v1/namespaces/sel1/configmaps?fieldSelector=data.x%3D1'

# --- resourceVersion semantics on lists.
k create namespace rv >/dev/null
k create configmap x -n rv --from-literal=v=old >/dev/null
old_rv=$(k get cm x -n rv -o jsonpath='{.metadata.resourceVersion}')
k patch cm x -n rv --type=merge -p '{"data":{"v":"new"}}' >/dev/null
rv0() { api GET '/api/v1/namespaces/rv/configmaps?resourceVersion=0' | jq -r '.items[0].data.v'; }
expect "list resourceVersion=0 serves the data" '^new$' rv0
expect "list resourceVersion=0 is 200" '^200$' api_code GET '/api/v1/namespaces/rv/configmaps?resourceVersion=0'
exact=$(api GET "/api/v1/namespaces/rv/configmaps?resourceVersion=$old_rv&resourceVersionMatch=Exact")
expect "Exact at an older RV shows the old data" '^old$' jq -r '.items[0].data.v' <<<"$exact"
expect "Exact list reports that RV" "^$old_rv\$" jq -r .metadata.resourceVersion <<<"$exact"
nolder() { api GET "/api/v1/namespaces/rv/configmaps?resourceVersion=$old_rv&resourceVersionMatch=NotOlderThan" | jq -r '.items[0].data.v'; }
expect "NotOlderThan at the old RV shows the latest" '^new$' nolder
expect_not "far-future RV is not 200" '^200$' api_code GET '/api/v1/namespaces/rv/configmaps?resourceVersion=999999999'
expect "far-future RV is a Timeout" '"code":504|"reason":"Timeout"|"code":410' api GET '/api/v1/namespaces/rv/configmaps?resourceVersion=999999999'
expect "get at RV 0 works" '^new$' bash -c "'$K0' --kubeconfig '$KCFG' get --raw '/api/v1/namespaces/rv/configmaps/x?resourceVersion=0' | jq -r .data.v"

# --- Finalizers, with every kubectl.
i=0
for K in "${KUBECTLS[@]}"; do
  i=$((i+1)); v=$(basename "$K"); ns=fin$i
  k() { "$K" --kubeconfig "$KCFG" "$@"; }
  k create namespace $ns >/dev/null
  k create -n $ns -f - >/dev/null <<EOF
{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"held","finalizers":["example.com/hold"]},"data":{"a":"b"}}
EOF
  expect "$v delete --wait=false" 'configmap "held" deleted' k delete cm held -n $ns --wait=false
  expect "$v finalizer keeps it, with deletionTimestamp" '^20[0-9-]+T[0-9:]+Z example.com/hold$' \
    k get cm held -n $ns -o jsonpath='{.metadata.deletionTimestamp} {.metadata.finalizers[0]}'
  expect "$v terminating object rejects new finalizers" 'Forbidden|Invalid|forbidden' \
    k patch cm held -n $ns --type=json -p '[{"op":"add","path":"/metadata/finalizers/-","value":"example.com/more"}]'
  expect "$v second delete is accepted" 'deleted' k delete cm held -n $ns --wait=false
  expect "$v remove the finalizer" 'patched' k patch cm held -n $ns --type=json -p '[{"op":"remove","path":"/metadata/finalizers"}]'
  gone() { "$K" --kubeconfig "$KCFG" get "$@" 2>&1 | grep -q NotFound; }
  poll 10 gone cm held -n $ns && pass || fail "$v finalized object is gone"
done
k() { "$K0" --kubeconfig "$KCFG" "$@"; }

# --- Pods: binding, graceful deletion.
k create namespace pods >/dev/null
k run loose -n pods --image=nginx >/dev/null
expect "unscheduled pod deletes at once" 'pod "loose" deleted' k delete pod loose -n pods --wait=false
expect "unscheduled pod is gone" 'NotFound' k get pod loose -n pods
k run bound -n pods --image=nginx >/dev/null
bind='{"apiVersion":"v1","kind":"Binding","metadata":{"name":"bound"},"target":{"kind":"Node","name":"n1"}}'
expect "binding is 201" '^201$' api_code POST /api/v1/namespaces/pods/pods/bound/binding -H 'Content-Type: application/json' -d "$bind"
expect "binding sets nodeName" '^n1$' k get pod bound -n pods -o jsonpath='{.spec.nodeName}'
expect "binding sets PodScheduled" '^True$' k get pod bound -n pods -o jsonpath='{.status.conditions[?(@.type=="PodScheduled")].status}'
expect "second binding is 409" '^409$' api_code POST /api/v1/namespaces/pods/pods/bound/binding -H 'Content-Type: application/json' -d "$bind"
expect "binding a missing pod is 404" '^404$' api_code POST /api/v1/namespaces/pods/pods/nope/binding -H 'Content-Type: application/json' \
  -d '{"apiVersion":"v1","kind":"Binding","metadata":{"name":"nope"},"target":{"kind":"Node","name":"n1"}}'
before=$(date +%s)
expect "bound pod delete accepted" 'pod "bound" deleted' k delete pod bound -n pods --wait=false
expect "bound pod gets deletionGracePeriodSeconds 30" '^30$' k get pod bound -n pods -o jsonpath='{.metadata.deletionGracePeriodSeconds}'
dts=$(k get pod bound -n pods -o jsonpath='{.metadata.deletionTimestamp}')
dt=$(date -d "$dts" +%s 2>/dev/null || echo 0)
if [ $((dt - before)) -ge 25 ] && [ $((dt - before)) -le 35 ]; then pass; else fail "deletionTimestamp is now+30s (got $dts, now $before)"; fi
expect "bound pod stays (no kubelet)" 'Terminating' k get pod bound -n pods
expect "shorter grace shortens it" '^5$' bash -c "'$K0' --kubeconfig '$KCFG' delete pod bound -n pods --wait=false --grace-period=5 >/dev/null; '$K0' --kubeconfig '$KCFG' get pod bound -n pods -o jsonpath='{.metadata.deletionGracePeriodSeconds}'"
expect "force delete" 'force deleted' k delete pod bound -n pods --grace-period=0 --force
expect "force-deleted pod is gone" 'NotFound' k get pod bound -n pods

# --- DeleteOptions preconditions.
k create configmap pc -n pods >/dev/null
uid=$(k get cm pc -n pods -o jsonpath='{.metadata.uid}')
rv=$(k get cm pc -n pods -o jsonpath='{.metadata.resourceVersion}')
expect "wrong uid precondition is 409" '^409$' api_code DELETE /api/v1/namespaces/pods/configmaps/pc -H 'Content-Type: application/json' -d '{"preconditions":{"uid":"wrong"}}'
expect "wrong RV precondition is 409" '^409$' api_code DELETE /api/v1/namespaces/pods/configmaps/pc -H 'Content-Type: application/json' -d '{"preconditions":{"resourceVersion":"1"}}'
expect "failed precondition kept the object" 'pc' k get cm pc -n pods -o name
expect "right uid+RV precondition is 200" '^200$' api_code DELETE /api/v1/namespaces/pods/configmaps/pc -H 'Content-Type: application/json' \
  -d "{\"preconditions\":{\"uid\":\"$uid\",\"resourceVersion\":\"$rv\"}}"
expect "precondition delete took" 'NotFound' k get cm pc -n pods

# --- deletecollection and server-side dry run, with every kubectl.
i=0
for K in "${KUBECTLS[@]}"; do
  i=$((i+1)); v=$(basename "$K"); ns=dc$i
  k() { "$K" --kubeconfig "$KCFG" "$@"; }
  k create namespace $ns >/dev/null
  for n in a b c d; do k create configmap $n -n $ns >/dev/null; done
  k label cm a b -n $ns a=b >/dev/null
  expect "$v delete -l" '^configmap "a" deleted configmap "b" deleted $' bash -c "'$K' --kubeconfig '$KCFG' delete cm -l a=b -n $ns | tr '\n' ' '"
  expect "$v delete -l left the others" '^c d $' bash -c "'$K' --kubeconfig '$KCFG' get cm -n $ns --no-headers -o custom-columns=N:.metadata.name | tr '\n' ' '"
  expect "$v create --dry-run=server" 'configmap/dry created \(server dry run\)' k create configmap dry -n $ns --dry-run=server
  expect "$v dry-run created nothing" 'NotFound' k get cm dry -n $ns
  expect "$v delete --dry-run=server" 'configmap "c" deleted \(server dry run\)' k delete cm c -n $ns --dry-run=server
  expect "$v dry-run deleted nothing" '^configmap/c$' k get cm c -n $ns -o name
  expect "$v apply --dry-run=server" 'configured \(server dry run\)' bash -c "'$K' --kubeconfig '$KCFG' create configmap c -n $ns --from-literal=x=y --dry-run=client -o yaml | '$K' --kubeconfig '$KCFG' apply --dry-run=server -f - 2>&1"
  expect "$v dry-run apply changed nothing" '^$' k get cm c -n $ns -o jsonpath='{.data.x}'
  expect "$v delete --all" 'deleted' k delete cm --all -n $ns
  expect "$v delete --all took" 'No resources found' k get cm -n $ns
done
k() { "$K0" --kubeconfig "$KCFG" "$@"; }
expect "invalid dryRun on create is 400" '^400$' api_code POST '/api/v1/namespaces/dc1/configmaps?dryRun=Bogus' -H 'Content-Type: application/json' \
  -d '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"q"}}'
expect "invalid dryRun on delete is 400" '^400$' api_code DELETE '/api/v1/namespaces/pods/configmaps/whatever?dryRun=Bogus'
expect "invalid dryRun stored nothing" 'NotFound' k get cm q -n dc1
k create configmap keep1 -n dc1 >/dev/null
expect "deletecollection dryRun=All is 200" '^200$' api_code DELETE '/api/v1/namespaces/dc1/configmaps?dryRun=All'
expect "deletecollection dryRun deleted nothing" 'keep1' k get cm -n dc1 -o name

# --- propagationPolicy (no garbage collector: just the finalizer and deletionTimestamp).
k create deployment orph -n pods --image=nginx >/dev/null
expect "cascade=orphan accepted" 'deployment.apps "orph" deleted' k delete deploy orph -n pods --cascade=orphan --wait=false
expect "orphan finalizer and deletionTimestamp" '^20[0-9-]+T[0-9:]+Z .*orphan' k get deploy orph -n pods -o jsonpath='{.metadata.deletionTimestamp} {.metadata.finalizers}'
k create deployment fg -n pods --image=nginx >/dev/null
expect "cascade=foreground adds foregroundDeletion" 'foregroundDeletion' bash -c "'$K0' --kubeconfig '$KCFG' delete deploy fg -n pods --cascade=foreground --wait=false >/dev/null; '$K0' --kubeconfig '$KCFG' get deploy fg -n pods -o jsonpath='{.metadata.finalizers}'"

# --- NamespaceLifecycle.
expect "create in a missing namespace is NotFound" 'namespaces "missing" not found' k create configmap c -n missing
expect "raw create in a missing namespace is 404" '^404$' api_code POST /api/v1/namespaces/missing/configmaps -H 'Content-Type: application/json' \
  -d '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}'
k create namespace doomed >/dev/null
expect "namespace gets the kubernetes finalizer" 'kubernetes' k get ns doomed -o jsonpath='{.spec.finalizers}'
k create -n doomed -f - >/dev/null <<EOF
{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"held","finalizers":["example.com/hold"]}}
EOF
k create configmap plain -n doomed >/dev/null
expect "delete namespace" 'namespace "doomed" deleted' k delete namespace doomed --wait=false
expect "namespace shows Terminating" '^doomed +Terminating' k get ns doomed --no-headers
expect "terminating namespace has deletionTimestamp" '^20[0-9-]+T' k get ns doomed -o jsonpath='{.metadata.deletionTimestamp}'
expect "create in a terminating namespace is Forbidden" 'forbidden: unable to create new content in namespace doomed because it is being terminated' k create configmap new -n doomed
expect "raw create in a terminating namespace is 403" '^403$' api_code POST /api/v1/namespaces/doomed/configmaps -H 'Content-Type: application/json' \
  -d '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"new2"}}'
# Emptying and finalizing the namespace is the namespace controller's (services_test.sh); with
# --disable-controllers it stays Terminating, its content untouched.
doomed_cms() { k get cm -n doomed -o name | tr '\n' ' '; }
expect "no controller: the content stays" '^configmap/held configmap/plain $' doomed_cms

# --- generation: spec bumps it, labels and status do not (StatefulSet; Deployments in workloads_test).
k create -n pods -f - >/dev/null <<EOF
{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"ss"},"spec":{"serviceName":"ss","selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"x"}]}}}}
EOF
expect "statefulset generation 1" '^1$' k get sts ss -n pods -o jsonpath='{.metadata.generation}'
k label sts ss -n pods x=y >/dev/null
api PATCH /apis/apps/v1/namespaces/pods/statefulsets/ss/status -H 'Content-Type: application/merge-patch+json' -d '{"status":{"replicas":1,"availableReplicas":0}}' >/dev/null
expect "labels and status keep generation" '^1$' k get sts ss -n pods -o jsonpath='{.metadata.generation}'
k patch sts ss -n pods --type=merge -p '{"spec":{"replicas":3}}' >/dev/null
expect "spec change bumps generation" '^2$' k get sts ss -n pods -o jsonpath='{.metadata.generation}'
k patch sts ss -n pods --type=merge -p '{"spec":{"replicas":3}}' >/dev/null
expect "no-op spec patch keeps generation" '^2$' k get sts ss -n pods -o jsonpath='{.metadata.generation}'

# --- events: describe lists them with an involvedObject field selector.
k create namespace ev >/dev/null
k run web -n ev --image=nginx >/dev/null
k run other -n ev --image=nginx >/dev/null
now=$(date -u +%FT%TZ)
event() {  # event NAME POD REASON MESSAGE
  local uid; uid=$(k get pod "$2" -n ev -o jsonpath='{.metadata.uid}')
  k create -n ev -f - <<EOF
{"apiVersion":"v1","kind":"Event","metadata":{"name":"$1"},"involvedObject":{"apiVersion":"v1","kind":"Pod","name":"$2","namespace":"ev","uid":"$uid"},
 "reason":"$3","message":"$4","type":"Warning","source":{"component":"e2e"},"firstTimestamp":"$now","lastTimestamp":"$now","count":1}
EOF
}
expect "create event" 'event/web.1 created' event web.1 web TestReason "hello from the test"
event other.1 other OtherReason "about another pod" >/dev/null
for K in "${KUBECTLS[@]}"; do
  v=$(basename "$K")
  expect "$v describe shows the event" 'Warning +TestReason +[0-9]+s +e2e +hello from the test' "$K" --kubeconfig "$KCFG" describe pod web -n ev
  expect_not "$v describe shows only this pod's events" 'OtherReason' "$K" --kubeconfig "$KCFG" describe pod web -n ev
  expect "$v get events" 'Warning +TestReason +pod/web +hello from the test' "$K" --kubeconfig "$KCFG" get events -n ev
done
expect "involvedObject field selector" '^web.1$' bash -c "'$K0' --kubeconfig '$KCFG' get events -n ev --field-selector involvedObject.name=web,involvedObject.kind=Pod -o name | sed 's|.*/||'"

# --- ClusterIPs come from --service-cidr (last: it restarts the server).
stop_server
start_server --service-cidr 10.200.0.0/16
expect "service gets an address from --service-cidr" '^10\.200\.[0-9]+\.[0-9]+$' k create service clusterip cidr -n pods --tcp=80:80 -o jsonpath='{.spec.clusterIP}'
expect "address outside --service-cidr refused" 'Invalid|not in|range' k create -n pods -f - <<EOF
{"apiVersion":"v1","kind":"Service","metadata":{"name":"outside"},"spec":{"clusterIP":"10.201.0.5","ports":[{"port":80}]}}
EOF
expect "data survived the restart" '^619$' bash -c "'$K0' --kubeconfig '$KCFG' get cm -n pg --no-headers | grep -c '^cm-'"
finish
