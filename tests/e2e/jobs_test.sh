#!/usr/bin/env bash
# Jobs and CronJobs on simulated nodes: the Job controller runs pods to completion (parallelism,
# completions, Indexed), fails Jobs on backoffLimit and activeDeadlineSeconds, deletes finished
# Jobs after ttlSecondsAfterFinished; the CronJob controller creates a Job on schedule and the
# garbage collector removes a deleted CronJob's Jobs and pods. `skiff sim` ends pods whose
# restartPolicy is Never/OnFailure after --pod-run-duration (exit code from an annotation).
source "$(dirname "$0")/lib.sh"
start_server
K=/usr/bin/kubectl
k() { "$K" --kubeconfig "$KCFG" "$@"; }
"$SKIFF" sim --kubeconfig "$KCFG" --nodes 2 --name-prefix simj- --pod-run-duration 1s >>"$TMP/sim.log" 2>&1 &
SIM_PID=$!
trap 'kill "$SIM_PID" 2>/dev/null; teardown' EXIT
ready_nodes() { [ "$(k get nodes --no-headers 2>/dev/null | grep -c ' Ready')" -eq 2 ]; }
poll 30 ready_nodes && pass || fail "2 sim nodes Ready"
jpath() { k get "$1" -o jsonpath="$2" 2>/dev/null; }
# cond JOB TYPE REASON: the Job has condition TYPE=True with REASON.
cond() {
  [ "$(jpath "job/$1" "{.status.conditions[?(@.type==\"$2\")].status}/{.status.conditions[?(@.type==\"$2\")].reason}")" = "True/$3" ]
}

# The CronJob first: its schedule fires at the next minute boundary while the rest runs.
check "create cronjob" k create cronjob tick --image=x --schedule='*/1 * * * *' -- true
cronjob_start=$SECONDS

# A Job whose status.active we watch from the start: it must never exceed parallelism.
k apply -f - >/dev/null <<EOF
apiVersion: batch/v1
kind: Job
metadata: {name: par}
spec:
  completions: 5
  parallelism: 2
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: x}]
EOF
k get job par -w -o jsonpath='{.status.active}{" "}{.status.succeeded}{"\n"}' >"$TMP/par.watch" 2>&1 &
PAR_WATCH=$!
check "create job once" k create job once --image=x -- true
expect "generated selector" 'batch.kubernetes.io/controller-uid' jpath job/once '{.spec.selector.matchLabels}'
k apply -f - >/dev/null <<EOF
apiVersion: batch/v1
kind: Job
metadata: {name: fails}
spec:
  backoffLimit: 1
  template:
    metadata: {annotations: {sim.skiff.dev/exit-code: "1"}}
    spec:
      restartPolicy: Never
      containers: [{name: c, image: x}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: crashes}
spec:
  backoffLimit: 2
  template:
    metadata: {annotations: {sim.skiff.dev/exit-code: "3"}}
    spec:
      restartPolicy: OnFailure
      containers: [{name: c, image: x}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: slow}
spec:
  activeDeadlineSeconds: 2
  template:
    metadata: {annotations: {sim.skiff.dev/run-duration: 5m}}
    spec:
      restartPolicy: Never
      containers: [{name: c, image: x}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: shortlived}
spec:
  ttlSecondsAfterFinished: 0
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: x}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: held}
spec:
  suspend: true
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: x}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: idx}
spec:
  completions: 3
  parallelism: 3
  completionMode: Indexed
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: x}]
EOF

# once: kubectl create job ... -- true completes.
expect "wait for complete" 'condition met' k wait --for=condition=complete job/once --timeout=30s
expect "succeeded 1" '^1$' jpath job/once '{.status.succeeded}'
expect "COMPLETIONS 1/1" '^once +Complete +1/1 ' k get job once --no-headers
expect "completionTime set" 'Z$' jpath job/once '{.status.completionTime}'
expect "Complete reason" '^CompletionsReached$' jpath job/once '{.status.conditions[?(@.type=="Complete")].reason}'
expect "pod succeeded" '^Succeeded$' k get pods -l job-name=once -o jsonpath='{.items[*].status.phase}'
expect "pod name <job>-<5 chars>" '^once-[a-z0-9]{5}$' k get pods -l batch.kubernetes.io/job-name=once -o jsonpath='{.items[0].metadata.name}'
expect "pod owned by the job" '^Job true true$' k get pods -l job-name=once -o jsonpath='{.items[0].metadata.ownerReferences[0].kind} {.items[0].metadata.ownerReferences[0].controller} {.items[0].metadata.ownerReferences[0].blockOwnerDeletion}'
expect "events" 'SuccessfulCreate.*Created pod: once-|Completed.*Job completed' k get events --field-selector involvedObject.kind=Job,involvedObject.name=once
expect "Completed event" 'Job completed' k get events --field-selector involvedObject.kind=Job,involvedObject.name=once
for kc in "${KUBECTLS[@]}"; do
  expect "$(basename "$kc") wait" 'condition met' "$kc" --kubeconfig "$KCFG" wait --for=condition=complete job/once --timeout=10s
done

