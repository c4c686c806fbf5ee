// The probe agent: a small python3 program run inside a namespace with `ip netns exec`. Two modes:
//
//   serve  ARGS-JSON   listen on TCP/UDP/SCTP ports, answer, print "ready"; exit when stdin closes
//   probe  (stdin)     run probes concurrently, print one JSON result per line
//
// Outcomes: "answered" (a TCP/SCTP connection was set up, a UDP datagram or ICMP echo came back), "refused"
// (TCP RST or an ICMP error: ECONNREFUSED), "timeout" (nothing came back: dropped somewhere), "blocked"
// (EPERM on send: netfilter dropped a locally generated packet in OUTPUT, ip_local_out returning -EPERM).
// UDP listeners bind each local address, so a reply leaves from the address the probe was sent to.

export const AGENT_PY = String.raw`
import json, os, select, socket, struct, sys, threading, time, errno, random
from concurrent.futures import ThreadPoolExecutor
SCTP = getattr(socket, "IPPROTO_SCTP", 132)

def fam(a):
    return socket.AF_INET6 if ":" in a else socket.AF_INET

def serve(cfg):
    socks = []
    def listen(kind, proto, port, addr):
        s = socket.socket(fam(addr), kind, proto)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if ":" in addr:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind((addr, port))
        if kind == socket.SOCK_STREAM:
            s.listen(128)
        s.setblocking(False)
        socks.append((kind, s))
    wild = [a for a in ("0.0.0.0", "::") if any(fam(x) == fam(a) for x in cfg["addrs"])]
    for port in cfg.get("tcp", []):
        for a in wild:
            listen(socket.SOCK_STREAM, 0, port, a)
    for port in cfg.get("sctp", []):
        for a in wild:
            listen(socket.SOCK_STREAM, SCTP, port, a)
    for port in cfg.get("udp", []):
        for a in cfg["addrs"]:
            listen(socket.SOCK_DGRAM, 0, port, a)
    print("ready", flush=True)
    poller = select.poll()
    byfd = {}
    for kind, s in socks:
        poller.register(s.fileno(), select.POLLIN)
        byfd[s.fileno()] = (kind, s)
    poller.register(sys.stdin.fileno(), select.POLLIN | select.POLLHUP)
    while True:
        for fd, ev in poller.poll():
            if fd == sys.stdin.fileno():
                if not os.read(fd, 4096):
                    return
                continue
            kind, s = byfd[fd]
            try:
                if kind == socket.SOCK_STREAM:
                    c, _ = s.accept()
                    c.close()
                else:
                    data, peer = s.recvfrom(2048)
                    s.sendto(data, peer)
            except OSError:
                pass

def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF

def ping(p, deadline):
    v6 = ":" in p["dst"]
    s = socket.socket(fam(p["dst"]), socket.SOCK_RAW, socket.IPPROTO_ICMPV6 if v6 else socket.IPPROTO_ICMP)
    try:
        s.bind((p["src"], 0))
        ident = p["ident"] & 0xFFFF
        payload = b"calisim" + ident.to_bytes(2, "big")
        typ = 128 if v6 else 8
        hdr = struct.pack("!BBHHH", typ, 0, 0, ident, 1)
        pkt = hdr + payload
        if not v6:
            pkt = struct.pack("!BBHHH", typ, 0, checksum(pkt), ident, 1) + payload
        try:
            s.sendto(pkt, (p["dst"], 0))
        except PermissionError:
            return "blocked"
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return "timeout"
            s.settimeout(left)
            try:
                data, addr = s.recvfrom(2048)
            except socket.timeout:
                return "timeout"
            if not v6:
                data = data[(data[0] & 0x0F) * 4:]
            if len(data) < 8:
                continue
            t, code, _, rid, _ = struct.unpack("!BBHHH", data[:8])
            if t == (129 if v6 else 0) and rid == ident and addr[0] == p["dst"]:
                return "answered"
            if t == (1 if v6 else 3) and payload in data[8:]:
                return "refused"
    finally:
        s.close()

def one(p, timeout):
    deadline = time.monotonic() + timeout
    try:
        if p["proto"] == "icmp":
            return ping(p, deadline)
        kind = socket.SOCK_DGRAM if p["proto"] == "udp" else socket.SOCK_STREAM
        proto = SCTP if p["proto"] == "sctp" else 0
        s = socket.socket(fam(p["dst"]), kind, proto)
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((p["src"], p.get("sport", 0)))
            s.settimeout(timeout)
            if kind == socket.SOCK_STREAM:
                s.connect((p["dst"], p["dport"]))
                return "answered"
            s.connect((p["dst"], p["dport"]))
            token = ("calisim-%d" % p["ident"]).encode()
            s.send(token)
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    return "timeout"
                s.settimeout(left)
                if s.recv(2048) == token:
                    return "answered"
        finally:
            s.close()
    except socket.timeout:
        return "timeout"
    except ConnectionRefusedError:
        return "refused"
    except PermissionError:
        return "blocked"
    except OSError as e:
        if e.errno == errno.EHOSTUNREACH:
            return "refused"
        return "error: " + str(e)

def probe(req):
    timeout = req["timeout"]
    base = random.randrange(1, 60000)
    for i, p in enumerate(req["probes"]):
        p["ident"] = (base + i) % 65535 + 1
    def run(p):
        t0 = time.monotonic()
        out = one(p, timeout)
        return {"id": p["id"], "outcome": out, "ms": round((time.monotonic() - t0) * 1000)}
    with ThreadPoolExecutor(max_workers=req.get("parallel", 128)) as ex:
        for r in ex.map(run, req["probes"]):
            print(json.dumps(r), flush=True)

if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(json.loads(sys.argv[2]))
    else:
        probe(json.load(sys.stdin))
`;
