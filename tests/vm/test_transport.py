# SPDX-License-Identifier: GPL-2.0
"""The transport API end to end, in one guest: the self-test of
kernel/transport_selftest.c drives two instances of the tcp class over
loopback (IPv4 and IPv6) through nothing but the class's ops, checking
message integrity, the ping-pong on CONTROL, receive timeouts, and that
disconnect() unblocks recv() and connect() promptly. See docs/TRANSPORT.md
("Self-test")."""
import re
import time

import pytest

SELFTEST = "/sys/kernel/debug/tandem/transport_selftest"
TCP_REFCNT = "/sys/module/tandem_transport_tcp/refcnt"

RESULT_RE = re.compile(
    r"^ok class=(?P<cls>\S+) messages=(?P<messages>\d+) bytes=(?P<bytes>\d+) "
    r"data_MBps=(?P<mbps>\d+\.\d) rtt_us_p50=(?P<p50>\d+) "
    r"rtt_us_p99=(?P<p99>\d+) pings=(?P<pings>\d+) "
    r"disconnect_ms=(?P<disc>\d+) abort_ms=(?P<abort>\d+)$")


@pytest.fixture(scope="module")
def installed(guest_module, root):
    """The guest, with `make install` done."""
    guest_module.check("make -s -C %s install" % root, timeout=300)
    return guest_module


@pytest.fixture
def guest(installed):
    installed.check("modprobe tandem")
    yield installed
    # Leave the guest as the next test expects it: nothing loaded. A
    # self-test still running (it cannot, unless a test failed) would
    # keep the modules pinned; wait for it, bounded.
    installed.run("for i in $(seq 100); do grep -q '^running' %s || break; "
                  "sleep 1; done; modprobe -r tandem_transport_tcp tandem"
                  % SELFTEST, timeout=150)


def selftest(g, args, timeout=120):
    """Run one self-test; return (write status, result line)."""
    res = g.run("echo '%s' > %s" % (args, SELFTEST), timeout=timeout)
    line = g.check("cat %s" % SELFTEST).strip()
    return res, line


def parse_ok(line):
    m = RESULT_RE.match(line)
    assert m, line
    return {k: (v if k == "cls" else float(v)) for k, v in m.groupdict().items()}


def check_result(g, line, count, size, family):
    r = parse_ok(line)
    assert r["cls"] == "tcp"
    assert r["messages"] == count
    assert r["bytes"] == count * size
    assert r["mbps"] > 0 or size == 0
    assert 0 < r["p50"] <= r["p99"]
    assert r["pings"] >= 64
    assert r["disc"] < 2000 and r["abort"] < 2000
    assert "transport selftest (%s): %s" % (family, line) in g.check("dmesg")
    # Both instances are gone: the transport is no longer pinned.
    assert int(g.check("cat %s" % TCP_REFCNT)) == 0
    return r


def test_selftest_tcp_ipv4(guest):
    g = guest
    first = g.check("cat %s" % SELFTEST)
    assert first.count("\n") == 1 and first.startswith(("none", "ok", "FAIL"))
    res, line = selftest(g, "tcp 127.0.0.1:7790 127.0.0.1:7791 "
                            "count=2000 size=65536")
    assert res.rc == 0, (res, line)
    r = check_result(g, line, 2000, 65536, "IPv4")
    print("IPv4:", line)
    assert r["bytes"] == 131072000


def test_selftest_tcp_ipv6(guest):
    g = guest
    if "::1/128" not in g.run("ip -6 addr show dev lo").out:
        pytest.skip("no ::1 on lo in the guest")
    res, line = selftest(g, "tcp [::1]:7792 [::1]:7793 count=2000 size=65536")
    assert res.rc == 0, (res, line)
    check_result(g, line, 2000, 65536, "IPv6")
    print("IPv6:", line)


def test_selftest_odd_sizes_and_senders(guest):
    """Header-only messages (no payload), and a payload that ends inside
    a page and inside a 64-bit word, from several senders at once."""
    g = guest
    for args, count, size in (
            ("count=500 size=0 senders=1", 500, 0),
            ("count=300 size=12345 senders=3", 300, 12345),
            ("count=64 size=1048576 senders=8", 64, 1048576)):
        res, line = selftest(g, "tcp 127.0.0.1:7790 127.0.0.1:7791 " + args)
        assert res.rc == 0, (args, res, line)
        check_result(g, line, count, size, "IPv4")


def test_selftest_bad_input_is_einval(guest):
    g = guest
    before = g.check("cat %s" % SELFTEST)
    for bad in ("", "tcp", "tcp 127.0.0.1:7790",
                "tcp 127.0.0.1 127.0.0.1:7791",          # no port
                "tcp 127.0.0.1:0 127.0.0.1:7791",        # listen port 0
                "tcp 127.0.0.1:99999 127.0.0.1:7791",    # port too big
                "tcp 127.0.0.1:7790 [::1]:7791",         # two families
                "tcp 127.0.0.300:7790 127.0.0.1:7791",
                "tcp [::1:7790 [::1]:7791",
                "tcp 127.0.0.1:7790 127.0.0.1:7791 count=0",
                "tcp 127.0.0.1:7790 127.0.0.1:7791 size=1048577",
                "tcp 127.0.0.1:7790 127.0.0.1:7791 senders=9",
                "tcp 127.0.0.1:7790 127.0.0.1:7791 timeout_s=0",
                "tcp 127.0.0.1:7790 127.0.0.1:7791 bogus=1",
                "tcp 127.0.0.1:7790 127.0.0.1:7791 count",
                "TCP 127.0.0.1:7790 127.0.0.1:7791",     # bad class name
                "x" * 300):
        res = g.run("echo '%s' > %s" % (bad, SELFTEST))
        assert res.rc != 0 and "Invalid argument" in res.out, (bad, res)
    # A well-formed name no module provides.
    res = g.run("echo 'nosuch 127.0.0.1:7790 127.0.0.1:7791' > %s" % SELFTEST)
    assert res.rc != 0 and "No such file or directory" in res.out, res
    # Nothing ran: the last result is unchanged.
    assert g.check("cat %s" % SELFTEST) == before