# par: 5 completions, never more than 2 active.
max_live=0
par_done() {
  local live
  live=$(k get pods -l job-name=par -o jsonpath='{range .items[*]}{.status.phase}{"\n"}{end}' | grep -cvE '^(Succeeded|Failed)$')
  ((live > max_live)) && max_live=$live
  cond par Complete CompletionsReached
}
poll 60 par_done && pass || fail "par completes"
kill "$PAR_WATCH" 2>/dev/null
expect "par succeeded 5" '^5$' jpath job/par '{.status.succeeded}'
expect "par made 5 pods" '^5$' bash -c "'$K' --kubeconfig '$KCFG' get pods -l job-name=par --no-headers | wc -l"
expect "par watch saw pods running" '^2 ' cat "$TMP/par.watch"
expect_not "par status.active never above 2" '^([3-9]|[1-9][0-9])' cat "$TMP/par.watch"
((max_live <= 2)) && pass || fail "par never had more than 2 live pods (saw $max_live)"

# idx: Indexed completions.
poll 30 cond idx Complete CompletionsReached && pass || fail "idx completes"
expect "completedIndexes" '^0-2$' jpath job/idx '{.status.completedIndexes}'
expect "index annotations" '^0 1 2 $' bash -c "'$K' --kubeconfig '$KCFG' get pods -l job-name=idx -o jsonpath='{range .items[*]}{.metadata.annotations.batch\.kubernetes\.io/job-completion-index} {end}' | tr ' ' '\n' | sort | tr '\n' ' '"

# held: suspended, no pods until resumed.
poll 10 cond held Suspended JobSuspended && pass || fail "held is Suspended"
expect "held has no pods" '^0$' bash -c "'$K' --kubeconfig '$KCFG' get pods -l job-name=held --no-headers 2>/dev/null | wc -l"
expect_not "held has no startTime" 'Z' jpath job/held '{.status.startTime}'
check "resume held" k patch job held --type=merge -p '{"spec":{"suspend":false}}'
poll 20 cond held Complete CompletionsReached && pass || fail "held completes once resumed"
expect "held Suspended=False JobResumed" '^False/JobResumed$' jpath job/held '{.status.conditions[?(@.type=="Suspended")].status}/{.status.conditions[?(@.type=="Suspended")].reason}'

# fails: exit 1 twice with backoffLimit 1 (the second pod after the 10 s failure backoff).
poll 40 cond fails Failed BackoffLimitExceeded && pass || fail "fails ends BackoffLimitExceeded"
expect "fails failed 2" '^2$' jpath job/fails '{.status.failed}'
expect "BackoffLimitExceeded event" 'BackoffLimitExceeded' k get events --field-selector involvedObject.name=fails
expect "failed pod exit code" '^1$' k get pods -l job-name=fails -o jsonpath='{.items[0].status.containerStatuses[0].state.terminated.exitCode}'
# crashes: OnFailure restarts count toward backoffLimit.
poll 30 cond crashes Failed BackoffLimitExceeded && pass || fail "crashes (OnFailure) ends BackoffLimitExceeded"

# slow: activeDeadlineSeconds 2 on a 5 minute pod.
poll 20 cond slow Failed DeadlineExceeded && pass || fail "slow ends DeadlineExceeded"
no_live_slow() { [ -z "$(k get pods -l job-name=slow --no-headers 2>/dev/null)" ]; }
poll 20 no_live_slow && pass || fail "slow's pod deleted"
slow_settled() { [ "$(jpath job/slow '{.status.terminating}/{.status.failed}/{.status.active}')" = "0/1/" ]; }
poll 20 slow_settled && pass || fail "slow: terminating 0, failed 1, no active"

# shortlived: deleted right after it finished.
gone_job() { ! k get job "$1" >/dev/null 2>&1; }
poll 30 gone_job shortlived && pass || fail "ttlSecondsAfterFinished=0 deletes the job"

# kubectl create job --from=cronjob/...
check "create job --from cronjob" k create job manual --from=cronjob/tick
poll 30 cond manual Complete CompletionsReached && pass || fail "job from cronjob completes"
expect "manual owned by the cronjob" '^CronJob$' jpath job/manual '{.metadata.ownerReferences[0].kind}'

# tick: a Job within ~70 s of its creation, named <cronjob>-<minutes since epoch>.
scheduled() { k get jobs -o name | grep -Eq '^job.batch/tick-[0-9]{8,}$'; }
poll $((75 - (SECONDS - cronjob_start))) scheduled && pass || fail "cronjob created a job"
tick_job=$(k get jobs -o name | grep -E '^job.batch/tick-[0-9]+$' | head -1)
expect "scheduled-timestamp annotation" '^20[0-9-]+T[0-9:]+Z$' jpath "$tick_job" '{.metadata.annotations.batch\.kubernetes\.io/cronjob-scheduled-timestamp}'
expect "lastScheduleTime" 'Z$' jpath cronjob/tick '{.status.lastScheduleTime}'
expect "SuccessfulCreate event" 'Created job tick-' k get events --field-selector involvedObject.kind=CronJob,involvedObject.name=tick
tick_done() { [ -n "$(jpath cronjob/tick '{.status.lastSuccessfulTime}')" ] && [ -z "$(jpath cronjob/tick '{.status.active}')" ]; }
poll 30 tick_done && pass || fail "cronjob saw its job complete"
expect "SawCompletedJob event" 'SawCompletedJob' k get events --field-selector involvedObject.kind=CronJob,involvedObject.name=tick

# Deleting the CronJob deletes its Jobs and their pods.
check "delete cronjob" k delete cronjob tick
tick_gone() {
  [ -z "$(k get jobs -o name | grep -E '^job.batch/(tick-|manual$)')" ] &&
    [ -z "$(k get pods --no-headers 2>/dev/null | grep -E '^(tick-|manual-)')" ]
}
poll 30 tick_gone && pass || fail "cronjob's jobs and pods garbage-collected"

echo "jobs test took $SECONDS s" >&2
finish
