# SPDX-License-Identifier: GPL-2.0
"""Online resize (grow). The guests' virtio disks are grown from outside
with QMP block_resize, then `tandemsetup resize` runs on one node while
connected. r0 (minor 0, /dev/vda) has internal metadata; r1 (minor 1,
/dev/vdb) external flexible metadata on /dev/vdc. Tests run in order on
one pair of guests."""
import json
import re
import time

import pytest

import tandemctl as tc

MIB = 1 << 20
DISKS = [("d0", 64), ("d1", 64), ("d2", 4)]
FAST = "--ping-int=1 --ping-timeout=5"
RATE = "--resync-rate=100M --c-plan-ahead=0"
R1_PORT = tc.PORT + 1


def internal_data_blocks(disk_bytes, peers=1):
    """docs/METADATA.md section 4: data blocks of a fresh internal area."""
    room = disk_bytes // 4096 - 9
    group = 32768 + peers
    rest = room % group
    return room // group * 32768 + (rest - peers if rest > peers else 0)


def size64(g, dev):
    """Size in bytes. A tandem device is read from sysfs: a Secondary
    that is Inconsistent (resync target) refuses to be opened."""
    m = re.match(r"/dev/(tandem\d+)$", dev)
    if m:
        return int(g.check("cat /sys/block/%s/size" % m.group(1))) * 512
    return int(g.check("blockdev --getsize64 %s" % dev).strip())


def grow(g, drive, dev, mib):
    """Grow a guest disk from outside; wait until the guest sees it."""
    g.qmp("block_resize", device=drive, size=mib * MIB)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if size64(g, dev) == mib * MIB:
            return
        time.sleep(0.2)
    raise AssertionError("%s: %s never became %d MiB" % (g.name, dev, mib))


def wait_size(g, minor, size, timeout=60):
    deadline = time.monotonic() + timeout
    got = None
    while time.monotonic() < deadline:
        got = size64(g, "/dev/tandem%d" % minor)
        if got == size:
            return
        time.sleep(0.3)
    raise AssertionError("%s: /dev/tandem%d is %s bytes, expected %d\n%s" % (
        g.name, minor, got, size, g.run("dmesg | tail -30").out))


def in_sync(nodes, minor=0, timeout=180):
    for g in nodes:
        tc.wait_proc(g, r"cs:Connected ro:\w+/\w+ ds:UpToDate/UpToDate",
                     timeout=timeout, minor=minor)
        tc.wait_proc(g, r"oos:0\b", timeout=60, minor=minor)


