#!/usr/bin/env bash
# Watches: kubectl get -w with every version; a watch from a revision sees every later change
# exactly once and in order across concurrent writers; selector transitions; the ERROR 410 event
# once the start revision is compacted.
source "$(dirname "$0")/lib.sh"
start_server

i=0
for K in "${KUBECTLS[@]}"; do
  i=$((i+1)); v=$(basename "$K"); ns=watch$i
  k() { "$K" --kubeconfig "$KCFG" "$@"; }
  k create namespace $ns >/dev/null
  k create configmap before -n $ns --from-literal=a=b >/dev/null
  "$K" --kubeconfig "$KCFG" get cm -n $ns -w --no-headers >"$TMP/kw$i" 2>&1 &
  wpid=$!
  poll 20 grep -q '^before ' "$TMP/kw$i" && pass || fail "$v get -w lists first"
  k create configmap after -n $ns --from-literal=x=y >/dev/null
  poll 20 grep -q '^after ' "$TMP/kw$i" && pass || fail "$v get -w sees a new object"
  kill $wpid 2>/dev/null; wait $wpid 2>/dev/null
  # Watching one object by name (kubectl get NAME -w).
  "$K" --kubeconfig "$KCFG" get cm before -n $ns -w -o jsonpath='{.data.a}{"\n"}' >"$TMP/kn$i" 2>&1 &
  wpid=$!
  poll 20 grep -q '^b$' "$TMP/kn$i" && pass || fail "$v get NAME -w initial"
  k patch cm before -n $ns --type=merge -p '{"data":{"a":"c"}}' >/dev/null
  poll 20 grep -q '^c$' "$TMP/kn$i" && pass || fail "$v get NAME -w sees the change"
  kill $wpid 2>/dev/null; wait $wpid 2>/dev/null
done

# Every change after revision R, exactly once, in order, with 4 concurrent writers.
k() { /usr/bin/kubectl --kubeconfig "$KCFG" "$@"; }
k create namespace burst >/dev/null
rv=$(api GET /api/v1/namespaces/burst/configmaps | jq -r .metadata.resourceVersion)
api GET "/api/v1/namespaces/burst/configmaps?watch=1&resourceVersion=$rv" -N >"$TMP/burst.watch" &
wpid=$!
writer() {
  local w=$1 n
  for n in $(seq 1 25); do
    api POST /api/v1/namespaces/burst/configmaps -H 'Content-Type: application/json' \
      -d "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"w$w-$n\"},\"data\":{\"v\":\"1\"}}" |
      jq -r .metadata.resourceVersion
    api PATCH /api/v1/namespaces/burst/configmaps/w$w-$n -H 'Content-Type: application/merge-patch+json' \
      -d '{"data":{"v":"2"}}' | jq -r .metadata.resourceVersion
  done >"$TMP/acked.$w"
}
wpids=()
for w in 1 2 3 4; do writer $w & wpids+=($!); done
wait "${wpids[@]}"
sort -n "$TMP"/acked.* >"$TMP/acked"
count_events() { [ "$(grep -c '"type"' "$TMP/burst.watch")" -ge 200 ]; }
poll 30 count_events && pass || fail "watch delivered 200 events (got $(grep -c '"type"' "$TMP/burst.watch"))"
kill $wpid 2>/dev/null; wait $wpid 2>/dev/null
jq -r '.object.metadata.resourceVersion' "$TMP/burst.watch" >"$TMP/seen"
if sort -n -c "$TMP/seen" 2>/dev/null && [ "$(sort -n -u "$TMP/seen" | wc -l)" -eq "$(wc -l <"$TMP/seen")" ]; then pass; else fail "watch events strictly in revision order"; fi
if diff -q "$TMP/acked" "$TMP/seen" >/dev/null; then pass; else fail "watch saw exactly the acknowledged writes"; diff "$TMP/acked" "$TMP/seen" | head -5 >&2; fi
expect "first events are ADDED then MODIFIED" '^ADDED$' bash -c "head -1 '$TMP/burst.watch' | jq -r .type"
expect "200 events typed" '^100 ADDED$' bash -c "jq -r .type '$TMP/burst.watch' | sort | uniq -c | grep ADDED | awk '{print \$1, \$2}'"

# Selector transitions: leaving the selection is DELETED, entering it ADDED.
rv=$(api GET /api/v1/namespaces/burst/configmaps?limit=1 | jq -r .metadata.resourceVersion)
api GET "/api/v1/namespaces/burst/configmaps?watch=1&resourceVersion=$rv&labelSelector=sel%3Dyes" -N >"$TMP/sel.watch" &
wpid=$!
k create -n burst -f - >/dev/null <<EOF
{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"sel","labels":{"sel":"yes"}}}
EOF
k label cm sel -n burst sel=no --overwrite >/dev/null
k label cm sel -n burst sel=yes --overwrite >/dev/null
k create configmap other -n burst >/dev/null
k delete cm sel -n burst >/dev/null
four() { [ "$(grep -c '"type"' "$TMP/sel.watch")" -ge 4 ]; }
poll 20 four
kill $wpid 2>/dev/null; wait $wpid 2>/dev/null
expect "selector transitions" '^ADDED DELETED ADDED DELETED $' bash -c "jq -r .type '$TMP/sel.watch' | tr '\n' ' '"

# A table watch (what kubectl get -w asks for) carries columns once, then rows.
expect "table watch" '"kind":"Table"' bash -c "timeout 3 curl -s -N --cacert '$DATA/pki/ca.crt' --cert '$DATA/pki/admin.crt' --key '$DATA/pki/admin.key' -H 'Accept: application/json;as=Table;v=v1;g=meta.k8s.io' 'https://127.0.0.1:$PORT/api/v1/namespaces/burst/configmaps?watch=1' | head -1"
expect "timeoutSeconds ends the watch" '^done$' bash -c "timeout 10 curl -s -N --cacert '$DATA/pki/ca.crt' --cert '$DATA/pki/admin.crt' --key '$DATA/pki/admin.key' 'https://127.0.0.1:$PORT/api/v1/namespaces/burst/configmaps?watch=1&timeoutSeconds=1' >/dev/null && echo done"

# Compaction: a watch or an exact list from a compacted revision gets 410.
old_rv=$rv
stop_server
start_server --compaction-interval 1s
for n in 1 2 3; do k create configmap c$n -n burst >/dev/null; done
compacted() { api GET "/api/v1/namespaces/burst/configmaps?watch=1&resourceVersion=$old_rv" -m 2 | grep -q '"code":410'; }
poll 20 compacted && pass || fail "watch from a compacted revision: ERROR 410"
expect "exact list of a compacted revision is 410" '"code":410' api GET "/api/v1/namespaces/burst/configmaps?resourceVersion=$old_rv&resourceVersionMatch=Exact"
expect "kubectl still watches after compaction" 'c1' bash -c "timeout 5 /usr/bin/kubectl --kubeconfig '$KCFG' get cm -n burst -w --no-headers 2>&1 | head -3"
finish
