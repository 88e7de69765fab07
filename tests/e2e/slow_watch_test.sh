#!/usr/bin/env bash
# A watch client that stops reading (a socket with a tiny receive buffer that never reads) is
# closed by the server once it is too far behind (the store's per-watcher bound, 64 MiB or 20000
# events), while a reading `kubectl get --watch-only` receives every event. The stalled client
# then reads what was buffered and must find the stream ended by the server (the chunked
# terminator) without every event.
source "$(dirname "$0")/lib.sh"
start_server
k() { /usr/bin/kubectl --kubeconfig "$KCFG" "$@"; }
N=${SLOW_WATCH_OBJECTS:-450}  # x 200 KiB = ~90 MiB, over the 64 MiB bound

cat >"$TMP/slow.py" <<'PY'
import http.client, json, os, socket, ssl, sys, time
data, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ctx = ssl.create_default_context(cafile=f"{data}/pki/ca.crt")
ctx.load_cert_chain(f"{data}/pki/admin.crt", f"{data}/pki/admin.key")
if mode == "write":  # write N ConfigMaps of 200 KiB over one connection
    n, ns = int(sys.argv[4]), sys.argv[5]
    c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=60)
    blob = "x" * (200 * 1024)
    for i in range(n):
        body = json.dumps({"apiVersion": "v1", "kind": "ConfigMap",
                           "metadata": {"name": f"big-{i}"}, "data": {"blob": blob}})
        c.request("POST", f"/api/v1/namespaces/{ns}/configmaps", body,
                  {"Content-Type": "application/json"})
        r = c.getresponse(); r.read()
        if r.status != 201: sys.exit(f"create big-{i}: {r.status}")
    sys.exit(0)
# mode == "stall": send a watch request, read nothing until GO exists, then read to the end.
path, go, out = sys.argv[4], sys.argv[5], sys.argv[6]
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(("127.0.0.1", port))
t = ctx.wrap_socket(s, server_hostname="localhost")
t.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
open(out + ".sent", "w").close()
while not os.path.exists(go): time.sleep(0.1)
buf, ended, deadline = b"", False, time.time() + 120
t.settimeout(5)
while time.time() < deadline:
    try: b = t.recv(1 << 20)
    except socket.timeout: continue
    if not b: break
    buf += b
    if buf.endswith(b"\r\n0\r\n\r\n"): ended = True; break
added = buf.count(b'"type":"ADDED"')
with open(out, "w") as f:
    f.write(f"ended={int(ended)} events={added} bytes={len(buf)}\n")
PY

k create namespace slow >/dev/null
rv=$(api GET /api/v1/namespaces/slow/configmaps | jq -r .metadata.resourceVersion)
/usr/bin/python3 "$TMP/slow.py" "$DATA" "$PORT" stall \
  "/api/v1/namespaces/slow/configmaps?watch=1&resourceVersion=$rv" "$TMP/go" "$TMP/stalled" &
spid=$!
k get cm -n slow --watch-only --no-headers -o name >"$TMP/reader" 2>&1 &
rpid=$!
poll 20 test -e "$TMP/stalled.sent" && pass || fail "stalled client sent its watch"
# The reading watch is established once it reports a marker object.
k create configmap marker -n slow >/dev/null
poll 30 grep -q '^configmap/marker$' "$TMP/reader" && pass || fail "kubectl watch is running"

check "wrote $N objects of 200 KiB" /usr/bin/python3 "$TMP/slow.py" "$DATA" "$PORT" write "$N" slow
all_seen() { [ "$(grep -c '^configmap/big-' "$TMP/reader")" -ge "$N" ]; }
poll 120 all_seen && pass || fail "reading watch got all $N events (got $(grep -c '^configmap/big-' "$TMP/reader"))"
expect "reading watch got each object once" "^$N$" bash -c "grep '^configmap/big-' '$TMP/reader' | sort -u | wc -l"
expect "reading watch still open" '^running$' bash -c "kill -0 $rpid && echo running"
slow_logged() { grep -q 'closing slow watcher on /registry/core/configmaps/slow/' "$TMP/server.log"; }
poll 30 slow_logged && pass || fail "server closed the stalled watcher (log)"

# Now the stalled client reads: what was buffered, then the end of the stream.
touch "$TMP/go"
poll 150 test -s "$TMP/stalled" && pass || fail "stalled client finished reading"
wait $spid 2>/dev/null
expect "stalled stream was ended by the server" '^ended=1 ' cat "$TMP/stalled"
got=$(sed -n 's/.*events=\([0-9]*\).*/\1/p' "$TMP/stalled")
if [ -n "$got" ] && [ "$got" -lt "$N" ]; then pass; else fail "stalled client did not get every event (got ${got:-none} of $N)"; fi
# The server carries on: a new watch from the stalled client's revision catches up from history.
expect "a new watch catches up after the close" 'big-0"' bash -c "curl -s -N -m 5 --cacert '$DATA/pki/ca.crt' --cert '$DATA/pki/admin.crt' --key '$DATA/pki/admin.key' 'https://127.0.0.1:$PORT/api/v1/namespaces/slow/configmaps?watch=1&resourceVersion=$rv' | head -c 300000 | grep -o 'big-0\"' | head -1"
kill $rpid 2>/dev/null; wait $rpid 2>/dev/null
finish
