#!/usr/bin/env bash
# Service-account tokens end to end on one `skiff server` with its node agent, with the real
# kubectl: `kubectl create token` and bearer authentication (tampered, expired, foreign-key and
# alg-none tokens get 401), `kubectl auth whoami`, the kube-root-ca.crt ConfigMap in every
# namespace, and a pod's kube-api-access volume (a pod-bound token that dies with the pod, the
# CA, the namespace), or none with automountServiceAccountToken: false.
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "serviceaccount_test: needs root (containers)"; exit 1; }
IMG="/usr/bin/python3 $(dirname "$0")/testimage.py"
$IMG save "$TMP/sleeper.tar" satest:1 --cmd '["sh","-c","exec sleep 100000"]' >/dev/null

start_agent_server
K=/usr/bin/kubectl
k() { "$K" --kubeconfig "$KCFG" "$@"; }
URL=https://127.0.0.1:$PORT
# as_token TOKEN ARGS...: kubectl with nothing but the token (no client certificate).
as_token() { local t=$1; shift; "$K" --kubeconfig /dev/null --server "$URL" --certificate-authority "$DATA/pki/ca.crt" --token "$t" "$@"; }
# code_with TOKEN PATH: the HTTP status of a GET with the bearer token.
code_with() { curl -s -o /dev/null -w '%{http_code}' --cacert "$DATA/pki/ca.crt" -H "Authorization: Bearer $1" "$URL$2"; }
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
claims() { cut -d. -f2 <<<"$1" | tr '_-' '/+' | awk '{n=length($0)%4; if(n==2)$0=$0"=="; else if(n==3)$0=$0"="; print}' | base64 -d; }
# sign KEY CLAIMS_JSON [ALG]: a JWT made with openssl (a second implementation to check ours).
sign() {
  local h; h=$(printf '{"alg":"%s","kid":"x"}' "${3:-RS256}" | b64url)
  local c; c=$(printf '%s' "$2" | b64url)
  printf '%s.%s.%s' "$h" "$c" "$(printf '%s.%s' "$h" "$c" | openssl dgst -sha256 -sign "$1" | b64url)"
}
check "images import" "$SKIFF" images --data-dir "$AGENT_DATA" import "$TMP/sleeper.tar"
node_ready() { k get nodes --no-headers | grep -q ' Ready '; }
poll 60 node_ready && pass || fail "the local node becomes Ready"

# --- the key, discovery, kubectl create token ---
check "sa.key is private" test "$(stat -c %a "$DATA/pki/sa.key")" = 600
check "sa.pub is the key's public half" cmp -s "$DATA/pki/sa.pub" <(openssl pkey -in "$DATA/pki/sa.key" -pubout)
expect "discovery lists serviceaccounts/token" '"name":"serviceaccounts/token"[^}]*"verbs":\["create"\]' api GET /api/v1
sa_exists() { k get sa default; }
poll 30 sa_exists || fail "the default ServiceAccount exists"
T=$(k create token default 2>&1)
expect "create token gives a JWT" '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$' echo "$T"
expect "claims: subject" '"sub":"system:serviceaccount:default:default"' claims "$T"
expect "claims: audience is the API server's" '"aud":\["https://kubernetes.default.svc.cluster.local"\]' claims "$T"
check "claims: one hour" /usr/bin/python3 -c "import json,sys; c=json.loads(sys.argv[1]); assert c['exp']-c['iat']==3600" "$(claims "$T")"
expect "the token lists pods" 'No resources found|NAME' as_token "$T" get pods -n default
expect "curl with the token: 200" '^200$' code_with "$T" /api/v1/namespaces/default/pods
for kc in "${KUBECTLS[@]}"; do  # 1.27 knows only v1alpha1 SelfSubjectReviews, later ones v1
  expect "create token and auth whoami ($(basename "$kc"))" 'system:serviceaccount:default:default' \
    "$kc" --kubeconfig /dev/null --server "$URL" --certificate-authority "$DATA/pki/ca.crt" \
    --token "$("$kc" --kubeconfig "$KCFG" create token default)" auth whoami
