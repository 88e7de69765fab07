#!/usr/bin/env bash
# kube-system shows what runs the cluster (docs/agent.md, "Mirror pods"): `skiff server` with
# its node agent creates kube-apiserver-<node>, kube-controller-manager-<node> and
# kube-scheduler-<node> as mirror pods, 1/1 Running and Ready, with upstream's annotations and
# owner; `kubectl logs` of each shows that component's own lines (and -f follows); `kubectl
# describe` works; a deleted mirror pod comes back with a new uid, an edited one is replaced;
# exec is refused clearly; the agent never runs them as containers. The pod network backend is
# none here (single node), so there is no kube-proxy/kube-flannel pod: cluster_test.sh checks
# those on an agent-only node.
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "mirror_pods_test: needs root (the node agent)"; exit 1; }
NODE=mirror-e2e-$$
start_agent_server --node-name "$NODE" --cluster-cidr 10.249.0.0/16
K=/usr/bin/kubectl
k() { "$K" --kubeconfig "$KCFG" "$@"; }
CP=(kube-apiserver kube-controller-manager kube-scheduler)
ready() { [ "$(k get pod -n kube-system "$1-$NODE" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]; }
for c in "${CP[@]}"; do
  poll 60 ready "$c" && pass || fail "$c-$NODE Ready"
done
out=$(k get pods -n kube-system --no-headers 2>&1)
for c in "${CP[@]}"; do
  expect "$c listed 1/1 Running" "^$c-$NODE +1/1 +Running +0 " echo "$out"
done
expect_not "no etcd pod (skiff does not run etcd)" '^etcd-' echo "$out"
expect_not "no kube-proxy pod with the backend none" '^kube-proxy-' echo "$out"
S=kube-scheduler-$NODE
expect "config.mirror equals config.hash (32 hex digits)" '^([0-9a-f]{32}) \1$' \
  k get pod -n kube-system "$S" -o jsonpath='{.metadata.annotations.kubernetes\.io/config\.hash} {.metadata.annotations.kubernetes\.io/config\.mirror}'
expect "config.source file" '^file$' k get pod -n kube-system "$S" -o jsonpath='{.metadata.annotations.kubernetes\.io/config\.source}'
node_uid=$(k get node "$NODE" -o jsonpath='{.metadata.uid}')
expect "owned by the Node" "^Node $NODE $node_uid true\$" \
  k get pod -n kube-system "$S" -o jsonpath='{.metadata.ownerReferences[0].kind} {.metadata.ownerReferences[0].name} {.metadata.ownerReferences[0].uid} {.metadata.ownerReferences[0].controller}'
expect "labels as kubeadm's" '^kube-scheduler control-plane$' \
  k get pod -n kube-system "$S" -o jsonpath='{.metadata.labels.component} {.metadata.labels.tier}'
expect "selectable by tier=control-plane" '^3$' bash -c "'$K' --kubeconfig '$KCFG' get pods -n kube-system -l tier=control-plane --no-headers | wc -l"
expect "spec: node, hostNetwork, system-node-critical with its priority" "^$NODE true system-node-critical 2000001000\$" \
  k get pod -n kube-system "$S" -o jsonpath='{.spec.nodeName} {.spec.hostNetwork} {.spec.priorityClassName} {.spec.priority}'
node_ip=$(k get node "$NODE" -o jsonpath='{.status.addresses[?(@.type=="InternalIP")].address}')
expect "pod IP and host IP are the node's" "^$node_ip $node_ip\$" k get pod -n kube-system "$S" -o jsonpath='{.status.podIP} {.status.hostIP}'
expect "container named after the component, running since the component started" '^kube-scheduler true true 0 [0-9T:-]+Z$' \
  k get pod -n kube-system "$S" -o jsonpath='{.status.containerStatuses[0].name} {.status.containerStatuses[0].ready} {.status.containerStatuses[0].started} {.status.containerStatuses[0].restartCount} {.status.containerStatuses[0].state.running.startedAt}'
expect "the command shows the process the component runs in" 'skiff","server"' \
  k get pod -n kube-system "$S" -o jsonpath='{.spec.containers[0].command}'

# Logs: each pod shows its own component's lines only.
expect "kube-apiserver logs: the API server's lines" 'serving the Kubernetes API' k logs -n kube-system "kube-apiserver-$NODE"
expect "kube-scheduler logs: the scheduler's lines" 'scheduler\.cc:[0-9]+\] scheduler: .* started' k logs -n kube-system "$S"
expect_not "kube-scheduler logs hold no API server line" 'serving the Kubernetes API|server\.cc:' k logs -n kube-system "$S"
expect "kube-controller-manager logs: the controllers' lines" '_controller\.cc:[0-9]+\]|controller_manager\.cc' \
  k logs -n kube-system "kube-controller-manager-$NODE"
expect "--tail 1 gives one line" '^1$' bash -c "'$K' --kubeconfig '$KCFG' logs -n kube-system 'kube-apiserver-$NODE' --tail 1 | wc -l"
# -f follows: a pod that cannot be scheduled makes the scheduler log a new line.
k logs -n kube-system "$S" -f >"$TMP/follow.log" 2>&1 &
FOLLOW=$!
k run unschedulable-$$ --image=e2e/none:1 --overrides='{"spec":{"nodeSelector":{"no-such":"node"}}}' >/dev/null
followed() { grep -q "unable to schedule default/unschedulable-$$" "$TMP/follow.log"; }
poll 30 followed && pass || { fail "logs -f follows the scheduler's new lines"; tail -5 "$TMP/follow.log" >&2; }
kill "$FOLLOW" 2>/dev/null; wait "$FOLLOW" 2>/dev/null
k delete pod unschedulable-$$ --wait=false >/dev/null 2>&1
expect "exec is refused with the reason" 'mirror pod' k exec -n kube-system "$S" -- true
expect "logs --previous: none" 'previous terminated container' k logs -n kube-system "$S" --previous

desc=$(k describe pod -n kube-system "$S" 2>&1)
expect "describe: name" "^Name: +$S\$" echo "$desc"
expect "describe: priority class" '^Priority Class Name: +system-node-critical$' echo "$desc"
expect "describe: controlled by the Node" "^Controlled By: +Node/$NODE\$" echo "$desc"
expect "describe: Ready condition" '^ +Ready +True *$' echo "$desc"
expect "describe: the image" 'Image: +skiff\.invalid/kube-scheduler:' echo "$desc"

# The agent does not run them: no container, no pod directory.
expect "no pod directory for a mirror pod" '^0$' bash -c "ls '$AGENT_DATA/pods' | grep -c \"\$('$K' --kubeconfig '$KCFG' get pod -n kube-system $S -o jsonpath='{.metadata.uid}')\""

# Deleting one brings it back with a new uid (graceful delete: the agent finishes it).
old=$(k get pod -n kube-system "$S" -o jsonpath='{.metadata.uid}')
check "delete the scheduler's mirror pod" k delete pod -n kube-system "$S" --timeout=30s
back() { u=$(k get pod -n kube-system "$S" -o jsonpath='{.metadata.uid}' 2>/dev/null); [ -n "$u" ] && [ "$u" != "$old" ]; }
poll 15 back && pass || fail "the mirror pod is back with a new uid"
poll 30 ready kube-scheduler && pass || fail "the recreated mirror pod becomes Ready"
# An edited one (a new image) is replaced by the agent's own.
old=$(k get pod -n kube-system "kube-apiserver-$NODE" -o jsonpath='{.metadata.uid}')
check "edit the apiserver's mirror pod image" k set image -n kube-system "pod/kube-apiserver-$NODE" kube-apiserver=example.com/other:1
replaced() { [ "$(k get pod -n kube-system "kube-apiserver-$NODE" -o jsonpath='{.metadata.uid}' 2>/dev/null)" != "$old" ] &&
             k get pod -n kube-system "kube-apiserver-$NODE" -o jsonpath='{.spec.containers[0].image}' 2>/dev/null | grep -q '^skiff.invalid/kube-apiserver:'; }
poll 15 replaced && pass || fail "an edited mirror pod is replaced by the agent's"

# Restart: the pods stay (same uid) and are Ready again.
uid=$(k get pod -n kube-system "$S" -o jsonpath='{.metadata.uid}')
stop_server
start_agent_server --node-name "$NODE" --cluster-cidr 10.249.0.0/16
poll 60 ready kube-scheduler && pass || fail "Ready after a restart"
expect "same mirror pod after a restart (same command line, same hash)" "^$uid\$" k get pod -n kube-system "$S" -o jsonpath='{.metadata.uid}'
# A server without the scheduler: its mirror pod goes (a component this node no longer runs).
stop_server
start_agent_server --node-name "$NODE" --cluster-cidr 10.249.0.0/16 --disable-scheduler
gone() { ! k get pod -n kube-system "$S" >/dev/null 2>&1; }
poll 30 gone && pass || fail "the scheduler's mirror pod is removed when the server runs no scheduler"
poll 60 ready kube-controller-manager && pass || fail "the others stay Ready"
finish
