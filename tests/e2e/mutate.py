#!/usr/bin/python3
"""A bounded mutation test of the API server's decoders (run by hostile_test.sh).

Sends mutated bodies (byte flips, truncation, type swaps, huge and non-finite numbers, nulls)
to create and to the three patch types of several kinds, and prints one line per request that
got a 5xx or no answer. Deterministic: the seed fixes every mutation. Exits 1 when any request
got a 5xx or the connection broke; the caller then checks that everything still reads and lists.

usage: mutate.py PORT CERT KEY NAMESPACE COUNT SEED
"""
import http.client
import json
import random
import ssl
import sys

port, cert, key, ns, count, seed = sys.argv[1:7]
count = int(count)
rng = random.Random(int(seed))
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ctx.load_cert_chain(cert, key)

SEEDS = {
    ("/api/v1/namespaces/%s/configmaps", "cm"): {
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "m", "labels": {"a": "b"}, "annotations": {"x": "y"}},
        "data": {"k": "v"}},
    ("/api/v1/namespaces/%s/services", "svc"): {
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "m"},
        "spec": {"selector": {"a": "b"},
                 "ports": [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}]}},
    ("/apis/apps/v1/namespaces/%s/deployments", "deploy"): {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "m"},
        "spec": {"replicas": 0, "selector": {"matchLabels": {"a": "b"}},
                 "template": {"metadata": {"labels": {"a": "b"}},
                              "spec": {"containers": [{"name": "c", "image": "i",
                                                       "ports": [{"containerPort": 80}],
                                                       "resources": {"limits": {"cpu": "1"}}}]}}}},
    ("/api/v1/namespaces/%s/pods", "pod"): {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "m"},
        "spec": {"containers": [{"name": "c", "image": "i"}],
                 "tolerations": [{"key": "k", "operator": "Exists", "tolerationSeconds": 5}]}},
    ("/apis/batch/v1/namespaces/%s/jobs", "job"): {
        "apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "m"},
        "spec": {"suspend": True, "backoffLimit": 1, "template": {"spec": {
            "restartPolicy": "Never", "containers": [{"name": "c", "image": "i"}]}}}},
}

ODD = [None, True, False, 0, -1, 0.5, 2147483648, -2147483649, 9223372036854775808,
       18446744073709551616, "1e400", "", "x" * 300, [], {}, [[1]], {"a": [None]}, "0",
       "\u0000", "\ud7ff", 1e308]
RAW_NUMS = ["1e400", "-1e400", "1e309", "NaN", "Infinity", "1e2", "-0", "0.0000001",
            "123456789012345678901234567890"]


def paths(v, prefix=()):
    yield prefix
    if isinstance(v, dict):
        for k, x in v.items():
            yield from paths(x, prefix + (k,))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            yield from paths(x, prefix + (i,))


def set_at(v, path, new):
    if not path:
        return new
    cur = v
    for p in path[:-1]:
        cur = cur[p]
    cur[path[-1]] = new
    return v


def mutate_value(obj):
    """A structural mutation, serialized (raw numbers spliced in as text)."""
    v = json.loads(json.dumps(obj))
    all_paths = [p for p in paths(v) if p]
    path = rng.choice(all_paths)
    kind = rng.random()
    marker = "@@RAW@@"
    if kind < 0.3:
        v = set_at(v, path, marker)
        return json.dumps(v).replace('"%s"' % marker, rng.choice(RAW_NUMS))
    if kind < 0.8:
        return json.dumps(set_at(v, path, rng.choice(ODD)))
    # delete the field
    parent = v
    for p in path[:-1]:
        parent = parent[p]
    del parent[path[-1]]
    return json.dumps(v)


def mutate_bytes(text):
    b = bytearray(text.encode())
    r = rng.random()
    if r < 0.4 and b:
        for _ in range(rng.randint(1, 4)):
            b[rng.randrange(len(b))] = rng.randrange(256)
    elif r < 0.7:
        b = b[:rng.randrange(len(b) + 1)]
    else:
        i = rng.randrange(len(b) + 1)
        b[i:i] = rng.choice([b"1e400", b"null", b"[", b"}", b'"', b"\\u00", b",", b"-"])
    return bytes(b)


def main():
    conn = http.client.HTTPSConnection("127.0.0.1", int(port), context=ctx, timeout=30)
    bad = 0
    seeds = list(SEEDS.items())
    created = {}
    for i in range(count):
        (coll, short), obj = seeds[i % len(seeds)]
        base = coll % ns
        name = "%s-%d" % (short, i)
        o = json.loads(json.dumps(obj))
        o["metadata"]["name"] = name
        op = rng.choice(["create", "create", "merge", "strategic", "json"])
        if op != "create" and short in created:
            target = "%s/%s" % (base, created[short])
            if op == "json":
                p = rng.choice([q for q in paths(o) if q])
                ptr = "/" + "/".join(str(x) for x in p)
                doc = [{"op": rng.choice(["add", "replace", "remove", "test"]), "path": ptr,
                        "value": rng.choice(ODD)}]
                body = json.dumps(doc).encode()
                if rng.random() < 0.3:
                    body = mutate_bytes(body.decode())
                ctype = "application/json-patch+json"
            else:
                patch = {k: v for k, v in o.items() if k not in ("apiVersion", "kind")}
                patch["metadata"] = {"labels": {"m": str(i)}}
                body = mutate_value(patch).encode()
                if rng.random() < 0.3:
                    body = mutate_bytes(body.decode())
                ctype = ("application/merge-patch+json" if op == "merge"
                         else "application/strategic-merge-patch+json")
            method, path = "PATCH", target
        else:
            text = mutate_value(o)
            body = mutate_bytes(text) if rng.random() < 0.3 else text.encode()
            method, path, ctype = "POST", base, "application/json"
        try:
            conn.request(method, path, body, {"Content-Type": ctype})
            resp = conn.getresponse()
            data = resp.read()
        except Exception as e:  # the server must answer every request
            print("no answer: %s %s %r: %s" % (method, path, body[:200], e))
            bad += 1
            conn = http.client.HTTPSConnection("127.0.0.1", int(port), context=ctx, timeout=30)
            continue
        if resp.status >= 500:
            print("%d: %s %s %r -> %s" % (resp.status, method, path, body[:300], data[:300]))
            bad += 1
        elif method == "POST" and resp.status == 201:
            created[short] = json.loads(data)["metadata"]["name"]
    print("mutation: %d requests, %d answered 5xx or not at all" % (count, bad))
    return 1 if bad else 0


sys.exit(main())
