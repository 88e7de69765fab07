#!/usr/bin/env bash
# OpenAPI with every kubectl version: `kubectl explain` of nested fields and of every served
# kind (1.27 reads the v2 protobuf, 1.32/1.33 the v3 documents), client-side apply's strategic
# merge patches computed from the published merge keys, and strict field validation naming
# nested unknown and duplicate fields.
source "$(dirname "$0")/lib.sh"
start_server

# A CRD: its schema is published (v3 and v2) once it is registered.
kk() { "${KUBECTLS[0]}" --kubeconfig "$KCFG" "$@"; }
kk apply -f - >/dev/null <<EOF
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.explain.example.com}
spec:
  group: explain.example.com
  scope: Namespaced
  names: {plural: gadgets, singular: gadget, kind: Gadget}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}
              colors: {type: array, items: {type: string}}
EOF
established() { kk get crd gadgets.explain.example.com -o jsonpath='{.status.conditions[?(@.type=="Established")].status}' | grep -q True; }
poll 20 established && pass || fail "CRD Established"

i=0
for K in "${KUBECTLS[@]}"; do
  i=$((i+1)); v=$(basename "$K"); ns=explain$i
  k() { "$K" --kubeconfig "$KCFG" "$@"; }
  k create namespace $ns >/dev/null
  expect "$v explain nested field" 'maxSurge' k explain deployment.spec.strategy.rollingUpdate
  expect "$v explain nested kind line" 'KIND: +Deployment' k explain deployment.spec.strategy.rollingUpdate
  expect "$v explain int-or-string" 'maxSurge.*<IntOrString>' k explain deployment.spec.strategy.rollingUpdate
  expect "$v explain pod containers" 'livenessProbe' k explain pod.spec.containers
  expect "$v explain merge key shown" '[Pp]atch strategy merge by key "name"' k explain pod.spec.containers
  expect "$v explain svc recursive" 'targetPort' k explain svc --recursive
  expect "$v explain cronjob deep" 'imagePullPolicy' k explain cronjob.spec.jobTemplate.spec.template.spec.containers
  expect "$v explain statefulset claim templates" 'storageClassName' k explain sts.spec.volumeClaimTemplates.spec
  expect "$v explain events.k8s.io" 'reportingController' k explain events --api-version=events.k8s.io/v1
  expect "$v explain unknown field" 'bogus' k explain pod.spec.bogus
  expect "$v explain custom resource" 'size.*<integer>' k explain gadgets.spec
  # Client-side apply of a custom resource: a JSON merge patch (no strategic merge for CRs).
  printf 'apiVersion: explain.example.com/v1\nkind: Gadget\nmetadata: {name: g, namespace: %s}\nspec: {size: 1, colors: [red, blue]}\n' $ns >"$TMP/g1.yaml"
  sed -e 's/size: 1/size: 2/' -e 's/\[red, blue\]/[green]/' "$TMP/g1.yaml" >"$TMP/g2.yaml"
  check "$v apply custom resource" k apply -f "$TMP/g1.yaml"
  check "$v apply custom resource again" k apply -f "$TMP/g2.yaml"
  expect "$v custom resource applied" '^2 \["green"\]$' k get gadget g -n $ns -o jsonpath='{.spec.size} {.spec.colors}'

  # Every resource kubectl can name has a schema.
  missing=
  while read -r r av; do
    out=$(k explain "$r" --api-version="$av" 2>&1) && grep -q 'FIELDS:' <<<"$out" || missing="$missing $r.$av"
  done < <(k api-resources --no-headers | awk '{print $1, $(NF-2)}')
  if [ -z "$missing" ]; then pass; else fail "$v explain every resource:$missing"; fi

  # Client-side apply: removing a container and an env var works through the merge keys.
  cat >"$TMP/d1.yaml" <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: $ns}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: a, image: nginx, env: [{name: "X", value: "1"}, {name: "Y", value: "2"}]}
      - {name: b, image: busybox}
