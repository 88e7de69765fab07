#!/usr/bin/env bash
# Bad input never crashes the server and loses nothing: malformed and oversized bodies, wrong
# media types, unknown resources, wrong kinds, missing or foreign credentials, absurd nesting,
# bad patches, stale writes, and clients that hang up mid-request or mid-watch.
source "$(dirname "$0")/lib.sh"
start_server
k() { /usr/bin/kubectl --kubeconfig "$KCFG" "$@"; }
CM=/api/v1/namespaces/bad/configmaps
alive() { kill -0 "$SERVER_PID" 2>/dev/null; }
status_is() {  # status_is NAME CODE-REGEX REASON-REGEX METHOD PATH [curl args]: code and Status body.
  local name=$1 code=$2 reason=$3; shift 3
  local out; out=$(api "$@" -w '\n%{http_code}')
  if grep -Eq -- "^($code)\$" <<<"$(tail -1 <<<"$out")" && grep -Eq -- "\"kind\":\"Status\".*\"reason\":\"($reason)\"" <<<"$out"; then pass
  else fail "$name"; echo "  wanted $code/$reason, got: ${out:0:300}" >&2; fi
}

k create namespace bad >/dev/null
k create configmap keep -n bad --from-literal=k=v --from-literal=big="$(head -c 3000 /dev/zero | tr '\0' x)" >/dev/null
keep_state() { api GET $CM/keep | jq -cS '{data, uid: .metadata.uid, rv: .metadata.resourceVersion}'; }
keep_before=$(keep_state)

# --- Malformed, oversized and mistyped bodies.
status_is "malformed JSON" 400 BadRequest POST $CM -H 'Content-Type: application/json' -d '{"apiVersion":"v1","kind":'
status_is "JSON with trailing garbage" 400 BadRequest POST $CM -H 'Content-Type: application/json' -d '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"t"}} xyz'
status_is "malformed YAML" 400 BadRequest POST $CM -H 'Content-Type: application/yaml' --data-binary $'apiVersion: v1\nkind: [ConfigMap\n  : :'
status_is "empty body" 400 BadRequest POST $CM -H 'Content-Type: application/json' --data-binary ''
head -c $((3*1024*1024 + 4096)) /dev/zero | tr '\0' a >"$TMP/big"
expect "body over 3 MiB is 413" '^413$' api_code POST $CM -H 'Content-Type: application/json' --data-binary @"$TMP/big"
/usr/bin/python3 -c 'import json,sys; print(json.dumps({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"huge"},"data":{"a":"x"*(3*1024*1024+10)}}))' >"$TMP/bigjson"
expect "valid JSON over 3 MiB is 413" '^413$' api_code POST $CM -H 'Content-Type: application/json' --data-binary @"$TMP/bigjson"
expect "413 on PUT too" '^413$' api_code PUT $CM/keep -H 'Content-Type: application/json' --data-binary @"$TMP/bigjson"
status_is "text/plain is 415" 415 UnsupportedMediaType POST $CM -H 'Content-Type: text/plain' -d '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"t"}}'
status_is "octet-stream is 415" 415 UnsupportedMediaType POST $CM -H 'Content-Type: application/octet-stream' -d '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"t"}}'
head -c 4096 /dev/urandom >"$TMP/garbage"
expect "protobuf garbage is 400/415" '^(400|415)$' api_code POST $CM -H 'Content-Type: application/vnd.kubernetes.protobuf' --data-binary @"$TMP/garbage"
printf 'k8s\0\x0a\x02v1\x12\x09ConfigMap\x1a\xff\xff\xff\xff\x0f' >"$TMP/pbtrunc"
expect "truncated protobuf is 400/415" '^(400|415)$' api_code POST $CM -H 'Content-Type: application/vnd.kubernetes.protobuf' --data-binary @"$TMP/pbtrunc"
check "alive after bodies" alive

