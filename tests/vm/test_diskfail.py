# SPDX-License-Identifier: GPL-2.0
"""Disk failures (on-io-error): the backing disk of each node is a
device-mapper device whose table the test swaps to `error` and back.

A failing Secondary disk detaches, the Primary loses no write and keeps
the blocks for a bitmap resync; a failing Primary disk detaches and the
Primary goes on through its peer (reads and writes) and gets its disk
back while Primary (sync target, reads of unsynced blocks from the
peer); a detach in the
middle of a resync, paused or running, never leaves a diskless node
UpToDate and the resync goes on from the bitmap after attach; the
call-local-io-error handler runs; pass_on hands the error up and repairs
the block; intermittent errors (dm-flakey) and errors of the metadata
area alone detach without losing a write; a disk that stops completing
I/O fails after disk-timeout. One pair for the module; tests run in order (TCP: the disk
path does not depend on the transport)."""
import re
import time

import pytest

import tandemctl as tc
import tandemvm

DISKS = [("data", 64)]
# Each test starts from the state the one before left: after a failure
# the rest fail at once (conftest.py).
STOP_AFTER_FAILURE = True
DM = tc.DM_DISK
FAST = "--ping-int=1 --ping-timeout=5"
RATE = "--resync-rate=100M --c-plan-ahead=0"


@pytest.fixture(scope="module")
def nodes(kernel, tmp_path_factory, root):
    guests = tc.boot_installed_pair(
        kernel, str(tmp_path_factory.mktemp("diskfail")), root, DISKS, "tcp")
    for g in guests:
        tc.dm_disk(g)
    yield guests
    tc.finish_pair(guests)


def fail_disk(g):
    """Every I/O of the backing device fails from now on."""
    g.check("dmsetup load tdisk --table \"0 $(blockdev --getsz /dev/vda) "
            "error\" && dmsetup resume tdisk", timeout=30)


def heal_disk(g):
    g.check("dmsetup load tdisk --table \"0 $(blockdev --getsz /dev/vda) "
            "linear /dev/vda 0\" && dmsetup resume tdisk", timeout=30)


BLKLOG = "/usr/bin/python3 %s/tests/vm/guest/blklog.py" % tandemvm.ROOT


def write_blocks(g, first, count, log):
    """O_SYNC 4 KiB writes of random data to blocks first.. of
    /dev/tandem0, each logged with its sha256; returns the number of
    writes that failed."""
    out = g.check("%s write /dev/tandem0 %d %d %s" % (BLKLOG, first, count,
                                                       log), timeout=300)
    return int(re.search(r"fails=(\d+)", out).group(1))


def check_logged_blocks(g, log):
    """Every logged block reads back (O_DIRECT) as it was written last."""
    out = g.check("%s check /dev/tandem0 %s" % (BLKLOG, log), timeout=300)
    n, bad = map(int, re.search(r"n=(\d+) bad=(\d+)", out).groups())
    assert n > 0 and bad == 0, out


def wait_resync_done(alpha, bravo):
    tc.wait_proc(alpha, r"cs:Connected ro:\w+/\w+ ds:UpToDate/UpToDate",
                 timeout=120)
    return tc.wait_proc(bravo, r"cs:Connected ro:\w+/\w+ "
                               r"ds:UpToDate/UpToDate", timeout=60)


def last_resync_kib(g):
    found = re.findall(r"resync started as target, (\d+) KiB to go",
                       g.check("dmesg"))
    assert found, "no resync as target in the log"
    return int(found[-1])


