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


def _selftest(tmp_path, name, **env):
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider",
         "--rootdir", HERE, "-c", os.devnull, "--basetemp", str(tmp_path / "t"),
         os.path.join(HERE, "selftest", name)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        timeout=120, cwd=HERE, env=dict(os.environ, **env))


def test_failure_stops_the_chain_and_the_budget_stops_all(tmp_path):
    """STOP_AFTER_FAILURE: after a failure, the later tests of the same
    module and transport fail (an error in setup) without running; another transport's chain
    runs. TANDEM_VM_BUDGET: once used up, no test runs."""
    ran = tmp_path / "ran"
    res = _selftest(tmp_path, "stop_after_failure.py",
                    TANDEM_VM_TRANSPORTS="tcp,rdma", SELFTEST_RAN=str(ran))
    out = res.stdout
    assert res.returncode == 1, out
    assert "1 failed, 2 passed, 1 error" in out, out
    assert "not run: " in out and "test_first[tcp] failed" in out, out
    assert ran.read_text() == "second[rdma]\n", out

    ran.unlink()
    res = _selftest(tmp_path, "stop_after_failure.py", TANDEM_VM_BUDGET="0",
                    TANDEM_VM_TRANSPORTS="rdma", SELFTEST_RAN=str(ran))
    assert res.returncode == 1, res.stdout
    assert "2 errors" in res.stdout, res.stdout
    assert "budget (TANDEM_VM_BUDGET)" in res.stdout, res.stdout
    assert not ran.exists(), res.stdout


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
