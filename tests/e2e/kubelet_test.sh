#!/usr/bin/env bash
# The node agent end to end: real containers (crun) from images in a real docker-registry (built
# from Debian's busybox-static by testimage.py) and from an imported archive, driven by the real
# kubectl through `skiff server`'s embedded agent: the tutorial's nginx pod, logs/exec/attach/
# port-forward/cp, restarts, probes, OOM, config, image errors, self-healing, re-adoption after an
# agent restart, and a leak check over many create/delete cycles.
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "kubelet_test: needs root (containers)"; exit 1; }
command -v docker-registry >/dev/null || { echo "kubelet_test: docker-registry not installed"; exit 1; }
PY=/usr/bin/python3
IMG="$PY $(dirname "$0")/testimage.py"
CYCLES=${LEAK_CYCLES:-10}   # rounds of 20 pods created and deleted (10 = 200 pods)

# A registry on loopback with the test images, as docker.io's mirror.
REG_PORT=$(free_port)
cat >"$TMP/registry.yml" <<EOF2
version: 0.1
storage: {filesystem: {rootdirectory: $TMP/registry}}
http: {addr: 127.0.0.1:$REG_PORT}
EOF2
docker-registry serve "$TMP/registry.yml" >"$TMP/registry.log" 2>&1 &
poll 30 curl -sf "http://127.0.0.1:$REG_PORT/v2/" || { echo "registry did not start"; exit 1; }
REG=http://127.0.0.1:$REG_PORT
$IMG push "$REG" library/nginx latest --cmd '["sh","-c","echo started; exec httpd -f -v -p 80 -h /www"]'
$IMG push "$REG" library/busybox 1
$IMG save "$TMP/crasher.tar" crasher:1 --cmd '["sh","-c","echo dying; exit 1"]'
printf 'registries:\n  docker.io:\n    mirrors: ["%s"]\n' "$REG" >"$TMP/registries.yaml"

start_agent_server --registry-config "$TMP/registries.yaml"
K=/usr/bin/kubectl
k() { "$K" --kubeconfig "$KCFG" "$@"; }
jp() { k get pod "$1" -o jsonpath="$2" 2>/dev/null; }
node_ready() { k get nodes --no-headers | grep -q ' Ready '; }
poll 60 node_ready && pass || fail "the local node becomes Ready"
NODE=$(k get nodes -o jsonpath='{.items[0].metadata.name}')
# Container cgroups live under <the agent's cgroup>/skiff (docs/runtime.md).
cg=$(awk -F: '$2=="memory"{print $3}' /proc/$$/cgroup)
if [ -n "$cg" ]; then cgdir=/sys/fs/cgroup/memory${cg%/}/skiff; else cgdir=/sys/fs/cgroup$(awk -F: '$1=="0"{print $3}' /proc/$$/cgroup)/skiff; fi
expect "node reports the runtime" 'crun://|runc://' k get node "$NODE" -o jsonpath='{.status.nodeInfo.containerRuntimeVersion}'
expect "node capacity pods=110" '^110$' k get node "$NODE" -o jsonpath='{.status.capacity.pods}'
expect "node lease renewed" "$NODE" k -n kube-node-lease get lease "$NODE" -o jsonpath='{.spec.holderIdentity}'
check "images import (air-gapped archive)" "$SKIFF" images --data-dir "$AGENT_DATA" import "$TMP/crasher.tar"

# --- the tutorial's nginx pod, pulled through the mirror ---
k apply -f - >/dev/null <<EOF2
apiVersion: v1
kind: Pod
metadata: {name: nginx, labels: {app: nginx}}
spec:
  containers:
  - name: nginx
    image: nginx
    ports: [{containerPort: 80}]