def test_secondary_disk_fails(nodes):
    alpha, bravo = nodes
    for g in nodes:
        tc.up(g, disk=DM, net=FAST, disk_opts=RATE)
    tc.wait_proc(alpha, r"cs:Connected")
    alpha.check("tandemsetup primary r0 --force")
    wait_resync_done(alpha, bravo)
    assert write_blocks(alpha, 0, 16, "/run/log1") == 0

    fail_disk(bravo)
    # Protocol C writes during and after the failure: none fails. The
    # first one meets the failure; the Primary knows within ping-timeout
    # (0.5 s) + 1 s, plus what reading /proc takes.
    assert write_blocks(alpha, 100, 1, "/run/log1") == 0
    block = tc.wait_proc(alpha, r"ds:UpToDate/(Diskless|Failed)", timeout=3)
    assert write_blocks(alpha, 101, 63, "/run/log1") == 0
    tc.wait_proc(bravo, r"ro:Secondary/Primary ds:Diskless/UpToDate")
    assert "disk( UpToDate -> Failed )" in bravo.check("dmesg")
    # 64 blocks written since the failure: all marked for the peer.
    oos = tc.counters(tc.wait_proc(alpha, r"ds:UpToDate/Diskless"))["oos"]
    assert oos == 64 * 4, block

    # A node without a disk does not become Primary on its own.
    bravo.check("tandemsetup disconnect r0 0", timeout=60)
    res = bravo.run("tandemsetup primary r0")
    assert res.rc != 0 and "no usable local disk" in res.out, res
    bravo.check("tandemsetup connect r0 0 192.0.2.2:7789 192.0.2.1:7789 "
                "--connect-int=1 " + FAST)
    tc.wait_proc(bravo, r"cs:Connected ro:Secondary/Primary ds:Diskless")

    heal_disk(bravo)
    bravo.check("tandemsetup attach 0 %s internal internal %s" % (DM, RATE))
    wait_resync_done(alpha, bravo)
    # A bitmap resync of what changed, not a full one.
    assert last_resync_kib(bravo) <= 1.05 * oos, last_resync_kib(bravo)
    check_logged_blocks(alpha, "/run/log1")
    tc.check_data_areas_identical(alpha, bravo, disk=DM)


def test_primary_disk_fails_and_primary_goes_on_diskless(nodes):
    alpha, bravo = nodes
    fail_disk(alpha)
    assert write_blocks(alpha, 400, 64, "/run/log2") == 0
    tc.wait_proc(alpha, r"ro:Primary/Secondary ds:Diskless/UpToDate")
    tc.wait_proc(bravo, r"ro:Secondary/Primary ds:UpToDate/Diskless")
    # Every block written, before and after, reads back from bravo.
    check_logged_blocks(alpha, "/run/log1")
    check_logged_blocks(alpha, "/run/log2")
    log = alpha.check("dmesg")
    assert "disk( UpToDate -> Failed )" in log
    assert "detached after an I/O error" in log

    # Bring the disk back while Primary: a bitmap resync from bravo, during
    # which reads of blocks not synced yet come from bravo, and writes go
    # to both.
    heal_disk(alpha)
    alpha.check("tandemsetup attach 0 %s internal internal "
                "--resync-rate=1M --c-plan-ahead=0" % DM)
    tc.wait_proc(alpha, r"cs:SyncTarget ro:Primary/Secondary "
                        r"ds:Inconsistent/UpToDate", timeout=30)
    check_logged_blocks(alpha, "/run/log2")
    assert write_blocks(alpha, 500, 16, "/run/log2") == 0
    alpha.check("tandemsetup resync-rate 0 100M")
    wait_resync_done(bravo, alpha)
    kib = last_resync_kib(alpha)
    assert 64 * 4 <= kib < 32 * 1024, kib     # the changes, not the disk
    tc.check_data_areas_identical(alpha, bravo, disk=DM)
    check_logged_blocks(alpha, "/run/log1")
    check_logged_blocks(alpha, "/run/log2")


@pytest.mark.parametrize("paused", [False, True], ids=["running", "paused"])
def test_detach_sync_target_mid_resync(nodes, paused):
    alpha, bravo = nodes
    bravo.check("tandemsetup resync-rate 0 2M")
    bravo.check("tandemsetup invalidate 0")
    tc.wait_proc(bravo, r"cs:SyncTarget", timeout=30)
    first = last_resync_kib(bravo)
    time.sleep(3)
    if paused:
        bravo.check("tandemsetup pause-sync 0 0")
        tc.wait_proc(bravo, r"cs:PausedSyncT")
    bravo.check("tandemsetup detach 0", timeout=60)
    block = tc.wait_proc(bravo, r"ds:Diskless/UpToDate")
    assert "UpToDate/" not in block, block
    tc.wait_proc(alpha, r"cs:Connected ro:Primary/Secondary "
                        r"ds:UpToDate/Diskless")
    if paused:
        bravo.check("tandemsetup resume-sync 0 0")
    time.sleep(1)
    assert "ds:Diskless" in tc.proc(bravo)
    bravo.check("tandemsetup attach 0 %s internal internal --resync-rate=100M"
                % DM)
    wait_resync_done(alpha, bravo)
    # It went on from the bitmap: not the whole disk again.
    assert last_resync_kib(bravo) < first - 2048, (first,
                                                   last_resync_kib(bravo))
    tc.check_data_areas_identical(alpha, bravo, disk=DM)


