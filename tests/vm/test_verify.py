# SPDX-License-Identifier: GPL-2.0
"""Online verify: refusals, a verify that finds nothing (also while the
Primary writes), one that finds blocks changed behind tandem's back on
the peer's backing disk, and the resync of exactly those blocks from the
verify source after disconnect + connect. One pair for the module."""
import re
import time

import pytest

import tandemctl as tc

FAST = "--ping-int=1 --ping-timeout=5"
# Each test starts from the state the one before left: after a failure
# the rest fail at once (conftest.py).
STOP_AFTER_FAILURE = True
MIB = 64
# Blocks changed on bravo's backing disk: a run of 3 at 8 MiB, one at 40 MiB.
CORRUPT = [(8 << 20, 3), (40 << 20, 1)]


@pytest.fixture(scope="module")
def nodes(kernel, tmp_path_factory, root):
    guests = tc.boot_installed_pair(
        kernel, str(tmp_path_factory.mktemp("verify")), root,
        [("d0", MIB)])
    alpha, bravo = guests
    for g in guests:
        tc.up(g, net=FAST + " --verify-alg=sha1",
              disk_opts="--resync-rate=100M --c-plan-ahead=0")
    tc.wait_proc(alpha, r"cs:Connected")
    alpha.check("tandemsetup primary r0 --force")
    for g in guests:
        tc.wait_proc(g, r"cs:Connected ro:\w+/\w+ ds:UpToDate/UpToDate",
                     timeout=240)
    alpha.check("dd if=/dev/urandom of=/dev/tandem0 bs=1M count=%d "
                "oflag=direct status=none" % (MIB - 2), timeout=120)
    yield guests
    tc.finish_pair(guests)


def mark(g):
    g.check("echo tandem-test-mark > /dev/kmsg")


def since_mark(g):
    return g.check("dmesg").rsplit("tandem-test-mark", 1)[-1]


def oos(g):
    return tc.counters(tc.minor_block(tc.proc(g)))["oos"]


