# SPDX-License-Identifier: GPL-2.0
"""The RDMA transport (transport-rdma/) over soft-RoCE (rdma_rxe) in two
guests, alpha (192.0.2.1) and bravo (192.0.2.2):

  * the transport self-test of kernel/transport_selftest.c in alpha alone
    (rxe on eth0 talks to its own address): small messages, 64 KiB and
    1 MiB payloads from several senders, receive timeouts, disconnect and
    connect aborts; once with each DATA mode (data_mode=send: SEND into
    posted buffers; data_mode=write: RDMA WRITE with immediate into
    registered slots);
  * the data_mode parameter takes send and write and refuses the rest;
  * a resource replicated over `--transport=rdma` with the data_mode that
    is NOT the default (the other suites run the default): initial sync,
    data equal on both nodes;
  * `rdma link delete rxe0` under a connected resource drops the
    connection within bounded time, `rdma link add` lets it reconnect,
    now with alpha back on the default data_mode and bravo not: each
    direction runs the way its receiver asked, and the data stays equal;
  * the module cannot be removed while a connection uses it.

See docs/TRANSPORT.md ("RDMA transport")."""
import re
import time

import pytest

import tandemctl

SELFTEST = "/sys/kernel/debug/tandem/transport_selftest"
RDMA_REFCNT = "/sys/module/tandem_transport_rdma/refcnt"
DATA_MODE = "/sys/module/tandem_transport_rdma/parameters/data_mode"
MODES = ("send", "write")
MODE_NAMES = {"send": "SEND", "write": "RDMA WRITE"}
RXE_ADD = "rdma link add rxe0 type rxe netdev eth0"
RXE_ACTIVE = ("for i in $(seq 100); do rdma link show rxe0/1 2>/dev/null | "
              "grep -q 'state ACTIVE' && exit 0; sleep 0.2; done; "
              "rdma link show; exit 1")

RESULT_RE = re.compile(
    r"^ok class=(?P<cls>\S+) messages=(?P<messages>\d+) bytes=(?P<bytes>\d+) "
    r"data_MBps=(?P<mbps>\d+\.\d) rtt_us_p50=(?P<p50>\d+) "
    r"rtt_us_p99=(?P<p99>\d+) pings=(?P<pings>\d+) "
    r"disconnect_ms=(?P<disc>\d+) abort_ms=(?P<abort>\d+)$")


def rxe_up(g):
    g.check(RXE_ADD, timeout=60)
    g.check(RXE_ACTIVE, timeout=60)


@pytest.fixture(scope="module")
def nodes(pair_module, root):
    """Both guests with the utilities installed (the pair's modules are
    staged), tandem loaded and rxe0 on eth0."""
    for g in pair_module:
        g.check("make -s -C %s install-utils" % root, timeout=120)
        g.check("modprobe tandem && modprobe crc32_generic && "
                "modprobe rdma_rxe && modprobe tandem_transport_rdma",
                timeout=60)
        rxe_up(g)
        g.transport = "rdma"        # tandemctl.up() connects over it
        # what a fresh load of the module says
        g.default_mode = g.check("cat %s" % DATA_MODE).strip()
    return pair_module


def set_mode(g, mode):
    g.check("echo %s > %s" % (mode, DATA_MODE))
    assert g.check("cat %s" % DATA_MODE).strip() == mode


def mode_lines(g, marker):
    """The RDMA transport's `connected` lines logged since marker."""
    log = g.check("dmesg").rsplit(marker, 1)[1]
    return re.findall(r"tandem_transport_rdma: connected .*", log)


def check_mode_used(g, marker, mode, at_least):
    """Every connection since marker ran DATA in mode, both ways."""
    lines = mode_lines(g, marker)
    want = "(DATA: we receive by %s, send by %s)" % (MODE_NAMES[mode],
                                                     MODE_NAMES[mode])
    assert len(lines) >= at_least, lines
    assert all(line.endswith(want) for line in lines), (mode, lines)


def test_data_mode_parameter(nodes):
    alpha = nodes[0]
    assert alpha.default_mode in MODES, alpha.default_mode
    res = alpha.run("echo bogus > %s" % DATA_MODE)
    assert res.rc != 0, res
    assert alpha.check("cat %s" % DATA_MODE).strip() == alpha.default_mode
    for mode in MODES + (alpha.default_mode,):
        set_mode(alpha, mode)
    assert "data_mode" in alpha.check(
        "modinfo -p tandem_transport_rdma")


def selftest(g, args, timeout=150):
    """Run one self-test; return (write status, result line)."""
    res = g.run("echo '%s' > %s" % (args, SELFTEST), timeout=timeout)
    line = g.check("cat %s" % SELFTEST).strip()
    return res, line


