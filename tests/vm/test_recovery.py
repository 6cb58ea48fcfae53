# SPDX-License-Identifier: GPL-2.0
"""Surviving failures: a Secondary crash resyncs only what changed, a split
brain is detected and resolved with --discard-my-data, unrelated data is
refused, a Primary crash loses no acknowledged write. One pair of guests for
the module; tests run in order. Each case runs over the first transport
only: a crash and a split brain are decided by the bitmaps and
generations, whichever transport carries them (test_rdma.py covers the
fabric's own failures)."""
import os
import re

import pytest

import tandemctl as tc

DISKS = [("data", 64), ("other", 32)]


@pytest.fixture(scope="module")
def nodes(kernel, tmp_path_factory, root, transport):
    guests = tc.boot_installed_pair(
        kernel, str(tmp_path_factory.mktemp("recovery-" + transport)), root, DISKS,
        transport)
    yield guests
    tc.finish_pair(guests)


FAST = "--ping-int=1 --ping-timeout=5"
RATE = "--resync-rate=100M --c-plan-ahead=0"   # fixed rate


def data_sha(g, mib=60):
    return g.check("dd if=/dev/vda bs=1M count=%d iflag=direct status=none | "
                   "sha256sum" % mib, timeout=120).split()[0]


@pytest.mark.one_transport
def test_secondary_crash_resyncs_only_changes(nodes, root):
    alpha, bravo = nodes
    for g in nodes:
        tc.up(g, net=FAST, disk_opts=RATE)
    tc.wait_proc(alpha, r"cs:Connected")
    alpha.check("tandemsetup primary r0 --force")
    tc.wait_proc(bravo, r"cs:Connected ro:Secondary/Primary "
                        r"ds:UpToDate/UpToDate", timeout=180)

    bravo.kill()
    # 32 writes of 64 KiB at distinct 1 MiB-aligned offsets: 2 MiB.
    alpha.check("for i in $(seq 0 31); do dd if=/dev/urandom of=/dev/tandem0 "
                "bs=64k count=1 seek=$((i*16+5)) oflag=direct status=none "
                "|| exit 1; done", timeout=120)
    block = tc.wait_proc(alpha, r"cs:(NetworkFailure|Connecting|BrokenPipe)",
                         timeout=60)
    assert tc.counters(block)["oos"] == 2048, block

    bravo.start()
    tc.install(bravo, root)
    tc.up(bravo, net=FAST, create=False, disk_opts=RATE)   # same metadata
    block = tc.wait_proc(bravo, r"cs:Connected ro:Secondary/Primary "
                                r"ds:UpToDate/UpToDate", timeout=120)
    assert tc.counters(block)["nr"] <= 2048 * 1.05, block   # not the disk
    assert "resync started as target, 2048 KiB to go" in bravo.check("dmesg")
    tc.wait_proc(alpha, r"ds:UpToDate/UpToDate.*\n.*oos:0")
    assert data_sha(alpha) == data_sha(bravo)


@pytest.mark.one_transport
def test_split_brain_detected_then_discard_my_data(nodes):
    alpha, bravo = nodes
    for g in nodes:
        g.check("tandemsetup disconnect r0 %d" % tc.NODE_IDS[tc.peer_of(g.name)])
    bravo.check("tandemsetup primary r0")   # UpToDate: no --force needed
    alpha.check("dd if=/dev/urandom of=/dev/tandem0 bs=64k count=4 seek=40 "
                "oflag=direct status=none")
    bravo.check("dd if=/dev/urandom of=/dev/tandem0 bs=64k count=4 seek=80 "
                "oflag=direct status=none")
    bravo.check("tandemsetup secondary r0")
    connect = ("tandemsetup connect r0 %d %s:%d %s:%d --connect-int=1 " +
               FAST + " " + tc.net_transport(alpha))
    for g in nodes:
        peer = tc.peer_of(g.name)
        g.check(connect % (tc.NODE_IDS[peer], tc.IPS[g.name], tc.PORT,
                           tc.IPS[peer], tc.PORT))
    for g in nodes:
        tc.wait_proc(g, r"cs:StandAlone", timeout=60)
        assert "split brain detected" in g.check("dmesg"), g.name

    # The operator picks bravo as the victim.
    bravo.check((connect + " --discard-my-data") % (
        0, tc.IPS["bravo"], tc.PORT, tc.IPS["alpha"], tc.PORT))
    alpha.check(connect % (1, tc.IPS["alpha"], tc.PORT, tc.IPS["bravo"],
                           tc.PORT))
    tc.wait_proc(alpha, r"cs:Connected ro:Primary/Secondary "
                        r"ds:UpToDate/UpToDate", timeout=180)
    tc.wait_proc(bravo, r"cs:Connected ro:Secondary/Primary "
                        r"ds:UpToDate/UpToDate", timeout=60)
    assert data_sha(alpha) == data_sha(bravo)