def test_call_local_io_error_handler(nodes, root):
    """On the Primary: the handler runs once, with resource, minor and
    volume in its environment, then the disk detaches; no write fails."""
    alpha, bravo = nodes
    alpha.check("printf '#!/bin/sh\\nenv | grep ^TANDEM_ >> /run/handler.log"
                "\\necho \"$@\" >> /run/handler.log\\n' > /run/helper && "
                "chmod +x /run/helper && "
                "echo /run/helper > /sys/module/tandem/parameters/"
                "usermode_helper")
    alpha.check("tandemsetup disk-options 0 --on-io-error=call-local-io-error")
    fail_disk(alpha)
    assert write_blocks(alpha, 700, 20, "/run/log3") == 0
    tc.wait_proc(alpha, r"ds:Diskless/UpToDate")
    log = alpha.check("cat /run/handler.log")
    assert log.count("local-io-error r0") == 1, log
    assert "TANDEM_RESOURCE=r0" in log and "TANDEM_MINOR=0" in log, log
    assert "TANDEM_VOLUME=0" in log, log
    alpha.check("echo /sbin/tandemadm > /sys/module/tandem/parameters/"
                "usermode_helper")
    heal_disk(alpha)
    alpha.check("tandemsetup attach 0 %s internal internal %s "
                "--on-io-error=detach" % (DM, RATE))
    wait_resync_done(alpha, bravo)
    check_logged_blocks(alpha, "/run/log3")
    tc.check_data_areas_identical(alpha, bravo, disk=DM)


def test_detach_primary_with_requests_in_flight(nodes):
    """An administrator's detach of a Primary that writes: no write
    fails, it goes on through bravo, and attach resyncs what changed."""
    alpha, bravo = nodes
    alpha.check("rm -f /run/log4 /run/writer4.done; (%s write /dev/tandem0 "
                "900 2000 /run/log4 >/run/w4.out 2>&1; mv /run/w4.out "
                "/run/writer4.done) </dev/null >/dev/null 2>&1 &" % BLKLOG)
    alpha.check("for i in $(seq 100); do test -s /run/log4 && exit 0; "
                "sleep 0.1; done; exit 1", timeout=30)
    alpha.check("tandemsetup detach 0", timeout=60)
    tc.wait_proc(alpha, r"ro:Primary/Secondary ds:Diskless/UpToDate")
    alpha.check("for i in $(seq 600); do test -e /run/writer4.done && "
                "exit 0; sleep 0.5; done; exit 1", timeout=330)
    assert alpha.check("cat /run/writer4.done").strip() == "fails=0"
    check_logged_blocks(alpha, "/run/log4")
    alpha.check("tandemsetup attach 0 %s internal internal %s" % (DM, RATE))
    wait_resync_done(alpha, bravo)
    check_logged_blocks(alpha, "/run/log4")
    tc.check_data_areas_identical(alpha, bravo, disk=DM)


def test_detach_during_verify(nodes):
    """A detach of the verify target stops the verify on both nodes."""
    alpha, bravo = nodes
    alpha.check("tandemsetup net-options r0 1 --verify-alg=sha1")
    for g in nodes:
        g.check("tandemsetup resync-rate 0 2M")
    alpha.check("tandemsetup verify 0 1")
    tc.wait_proc(alpha, r"cs:VerifyS", timeout=30)
    tc.wait_proc(bravo, r"cs:VerifyT", timeout=30)
    bravo.check("tandemsetup detach 0", timeout=60)
    tc.wait_proc(bravo, r"cs:Connected ro:Secondary/Primary "
                        r"ds:Diskless/UpToDate")
    tc.wait_proc(alpha, r"cs:Connected ro:Primary/Secondary "
                        r"ds:UpToDate/Diskless")
    bravo.check("tandemsetup attach 0 %s internal internal %s" % (DM, RATE))
    alpha.check("tandemsetup resync-rate 0 100M")
    wait_resync_done(alpha, bravo)
    tc.check_data_areas_identical(alpha, bravo, disk=DM)


