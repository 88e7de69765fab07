#!/usr/bin/env bash
# `skiff agent` as its own process next to `skiff server --no-agent`, as on a worker machine:
# it registers its node, runs a pod, keeps the container running across its own restart
# (re-adoption), and removes it on deletion. It owns its data dir: a second agent and
# node-reset are refused while it runs, node-reset works once it has stopped. Container
# monitors show in ps as `skiff-monitor <container id>`. Its own bridge and pod range keep it
# apart from kubelet_test.sh, which may run at the same time.
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "agent_test: needs root (containers)"; exit 1; }
start_server --cluster-cidr 10.251.0.0/16
AD=$TMP/agent-data
AGENT_DATA=$AD   # teardown: skiff node-reset
BRIDGE=skiffe2e$$
BRIDGE=${BRIDGE:0:15}
TEARDOWN_EXTRA="ip link del $BRIDGE"
/usr/bin/python3 "$(dirname "$0")/testimage.py" save "$TMP/bb.tar" e2e/agentbox:1
check "images import before the agent runs" "$SKIFF" images --data-dir "$AD" import "$TMP/bb.tar"
start_agent() {
  "$SKIFF" agent --kubeconfig "$KCFG" --node-name agent-e2e --data-dir "$AD" --kubelet-port 0 \
    --bridge "$BRIDGE" >>"$TMP/agent.log" 2>&1 &
  AGENT_PID=$!
}
start_agent
K=/usr/bin/kubectl
k() { "$K" --kubeconfig "$KCFG" "$@"; }
node_ready() { k get node agent-e2e --no-headers | grep -q ' Ready '; }
poll 60 node_ready && pass || fail "the agent's node becomes Ready"
expect "the node got a podCIDR from the cluster range" '^10\.251\.' k get node agent-e2e -o jsonpath='{.spec.podCIDR}'
k run box --image=e2e/agentbox:1 --image-pull-policy=Never -- sleep 27182 >/dev/null
running() { [ "$(k get pod box -o jsonpath='{.status.containerStatuses[0].ready}')" = true ]; }
poll 60 running && pass || fail "pod running on the standalone agent"
expect "exec through the API server to the agent" '^box$' k exec box -- hostname
pid=$(pgrep -f 'sleep 2718[2]')
cid=$(k get pod box -o jsonpath='{.status.containerStatuses[0].containerID}')
cid=${cid#*://}
expect "the container's monitor shows as skiff-monitor and its container id" "^skiff-monitor $cid\$" \
  bash -c "ps -eo args | grep -E '^skiff-monitor ' | grep -F '$cid'"
expect "its comm is skiff-monitor too" '^1$' bash -c "pgrep -x skiff-monitor -a | grep -cF '$cid'"
expect "no process but the agent has the agent's command line" '^1$' \
  bash -c "pgrep -f -- '[a]gent --kubeconfig $KCFG --node-name agent-e2e' | wc -l"
expect "a second agent on the same data dir refuses" "in use by another node agent \\(pid $AGENT_PID\\)" \
  timeout 30 "$SKIFF" agent --kubeconfig "$KCFG" --node-name agent-e2e-2 --data-dir "$AD" --kubelet-port 0 \
  --bridge "$BRIDGE"
expect "node-reset refuses while the agent runs" \
  "the node agent \\(pid $AGENT_PID\\) is still running with data dir $AD; stop it first.*EXIT=1" \
  bash -c "{ '$SKIFF' node-reset --data-dir '$AD'; echo EXIT=\$?; } 2>&1 | tr '\n' ' '"
expect "the container survived the refused node-reset" "^$pid\$" pgrep -f 'sleep 2718[2]'
kill "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null
expect "the container outlives the agent" "^$pid\$" pgrep -f 'sleep 2718[2]'
start_agent
poll 60 node_ready && pass || fail "node Ready after the agent restarts"
poll 30 running && pass || fail "pod still running after the agent restarts"
expect "same process: re-adopted" "^$pid\$" pgrep -f 'sleep 2718[2]'
expect "logs after re-adoption" '' k logs box
check "delete the pod" k delete pod box --grace-period=1
expect "container gone" '^0$' bash -c "pgrep -f 'sleep 2718[2]' | wc -l"
# node-reset once the agent has stopped: the containers it left are removed, monitors too.
k run box2 --image=e2e/agentbox:1 --image-pull-policy=Never -- sleep 27183 >/dev/null
running2() { [ "$(k get pod box2 -o jsonpath='{.status.containerStatuses[0].ready}')" = true ]; }
poll 60 running2 && pass || fail "second pod running"
cid=$(k get pod box2 -o jsonpath='{.status.containerStatuses[0].containerID}')
cid=${cid#*://}
kill "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null
expect "the container outlives the stopped agent" '^1$' bash -c "pgrep -f 'sleep 2718[3]' | wc -l"
expect "node-reset succeeds once the agent has stopped" 'removed 1 container\(s\) and 1 pod\(s\).*EXIT=0' \
  bash -c "{ '$SKIFF' node-reset --data-dir '$AD'; echo EXIT=\$?; } 2>&1 | tr '\n' ' '"
no_box2() { ! pgrep -f 'sleep 2718[3]' && ! pgrep -f "^skiff-monitor $cid\$"; }
poll 10 no_box2 && pass || fail "node-reset removed the container and its monitor"
finish