@pytest.mark.one_transport
def test_unrelated_data_refused(nodes):
    alpha, bravo = nodes
    # Two disks given data independently, then connected.
    for g in nodes:
        tc.create_md(g, "/dev/vdb")
        g.check("tandemsetup new-resource r5 %d" % tc.NODE_IDS[g.name])
        g.check("tandemsetup new-minor r5 5 0")
        g.check("tandemsetup attach 5 /dev/vdb internal internal")
        g.check("tandemsetup primary r5 --force && tandemsetup secondary r5")
    for g in nodes:
        peer = tc.peer_of(g.name)
        g.check("tandemsetup connect r5 %d %s:7795 %s:7795 --connect-int=1 %s"
                % (tc.NODE_IDS[peer], tc.IPS[g.name], tc.IPS[peer],
                   tc.net_transport(g)))
    for g in nodes:
        tc.wait_proc(g, r"cs:StandAlone", minor=5, timeout=60)
        assert re.search(r"unrelated data on volume 0", g.check("dmesg")), \
            g.name
    for g in nodes:
        tc.down(g, "r5")


WRITER = r"""
i=0
while [ $i -lt 100000 ]; do
    i=$((i+1)); off=$(( (i * 7919) % 2048 ))
    head -c 4096 /dev/urandom > /run/blk
    dd if=/run/blk of=/dev/tandem0 bs=4k seek=$off oflag=direct,sync \
        conv=notrunc status=none || break
    echo "$i $off $(sha256sum < /run/blk | cut -c1-64)" >> /xchg/acked.log
done
"""


@pytest.mark.one_transport
def test_primary_crash_keeps_every_acknowledged_write(nodes, root):
    alpha, bravo = nodes
    tc.wait_proc(alpha, r"cs:Connected ro:Primary/Secondary "
                        r"ds:UpToDate/UpToDate C")
    alpha.check("rm -f /xchg/acked.log; cat > /run/writer.sh <<'EOF'\n%s\nEOF"
                % WRITER)
    alpha.check("timeout 120 bash /run/writer.sh >/dev/null 2>&1 "
                "</dev/null &")
    alpha.check("sleep 12")
    alpha.kill()     # the Primary crashes in the middle of the writes

    with open(os.path.join(alpha.xchg, "acked.log")) as f:
        acked = [l.split() for l in f.read().splitlines() if l.strip()]
    assert len(acked) >= 10, "the writer got too few writes through"
    last = int(acked[-1][0])
    in_flight = ((last + 1) * 7919) % 2048   # may hold old or new data
    newest = {}
    for i, off, sha in acked:
        newest[int(off)] = sha

    tc.wait_proc(bravo, r"cs:(NetworkFailure|Connecting|BrokenPipe)",
                 timeout=60)
    bravo.check("tandemsetup primary r0")      # UpToDate: no --force
    checked = 0
    for off, sha in sorted(newest.items()):
        if off == in_flight:
            continue
        got = bravo.check("dd if=/dev/tandem0 bs=4k skip=%d count=1 "
                          "iflag=direct status=none | sha256sum" % off)
        assert got.split()[0] == sha, "acknowledged write at block %d lost" % off
        checked += 1
    assert checked >= 9

    # The crashed Primary comes back: its activity log names the extents
    # it may have written without bravo; only those (and what bravo
    # changed since, nothing here) are resynced.
    alpha.start()
    tc.install(alpha, root)
    dump = alpha.check("tandemmeta dump-md /dev/vda internal")
    m = re.search(r"al: (\d+) transactions, (\d+) active extents "
                  r"\(needs replay\)", dump)
    assert m, dump
    # Since alpha attached, it wrote the first 32 MiB (the earlier tests
    # and this writer): at most those 8 of its 16 extents are hot.
    extents = int(m.group(2))
    assert 1 <= extents <= 8, dump
    tc.up(alpha, net=FAST, create=False, disk_opts=RATE)
    block = tc.wait_proc(alpha, r"cs:Connected ro:Secondary/Primary "
                                r"ds:UpToDate/UpToDate", timeout=180)
    log = alpha.check("dmesg")
    assert "bitmap resync as target" in log
    m = re.search(r"resync started as target, (\d+) KiB to go", log)
    assert m and 0 < int(m.group(1)) <= extents * 4096, log
    assert tc.counters(block)["nr"] <= 1.05 * extents * 4096, block
    tc.wait_proc(bravo, r"ds:UpToDate/UpToDate.*\n.*oos:0")
    assert data_sha(alpha) == data_sha(bravo)
