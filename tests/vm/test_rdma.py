# SPDX-License-Identifier: GPL-2.0
"""The RDMA transport (transport-rdma/) over soft-RoCE (rdma_rxe) in two
guests, alpha (192.0.2.1) and bravo (192.0.2.2):

  * the transport self-test of kernel/transport_selftest.c in alpha alone
    (rxe on eth0 talks to its own address): small messages, 64 KiB and
    1 MiB payloads from several senders, receive timeouts, disconnect and
    connect aborts;
  * a resource replicated over `--transport=rdma`: initial sync, data
    equal on both nodes;
  * `rdma link delete rxe0` under a connected resource drops the
    connection within bounded time, `rdma link add` lets it reconnect;
  * the module cannot be removed while a connection uses it.

See docs/TRANSPORT.md ("RDMA transport")."""
import re
import time

import pytest

import tandemctl

SELFTEST = "/sys/kernel/debug/tandem/transport_selftest"
RDMA_REFCNT = "/sys/module/tandem_transport_rdma/refcnt"
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
    """Both guests with `make install` done, tandem loaded and rxe0 on
    eth0."""
    for g in pair_module:
        g.check("make -s -C %s install" % root, timeout=300)
        g.check("modprobe tandem && modprobe crc32_generic && "
                "modprobe rdma_rxe", timeout=60)
        rxe_up(g)
    return pair_module


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


@pytest.mark.parametrize("args,count,size", [
    ("count=2000 size=65536 senders=2", 2000, 65536),
    ("count=500 size=0 senders=1", 500, 0),
    ("count=300 size=12345 senders=3", 300, 12345),
    ("count=64 size=1048576 senders=8", 64, 1048576),
])
def test_selftest_rdma(nodes, args, count, size):
    alpha = nodes[0]
    res, line = selftest(alpha, "rdma 192.0.2.1:7790 192.0.2.1:7791 " + args)
    assert res.rc == 0, (args, res, line, alpha.run("dmesg | tail -30").out)
    check_result(alpha, line, count, size)
    print("rdma selftest %s: %s" % (args, line))
