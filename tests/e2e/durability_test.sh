#!/usr/bin/env bash
# Acknowledged writes survive kill -9: four concurrent writers, the server killed mid-stream,
# restarted on the same data dir; every acknowledged object is there and whole, the CA and the
# old kubeconfig still work, revisions keep increasing, watches resume from a pre-crash
# resourceVersion. A plain restart keeps everything too.
source "$(dirname "$0")/lib.sh"
start_server
k() { /usr/bin/kubectl --kubeconfig "$KCFG" "$@"; }
NS=/api/v1/namespaces/dur/configmaps
PAYLOAD=$(head -c 1024 /dev/zero | tr '\0' p)
k create namespace dur >/dev/null
ca_sum=$(sha256sum <"$DATA/pki/ca.crt")
cp "$KCFG" "$TMP/old.kubeconfig"
rv_start=$(api GET $NS | jq -r .metadata.resourceVersion)

# writer W: POSTs w<W>-<n> until $TMP/stop exists; appends the name to acked.W only after a 201.
writer() {
  local w=$1 n=0 code
  while [ ! -e "$TMP/stop" ] && [ $n -lt 5000 ]; do
    n=$((n+1))
    code=$(api_code POST $NS -m 10 -H 'Content-Type: application/json' \
      -d "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"w$w-$n\",\"labels\":{\"writer\":\"w$w\"}},\"data\":{\"w\":\"$w\",\"n\":\"$n\",\"payload\":\"$PAYLOAD\"}}")
    if [ "$code" = 201 ]; then echo "w$w-$n" >>"$TMP/acked.$w"; fi
  done
}
acked_count() { cat "$TMP"/acked.* 2>/dev/null | wc -l; }
enough() { [ "$(acked_count)" -ge 300 ]; }
wpids=()
for w in 1 2 3 4; do : >"$TMP/acked.$w"; writer $w & wpids+=($!); done
poll 90 enough && pass || fail "writers got 300 acknowledgements (got $(acked_count))"
rv_kill=$(api GET "$NS?limit=1" | jq -r .metadata.resourceVersion)
kill9_server
acked_at_kill=$(acked_count)
touch "$TMP/stop"
wait "${wpids[@]}"
cat "$TMP"/acked.* | sort >"$TMP/acked"
acked_total=$(wc -l <"$TMP/acked")
echo "acknowledged: $acked_at_kill at the kill, $acked_total in all; list RV before the kill: $rv_kill"
check "writers were still writing at the kill" test "$acked_total" -ge 300

start_server
list=$(api GET $NS)
check "list after the crash is JSON" jq -e '.items' <<<"$list"
jq -r '.items[].metadata.name' <<<"$list" | sort >"$TMP/listed"
missing=$(comm -23 "$TMP/acked" "$TMP/listed" | wc -l)
if [ "$missing" -eq 0 ]; then pass; else fail "$missing acknowledged objects lost, e.g. $(comm -23 "$TMP/acked" "$TMP/listed" | head -3 | tr '\n' ' ')"; fi
# (kube-root-ca.crt is the root CA publisher's, in every namespace.)
extra=$(comm -13 "$TMP/acked" "$TMP/listed" | grep -vc '^kube-root-ca\.crt$')
check "at most one unacknowledged in-flight object per writer ($extra)" test "$extra" -le 4
whole() {
  jq -e --arg p "$PAYLOAD" '[.items[] | select(.metadata.name != "kube-root-ca.crt") | (.data.payload == $p) and (.metadata.name == "w\(.data.w)-\(.data.n)")
    and (.metadata.labels.writer == "w\(.data.w)") and (.metadata.uid | length == 36)
    and (.metadata.resourceVersion | tonumber > 0)] | all' <<<"$list"
}
check "every listed object is whole" whole
check "no duplicate names" test "$(wc -l <"$TMP/listed")" -eq "$(sort -u "$TMP/listed" | wc -l)"
expect "each object reads back by name" "^$PAYLOAD\$" bash -c "curl -s --cacert '$DATA/pki/ca.crt' --cert '$DATA/pki/admin.crt' --key '$DATA/pki/admin.key' https://127.0.0.1:$PORT$NS/$(head -1 "$TMP/acked") | jq -r .data.payload"
rv_after=$(jq -r .metadata.resourceVersion <<<"$list")
check "revision did not go backwards ($rv_kill -> $rv_after)" test "$rv_after" -ge "$rv_kill"
check "the CA is unchanged" test "$(sha256sum <"$DATA/pki/ca.crt")" = "$ca_sum"
for K in "${KUBECTLS[@]}"; do
  expect "$(basename "$K") old kubeconfig still works" "^$(wc -l <"$TMP/listed")\$" bash -c "'$K' --kubeconfig '$TMP/old.kubeconfig' get cm -n dur --no-headers | wc -l"