EOF2
ready() { [ "$(jp "$1" '{.status.containerStatuses[0].ready}')" = true ]; }
poll 90 ready nginx && pass || fail "nginx pod Running and Ready"
IP=$(jp nginx '{.status.podIP}')
expect "pod IP from the node's podCIDR" '^10\.244\.' echo "$IP"
expect "pod IP serves HTTP from the node" 'hello from skiff' curl -s --max-time 5 "http://$IP/"
expect "get pods -o wide" "nginx +1/1 +Running +0 .*$IP +$NODE" k get pods -o wide
expect "pulled through the mirror" 'Successfully pulled image "nginx"' k describe pod nginx
expect "describe shows Started" 'Started +[0-9a-z]+ +kubelet +Started container nginx' k describe pod nginx
expect "imageID is the repo digest" 'docker.io/library/nginx@sha256:' jp nginx '{.status.containerStatuses[0].imageID}'
expect "logs" '^started' k logs nginx
expect "logs --tail" 'response:200' k logs nginx --tail=1
expect "logs --timestamps" '^20[0-9-]+T[0-9:.]+Z started' k logs nginx --timestamps
expect "exec" 'hello from skiff' k exec nginx -- cat /www/index.html
k exec nginx -- sh -c 'exit 7' >/dev/null 2>&1; [ $? -eq 7 ] && pass || fail "exec exit code"
expect "exec hostname is the pod name" '^nginx$' k exec nginx -- hostname
expect "exec stdin" '^piped$' bash -c "echo piped | '$K' --kubeconfig '$KCFG' exec -i nginx -- cat"
# kubectl exec -it needs a terminal: `script` gives it one (its stdin is kept open meanwhile).
tty_exec() { script -qec "$1" /dev/null < <(sleep 3); }
expect "exec with a TTY" '/dev/pts/[0-9]' tty_exec "'$K' --kubeconfig '$KCFG' exec -it nginx -- ls -l /proc/self/fd/0"
# kubectl sends the terminal's size right after the session opens: ask once it has arrived.
tty_size() { tty_exec "stty rows 33 cols 101; '$K' --kubeconfig '$KCFG' exec -it nginx -- sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do s=\$(stty size); [ \"\$s\" != \"0 0\" ] && break; usleep 200000 2>/dev/null || sleep 1; done; echo \$s'" | grep -q '33 101'; }
poll 30 tty_size && pass || fail "the TTY gets the terminal's size"
expect "/etc/hosts names the pod" "$IP[[:space:]]+nginx" k exec nginx -- cat /etc/hosts
echo "copied in" >"$TMP/cp-in.txt"
check "kubectl cp into the pod" k cp "$TMP/cp-in.txt" nginx:/tmp/in.txt
expect "kubectl cp content" '^copied in$' k exec nginx -- cat /tmp/in.txt
expect "service environment variables" '^KUBERNETES_SERVICE_HOST=10\.' k exec nginx -- sh -c 'env | grep ^KUBERNETES_SERVICE_HOST='
k logs -f nginx >"$TMP/follow.log" 2>&1 &
FOLLOW=$!
k attach nginx >"$TMP/attach.log" 2>&1 &
ATTACH=$!
# A request for a missing page makes httpd log "response:404" (the first of its kind here);
# both streams must show it.
request_seen() { curl -s --max-time 2 "http://$IP/missing" >/dev/null; grep -q 'response:404' "$TMP/attach.log"; }
poll 20 request_seen && pass || fail "kubectl attach streams the container's output"
poll 10 grep -q 'response:404' "$TMP/follow.log" && pass || fail "kubectl logs -f follows new lines"
kill $FOLLOW $ATTACH 2>/dev/null
# The kubelet port: mutual TLS, only the API server and cluster admins.
KPORT=$(k get node "$NODE" -o jsonpath='{.status.daemonEndpoints.kubeletEndpoint.Port}')
expect "kubelet port refuses clients without a certificate" '^401$' curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$KPORT/pods"
expect "kubelet port serves cluster admins" '"kind":"PodList"' curl -sk --cert "$DATA/pki/admin.crt" --key "$DATA/pki/admin.key" "https://127.0.0.1:$KPORT/pods"
LP=$(free_port)
k port-forward pod/nginx "$LP:80" >"$TMP/pf.log" 2>&1 &
PF=$!
poll 20 curl -sf --max-time 2 "http://127.0.0.1:$LP/" && pass || fail "port-forward"
kill $PF 2>/dev/null
# kubectl <= 1.30 speaks SPDY/3.1 to the same endpoints.
K127=/usr/lib/google-cloud-sdk/bin/kubectl.1.27
if [ -x "$K127" ]; then
  expect "kubectl 1.27 exec (SPDY)" '^spdy$' bash -c "echo spdy | '$K127' --kubeconfig '$KCFG' exec -i nginx -- cat"
  LP=$(free_port)
  "$K127" --kubeconfig "$KCFG" port-forward pod/nginx "$LP:80" >"$TMP/pf127.log" 2>&1 &
  PF=$!
  poll 20 curl -sf --max-time 2 "http://127.0.0.1:$LP/" && pass || fail "kubectl 1.27 port-forward (SPDY)"
  kill $PF 2>/dev/null