BAD = 2048    # the 4 KiB block that a partly failing table refuses


def detaches(g):
    return g.check("dmesg").count("detached after an I/O error")


@pytest.mark.parametrize("who", ["primary", "secondary"])
def test_pass_on(nodes, who):
    alpha, bravo = nodes
    g = alpha if who == "primary" else bravo
    g.check("tandemsetup disk-options 0 --on-io-error=pass_on")
    before = detaches(g)
    fail_block(g)
    log = "/run/log-pass-" + who
    fails = write_blocks(alpha, BAD - 8, 16, log)
    # Exactly the failed write returns EIO, on a Primary; a Secondary's
    # error stays with the Primary, whose own copy is good.
    assert fails == (1 if who == "primary" else 0), fails
    # The disk is no longer UpToDate: it pulls the block from the peer,
    # and asks again while the disk refuses it; nothing detaches.
    tc.wait_proc(g, r"cs:SyncTarget ro:\w+/\w+ ds:Inconsistent/UpToDate",
                 timeout=30)
    check_logged_blocks(alpha, log)
    heal_disk(g)
    wait_resync_done(alpha, bravo)
    assert detaches(g) == before, "pass_on detached the disk"
    tc.check_data_areas_identical(alpha, bravo, disk=DM)
    check_logged_blocks(alpha, log)
    g.check("tandemsetup disk-options 0 --on-io-error=detach")


@pytest.mark.parametrize("who", ["primary", "secondary"])
def test_intermittent_errors(nodes, who):
    """dm-flakey under one node: 4 s good, 1 s failing, for 60 s of fio
    write + verify runs on the Primary."""
    alpha, bravo = nodes
    g = alpha if who == "primary" else bravo
    g.check("modprobe dm-flakey && dmsetup load tdisk --table \"0 "
            "$(blockdev --getsz /dev/vda) flakey /dev/vda 0 4 1\" && "
            "dmsetup resume tdisk", timeout=30)
    out = alpha.check(
        "end=$((SECONDS + 60)); n=0; while [ $SECONDS -lt $end ]; do "
        "fio --name=f --filename=/dev/tandem0 --direct=1 --ioengine=psync "
        "--rw=randwrite --bs=4k --size=1M --offset=$(( (n % 24) << 20 )) "
        "--verify=crc32c --do_verify=1 --verify_fatal=1 "
        "--output=/run/fio.out || { cat /run/fio.out; echo FIO-FAILED; "
        "exit 1; }; n=$((n + 1)); done; echo runs=$n", timeout=400)
    assert int(re.search(r"runs=(\d+)", out).group(1)) >= 2, out
    # detach: the first failing second took the disk away for good.
    tc.wait_proc(g, r"ds:Diskless/UpToDate")
    heal_disk(g)
    g.check("tandemsetup attach 0 %s internal internal %s" % (DM, RATE))
    wait_resync_done(alpha, bravo)
    tc.check_data_areas_identical(alpha, bravo, disk=DM)


def fail_range(g, start, count):
    """Only sectors [start, start + count) of the backing device fail."""
    n = int(g.check("blockdev --getsz /dev/vda"))
    rows = ["%d %d error" % (start, count)]
    if start:
        rows.insert(0, "0 %d linear /dev/vda 0" % start)
    if start + count < n:
        rows.append("%d %d linear /dev/vda %d" % (
            start + count, n - start - count, start + count))
    g.check("printf '%s\\n' | dmsetup load tdisk && dmsetup resume tdisk"
            % "\\n".join(rows), timeout=30)


def fail_block(g):
    """Only block BAD of the backing device fails from now on."""
    fail_range(g, BAD * 8, 8)


