#!/usr/bin/env bash
# Streaming through the API server's kubelet proxy with the real kubectl: logs (-f), exec (exit
# codes, stdin, stderr, large output, cp) over WebSocket (1.32) and SPDY/3.1 (1.27, and 1.32 with
# WebSockets off), port-forward (1.32: SPDY tunnelled in WebSocket; 1.27: SPDY) and the proxy's
# errors. The kubelet is `skiff debug-kubelet`, a TEST TOOL that
# serves the kubelet's streaming endpoints with src/streaming and runs commands on this host; a
# Node with InternalIP 127.0.0.1 and its port, and a pod bound to it, point the proxy there.
# Every wait polls with a deadline.
source "$(dirname "$0")/lib.sh"
start_server
K=/usr/bin/kubectl          # 1.32: WebSocket (v5.channel.k8s.io)
K127=/usr/lib/google-cloud-sdk/bin/kubectl.1.27  # SPDY/3.1
k() { "$K" --kubeconfig "$KCFG" "$@"; }

# ---- the stub kubelet (mutual TLS: it accepts clients signed by the cluster CA) ----
LOGS=$TMP/container.log
printf 'line one\nline two\nline three\n' >"$LOGS"
"$SKIFF" debug-kubelet --listen 127.0.0.1:0 --port-file "$TMP/kubelet.port" --logs-file "$LOGS" \
  --client-ca "$DATA/pki/ca.crt" >>"$TMP/kubelet.log" 2>&1 &
poll 20 test -s "$TMP/kubelet.port" || { echo "debug-kubelet did not start" >&2; cat "$TMP/kubelet.log" >&2; exit 1; }
KPORT=$(cat "$TMP/kubelet.port")

check "kubelet client certificate exists" test -s "$DATA/pki/apiserver-kubelet-client.crt"
expect "kubelet client certificate subject" 'CN *= *kube-apiserver-kubelet-client' \
  openssl x509 -noout -subject -in "$DATA/pki/apiserver-kubelet-client.crt"

STATUS='{"status":{"addresses":[{"type":"InternalIP","address":"127.0.0.1"},{"type":"Hostname","address":"stub"}],"daemonEndpoints":{"kubeletEndpoint":{"Port":'$KPORT'}}}}'
check "create node" k create -f - <<<'{"apiVersion":"v1","kind":"Node","metadata":{"name":"stub"}}'
check "set node status" k patch node stub --subresource=status --type=merge -p "$STATUS"
expect "node has the kubelet port" "^$KPORT\$" k get node stub -o jsonpath='{.status.daemonEndpoints.kubeletEndpoint.Port}'

