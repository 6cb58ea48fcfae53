# SPDX-License-Identifier: GPL-2.0
"""Races between the network, the resync and the application: each case
recreates the sequence of a defect found by review and asserts what must
hold instead.

  - a link cut while the sync source's receiver waits for an application
    write that overlaps a resync request: the connection is torn down,
    the write completes, `disconnect` returns, nothing hangs;
  - `primary` on both nodes at once, one of them still writing its
    metadata: at most one becomes Primary;
  - writes issued right after "Connected", before the nodes decided
    whether to resync (allow-two-primaries: no role request delays them):
    they reach the peer;
  - a peer with a smaller disk connecting to a Primary: refused, the
    Primary's device keeps its size;
  - a Secondary seeded with a copy of the Primary's disk, metadata and
    all: it takes the metadata over as its own and keeps writing it;
  - `del-minor` of a volume whose resource has a running connection:
    refused until the connections are stopped;
  - `net-options` in a loop while link cuts make the worker replace the
    transport: the options apply, nothing hangs or warns;
  - an impostor on the peer's address that asks for resync data and
    reads none of it: the memory held for it stays bounded;
  - an impostor that sends a Primary a write: refused, nothing written;
  - allow-two-primaries cannot go off while both nodes are Primary.

bravo's backing disk is a device-mapper device (linear, or `delay` to keep
protocol C writes in flight for seconds). One pair for the module; tests
run in order (TCP: the waits do not depend on the transport); each one
brings r0 up if an earlier one did not, so that each can run alone."""
import os
import re
import shutil
import time

import pytest

import tandemctl as tc

DISKS = [("data", 64), ("other", 48)]
DM = tc.DM_DISK
FAST = "--ping-int=1 --ping-timeout=5"


@pytest.fixture(scope="module")
def nodes(kernel, tmp_path_factory, root):
    guests = tc.boot_installed_pair(
        kernel, str(tmp_path_factory.mktemp("races")), root, DISKS, "tcp")
    for g in guests:
        tc.dm_disk(g, "dm-mod dm-delay")
    yield guests
    tc.finish_pair(guests)


def set_write_delay(g, ms):
    """Writes to the backing device take @ms (0: a plain linear map)."""
    if ms:
        table = ("0 $(blockdev --getsz /dev/vda) delay /dev/vda 0 0 "
                 "/dev/vda 0 %d" % ms)
    else:
        table = "0 $(blockdev --getsz /dev/vda) linear /dev/vda 0"
    g.check("dmsetup load tdisk --table \"%s\" && dmsetup resume tdisk" %
            table, timeout=60)


def connect(g):
    peer = tc.peer_of(g.name)
    g.check("tandemsetup connect r0 %d %s:%d %s:%d --connect-int=1 %s %s" % (
        tc.NODE_IDS[peer], tc.IPS[g.name], tc.PORT, tc.IPS[peer], tc.PORT,
        tc.net_transport(g), FAST))


def disconnect(g, timeout=60):
    return g.run("tandemsetup disconnect r0 %d" %
                 tc.NODE_IDS[tc.peer_of(g.name)], timeout=timeout)


def r0_connected(nodes):
    """r0 up on both (once per pair: a full initial sync), Connected and
    UpToDate on both; the roles as the last test left them."""
    alpha, bravo = nodes
    missing = [g for g in nodes
               if not re.search(r"^\s*0: cs:", tc.proc(g), re.M)]
    if len(missing) == 1:       # an earlier case took one node down
        tc.up(missing[0], disk=DM, net=FAST, create=False,
              disk_opts="--resync-rate=100M --c-plan-ahead=0")
    elif missing:
        for g in nodes:
            tc.up(g, disk=DM, net=FAST,
                  disk_opts="--resync-rate=100M --c-plan-ahead=0")
        tc.wait_proc(alpha, r"cs:Connected")
        alpha.check("tandemsetup primary r0 --force")
        tc.wait_proc(bravo, r"cs:Connected ro:Secondary/Primary "
                            r"ds:UpToDate/UpToDate", timeout=180)
        alpha.check("tandemsetup secondary r0")
    tc.wait_proc(alpha, r"cs:Connected ro:\w+/\w+ ds:UpToDate/UpToDate")