# --- Unknown paths, kinds and versions.
status_is "unknown resource is 404 Status" 404 NotFound GET /api/v1/namespaces/default/widgets
expect "unknown group is 404" '^404$' api_code GET /apis/nope/v1
expect "unknown group resource is 404" '^404$' api_code GET /apis/nope/v1/namespaces/default/things
expect "unknown version is 404" '^404$' api_code GET /apis/apps/v9/deployments
expect "unknown subresource is 404" '^404$' api_code GET $CM/keep/frobnicate
status_is "wrong kind in body" 400 BadRequest POST /api/v1/namespaces/bad/pods -H 'Content-Type: application/json' \
  -d '{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"ports":[{"port":80}]}}'
status_is "wrong apiVersion in body" 400 BadRequest POST $CM -H 'Content-Type: application/json' \
  -d '{"apiVersion":"apps/v1","kind":"ConfigMap","metadata":{"name":"s"}}'
status_is "unknown apiVersion in body" 400 BadRequest POST $CM -H 'Content-Type: application/json' \
  -d '{"apiVersion":"v9","kind":"ConfigMap","metadata":{"name":"s"}}'
status_is "body names another object" 400 BadRequest PUT $CM/keep -H 'Content-Type: application/json' \
  -d '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"other"}}'
status_is "body in another namespace" 400 BadRequest POST $CM -H 'Content-Type: application/json' \
  -d '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"s","namespace":"default"}}'
status_is "POST on a named object is 405" 405 MethodNotAllowed POST $CM/keep -H 'Content-Type: application/json' -d '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"keep"}}'
expect "PUT on a collection is 405" '^405$' api_code PUT $CM -H 'Content-Type: application/json' -d '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"keep"}}'

# --- Credentials.
anon() { curl -s -o /dev/null -w '%{http_code}' --cacert "$DATA/pki/ca.crt" "https://127.0.0.1:$PORT$1"; }
expect "no credentials: 401 on resources" '^401$' anon /api/v1/pods
expect "no credentials: 401 on a namespaced write" '^401$' curl -s -o /dev/null -w '%{http_code}' --cacert "$DATA/pki/ca.crt" -X POST \
  -H 'Content-Type: application/json' -d '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"anon"}}' "https://127.0.0.1:$PORT$CM"
for p in /version /livez /readyz /healthz; do
  expect "no credentials: 200 on $p" '^200$' anon $p
done
expect "bearer garbage is 401" '^401$' curl -s -o /dev/null -w '%{http_code}' --cacert "$DATA/pki/ca.crt" -H 'Authorization: Bearer nope' "https://127.0.0.1:$PORT/api/v1/pods"
# A client certificate with admin's name, signed by another CA.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/evil-ca.key" -out "$TMP/evil-ca.crt" -days 1 -subj /CN=evil-ca >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -keyout "$TMP/evil.key" -out "$TMP/evil.csr" -subj '/O=system:masters/CN=admin' >/dev/null 2>&1
openssl x509 -req -in "$TMP/evil.csr" -CA "$TMP/evil-ca.crt" -CAkey "$TMP/evil-ca.key" -CAcreateserial -out "$TMP/evil.crt" -days 1 >/dev/null 2>&1
check "made a foreign client cert" test -s "$TMP/evil.crt"
foreign() { curl -s -o /dev/null -w '%{http_code}' --cacert "$DATA/pki/ca.crt" --cert "$TMP/evil.crt" --key "$TMP/evil.key" "https://127.0.0.1:$PORT/api/v1/pods"; }
expect "foreign CA client cert rejected (TLS error or 401)" '^(000|401)$' foreign
foreign_write() { curl -s -o /dev/null -w '%{http_code}' --cacert "$DATA/pki/ca.crt" --cert "$TMP/evil.crt" --key "$TMP/evil.key" -X POST \
  -H 'Content-Type: application/json' -d '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"evil"}}' "https://127.0.0.1:$PORT$CM"; }
expect "foreign CA client cert cannot write" '^(000|401)$' foreign_write
expect "foreign write stored nothing" 'NotFound' k get cm evil -n bad

