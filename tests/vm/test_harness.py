# SPDX-License-Identifier: GPL-2.0
"""The harness tests itself: a kernel WARNING fails a test, a failing
command reports its output and the console, a timeout is a failure."""
import os
import subprocess
import sys

import pytest

import tandemvm

HERE = os.path.dirname(os.path.abspath(__file__))


def test_kernel_warning_fails_the_test(tmp_path):
    """Run a test that makes the guest kernel log a WARNING: it must fail."""
    res = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
         "--rootdir", HERE, "-c", os.devnull, "--basetemp", str(tmp_path / "t"),
         os.path.join(HERE, "selftest", "warning_in_guest.py")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        timeout=600, cwd=HERE)
    out = res.stdout
    assert res.returncode == 1, out
    assert "1 failed" in out, out
    assert "kernel problem in the guest log" in out, out
    assert "WARNING: CPU: 0 PID: 1 at selftest" in out, out
    assert "console tail" in out, out


def test_failing_command_and_timeout(guest):
    with pytest.raises(tandemvm.GuestCommandError) as ei:
        guest.check("echo out-marker; echo err-marker >&2; exit 3")
    msg = str(ei.value)
    assert "rc=3" in msg and "out-marker" in msg and "err-marker" in msg
    assert "console tail" in msg and "tandem-vm: alpha up" in msg

    res = guest.run("echo started; sleep 30", timeout=2)
    assert res.timed_out and res.rc != 0 and "started" in res.out
    # The agent is still usable afterwards.
    assert guest.check("echo alive").strip() == "alive"


def test_clean_log_has_no_kernel_errors(guest):
    assert guest.kernel_errors(since_boot_start=True) == []
    assert tandemvm.KERNEL_ERROR_RE.search(
        "[   12.3] WARNING: CPU: 1 PID: 7 at kernel/x.c:1 f+0x1/0x2")
    assert tandemvm.KERNEL_ERROR_RE.search("[ 1.0] BUG: unable to handle")
    assert tandemvm.KERNEL_ERROR_RE.search(
        "INFO: task x:1 blocked for more than 120 seconds.")
    assert not tandemvm.KERNEL_ERROR_RE.search(
        "[ 1.0] tandem: loading out-of-tree module taints kernel.")