def sha(g, dev, nbytes):
    """sha256 of the first nbytes of a device (a multiple of 4 KiB)."""
    return g.check("dd if=%s bs=4096 count=%d iflag=direct status=none | "
                   "sha256sum" % (dev, nbytes // 4096), timeout=120).split()[0]


def mark(g):
    g.check("echo tandem-test-mark > /dev/kmsg")


def since_mark(g):
    return g.check("dmesg").rsplit("tandem-test-mark", 1)[-1]


def dump_md(g, disk, meta="internal"):
    return json.loads(g.check("tandemmeta dump-md --json %s %s" % (disk,
                                                                  meta)))


def up_external(g):
    me, peer = g.name, tc.peer_of(g.name)
    g.check("tandemmeta --force create-md /dev/vdb /dev/vdc --node-id=%d" %
            tc.NODE_IDS[me])
    g.check("tandemsetup new-resource r1 %d" % tc.NODE_IDS[me])
    g.check("tandemsetup new-minor r1 1 0")
    g.check("tandemsetup attach 1 /dev/vdb /dev/vdc flexible %s" % RATE)
    g.check("tandemsetup connect r1 %d %s:%d %s:%d --connect-int=1 %s" % (
        tc.NODE_IDS[peer], tc.IPS[me], R1_PORT, tc.IPS[peer], R1_PORT,
        FAST))


@pytest.fixture(scope="module")
def nodes(kernel, tmp_path_factory, root):
    guests = tc.boot_installed_pair(
        kernel, str(tmp_path_factory.mktemp("resize")), root, DISKS)
    alpha, bravo = guests
    for g in guests:
        tc.up(g, net=FAST, disk_opts=RATE)
        up_external(g)
    for minor, res in ((0, "r0"), (1, "r1")):
        tc.wait_proc(alpha, r"cs:Connected", minor=minor)
        alpha.check("tandemsetup primary %s --force" % res)
    for minor in (0, 1):
        in_sync(guests, minor=minor)
    yield guests
    tc.finish_pair(guests)


def test_nothing_to_do(nodes):
    alpha, _ = nodes
    r = alpha.run("tandemsetup resize 0")
    assert r.rc == 0, r.out
    assert "nothing to do" in r.out, r.out


def test_bad_input(nodes):
    alpha, _ = nodes
    old = size64(alpha, "/dev/tandem0")
    r = alpha.run("tandemsetup resize 0 --size=32M")
    assert r.rc == 10, r.out
    assert "shrinking is not supported online" in r.out, r.out
    r = alpha.run("tandemsetup resize 0 --size=6K")
    assert r.rc == 20, r.out
    assert "multiple of 4 KiB" in r.out, r.out
    r = alpha.run("tandemsetup resize 0 --size=1G")
    assert r.rc == 10, r.out
    assert "more than both disks provide" in r.out, r.out
    r = alpha.run("tandemsetup resize 7")
    assert r.rc == 11, r.out
    assert size64(alpha, "/dev/tandem0") == old


def test_grow_internal(nodes):
    alpha, bravo = nodes
    old = internal_data_blocks(64 * MIB) * 4096
    new = internal_data_blocks(96 * MIB) * 4096
    for g in nodes:
        assert size64(g, "/dev/tandem0") == old
    alpha.check("dd if=/dev/urandom of=/dev/tandem0 bs=1M count=60 "
                "oflag=direct status=none", timeout=120)
    in_sync(nodes)
    before = sha(alpha, "/dev/tandem0", old)

    for g in nodes:
        grow(g, "d0", "/dev/vda", 96)
        mark(g)
    r = alpha.run("tandemsetup resize 0", timeout=120)
    assert r.rc == 0, r.out
    assert "grown from %d KiB to %d KiB" % (old // 1024, new // 1024) in r.out, r.out
    for g in nodes:
        wait_size(g, 0, new)
    in_sync(nodes)
    assert int(alpha.check("blockdev --getsize64 /dev/tandem0")) == new

    # Only the added range went over the wire.
    added_kib = (new - old) // 1024
    m = re.findall(r"resync done: (\d+) KiB", since_mark(bravo))
    assert m, since_mark(bravo)
    assert added_kib <= int(m[-1]) <= added_kib + 1024, (m, added_kib)
    assert not re.search(r"resync done", since_mark(alpha))

    # The old area is intact on both nodes.
    assert sha(alpha, "/dev/tandem0", old) == before
    assert sha(bravo, "/dev/vda", old) == before

    # Data written into the added range reaches the peer.
    alpha.check("dd if=/dev/urandom of=/dev/tandem0 bs=1M count=20 seek=68 "
                "oflag=direct status=none", timeout=120)
    in_sync(nodes)
    assert sha(alpha, "/dev/vda", new) == sha(bravo, "/dev/vda", new)
    for g in nodes:
        st = g.check("tandemsetup status r0 --json")
        assert re.findall(r'"size":\s*(\d+)', st) == [str(new // 1024)], st


def test_metadata_found_after_down_up(nodes):
    alpha, bravo = nodes
    new = internal_data_blocks(96 * MIB) * 4096
    tc.down(bravo)
    md = dump_md(bravo, "/dev/vda")
    assert md["data_sect"] == new // 512, md
    assert md["sb_offset"] == 96 * MIB - 4096, md
    assert md["data_sect"] + md["md_size_sect"] == 96 * MIB // 512, md
    tc.up(bravo, net=FAST, disk_opts=RATE, create=False)
    in_sync(nodes)
    wait_size(bravo, 0, new)
    # Primary too: demote, down, check, up, promote.
    alpha.check("tandemsetup secondary r0")
    tc.down(alpha)
    md = dump_md(alpha, "/dev/vda")
    assert md["data_sect"] == new // 512, md
    tc.up(alpha, net=FAST, disk_opts=RATE, create=False)
    in_sync(nodes)
    alpha.check("tandemsetup primary r0")
    wait_size(alpha, 0, new)
    assert sha(alpha, "/dev/vda", new) == sha(bravo, "/dev/vda", new)


def test_peer_not_grown(nodes):
    alpha, bravo = nodes
    cur = internal_data_blocks(96 * MIB) * 4096
    grow(alpha, "d0", "/dev/vda", 128)
    r = alpha.run("tandemsetup resize 0", timeout=120)
    assert r.rc == 10, r.out
    assert "size stays %d KiB" % (cur // 1024) in r.out, r.out
    assert "has not grown" in r.out, r.out
    for g in nodes:
        assert size64(g, "/dev/tandem0") == cur
    in_sync(nodes)
    # alpha's metadata moved to the end of its grown disk anyway.
    alpha.check("tandemsetup secondary r0")
    tc.down(alpha)
    md = dump_md(alpha, "/dev/vda")
    assert md["data_sect"] == cur // 512, md
    assert md["data_sect"] + md["md_size_sect"] == 128 * MIB // 512, md
    tc.up(alpha, net=FAST, disk_opts=RATE, create=False)
    in_sync(nodes)
    alpha.check("tandemsetup primary r0")

    # Once bravo grows too, the next resize grows both, alpha into the
    # tail of its own metadata area.
    new = internal_data_blocks(128 * MIB) * 4096
    grow(bravo, "d0", "/dev/vda", 128)
    for g in nodes:
        mark(g)
    r = alpha.run("tandemsetup resize 0", timeout=120)
    assert r.rc == 0, r.out
    for g in nodes:
        wait_size(g, 0, new)
    in_sync(nodes)
    m = re.findall(r"resync done: (\d+) KiB", since_mark(bravo))
    assert m and int(m[-1]) <= (new - cur) // 1024 + 1024, m
    assert sha(alpha, "/dev/vda", new) == sha(bravo, "/dev/vda", new)


def test_grow_external(nodes):
    alpha, bravo = nodes
    old = 64 * MIB
    for g in nodes:
        assert size64(g, "/dev/tandem1") == old
    alpha.check("dd if=/dev/urandom of=/dev/tandem1 bs=1M count=64 "
                "oflag=direct status=none", timeout=120)
    in_sync(nodes, minor=1)
    before = sha(alpha, "/dev/tandem1", old)
    # 160 MiB is more than one bitmap block per peer covers (128 MiB).
    for g in nodes:
        grow(g, "d1", "/dev/vdb", 160)
    r = alpha.run("tandemsetup resize 1", timeout=120)
    assert r.rc == 10, r.out
    assert "bitmap slots cover only 131072 KiB" in r.out, r.out
    assert size64(alpha, "/dev/tandem1") == old
    r = alpha.run("tandemsetup resize 1 --size=128M", timeout=120)
    assert r.rc == 0, r.out
    for g in nodes:
        wait_size(g, 1, 128 * MIB)
    in_sync(nodes, minor=1)
    assert sha(bravo, "/dev/vdb", old) == before
    assert sha(alpha, "/dev/vdb", 128 * MIB) == sha(bravo, "/dev/vdb",
                                                   128 * MIB)
    tc.down(bravo, res="r1")
    md = dump_md(bravo, "/dev/vdb", "/dev/vdc")
    assert md["data_sect"] == 128 * MIB // 512, md


def test_refused_when_not_connected(nodes):
    alpha, bravo = nodes
    grow(alpha, "d0", "/dev/vda", 160)
    grow(bravo, "d0", "/dev/vda", 160)
    alpha.check("tandemsetup disconnect r0 1")
    r = alpha.run("tandemsetup resize 0", timeout=60)
    assert r.rc == 10, r.out
    assert "not connected to peer 1" in r.out, r.out
