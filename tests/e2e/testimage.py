#!/usr/bin/python3
"""Builds a test image from Debian's busybox-static and pushes it to a registry, or saves it.

usage: testimage.py push REGISTRY_URL REPO TAG [--cmd JSON] [--file PATH=TEXT ...] [--add PATH=HOSTFILE ...]
       testimage.py save OUT.tar NAME:TAG [--cmd JSON] [--file PATH=TEXT ...] [--add PATH=HOSTFILE ...]

The root filesystem has /bin/busybox with its applets as symlinks, /etc/passwd and /etc/group,
/tmp and /www/index.html ("hello from skiff"). --file adds a text file (mode 0644), --add copies
a file of this machine (bytes and mode, e.g. a static binary; bench/bench-net adds its load
generator). `push` uses the distribution API (monolithic
blob uploads, an OCI manifest with a gzip layer); `save` writes an OCI image-layout tar.
"""
import gzip, hashlib, io, json, os, subprocess, sys, tarfile, urllib.request

APPLETS = ["sh", "httpd", "cat", "echo", "sleep", "ls", "rm", "touch", "wget", "nc", "true",
           "false", "env", "ps", "kill", "id", "hostname", "date", "dd", "mkdir", "head", "tail",
           "grep", "ip", "tar", "pidof", "stty", "mount", "df", "wc", "seq", "yes"]


def add(t, name, data=None, mode=0o644, kind=tarfile.REGTYPE, link=""):
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.mtime, info.linkname = kind, mode, 0, link
    if data is not None:
        info.size = len(data)
    t.addfile(info, io.BytesIO(data) if data is not None else None)


def rootfs(files, added=None):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        for d in ["bin", "etc", "www", "tmp", "proc", "sys", "dev", "root", "var", "var/run"]:
            add(t, d, mode=0o1777 if d == "tmp" else 0o755, kind=tarfile.DIRTYPE)
        with open("/bin/busybox", "rb") as f:
            add(t, "bin/busybox", f.read(), 0o755)
        for a in APPLETS:
            add(t, "bin/" + a, kind=tarfile.SYMTYPE, link="busybox")
        base = {"/etc/passwd": "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/sh\n",
                "/etc/group": "root:x:0:\nnogroup:x:65534:\n",
                "/www/index.html": "hello from skiff\n"}
        base.update(files)
        for path, text in base.items():
            add(t, path.lstrip("/"), text.encode())
        for path, host in (added or {}).items():
            with open(host, "rb") as f:
                add(t, path.lstrip("/"), f.read(), os.stat(host).st_mode & 0o7777)
    return buf.getvalue()


def image(cmd, files, added=None):
    layer = rootfs(files, added)
    diff_id = "sha256:" + hashlib.sha256(layer).hexdigest()
    gz = gzip.compress(layer, mtime=0)
    config = json.dumps({"architecture": "amd64", "os": "linux",
                         "config": {"Cmd": cmd, "Env": ["PATH=/bin"], "WorkingDir": "/"},
                         "rootfs": {"type": "layers", "diff_ids": [diff_id]}}).encode()
    def desc(media, blob):
        return {"mediaType": media, "digest": "sha256:" + hashlib.sha256(blob).hexdigest(), "size": len(blob)}
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": desc("application/vnd.oci.image.config.v1+json", config),
                           "layers": [desc("application/vnd.oci.image.layer.v1.tar+gzip", gz)]}).encode()
    return gz, config, manifest


def request(method, url, data=b"", ctype="application/octet-stream"):
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": ctype})
    with urllib.request.urlopen(req) as r:
        return r.headers


def push(registry, repo, tag, blobs, manifest):
    for blob in blobs:
        digest = "sha256:" + hashlib.sha256(blob).hexdigest()
        loc = request("POST", f"{registry}/v2/{repo}/blobs/uploads/")["Location"]
        if loc.startswith("/"):
            loc = registry + loc
        request("PUT", loc + ("&" if "?" in loc else "?") + "digest=" + digest, blob)
    request("PUT", f"{registry}/v2/{repo}/manifests/{tag}", manifest,
            "application/vnd.oci.image.manifest.v1+json")


def save(out, ref, blobs, manifest):
    with tarfile.open(out, "w") as t:
        add(t, "oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
        for blob in blobs + [manifest]:
            add(t, "blobs/sha256/" + hashlib.sha256(blob).hexdigest(), blob)
        index = {"schemaVersion": 2, "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": "sha256:" + hashlib.sha256(manifest).hexdigest(), "size": len(manifest),
            "annotations": {"io.containerd.image.name": ref}}]}
        add(t, "index.json", json.dumps(index).encode())


def main(argv):
    mode, rest = argv[1], argv[2:]
    pos, cmd, files, added, i = [], ["sh"], {}, {}, 0
    while i < len(rest):
        if rest[i] == "--cmd":
            cmd = json.loads(rest[i + 1]); i += 2
        elif rest[i] == "--file":
            p, text = rest[i + 1].split("=", 1); files[p] = text.replace("\\n", "\n"); i += 2
        elif rest[i] == "--add":
            p, host = rest[i + 1].split("=", 1); added[p] = host; i += 2
        else:
            pos.append(rest[i]); i += 1
    gz, config, manifest = image(cmd, files, added)
    if mode == "push":
        push(pos[0], pos[1], pos[2], [gz, config], manifest)
    elif mode == "save":
        save(pos[0], pos[1], [gz, config], manifest)
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main(sys.argv)