EOF
  sed -e '/name: b, image/d' -e 's/, {name: "Y", value: "2"}//' "$TMP/d1.yaml" >"$TMP/d2.yaml"
  check "$v apply first" k apply -f "$TMP/d1.yaml"
  check "$v apply second" k apply -f "$TMP/d2.yaml"
  expect "$v apply removed container and env" '^a X $' \
    k get deploy web -n $ns -o jsonpath='{range .spec.template.spec.containers[*]}{.name} {end}{range .spec.template.spec.containers[0].env[*]}{.name} {end}'

  # Apply (a PATCH, fieldValidation=Strict) of a typo into an existing object is refused.
  sed 's/{name: a, image: nginx,/{name: a, image: nginx, bogus: 1,/' "$TMP/d2.yaml" >"$TMP/d3.yaml"
  expect "$v apply unknown field refused" 'strict decoding error: unknown field "spec.template.spec.containers\[0\].bogus"' \
    k apply -f "$TMP/d3.yaml"
  expect "$v patch duplicate warned" 'Warning: duplicate field "spec.replicas"' \
    k patch deploy web -n $ns --type=merge -p '{"spec":{"replicas":2,"replicas":3}}'
  expect "$v patch duplicate last wins" '^3$' k get deploy web -n $ns -o jsonpath='{.spec.replicas}'

  # Strict validation names a nested unknown field; warn creates and warns.
  pod() { printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: %s}\nspec:\n  containers: [{name: c, image: busybox, %s}]\n' "$1" "$2"; }
  expect "$v strict nested unknown" 'unknown field "spec.containers\[0\].bogusField"' \
    bash -c "$(declare -f pod); pod s1 'bogusField: 1' | '$K' --kubeconfig '$KCFG' create -n $ns --validate=strict -f -"
  expect_not "$v strict stored nothing" 's1' k get pods -n $ns -o name
  expect "$v warn nested unknown" 'unknown field "spec.containers\[0\].bogusField"' \
    bash -c "$(declare -f pod); pod s2 'bogusField: 1' | '$K' --kubeconfig '$KCFG' create -n $ns --validate=warn -f -"
  expect "$v warn created" 'pod/s2' k get pods -n $ns -o name

  # Duplicate fields: kubectl's own decoding keeps one of them, so send the bytes with --raw.
  printf '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"d1"},"spec":{"containers":[{"name":"c","image":"a","image":"b"}]}}' >"$TMP/dup.json"
  expect "$v strict duplicate" 'Pod in version "v1" cannot be handled as a Pod: strict decoding error: duplicate field "spec.containers\[0\].image"' \
    k create --raw "/api/v1/namespaces/$ns/pods?fieldValidation=Strict" -f "$TMP/dup.json"
  expect_not "$v strict duplicate stored nothing" 'd1' k get pods -n $ns -o name
  expect "$v warn duplicate" 'Warning: duplicate field "spec.containers\[0\].image"' \
    k create --raw "/api/v1/namespaces/$ns/pods?fieldValidation=Warn" -f "$TMP/dup.json"
  expect "$v warn duplicate kept the last" '^b$' k get pod d1 -n $ns -o jsonpath='{.spec.containers[0].image}'
  expect "$v ignore duplicate" '"name":"d2"' \
    k create --raw "/api/v1/namespaces/$ns/pods?fieldValidation=Ignore" -f <(sed 's/"d1"/"d2"/' "$TMP/dup.json")
done

# A YAML body: go-yaml's words, with the line.
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y1\ndata:\n  a: "1"\n  a: "2"\n' >"$TMP/dup.yaml"
expect "yaml duplicate strict" 'strict decoding error: yaml: unmarshal errors:\\n  line 7: key \\"a\\" already set in map' \
  api POST "/api/v1/namespaces/default/configmaps?fieldValidation=Strict" -H 'Content-Type: application/yaml' --data-binary @"$TMP/dup.yaml"
expect "yaml duplicate warn" 'Warning: 299 - "yaml: unmarshal errors:   line 7: key \\"a\\" already set in map"' \
  api POST "/api/v1/namespaces/default/configmaps?fieldValidation=Warn" -H 'Content-Type: application/yaml' --data-binary @"$TMP/dup.yaml" -i
finish