def both_secondary(nodes):
    for g in nodes:
        g.check("tandemsetup secondary r0")
    tc.wait_proc(nodes[0], r"cs:Connected ro:Secondary/Secondary "
                           r"ds:UpToDate/UpToDate")


def dump_md(g):
    return g.check("tandemmeta dump-md %s internal" % DM)


def worker_stack(g):
    return g.run("for p in $(pgrep '^tandem_w_r0'); do cat /proc/$p/stack; "
                 "done").out


def test_link_cut_while_resync_waits_for_a_write(nodes):
    """The source's receiver waits for an application write before it
    reads a range the target asked for; the write waits for the target's
    ack. A cut link must end both waits (before the fix the write was
    settled only after the receiver's loop ended, so neither did)."""
    alpha, bravo = nodes
    r0_connected(nodes)
    both_secondary(nodes)
    alpha.check("tandemsetup primary r0")
    tc.wait_proc(bravo, r"cs:Connected ro:Secondary/Primary "
                        r"ds:UpToDate/UpToDate")

    # 8 MiB out of sync at the start of the disk, then slow writes on
    # bravo: every protocol C write there stays in flight for 1.5 s.
    for g in nodes:
        assert disconnect(g).rc == 0
    alpha.check("dd if=/dev/urandom of=/dev/tandem0 bs=1M count=8 "
                "oflag=direct status=none", timeout=120)
    set_write_delay(bravo, 1500)
    alpha.check("(timeout 120 fio --name=w --filename=/dev/tandem0 "
                "--direct=1 --ioengine=libaio --iodepth=32 --rw=randwrite "
                "--bs=4k --size=1M --time_based --runtime=25 "
                "--output=/run/fio.out; echo $? >/run/fio.rc) "
                ">/dev/null 2>&1 </dev/null & echo $! >/run/fio.pid")
    for g in nodes:
        connect(g)
    # Wait until the receiver sits in that wait, then cut the link.
    deadline = time.monotonic() + 90
    while "tandem_resync_serve" not in worker_stack(alpha):
        assert time.monotonic() < deadline, (
            "the resync never waited for a write:\n" + tc.proc(alpha))
        time.sleep(0.05)
    alpha.set_link(False)
    try:
        tc.wait_proc(alpha, r"cs:(NetworkFailure|Connecting|BrokenPipe|"
                            r"Timeout)", timeout=20)
        # the writes in flight complete (marked out of sync for bravo)
        alpha.check("timeout 60 sh -c 'while kill -0 $(cat /run/fio.pid) "
                    "2>/dev/null; do sleep 0.5; done'", timeout=90)
        assert alpha.check("cat /run/fio.rc").strip() == "0", alpha.check(
            "cat /run/fio.out")
        res = disconnect(alpha, timeout=40)
        assert res.rc == 0 and not res.timed_out, res
        assert "tandem_resync_serve" not in worker_stack(alpha)
    finally:
        alpha.set_link(True)
    assert disconnect(bravo).rc == 0
    set_write_delay(bravo, 0)
    alpha.check("dmesg -C")
    for g in nodes:
        connect(g)
    tc.wait_proc(alpha, r"cs:Connected ro:Primary/Secondary "
                        r"ds:UpToDate/UpToDate", timeout=300)
    # the interrupted resync goes on from the bitmap, not from scratch
    log = alpha.check("dmesg")
    assert "bitmap resync as source" in log and "full sync" not in log, log
    tc.wait_proc(bravo, r"cs:Connected ro:Secondary/Primary "
                        r"ds:UpToDate/UpToDate (.*\n)*.*oos:0\b", timeout=60)
    tc.check_data_areas_identical(alpha, bravo, disk=DM, min_mib=32)


