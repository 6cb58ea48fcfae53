# SPDX-License-Identifier: GPL-2.0
"""A diskless client (`disk none`, DRBD 9's diskless node) over each
transport: alpha has no backing disk at all, bravo has the data. alpha
becomes Primary and reads and writes bravo's disk over the connection
(fio with verification), the data lands on bravo's disk, a diskless node
without a connected UpToDate peer refuses to become Primary, and a
client that loses its peer fails its I/O instead of inventing data.
One pair for the module; tests run in order."""
import re

import pytest

import tandemctl as tc

DISKS = [("data", 64)]
FAST = "--ping-int=1 --ping-timeout=5"


@pytest.fixture(scope="module")
def nodes(kernel, tmp_path_factory, root, transport):
    guests = tc.boot_installed_pair(
        kernel, str(tmp_path_factory.mktemp("diskless-" + transport)), root,
        DISKS, transport)
    yield guests
    tc.finish_pair(guests)


def client_up(g):
    """alpha: a resource and a minor, no disk, connected to bravo."""
    g.check("tandemsetup new-resource r0 0")
    g.check("tandemsetup new-minor r0 0 0")
    g.check("tandemsetup connect r0 1 192.0.2.1:%d 192.0.2.2:%d "
            "--connect-int=1 %s %s" % (tc.PORT, tc.PORT, FAST,
                                       tc.net_transport(g)))


@pytest.mark.one_transport
def test_client_refuses_primary_without_a_peer(nodes):
    alpha, bravo = nodes
    alpha.check("tandemsetup new-resource r0 0 && "
                "tandemsetup new-minor r0 0 0")
    res = alpha.run("tandemsetup primary r0")
    assert res.rc != 0 and "no usable local disk" in res.out, res
    res = alpha.run("tandemsetup primary r0 --force")
    assert res.rc != 0 and "no usable local disk" in res.out, res
    alpha.check("tandemsetup down r0", timeout=60)


def test_client_reads_and_writes_the_peer(nodes):
    alpha, bravo = nodes
    tc.up(bravo, net=FAST)
    client_up(alpha)
    tc.wait_proc(bravo, r"cs:Connected ro:Secondary/Secondary "
                        r"ds:Inconsistent/Diskless")
    # bravo's data becomes the good copy; the client is no sync target.
    bravo.check("tandemsetup primary r0 --force && tandemsetup secondary r0")
    block = tc.wait_proc(alpha, r"cs:Connected ro:Secondary/Secondary "
                                r"ds:Diskless/UpToDate")
    size = int(alpha.check("blockdev --getsize64 /dev/tandem0"))
    assert size == int(bravo.check("blockdev --getsize64 /dev/tandem0"))
    alpha.check("tandemsetup primary r0")
    tc.wait_proc(bravo, r"ro:Secondary/Primary ds:UpToDate/Diskless")

    out = alpha.check(
        "fio --name=verify --filename=/dev/tandem0 --direct=1 "
        "--ioengine=psync --rw=randwrite --bs=4k --size=8M "
        "--verify=crc32c --do_verify=1 --verify_fatal=1 "
        "--output-format=terse --terse-version=3", timeout=600)
    fields = out.strip().splitlines()[-1].split(";")
    assert fields[4] == "0", out      # fio's error field: no error
    # What the client sees is what is on bravo's disk.
    mib = size >> 20
    a = tc.sha_of_device(alpha, "/dev/tandem0", mib)
    b = tc.sha_of_device(bravo, "/dev/vda", mib)
    assert a == b
    block = tc.proc(bravo)
    assert re.search(r"ds:UpToDate/Diskless", block), block
    # Every write is marked for the client: it has no disk to sync to.
    assert tc.counters(tc.minor_block(block))["oos"] >= 8 * 1024, block


def test_client_without_peer_fails_io(nodes):
    alpha, bravo = nodes
    # Held open, the device keeps its size; its I/O has nowhere to go.
    alpha.check("sleep 120 </dev/tandem0 >/dev/null 2>&1 & "
                "echo $! >/run/holder.pid")
    bravo.check("tandemsetup disconnect r0 0", timeout=60)
    tc.wait_proc(alpha, r"cs:(Connecting|NetworkFailure|BrokenPipe|"
                        r"TearDown|Unconnected)", timeout=30)
    res = alpha.run("dd if=/dev/tandem0 of=/dev/null bs=4k count=1 "
                    "iflag=direct")
    assert res.rc != 0, res
    res = alpha.run("dd if=/dev/zero of=/dev/tandem0 bs=4k count=1 "
                    "oflag=direct")
    assert res.rc != 0, res
    assert "pri-on-incon-degr" in alpha.check("dmesg")
    alpha.check("kill $(cat /run/holder.pid); sleep 1")
    for g in nodes:
        tc.down(g)
        tc.unload(g)
