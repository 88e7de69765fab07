#!/usr/bin/env bash
# CustomResourceDefinitions and legacy API versions with every kubectl: a CRD's lifecycle
# (Established, discovery, short name, printer columns, pruning, defaulting, schema validation,
# all three patch types, status and scale subresources, watch, several versions, delete of the
# CRD removing its objects), CRD refusals, survival across a restart, and an
# extensions/v1beta1 Deployment without a selector read back as apps/v1 with a warning.
source "$(dirname "$0")/lib.sh"
start_server

crd() {  # crd GROUP: a CronTab CRD in GROUP (v1 storage, v1beta1 served)
  cat <<EOF2
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: crontabs.$1}
spec:
  group: $1
  scope: Namespaced
  names: {plural: crontabs, singular: crontab, kind: CronTab, shortNames: [ct], categories: [all]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}, scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas}}
    additionalPrinterColumns:
    - {name: Spec, type: string, jsonPath: .spec.cronSpec}
    - {name: Replicas, type: integer, jsonPath: .spec.replicas}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [cronSpec]
            properties:
              cronSpec: {type: string, pattern: '^(\S+ ){4}\S+$'}
              image: {type: string}
              replicas: {type: integer, minimum: 0, default: 1}
              mode: {type: string, enum: [fast, slow]}
          status:
            type: object
            properties:
              replicas: {type: integer}
  - name: v1beta1
    served: true
    storage: false
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
EOF2
}