def check_result(g, line, count, size):
    m = RESULT_RE.match(line)
    assert m, line
    r = {k: (v if k == "cls" else float(v)) for k, v in m.groupdict().items()}
    assert r["cls"] == "rdma"
    assert r["messages"] == count
    assert r["bytes"] == count * size
    assert r["mbps"] > 0 or size == 0
    assert 0 < r["p50"] <= r["p99"]
    assert r["pings"] >= 64
    assert r["disc"] < 2000 and r["abort"] < 2000
    assert "transport selftest (IPv4): %s" % line in g.check("dmesg")
    # Both instances are gone: the transport is no longer pinned.
    assert int(g.check("cat %s" % RDMA_REFCNT)) == 0
    return r


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("args,count,size", [
    ("count=2000 size=65536 senders=2", 2000, 65536),
    ("count=500 size=0 senders=1", 500, 0),
    ("count=300 size=12345 senders=3", 300, 12345),
    ("count=64 size=1048576 senders=8", 64, 1048576),
])
def test_selftest_rdma(nodes, args, count, size, mode):
    alpha = nodes[0]
    set_mode(alpha, mode)
    marker = "tandem-selftest-%s-%d-%d" % (mode, count, size)
    alpha.check("echo %s > /dev/kmsg" % marker)
    try:
        res, line = selftest(alpha, "rdma 192.0.2.1:7790 192.0.2.1:7791 " +
                             args)
        assert res.rc == 0, (args, res, line,
                             alpha.run("dmesg | tail -30").out)
        check_result(alpha, line, count, size)
        # both ends of every connection the self-test made used mode
        check_mode_used(alpha, marker, mode, 2)
    finally:
        set_mode(alpha, alpha.default_mode)
    print("rdma selftest data_mode=%s %s: %s" % (mode, args, line))


def test_replication_over_rdma(nodes):
    """Under the data_mode that is not the default, which the following
    tests keep."""
    alpha, bravo = nodes
    mode = [m for m in MODES if m != alpha.default_mode][0]
    for g in nodes:
        set_mode(g, mode)
        g.check("echo tandem-replication-%s > /dev/kmsg" % mode)
    for g in nodes:
        tandemctl.up(g)
    for g in nodes:
        tandemctl.wait_proc(g, r"cs:Connected ro:Secondary/Secondary "
                               r"ds:Inconsistent/Inconsistent C")
    for g in nodes:
        # the connection runs over the RDMA transport, which is pinned
        assert int(g.check("cat %s" % RDMA_REFCNT)) >= 1
        assert "connected" in g.check("dmesg | grep tandem_transport_rdma")
        check_mode_used(g, "tandem-replication-%s" % mode, mode, 1)
    for g in nodes:
        g.check("tandemsetup resync-rate 0 100M")
    alpha.check("tandemsetup primary r0 --force")
    tandemctl.wait_proc(alpha, r"cs:Connected ro:Primary/Secondary "
                               r"ds:UpToDate/UpToDate C", timeout=180)
    block = tandemctl.wait_proc(bravo, r"cs:Connected ro:Secondary/Primary "
                                       r"ds:UpToDate/UpToDate C", timeout=30)
    assert tandemctl.counters(block)["oos"] == 0
    assert tandemctl.counters(block)["nr"] > 32 * 1024   # the sync came over
    # Writes of several sizes, replicated with protocol C.
    alpha.check("dd if=/dev/urandom of=/dev/tandem0 bs=1M count=8 seek=3 "
                "oflag=direct status=none", timeout=120)
    alpha.check("dd if=/dev/urandom of=/dev/tandem0 bs=4k count=64 seek=7 "
                "oflag=direct status=none", timeout=120)
    tandemctl.check_data_areas_identical(alpha, bravo)


def test_module_in_use_while_connected(nodes):
    alpha, _ = nodes
    tandemctl.wait_proc(alpha, r"cs:Connected")
    res = alpha.run("modprobe -r tandem_transport_rdma")
    assert res.rc != 0 and "in use" in res.out, res
    assert alpha.run("test -d /sys/module/tandem_transport_rdma").rc == 0
    tandemctl.wait_proc(alpha, r"cs:Connected ro:Primary/Secondary "
                               r"ds:UpToDate/UpToDate")