done
expect "auth whoami groups" 'system:serviceaccounts:default' as_token "$T" auth whoami
expect "--duration under 10 minutes is refused" 'may not specify a duration less than 10 minutes' k create token default --duration 5m
expect "a missing account" 'serviceaccounts "nobody" not found' k create token nobody
expect "a missing bound pod" 'pods "nope" not found' k create token default --bound-object-kind Pod --bound-object-name nope
expect "another audience is not for the API" '^401$' code_with "$(k create token default --audience vault)" /api/v1/namespaces
# Tampered, expired, signed by another key, alg none: all 401, never anonymous.
body=$(claims "$T")
evil=$(cut -d. -f1 <<<"$T").$(printf '%s' "${body/default:default/kube-system:default}" | b64url).$(cut -d. -f3 <<<"$T")
expect "tampered claims: 401" '^401$' code_with "$evil" /api/v1/namespaces
expect "tampered token: kubectl is unauthorized" 'Unauthorized' as_token "$evil" get pods
expect "tampered token on /version too: 401" '^401$' code_with "$evil" /version
now=$(date +%s)
sa_uid=$(k get sa default -o jsonpath='{.metadata.uid}')
c_ok='{"iss":"https://kubernetes.default.svc.cluster.local","sub":"system:serviceaccount:default:default","aud":["https://kubernetes.default.svc.cluster.local"],"iat":'$((now-10))',"nbf":'$((now-10))',"exp":'$((now+600))',"kubernetes.io":{"namespace":"default","serviceaccount":{"name":"default","uid":"'$sa_uid'"}}}'
c_old=${c_ok/\"exp\":$((now+600))/\"exp\":$((now-3600))}
expect "a token openssl signed with sa.key works" '^200$' code_with "$(sign "$DATA/pki/sa.key" "$c_ok")" /api/v1/namespaces
expect "an expired token: 401" '^401$' code_with "$(sign "$DATA/pki/sa.key" "$c_old")" /api/v1/namespaces
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$TMP/other.key" 2>/dev/null
expect "another key: 401" '^401$' code_with "$(sign "$TMP/other.key" "$c_ok")" /api/v1/namespaces
none="$(printf '{"alg":"none"}' | b64url).$(printf '%s' "$c_ok" | b64url)."
expect "alg none: 401" '^401$' code_with "$none" /api/v1/namespaces

# --- kube-root-ca.crt in every namespace ---
k create namespace sa-e2e >/dev/null
cm_ca() { k -n sa-e2e get cm kube-root-ca.crt -o jsonpath='{.data.ca\.crt}' > "$TMP/ca-cm.crt" && cmp -s "$TMP/ca-cm.crt" "$DATA/pki/ca.crt"; }
poll 30 cm_ca && pass || fail "kube-root-ca.crt appears in a new namespace with the cluster CA"
k -n sa-e2e delete cm kube-root-ca.crt >/dev/null
poll 30 cm_ca && pass || fail "kube-root-ca.crt comes back after deletion"
k -n sa-e2e patch cm kube-root-ca.crt --type merge -p '{"data":{"ca.crt":"junk"}}' >/dev/null
poll 30 cm_ca && pass || fail "kube-root-ca.crt is repaired after an edit"

# --- a pod's kube-api-access volume ---
k apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: sa-pod}
spec:
  terminationGracePeriodSeconds: 1
  containers: [{name: c, image: "satest:1", imagePullPolicy: Never}]
EOF
running() { [ "$(k get pod "$1" -o jsonpath='{.status.phase}')" = Running ]; }
poll 90 running sa-pod && pass || fail "sa-pod Running"
VOL=$(k get pod sa-pod -o jsonpath='{.spec.volumes[0].name}')
expect "the pod gets kube-api-access-<5>" '^kube-api-access-[a-z0-9]{5}$' echo "$VOL"
expect "the projected sources" '"serviceAccountToken":\{"expirationSeconds":3607,"path":"token"\}' k get pod sa-pod -o jsonpath='{.spec.volumes[0].projected}'
expect "the mount" "\"mountPath\":\"/var/run/secrets/kubernetes.io/serviceaccount\",\"name\":\"$VOL\",\"readOnly\":true" k get pod sa-pod -o jsonpath='{.spec.containers[0].volumeMounts[0]}'
SA_DIR=/var/run/secrets/kubernetes.io/serviceaccount
PT=$(k exec sa-pod -- cat $SA_DIR/token)
POD_UID=$(k get pod sa-pod -o jsonpath='{.metadata.uid}')
expect "the pod's token is bound to the pod" "\"pod\":\\{\"name\":\"sa-pod\",\"uid\":\"$POD_UID\"\\}" claims "$PT"
check "the pod's token lives 3607 s" /usr/bin/python3 -c "import json,sys; c=json.loads(sys.argv[1]); assert c['exp']-c['iat']==3607" "$(claims "$PT")"
pod_ca() { k exec sa-pod -- cat $SA_DIR/ca.crt | cmp -s - "$DATA/pki/ca.crt"; }
check "ca.crt in the pod is the cluster CA" pod_ca
expect "namespace in the pod" '^default$' k exec sa-pod -- cat $SA_DIR/namespace
expect "the token file is read-only in the pod" 'Read-only|read-only' k exec sa-pod -- sh -c "echo x > $SA_DIR/token"
expect "the pod's token works" '^200$' code_with "$PT" /api/v1/namespaces/default/pods
expect "whoami names the pod" 'authentication.kubernetes.io/pod-name +\[sa-pod\]' as_token "$PT" auth whoami
k delete pod sa-pod --wait=true >/dev/null
dead() { [ "$(code_with "$PT" /api/v1/namespaces)" = 401 ]; }
poll 30 dead && pass || fail "the pod's token stops working once the pod is deleted"

k apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: no-token}
spec:
  automountServiceAccountToken: false
  terminationGracePeriodSeconds: 1
  containers: [{name: c, image: "satest:1", imagePullPolicy: Never}]
EOF
expect "automountServiceAccountToken false: no volume" '^$' k get pod no-token -o jsonpath='{.spec.volumes}'
poll 90 running no-token && pass || fail "no-token Running"
expect "automountServiceAccountToken false: nothing mounted" 'No such file' k exec no-token -- ls $SA_DIR
k delete pod no-token --wait=true >/dev/null
finish