fi

# --- restarts, back-off, probes, OOM ---
k run crasher --image=crasher:1 --image-pull-policy=Never >/dev/null
crashloop() { k get pod crasher --no-headers | grep -q CrashLoopBackOff; }
poll 90 crashloop && pass || fail "CrashLoopBackOff"
expect "restart count rising" '^[2-9]$|^[1-9][0-9]$' jp crasher '{.status.containerStatuses[0].restartCount}'
expect "last state terminated Error" '^Error 1$' jp crasher '{.status.containerStatuses[0].lastState.terminated.reason} {.status.containerStatuses[0].lastState.terminated.exitCode}'
expect "logs --previous" 'dying' k logs crasher --previous
expect "BackOff event" 'Back-off restarting failed container' k describe pod crasher
k apply -f - >/dev/null <<EOF2
apiVersion: v1
kind: Pod
metadata: {name: probes}
spec:
  containers:
  - name: live
    image: busybox:1
    command: [sh, -c, "touch /tmp/ok; sleep 4; rm /tmp/ok; sleep 100017"]
    livenessProbe: {exec: {command: [cat, /tmp/ok]}, periodSeconds: 1, failureThreshold: 2}
  - name: unready
    image: busybox:1
    command: [sleep, "100017"]
    readinessProbe: {tcpSocket: {port: 81}, periodSeconds: 1}
  - name: web
    image: busybox:1
    command: [httpd, -f, -p, "8080", -h, /www]
    readinessProbe: {httpGet: {path: /index.html, port: 8080}, periodSeconds: 1}
  terminationGracePeriodSeconds: 2
EOF2
restarted() { [ "$(jp probes '{.status.containerStatuses[?(@.name=="live")].restartCount}')" -ge 1 ] 2>/dev/null; }
poll 60 restarted && pass || fail "liveness failure restarts the container"
expect "Unhealthy event" 'Liveness probe failed' k describe pod probes
web_ready() { [ "$(jp probes '{.status.containerStatuses[?(@.name=="web")].ready}')" = true ]; }
poll 30 web_ready && pass || fail "httpGet readiness marks ready"
expect "tcp readiness failure keeps the container unready" '^false$' jp probes '{.status.containerStatuses[?(@.name=="unready")].ready}'
expect "pod not Ready while a container is unready" '^False$' jp probes '{.status.conditions[?(@.type=="Ready")].status}'
k apply -f - >/dev/null <<EOF2
apiVersion: v1
kind: Pod
metadata: {name: oom}
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: busybox:1
    command: [sh, -c, "exec dd if=/dev/zero of=/dev/shm/x bs=1M count=200"]
    resources: {limits: {memory: 32Mi}}
EOF2
oomed() { jp oom '{.status.containerStatuses[0].state.terminated.reason}' | grep -q OOMKilled; }
poll 60 oomed && pass || fail "OOMKilled reported"
failed() { [ "$(jp oom '{.status.phase}')" = Failed ]; }
poll 20 failed && pass || fail "OOM-killed Never pod is Failed"

