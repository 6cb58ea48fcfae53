# SPDX-License-Identifier: GPL-2.0
"""Resync control: pause-sync/resume-sync, invalidate, invalidate-remote,
resync-after ordering, c-min-rate throttling under application I/O, and
c-max-rate capping the dynamic controller. Two resources (r0 on minor 0,
r1 on minor 1), one pair of guests for the module; tests run in order."""
import re
import time

import pytest

import tandemctl as tc

DISKS = [("d0", 64), ("d1", 64)]
# Each test starts from the state the one before left: after a failure
# the rest fail at once (conftest.py).
STOP_AFTER_FAILURE = True
FAST = "--ping-int=1 --ping-timeout=5"
RES = [("r0", 0, "/dev/vda", tc.PORT), ("r1", 1, "/dev/vdb", tc.PORT + 1)]


@pytest.fixture(scope="module")
def nodes(kernel, tmp_path_factory, root):
    guests = tc.boot_installed_pair(
        kernel, str(tmp_path_factory.mktemp("resync")), root, DISKS)
    alpha, bravo = guests
    for res, minor, disk, port in RES:
        for g in guests:
            tc.up(g, res=res, minor=minor, disk=disk, port=port, net=FAST,
                  disk_opts="--resync-rate=100M --c-plan-ahead=0")
        tc.wait_proc(alpha, r"cs:Connected", minor=minor)
        alpha.check("tandemsetup primary %s --force" % res)
    for res, minor, disk, port in RES:
        for g in guests:
            tc.wait_proc(g, r"cs:Connected ro:\w+/\w+ ds:UpToDate/UpToDate",
                         timeout=180, minor=minor)
    yield guests
    tc.finish_pair(guests)


def oos(g, minor=0):
    return tc.counters(tc.minor_block(tc.proc(g), minor))["oos"]


def mark(g):
    g.check("echo tandem-test-mark > /dev/kmsg")


def since_mark(g):
    return g.check("dmesg").rsplit("tandem-test-mark", 1)[-1]


def split_and_write(alpha, bravo, res, minor, mib, seek_mib=0):
    """Disconnect res, write mib MiB on alpha: they become out of sync."""
    for g in (alpha, bravo):
        g.check("tandemsetup disconnect %s %d" % (
            res, tc.NODE_IDS[tc.peer_of(g.name)]))
    alpha.check("dd if=/dev/urandom of=/dev/tandem%d bs=1M count=%d seek=%d "
                "oflag=direct status=none" % (minor, mib, seek_mib),
                timeout=120)


def reconnect(g, res, port):
    peer = tc.peer_of(g.name)
    g.check("tandemsetup connect %s %d %s:%d %s:%d --connect-int=1 %s" % (
        res, tc.NODE_IDS[peer], tc.IPS[g.name], port, tc.IPS[peer], port,
        FAST))


def in_sync(nodes, minor=0, timeout=180):
    for g in nodes:
        tc.wait_proc(g, r"cs:Connected ro:\w+/\w+ ds:UpToDate/UpToDate",
                     timeout=timeout, minor=minor)
        tc.wait_proc(g, r"oos:0\b", timeout=60, minor=minor)


def same_data(nodes, disk="/dev/vda"):
    shas = [g.check("dd if=%s bs=1M count=60 iflag=direct status=none | "
                    "sha256sum" % disk, timeout=120).split()[0] for g in nodes]
    assert shas[0] == shas[1]


def test_pause_and_resume_sync(nodes):
    alpha, bravo = nodes
    for g in nodes:
        g.check("tandemsetup resync-rate 0 2M")
    split_and_write(alpha, bravo, "r0", 0, 24)
    for g in nodes:
        reconnect(g, "r0", tc.PORT)
    tc.wait_proc(bravo, r"cs:SyncTarget", timeout=60)

    bravo.check("tandemsetup pause-sync 0 0")
    tc.wait_proc(bravo, r"cs:PausedSyncT ro:Secondary/Primary", timeout=30)
    tc.wait_proc(alpha, r"cs:PausedSyncS ro:Primary/Secondary", timeout=30)
    time.sleep(1)                   # requests already sent drain
    left = oos(bravo)
    assert left > 0
    time.sleep(3)
    assert oos(bravo) == left, "resync went on while paused"
    res = bravo.run("tandemsetup pause-sync 0 0")
    assert res.rc != 0 and "already" in res.out, res

    # Paused on both sides: resuming one side is not enough.
    alpha.check("tandemsetup pause-sync 0 1")
    bravo.check("tandemsetup resume-sync 0 0")
    time.sleep(3)
    assert "PausedSync" in tc.minor_block(tc.proc(bravo))
    assert oos(bravo) == left
    alpha.check("tandemsetup resume-sync 0 1")
    tc.wait_proc(bravo, r"cs:SyncTarget", timeout=30)
    res = alpha.run("tandemsetup resume-sync 0 1")
    assert res.rc != 0 and "not paused" in res.out, res
    for g in nodes:
        g.check("tandemsetup resync-rate 0 100M")
    in_sync(nodes)
    same_data(nodes)