def test_two_promotions_at_once_make_one_primary(nodes):
    """bravo asks first and gets alpha's yes, then spends 2.5 s writing
    its metadata; alpha asks meanwhile. Before the fix bravo, promoting
    with the higher node id, said yes too, and alpha had forgotten its
    own yes: two Primaries without allow-two-primaries."""
    alpha, bravo = nodes
    r0_connected(nodes)
    both_secondary(nodes)
    alpha.check("dmesg -C")
    set_write_delay(bravo, 2500)
    try:
        bravo.check("(tandemsetup primary r0 >/run/p.out 2>&1; "
                    "echo $? >/run/p.rc) </dev/null & ")
        # alpha said yes; bravo now writes its metadata for 2.5 s
        alpha.check("timeout 30 sh -c 'until dmesg | grep -q \"peer 1: "
                    "role request to become Primary granted\"; do "
                    "sleep 0.05; done'", timeout=60)
        res = alpha.run("tandemsetup primary r0")
        bravo.check("timeout 60 sh -c 'until test -s /run/p.rc; do "
                    "sleep 0.1; done'", timeout=90)
    finally:
        set_write_delay(bravo, 0)
    bravo_rc = int(bravo.check("cat /run/p.rc"))
    roles = [tc.minor_block(tc.proc(g)) for g in nodes]
    assert not (res.rc == 0 and bravo_rc == 0), (res, roles)
    for block in roles:
        assert "ro:Primary/Primary" not in block, roles
    assert bravo_rc == 0, bravo.check("cat /run/p.out")
    assert "allow-two-primaries is off" in res.out, res
    tc.wait_proc(alpha, r"ro:Secondary/Primary")
    bravo.check("tandemsetup secondary r0")


def test_writes_right_after_connect_reach_the_peer(nodes):
    """Both Secondary with equal generations reconnect; alpha promotes
    the moment it shows Connected (allow-two-primaries: no role request
    waits for the peer) and writes, while bravo's state is still on the
    way (300 ms of netem delay). Before the fix those writes were only
    marked out of sync, both nodes then found nothing to resync, and
    bravo never got them."""
    alpha, bravo = nodes
    r0_connected(nodes)
    both_secondary(nodes)
    for g in nodes:
        assert disconnect(g).rc == 0
    bravo.check("modprobe sch_netem && "
                "tc qdisc add dev eth0 root netem delay 300ms")
    try:
        for g in nodes:
            peer = tc.peer_of(g.name)
            g.check("tandemsetup connect r0 %d %s:%d %s:%d --connect-int=1 "
                    "%s %s --allow-two-primaries" % (
                        tc.NODE_IDS[peer], tc.IPS[g.name], tc.PORT,
                        tc.IPS[peer], tc.PORT, tc.net_transport(g), FAST))
        alpha.check("timeout 60 sh -c 'until grep -q cs:Connected "
                    "/proc/tandem; do sleep 0.01; done' && "
                    "tandemsetup primary r0 && "
                    "dd if=/dev/urandom of=/dev/tandem0 bs=64k count=4 "
                    "seek=100 oflag=direct status=none", timeout=90)
    finally:
        bravo.check("tc qdisc del dev eth0 root")
    block = tc.wait_proc(alpha, r"cs:Connected ro:Primary/Secondary "
                                r"ds:UpToDate/UpToDate", timeout=60)
    time.sleep(2)   # a resync, if one was decided, has started by now
    block = tc.wait_proc(alpha, r"cs:Connected ro:Primary/Secondary "
                                r"ds:UpToDate/UpToDate", timeout=60)
    assert tc.counters(block)["oos"] == 0, block
    sha = ("dd if=/dev/vda bs=64k skip=100 count=4 iflag=direct "
           "status=none | sha256sum")
    assert alpha.check(sha) == bravo.check(sha)
    alpha.check("tandemsetup secondary r0")
    for g in nodes:
        assert disconnect(g).rc == 0
        connect(g)      # (without allow-two-primaries again)
    tc.wait_proc(alpha, r"cs:Connected ro:Secondary/Secondary "
                        r"ds:UpToDate/UpToDate")


