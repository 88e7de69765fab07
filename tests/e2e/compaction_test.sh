#!/usr/bin/env bash
# Compaction across restarts: a server restarted more often than --compaction-interval still
# compacts on schedule (the interval runs from the last compaction recorded in the store), logs
# one line per compaction with the sizes, and keeps its store files private.
source "$(dirname "$0")/lib.sh"
k() { /usr/bin/kubectl --kubeconfig "$KCFG" "$@"; }
start_server --compaction-interval 5s
k create namespace comp >/dev/null
k create configmap c0 -n comp >/dev/null
old_rv=$(api GET /api/v1/namespaces/comp/configmaps/c0 | jq -r .metadata.resourceVersion)
k patch configmap c0 -n comp --type=merge -p '{"data":{"v":"1"}}' >/dev/null
compacted_logged() { grep -q 'storage: compacted to revision' "$TMP/server.log"; }
# Each run lives about a second (well under the interval), with a write per run; give up after
# 40 runs.
n=0
while ! compacted_logged && [ $n -lt 40 ]; do
  stop_server
  start_server --compaction-interval 5s
  k patch configmap c0 -n comp --type=merge -p "{\"data\":{\"v\":\"r$n\"}}" >/dev/null
  n=$((n+1))
done
compacted_logged && pass || fail "no compaction after $n short-lived runs"
expect "compaction log line has rows and sizes" 'compacted to revision [0-9]+: .*database [0-9.]+ MiB' \
  grep 'storage: compacted to revision' "$TMP/server.log"
gone() { api GET "/api/v1/namespaces/comp/configmaps?watch=1&resourceVersion=$old_rv" -m 2 | grep -q '"code":410'; }
poll 20 gone && pass || fail "a watch from before the compaction gets 410"
expect "db dir is 0700" '^700$' stat -c %a "$DATA/db"
expect "data dir is 0700" '^700$' stat -c %a "$DATA"
for f in state.db state.db-wal state.db-shm; do
  expect "$f is 0600" '^600$' stat -c %a "$DATA/db/$f"
done
# A deletecollection that outlasts the compaction interval still deletes everything (its pages
# are read at the latest revision, not through a continue token that compaction can expire).
stop_server
start_server --compaction-interval 1s
/usr/bin/python3 - "$PORT" "$DATA/pki/admin.crt" "$DATA/pki/admin.key" <<'PY'
import http.client, json, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
ctx.load_cert_chain(sys.argv[2], sys.argv[3])
c = http.client.HTTPSConnection("127.0.0.1", int(sys.argv[1]), context=ctx)
for i in range(1500):
    c.request("POST", "/api/v1/namespaces/comp/configmaps",
              json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dc%d" % i}}),
              {"Content-Type": "application/json"})
    c.getresponse().read()
PY
expect "deletecollection answers 200" '^200$' api_code DELETE /api/v1/namespaces/comp/configmaps
# (kube-root-ca.crt is deleted too, and its controller makes it again at once, as upstream's.)
expect "deletecollection left nothing" '^0$' bash -c "$(declare -f api); DATA=$DATA PORT=$PORT api GET /api/v1/namespaces/comp/configmaps | jq '[.items[] | select(.metadata.name != \"kube-root-ca.crt\")] | length'"
finish