# --- Absurd nesting.
/usr/bin/python3 -c 'print("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"deep\"},\"data\":" + "["*10000 + "]"*10000 + "}")' >"$TMP/deep1"
expect "10,000-deep arrays are 400" '^400$' api_code POST $CM -H 'Content-Type: application/json' --data-binary @"$TMP/deep1"
/usr/bin/python3 -c 'print("{\"a\":"*10000 + "1" + "}"*10000)' >"$TMP/deep2"
expect "10,000-deep objects are 400" '^400$' api_code POST $CM -H 'Content-Type: application/json' --data-binary @"$TMP/deep2"
/usr/bin/python3 -c 'print("["*200000)' >"$TMP/deep3"
expect "200,000 unclosed brackets are 400" '^400$' api_code POST $CM -H 'Content-Type: application/json' --data-binary @"$TMP/deep3"
/usr/bin/python3 -c 'print("a: " + "["*10000 + "]"*10000)' >"$TMP/deepy"
expect "10,000-deep YAML is 400" '^400$' api_code POST $CM -H 'Content-Type: application/yaml' --data-binary @"$TMP/deepy"
/usr/bin/python3 -c 'print("{\"data\":" + "{\"a\":"*10000 + "1" + "}"*10000 + "}")' >"$TMP/deepp"
expect "10,000-deep merge patch is 400" '^400$' api_code PATCH $CM/keep -H 'Content-Type: application/merge-patch+json' --data-binary @"$TMP/deepp"
expect "10,000-deep strategic patch is 400" '^400$' api_code PATCH $CM/keep -H 'Content-Type: application/strategic-merge-patch+json' --data-binary @"$TMP/deepp"
check "alive after nesting" alive

# --- Bad patches and stale writes.
status_is "unsupported patch Content-Type is 415" 415 UnsupportedMediaType PATCH $CM/keep -H 'Content-Type: text/plain' -d '{"data":{"k":"x"}}'
status_is "application/json is not a patch type" 415 UnsupportedMediaType PATCH $CM/keep -H 'Content-Type: application/json' -d '{"data":{"k":"x"}}'
expect "JSON patch with a bad op is 400/422" '^(400|422)$' api_code PATCH $CM/keep -H 'Content-Type: application/json-patch+json' -d '[{"op":"frobnicate","path":"/data/k"}]'
expect "JSON patch with a bad path is 400/422" '^(400|422)$' api_code PATCH $CM/keep -H 'Content-Type: application/json-patch+json' -d '[{"op":"replace","path":"/nope/deeper","value":1}]'
expect "JSON patch that is not a list is 400/422" '^(400|422)$' api_code PATCH $CM/keep -H 'Content-Type: application/json-patch+json' -d '{"op":"add"}'
expect "failing JSON patch test op is 422" '^422$' api_code PATCH $CM/keep -H 'Content-Type: application/json-patch+json' -d '[{"op":"test","path":"/data/k","value":"nope"}]'
expect "malformed merge patch is 400" '^400$' api_code PATCH $CM/keep -H 'Content-Type: application/merge-patch+json' -d '{"data":'
expect "patch of a missing object is 404" '^404$' api_code PATCH $CM/nope -H 'Content-Type: application/merge-patch+json' -d '{"data":{"a":"b"}}'
status_is "stale resourceVersion on PUT" 409 Conflict PUT $CM/keep -H 'Content-Type: application/json' \
  -d '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"keep","resourceVersion":"2"},"data":{"k":"stale"}}'
status_is "stale resourceVersion in a merge patch" 409 Conflict PATCH $CM/keep -H 'Content-Type: application/merge-patch+json' \
  -d '{"metadata":{"resourceVersion":"2"},"data":{"k":"stale"}}'
status_is "non-numeric resourceVersion on PUT" '400|409|422' 'BadRequest|Conflict|Invalid' PUT $CM/keep -H 'Content-Type: application/json' \
  -d '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"keep","resourceVersion":"abc"},"data":{"k":"stale"}}'
