# Shared helpers of the end-to-end tests: sourced by each tests/e2e/*_test.sh, never run.
# Each test file starts its own `skiff server` in a fresh temp dir on a free port, drives it with
# the real kubectl (every version in KUBECTLS), and tears everything down on exit, even on failure.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SKIFF=${SKIFF:-$ROOT/build/skiff}
KUBECTLS=()
for k in /usr/lib/google-cloud-sdk/bin/kubectl.1.27 /usr/bin/kubectl /usr/lib/google-cloud-sdk/bin/kubectl.1.33; do
  [ -x "$k" ] && KUBECTLS+=("$k")
done
[ ${#KUBECTLS[@]} -gt 0 ] || { echo "no kubectl found"; exit 1; }
TMP=$(mktemp -d /tmp/skiff-e2e.XXXXXX)
PASSED=0 FAILED=0
SERVER_PID=

teardown() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; fi
  jobs -p | xargs -r kill 2>/dev/null
  # A standalone agent holds its data dir until it has stopped; node-reset refuses before that.
  wait 2>/dev/null
  # Containers outlive the server: remove what its node agent left (processes, mounts, netns).
  if [ -n "${AGENT_DATA:-}" ]; then "$SKIFF" node-reset --data-dir "$AGENT_DATA" >/dev/null 2>&1; fi
  if [ -n "${TEARDOWN_EXTRA:-}" ]; then eval "$TEARDOWN_EXTRA" >/dev/null 2>&1; fi
  # KEEP_TMP=1 keeps the logs and data of a failed run for debugging.
  if [ "${KEEP_TMP:-}" = 1 ] && [ "$FAILED" -ne 0 ]; then echo "kept $TMP" >&2; else rm -rf "$TMP"; fi
}
trap teardown EXIT

pass() { PASSED=$((PASSED+1)); }
fail() { FAILED=$((FAILED+1)); echo "FAIL: $*" >&2; }
# expect NAME REGEX CMD...: CMD's combined output must match REGEX.
expect() {
  local name=$1 pat=$2; shift 2
  local out; out=$("$@" 2>&1)
  if grep -Eq -- "$pat" <<<"$out"; then pass; else fail "$name"; echo "  wanted /$pat/, got: ${out:0:400}" >&2; fi
}
# expect_not NAME REGEX CMD...: CMD's output must not match REGEX.
expect_not() {
  local name=$1 pat=$2; shift 2
  local out; out=$("$@" 2>&1)
  if grep -Eq -- "$pat" <<<"$out"; then fail "$name"; echo "  unwanted /$pat/ in: ${out:0:400}" >&2; else pass; fi
}
# check NAME CMD...: CMD must exit 0.
check() { local name=$1; shift; local out; if out=$("$@" 2>&1); then pass; else fail "$name"; echo "  ${out:0:400}" >&2; fi; }
# poll SECONDS CMD...: retries CMD until it succeeds or the deadline passes.
poll() { local t=$1; shift; local end=$((SECONDS+t)); while ((SECONDS<end)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done; return 1; }

free_port() { /usr/bin/python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# start_server [ARGS...]: a server on DATA=$TMP/data (kept across restarts) and PORT.
DATA=$TMP/data
PORT=$(free_port)
start_server() {
  mkdir -p "$DATA"
  local agent=(--no-agent)
  # start_agent_server: with the node agent (data in $DATA/agent, kubelet port chosen freely).
  if [ "${WITH_AGENT:-}" = 1 ]; then agent=(--kubelet-port 0); AGENT_DATA=$DATA/agent; fi
  "$SKIFF" server --data-dir "$DATA" --bind-address 127.0.0.1 --port "$PORT" "${agent[@]}" "$@" \
    >>"$TMP/server.log" 2>&1 &
  SERVER_PID=$!
  KCFG=$DATA/admin.kubeconfig
  if ! poll 60 curl -sf --cacert "$DATA/pki/ca.crt" "https://127.0.0.1:$PORT/readyz" || ! poll 10 test -s "$KCFG"; then
    echo "server did not become ready; log:" >&2; tail -20 "$TMP/server.log" >&2; exit 1
  fi
}
start_agent_server() { WITH_AGENT=1 start_server "$@"; }
stop_server() { kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=; }
kill9_server() { kill -9 "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=; }

# api METHOD PATH [curl args...]: a raw request as the admin (client certificate).
api() {
  local m=$1 p=$2; shift 2
  curl -s --cacert "$DATA/pki/ca.crt" --cert "$DATA/pki/admin.crt" --key "$DATA/pki/admin.key" \
    -X "$m" "https://127.0.0.1:$PORT$p" "$@"
}
# api_code METHOD PATH [curl args...]: just the HTTP status.
api_code() { api "$@" -o /dev/null -w '%{http_code}'; }

finish() {
  echo "$(basename "$0"): $PASSED passed, $FAILED failed"
  if [ "$FAILED" -ne 0 ]; then echo "--- server log tail ---" >&2; tail -30 "$TMP/server.log" >&2; fi
  [ "$FAILED" -eq 0 ]
}

# A multi-node cluster of the file's own made by scripts/cluster (the cluster_*_test.sh files).
# cluster_env TAG SUBNET CIDR: names no other file uses (host namespaces TAG<pid>-N, bridge
# TAG<pid>br, the hosts' SUBNET.0/24, pod range CIDR), so the files run side by side; the cluster
# goes with the teardown whatever happens. Sets CLUSTER, PREFIX, SUB, K; defines k (kubectl on the
# cluster) and cexec (scripts/cluster exec).
cluster_env() {
  local p=$1$$
  CLUSTER=$ROOT/scripts/cluster
  export SKIFF_CLUSTER_DIR=$TMP/cluster SKIFF_CLUSTER_PREFIX=${p:0:9}- SKIFF_CLUSTER_BRIDGE=${p:0:9}br
  export SKIFF_CLUSTER_SUBNET=$2 SKIFF_CLUSTER_CIDR=$3 SKIFF
  PREFIX=$SKIFF_CLUSTER_PREFIX SUB=$2
  TEARDOWN_EXTRA="'$CLUSTER' down"
  K=/usr/bin/kubectl
  k() { "$K" --kubeconfig "$SKIFF_CLUSTER_DIR/kubeconfig" "$@"; }
  cexec() { "$CLUSTER" exec "$@"; }
}
# cluster_up ARGS...: `scripts/cluster up ARGS`; on failure the file ends with what went wrong.
cluster_up() {
  local out
  out=$("$CLUSTER" up "$@" 2>&1)
  echo "$out" >"$TMP/server.log"
  if ! grep -q "^export KUBECONFIG=$SKIFF_CLUSTER_DIR/kubeconfig\$" <<<"$out"; then
    fail "scripts/cluster up $*"; echo "$out" | tail -20 >&2
    cat "$SKIFF_CLUSTER_DIR"/h*.log 2>/dev/null | tail -30 >&2
    finish; exit 1
  fi
  pass
}