def test_device_removal_drops_and_readd_reconnects(nodes):
    alpha, bravo = nodes
    t0 = time.monotonic()
    res = alpha.run("rdma link delete rxe0", timeout=90)
    took = time.monotonic() - t0
    assert res.rc == 0, res
    assert took < 60, took
    assert "rxe0" not in alpha.check("rdma link show")
    # Both ends notice within bounded time and try again.
    for g in nodes:
        tandemctl.wait_proc(g, r"cs:(Connecting|StandAlone|NetworkFailure|"
                               r"BrokenPipe|Timeout|Unconnected)", timeout=60)
    assert "device removed" in alpha.check("dmesg")
    # While the device is gone, the Primary keeps writing.
    alpha.check("dd if=/dev/urandom of=/dev/tandem0 bs=64k count=16 seek=50 "
                "oflag=direct status=none", timeout=120)
    # The two nodes now ask for different data modes.
    a_mode = alpha.default_mode
    b_mode = [m for m in MODES if m != a_mode][0]
    set_mode(alpha, a_mode)
    assert bravo.check("cat %s" % DATA_MODE).strip() == b_mode
    for g in nodes:
        g.check("echo tandem-mixed-modes > /dev/kmsg")
    rxe_up(alpha)
    tandemctl.wait_proc(alpha, r"cs:Connected ro:Primary/Secondary "
                               r"ds:UpToDate/UpToDate", timeout=180)
    tandemctl.wait_proc(bravo, r"cs:Connected ro:Secondary/Primary "
                               r"ds:UpToDate/UpToDate", timeout=60)
    for g, rx, tx in ((alpha, a_mode, b_mode), (bravo, b_mode, a_mode)):
        lines = mode_lines(g, "tandem-mixed-modes")
        want = "(DATA: we receive by %s, send by %s)" % (MODE_NAMES[rx],
                                                         MODE_NAMES[tx])
        assert lines and all(l.endswith(want) for l in lines), (g.name,
                                                                lines)
    # a write after the reconnection goes to bravo in bravo's mode
    alpha.check("dd if=/dev/urandom of=/dev/tandem0 bs=1M count=4 seek=20 "
                "oflag=direct status=none", timeout=120)
    tandemctl.check_data_areas_identical(alpha, bravo)


def nr_kib(g):
    return tandemctl.counters(tandemctl.minor_block(tandemctl.proc(g)))["nr"]


@pytest.mark.parametrize("to", ["tcp", "rdma"])
def test_switch_transport_online_resyncs_only_changes(nodes, to):
    """net-options --transport on a connected resource: it reconnects over
    the new transport, and only what was written meanwhile is resynced
    (rdma -> tcp, then back)."""
    alpha, bravo = nodes
    tandemctl.wait_proc(alpha, r"cs:Connected ro:Primary/Secondary "
                               r"ds:UpToDate/UpToDate")
    nr0 = nr_kib(bravo)
    alpha.check("echo tandem-switch-%s > /dev/kmsg" % to)
    alpha.check("tandemsetup net-options r0 1 --transport=%s" % to)
    # alpha now tries the new transport, bravo still the old one
    tandemctl.wait_proc(alpha, r"cs:(Connecting|TearDown|NetworkFailure)",
                        timeout=60)
    alpha.check("dd if=/dev/urandom of=/dev/tandem0 bs=64k count=16 seek=320 "
                "oflag=direct status=none", timeout=120)
    oos = tandemctl.counters(tandemctl.minor_block(tandemctl.proc(alpha)))[
        "oos"]
    assert oos >= 1024, oos
    bravo.check("tandemsetup net-options r0 0 --transport=%s" % to)
    tandemctl.wait_proc(alpha, r"cs:Connected ro:Primary/Secondary "
                               r"ds:UpToDate/UpToDate(.*\n)*.*oos:0\b",
                        timeout=180)
    tandemctl.wait_proc(bravo, r"cs:Connected ro:Secondary/Primary "
                               r"ds:UpToDate/UpToDate", timeout=60)
    log = alpha.check("dmesg").rsplit("tandem-switch-%s" % to, 1)[1]
    assert "transport changed to %s: reconnecting" % to in log, log
    assert re.search(r"connected \(protocol C, wire version \d+, "
                     r"transport %s\)" % to, log), log
    # no full resync: what was written while apart, and no more
    resynced = nr_kib(bravo) - nr0
    assert oos <= resynced <= oos * 1.05, (oos, resynced)
    tandemctl.check_data_areas_identical(alpha, bravo)


def test_down_unload_and_remove_rxe_clean(nodes):
    """After the resource is down, nothing of ours is left on the device:
    the modules unload, and so does rdma_rxe (which would complain about
    any QP, CQ, PD or rdma_cm id still allocated)."""
    alpha, bravo = nodes
    alpha.check("tandemsetup secondary r0")
    for g in nodes:
        tandemctl.down(g)
    for g in nodes:
        tandemctl.unload(g)     # the switch test loaded tcp too
        g.check("rdma link delete rxe0", timeout=60)
        g.check("modprobe -r rdma_rxe", timeout=60)
        assert g.run("test -d /sys/module/rdma_rxe").rc != 0
        log = g.check("dmesg")
        assert "not freed" not in log and "restrack" not in log, log[-2000:]
        assert "did not flush" not in log