def test_selftest_failure_cleans_up(guest):
    """A run that cannot connect (the active end's address is not local,
    so it cannot even bind) fails at its timeout with a reason, through
    disconnect() of both ends blocked in connect(), and frees everything."""
    g = guest
    res, line = selftest(g, "tcp 127.0.0.1:7790 192.0.2.99:7791 timeout_s=3")
    assert res.rc != 0 and "Input/output error" in res.out, res
    assert line == "FAIL timed out in phase connect", line
    assert int(g.check("cat %s" % TCP_REFCNT)) == 0
    assert "stuck" not in g.check("dmesg")
    # The next run is not disturbed.
    res, line = selftest(g, "tcp 127.0.0.1:7790 127.0.0.1:7791 count=100")
    assert res.rc == 0, (res, line)
    check_result(g, line, 100, 65536, "IPv4")


def wait_phase(g, want, seconds=30):
    """Poll the self-test file until its line starts with `want`."""
    line = ""
    for _ in range(seconds * 5):
        line = g.check("cat %s" % SELFTEST).strip()
        if line.startswith(want):
            return line
        time.sleep(0.2)
    raise AssertionError("self-test never reached %r; last: %r" % (want, line))


def test_transport_pinned_while_selftest_connected(guest):
    g = guest
    g.check("(echo 'tcp 127.0.0.1:7794 127.0.0.1:7795 count=100 size=4096 "
            "hold_ms=6000' > %s; echo rc=$? > /run/st.rc) "
            ">/run/st.log 2>&1 </dev/null &" % SELFTEST)
    wait_phase(g, "running phase=hold")

    # Two connected instances hold the transport module.
    assert int(g.check("cat %s" % TCP_REFCNT)) == 2
    res = g.run("rmmod tandem_transport_tcp")
    assert res.rc != 0 and "in use" in res.out, res
    res = g.run("rmmod tandem")
    assert res.rc != 0 and "in use" in res.out, res
    # One test at a time.
    res = g.run("echo 'tcp 127.0.0.1:7796 127.0.0.1:7797' > %s" % SELFTEST)
    assert res.rc != 0 and "busy" in res.out, res

    line = wait_phase(g, "ok", seconds=60)
    check_result(g, line, 100, 4096, "IPv4")
    for _ in range(50):
        if g.run("test -e /run/st.rc").rc == 0:
            break
        time.sleep(0.2)
    assert g.check("cat /run/st.rc").strip() == "rc=0"
    g.check("rmmod tandem_transport_tcp")


# Probes the passive end while it waits for the self-test's active end
# (started active_delay_ms later). The preamble is the TCP transport's:
# magic "TtcP", version 1, kind (1 = HELLO), stream, cookie; big-endian.
PROBE = r'''
import socket, struct, sys, time
port = int(sys.argv[1])

def conn(src):
    s = socket.socket()
    s.bind((src, 0))
    s.settimeout(5)
    s.connect(("127.0.0.1", port))
    return s

def closed_within(s, secs):
    s.settimeout(secs)
    try:
        return s.recv(100) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False

s = conn("127.0.0.3")
print("foreign-ip-dropped", closed_within(s, 3))
s = conn("127.0.0.2")
s.sendall(b"GET / HTTP/1.0\r\n")
print("garbage-dropped", closed_within(s, 3))
s = conn("127.0.0.2")
t = time.time()
print("silent-dropped", closed_within(s, 6), round(time.time() - t))
s = conn("127.0.0.2")
s.sendall(struct.pack(">IBBHQ", 0x54746350, 1, 1, 0, 12345))
print("half-held", not closed_within(s, 1))
print("half-expired", closed_within(s, 8))
'''


def test_passive_end_filters_connections(guest):
    """The passive end binds the pairing to the peer's IP (the active end
    connects from 127.0.0.2, its configured address), drops connections
    from other addresses, with a bad preamble or none, and half-made
    pairs; the real connection still succeeds."""
    g = guest
    g.check("cat > /run/probe.py <<'PROBE_EOF'\n%s\nPROBE_EOF" % PROBE)
    g.check("(echo 'tcp 127.0.0.1:7798 127.0.0.2:7799 count=200 size=4096 "
            "active_delay_ms=15000' > %s; echo rc=$? > /run/st2.rc) "
            ">/run/st2.log 2>&1 </dev/null &" % SELFTEST)
    wait_phase(g, "running phase=connect")
    out = g.check("python3 /run/probe.py 7798", timeout=40)
    results = dict(line.split(" ", 1) for line in out.strip().splitlines())
    assert results["foreign-ip-dropped"] == "True", out
    assert results["garbage-dropped"] == "True", out
    silent, secs = results["silent-dropped"].split()
    assert silent == "True" and 1 <= int(secs) <= 4, out
    assert results["half-held"] == "True", out
    assert results["half-expired"] == "True", out
    assert "dropping connection from 127.0.0.3" in g.check("dmesg")

    line = wait_phase(g, "ok", seconds=60)
    check_result(g, line, 200, 4096, "IPv4")
    assert "connected with 127.0.0.2" in g.check("dmesg")