# --- configuration: env, envFrom, downward API, volumes, init containers ---
k create configmap greet --from-literal=greeting=hi-from-volume --from-literal=env=hi-from-env >/dev/null
k create secret generic creds --from-literal=password=s3cret >/dev/null
k apply -f - >/dev/null <<EOF2
apiVersion: v1
kind: Pod
metadata: {name: cfg, labels: {tier: test}}
spec:
  restartPolicy: Never
  initContainers:
  - name: init
    image: busybox:1
    command: [sh, -c, "echo from-init > /work/init.txt"]
    volumeMounts: [{name: work, mountPath: /work}]
  containers:
  - name: c
    image: busybox:1
    command: [sh, -c, "cat /cfg/greeting; echo; echo \$FROMENV \$PASSWORD \$MYPOD \$MYNODE \$MEM; cat /work/init.txt; cat /info/labels; echo; echo \$env; sleep 100017"]
    env:
    - {name: FROMENV, valueFrom: {configMapKeyRef: {name: greet, key: env}}}
    - {name: PASSWORD, valueFrom: {secretKeyRef: {name: creds, key: password}}}
    - {name: MYPOD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
    - {name: MYNODE, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}
    - {name: MEM, valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}}
    envFrom: [{configMapRef: {name: greet}}]
    resources: {limits: {memory: 64Mi, cpu: 200m}}
    volumeMounts:
    - {name: v, mountPath: /cfg}
    - {name: work, mountPath: /work}
    - {name: info, mountPath: /info}
  volumes:
  - {name: v, configMap: {name: greet}}
  - {name: work, emptyDir: {}}
  - {name: info, downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]}}
EOF2
cfg_logs() { k logs cfg 2>/dev/null | grep -q from-init; }
poll 60 cfg_logs && pass || fail "init container ran first, then the container"
expect "configMap volume" 'hi-from-volume' k logs cfg
expect "env from configMap, secret, fieldRef, resourceFieldRef" "hi-from-env s3cret cfg $NODE 64" k logs cfg
expect "downwardAPI labels file" 'tier="test"' k logs cfg
expect "envFrom configMap" '^hi-from-env$' k exec cfg -- sh -c 'echo $env'
expect "memory limit is a cgroup limit" '^67108864$' k exec cfg -- sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max'
k patch configmap greet -p '{"data":{"greeting":"updated"}}' >/dev/null
updated() { k exec cfg -- cat /cfg/greeting | grep -q updated; }
poll 60 updated && pass || fail "configMap volume update propagates"
k run missingcm --image=busybox:1 --overrides='{"spec":{"containers":[{"name":"missingcm","image":"busybox:1","command":["sleep","1000"],"env":[{"name":"X","valueFrom":{"configMapKeyRef":{"name":"nope","key":"x"}}}]}]}}' >/dev/null
cfgerr() { k get pod missingcm --no-headers | grep -q CreateContainerConfigError; }
poll 30 cfgerr && pass || fail "missing configMap is CreateContainerConfigError"

# --- lifecycle hooks (with a hostPath volume to see them from the node) ---
mkdir -p "$TMP/hooks"
k apply -f - >/dev/null <<EOF2
apiVersion: v1
kind: Pod
metadata: {name: hooks}
spec:
  terminationGracePeriodSeconds: 5
  containers:
  - name: c
    image: busybox:1
    command: [sleep, "100017"]
    volumeMounts: [{name: h, mountPath: /hooks}]
    lifecycle:
      postStart: {exec: {command: [sh, -c, "echo started > /hooks/post-start"]}}
      preStop: {exec: {command: [sh, -c, "echo stopping > /hooks/pre-stop"]}}
  volumes: [{name: h, hostPath: {path: $TMP/hooks, type: Directory}}]
EOF2
poll 60 test -s "$TMP/hooks/post-start" && pass || fail "postStart hook ran"
check "delete the hooks pod" k delete pod hooks
expect "preStop hook ran before the container stopped" '^stopping$' cat "$TMP/hooks/pre-stop"

# --- image errors ---
k run unknown --image=nope:1 >/dev/null
k run unreachable --image=127.0.0.1:1/x:1 >/dev/null
k run baddigest --image=busybox@sha256:0000000000000000000000000000000000000000000000000000000000000000 >/dev/null
for p in unknown unreachable baddigest; do
  pullerr() { k get pod "$1" --no-headers | grep -Eq 'ErrImagePull|ImagePullBackOff'; }
  poll 60 pullerr "$p" && pass || fail "$p image: ErrImagePull/ImagePullBackOff"
done
expect "pull failure event names the registry error" 'Failed to pull image "nope:1"' k describe pod unknown
expect "nothing half-written in the store" '^0$' bash -c "ls '$AGENT_DATA/images/tmp' 2>/dev/null | wc -l"

