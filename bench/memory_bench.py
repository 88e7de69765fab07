#!/usr/bin/python3
"""Memory benchmark of a running `skiff server` (issue 8), driven by scripts/bench-memory.

Measures the server's RSS (/proc/PID/status) idle; with 1,000 idle TLS connections (and its
thread count); with 3 stalled watches while ~200 MB of ConfigMaps are written (against the same
writes without watches); and across create/delete of ~100 MB three times with compaction. Plain
http.client + ssl with the admin client certificate; loopback only. Every wait has a deadline.
"""
import argparse, http.client, json, os, re, resource, socket, ssl, sys, threading, time

def status(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            out[k] = v.strip()
    return out

def rss_mb(pid):
    return int(status(pid)["VmRSS"].split()[0]) / 1024.0

class Api:
    def __init__(self, data, port):
        self.port = port
        self.ctx = ssl.create_default_context(cafile=f"{data}/pki/ca.crt")
        self.ctx.load_cert_chain(f"{data}/pki/admin.crt", f"{data}/pki/admin.key")
    def conn(self):
        return http.client.HTTPSConnection("127.0.0.1", self.port, context=self.ctx, timeout=300)
    def call(self, method, path, body=None, c=None, ok=(200, 201, 202)):
        own = c is None
        c = c or self.conn()
        hdr = {"Content-Type": "application/json"} if body is not None else {}
        c.request(method, path, json.dumps(body) if body is not None else None, hdr)
        r = c.getresponse()
        data = r.read()
        if own: c.close()
        if r.status not in ok:
            raise RuntimeError(f"{method} {path}: {r.status} {data[:200]!r}")
        return json.loads(data) if data else {}

def write_objects(api, ns, total_mb, obj_kb, threads=4):
    n = int(total_mb * 1024 / obj_kb)
    blob = "x" * (obj_kb * 1024)
    errors = []
    def worker(t):
        c = api.conn()
        try:
            for i in range(t, n, threads):
                api.call("POST", f"/api/v1/namespaces/{ns}/configmaps",
                         {"apiVersion": "v1", "kind": "ConfigMap",
                          "metadata": {"name": f"obj-{i}"}, "data": {"blob": blob}}, c=c)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            c.close()
    ts = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    for t in ts: t.start()
    for t in ts: t.join()
    if errors: raise errors[0]
    return n

def revision(api, ns):
    return int(api.call("GET", f"/api/v1/namespaces/{ns}/configmaps?limit=1")["metadata"]["resourceVersion"])

def delete_all(api, ns):
    api.call("DELETE", f"/api/v1/namespaces/{ns}/configmaps")
    return revision(api, ns)

def wait_compacted(log, rev, timeout):
    """Until the server log reports a compaction to a revision >= rev."""
    end = time.time() + timeout
    pat = re.compile(r"compacted to revision (\d+)")
    while time.time() < end:
        with open(log, errors="replace") as f:
            revs = [int(m.group(1)) for m in pat.finditer(f.read())]
        if revs and max(revs) >= rev:
            return max(revs)
        time.sleep(0.2)
    raise RuntimeError(f"no compaction to revision >= {rev} within {timeout}s")

def settle(pid, seconds=2.0):
    time.sleep(seconds)
    return rss_mb(pid)

class PeakSampler(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop = pid, 0.0, threading.Event()
    def run(self):
        while not self.stop.is_set():
            try: self.peak = max(self.peak, rss_mb(self.pid))
            except OSError: return
            time.sleep(0.1)

def stalled_watch(api, ns, rv):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", api.port))
    t = api.ctx.wrap_socket(s, server_hostname="localhost")
    t.sendall(f"GET /api/v1/namespaces/{ns}/configmaps?watch=1&resourceVersion={rv} HTTP/1.1\r\n"
              f"Host: localhost\r\n\r\n".encode())
    return t

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--conns", type=int, default=1000)
    ap.add_argument("--stall-mb", type=float, default=200)
    ap.add_argument("--churn-mb", type=float, default=100)
    ap.add_argument("--obj-kb", type=int, default=100)
    ap.add_argument("--compaction-timeout", type=float, default=60)
    a = ap.parse_args()
    api, pid = Api(a.data, a.port), a.pid
    res = {}
    def report(name, value, unit="MB"):
        res[name] = value
        print(f"{name:<52} {value:10.1f} {unit}" if isinstance(value, float) else f"{name:<52} {value:>10} {unit}", flush=True)

    report("idle RSS", settle(pid))
    report("idle threads", int(status(pid)["Threads"]), "")

    # 1,000 idle TLS connections (handshake done, no request).
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, a.conns + 256)), hard))
    conns = []
    try:
        for _ in range(a.conns):
            s = socket.create_connection(("127.0.0.1", a.port), timeout=30)
            conns.append(api.ctx.wrap_socket(s, server_hostname="localhost"))
        report(f"RSS with {len(conns)} idle TLS connections", settle(pid))
        report(f"threads with {len(conns)} idle TLS connections", int(status(pid)["Threads"]), "")
    finally:
        for c in conns: c.close()
    report("RSS after closing them", settle(pid, 3))

    # The same writes without and with 3 stalled watches.
    for ns in ("plain", "stalled", "churn"):
        api.call("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                                "metadata": {"name": ns}}, ok=(201, 409))
    base = settle(pid, 1)
    sampler = PeakSampler(pid); sampler.start()
    write_objects(api, "plain", a.stall_mb, a.obj_kb)
    plain = settle(pid, 1)
    sampler.stop.set(); sampler.join()
    report(f"RSS after writing {a.stall_mb:.0f} MB, no watches (+{plain - base:.0f})", plain)
    report("  peak during those writes", sampler.peak)
    wait_compacted(a.log, delete_all(api, "plain"), a.compaction_timeout)
    base2 = settle(pid)
    report("RSS after deleting them and compaction", base2)
    rv = revision(api, "stalled")
    closed_before = open(a.log, errors="replace").read().count("closing slow watcher")
    watches = [stalled_watch(api, "stalled", rv) for _ in range(3)]
    sampler = PeakSampler(pid); sampler.start()
    write_objects(api, "stalled", a.stall_mb, a.obj_kb)
    stalled = settle(pid, 1)
    sampler.stop.set(); sampler.join()
    report(f"RSS after writing {a.stall_mb:.0f} MB, 3 stalled watches (+{stalled - base2:.0f})", stalled)
    report("  peak during those writes", sampler.peak)
    report("stalled watches cost (vs. no watches)", (stalled - base2) - (plain - base))
    closed = open(a.log, errors="replace").read().count("closing slow watcher") - closed_before
    report("stalled watchers closed by the server", closed, "")
    for w in watches: w.close()
    wait_compacted(a.log, delete_all(api, "stalled"), a.compaction_timeout)
    report("RSS after deleting them and compaction", settle(pid))

    # Create and delete ~100 MB three times; compaction in between.
    start = first = settle(pid)
    report("churn: RSS before", start)
    for round_ in (1, 2, 3):
        write_objects(api, "churn", a.churn_mb, a.obj_kb)
        created = settle(pid, 1)
        rev = delete_all(api, "churn")
        deleted = settle(pid, 1)
        wait_compacted(a.log, rev, a.compaction_timeout)
        compacted = settle(pid)
        took = created - start
        back = created - compacted
        start_round = start
        start = compacted
        report(f"churn {round_}: created / deleted / compacted", created)
        print(f"{'':<52} {deleted:10.1f} MB\n{'':<52} {compacted:10.1f} MB", flush=True)
        report(f"churn {round_}: given back of what the creates took", 100.0 * back / took if took > 0 else 0.0, "%")
    report("churn: RSS after 3 rounds (vs. before)", start - first)
    m = re.findall(r"compacted to revision.*", open(a.log, errors="replace").read())
    if m: print("last compaction log line:", m[-1])
    return 0

if __name__ == "__main__":
    sys.exit(main())