def test_invalidate_and_invalidate_remote(nodes):
    alpha, bravo = nodes
    res = alpha.run("tandemsetup invalidate 0")
    assert res.rc != 0 and "Primary" in res.out, res

    for g in nodes:
        mark(g)
    before = tc.counters(tc.minor_block(tc.proc(bravo)))["nr"]
    bravo.check("tandemsetup invalidate 0")
    tc.wait_proc(bravo, r"cs:SyncTarget|ds:Inconsistent", timeout=30)
    in_sync(nodes)
    assert "invalidate: full sync as target" in since_mark(bravo)
    assert "the peer invalidated its disk" in since_mark(alpha)
    got = tc.counters(tc.minor_block(tc.proc(bravo)))["nr"] - before
    assert got >= 60 * 1024, got        # the whole disk came over
    same_data(nodes)

    for g in nodes:
        mark(g)
    alpha.check("tandemsetup invalidate-remote 0")
    in_sync(nodes)
    assert "invalidate-remote: full sync as source" in since_mark(alpha)
    assert "the peer invalidated our disk" in since_mark(bravo)
    same_data(nodes)


def test_resync_after_orders_the_resyncs(nodes):
    alpha, bravo = nodes
    for g in nodes:
        g.check("tandemsetup resync-rate 0 4M")
        g.check("tandemsetup resync-rate 1 100M")
        g.check("tandemsetup disk-options 1 --resync-after=0")
        mark(g)
    res = bravo.run("tandemsetup disk-options 0 --resync-after=1")
    assert res.rc != 0 and "wait for itself" in res.out, res
    split_and_write(alpha, bravo, "r0", 0, 16)
    split_and_write(alpha, bravo, "r1", 1, 16)
    for g in nodes:
        reconnect(g, "r0", tc.PORT)
    tc.wait_proc(bravo, r"cs:SyncTarget", timeout=60, minor=0)
    for g in nodes:
        reconnect(g, "r1", tc.PORT + 1)
    # r1 would take a fraction of a second; it waits for r0 instead.
    tc.wait_proc(bravo, r"cs:PausedSyncT", timeout=30, minor=1)
    assert oos(bravo, 1) == 16 * 1024
    in_sync(nodes, minor=0)
    in_sync(nodes, minor=1)
    log = since_mark(bravo)
    assert "resync waits (resync-after minor 0)" in log, log
    assert "resync goes on (resync-after minor 0)" in log, log
    # r1's resync ended after r0's.
    done = [m.group(1) for m in re.finditer(
        r"r(\d)/0 peer 0: resync done", log)]
    assert done == ["0", "1"], done
    for g in nodes:
        g.check("tandemsetup disk-options 1 --resync-after=-1")
        g.check("tandemsetup resync-rate 0 100M")
    same_data(nodes, "/dev/vdb")


def test_c_min_rate_throttles_resync_under_application_io(nodes):
    alpha, bravo = nodes
    for g in nodes:
        g.check("tandemsetup resync-rate 0 20M")
        g.check("tandemsetup disk-options 0 --c-min-rate=512K")
    split_and_write(alpha, bravo, "r0", 0, 32)
    # Application writes keep coming (to the last MiB) during the resync,
    # until the measurement is over (a slow reconnect must not outlast the
    # writer); 90 s bounds it in any case.
    alpha.check("touch /run/cmin.run; (timeout 90 sh -c 'while [ -e "
                "/run/cmin.run ]; do dd if=/dev/zero "
                "of=/dev/tandem0 bs=4k count=16 seek=15000 oflag=direct "
                "status=none; done') >/dev/null 2>&1 </dev/null &")
    try:
        for g in nodes:
            reconnect(g, "r0", tc.PORT)
        tc.wait_proc(bravo, r"cs:SyncTarget", timeout=60)
        time.sleep(2)
        start = oos(bravo)
        time.sleep(6)
        done_kib = start - oos(bravo)
        # 20M unthrottled would finish all 32 MiB in under 2 s; throttled to
        # 512 KiB/s it moves about 3 MiB in 6 s.
        assert done_kib <= 6 * 512 * 1.5, done_kib
        assert oos(bravo) > 0
        alpha.check("rm -f /run/cmin.run")
        in_sync(nodes, timeout=120)
    finally:
        # a failed check must not leave the writer or the rate behind
        alpha.check("rm -f /run/cmin.run")
        for g in nodes:
            g.check("tandemsetup disk-options 0 --c-min-rate=250K")
    same_data(nodes)


def test_dynamic_controller_respects_c_max_rate(nodes):
    alpha, bravo = nodes
    for g in nodes:
        g.check("tandemsetup disk-options 0 --c-plan-ahead=20 "
                "--c-fill-target=2M --c-max-rate=4M")
        mark(g)
    split_and_write(alpha, bravo, "r0", 0, 24)
    for g in nodes:
        reconnect(g, "r0", tc.PORT)
    in_sync(nodes)
    m = re.search(r"resync done: (\d+) KiB in ([\d.]+) s", since_mark(bravo))
    assert m
    rate = int(m.group(1)) / float(m.group(2))
    assert int(m.group(1)) >= 24 * 1024
    assert 0.5 * 4096 <= rate <= 1.1 * 4096, rate
    same_data(nodes)
