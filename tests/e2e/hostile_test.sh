#!/usr/bin/env bash
# Input that must not poison the store (issue 8): non-finite numbers, wrong JSON types, integers
# out of range, patches that rename or retype an object, bad resourceVersions; an object that
# does not decode (a data dir from an older version) is skipped by lists, reported at start and
# can be deleted; and a bounded mutation test (mutate.py) ends with every object still readable.
source "$(dirname "$0")/lib.sh"
start_server
k() { /usr/bin/kubectl --kubeconfig "$KCFG" "$@"; }
CM=/api/v1/namespaces/h/configmaps
DEPS=/apis/apps/v1/namespaces/h/deployments
json() { api "$@" -H 'Content-Type: application/json'; }
code() { api_code "$@" -H 'Content-Type: application/json'; }
# ctcode CONTENT-TYPE METHOD PATH [curl args]: the status of a request with that body type.
ctcode() { local ct=$1; shift; api_code "$@" -H "Content-Type: $ct"; }
k create namespace h >/dev/null

# --- Non-finite numbers are refused, wherever they are.
for v in 1e400 -1e400 1e309; do
  expect "ConfigMap with $v in an unknown field is 400" '^400$' \
    code POST $CM -d "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"inf$RANDOM\"},\"x\":$v}"
  expect "ConfigMap data value $v is 400" '^400$' \
    code POST $CM -d "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"d$RANDOM\"},\"data\":{\"a\":$v}}"
done
expect "the 400 names the field" 'field x: the number is out of range' \
  json POST $CM -d '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"inf"},"x":1e400}'
expect "YAML .inf is 400" '^400$' ctcode application/yaml POST $CM \
  --data-binary $'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: yinf\ndata:\n  a: .inf'
expect "YAML .nan in an int field is 400" '^400$' ctcode application/yaml POST $DEPS \
  --data-binary $'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ynan\nspec:\n  replicas: .nan'

json POST $CM -d '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"t"},"data":{"a":"b"}}' >/dev/null
expect "merge patch with 1e400 is 400" '^400$' ctcode application/merge-patch+json PATCH $CM/t \
  -d '{"metadata":{"labels":{"a":"b"}},"x":1e400}'
expect "json patch with 1e400 is 400" '^400$' ctcode application/json-patch+json PATCH $CM/t \
  -d '[{"op":"add","path":"/metadata/annotations","value":{"a":1e400}}]'
expect "strategic patch with -1e400 is 400" '^400$' ctcode application/strategic-merge-patch+json PATCH $CM/t \
  -d '{"data":{"a":-1e400}}'
expect "apply with .inf is 400" '^400$' ctcode application/apply-patch+yaml PATCH "$CM/t?fieldManager=x" \
  --data-binary $'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: t\ndata:\n  a: .inf'
expect "nothing non-finite was stored: configmaps list" '^200$' api_code GET $CM
expect "kubectl get cm -A works" 'NAMESPACE' k get cm -A
expect "the patched object is untouched" '"data":\{"a":"b"\}' api GET $CM/t

# --- Wrong types and ranges are refused with the field path and the expected type.
dep() { printf '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d%s"%s},"spec":{"replicas":%s,"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"i"%s}]}}}}' "$RANDOM" "$1" "$2" "$3"; }
for body in "$(dep '' '"0"' '')" "$(dep '' 0.5 '')" "$(dep '' 2147483648 '')" "$(dep '' 1e400 '')" \
            "$(dep ',"labels":[[1]]' 1 '')" "$(dep ',"annotations":5' 1 '')" "$(dep ',"finalizers":"s"' 1 '')" \
            "$(dep '' 1 ',"ports":[{"containerPort":"80"}]')" "$(dep '' 1 ',"ports":[{"containerPort":1e2}]')"; do
  expect "typed field refused (400): ${body:60:60}" '^400$' code POST $DEPS -d "$body"
done
expect "containerPort 70000 is 422" '^422$' code POST $DEPS -d "$(dep '' 1 ',"ports":[{"containerPort":70000}]')"
expect "the 400 says what and where" 'cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32' \
  json POST $DEPS -d "$(dep '' '"0"' '')"
expect "pod hostNetwork \"true\" is 400" 'PodSpec.spec.hostNetwork of type bool' \
  json POST /api/v1/namespaces/h/pods -d '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"hostNetwork":"true","containers":[{"name":"c","image":"i"}]}}'
json POST $DEPS -d "$(dep '' 1 '' | sed 's/"name":"d[0-9]*"/"name":"web"/')" >/dev/null
expect "kubectl patch replicas 2^31 is refused" 'cannot unmarshal number 2147483648' \
  k patch deploy web -n h --type merge -p '{"spec":{"replicas":2147483648}}'
expect "kubectl scale past int32 is refused" 'Error|error|invalid' k scale deploy web -n h --replicas=2147483648
expect "strategic patch with a string for replicas is refused" 'of type int32' \
  k patch deploy web -n h -p '{"spec":{"replicas":"5"}}'
expect "replicas unchanged" '^1$' k get deploy web -n h -o 'jsonpath={.spec.replicas}'
expect "kubectl describe decodes every deployment" 'Name:[[:space:]]+web' k describe deploy -n h
has_rs() { k get rs -n h -o name | grep -q web-; }
check "the controller made a ReplicaSet" poll 30 has_rs

# --- Patches may not rename, move or retype an object.
for p in '[{"op":"replace","path":"/metadata/name","value":"other"}]' \
         '[{"op":"replace","path":"/metadata/namespace","value":"default"}]' \
         '[{"op":"replace","path":"/kind","value":"Secret"}]' \
         '[{"op":"replace","path":"/apiVersion","value":"apps/v1"}]' \
         '[{"op":"replace","path":"/metadata/uid","value":"00000000-0000-0000-0000-000000000000"}]'; do
  expect "json patch refused: $p" '^(400|409)$' ctcode application/json-patch+json PATCH $CM/t -d "$p"