i=0
for K in "${KUBECTLS[@]}"; do
  i=$((i+1)); v=$(basename "$K"); ns=crd$i; g=v$i.example.com
  k() { "$K" --kubeconfig "$KCFG" "$@"; }
  k create namespace $ns >/dev/null
  crd $g | k apply -f - >/dev/null 2>"$TMP/err$i" || { fail "$v apply CRD"; cat "$TMP/err$i" >&2; }
  established() { k get crd crontabs.$g -o jsonpath='{.status.conditions[?(@.type=="Established")].status}' | grep -q True; }
  poll 20 established && pass || fail "$v CRD Established"
  expect "$v NamesAccepted" 'NoConflicts' k get crd crontabs.$g -o jsonpath='{.status.conditions[?(@.type=="NamesAccepted")].reason}'
  expect "$v storedVersions" '^\["v1"\]$' k get crd crontabs.$g -o jsonpath='{.status.storedVersions}'
  expect "$v cleanup finalizer" 'customresourcecleanup' k get crd crontabs.$g -o jsonpath='{.metadata.finalizers}'
  poll 20 k get ct -n $ns && pass || fail "$v served by short name"
  expect "$v api-resources" "crontabs +ct +$g/v1 +true +CronTab" k api-resources --api-group=$g
  printf 'apiVersion: %s/v1\nkind: CronTab\nmetadata: {name: c1}\nspec: {cronSpec: "* * * * */5", image: img, junk: 1}\n' $g >"$TMP/c1.yaml"
  check "$v create custom object" k apply --validate=false -n $ns -f "$TMP/c1.yaml"
  expect "$v printer columns" '^c1 +\* \* \* \* \*/5 +1 +[0-9]+s$' k get ct -n $ns c1 --no-headers
  expect "$v column headers" 'NAME +SPEC +REPLICAS +AGE' k get ct -n $ns
  expect "$v unknown field pruned" '^$' k get ct -n $ns c1 -o jsonpath='{.spec.junk}'
  expect "$v default from the schema" '^1$' k get ct -n $ns c1 -o jsonpath='{.spec.replicas}'
  expect "$v strict validation names the unknown field" 'unknown field "spec.junk"' k create -n $ns --validate=strict -f "$TMP/c1.yaml" --dry-run=server
  expect "$v required field" 'spec.cronSpec: Required value' bash -c "printf 'apiVersion: $g/v1\nkind: CronTab\nmetadata: {name: bad}\nspec: {image: x}\n' | '$K' --kubeconfig '$KCFG' create -n $ns -f - 2>&1"
  expect "$v pattern" 'should match' bash -c "printf 'apiVersion: $g/v1\nkind: CronTab\nmetadata: {name: bad}\nspec: {cronSpec: nope}\n' | '$K' --kubeconfig '$KCFG' create -n $ns -f - 2>&1"
  expect "$v enum" 'Unsupported value: "medium"' k patch ct c1 -n $ns --type=merge -p '{"spec":{"mode":"medium"}}'
  check "$v merge patch" k patch ct c1 -n $ns --type=merge -p '{"spec":{"image":"img2"}}'
  check "$v json patch" k patch ct c1 -n $ns --type=json -p '[{"op":"add","path":"/spec/mode","value":"fast"}]'
  expect "$v strategic merge patch refused" 'UnsupportedMediaType|unknown format' k patch ct c1 -n $ns -p '{"spec":{"image":"x"}}'
  expect "$v patched" '^img2 fast$' k get ct c1 -n $ns -o jsonpath='{.spec.image} {.spec.mode}'
  expect "$v generation counts spec changes" '^3$' k get ct c1 -n $ns -o jsonpath='{.metadata.generation}'
  check "$v scale" k scale ct c1 -n $ns --replicas=3
  expect "$v scaled" '^3$' k get ct c1 -n $ns -o jsonpath='{.spec.replicas}'
  # status only through the subresource
  k patch ct c1 -n $ns --type=merge -p '{"status":{"replicas":7}}' >/dev/null 2>&1
  expect "$v status ignored on the main resource" '^$' k get ct c1 -n $ns -o jsonpath='{.status.replicas}'
  api PATCH "/apis/$g/v1/namespaces/$ns/crontabs/c1/status" -H 'Content-Type: application/merge-patch+json' -d '{"status":{"replicas":3}}' >/dev/null
  expect "$v status subresource" '^3$' k get ct c1 -n $ns -o jsonpath='{.status.replicas}'
  expect "$v scale reads status" '"replicas": ?3' api GET "/apis/$g/v1/namespaces/$ns/crontabs/c1/scale"
  # another served version: the same object, its apiVersion
  expect "$v read at v1beta1" "^$g/v1beta1 img2$" k get crontabs.v1beta1.$g c1 -n $ns -o jsonpath='{.apiVersion} {.spec.image}'
  # watch
  "$K" --kubeconfig "$KCFG" get ct -n $ns -w --no-headers >"$TMP/w$i" 2>&1 &
  wpid=$!
  poll 20 grep -q '^c1 ' "$TMP/w$i" && pass || fail "$v watch lists"
  sed 's/name: c1/name: c2/' "$TMP/c1.yaml" | k apply --validate=false -n $ns -f - >/dev/null
  poll 20 grep -q '^c2 ' "$TMP/w$i" && pass || fail "$v watch sees a new object"
  kill $wpid 2>/dev/null; wait $wpid 2>/dev/null
  expect "$v get all lists the category" 'crontab.*/c1' k get all -n $ns
  # a second CRD taking the same kind in the group is not accepted
  crd $g | sed "s/name: crontabs.$g/name: crontabz.$g/; s/plural: crontabs/plural: crontabz/; s/shortNames: \[ct\]/shortNames: []/" | k apply -f - >/dev/null 2>&1
  conflict() { k get crd crontabz.$g -o jsonpath='{.status.conditions[?(@.type=="NamesAccepted")].reason}' | grep -q KindConflict; }
  poll 20 conflict && pass || fail "$v kind conflict"
  k delete crd crontabz.$g >/dev/null 2>&1
  # deleting the CRD deletes its objects, and the resource goes from discovery
  check "$v delete CRD" k delete crd crontabs.$g --timeout=60s
  gone() { ! k get crontabs.$g -n $ns >/dev/null 2>&1; }
  poll 30 gone && pass || fail "$v resource gone"
  expect "$v objects gone" '^0$' bash -c "curl -s --cacert '$DATA/pki/ca.crt' --cert '$DATA/pki/admin.crt' --key '$DATA/pki/admin.key' https://127.0.0.1:$PORT/apis/$g/v1/crontabs -o /dev/null -w '%{http_code}' | grep -c 200"
done

k() { /usr/bin/kubectl --kubeconfig "$KCFG" "$@"; }
# refusals with field paths
expect "CRD name must be plural.group" 'metadata.name: Invalid value' bash -c "crd(){ :; }; printf 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: wrong.example.com}\nspec: {group: a.example.com, scope: Namespaced, names: {plural: things, kind: Thing}, versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]}\n' | /usr/bin/kubectl --kubeconfig '$KCFG' create -f - 2>&1"
expect "CEL rules refused" 'x-kubernetes-validations.*not supported' bash -c "printf 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: things.a.example.com}\nspec: {group: a.example.com, scope: Namespaced, names: {plural: things, kind: Thing}, versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-validations: [{rule: \"true\"}]}}}]}\n' | /usr/bin/kubectl --kubeconfig '$KCFG' create -f - 2>&1"

