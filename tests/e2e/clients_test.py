"""What the official Python client (python3-kubernetes) expects of a server, found by trying it.
Run by clients_test.sh with KUBECONFIG set; prints one line per check, "ok NAME" or "FAIL NAME: why"."""
import sys

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

config.load_kube_config()
core = client.CoreV1Api()
apps = client.AppsV1Api()
ns = sys.argv[1]
failed = 0


def check(name, fn):
    global failed
    try:
        fn()
        print("ok", name)
    except Exception as e:  # report every failure, keep going
        failed += 1
        print("FAIL", name + ":", repr(e)[:300])


def watch_sees_create():
    # The client sends watch=True; the stream must stay open and deliver a later create. w0 is
    # there before the watch starts: once its ADDED arrives the stream is live, then w1 is made.
    core.create_namespaced_config_map(ns, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="w0")))
    w = watch.Watch()
    seen = []
    for ev in w.stream(core.list_namespaced_config_map, ns, timeout_seconds=20):
        name = ev["object"].metadata.name
        seen.append((ev["type"], name))
        if name == "w0" and ev["type"] == "ADDED":
            core.create_namespaced_config_map(ns, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="w1")))
        if name == "w1":
            w.stop()
    assert ("ADDED", "w1") in seen, seen


def daemonset_typed():
    ds = client.V1DaemonSet(
        metadata=client.V1ObjectMeta(name="ds1"),
        spec=client.V1DaemonSetSpec(
            selector=client.V1LabelSelector(match_labels={"app": "ds1"}),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels={"app": "ds1"}),
                spec=client.V1PodSpec(containers=[client.V1Container(name="c", image="busybox")]))))
    got = apps.create_namespaced_daemon_set(ns, ds)  # decoding fails without the required status fields
    assert got.status.number_ready == 0, got.status
    listed = apps.list_namespaced_daemon_set(ns)
    assert [d.metadata.name for d in listed.items] == ["ds1"]


def not_found_has_details():
    try:
        core.read_namespaced_pod("nope", ns)
    except ApiException as e:
        assert e.status == 404 and '"details"' in e.body, e.body
        return
    raise AssertionError("no 404")


def version_build_date():
    import datetime
    v = client.VersionApi().get_code()
    datetime.datetime.strptime(v.build_date, "%Y-%m-%dT%H:%M:%SZ")


check("watch=True streams", watch_sees_create)
check("typed DaemonSet", daemonset_typed)
check("404 has details", not_found_has_details)
check("version.buildDate is RFC 3339", version_build_date)
sys.exit(1 if failed else 0)