def test_smaller_peer_disk_does_not_shrink_a_primary(nodes):
    """alpha is Primary on 48 MiB; bravo brings a 24 MiB disk. Before the
    fix alpha's device shrank to 24 MiB as soon as bravo's sizes arrived
    (I/O beyond failing), until the connection was dropped."""
    alpha, bravo = nodes
    tc.create_md(alpha, "/dev/vdb")
    for cmd in ("tandemsetup new-resource r5 0", "tandemsetup new-minor r5 5 0",
                "tandemsetup attach 5 /dev/vdb internal internal",
                "tandemsetup primary r5 --force"):
        alpha.check(cmd)
    size = alpha.check("blockdev --getsize64 /dev/tandem5").strip()
    bravo.check("dmsetup create --noudevsync small --table "
                "\"0 49152 linear /dev/vdb 0\" && dmsetup mknodes")
    tc.create_md(bravo, "/dev/mapper/small")
    for cmd in ("tandemsetup new-resource r5 1", "tandemsetup new-minor r5 5 0",
                "tandemsetup attach 5 /dev/mapper/small internal internal"):
        bravo.check(cmd)
    for g in nodes:
        peer = tc.peer_of(g.name)
        g.check("tandemsetup connect r5 %d %s:7795 %s:7795 --connect-int=1 "
                "%s %s" % (tc.NODE_IDS[peer], tc.IPS[g.name], tc.IPS[peer],
                           tc.net_transport(g), FAST))
    tc.wait_proc(alpha, r"cs:StandAlone", minor=5, timeout=60)
    log = alpha.check("dmesg")
    assert "smaller than our device in use" in log, log[-2000:]
    assert "minor 5: size 24" not in log, log[-2000:]
    assert alpha.check("blockdev --getsize64 /dev/tandem5").strip() == size
    # the last block of the device still takes writes
    alpha.check("dd if=/dev/urandom of=/dev/tandem5 bs=4k count=1 "
                "seek=$(( %s / 4096 - 1 )) oflag=direct status=none" % size)
    for g in nodes:
        tc.down(g, "r5")
    bravo.check("dmsetup remove small")


def test_a_seeded_copy_of_the_peers_disk_keeps_its_metadata(nodes):
    """bravo's disk becomes a copy of alpha's, metadata included (seeding
    a Secondary from an image of the Primary). Before the fix the attach
    renamed the superblock's node to 1 and kept alpha's slot for node 1:
    the metadata no longer passed its own check, and every later write
    of it was refused while the attach had reported success."""
    alpha, bravo = nodes
    r0_connected(nodes)
    both_secondary(nodes)
    for g in nodes:
        tc.down(g)
    alpha.check("dd if=%s of=/xchg/seed.img bs=1M iflag=direct status=none"
                % DM, timeout=180)
    shutil.move(os.path.join(alpha.xchg, "seed.img"),
                os.path.join(bravo.xchg, "seed.img"))
    bravo.check("dd if=/xchg/seed.img of=%s bs=1M oflag=direct status=none "
                "&& rm /xchg/seed.img" % DM, timeout=180)
    seed = dump_md(bravo)
    assert re.search(r"^node_id: 0$", seed, re.M), seed
    assert re.search(r"^peer\[\d+\]: node_id 1,", seed, re.M), seed
    bravo.check("dmesg -C")
    for g in nodes:
        tc.up(g, disk=DM, net=FAST, create=False)
    tc.wait_proc(bravo, r"cs:Connected ro:Secondary/Secondary "
                        r"ds:UpToDate/UpToDate (.*\n)*.*oos:0\b")
    # a promotion and writes update the metadata: it must reach bravo's disk
    bravo.check("tandemsetup primary r0")
    bravo.check("dd if=/dev/urandom of=/dev/tandem0 bs=4k count=16 seek=50 "
                "oflag=direct status=none")
    bravo.check("tandemsetup secondary r0")
    log = bravo.check("dmesg")
    assert "metadata was created for node 0, now node 1" in log, log
    assert "refusing to write" not in log, log
    tc.wait_proc(alpha, r"cs:Connected ro:Secondary/Secondary "
                        r"ds:UpToDate/UpToDate (.*\n)*.*oos:0\b")
    tc.check_data_areas_identical(alpha, bravo, disk=DM, min_mib=32)
    tc.down(bravo)
    md = dump_md(bravo)
    assert re.search(r"^node_id: 1$", md, re.M), md
    assert re.search(r"^peer\[\d+\]: node_id 0,", md, re.M), md
    assert not re.search(r"^peer\[\d+\]: node_id 1,", md, re.M), md


