# SPDX-License-Identifier: GPL-2.0
"""Run only by test_harness.py: this test must FAIL, because the guest
kernel log gets a WARNING line while it runs."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from conftest import guest, kernel, pytest_runtest_call  # noqa: E402,F401


def test_guest_logs_a_warning(guest):
    guest.check("echo '<4>WARNING: CPU: 0 PID: 1 at selftest/inject.c:1 "
                "selftest+0x0/0x0' > /dev/kmsg")
    guest.check("true")
