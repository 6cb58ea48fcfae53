#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A hostile peer: plays the configured peer of a tandem node over the TCP
transport, from the peer's address, without tandem.

It listens where the real peer would (the node with the lower id connects
actively), pairs the node's DATA and CONTROL sockets (transport preamble,
transport-tcp/tcp_int.h), and completes the handshake by mirroring the
node's own packets (kernel/uapi/tandem_wire.h): HELLO with the node ids
swapped, NET_OPTS, SIZES, UUIDS and STATE as the node sent them, so that
the node sees a peer with the same data and goes Connected/Established.
The CONTROL stream answers every ping, so only what a mode does can make
the node drop the connection.

Whatever the node's role, the mirrored STATE and UUIDS say Secondary.

Modes:
  slow-reader  send --requests TP_SYNC_REQs of --size bytes for distinct
               ranges of volume 0, then read nothing on DATA for --hold
               seconds (the node's replies pile up on its side)
  write        send one TP_DATA (a protocol C write of --size bytes of
               0x5a at --first-sector of volume 0), as only a Primary
               peer may, then read DATA for --hold seconds

Prints one line per step ("handshake done", "sent N requests", ...) and
exits 0 when the mode ran to its end, 1 on a protocol surprise, 2 on a
timeout. Everything is bounded by --timeout.
"""
import argparse
import socket
import struct
import sys
import threading
import time

TANDEM_MAGIC = 0x54414E44
MAX_BODY, MAX_PAYLOAD = 256, 1 << 20     # TANDEM_MAX_BODY, _PAYLOAD
PREAMBLE_MAGIC = 0x54746350
PREAMBLE_HELLO, PREAMBLE_ACCEPT = 1, 2
DATA, CONTROL = 0, 1

TP_HELLO, TP_NET_OPTS, TP_UUIDS, TP_SIZES, TP_STATE = 1, 10, 11, 12, 13
TP_DATA, TP_SYNC_REQ = 20, 22
ROLE_SECONDARY = 2
UF_CRASHED_PRIMARY, UF_PRIMARY, UF_OLDER_PRIMARY = 1 << 0, 1 << 2, 1 << 3
DP_SEND_WRITE_ACK = 1 << 5
TP_PING, TP_PING_ACK = 40, 41

HDR = struct.Struct(">IHHII")             # struct tandem_hdr
PREAMBLE = struct.Struct(">IBBHQ")        # struct ttcp_preamble
HELLO = struct.Struct(">IIQIIIIQ64s")     # struct tandem_p_hello
BLOCK_REQ = struct.Struct(">QQII")        # struct tandem_p_block_req
P_DATA = struct.Struct(">QQIIII")         # struct tandem_p_data
UUIDS = struct.Struct(">QQ4QIIQ")         # struct tandem_p_uuids
STATE = struct.Struct(">IIII")            # struct tandem_p_state
assert HDR.size == 16 and PREAMBLE.size == 16
assert HELLO.size == 104 and BLOCK_REQ.size == 24 and P_DATA.size == 32
assert UUIDS.size == 64 and STATE.size == 16


class Surprise(Exception):
    """The node did something this peer does not expect."""


def recv_exact(sock, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise Surprise("the node closed the socket")
        buf += chunk
    return bytes(buf)


def recv_packet(sock):
    magic, ptype, volume, length, _ = HDR.unpack(recv_exact(sock, HDR.size))
    if magic != TANDEM_MAGIC:
        raise Surprise("bad magic 0x%08x" % magic)
    if length > MAX_BODY + MAX_PAYLOAD:
        raise Surprise("packet type %d: length %d" % (ptype, length))
    return ptype, volume, recv_exact(sock, length) if length else b""


def send_packet(sock, ptype, volume, body=b""):
    sock.sendall(HDR.pack(TANDEM_MAGIC, ptype, volume, len(body), 0) + body)


def accept_pair(addr, port, deadline):
    """Accept the node's two sockets of one attempt and answer both."""
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(4)
    socks = {}
    cookie = None
    try:
        while len(socks) < 2:
            ls.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                s, _ = ls.accept()
            except socket.timeout:
                raise TimeoutError("the node never connected")
            s.settimeout(5)
            magic, version, kind, stream, ck = PREAMBLE.unpack(
                recv_exact(s, PREAMBLE.size))
            if magic != PREAMBLE_MAGIC or kind != PREAMBLE_HELLO or \
                    stream not in (DATA, CONTROL):
                s.close()
                continue
            if cookie is not None and ck != cookie:
                for old in socks.values():     # a new attempt: start over
                    old.close()
                socks = {}
            cookie = ck
            socks[stream] = (s, version)
        for stream, (s, version) in socks.items():
            s.sendall(PREAMBLE.pack(PREAMBLE_MAGIC, version, PREAMBLE_ACCEPT,
                                    stream, cookie))
        return socks[DATA][0], socks[CONTROL][0]
    finally:
        ls.close()


def mirror_hello(sock, stream):
    ptype, _, body = recv_packet(sock)
    if ptype != TP_HELLO or len(body) != HELLO.size:
        raise Surprise("expected HELLO, got type %d" % ptype)
    (pmin, pmax, feat, st, node, peer, auth, ck, res) = HELLO.unpack(body)
    if auth:
        raise Surprise("the node wants cram-hmac, which this peer does "
                       "not speak (docs/TESTING.md)")
    send_packet(sock, TP_HELLO, 0, HELLO.pack(pmin, pmax, feat, stream, peer,
                                              node, 0, ck, res))


def handshake(data, control):
    mirror_hello(data, DATA)
    mirror_hello(control, CONTROL)
    ptype, _, body = recv_packet(data)
    if ptype != TP_NET_OPTS:
        raise Surprise("expected NET_OPTS, got type %d" % ptype)
    send_packet(data, TP_NET_OPTS, 0, body)
    # the node's state of each volume, mirrored: same data, same roles
    seen = set()
    data.settimeout(10)
    while seen != {TP_SIZES, TP_UUIDS, TP_STATE}:
        ptype, volume, body = recv_packet(data)
        if ptype in (TP_SIZES, TP_UUIDS, TP_STATE):
            send_packet(data, ptype, volume, as_secondary(ptype, body))
            seen.add(ptype)


def as_secondary(ptype, body):
    """@body of the node's own packet, as a Secondary peer would send it."""
    if ptype == TP_UUIDS and len(body) == UUIDS.size:
        f = list(UUIDS.unpack(body))
        f[6] &= ~(UF_PRIMARY | UF_OLDER_PRIMARY | UF_CRASHED_PRIMARY)
        return UUIDS.pack(*f)
    if ptype == TP_STATE and len(body) == STATE.size:
        f = list(STATE.unpack(body))
        f[0] = ROLE_SECONDARY
        return STATE.pack(*f)
    return body


def answer_pings(control, stop):
    control.settimeout(0.5)
    while not stop.is_set():
        try:
            ptype, _, _ = recv_packet(control)
        except socket.timeout:
            continue
        except (OSError, Surprise):
            return
        if ptype == TP_PING:
            try:
                send_packet(control, TP_PING_ACK, 0)
            except OSError:
                return


def drain(sock, seconds):
    """Read and drop whatever the node sends on @sock for @seconds."""
    end = time.monotonic() + seconds
    sock.settimeout(0.2)
    while time.monotonic() < end:
        try:
            if not sock.recv(65536):
                raise Surprise("the node closed the socket")
        except socket.timeout:
            pass


def slow_reader(data, args):
    drain(data, 1.0)        # the node decides: Established
    data.settimeout(10)
    step = args.size // 512
    for i in range(args.requests):
        send_packet(data, TP_SYNC_REQ, 0, BLOCK_REQ.pack(
            args.first_sector + i * step, i + 1, args.size, 0))
    print("sent %d requests of %d bytes" % (args.requests, args.size),
          flush=True)
    time.sleep(args.hold)   # and read nothing meanwhile
    print("held %.1f s" % args.hold, flush=True)


def write(data, args):
    drain(data, 1.0)        # the node decides: Established
    data.settimeout(10)
    body = P_DATA.pack(args.first_sector, 1, 1, DP_SEND_WRITE_ACK, args.size,
                       0)
    send_packet(data, TP_DATA, 0, body + b"\x5a" * args.size)
    print("sent a write of %d bytes at sector %d" % (args.size,
                                                    args.first_sector),
          flush=True)
    try:
        drain(data, args.hold)
        print("held %.1f s" % args.hold, flush=True)
    except (Surprise, OSError):
        print("the node closed the connection", flush=True)


MODES = {"slow-reader": slow_reader, "write": write}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--listen", required=True, help="ADDR:PORT")
    ap.add_argument("--mode", choices=sorted(MODES), required=True)
    ap.add_argument("--requests", type=int, default=48)
    ap.add_argument("--size", type=int, default=1 << 20)
    ap.add_argument("--first-sector", type=int, default=0)
    ap.add_argument("--hold", type=float, default=8)
    ap.add_argument("--timeout", type=float, default=120)
    args = ap.parse_args()
    addr, port = args.listen.rsplit(":", 1)
    deadline = time.monotonic() + args.timeout
    stop = threading.Event()
    try:
        data, control = accept_pair(addr, int(port), deadline)
        handshake(data, control)
        print("handshake done", flush=True)
        pinger = threading.Thread(target=answer_pings, args=(control, stop),
                                  daemon=True)
        pinger.start()
        MODES[args.mode](data, args)
    except TimeoutError as e:
        print("timeout: %s" % e, flush=True)
        return 2
    except (Surprise, OSError) as e:
        print("surprise: %s" % e, flush=True)
        return 1
    finally:
        stop.set()
    data.close()
    control.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