def test_del_minor_waits_for_the_connections_to_stop(nodes):
    """A diskless volume of a connected resource. Before the fix
    `del-minor` freed it and its peer devices while the receiver, acker
    and send work of the running connection could still be using them;
    now it is refused until no connection of the resource runs."""
    alpha, bravo = nodes
    r0_connected(nodes)
    both_secondary(nodes)
    for g in nodes:
        g.check("tandemsetup new-minor r0 1 1")
    res = alpha.run("tandemsetup del-minor 1")
    assert res.rc != 0, res
    assert "peer 1 is connected or connecting: disconnect it first" in \
        res.out, res
    assert alpha.run("test -b /dev/tandem1").rc == 0
    # a connection that is only trying to connect runs too
    assert disconnect(bravo).rc == 0
    tc.wait_proc(alpha, r"cs:(Connecting|Unconnected|NetworkFailure|"
                        r"BrokenPipe|Timeout)", timeout=30)
    assert alpha.run("tandemsetup del-minor 1").rc != 0
    assert disconnect(alpha).rc == 0
    for g in nodes:
        g.check("tandemsetup del-minor 1")
        assert g.run("test -b /dev/tandem1").rc != 0
        connect(g)
    tc.wait_proc(alpha, r"cs:Connected ro:Secondary/Secondary "
                        r"ds:UpToDate/UpToDate")


def test_net_options_while_the_link_flaps(nodes):
    """net-options reach the transport of a connection whose worker is
    replacing that transport after each lost link. Before the fix the
    transport could be freed under net_conf_change() (a use-after-free
    that only a KASAN kernel reports; on this kernel the case checks
    that the options apply, nothing hangs and no warning is printed)."""
    alpha, bravo = nodes
    r0_connected(nodes)
    both_secondary(nodes)
    peer = tc.NODE_IDS["bravo"]
    alpha.check("dmesg -C")
    alpha.check("rm -f /run/nopts.*; (for i in $(seq 150); do "
                "tandemsetup net-options r0 %d --ping-timeout=$(( 5 + i %% 2 )) >/dev/null 2>&1 || "
                "echo $i >>/run/nopts.err; done; echo done >/run/nopts.end) "
                "</dev/null >/dev/null 2>&1 &" % peer)
    deadline = time.monotonic() + 120
    cuts = 0
    while alpha.run("test -e /run/nopts.end").rc != 0:
        assert time.monotonic() < deadline, "net-options loop hangs"
        alpha.set_link(False)       # past ping-timeout: the link is lost
        time.sleep(1.5)
        alpha.set_link(True)
        time.sleep(1.5)
        cuts += 1
    assert cuts >= 2, cuts
    # the cuts did cost the connection: the worker replaced the transport
    lost = re.findall(r"r0 peer %d: (PingAck did not arrive|connection "
                      r"lost|control stream broke)" % peer,
                      alpha.check("dmesg"))
    assert lost, alpha.check("dmesg | tail -40")
    assert alpha.run("test -e /run/nopts.err").rc != 0, \
        alpha.check("cat /run/nopts.err")
    tc.wait_proc(alpha, r"cs:Connected ro:Secondary/Secondary "
                        r"ds:UpToDate/UpToDate", timeout=120)
    # the options still reach the connection and its transport
    alpha.check("tandemsetup net-options r0 %d --ping-timeout=7" % peer)
    assert re.search(r"^\s*ping-timeout 7;", alpha.check(
        "tandemsetup show r0"), re.M)
    alpha.check("tandemsetup net-options r0 %d --ping-timeout=5" % peer)


ROGUE = "/usr/bin/python3 %s/tests/vm/guest/rogue.py" % tc.tandemvm.ROOT


def mem_free_kib(g):
    return int(re.search(r"^MemFree:\s+(\d+)", g.check("cat /proc/meminfo"),
                         re.M).group(1))


def test_a_peer_that_reads_slowly_cannot_exhaust_our_memory(nodes):
    """An impostor on bravo's address (tests/vm/guest/rogue.py) completes
    the handshake, asks alpha for 48 distinct ranges of 1 MiB and then
    reads nothing. Before the fix alpha read every range and held its
    pages until sent (any number of them: only the disk's size bounded
    it here); now it holds at most max-buffers pages (32: one request)."""
    alpha, bravo = nodes
    r0_connected(nodes)
    both_secondary(nodes)
    peer = tc.NODE_IDS["bravo"]
    alpha.check("tandemsetup net-options r0 %d --max-buffers=32" % peer)
    assert disconnect(bravo).rc == 0
    tc.wait_proc(alpha, r"cs:(Connecting|Unconnected|NetworkFailure|"
                        r"BrokenPipe|Timeout)", timeout=30)
    free0 = mem_free_kib(alpha)
    bravo.check("rm -f /run/rogue.*; (%s --listen %s:%d --mode slow-reader "
                "--requests 48 --hold 8 --timeout 60 >/run/rogue.out 2>&1; "
                "echo $? >/run/rogue.rc) </dev/null >/dev/null 2>&1 &"
                % (ROGUE, tc.IPS["bravo"], tc.PORT))
    low = free0
    deadline = time.monotonic() + 90
    while bravo.run("test -s /run/rogue.rc").rc != 0:
        assert time.monotonic() < deadline, bravo.check("cat /run/rogue.out")
        low = min(low, mem_free_kib(alpha))
        time.sleep(0.3)
    out = bravo.check("cat /run/rogue.out")
    assert bravo.check("cat /run/rogue.rc").strip() == "0", out
    assert "sent 48 requests" in out and "held" in out, out
    held_mib = (free0 - low) / 1024.0
    assert held_mib < 24, "alpha's free memory fell by %.0f MiB" % held_mib
    # alpha drops the impostor and connects to the real bravo again
    alpha.check("tandemsetup net-options r0 %d --max-buffers=2048" % peer)
    connect(bravo)
    tc.wait_proc(alpha, r"cs:Connected ro:Secondary/Secondary "
                        r"ds:UpToDate/UpToDate", timeout=120)