done
expect "renaming patch: upstream's message" 'does not match the name on the URL' \
  api PATCH $CM/t -H 'Content-Type: application/merge-patch+json' -d '{"metadata":{"name":"x"}}'
expect "uid patch is a precondition (409)" '^409$' ctcode application/merge-patch+json PATCH $CM/t \
  -d '{"metadata":{"uid":"nope"}}'
expect "the object kept its name and data" '"name":"t".*"data":\{"a":"b"\}|"data":\{"a":"b"\}.*"name":"t"' api GET $CM/t

# --- resourceVersion on GET and LIST.
for rv in abc -1 18446744073709551616 1.5; do
  expect "GET resourceVersion=$rv is 400" '^400$' api_code GET "$CM/t?resourceVersion=$rv"
  expect "LIST resourceVersion=$rv is 400" '^400$' api_code GET "$CM?resourceVersion=$rv"
done
expect "GET resourceVersion=0 is 200" '^200$' api_code GET "$CM/t?resourceVersion=0"
rv=$(api GET $CM/t | jq -r .metadata.resourceVersion)
expect "GET at its own resourceVersion is 200" '^200$' api_code GET "$CM/t?resourceVersion=$rv"
expect "GET past the newest revision is 504" '^504$' api_code GET "$CM/t?resourceVersion=$((rv + 1000000))"
expect "resourceVersionMatch without resourceVersion is 400" '^400$' api_code GET "$CM?resourceVersionMatch=NotOlderThan"
expect "Exact with resourceVersion=0 is 400" '^400$' api_code GET "$CM?resourceVersion=0&resourceVersionMatch=Exact"
expect "Exact at an old revision is 200" '^200$' api_code GET "$CM?resourceVersion=$rv&resourceVersionMatch=Exact"

# --- The store's files are private.
expect "state.db is 0600" '^600$' stat -c %a "$DATA/db/state.db"
expect "the data dir is 0700" '^700$' stat -c %a "$DATA"

# --- An undecodable object (written by an older version) does not break anything else.
stop_server
/usr/bin/python3 - "$DATA/db/state.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rev = db.execute("SELECT MAX(rev) FROM kv").fetchone()[0] + 1
db.execute("INSERT INTO kv(rev, key, value, create_rev, prev_rev, deleted) VALUES (?,?,?,?,0,0)",
           (rev, b"/registry/core/configmaps/h/poison",
            b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"poison","namespace":"h","uid":"u1"},"x":Infinity}', rev))
db.execute("INSERT OR REPLACE INTO meta(name, value) VALUES ('revision', ?)", (rev,))
db.commit()
PY
start_server
expect "the server reports it at start" 'does not decode' cat "$TMP/server.log"
expect "kubectl get cm lists the others" 'configmap/t' k get cm -n h -o name
expect "the list carries a warning" 'poison.*does not decode' k get cm -n h
expect "kubectl get cm -A works" 'NAMESPACE' k get cm -A
api GET "$CM?watch=1&timeoutSeconds=2" >"$TMP/watch.out"
expect "a watch from 0 sends the others" '"name":"t"' cat "$TMP/watch.out"
expect_not "and skips it" 'Infinity|poison' cat "$TMP/watch.out"
expect "GET of it is 500 with what to do" 'ignoreStoreReadErrorWithClusterBreakingPotential' api GET $CM/poison
expect "a plain delete says what to do" 'ignoreStoreReadErrorWithClusterBreakingPotential' api DELETE $CM/poison
expect "the unsafe delete removes it" '^200$' api_code DELETE $CM/poison -H 'Content-Type: application/json' \
  -d '{"apiVersion":"v1","kind":"DeleteOptions","ignoreStoreReadErrorWithClusterBreakingPotential":true}'
expect "it is gone" '^404$' api_code GET $CM/poison
expect "the unsafe delete is refused for a sound object" '^400$' api_code DELETE $CM/t -H 'Content-Type: application/json' \
  -d '{"ignoreStoreReadErrorWithClusterBreakingPotential":true}'
expect_not "lists carry no warning any more" 'Warning' k get cm -n h

# --- A bounded mutation test: no 5xx, and afterwards everything reads and lists.
k create namespace fuzz >/dev/null
check "mutated bodies never get a 5xx" /usr/bin/python3 "$(dirname "$0")/mutate.py" "$PORT" \
  "$DATA/pki/admin.crt" "$DATA/pki/admin.key" fuzz "${MUTATIONS:-3000}" 8
alive() { kill -0 "$SERVER_PID" 2>/dev/null; }
check "the server is alive" alive
every_object_reads() {
  local r
  for r in configmaps services deployments.apps pods jobs.batch replicasets.apps; do
    k get "$r" -n fuzz -o json >"$TMP/list.json" 2>"$TMP/list.err" || { cat "$TMP/list.err"; return 1; }
    grep -q Warning "$TMP/list.err" && { cat "$TMP/list.err"; return 1; }
    for n in $(jq -r '.items[].metadata.name' "$TMP/list.json"); do
      k get "$r" -n fuzz "$n" -o json >/dev/null || { echo "$r/$n does not read"; return 1; }
    done
  done
  k describe deploy,cm,svc,pod -n fuzz >/dev/null 2>"$TMP/describe.err" || { cat "$TMP/describe.err"; return 1; }
}
check "every stored object reads, lists and describes" every_object_reads
check "namespace fuzz deletes cleanly" k delete namespace fuzz --timeout=60s

finish