def verify_result(g, timeout=240):
    """(KiB compared, KiB out of sync) from the log line of the end."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        m = re.search(r"online verify done: (\d+) KiB compared in [\d.]+ s, "
                      r"(\d+) KiB out of sync", since_mark(g))
        if m:
            return int(m.group(1)), int(m.group(2))
        time.sleep(1)
    raise AssertionError("%s: verify did not end:\n%s" % (
        g.name, g.run("cat /proc/tandem; dmesg | tail -20").out))


def data_sha(g, disk="/dev/vda"):
    # the data area: everything below the internal metadata
    return g.check("dd if=%s bs=1M count=%d iflag=direct status=none | "
                   "sha256sum" % (disk, MIB - 2), timeout=120).split()[0]


def test_refusals(nodes):
    alpha, bravo = nodes
    res = alpha.run("tandemsetup net-options r0 1 --verify-alg=nosuchhash")
    assert res.rc == 10 and "not a hash this kernel offers" in res.out, res
    alpha.check("tandemsetup net-options r0 1 --verify-alg=")
    res = alpha.run("tandemsetup verify 0 1")
    assert res.rc == 10 and "no verify-alg" in res.out, res
    alpha.check("tandemsetup net-options r0 1 --verify-alg=sha1")
    res = alpha.run("tandemsetup verify 0 1 %d" % (MIB << 11))
    assert res.rc == 10 and "beyond the end" in res.out, res
    res = alpha.run("tandemsetup verify 0 5")
    assert res.rc == 11 and "no peer 5" in res.out, res
    # nothing started
    assert "cs:Connected" in tc.minor_block(tc.proc(alpha))


def reconnect(nodes):
    """disconnect + connect on both nodes (log marked), until in sync."""
    for g in nodes:
        mark(g)
        g.check("tandemsetup disconnect r0 %d" % tc.NODE_IDS[tc.peer_of(
            g.name)])
    for g in nodes:
        peer = tc.peer_of(g.name)
        g.check("tandemsetup connect r0 %d %s:%d %s:%d --connect-int=1 %s "
                "--verify-alg=sha1" % (tc.NODE_IDS[peer], tc.IPS[g.name],
                                       tc.PORT, tc.IPS[peer], tc.PORT, FAST))
    for g in nodes:
        tc.wait_proc(g, r"cs:Connected ro:\w+/\w+ ds:UpToDate/UpToDate "
                     r"(.*\n)*.*oos:0\b", timeout=120)


def data_kib(g):
    return int(g.check("blockdev --getsize64 /dev/tandem0")) >> 10


def test_verify_in_sync_finds_nothing_while_the_primary_writes(nodes):
    alpha, bravo = nodes
    for g in nodes:
        g.check("tandemsetup resync-rate 0 8M")
        mark(g)
    # From the Secondary; the Primary keeps writing all the while (a
    # bounded number of small random writes).
    bravo.check("tandemsetup verify 0 0")
    alpha.check("(for i in $(seq 300); do dd if=/dev/urandom "
                "of=/dev/tandem0 bs=4k count=$((RANDOM % 16 + 1)) "
                "seek=$((RANDOM % 15000)) oflag=direct status=none; "
                "done) >/dev/null 2>&1 & echo $! >/run/writer.pid")
    block = tc.wait_proc(bravo, r"cs:VerifyS ro:Secondary/Primary", timeout=60)
    m = re.search(r"verified: [\d.]+% \((\d+)/(\d+)\)K", block)
    assert m, block
    assert int(m.group(2)) == data_kib(bravo)
    tc.wait_proc(alpha, r"cs:VerifyT ro:Primary/Secondary", timeout=30)
    compared, found = verify_result(bravo)
    assert compared == data_kib(bravo)
    assert found == 0
    assert verify_result(alpha) == (compared, 0)
    alpha.check("timeout 120 sh -c 'while kill -0 $(cat /run/writer.pid) "
                "2>/dev/null; do sleep 0.5; done'", timeout=150)
    for g in nodes:
        tc.wait_proc(g, r"cs:Connected .*UpToDate/UpToDate")
        assert oos(g) == 0


def test_verify_finds_blocks_changed_on_the_peer_and_resync_fixes_them(nodes):
    alpha, bravo = nodes
    for off, n in CORRUPT:
        bravo.check("dd if=/dev/urandom of=/dev/vda bs=4k count=%d seek=%d "
                    "oflag=direct status=none" % (n, off // 4096))
    assert data_sha(alpha) != data_sha(bravo)
    for g in nodes:
        g.check("tandemsetup resync-rate 0 100M")
        mark(g)
    alpha.check("tandemsetup verify 0 1")
    blocks = sum(n for _, n in CORRUPT)
    assert verify_result(alpha) == (data_kib(alpha), blocks * 4)
    assert verify_result(bravo) == (data_kib(bravo), blocks * 4)
    # each run logged, in sectors, on both nodes; marked on both
    for g in nodes:
        log = since_mark(g)
        for off, n in CORRUPT:
            assert "out of sync: start=%d, size=%d (sectors)" % (
                off // 512, n * 8) in log, log
        tc.wait_proc(g, r"cs:Connected")
        assert oos(g) == blocks * 4
    # Nothing is copied until the next connection; then from alpha.
    assert data_sha(alpha) != data_sha(bravo)
    reconnect(nodes)
    assert "bitmap resync as source" in since_mark(alpha)
    m = re.search(r"resync done: (\d+) KiB", since_mark(bravo))
    assert m and int(m.group(1)) == blocks * 4, since_mark(bravo)
    assert data_sha(alpha) == data_sha(bravo)
    # The flag went with the resync: reconnecting copies nothing more.
    reconnect(nodes)
    # (the Primary's disconnect starts a new generation: a bitmap resync
    # of nothing is all it takes)
    done = re.findall(r"resync done: (\d+) KiB", since_mark(bravo))
    assert set(done) <= {"0"}, since_mark(bravo)


def test_verify_from_a_start_sector(nodes):
    alpha, bravo = nodes
    for g in nodes:
        mark(g)
    start = (32 << 20) // 512
    alpha.check("tandemsetup verify 0 1 %d" % start)
    assert verify_result(alpha) == (data_kib(alpha) - (32 << 10), 0)
