#!/usr/bin/env bash
# Client libraries: the official Python client (python3-kubernetes under Debian's python3)
# against the server - watch=True, typed decoding of objects with required status fields, 404
# details, version.buildDate; and watch=1/watch=true spelled by hand.
source "$(dirname "$0")/lib.sh"
start_server
k() { /usr/bin/kubectl --kubeconfig "$KCFG" "$@"; }
k create ns clients >/dev/null
out=$(KUBECONFIG=$KCFG /usr/bin/python3 "$(dirname "$0")/clients_test.py" clients 2>&1)
while read -r status name; do
  case $status in ok) pass ;; FAIL) fail "python client: $name" ;; esac
done <<<"$out"
grep -q '^ok ' <<<"$out" || { fail "python client ran"; echo "$out" >&2; }
for spelling in True 1 true; do
  # a watch answers with a stream that stays open: curl ends only at its own timeout (28)
  api GET "/api/v1/namespaces/clients/configmaps?watch=$spelling" -m 2 -o /dev/null; rc=$?
  [ $rc -eq 28 ] && pass || fail "watch=$spelling starts a watch (curl rc $rc)"
done
finish