# --- self-healing and re-adoption ---
k create deployment web --image=busybox:1 --replicas=3 -- sleep 424242 >/dev/null
three() { [ "$(k get pods -l app=web --no-headers | grep -c '1/1 *Running')" -eq 3 ]; }
poll 90 three && pass || fail "deployment of 3 real pods"
expect "containers have their own cgroups" '^[3-9]$|^[1-9][0-9]$' bash -c "find '$cgdir' -mindepth 1 -maxdepth 1 -type d 2>/dev/null | wc -l"
victim=$(pgrep -f 'sleep 424242' | head -1)
[ -n "$victim" ] && kill -9 "$victim"
healed() { k get pods -l app=web -o jsonpath='{range .items[*]}{.status.containerStatuses[0].restartCount}{"\n"}{end}' | grep -q '^1$'; }
poll 60 healed && pass || fail "a killed container is restarted"
poll 30 three && pass || fail "3 running after the restart"
before=$(pgrep -f 'sleep 424242' | sort | tr '\n' ' ')
kill9_server
WITH_AGENT=1 start_server --registry-config "$TMP/registries.yaml"
poll 60 node_ready && pass || fail "node Ready after the agent restart"
poll 30 three && pass || fail "still 3 running after the agent restart"
after=$(pgrep -f 'sleep 424242' | sort | tr '\n' ' ')
[ -n "$before" ] && [ "$before" = "$after" ] && pass || fail "containers re-adopted, not restarted ($before / $after)"
expect "restart counts kept" '^1 0 0 $|^0 1 0 $|^0 0 1 $' bash -c "'$K' --kubeconfig '$KCFG' get pods -l app=web -o jsonpath='{range .items[*]}{.status.containerStatuses[0].restartCount} {end}'"
expect "exec works after re-adoption" '^ok$' k exec "$(k get pods -l app=web -o jsonpath='{.items[0].metadata.name}')" -- echo ok

# --- graceful deletion ---
check "delete nginx with a 3 s grace period" k delete pod nginx --grace-period=3
expect "nginx container gone" '^0$' bash -c "pgrep -f '[h]ttpd -f -v -p 80' | wc -l"
expect "Killing event recorded" 'Stopping container nginx' k get events --field-selector involvedObject.name=nginx

# --- leak check: create and delete many pods ---
k delete deploy web >/dev/null
k delete pod --all --grace-period=1 >/dev/null 2>&1
gone() { [ "$(k get pods --no-headers 2>/dev/null | wc -l)" -eq 0 ]; }
poll 120 gone && pass || fail "all pods deleted"
leak_ok=1
for round in $(seq 1 "$CYCLES"); do
  for i in $(seq 1 20); do
    printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: leak-%s-%s}\nspec:\n  terminationGracePeriodSeconds: 1\n  containers: [{name: c, image: "busybox:1", command: [sleep, "31337"], volumeMounts: [{name: t, mountPath: /t}]}]\n  volumes: [{name: t, emptyDir: {medium: Memory}}]\n---\n' "$round" "$i"
  done | k apply -f - >/dev/null
  allrun() { [ "$(k get pods --no-headers | grep -c '1/1 *Running')" -eq 20 ]; }
  poll 120 allrun || { fail "round $round: 20 pods running"; leak_ok=0; break; }
  k delete pod --all --grace-period=1 --wait=false >/dev/null
  poll 120 gone || { fail "round $round: pods deleted"; leak_ok=0; break; }
done
[ "$leak_ok" = 1 ] && pass
# Sleep lengths only this file uses: the cluster tests' pods (sleep 100000) may run beside it.
expect "no container processes left" '^0$' bash -c "pgrep -f 'sleep (31337|424242|100017)' | wc -l"
expect "no mounts left under the data dir" '^0$' bash -c "grep -c ' $DATA' /proc/self/mountinfo"
expect "no pod directories left" '^0$' bash -c "ls '$AGENT_DATA/pods' | wc -l"
expect "no runtime containers left" '^0$' bash -c "ls '$AGENT_DATA/runtime/containers' | wc -l"
expect "no veths left on the bridge" '^0$' bash -c "ip -o link show master skiff0 | wc -l"
expect "no container cgroups left" '^0$' bash -c "find '$cgdir' -mindepth 1 -maxdepth 1 -type d 2>/dev/null | wc -l"
expect "no address leases left" '^0$' bash -c "ls '$AGENT_DATA/ipam' 2>/dev/null | grep -c '^10\\.'"
finish
