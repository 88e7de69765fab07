"""A tiny authoritative DNS server for the e2e tests: answers A queries for names under the
zone given on the command line with one address, NXDOMAIN for every other name (as a
recursive resolver would for names that exist nowhere: resolvers such as busybox's retry on
SERVFAIL and ignore REFUSED, so either would look like a timeout). UDP only, stdlib only (run
with /usr/bin/python3).

    dns_responder.py LISTEN_IP ZONE ADDRESS      e.g. 192.168.161.12 external.test 192.0.2.77
"""
import socket, struct, sys

listen, zone, address = sys.argv[1], sys.argv[2].lower().rstrip("."), sys.argv[3]


def parse_name(msg, off):
    labels = []
    while True:
        n = msg[off]
        if n == 0:
            return ".".join(labels), off + 1
        if n & 0xC0:
            raise ValueError("no compression expected in a question")
        labels.append(msg[off + 1:off + 1 + n].decode("ascii", "replace"))
        off += 1 + n


def answer(q):
    qid, flags, qd = struct.unpack("!HHH", q[:6])
    if qd != 1:
        return None
    name, off = parse_name(q, 12)
    qtype, qclass = struct.unpack("!HH", q[off:off + 4])
    question = q[12:off + 4]
    lname = name.lower().rstrip(".")
    rd = flags & 0x0100
    if not lname.endswith("." + zone):
        return struct.pack("!HHHHHH", qid, 0x8400 | rd | 3, 1, 0, 0, 0) + question
    if qtype != 1:  # the name exists, without this type: NODATA
        return struct.pack("!HHHHHH", qid, 0x8400 | rd, 1, 0, 0, 0) + question
    rr = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + socket.inet_aton(address)
    return struct.pack("!HHHHHH", qid, 0x8400 | rd, 1, 1, 0, 0) + question + rr


s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((listen, 53))
print("listening", flush=True)
while True:
    q, peer = s.recvfrom(4096)
    try:
        r = answer(q)
    except (ValueError, IndexError, struct.error):
        r = None
    if r:
        s.sendto(r, peer)