def md_area(g):
    """(data sectors, AL ring start, superblock start) of internal
    metadata on the guest's backing device (docs/METADATA.md §3)."""
    end = int(g.check("blockdev --getsz /dev/vda")) // 8 * 8
    data = int(g.check("blockdev --getsz /dev/tandem0"))
    return data, end - 8 - 64, end - 8


@pytest.mark.parametrize("area", ["al", "bitmap", "superblock"])
def test_metadata_errors(nodes, area):
    """Only a part of the metadata area fails, under a write load: the
    disk detaches, no write fails, and after heal + attach every block
    written meanwhile is on both disks."""
    alpha, bravo = nodes
    data, al, sb = md_area(alpha)
    log = "/run/log-md-" + area
    if area == "al":
        # A write to an extent not in the activity log needs a transaction.
        g = alpha
        fail_range(g, al, 64)
        fails = write_blocks(alpha, 12 * 1024 + 7, 4, log)
        fails += write_blocks(alpha, 14 * 1024 + 7, 4, log)
    else:
        # bravo's bitmap is written every few seconds of a resync it pulls,
        # its superblock when that resync starts.
        g = bravo
        bravo.check("tandemsetup resync-rate 0 2M")
        if area == "bitmap":
            fail_range(g, data, al - data)
            bravo.check("tandemsetup invalidate 0")
        else:
            # The superblock write that invalidate needs fails: refused.
            fail_range(g, sb, 8)
            res = bravo.run("tandemsetup invalidate 0")
            assert res.rc != 0 and "writing the metadata failed" in res.out, \
                res
        fails = write_blocks(alpha, 13 * 1024, 24, log)
    assert fails == 0, fails
    tc.wait_proc(g, r"ds:Diskless/UpToDate", timeout=60)
    assert "local metadata write error" in g.check("dmesg")
    heal_disk(g)
    g.check("tandemsetup attach 0 %s internal internal %s" % (DM, RATE))
    wait_resync_done(alpha, bravo)
    check_logged_blocks(alpha, log)
    tc.check_data_areas_identical(alpha, bravo, disk=DM)


def test_disk_timeout(nodes):
    """A Primary's disk that stops completing I/O (dm suspended) is Failed
    after disk-timeout: new I/O goes to the peer while the stuck write
    waits for the disk; when the disk returns it, the disk is detached."""
    alpha, bravo = nodes
    alpha.check("tandemsetup disk-options 0 --disk-timeout=20")   # 2 s
    alpha.check("dmsetup suspend --noflush tdisk")
    alpha.check("dd if=/dev/urandom of=/run/stuck bs=4k count=1 status=none; "
                "(dd if=/run/stuck of=/dev/tandem0 bs=4k seek=3000 count=1 "
                "oflag=direct conv=notrunc status=none; echo rc=$? "
                ">/run/stuck.rc) >/dev/null 2>&1 </dev/null &")
    tc.wait_proc(alpha, r"ds:Failed/UpToDate", timeout=10)
    assert "I/O timeout (disk-timeout)" in alpha.check("dmesg")
    assert alpha.run("test -e /run/stuck.rc").rc != 0   # still held
    # Meanwhile new writes and reads are served through bravo.
    assert write_blocks(alpha, 3100, 8, "/run/log-timeout") == 0
    check_logged_blocks(alpha, "/run/log-timeout")
    alpha.check("dmesg | grep -c 'Failed -> Diskless' >/run/before || true")
    alpha.check("dmsetup resume tdisk")
    alpha.check("for i in $(seq 100); do test -e /run/stuck.rc && break; "
                "sleep 0.2; done; cat /run/stuck.rc | grep -qx rc=0",
                timeout=60)
    tc.wait_proc(alpha, r"ds:Diskless/UpToDate", timeout=30)
    alpha.check("tandemsetup attach 0 %s internal internal %s "
                "--disk-timeout=0" % (DM, RATE))
    wait_resync_done(alpha, bravo)
    tc.check_data_areas_identical(alpha, bravo, disk=DM)
    assert alpha.check("dd if=/dev/tandem0 bs=4k skip=3000 count=1 "
                       "iflag=direct status=none | sha256sum") == \
        alpha.check("sha256sum < /run/stuck")


def test_down_clean(nodes):
    for g in nodes:
        tc.down(g)
        tc.unload(g)