# a CRD and its objects survive a restart, and are served before /readyz
crd keep.example.com | k apply -f - >/dev/null
poll 20 k get crontabs.keep.example.com -A && pass || fail "kept CRD served"
printf 'apiVersion: keep.example.com/v1\nkind: CronTab\nmetadata: {name: k1, namespace: default}\nspec: {cronSpec: "* * * * *"}\n' | k create -f - >/dev/null
stop_server; start_server
expect "CRD objects served after a restart" '^k1 ' k get ct -n default --no-headers

# a namespace's custom objects go with it
k create ns doomed >/dev/null
printf 'apiVersion: keep.example.com/v1\nkind: CronTab\nmetadata: {name: d1, namespace: doomed}\nspec: {cronSpec: "* * * * *"}\n' | k create -f - >/dev/null
check "namespace with custom objects deleted" k delete ns doomed --timeout=60s

# legacy versions: an extensions/v1beta1 Deployment without a selector, as in old manifests
for K in "${KUBECTLS[@]}"; do
  v=$(basename "$K"); ns=old-${v//./-}
  k() { "$K" --kubeconfig "$KCFG" "$@"; }
  k create ns $ns >/dev/null
  cat >"$TMP/old.yaml" <<EOF2
apiVersion: extensions/v1beta1
kind: Deployment
metadata: {name: old}
spec:
  replicas: 2
  template:
    metadata: {labels: {app: old}}
    spec:
      containers: [{name: c, image: busybox}]
EOF2
  expect "$v extensions/v1beta1 created with a warning" 'extensions/v1beta1 Deployment is deprecated' k create -n $ns -f "$TMP/old.yaml"
  expect "$v read back as apps/v1" '^apps/v1 .*"app": ?"old"' k get deploy old -n $ns -o jsonpath='{.apiVersion} {.spec.selector.matchLabels}'
  expect "$v old defaults" '^2147483647 1$' k get deploy old -n $ns -o jsonpath='{.spec.revisionHistoryLimit} {.spec.strategy.rollingUpdate.maxSurge}'
  expect "$v read at extensions/v1beta1" '^extensions/v1beta1$' k get deployments.v1beta1.extensions old -n $ns -o jsonpath='{.apiVersion}'
  expect "$v apps/v1beta2 read" '^apps/v1beta2 2$' k get deployments.v1beta2.apps old -n $ns -o jsonpath='{.apiVersion} {.spec.replicas}'
  check "$v apply at extensions/v1beta1" k apply -n $ns -f "$TMP/old.yaml"
  expect "$v get deploy lists it once" '^old$' k get deploy -n $ns -o name --no-headers -o custom-columns=N:.metadata.name --no-headers
  check "$v scale at the old version" k scale deployments.v1beta1.extensions old -n $ns --replicas=3
  expect "$v scaled" '^3$' k get deploy old -n $ns -o jsonpath='{.spec.replicas}'
  rs() { k get rs -n $ns -l app=old -o name | grep -q .; }
  poll 30 rs && pass || fail "$v rolled out (ReplicaSet made)"
done
expect "apps/v1beta1 keeps 2 revisions" '^2$' bash -c "printf 'apiVersion: apps/v1beta1\nkind: Deployment\nmetadata: {name: b1, namespace: default}\nspec:\n  template:\n    metadata: {labels: {app: b1}}\n    spec: {containers: [{name: c, image: busybox}]}\n' | /usr/bin/kubectl --kubeconfig '$KCFG' create -f - >/dev/null 2>&1; /usr/bin/kubectl --kubeconfig '$KCFG' get deploy b1 -o jsonpath='{.spec.revisionHistoryLimit}'"
expect "apps/v1beta2 requires a selector" 'selector' bash -c "printf 'apiVersion: apps/v1beta2\nkind: Deployment\nmetadata: {name: b2, namespace: default}\nspec:\n  template:\n    metadata: {labels: {app: b2}}\n    spec: {containers: [{name: c, image: busybox}]}\n' | /usr/bin/kubectl --kubeconfig '$KCFG' create -f - 2>&1"
finish