pod() {  # pod NAME CONTAINERS-JSON [NODE]
  cat <<EOF | k create -f - >/dev/null
{"apiVersion":"v1","kind":"Pod","metadata":{"name":"$1"},"spec":{${3:+\"nodeName\":\"$3\",}"containers":$2}}
EOF
}
check "create pod" pod p1 '[{"name":"c","image":"busybox"}]' stub
check "pod status Running" k patch pod p1 --subresource=status --type=merge -p '{"status":{"phase":"Running"}}'

# ---- logs ----
for KB in "$K" "$K127"; do
  v=$(basename "$KB")
  expect "$v logs" '^line one' "$KB" --kubeconfig "$KCFG" logs p1
  expect "$v logs --tail=1" '^line three$' "$KB" --kubeconfig "$KCFG" logs p1 --tail=1
done
# logs -f: a line appended after the start arrives through the open stream.
"$K" --kubeconfig "$KCFG" logs -f p1 >"$TMP/follow.out" 2>&1 &
FOLLOW_PID=$!
poll 10 grep -q 'line three' "$TMP/follow.out" && pass || fail "logs -f shows existing lines"
echo "appended later" >>"$LOGS"
poll 10 grep -q 'appended later' "$TMP/follow.out" && pass || fail "logs -f streams new lines"
kill "$FOLLOW_PID" 2>/dev/null; wait "$FOLLOW_PID" 2>/dev/null

# ---- exec over WebSocket (kubectl 1.32) ----
expect "exec echo" '^hi$' k exec p1 -- echo hi
k exec p1 -- sh -c 'exit 3' >/dev/null 2>&1; rc=$?
[ "$rc" -eq 3 ] && pass || fail "exec exit code 3 (got $rc)"
expect "exec stdin round trip" '^data$' bash -c "echo data | '$K' --kubeconfig '$KCFG' exec -i p1 -- cat"
expect "exec stderr" '^oops$' k exec p1 -- sh -c 'echo oops >&2'
big=$(head -c 300000 /dev/urandom | base64 -w0 | head -c 400000)
got=$(printf '%s' "$big" | "$K" --kubeconfig "$KCFG" exec -i p1 -- cat | md5sum)
[ "$got" = "$(printf '%s' "$big" | md5sum)" ] && pass || fail "exec -i: 400 kB round trip"

expect "exec: 20 MB of stdout" '^20000000$' bash -c "'$K' --kubeconfig '$KCFG' exec p1 -- head -c 20000000 /dev/zero | wc -c"
echo "copied content" >"$TMP/cp-src.txt"
check "kubectl cp (tar over exec)" k cp "p1:$TMP/cp-src.txt" "$TMP/cp-dst.txt"
expect "kubectl cp content" '^copied content$' cat "$TMP/cp-dst.txt"

# ---- exec over SPDY/3.1 (kubectl 1.27, and 1.32 with WebSockets off) ----
spdy_kubectls=("$K127")
for KB in "${spdy_kubectls[@]}" "$K"; do
  kx() { KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false "$KB" --kubeconfig "$KCFG" "$@"; }
  v="$(basename "$KB") spdy"
  expect "$v exec echo" '^hi$' kx exec p1 -- echo hi
  kx exec p1 -- sh -c 'exit 3' >/dev/null 2>&1; rc=$?
  [ "$rc" -eq 3 ] && pass || fail "$v exec exit code 3 (got $rc)"
  got=$(printf '%s' "$big" | kx exec -i p1 -- cat | md5sum)
  [ "$got" = "$(printf '%s' "$big" | md5sum)" ] && pass || fail "$v exec -i: 400 kB round trip"
  expect "$v exec stderr" '^oops$' kx exec p1 -- sh -c 'echo oops >&2'
  expect "$v exec: 20 MB of stdout" '^20000000$' bash -c "KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false '$KB' --kubeconfig '$KCFG' exec p1 -- head -c 20000000 /dev/zero | wc -c"
done

# other kubectl versions with their default transports
for KB in /usr/lib/google-cloud-sdk/bin/kubectl.1.30 /usr/lib/google-cloud-sdk/bin/kubectl.1.33; do
  [ -x "$KB" ] || continue
  v=$(basename "$KB")
  expect "$v exec" '^hi$' "$KB" --kubeconfig "$KCFG" exec p1 -- echo hi
  expect "$v exec -i" '^data$' bash -c "echo data | '$KB' --kubeconfig '$KCFG' exec -i p1 -- cat"
done

# ---- port-forward: kubectl 1.32 tunnels SPDY in WebSocket, 1.27 upgrades to SPDY ----
TPORT=$(free_port)
(cd "$TMP" && exec /usr/bin/python3 -m http.server "$TPORT" --bind 127.0.0.1 >>"$TMP/http.log" 2>&1) &
poll 20 curl -sf "http://127.0.0.1:$TPORT/container.log" || fail "test http server did not start"
for KB in "$K" "$K127"; do
  v=$(basename "$KB")
  LPORT=$(free_port)
  "$KB" --kubeconfig "$KCFG" port-forward pod/p1 "$LPORT:$TPORT" >>"$TMP/pf.log" 2>&1 &
  PF_PID=$!
  poll 20 curl -sf "http://127.0.0.1:$LPORT/container.log" && pass || fail "$v port-forward"
  expect "$v port-forward content" '^line one' curl -s "http://127.0.0.1:$LPORT/container.log"
  # several connections in a row over one port-forward session
  ok=1; for i in 1 2 3; do curl -sf "http://127.0.0.1:$LPORT/container.log" >/dev/null || ok=0; done
  [ "$ok" = 1 ] && pass || fail "$v port-forward: repeated connections"
  kill "$PF_PID" 2>/dev/null; wait "$PF_PID" 2>/dev/null
done

# ---- the proxy's errors ----
# an unknown scheduler name keeps the default scheduler away: the pod stays unbound
check "create unbound pod" k create -f - <<<'{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p2"},"spec":{"schedulerName":"nobody","containers":[{"name":"c","image":"busybox"}]}}'
expect "exec on a pod without a node" 'does not have a host assigned' k exec p2 -- true
check "create two-container pod" pod p3 '[{"name":"a","image":"busybox"},{"name":"b","image":"busybox"}]' stub
expect "logs needs a container name" 'a container name must be specified for pod p3, choose one of: \[a b\]' \
  api GET /api/v1/namespaces/default/pods/p3/log
expect "logs with an unknown container" 'container zz is not valid for pod p3' \
  api GET "/api/v1/namespaces/default/pods/p3/log?container=zz"
expect "logs of a missing pod" 'pods \\"nope\\" not found' api GET /api/v1/namespaces/default/pods/nope/log
expect "log requires authentication" '^401$' \
  curl -s -o /dev/null -w '%{http_code}' --cacert "$DATA/pki/ca.crt" "https://127.0.0.1:$PORT/api/v1/namespaces/default/pods/p1/log"
DEAD=$(free_port)
k patch node stub --subresource=status --type=merge -p "{\"status\":{\"daemonEndpoints\":{\"kubeletEndpoint\":{\"Port\":$DEAD}}}}" >/dev/null
expect "kubelet unreachable" 'error dialing backend: dial tcp 127.0.0.1:'"$DEAD" \
  api GET /api/v1/namespaces/default/pods/p1/log
k patch node stub --subresource=status --type=merge -p "{\"status\":{\"daemonEndpoints\":{\"kubeletEndpoint\":{\"Port\":$KPORT}}}}" >/dev/null
expect "node proxy" '^ok$' api GET /api/v1/nodes/stub/proxy/healthz

finish