done
expect "label selector over recovered objects" "^$(grep -c '^w1-' "$TMP/listed")\$" bash -c "/usr/bin/kubectl --kubeconfig '$TMP/old.kubeconfig' get cm -n dur -l writer=w1 -o name | wc -l"

# Watches resume from a pre-crash resourceVersion.
expect_not "watch from the pre-kill RV is not 410" '"code":410|"type":"ERROR"' api GET "$NS?watch=1&resourceVersion=$rv_kill" -m 5
from_start=$(api GET "$NS?watch=1&resourceVersion=$rv_start" -m 5 | jq -r 'select(.type=="ADDED") | .object.metadata.name' | sort)
if [ "$(comm -23 "$TMP/acked" <(echo "$from_start") | wc -l)" -eq 0 ]; then pass; else fail "watch from before the writers replays every acknowledged create"; fi
api GET "$NS?watch=1&resourceVersion=$rv_kill" -N -m 30 >"$TMP/resume.watch" &
wpid=$!
new_rv=$(k create configmap after-crash -n dur -o jsonpath='{.metadata.resourceVersion}')
check "new write gets a later revision ($rv_after -> $new_rv)" test "$new_rv" -gt "$rv_after"
delivered() { jq -r 'select(.type=="ADDED") | .object.metadata.name' "$TMP/resume.watch" 2>/dev/null | grep -qx after-crash; }
poll 20 delivered && pass || fail "a create after the restart reaches a watch from the pre-kill RV"
kill $wpid 2>/dev/null; wait $wpid 2>/dev/null
expect_not "resumed watch has no ERROR" '"type":"ERROR"' cat "$TMP/resume.watch"

# A crash right after recovery loses nothing either.
kill9_server
start_server
expect "second crash: everything still there" "^$(($(wc -l <"$TMP/listed") + 1))\$" bash -c "curl -s --cacert '$DATA/pki/ca.crt' --cert '$DATA/pki/admin.crt' --key '$DATA/pki/admin.key' https://127.0.0.1:$PORT$NS | jq '.items | length'"

# A plain restart keeps everything, byte for byte.
k create namespace plain >/dev/null
k create configmap pc -n plain --from-literal=a=b >/dev/null
k create secret generic ps -n plain --from-literal=p=q >/dev/null
k create deployment pd -n plain --image=nginx >/dev/null
k create service clusterip psvc -n plain --tcp=80:80 >/dev/null
dump() { api GET "$1" | jq -cS '[.items[] | {n: .metadata.name, uid: .metadata.uid, rv: .metadata.resourceVersion, data, spec}]'; }
paths=(/api/v1/namespaces/plain/configmaps /api/v1/namespaces/plain/secrets /apis/apps/v1/namespaces/plain/deployments /api/v1/namespaces/plain/services $NS)
before=$(for p in "${paths[@]}"; do dump "$p"; done)
rv_before=$(api GET $NS | jq -r .metadata.resourceVersion)
stop_server
start_server
after=$(for p in "${paths[@]}"; do dump "$p"; done)
if [ "$before" = "$after" ] && [ -n "$before" ]; then pass; else fail "plain restart kept every object unchanged"; fi
check "the CA survives a plain restart" test "$(sha256sum <"$DATA/pki/ca.crt")" = "$ca_sum"
expect "old kubeconfig after a plain restart" 'pc' /usr/bin/kubectl --kubeconfig "$TMP/old.kubeconfig" get cm -n plain -o name
expect "secret data after restart" '^q$' bash -c "/usr/bin/kubectl --kubeconfig '$KCFG' get secret ps -n plain -o jsonpath='{.data.p}' | base64 -d"
k create configmap after-plain -n dur >/dev/null
expect "watch from before the plain restart replays later changes" '"name":"after-plain"' api GET "$NS?watch=1&resourceVersion=$rv_before" -m 3
finish
