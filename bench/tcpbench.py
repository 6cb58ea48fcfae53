#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Raw TCP baselines for the tandem benchmarks (runs inside a guest).

  tcpbench.py server PORT SECONDS
      serve connections one after another until SECONDS have passed
  tcpbench.py rr HOST PORT REQ_BYTES REPLY_BYTES SECONDS
      request/response round trips on one connection (TCP_NODELAY);
      prints JSON: count, p50/p99/mean/min round trip in microseconds
  tcpbench.py stream HOST PORT SECONDS
      one-way stream of 1 MiB sends for SECONDS; the server reports the
      byte count it received; prints JSON: bytes, seconds, MB/s (10^6)

The first byte of a connection names its kind ('R' or 'S'); an 'R'
connection then carries the request and reply sizes as two 4-byte
big-endian integers. Every wait is bounded by a socket timeout.
"""
import json
import socket
import struct
import sys
import time

IO_TIMEOUT = 30.0


def recv_exact(sock, n):
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        k = sock.recv_into(view[got:], n - got)
        if k == 0:
            return None
        got += k
    return bytes(buf)


def serve_rr(conn):
    hdr = recv_exact(conn, 8)
    if hdr is None:
        return
    req, rep = struct.unpack("!II", hdr)
    reply = b"r" * rep
    while True:
        if recv_exact(conn, req) is None:
            return
        conn.sendall(reply)


def serve_stream(conn):
    total = 0
    buf = bytearray(1 << 20)
    while True:
        k = conn.recv_into(buf)
        if k == 0:
            break
        total += k
    conn.sendall(struct.pack("!Q", total))


def server(port, seconds):
    deadline = time.monotonic() + seconds
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", port))
    ls.listen(4)
    served = 0
    while time.monotonic() < deadline:
        ls.settimeout(max(0.1, min(1.0, deadline - time.monotonic())))
        try:
            conn, _ = ls.accept()
        except socket.timeout:
            continue
        conn.settimeout(IO_TIMEOUT)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            kind = recv_exact(conn, 1)
            if kind == b"R":
                serve_rr(conn)
            elif kind == b"S":
                serve_stream(conn)
            served += 1
        except OSError as e:
            print("server: %s" % e, file=sys.stderr)
        finally:
            conn.close()
    ls.close()
    print(json.dumps({"served": served}))


def connect(host, port):
    last = None
    for _ in range(50):               # the server may still be starting
        try:
            s = socket.create_connection((host, port), timeout=IO_TIMEOUT)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return s
        except OSError as e:
            last = e
            time.sleep(0.2)
    raise SystemExit("cannot connect to %s:%d: %s" % (host, port, last))


def percentile(sorted_vals, p):
    if not sorted_vals:
        return None
    i = min(len(sorted_vals) - 1, int(round(p / 100.0 * (len(sorted_vals) - 1))))
    return sorted_vals[i]


def rr(host, port, req, rep, seconds):
    s = connect(host, port)
    s.sendall(b"R" + struct.pack("!II", req, rep))
    payload = b"q" * req
    times = []
    # Warm up, then measure for `seconds` (at most 10^6 round trips).
    for _ in range(20):
        s.sendall(payload)
        if recv_exact(s, rep) is None:
            raise SystemExit("server closed the connection")
    end = time.monotonic() + seconds
    while time.monotonic() < end and len(times) < 1000000:
        t = time.perf_counter_ns()
        s.sendall(payload)
        if recv_exact(s, rep) is None:
            raise SystemExit("server closed the connection")
        times.append((time.perf_counter_ns() - t) / 1000.0)
    s.close()
    times.sort()
    print(json.dumps({
        "req_bytes": req, "reply_bytes": rep, "count": len(times),
        "p50_us": percentile(times, 50), "p99_us": percentile(times, 99),
        "min_us": times[0] if times else None,
        "mean_us": sum(times) / len(times) if times else None}))


def stream(host, port, seconds):
    s = connect(host, port)
    s.sendall(b"S")
    chunk = b"s" * (1 << 20)
    sent = 0
    t0 = time.perf_counter()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        s.sendall(chunk)
        sent += len(chunk)
    s.shutdown(socket.SHUT_WR)
    ack = recv_exact(s, 8)
    dt = time.perf_counter() - t0
    s.close()
    if ack is None:
        raise SystemExit("server did not report its byte count")
    got = struct.unpack("!Q", ack)[0]
    print(json.dumps({"bytes_sent": sent, "bytes_received": got,
                      "seconds": dt, "mb_per_s": got / dt / 1e6}))


def main(argv):
    if len(argv) == 4 and argv[1] == "server":
        server(int(argv[2]), float(argv[3]))
    elif len(argv) == 7 and argv[1] == "rr":
        rr(argv[2], int(argv[3]), int(argv[4]), int(argv[5]), float(argv[6]))
    elif len(argv) == 5 and argv[1] == "stream":
        stream(argv[2], int(argv[3]), float(argv[4]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