def test_a_peer_write_to_a_primary_is_refused(nodes):
    """An impostor on bravo's address, claiming Secondary, sends alpha
    (Primary, no allow-two-primaries) a write. Before the fix alpha
    wrote it to its disk under its own application; now the packet is
    refused, named in the log, and the block is unchanged."""
    alpha, bravo = nodes
    r0_connected(nodes)
    both_secondary(nodes)
    alpha.check("tandemsetup primary r0")
    assert disconnect(bravo).rc == 0
    tc.wait_proc(alpha, r"cs:(Connecting|Unconnected|NetworkFailure|"
                        r"BrokenPipe|Timeout)", timeout=30)
    block = ("dd if=/dev/tandem0 bs=4k skip=10240 count=1 iflag=direct "
             "status=none | sha256sum")
    before = alpha.check(block)
    alpha.check("dmesg -C")
    out = bravo.check("%s --listen %s:%d --mode write --first-sector 81920 "
                      "--size 4096 --hold 3 --timeout 60"
                      % (ROGUE, tc.IPS["bravo"], tc.PORT), timeout=90)
    assert "handshake done" in out and "sent a write" in out, out
    assert alpha.check(block) == before
    log = alpha.check("dmesg")
    assert "a write while we are Primary without allow-two-primaries" in \
        log, log[-2000:]
    # a peer that breaks the protocol is not retried
    tc.wait_proc(alpha, r"cs:StandAlone", timeout=30)
    alpha.check("tandemsetup secondary r0")
    connect(alpha)
    connect(bravo)
    tc.wait_proc(alpha, r"cs:Connected ro:Secondary/Secondary "
                        r"ds:UpToDate/UpToDate", timeout=120)


def test_allow_two_primaries_stays_while_both_are_primary(nodes):
    """Both nodes Primary with allow-two-primaries. Before the fix
    net-options on one node turned it off for both (the peer adopts
    TP_NET_OPTS) and left two Primaries without it; now that is refused
    until one node is demoted."""
    alpha, bravo = nodes
    r0_connected(nodes)
    both_secondary(nodes)
    peer = tc.NODE_IDS["bravo"]
    alpha.check("tandemsetup net-options r0 %d --allow-two-primaries=yes"
                % peer)
    tc.wait_proc(bravo, r"cs:Connected ro:Secondary/Secondary")
    for g in nodes:
        g.check("tandemsetup primary r0")
    tc.wait_proc(alpha, r"cs:Connected ro:Primary/Primary")
    res = alpha.run("tandemsetup net-options r0 %d --allow-two-primaries=no"
                    % peer)
    assert res.rc != 0 and "both nodes are Primary" in res.out, res
    assert re.search(r"^\s*allow-two-primaries yes;",
                     bravo.check("tandemsetup show r0"), re.M)
    bravo.check("tandemsetup secondary r0")
    tc.wait_proc(alpha, r"cs:Connected ro:Primary/Secondary")
    alpha.check("tandemsetup net-options r0 %d --allow-two-primaries=no"
                % peer)
    alpha.check("tandemsetup secondary r0")
    tc.wait_proc(alpha, r"cs:Connected ro:Secondary/Secondary "
                        r"ds:UpToDate/UpToDate")
