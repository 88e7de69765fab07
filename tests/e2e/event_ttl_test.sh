#!/usr/bin/env bash
# --event-ttl: core/v1 and events.k8s.io/v1 Events go once their time is up after their last
# write, other objects stay, a bad value is refused, and Events stored before a restart expire too.
source "$(dirname "$0")/lib.sh"
"$SKIFF" server --event-ttl soon >"$TMP/bad.log" 2>&1; rc=$?
[ $rc -ne 0 ] && grep -q -- '--event-ttl' "$TMP/bad.log" && pass || fail "bad --event-ttl refused"
start_server --event-ttl 3s
k() { /usr/bin/kubectl --kubeconfig "$KCFG" "$@"; }
ev() {  # ev NAME: a core/v1 Event about a ConfigMap
  printf 'apiVersion: v1\nkind: Event\nmetadata: {name: %s, namespace: default}\ninvolvedObject: {kind: ConfigMap, name: c, namespace: default}\nreason: Test\nmessage: hello\ntype: Normal\n' "$1"
}
ev e1 | k create -f - >/dev/null
printf 'apiVersion: events.k8s.io/v1\nkind: Event\nmetadata: {name: n1, namespace: default}\neventTime: "2026-01-01T00:00:00.000000Z"\nreportingController: test\nreportingInstance: t\naction: Test\nreason: Test\nregarding: {kind: ConfigMap, name: c, namespace: default}\ntype: Normal\n' | k create -f - >/dev/null
k create configmap keep >/dev/null
expect "event stored" '^e1$' k get events e1 -o jsonpath='{.metadata.name}'
gone() { ! k get events.v1.events.k8s.io n1 >/dev/null 2>&1 && ! k get events e1 >/dev/null 2>&1; }
poll 30 gone && pass || fail "events expire"
expect "other objects stay" '^keep$' k get cm keep -o jsonpath='{.metadata.name}'
# written again: the time counts from the last write
ev e2 | k create -f - >/dev/null
for i in 1 2 3; do sleep 1; k annotate events e2 n=$i --overwrite >/dev/null; done
expect "a rewritten event lives on" '^e2$' k get events e2 -o jsonpath='{.metadata.name}'
gone2() { ! k get events e2 >/dev/null 2>&1; }
poll 30 gone2 && pass || fail "rewritten event expires after its last write"
# stored before a restart
stop_server
start_server --event-ttl 1h
ev e3 | k create -f - >/dev/null
stop_server
start_server --event-ttl 2s
gone3() { ! k get events e3 >/dev/null 2>&1; }
poll 30 gone3 && pass || fail "an event stored before a restart expires"
finish