expect "bad query parameter value is 400" '^400$' api_code GET "$CM?limit=abc"
expect "bad timeoutSeconds is 400" '^400$' api_code GET "$CM?watch=1&timeoutSeconds=abc" -m 5

# --- Clients that hang up mid-request and mid-watch.
cat >"$TMP/hangup.py" <<'EOF'
import socket, ssl, sys, time
port, ca, crt, key, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
ctx = ssl.create_default_context(cafile=ca); ctx.load_cert_chain(crt, key); ctx.check_hostname = False
def tls():
    return ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="127.0.0.1")
head = b"POST /api/v1/namespaces/bad/configmaps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
if mode == "close":
    for i in range(20):  # Content-Length 1000, 10 bytes sent, then gone
        s = tls(); s.sendall(head + b'{"apiVers"'); s.close()
    for i in range(5):   # half the headers, then gone
        s = tls(); s.sendall(b"GET /api/v1/pods HTTP/1.1\r\nHost: x\r\nAcc"); s.close()
    for i in range(5):   # plain text on the TLS port, and a handshake cut short
        s = socket.create_connection(("127.0.0.1", port)); s.sendall(b"GET / HTTP/1.1\r\n\r\n"); s.close()
        s = socket.create_connection(("127.0.0.1", port)); s.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"); s.close()
    print("done", flush=True)
else:                    # hold: stalled requests and silent TCP connections stay open
    socks = []
    for i in range(20):
        s = tls(); s.sendall(head + b'{"apiVers"'); socks.append(s)
        socks.append(socket.create_connection(("127.0.0.1", port)))
    print("holding", flush=True)
    time.sleep(float(mode))
EOF
check "hang up mid-request" /usr/bin/python3 "$TMP/hangup.py" "$PORT" "$DATA/pki/ca.crt" "$DATA/pki/admin.crt" "$DATA/pki/admin.key" close
for n in 1 2 3 4 5; do
  api GET "$CM?watch=1" -N >/dev/null &
  wp=$!
  api GET "/api/v1/pods?watch=1&resourceVersion=0" -N >/dev/null &
  wp2=$!
  k create configmap "w$n" -n bad >/dev/null
  kill $wp $wp2 2>/dev/null; wait $wp $wp2 2>/dev/null
done
timeout 2 /usr/bin/kubectl --kubeconfig "$KCFG" get cm -n bad -w >/dev/null 2>&1  # kubectl killed mid-watch
check "alive after hang-ups" alive
/usr/bin/python3 "$TMP/hangup.py" "$PORT" "$DATA/pki/ca.crt" "$DATA/pki/admin.crt" "$DATA/pki/admin.key" 60 >"$TMP/hold.out" 2>&1 &
holder=$!
poll 20 grep -q holding "$TMP/hold.out" && pass || fail "stalled connections opened"
quick() {
  local ok=0 n
  for n in $(seq 1 50); do
    [ "$(api_code GET $CM/keep -m 5)" = 200 ] && ok=$((ok+1))
  done
  echo "$ok"
}
expect "50 quick requests succeed with 40 stalled connections open" '^50$' quick
kill $holder 2>/dev/null; wait $holder 2>/dev/null
expect "50 quick requests succeed afterwards" '^50$' quick
check "server process alive" alive

# --- Nothing lost, nothing half-made.
intact() { [ "$(keep_state)" = "$keep_before" ]; }
check "keep is intact (same data, uid, resourceVersion)" intact
expect "only the good objects exist" '^keep w1 w2 w3 w4 w5 $' bash -c "/usr/bin/kubectl --kubeconfig '$KCFG' get cm -n bad --field-selector metadata.name!=kube-root-ca.crt --no-headers -o custom-columns=N:.metadata.name | tr '\n' ' '"
expect "kubectl still works" 'configmap/after created' k create configmap after -n bad
finish
