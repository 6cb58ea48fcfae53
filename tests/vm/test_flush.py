# SPDX-License-Identifier: GPL-2.0
"""What an application flush waits for (docs/PROTOCOL.md, "Flushes").

bravo's QEMU is stopped (SIGSTOP) for a few seconds while alpha writes
with O_SYNC (a FUA write, then an empty flush):
- under protocol A the writes and their flushes complete without bravo;
- under protocol C they wait for bravo, and complete once it runs again,
  on the same connection (no reconnect), with the same data on both.

TCP only: over soft-RoCE a stopped peer exhausts the QP's retries within
about a second (docs/TRANSPORT.md, "Local ACK timeout"), which breaks the
connection instead of holding the writes.
"""
import os
import signal
import time

import pytest

import tandemctl as tc

MIB = 64
# Keepalive slower than the stops, so they do not end the connection.
NET = "--ping-int=60 --ping-timeout=300"
FREEZE_S = 3


@pytest.fixture(scope="module")
def nodes(kernel, tmp_path_factory, root):
    guests = tc.boot_installed_pair(
        kernel, str(tmp_path_factory.mktemp("flush")), root, [("d0", MIB)])
    alpha, bravo = guests
    for g in guests:
        tc.up(g, net=NET, disk_opts="--resync-rate=100M --c-plan-ahead=0")
    tc.wait_proc(alpha, r"cs:Connected")
    alpha.check("tandemsetup primary r0 --force")
    for g in guests:
        tc.wait_proc(g, r"cs:Connected ro:\w+/\w+ ds:UpToDate/UpToDate",
                     timeout=240)
    yield guests
    tc.finish_pair(guests)


class Stopped:
    """bravo's QEMU stopped for the body of a with, continued after."""

    def __init__(self, g):
        self.pid = g.proc.pid

    def __enter__(self):
        os.kill(self.pid, signal.SIGSTOP)
        return self

    def __exit__(self, *exc):
        os.kill(self.pid, signal.SIGCONT)


def set_protocol(alpha, bravo, p):
    alpha.check("tandemsetup net-options r0 1 --protocol=%s" % p)
    tc.wait_proc(alpha, r"cs:Connected ro:Primary/Secondary "
                        r"ds:UpToDate/UpToDate %s" % p)
    tc.wait_proc(bravo, r"ds:UpToDate/UpToDate %s" % p)


def start_writer(g, seek):
    """16 O_SYNC 4 KiB writes in the background; the pid in /run/w.pid."""
    g.check("dd if=/dev/urandom of=/dev/tandem0 bs=4k count=16 seek=%d "
            "oflag=direct,sync status=none >/run/w.log 2>&1 </dev/null & "
            "echo $! > /run/w.pid" % seek)


def writer_running(g):
    return g.run("kill -0 $(cat /run/w.pid) 2>/dev/null").rc == 0


def wait_writer(g, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not writer_running(g):
            return True
        time.sleep(0.2)
    return False


def connects(g):
    return int(g.check("dmesg | grep -c 'peer 1: connected'").strip())


def test_protocol_a_flush_does_not_wait_for_the_peer(nodes):
    alpha, bravo = nodes
    set_protocol(alpha, bravo, "A")
    before = connects(alpha)
    with Stopped(bravo):
        start_writer(alpha, 100)
        done = wait_writer(alpha, FREEZE_S)
    assert done, "protocol A: O_SYNC writes waited for a stopped peer"
    assert alpha.check("cat /run/w.log") == ""
    tc.wait_proc(bravo, r"cs:Connected ro:Secondary/Primary "
                        r"ds:UpToDate/UpToDate A")
    assert connects(alpha) == before


def test_protocol_c_flush_waits_for_the_peer(nodes):
    alpha, bravo = nodes
    set_protocol(alpha, bravo, "C")
    before = connects(alpha)
    with Stopped(bravo):
        start_writer(alpha, 200)
        time.sleep(FREEZE_S)
        held = writer_running(alpha)
    assert held, "protocol C: O_SYNC writes completed without the peer"
    assert wait_writer(alpha, 60), "the writes did not complete after the stop"
    assert alpha.check("cat /run/w.log") == ""
    tc.wait_proc(alpha, r"cs:Connected ro:Primary/Secondary "
                        r"ds:UpToDate/UpToDate C")
    assert connects(alpha) == before
    tc.check_data_areas_identical(alpha, bravo)
