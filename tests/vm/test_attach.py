# SPDX-License-Identifier: GPL-2.0
"""One guest, no peer: attaching disks with internal, flexible and
indexed metadata; what attach refuses; netlink events; objects that may
not be deleted while in use."""
import re
import time

import pytest

import tandemctl as tc

# RAM disks of 300 MiB (brd gives all the same size, allocated lazily):
# ram0 data, ram1 meta (two 128 MiB slots), ram2 never written (no
# metadata). A 512 KiB loop device is the disk too small for anything.
RAMDISKS = ("modprobe brd rd_nr=3 rd_size=307200 && modprobe loop && "
            "truncate -s 512K /run/tiny.img && "
            "losetup /dev/loop7 /run/tiny.img")


@pytest.fixture(scope="module")
def g(guest_module, root):
    tc.install(guest_module, root)
    guest_module.check(RAMDISKS)
    return guest_module


@pytest.fixture(autouse=True)
def clean(g):
    yield
    g.run("tandemsetup down r0; tandemsetup down r1")


def dev_bytes(g, name):
    # sysfs, not blockdev: an Inconsistent Secondary refuses to be opened.
    return int(g.check("cat /sys/block/%s/size" % name)) * 512


def new_minor(g, res="r0", minor=0):
    g.check("tandemsetup new-resource %s 0" % res)
    g.check("tandemsetup new-minor %s %d 0" % (res, minor))


def test_internal_metadata_attach_and_sizes(g):
    g.check("tandemmeta --force create-md /dev/vda internal")
    new_minor(g)
    g.check("tandemsetup attach 0 /dev/vda internal internal")
    block = tc.wait_proc(g, r"cs:StandAlone ro:Secondary/Unknown "
                            r"ds:Inconsistent/DUnknown")
    size = dev_bytes(g, "tandem0")
    disk = dev_bytes(g, "vda")
    assert 0 < size < disk and disk - size < 2 << 20, (size, disk)
    assert tc.counters(block)["oos"] == 0
    # The backing disk is held exclusively while attached.
    res = g.run("tandemsetup new-minor r0 1 1 && "
                "tandemsetup attach 1 /dev/vda internal internal")
    assert res.rc != 0 and "in use" in res.out, res
    g.check("tandemsetup del-minor 1")


@pytest.mark.parametrize("meta,index,dev", [
    ("/dev/ram1", "flexible", "/dev/ram1"),
    ("/dev/ram1", "1", "/dev/ram1[1]"),
])
def test_external_metadata(g, meta, index, dev):
    g.check("tandemmeta --force create-md /dev/ram0 %s" % dev)
    new_minor(g)
    g.check("tandemsetup attach 0 /dev/ram0 %s %s" % (meta, index))
    tc.wait_proc(g, r"ds:Inconsistent/DUnknown")
    # With external metadata the whole backing device holds data.
    assert dev_bytes(g, "tandem0") == dev_bytes(g, "ram0")
    g.check("tandemsetup detach 0")
    tc.wait_proc(g, r"ds:Diskless/DUnknown")
    # Wrong slot: no metadata there.
    if index != "flexible":
        res = g.run("tandemsetup attach 0 /dev/ram0 %s 0" % meta)
        assert res.rc != 0 and "no valid tandem metadata" in res.out, res


def test_attach_refusals(g):
    new_minor(g)
    res = g.run("tandemsetup attach 0 /dev/ram2 internal internal")
    assert res.rc != 0 and "no valid tandem metadata" in res.out, res
    res = g.run("tandemsetup attach 0 /dev/loop7 internal internal")
    assert res.rc != 0 and re.search(r"small|placement", res.out), res
    res = g.run("tandemsetup attach 0 /dev/nosuch internal internal")
    assert res.rc != 0 and "does not exist" in res.out, res
    g.check("mkdir -p /mnt/x && mkfs.ext4 -q -F /dev/ram2 && "
            "mount /dev/ram2 /mnt/x")
    try:
        res = g.run("tandemsetup attach 0 /dev/ram2 internal internal")
        assert res.rc != 0 and "in use" in res.out, res
    finally:
        g.check("umount /mnt/x")
    # Nothing was attached by any of these.
    tc.wait_proc(g, r"ds:Diskless/DUnknown")


def test_in_use_objects_are_not_deleted(g):
    g.check("tandemmeta --force create-md /dev/vda internal")
    new_minor(g)
    g.check("tandemsetup attach 0 /dev/vda internal internal")
    res = g.run("tandemsetup del-minor 0")
    assert res.rc != 0 and "detach" in res.out, res
    res = g.run("tandemsetup del-resource r0")
    assert res.rc != 0 and "still has" in res.out, res
    res = g.run("tandemsetup new-resource r0 0")
    assert res.rc != 0 and "exists" in res.out, res
    g.check("tandemsetup primary r0 --force")
    res = g.run("(exec 3>/dev/tandem0; sleep 4) & sleep 1; "
                "tandemsetup secondary r0; rc=$?; wait; exit $rc", timeout=30)
    assert res.rc != 0 and "held open" in res.out, res
    g.check("tandemsetup secondary r0")


def test_events_stream(g):
    g.check("tandemmeta --force create-md /dev/vda internal")
    g.check("timeout 60 tandemsetup events >/run/events.log 2>&1 "
            "</dev/null & echo $! >/run/events.pid")
    deadline = time.monotonic() + 20
    while "exists -" not in g.check("cat /run/events.log"):
        assert time.monotonic() < deadline, g.check("cat /run/events.log")
        time.sleep(0.3)
    new_minor(g)
    g.check("tandemsetup attach 0 /dev/vda internal internal")
    g.check("tandemsetup primary r0 --force")
    g.check("tandemsetup secondary r0")
    g.check("tandemsetup down r0")
    time.sleep(1)
    g.check("kill $(cat /run/events.pid)")
    log = g.check("cat /run/events.log")
    for pattern in (r"^create resource name:r0",
                    r"^create device name:r0 minor:0",
                    r"^change device name:r0 minor:0 .*disk:Inconsistent",
                    r"^change device name:r0 minor:0 .*disk:UpToDate",
                    r"^change resource name:r0 .*role:Primary",
                    r"^change resource name:r0 .*role:Secondary",
                    r"^destroy resource name:r0"):
        assert re.search(pattern, log, re.M), (pattern, log)
